#!/bin/bash
# The SD card driver over SPI (firmware/sd_spi.c) on a simulated ATmega2560:
# tests/avr/avr_harness runs the sdcheck firmware with an SPI-mode SD card
# backed by an image from `nanoos sdimage create`; the card must come back
# byte for byte unchanged and still a valid volume. Then no card (the
# firmware must say so and halt, not hang) and a card of zeros (no MBR).
set -u
B=$(realpath "${1:-${BUILD:-build}}")      # the build dir: $1, $BUILD (run-tests.sh) or build
. "$(dirname "$0")/lib.sh"
H=$B/tests/tools/avr_harness
ELF=$B/firmware/sdcheck-atmega2560.elf
N=$B/bin/nanoos
suite_needs avr-sd "$H" "$ELF" "$N"
suite_tmpdir

run() {         # run [--sd IMG]: sdcheck in the harness; out, err, st
	"$H" --timeout 30 "$@" "$ELF" >out 2>err
	st=$?
}

# A 64 MiB card made by nanoos: SDHC, MBR, FAT16 from block 2048.
"$N" sdimage create card.img --size 64M >/dev/null 2>&1 || bad "sdimage create" "$(cat err 2>/dev/null)"
cp card.img before.img
run --sd card.img
expect "a 64 MiB card initialises" 0 '^sdcheck: card ok, 131072 blocks \(SDHC\)'
expect "block 0 has the MBR signature" 0 '^sdcheck: MBR signature 55 AA'
expect "the first partition starts at 2048" 0 '^sdcheck: partition 1 starts at block 2048'
expect "write, read back and restore pass" 0 '^sdcheck: ([1-9][0-9]+) passed, 0 failed'
expect_err "the harness reports simulated cycles" 0 '^avr_harness: [0-9]+ cycles, [0-9.]+ s simulated'
if cmp -s card.img before.img; then ok "the card is unchanged afterwards"; else bad "the card is unchanged afterwards" "$(cmp card.img before.img)"; fi
"$N" sdimage fsck card.img >out 2>err; st=$?
expect "the volume passes fsck" 0 ""
"$N" sdimage info card.img >out 2>err; st=$?
expect "the volume is still FAT16" 0 'FAT16'

# No card: MISO stays high; the firmware must report it and halt.
run
expect "no card is reported" 0 '^sdcheck: card init: no card'
expect "no card still ends with a verdict" 0 '^sdcheck: 0 passed, 1 failed'

# A card of zeros: it initialises, but block 0 is no MBR.
head -c 8M /dev/zero >zero.img
run --sd zero.img
expect "a blank card initialises" 0 '^sdcheck: card ok, 16384 blocks'
expect "a blank card has no MBR" 0 '^sdcheck: block 0 is no MBR'
expect "only the MBR check fails" 0 '^sdcheck: [1-9][0-9]* passed, 1 failed'

# A noisy bus: every data block from the card has a wrong CRC16. With CRCs
# on, the driver must refuse the first one (the CSD, during init).
cp before.img noisy.img
run --sd noisy.img --sd-bad-crc
expect "a bad data CRC is caught" 0 '^sdcheck: card init: CRC error'

# A missing image is the harness's error, named with the fix.
run --sd nothere.img
expect_err "a missing image is named" 1 'nothere.img: No such file or directory'

suite_end
