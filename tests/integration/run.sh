#!/bin/bash
# `nanoos run` end to end: programs from the volume and from the host,
# stdin/stdout/exit statuses passed through, faults and bad programs with
# their messages, signals from the host (^C, SIGTERM) reaching a running or
# a blocked guest, the syscall test programs, and the volume staying
# consistent (fsck.fat -n) after guests wrote to it. Each check counts.
set -u
BUILD=${BUILD:-build}
N=$(realpath "$BUILD/bin/nanoos" 2>/dev/null)
CC=$(realpath "$BUILD/bin/nanoos-cc" 2>/dev/null)
ROOTFS=$(realpath "$BUILD/rootfs" 2>/dev/null)
TESTS=$(realpath "$BUILD/usr/tests" 2>/dev/null)
export MTOOLS_SKIP_CHECK=1

. "$(dirname "$0")/lib.sh"
suite_needs run "$N" "$CC" "$ROOTFS/bin/hello"

suite_tmpdir

run() { timeout 60 "$N" run --image sd.img "$@" >out 2>err </dev/null; st=$?; }

"$N" sdimage create sd.img --size 64M --rootfs "$ROOTFS" >/dev/null 2>err || bad "create image" "$(cat err)"

# ---- programs from the volume
run /bin/hello;                 expect "hello from the volume" 0 "^Hello from NanoOs!$"
run hello;                      expect "a bare name is found in /bin" 0 "^Hello from NanoOs!$"
run /bin/echo a b c;            expect "echo a b c" 0 "^a b c$"
run /bin/uname -s;              expect "uname -s says NanoOs" 0 "^NanoOs$"
run /bin/false;                 expect "false exits 1" 1 ""
printf 'one\ntwo\n' > in.txt
timeout 60 "$N" run --image sd.img /bin/cat <in.txt >out 2>err; st=$?
expect "stdin passes through (cat < file)" 0 "^two$"
echo hi | timeout 60 "$N" run --image sd.img /bin/cat >out 2>err; st=$?
expect "a pipe into cat" 0 "^hi$"
run /bin/nosuch;                expect_err "a missing program is named" 127 "/bin/nosuch.*([Nn]o such file|not found)"
run /bin/ls /bin;               expect "ls /bin lists the userland" 0 "hello"

# ---- programs from the host
cat > exit42.c <<'C'
int main(void) { return 42; }
C
cat > segv.c <<'C'
int main(void) { volatile int *p = (int *)0x7ffffff0; return *p; }
C
cat > ill.c <<'C'
int main(void) { __asm__ volatile(".word 0xffffffff"); return 0; }
C
cat > spin.c <<'C'
#include <stdio.h>
int main(void) { puts("spinning"); fflush(stdout); for (;;) ; }
C
cat > args.c <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
	printf("PATH=%s\n", getenv("PATH") ? getenv("PATH") : "(unset)");
	return argc;
}
C
cat > writer.c <<'C'
#include <stdio.h>
int main(void) {
	FILE *f = fopen("/tmp/from-guest.txt", "w");
	if (!f) return 1;
	fprintf(f, "written by a guest\n");
	return fclose(f) ? 2 : 0;
}
C
cat > hostile.c <<'C'
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static int fails;
#define CHECK(c, what) do { int ok_ = (c); printf("%s - %s\n", ok_ ? "ok" : "not ok", what); \
	if (!ok_) { fails++; printf("# errno %d\n", errno); } } while (0)
/* raw system calls answer with Linux's errno numbers (picolibc's differ) */
static long raw(long nr, long a0, long a1, long a2) {
	register long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2;
	register long r7 __asm__("a7") = nr;
	__asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r7) : "memory");
	return r0;
}
int main(void) {
	static char longp[5000];
	int st;
	pid_t p;
	CHECK(raw(64, 1, 0xfffff000, 100) == -14, "write from outside the space");
	CHECK(raw(64, 1, 0x3fffff0, 0x7fffffff) == -14, "write running off the end");
	CHECK(raw(63, 0, 0x50000000, 16) == -14, "read into outside the space");
	CHECK(raw(56, -100, 0x50000000, 0) == -14, "open a path outside the space");
	CHECK(raw(64, 99, (long)"x", 1) == -9, "write to a bad fd");
	CHECK(raw(57, -1, 0, 0) == -9, "close(-1)");
	CHECK(raw(300, 0, 0, 0) == -38, "an unknown system call");
	CHECK(raw(100000, 0, 0, 0) == -38, "a number past the table");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	CHECK(open(longp, O_RDONLY) < 0 && errno == ENAMETOOLONG, "a path too long");
	CHECK(open("/bin/hello", O_WRONLY | O_DIRECTORY) < 0, "O_DIRECTORY on a file");
	CHECK(raw(59, 0x60000000, 0, 0) == -14, "pipe2 into outside the space");
	p = fork();
	if (p == 0) { *(volatile int *)0x7ffffff0 = 1; _exit(0); }
	CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "a child's fault kills only the child");
	p = fork();
	if (p == 0) { __asm__ volatile(".word 0"); _exit(0); }
	CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL,
	      "a child's illegal instruction kills only the child");
	CHECK(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "no children left");
	printf("survived\n");
	return fails;
}
C
for p in exit42 segv ill spin args writer hostile; do
	"$CC" -O2 -o $p $p.c 2>err || bad "nanoos-cc $p.c" "$(cat err)"
