#!/bin/bash
# Boot the msgcheck firmware (firmware/msgcheck.c: the message core's
# contracts on coroutines and the AVR context switch) in simavr as an
# ATmega2560 and read its verdict from USART0.
set -u
elf=build/firmware/msgcheck-atmega2560.elf
if [ ! -f "$elf" ]; then
	echo "avr-msgcheck: $elf is missing: run 'make firmware-check' first"
	echo "SUITE avr-msgcheck: 0 passed, 1 failed"
	exit 1
fi
# simavr prints the UART on stderr in colour; after a crash it would wait
# for gdb forever, hence the timeout.
out=$(timeout 120 simavr -m atmega2560 -f 16000000 "$elf" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\.\.$//')
status=$?
echo "$out" | grep '^msgcheck'
line=$(echo "$out" | grep -E '^msgcheck: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -z "$line" ]; then
	echo "avr-msgcheck: the firmware printed no verdict (simavr status $status)"
	echo "SUITE avr-msgcheck: 0 passed, 1 failed"
	exit 1
fi
p=$(echo "$line" | sed -E 's/msgcheck: ([0-9]+) passed, ([0-9]+) failed.*/\1/')
f=$(echo "$line" | sed -E 's/msgcheck: ([0-9]+) passed, ([0-9]+) failed.*/\2/')
echo "SUITE avr-msgcheck: $p passed, $f failed"
[ "$f" -eq 0 ]
