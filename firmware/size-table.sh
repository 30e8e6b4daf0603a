#!/bin/sh
# size-table.sh FIRMWARE.elf: the firmware's sizes -- flash (text + data)
# and what .data and .bss take of the external SRAM; the heap there and the
# shell's stack in the internal 8 KiB are measured at run time (`mem`).
set -eu
avr-size -A "$1" | awk '
	$1 == ".text" { text = $2 } $1 == ".data" { data = $2 } $1 == ".bss" { bss = $2 }
	END {
		printf "  firmware %s:\n", name
		printf "    flash         %6d bytes of 262144 (text %d + data %d)\n", text + data, text, data
		printf "    external SRAM %6d bytes of 32768 (.data %d + .bss %d); the heap takes the rest\n", data + bss, data, bss
		printf "    internal SRAM: the shell'"'"'s stack (8192 bytes)\n"
		if (data + bss > 16384) { print "firmware: .data and .bss leave under 16 KiB of heap" > "/dev/stderr"; exit 1 }
	}' name="$1"
