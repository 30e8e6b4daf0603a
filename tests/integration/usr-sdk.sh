#!/bin/bash
# The guest SDK and the first userland, on the reference RV32 machine
# (qemu-riscv32, the Linux RV32 system-call ABI NanoOs implements):
# nanoos-cc builds a fresh program (default rv32i and -march=rv32im), the
# ELF has the layout NanoOs loads (ELF32 RISC-V EXEC, static, one R-X and one
# RW PT_LOAD, entry in the text), every program of the rootfs runs with the
# output and exit status coreutils would give, the shell runs pipelines,
# lists, redirections and scripts, and every t-* TAP test passes. Under qemu,
# execve runs host programs (it hands them to Linux) but not RV32 ones: the
# t-* tests skip that one check, and shell pipelines that run a program run
# the host's (cat, wc ...), which still tests the shell's pipes and exec.
set -u
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CC="$BUILD/bin/nanoos-cc"
BIN="$BUILD/rootfs/bin"
TESTS="$BUILD/usr/tests"

passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok:     $1"; }
bad() { failed=$((failed + 1)); echo "FAILED: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/        /'; }
finish() { echo "SUITE usr-sdk: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

for need in qemu-riscv32 readelf riscv64-unknown-elf-objdump; do
	if ! command -v "$need" >/dev/null; then
		bad "$need is missing: run packaging/install-deps.sh"
		finish
	fi
done
if [ ! -x "$CC" ] || [ ! -x "$BIN/sh" ] || [ ! -x "$TESTS/t-files" ]; then
	bad "$CC, $BIN or $TESTS is missing: run 'make rootfs usr-tests' first"
	finish
fi
CC=$(realpath "$CC"); BIN=$(realpath "$BIN"); TESTS=$(realpath "$TESTS")

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1

# run PROG [ARGS...]: an RV32 program under qemu; stdout in ./out, stderr in
# ./err, exit status in $rc. (stdin is the caller's.)
run() { timeout 60 qemu-riscv32 "$@" >out 2>err; rc=$?; }
# expect NAME WANT_STATUS WANT_STDOUT: judge the last run
expect() {
	if [ "$rc" -eq "$2" ] && [ "$(cat out)" = "$3" ]; then ok "$1"; else
		bad "$1" "exit $rc (want $2); stdout: $(head -c 400 out); stderr: $(head -c 400 err)"; fi
}
# expect_err NAME WANT_STATUS WANT_STDERR
expect_err() {
	if [ "$rc" -eq "$2" ] && [ "$(cat err)" = "$3" ]; then ok "$1"; else
		bad "$1" "exit $rc (want $2); stderr: $(head -c 400 err) (want: $3)"; fi
}

# ---------------------------------------------------------------- nanoos-cc
cat >prog.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int square(volatile int x) { return x * x; }
int main(int argc, char **argv)
{
	char *copy = malloc(64);
	snprintf(copy, 64, "%s|%d", argc > 1 ? argv[1] : "none", square(argc + 5));
	printf("%s %s\n", copy, getenv("PROG_ENV") ? getenv("PROG_ENV") : "-");
	free(copy);
	return argc + 40;
}
C
if "$CC" -O2 -Wall -Werror -o prog prog.c 2>err; then ok "nanoos-cc -o prog prog.c"; else bad "nanoos-cc -o prog prog.c" "$(cat err)"; fi
PROG_ENV=yes run ./prog abc
expect "the fresh program runs: argv, environ, malloc, stdio, exit status" 42 "abc|49 yes"
if "$CC" -O2 -march=rv32im -o prog-m prog.c 2>err; then ok "nanoos-cc -march=rv32im"; else bad "nanoos-cc -march=rv32im" "$(cat err)"; fi
run ./prog-m x
expect "the rv32im build runs" 42 "x|49 -"
if riscv64-unknown-elf-objdump -d prog-m | grep -qE '\smul\s' &&
   ! riscv64-unknown-elf-objdump -d prog | grep -qE '\smul\s' &&
   riscv64-unknown-elf-objdump -d prog | grep -q '__mulsi3'; then
	ok "rv32im uses mul; the default rv32i calls libgcc's __mulsi3"
else bad "rv32im uses mul; the default rv32i calls libgcc's __mulsi3"; fi
if "$CC" -c prog.c -o prog.o 2>err && readelf -h prog.o | grep -q 'REL (Relocatable'; then
	ok "nanoos-cc -c makes an object"; else bad "nanoos-cc -c makes an object" "$(cat err)"; fi

elf_checks() {  # elf_checks FILE
	local f=$1 h l loads
	h=$(readelf -h "$f"); l=$(readelf -lW "$f")
	grep -q 'Class:.*ELF32' <<<"$h" && grep -q 'Machine:.*RISC-V' <<<"$h" &&
		grep -q 'Type:.*EXEC' <<<"$h" || { echo "not an ELF32 RISC-V EXEC"; return 1; }
	grep -qE 'INTERP|DYNAMIC' <<<"$l" && { echo "not static"; return 1; }
	loads=$(grep -E '^\s*LOAD' <<<"$l")
	[ "$(wc -l <<<"$loads")" -eq 2 ] || { echo "not two PT_LOAD: $loads"; return 1; }
	# LOAD Offset VirtAddr PhysAddr FileSiz MemSiz Flg Align
	awk 'NR == 1 { if (!($3 == $4 && $3 == "0x00010000" && $7 == "R" && $8 == "E")) exit 1 }
	     NR == 2 { if (!($3 == $4 && $7 == "RW")) exit 1 }' <<<"$loads" ||
		{ echo "segments are not R-X at 0x10000 then RW, LMA = VMA: $loads"; return 1; }
	local entry start size
	entry=$(( $(grep 'Entry point' <<<"$h" | awk '{ print $4 }') ))
	start=$(( $(awk 'NR == 1 { print $3 }' <<<"$loads") ))
	size=$(( $(awk 'NR == 1 { print $6 }' <<<"$loads") ))
	[ "$entry" -ge "$start" ] && [ "$entry" -lt $((start + size)) ] || { echo "entry outside the text"; return 1; }
	return 0
}
for f in prog prog-m "$BIN/sh" "$BIN/ls" "$TESTS/t-proc"; do
	if why=$(elf_checks "$f"); then ok "ELF layout of $(basename "$f"): ELF32 RISC-V EXEC, static, R-X at 0x10000 + RW, entry in text"
	else bad "ELF layout of $(basename "$f")" "$why"; fi
done

if "$CC" --version | grep -q 'nanoos-cc' && "$CC" --help | grep -q 'NanoOs'; then
	ok "nanoos-cc --version and --help say what it is"; else bad "nanoos-cc --version and --help"; fi
if ! "$CC" -mabi=ilp32d -o x prog.c 2>err && grep -q 'ilp32' err; then
	ok "nanoos-cc refuses a hard-float ABI"; else bad "nanoos-cc refuses a hard-float ABI" "$(cat err)"; fi
if ! NANOOS_CROSS_CC=riscv64-missing-gcc "$CC" -o x prog.c 2>err && grep -q 'gcc-riscv64-unknown-elf' err; then
	ok "nanoos-cc names the package when the cross compiler is missing"
else bad "nanoos-cc names the package when the cross compiler is missing" "$(cat err)"; fi
if ! make -s -C "$ROOT" --no-print-directory USR_CROSS_CC=riscv64-missing-gcc usr-toolchain-check >out 2>&1 &&
   grep -q 'packaging/install-deps.sh' out; then
	ok "the build stops with a message naming packaging/install-deps.sh"
else bad "the build stops with a message naming packaging/install-deps.sh" "$(cat out)"; fi

# ---------------------------------------------------------------- programs
run "$BIN/hello";               expect "hello" 0 "Hello from NanoOs!"
run "$BIN/echo" a b c;          expect "echo a b c" 0 "a b c"
run "$BIN/echo" -n a b;         expect "echo -n a b" 0 "a b"
[ "$(wc -c <out)" -eq 3 ] && ok "echo -n writes no newline" || bad "echo -n writes no newline"
run "$BIN/echo";                expect "echo with no arguments: an empty line" 0 ""
run "$BIN/true";                expect "true" 0 ""
run "$BIN/false";               expect "false" 1 ""

printf 'first line\nsecond line\n' >a.txt
printf 'b\n' >b.txt
run "$BIN/cat" a.txt;           expect "cat a file" 0 "$(cat a.txt)"
run "$BIN/cat" a.txt - b.txt <<<"from stdin"; expect "cat a file, stdin and a file" 0 "$(printf 'first line\nsecond line\nfrom stdin\nb')"
printf 'piped\n' | { run "$BIN/cat"; expect "cat of standard input" 0 "piped"; }
head -c 300000 /dev/urandom >big.bin
timeout 60 qemu-riscv32 "$BIN/cat" <big.bin >big.out 2>err
cmp -s big.bin big.out && ok "cat copies 300 KB of binary data exactly" || bad "cat copies 300 KB of binary data exactly"
run "$BIN/cat" missing;         expect_err "cat of a missing file" 1 "cat: missing: No such file or directory"
run "$BIN/cat" a.txt missing b.txt
if [ "$rc" -eq 1 ] && [ "$(cat out)" = "$(cat a.txt b.txt)" ] && grep -q '^cat: missing: No such file or directory$' err; then
	ok "cat goes on past a missing file and exits 1"; else bad "cat goes on past a missing file and exits 1"; fi
mkdir d; run "$BIN/cat" d;      expect_err "cat of a directory" 1 "cat: d: Is a directory"

mkdir -p lsdir/sub && printf '12345' >lsdir/five && : >lsdir/zero && : >lsdir/.hidden
run "$BIN/ls" lsdir;            expect "ls of a directory (sorted, no dot files)" 0 "$(printf 'five\nsub\nzero')"
run "$BIN/ls" -a lsdir;         expect "ls -a" 0 "$(printf '.\n..\n.hidden\nfive\nsub\nzero')"
run "$BIN/ls" -1 lsdir/five lsdir/sub; expect "ls of a file and a directory" 0 "$(printf 'lsdir/five\n\nlsdir/sub:')"
run "$BIN/ls" -l lsdir
if [ "$rc" -eq 0 ] && grep -qE '^total [0-9]+$' out &&
   grep -qE '^-rw-r--r-- +1 +[a-z0-9]+ +[a-z0-9]+ +5 [A-Z][a-z]{2} [ 0-9]{2} ([0-9]{2}:[0-9]{2}| [0-9]{4}) five$' out &&
   grep -qE '^drwx' out && [ "$(grep -c . out)" -eq 4 ]; then ok "ls -l: modes, links, owners, sizes, dates, names"
else bad "ls -l: modes, links, owners, sizes, dates, names" "$(cat out err)"; fi
run "$BIN/ls" lsdir nowhere
if [ "$rc" -eq 2 ] && grep -q "^ls: cannot access 'nowhere': No such file or directory$" err && grep -q '^lsdir:$' out; then
	ok "ls of a missing path: the error, the rest, exit 2"; else bad "ls of a missing path" "$(cat out err)"; fi

run "$BIN/uname";               expect "uname prints the system call's sysname" 0 "$(uname -s)"
run "$BIN/ls" -x;               [ "$rc" -eq 2 ] && grep -q "^ls: invalid option -- 'x'$" err && ok "ls -x: usage error, exit 2" || bad "ls -x: usage error, exit 2" "$(cat err)"
run "$BIN/uname" -s -r;         expect "uname -s -r" 0 "$(uname -s) $(uname -r)"
run "$BIN/uname" -m;            expect "uname -m (riscv32 under qemu)" 0 "riscv32"
run "$BIN/uname" -a;            expect "uname -a" 0 "$(uname -s) $(uname -n) $(uname -r) $(uname -v) riscv32"
run "$BIN/uname" -x;            [ "$rc" -eq 1 ] && grep -q "invalid option" err && ok "uname -x: usage error" || bad "uname -x: usage error"

run "$BIN/pwd";                 expect "pwd" 0 "$T"
run "$BIN/mkdir" -p m/n/o;      [ "$rc" -eq 0 ] && [ -d m/n/o ] && ok "mkdir -p" || bad "mkdir -p"
run "$BIN/mkdir" m;             expect_err "mkdir of an existing directory" 1 "mkdir: cannot create directory 'm': File exists"
run "$BIN/cp" a.txt m/n/;       cmp -s a.txt m/n/a.txt && ok "cp into a directory" || bad "cp into a directory"
run "$BIN/cp" -r m m2;          cmp -s a.txt m2/n/a.txt && [ -d m2/n/o ] && ok "cp -r" || bad "cp -r"
run "$BIN/mv" m2 m3;            [ ! -e m2 ] && cmp -s a.txt m3/n/a.txt && ok "mv a directory" || bad "mv a directory"
run "$BIN/rm" m3;               expect_err "rm of a directory without -r" 1 "rm: cannot remove 'm3': Is a directory"
run "$BIN/rm" -r m m3;          [ "$rc" -eq 0 ] && [ ! -e m ] && [ ! -e m3 ] && ok "rm -r" || bad "rm -r" "$(cat err)"
run "$BIN/rm" gone;             expect_err "rm of a missing file" 1 "rm: cannot remove 'gone': No such file or directory"
run "$BIN/rm" -f gone;          expect "rm -f of a missing file" 0 ""
run "$BIN/env" -i A=1 B=two;    expect "env -i NAME=VALUE" 0 "$(printf 'A=1\nB=two')"
start=$(date +%s%N); run "$BIN/sleep" 0.3; took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" -eq 0 ] && [ "$took" -ge 300 ] && ok "sleep 0.3 (${took} ms)" || bad "sleep 0.3 (${took} ms)"
seq 1 25 >n.txt
run "$BIN/wc" n.txt;            expect "wc" 0 "25 25 66 n.txt"
run "$BIN/wc" -l <n.txt;        expect "wc -l of stdin" 0 "25"
run "$BIN/head" -n 3 n.txt;     expect "head -n 3" 0 "$(seq 1 3)"
run "$BIN/head" n.txt;          expect "head (10 lines)" 0 "$(seq 1 10)"
{ timeout 20 qemu-riscv32 "$BIN/head" -n 2 >/dev/null; timeout 20 qemu-riscv32 "$BIN/head" -n 1; } <n.txt >out
[ "$(cat out)" = "3" ] && ok "head leaves a shared file offset after the lines it printed" || bad "head leaves a shared offset" "$(cat out)"
{   # (bash reports the victim's death on stderr: not ours to show)
	sleep 30 & victim=$!
	run "$BIN/kill" -9 "$victim"; wait "$victim"; st=$?
} 2>/dev/null
[ "$rc" -eq 0 ] && [ "$st" -eq 137 ] && ok "kill -9 PID" || bad "kill -9 PID (exit $rc, victim $st)"
run "$BIN/kill" 999999;         expect_err "kill of a missing pid" 1 "kill: (999999): No such process"

# ---------------------------------------------------------------- the shell
sh_c() { run "$BIN/sh" -c "$@"; }
sh_c 'echo hello; echo "a  b" '\''c $d'\'' x\ y';  expect "sh: quoting" 0 "$(printf 'hello\na  b c $d x y')"
sh_c 'v=5; echo "v=$v" ${v}x; export W=w; echo $W';   expect "sh: variables" 0 "$(printf 'v=5 5x\nw')"
sh_c 'false || echo or; true && echo and; false && echo no; echo $?'; expect "sh: && || and \$?" 0 "$(printf 'or\nand\n1')"
sh_c 'echo x | read y; echo $?; true | read z; echo $?'; expect "sh: a pipe between builtins (read sees the data, then EOF)" 0 "$(printf '0\n1')"
sh_c 'echo one two | cat; echo three | cat | cat'; expect "sh: pipelines through a program (host cat under qemu)" 0 "$(printf 'one two\nthree')"
sh_c 'echo out >f; echo more >>f; cat <f; cat f missing 2>e; echo "st=$?"; cat e'
expect "sh: < > >> 2> and a program's status" 0 "$(printf 'out\nmore\nout\nmore\nst=1\ncat: missing: No such file or directory')"
sh_c 'echo to-stderr 1>&2' ;    expect_err "sh: 1>&2" 0 "to-stderr"
sh_c 'cd lsdir; pwd; cd sub; pwd; cd; echo $?'; expect "sh: cd" 0 "$(printf '%s\n%s\n0' "$T/lsdir" "$T/lsdir/sub")"
sh_c 'exit 7';                  expect "sh: exit N" 7 ""
sh_c 'false';                   expect "sh: the last command's status" 1 ""
sh_c 'no-such-command-here';    expect_err "sh: command not found" 127 "sh: no-such-command-here: not found"
sh_c 'echo a | | b';            [ "$rc" -eq 2 ] && grep -q 'syntax error' err && ok "sh: a syntax error exits 2" || bad "sh: a syntax error exits 2"
sh_c 'echo "$0 $1 $2 $#"' name p1 p2; expect "sh -c: \$0 and the arguments" 0 "name p1 p2 2"
printf 'echo script\nx=1\necho "x=$x $1"\nexit 4\necho never\n' >script.sh
run "$BIN/sh" script.sh arg;    expect "sh FILE ARG" 4 "$(printf 'script\nx=1 arg')"
printf 'echo line1\nread w\nthe line read\necho "w=$w"\n' | { run "$BIN/sh"; expect "sh reading commands from stdin (read takes the next line)" 0 "$(printf 'line1\nw=the line read')"; }

# ---------------------------------------------------------------- t-* tests
run_tap() {  # run_tap NAME COMMAND...
	local name=$1; shift
	timeout 120 "$@" >out 2>err; rc=$?
	local nots skips oks
	nots=$(grep -c '^not ok' out); skips=$(grep -c '^ok .*# SKIP' out); oks=$(grep -c '^ok' out)
	if [ "$rc" -eq 0 ] && [ "$nots" -eq 0 ] && grep -qE '^1\.\.[1-9]' out; then
		ok "$name: $((oks - skips)) passed, $skips skipped"
	else
		bad "$name (exit $rc)" "$(grep -E '^not ok|^#' out; cat err)"
	fi
}
mkdir tfiles
for t in "$TESTS"/t-*; do
	name=$(basename "$t")
	case "$name" in
	t-files) run_tap "$name" qemu-riscv32 "$t" "$T/tfiles" ;;
	t-ids) NANOOS_TEST_ENV=present run_tap "$name" qemu-riscv32 "$t" ;;
	*) run_tap "$name" qemu-riscv32 "$t" </dev/null ;;
	esac
done
if command -v script >/dev/null; then
	run_tap "t-tty on a terminal (script(1) gives it a pty)" script -qec "qemu-riscv32 $TESTS/t-tty" /dev/null
	tr -d '\r' <out >out2 && mv out2 out
	grep -q 'tcsetattr turns off ICANON' out || bad "t-tty on a terminal ran the terminal checks"
fi

finish
