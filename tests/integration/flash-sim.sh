#!/bin/bash
# flash-sim.sh: a real `nanoos flash` into a simulated Arduino Mega 2560.
# avr_board (tests/avr/avr_board.c) runs the stk500v2 bootloader Debian's
# arduino-core-avr ships in libsimavr with USART0 on a pty; `nanoos flash`
# runs the real avrdude against that pty. Checked: avrdude writes and
# verifies; the flash holds exactly the hex and the bootloader is intact;
# the bootloader starts the flashed firmware, whose banner and prompt reach
# the pty (opening it resets the board, as DTR does on a Mega) and which
# answers what is typed there; a 60 KiB image flashes too (its time and
# simulated cycles are printed); a board that never answers and a port that
# does not exist fail plainly, within a bounded time.
set -u
BUILD=${1:-${BUILD:-build}}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
suite_needs flash-sim "$BUILD/bin/nanoos" "$BUILD/tests/tools/avr_board" \
	"$BUILD/tests/avr/blink_banner.hex"
B=$(realpath "$BUILD")
BOOT_HEX=/usr/share/arduino/hardware/arduino/avr/bootloaders/stk500v2/stk500boot_v2_mega2560.hex
for need in avrdude avr-objcopy; do
	if ! command -v $need >/dev/null; then
		echo "flash-sim: $need is missing: apt-get install avrdude binutils-avr"
		echo "SUITE flash-sim: 0 passed, 1 failed"
		exit 1
	fi
done
if [ ! -f "$BOOT_HEX" ]; then
	echo "flash-sim: $BOOT_HEX is missing: apt-get install arduino-core-avr"
	echo "SUITE flash-sim: 0 passed, 1 failed"
	exit 1
fi

# The firmware to flash, what it prints first and its prompt; FW_INPUT is
# typed on the pty and FW_REPLY must come back (empty: not checked), after
# which the firmware is expected to halt (FW_HALTS=1) or is stopped;
# FW_BOARD: what the board needs for it (NanoOs: the 32 KiB XMEM SRAM of
# firmware/config.h). The SD card slot stays empty: NanoOs says so and
# still gives its prompt.
if [ -f "$B/firmware/nanoos-atmega2560.hex" ]; then
	FW_HEX=$B/firmware/nanoos-atmega2560.hex
	FW_BANNER='^NanoOs '
	FW_PROMPT='^nanoos> '
	FW_INPUT=$'halt\r'
	FW_REPLY='^nanoos: halt'
	FW_HALTS=1
	FW_BOARD=(--xmem 32768)
else
	FW_HEX=$B/tests/avr/blink_banner.hex
	FW_BANNER='^flashed firmware: hello'
	FW_PROMPT='^> '
	FW_INPUT='abc q'
	FW_REPLY='^> abc q'
	FW_HALTS=1
	FW_BOARD=()
fi
N=$B/bin/nanoos
BOARD=$B/tests/tools/avr_board
suite_tmpdir

run() { "$@" >out 2>err </dev/null; st=$?; }

# wait_for FILE ERE SECONDS [FROM]: a line of FILE (from byte FROM on, CRs
# dropped) matches in time.
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		tail -c +"${4:-1}" "$1" 2>/dev/null | tr -d '\r' | grep -aqE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

# board_start NAME [avr_board options]: a board with NAME.{pty,log,flash,err};
# sets PTY and BOARD_PID.
board_start() {
	local name=$1 i
	shift
	"$BOARD" --pty-link "$name.pty" --log "$name.log" --flash-out "$name.flash" \
		--timeout 120 "$@" >"$name.out" 2>"$name.err" &
	BOARD_PID=$!
	for ((i = 0; i < 50; i++)); do
		[ -s "$name.pty" ] && break
		sleep 0.1
	done
	PTY=$(cat "$name.pty" 2>/dev/null)
}

# board_stop: SIGTERM unless it has ended; its exit status in board_st.
board_stop() {
	kill -TERM "$BOARD_PID" 2>/dev/null
	wait "$BOARD_PID"
	board_st=$?
}