done
run ./exit42;                   expect "a host program's exit status" 42 ""
run --host exit42;              expect "--host PATH" 42 ""
run ./args one "two words";     expect "argv reaches the guest" 3 "^argv\[2\]=two words$"
grep -q "^PATH=/bin$" out && ok "the guest has PATH=/bin" || bad "guest PATH" "$(cat out)"
run ./segv;                     expect_err "a bad access: message, status 139" 139 "Segmentation fault at 0x7ffffff0 \(pc 0x"
run ./ill;                      expect_err "an illegal instruction: message, status 132" 132 "Illegal instruction 0xffffffff at pc 0x"
echo "not a program" > text.txt
run ./text.txt;                 expect_err "a text file is refused with a reason" 126 "text.txt.*not an ELF"
run --host /bin/true;           expect_err "an x86-64 ELF is refused with a reason" 126 "/bin/true.*(x86-64|machine|64-bit)"
run ./hostile;                  expect "hostile system calls fail cleanly; the instance survives" 0 "^survived$"
run ./writer;                   expect "a guest writes a file" 0 ""
"$N" sdimage cat sd.img /tmp/from-guest.txt >out 2>err; st=$?
expect "sdimage reads what the guest wrote" 0 "^written by a guest$"
OFF=$((1024 * 1024))
if fsck.fat -n --offset=$OFF sd.img >fsck.out 2>&1 || fsck.fat -n sd.img >/dev/null 2>&1; then
	ok "fsck.fat -n is clean after the guests"
else
	# older dosfstools have no --offset: check a copy of the partition
	dd if=sd.img of=part.img bs=1M skip=1 status=none
	fsck.fat -n part.img >fsck.out 2>&1 && ok "fsck.fat -n is clean after the guests" ||
		bad "fsck.fat -n after the guests" "$(cat fsck.out)"
fi

# ---- --stats and --trace
run --stats /bin/hello;         expect_err "--stats prints instructions and MIPS" 0 "instructions in .* MIPS"
run --trace /bin/hello;         expect_err "--trace prints system calls" 0 "write\(0x1, .*\) = 19"

# ---- signals from the host reach the guest
timeout 60 "$N" run --image sd.img ./spin >out 2>err </dev/null &
pid=$!
for i in $(seq 50); do grep -q spinning out 2>/dev/null && break; sleep 0.1; done
kill -INT $pid; wait $pid; st=$?
expect "^C stops a spinning guest (status 130)" 130 "spinning"
mkfifo never
(exec 3>never; sleep 30) &
holder=$!
timeout 60 "$N" run --image sd.img /bin/cat <never >out 2>err &
pid=$!
sleep 1
kill -TERM $pid; wait $pid; st=$?
kill $holder 2>/dev/null
[ "$st" = 143 ] && ok "SIGTERM ends a guest blocked in read (status 143)" ||
	bad "SIGTERM to a blocked guest (exit $st)" "$(cat err)"

# ---- the system-call test programs, from the volume (they exec themselves)
"$N" sdimage mkdir sd.img /tests 2>err || bad "mkdir /tests" "$(cat err)"
for t in "$TESTS"/t-*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$N" sdimage put sd.img "$t" /tests/$name 2>err || bad "put $name" "$(cat err)"
	timeout 120 "$N" run --image sd.img /tests/$name >out 2>err </dev/null; st=$?
	if [ "$st" = 0 ] && ! grep -q "^not ok" out; then
		ok "$name under nanoos run ($(grep -c '^ok' out) checks)"
	else
		bad "$name under nanoos run (exit $st)" "$(grep -v '^ok' out; cat err)"
	fi
done

# ---- the default image is made on first use
timeout 120 "$N" run /bin/hello >out 2>err; st=$?
expect "the default image is created from the rootfs" 0 "^Hello from NanoOs!$"
[ -f "$XDG_DATA_HOME/nanoos/sd.img" ] && ok "it lives at \$XDG_DATA_HOME/nanoos/sd.img" ||
	bad "default image location"

suite_end
