#!/bin/bash
# The NanoOs firmware (make firmware) booted in simavr: tests/avr/avr_harness
# runs build/firmware/nanoos-atmega2560.elf with 32 KiB of XMEM SRAM and an
# SPI SD card backed by an image from `nanoos sdimage create --rootfs`.
# Through the console: boot to the prompt; run /bin/hello and /bin/echo
# from the card (built and copied on Linux); write a file on the board and
# read it on Linux (sdimage cat, fsck); a guest that faults, and the prompt
# coming back; a file that is no ELF; a missing program; then no card and
# a card whose volume does not mount, which must say so, not hang.
set -u
B=$(realpath "${1:-${BUILD:-build}}")      # the build dir: $1, $BUILD (run-tests.sh) or build
. "$(dirname "$0")/lib.sh"
H=$B/tests/tools/avr_harness
FW=$B/firmware/nanoos-atmega2560.elf
N=$B/bin/nanoos
suite_needs firmware "$H" "$FW" "$N" "$B/rootfs/bin/hello" "$B/tests/avr/fault.elf" \
	"$B/tests/avr/fib15.elf" "$B/tests/avr/edge.elf"
suite_tmpdir

board() {       # board [--sd IMG] < commands: out (the console), err, st
	"$H" --xmem 32768 --prompt 'nanoos> ' --timeout 240 "$@" "$FW" >out 2>err
	st=$?
	tr -d '\r' <out >out.txt && mv out.txt out
}
has() {         # has NAME REGEX: a line of the console matches
	if grep -qE -- "$2" out; then ok "$1"; else bad "$1" "$(cat out err | tail -30)"; fi
}
hasnt() {
	if grep -qE -- "$2" out; then bad "$1" "$(grep -E -- "$2" out)"; else ok "$1"; fi
}

# A card made on Linux, with the userland and two test programs on it.
"$N" sdimage create card.img --size 64M --rootfs "$B/rootfs" >/dev/null 2>err ||
	bad "sdimage create" "$(cat err)"
"$N" sdimage put card.img "$B/tests/avr/fault.elf" /bin/fault >/dev/null 2>err &&
"$N" sdimage put card.img "$B/tests/avr/fib15.elf" /bin/fib15 >/dev/null 2>&1 &&
"$N" sdimage put card.img "$B/tests/avr/edge.elf" /bin/edge >/dev/null 2>&1 &&
printf 'plain text, not a program\n' >notelf && "$N" sdimage put card.img notelf /bin/notelf \
	>/dev/null 2>&1 || bad "sdimage put" "$(cat err)"

board --sd card.img <<'EOF'
hello
/bin/echo a b c
echo written on the board > /board.txt
cat /board.txt
fault
hello
notelf
nothere
time fib15
mem
halt
EOF
expect "the board halts when asked" 0 ""
has "the banner names the board" '^NanoOs [0-9.]+ on Arduino Mega 2560'
has "the card is found over SPI" '^sd: SDHC card, 64 MiB'
has "the volume mounts" '^fs: volume mounted'
has "boot reports its time" '^nanoos: ready in [0-9]+ ms'
has "the prompt comes" '^nanoos> '
has "/bin/hello from the card prints its greeting" '^Hello from NanoOs!$'
has "/bin/echo a b c prints its arguments" '^a b c$'
has "the board's cat reads the file it wrote" '^written on the board$'
has "a faulting guest is named, with the fault" \
	'^/bin/fault: segmentation fault \(store fault at 0x7ffffff0\), pc 0x'
has "it ran up to the fault" '^about to fault$'
hasnt "nothing ran after the fault" 'still here'
has "the shell says how it ended" '^fault: killed by signal 11'
if [ "$(grep -c '^Hello from NanoOs!$' out)" = 2 ]; then
	ok "after the fault the prompt comes back and runs hello again"
else
	bad "after the fault the prompt comes back and runs hello again" "$(tail -30 out)"
fi
has "a file that is no ELF is refused with the reason" '^/bin/notelf: not an ELF file'
has "a missing program is named" '^/bin/nothere: no such file or directory'
has "fib(15) prints its result" '^fib: 0x00000262$'
has "time reports instructions and time" '^[0-9]+ instructions in [0-9]+ ms: [0-9]+ per second'
has "mem reports every process's stack" '^  stack fs: [0-9]+ of [0-9]+$'
has "the board stops cleanly" '^nanoos: halted'
expect_err "the harness reports simulated cycles" 0 '^avr_harness: [0-9]+ cycles'
"$N" sdimage cat card.img /board.txt >cat.out 2>&1
if [ "$(cat cat.out)" = "written on the board" ]; then ok "Linux reads the file the board wrote"
else bad "Linux reads the file the board wrote" "$(cat cat.out)"; fi
if "$N" sdimage fsck card.img >fsck1.out 2>&1; then ok "the card is clean after halt (nanoos fsck)"
else bad "the card is clean after halt (nanoos fsck)" "$(cat fsck1.out)"; fi
fsck_step card.img "the board's session"
grep -E '^[0-9]+ instructions in' out | head -1 | sed 's/^/firmware: fib(15): /'
grep -E '^nanoos: ready in' out | sed 's/^/firmware: /'