# app_output NAME: the byte of NAME.log where the application's output
# starts, once the board has reported the bootloader's hand-over after a
# session with avrdude (empty if it did not within 10 s).
HANDOVER='bootloader -> application after [0-9]+ cycles .*; [1-9][0-9]* bytes received'
app_output() {
	wait_for "$1.err" "$HANDOVER" 10 &&
		sed -nE 's/.* [1-9][0-9]* bytes received.*its output from byte ([0-9]+)$/\1/p' "$1.err" |
		tail -1
}

# same_flash NAME HEX: the board's flash dump holds exactly HEX's bytes.
same_flash() {
	avr-objcopy --gap-fill 0xff -I ihex -O binary "$2" "$1.want" &&
		cmp -n "$(stat -c %s "$1.want")" "$1.want" "$1.flash" >"$1.cmp" 2>&1
}

avr-objcopy -I ihex -O binary "$BOOT_HEX" boot.bin

# ---------------------------------------------------------------- the firmware
board_start fw "${FW_BOARD[@]}"
[ -n "$PTY" ] && [ -c "$PTY" ] && grep -q "^avr_board: pty $PTY\$" fw.out &&
	ok "the board makes a pty, prints it and writes it to --pty-link" ||
	bad "the board makes a pty" "$(cat fw.out fw.err)"
run timeout 120 "$N" flash --port "$PTY" --hex "$FW_HEX"
expect_err "nanoos flash writes $(basename "$FW_HEX") through the bootloader" 0 \
	"^avrdude: [0-9]+ bytes of flash written"
grep -qE "^avrdude: [0-9]+ bytes of flash verified" err && grep -q "done; the board restarts" err &&
	ok "avrdude's verify pass agrees, nanoos flash says it is done" ||
	bad "avrdude's verify pass" "$(cat err)"
from=$(app_output fw)
[ -n "$from" ] && ok "the board reports the bootloader's hand-over with its cycle count" ||
	bad "the hand-over report" "$(cat fw.err)"
wait_for fw.log "$FW_BANNER" 10 "${from:-1}" &&
	ok "the bootloader starts the flashed firmware: its banner follows avrdude's session" ||
	bad "the flashed firmware's banner in the board's log" "$(tr -d '\r' < fw.log | tail -c 400)"

# Opening the port again resets the board; the bootloader waits, hears
# nothing and starts the firmware, whose output now reaches the pty.
exec 3<>"$PTY"
cat <&3 >tty.out 2>/dev/null &
CAT_PID=$!
wait_for tty.out "$FW_BANNER" 10 && ok "the firmware's banner reaches the pty" ||
	bad "the banner on the pty" "$(cat tty.out fw.err)"
[ "$(grep -c 'port opened: reset into the bootloader' fw.err)" = 2 ] &&
	ok "opening the port reset the board, as avrdude's opening did (auto-reset)" ||
	bad "one auto-reset for avrdude, one for the reopened port" "$(cat fw.err)"
wait_for tty.out "$FW_PROMPT" 5 && ok "the prompt reaches the pty" ||
	bad "the prompt on the pty" "$(cat tty.out)"
if [ -n "$FW_INPUT" ]; then
	printf '%s' "$FW_INPUT" >&3
	wait_for tty.out "$FW_REPLY" 5 && ok "what is typed on the pty reaches the firmware" ||
		bad "typing on the pty" "$(cat tty.out)"
fi
if [ "$FW_HALTS" = 1 ]; then
	for ((i = 0; i < 50; i++)); do kill -0 "$BOARD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$BOARD_PID" 2>/dev/null && bad "the firmware halts after its last input" \
		"$(cat fw.err)" || ok "the firmware halts after its last input (cli; sleep)"
fi
board_stop
exec 3>&-
kill "$CAT_PID" 2>/dev/null
wait "$CAT_PID" 2>/dev/null
[ "$board_st" = 0 ] && ok "the board ends cleanly (exit 0)" || bad "the board's exit ($board_st)" "$(cat fw.err)"
same_flash fw "$FW_HEX" && ok "the flash holds exactly the hex" || bad "the flash contents" "$(cat fw.cmp)"
cmp -n "$(stat -c %s boot.bin)" -i $((0x3E000)):0 fw.flash boot.bin >/dev/null &&
	ok "the bootloader is intact" || bad "the bootloader section changed"

