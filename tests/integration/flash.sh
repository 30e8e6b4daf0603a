#!/bin/bash
# `nanoos flash` (cli/flash_cmd.c): the exact avrdude command for each board
# (--dry-run), the options that change it, finding the firmware, and its
# errors; then a real run against a stand-in avrdude on PATH that records
# its arguments and fails or succeeds on request, so the exit status and
# the messages around avrdude's own output are checked too.
set -u
BUILD=${1:-${BUILD:-build}}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
suite_needs flash "$BUILD/bin/nanoos"
N=$(realpath "$BUILD/bin/nanoos")
suite_tmpdir

run() { "$@" >out 2>err; st=$?; }
mkdir -p fw bin
echo ":00000001FF" > fw/nanoos-atmega2560.hex
export NANOOS_FIRMWARE_DIR=$T/fw

# ---------------------------------------------------------------- the command
run "$N" flash --dry-run --port /dev/ttyACM3
expect "atmega2560: the Mega 2560 bootloader's command" 0 \
	"^avrdude -p atmega2560 -c wiring -P /dev/ttyACM3 -b 115200 -D -U flash:w:$T/fw/nanoos-atmega2560.hex:i\$"
run "$N" flash --mcu atmega2560 --programmer stk500v2 --baud 57600 --port /dev/ttyUSB0 --dry-run
expect "--programmer and --baud" 0 "^avrdude -p atmega2560 -c stk500v2 -P /dev/ttyUSB0 -b 57600 -D -U "
cp fw/nanoos-atmega2560.hex "my fw.hex"
run "$N" flash --hex "my fw.hex" --port /dev/ttyACM0 --dry-run
expect "--hex, a name with a space is quoted" 0 "-U 'flash:w:$T/my fw.hex:i'\$"

# ---------------------------------------------------------------- errors
run "$N" flash --mcu atmega4809 --dry-run --port /dev/ttyACM0
expect_err "an MCU with no firmware: exit 2, says where the list is" 2 "atmega4809: .*flash --help"
run "$N" flash --baud fast --dry-run --port /dev/ttyACM0
expect_err "a bad speed" 2 "fast: not a speed"
run env NANOOS_FIRMWARE_DIR="$T/none" "$N" flash --dry-run --port /dev/ttyACM0
expect_err "no firmware: says where it looked and to build it" 1 "no firmware for atmega2560 in $T/none.*make firmware"
run "$N" flash --hex nope.hex --dry-run --port /dev/ttyACM0
expect_err "a missing --hex file" 1 "nope.hex: no such firmware file"
mkdir -p "a:b" && cp fw/nanoos-atmega2560.hex "a:b/x.hex"
run "$N" flash --hex "a:b/x.hex" --dry-run --port /dev/ttyACM0
expect_err "a ':' in the path, which avrdude cannot take" 1 "cannot take a file name with a ':'"
if ! ls /dev/ttyACM* /dev/ttyUSB* >/dev/null 2>&1; then
	run "$N" flash --dry-run
	expect_err "no board plugged in: says to use --port" 1 "no board is plugged in.*--port"
fi
run "$N" flash extra
expect_err "a stray argument" 2 "extra: unexpected argument"
run "$N" flash --help
expect "--help lists the boards" 0 "atmega2560 +Arduino Mega 2560"

# ---------------------------------------------------------------- running avrdude
cat > bin/avrdude <<'EOS'
#!/bin/bash
printf '%s\n' "$@" > "$AVRDUDE_ARGS"
echo "avrdude: stand-in writing flash" >&2
exit "${AVRDUDE_EXIT:-0}"
EOS
chmod +x bin/avrdude
export AVRDUDE_ARGS=$T/args
# A stand-in port: nanoos flash checks the port is there before avrdude runs.
touch ttyACM5
run env PATH="$T/bin:$PATH" "$N" flash --port $T/ttyACM5
expect_err "avrdude runs, its output passes through" 0 "^avrdude: stand-in writing flash"
grep -q "done; the board restarts" err && ok "says it is done" || bad "says it is done" "$(cat err)"
[ "$(tr '\n' ' ' < args)" = "-p atmega2560 -c wiring -P $T/ttyACM5 -b 115200 -D -U flash:w:$T/fw/nanoos-atmega2560.hex:i " ] &&
	ok "avrdude got exactly the dry-run's arguments" || bad "avrdude's arguments" "$(cat args)"
run env PATH="$T/bin:$PATH" AVRDUDE_EXIT=1 "$N" flash --port $T/ttyACM5
expect_err "avrdude fails: exit 1, names the port and what to check" 1 \
	"$T/ttyACM5: avrdude failed \(exit 1.*no serial monitor holds it"
rm -f args
run env PATH="$T/bin:$PATH" "$N" flash --port /dev/nanoos-no-such-port
expect_err "a port that is not there: said before avrdude runs" 1 "/dev/nanoos-no-such-port: no such port"
mkdir portdir
run env PATH="$T/bin:$PATH" timeout 20 "$N" flash --port "$T/portdir"
expect_err "a directory as the port: said before avrdude runs (it would spin)" 1 \
	"portdir: a directory, not a serial port"
[ ! -e args ] && ok "... and avrdude did not run" || bad "avrdude ran for a missing port" "$(cat args)"
run env PATH="$T/none" "$N" flash --port $T/ttyACM5
expect_err "no avrdude: install the avrdude package" 1 "avrdude: not installed; install the avrdude package"

suite_end
