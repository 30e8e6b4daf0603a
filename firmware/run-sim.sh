#!/bin/bash
# run-sim.sh BUILD: boot the firmware in simavr with this terminal as its
# serial console (`make run-firmware`). The card is BUILD/firmware/card.img,
# made with the userland the first time; `halt` at the prompt ends the run,
# as does the harness's time limit (a day). The terminal is raw meanwhile:
# the firmware's console echoes and edits lines itself, and ^C reaches it.
set -eu
B=${1:-build}
card=$B/firmware/card.img
if [ ! -f "$card" ]; then
	echo "run-sim: making $card (64 MiB, the userland in /bin)"
	"$B/bin/nanoos" sdimage create "$card" --size 64M --rootfs "$B/rootfs" >/dev/null
fi
echo "run-sim: the Mega 2560 (+32 KiB XMEM) in simavr; type halt to stop"
saved=$(stty -g 2>/dev/null || true)
[ -n "$saved" ] && stty raw -echo
trap '[ -n "$saved" ] && stty "$saved"' EXIT
"$B/tests/tools/avr_harness" --xmem 32768 --timeout 86400 --sd "$card" \
	"$B/firmware/nanoos-atmega2560.elf"