# Edge cases: memory from brk (zeros after a shrink and a regrowth, and a
# C library's malloc: sort); a write 4 GiB past the end (no room: ENOSPC at
# once); a program that leaves the terminal raw (set back at its end); a
# line of too many words; ^D at the prompt.
printf 'edge brk\nsort /etc/passwd\nedge gap\nedge raw\nhello\necho 1 2 3 4 5 6 7 8 9 10\n\004ls /\nhalt\n' |
	board --sd card.img
expect "after the edge cases the board still halts when asked" 0 ""
has "brk grows the break by 64 KiB" '^grown: 0x00010000$'
has "memory given back and taken again reads as zeros" '^nonzero: 0x00000000$'
has "a program that uses malloc runs (sort)" '^root:x:0:0:'
has "a write far past the end fails at once with ENOSPC" '^write: 0xffffffe4$'
has "the raw program ran" '^raw: 0x00000001$'
has "after it the terminal echoes and reads lines again" '^nanoos> hello$'
has "a line of too many words is refused, with the limit" '^nanoos: too many words'
has "^D at the prompt does not stop the board: ls runs after it" '^bin/$'
"$N" sdimage ls card.img / >ls0.out 2>&1
if grep -q "far" ls0.out && "$N" sdimage fsck card.img >fsck0.out 2>&1; then
	ok "the card is clean after the refused write (the file exists, empty)"
else bad "the card is clean after the refused write" "$(cat ls0.out fsck0.out)"; fi

# A line of 99 characters is one command, not two; a ^C at the prompt
# with nothing running is only echoed.
long="echo $(printf 'A%.0s' $(seq 90)) ls /"
printf '%s\n\003halt\n' "$long" | board --sd card.img
expect "after a long line and a ^C at the prompt the board halts when asked" 0 ""
has "a 99-character line is one command" "^$(printf 'A%.0s' $(seq 90)) ls /\$"
hasnt "its tail does not run as a command of its own" '^bin/$'

# A program that never ends: ^C (one simulated second after the line)
# ends it and the prompt comes back; the card stays clean.
printf 'yes\n\003hello\nhalt\n' | board --sd card.img
expect "after ^C the board still halts when asked" 0 ""
has "^C ends a program that never returns" '^yes: interrupted'
has "and the prompt runs the next one" '^Hello from NanoOs!$'
if "$N" sdimage fsck card.img >fsck2.out 2>&1; then ok "the card is clean after ^C and halt"
else bad "the card is clean after ^C and halt" "$(cat fsck2.out)"; fi

# A full card: no room for the swap file. The program says so, the space
# comes back, and a file can still be written.
"$N" sdimage create full.img --size 16M --rootfs "$B/rootfs" >/dev/null 2>&1
free_kib=$("$N" sdimage df full.img | awk 'NR == 2 { v = $4; m = v ~ /M$/ ? 1024 : 1;
	sub(/[KM]$/, "", v); print int(v * m) }')
head -c $(( (free_kib - 64) * 1024 )) /dev/zero >big
"$N" sdimage put full.img big /big >/dev/null 2>err || bad "fill the card" "$(cat err)"
printf 'hello\necho still room > /small.txt\ncat /small.txt\nhalt\n' | board --sd full.img
expect "with a full card the board still halts when asked" 0 ""
has "a full card is named as the reason" \
	'^/bin/hello: cannot make the swap file /swap: no space left on device'
has "the space comes back: a small file is written" '^still room$'
"$N" sdimage ls full.img / >ls.out 2>&1
if grep -q swap ls.out; then bad "no half-made swap file is left" "$(cat ls.out)"
else ok "no half-made swap file is left"; fi
if "$N" sdimage fsck full.img >fsck3.out 2>&1; then ok "the full card is clean after halt"
else bad "the full card is clean after halt" "$(cat fsck3.out)"; fi

# No card: MISO stays high. The board says so and the shell still answers.
board <<'EOF'
hello
ls
halt
EOF
expect "with no card the board still halts when asked" 0 ""
has "no card is reported with what to do" '^sd: no card.*insert a card'
has "a program cannot run without a volume, and says why" '^hello: no volume: no card'
has "ls says why too" '^ls: no volume'

# A card whose volume does not mount: its boot sector is wiped.
cp card.img bad.img
dd if=/dev/zero of=bad.img bs=512 seek=2048 count=1 conv=notrunc status=none
board --sd bad.img <<'EOF'
hello
halt
EOF
expect "with a damaged volume the board still halts when asked" 0 ""
has "the damaged volume is reported, with the fix" \
	"^fs: the card's volume does not mount: .*format it with .nanoos sdimage create"
has "programs say there is no volume" '^hello: no volume'

suite_end