# ---------------------------------------------------------------- 60 KiB
# The test firmware followed by filler up to 60 KiB. The filler must start
# on the page after the program's: the stk500v2 bootloader erases pages in
# the order it is sent them, counting from 0, so a gap would leave pages
# written and later erased (the same on a real Mega).
avr-objcopy -I ihex -O binary "$B/tests/avr/blink_banner.hex" small.bin
start=$(( ($(stat -c %s small.bin) + 255) / 256 * 256 ))
seq 1 99999 | head -c $((60 * 1024 - start)) > filler.bin
avr-objcopy -I binary -O ihex --change-addresses $start filler.bin filler.hex
{ grep -v '^:00000001FF' "$B/tests/avr/blink_banner.hex"; cat filler.hex; } > big.hex
board_start big
t0=$(date +%s.%N)
run timeout 120 "$N" flash --port "$PTY" --hex big.hex
t1=$(date +%s.%N)
expect_err "a 60 KiB image is written and verified" 0 "^avrdude: 6[0-9]{4} bytes of flash verified"
from=$(app_output big)
wait_for big.log "^flashed firmware: hello" 10 "${from:-1}" && [ -n "$from" ] &&
	ok "the 60 KiB image starts" || bad "the 60 KiB image starts" "$(cat big.err)"
board_stop
same_flash big big.hex && ok "the flash holds exactly the 60 KiB image" ||
	bad "the 60 KiB image in flash" "$(cat big.cmp)"
cycles=$(sed -nE 's/.*[1-9][0-9]* bytes received, ([0-9]+) cycles .*/\1/p' big.err | tail -1)
awk -v t0="$t0" -v t1="$t1" -v c="${cycles:-0}" 'BEGIN {
	printf "flash-sim: 60 KiB flash: %.2f s wall for nanoos flash; %d cycles (%.2f s at 16 MHz) " \
	       "from avrdude'"'"'s first byte to the application\n", t1 - t0, c, c / 16e6 }'

# ---------------------------------------------------------------- failures
# A board whose bootloader never answers (rjmp . at the boot address).
printf '\xff\xcf' > dead.bin
avr-objcopy -I binary -O ihex --change-addresses 0x3E000 dead.bin dead.hex
board_start dead --boot dead.hex
t0=$(date +%s)
run timeout 90 "$N" flash --port "$PTY" --hex "$FW_HEX"
t1=$(date +%s)
board_stop
expect_err "a board that never answers: exit 1, avrdude's error shown" 1 \
	"^avrdude error: timeout communicating with programmer"
grep -q "$PTY: avrdude failed" err && [ $((t1 - t0)) -lt 60 ] &&
	ok "... and nanoos flash names the port, within $((t1 - t0)) s" ||
	bad "a board that never answers: the port named, in under 60 s ($((t1 - t0)) s)" "$(cat err)"

# The board's own errors: a missing bootloader, a damaged hex.
run "$BOARD" --boot nope.hex
expect_err "avr_board: a missing hex file is named (exit 1)" 1 "nope.hex: cannot read the bootloader"
sed '2s/.$/0/' "$B/tests/avr/blink_banner.hex" > damaged.hex
cmp -s damaged.hex "$B/tests/avr/blink_banner.hex" && sed -i '2s/.$/1/' damaged.hex
run "$BOARD" --app damaged.hex
expect_err "avr_board: a bad checksum is found, with its line (exit 1)" 1 \
	"damaged.hex:2: not an Intel hex record"

# A port that does not exist. (avrdude 7.1's wiring programmer goes on
# after it fails to open the port and reads stdin for ever: nanoos flash
# must see to it first.)
run timeout 20 "$N" flash --port /dev/pts/no-such-port --hex "$FW_HEX"
expect_err "a port that does not exist: exit 1 within 20 s, the port named" 1 \
	"/dev/pts/no-such-port"

suite_end
