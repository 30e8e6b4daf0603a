#!/bin/bash
# Sessions end to end through the real daemon (nanoosd) and CLI (nanoos):
# the verbs without a daemon (exit 1, a message naming the sockets), --help
# for every verb, a daemon of another protocol version (its text), run and
# shell in-process; then, on a daemon of our own (NANOOS_SOCKET,
# NANOOS_IMAGE, HOME and XDG_* in a temporary directory): `nanoos run` with
# pipes, exit statuses, host programs (UPLOAD), signal deaths, SIGPIPE;
# SIGTERM/SIGINT to a client; ps, kill and status; --image routing;
# interactive sessions in a pty (tests/integration/sessions/*.exp), through
# the daemon and in-process: `nanoos shell` (pipelines, ^C, ^Z/jobs/fg,
# exit status), `nanoos shell --login` (wrong and right password, whoami),
# ^C, window size and SIGWINCH, the terminal restored, redirected stdout
# left plain; 64 concurrent clients streaming through /bin/cat byte-exact
# (1 MiB each at scale 1, 10 MiB at scale 10); a client killed mid-stream;
# and `nanoos stop`. Each check counts.
set -u
BUILD=${BUILD:-build}
SCALE=${NANOOS_SCALE:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_ABS=$(realpath "$BUILD" 2>/dev/null)
N=$(realpath "$BUILD/bin/nanoos" 2>/dev/null)
D=$(realpath "$BUILD/bin/nanoosd" 2>/dev/null)
CC=$(realpath "$BUILD/bin/nanoos-cc" 2>/dev/null)
ROOTFS=$(realpath "$BUILD/rootfs" 2>/dev/null)

passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok:     $1"; }
bad() { failed=$((failed + 1)); echo "FAILED: $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/        /' | head -20; }
finish() { echo "SUITE sessions: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

for f in "$N" "$CC" "$ROOTFS/bin/sh"; do
	if [ ! -e "$f" ]; then
		bad "${f:-a build product} is missing: run 'make' first"
		finish
	fi
done

T=$(mktemp -d)
daemon=
# (TERM first: most are `timeout` processes, which pass it on)
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null
	if [ -n "$(jobs -p)" ]; then
		jobs -p | xargs -r kill 2>/dev/null
		sleep 1
		jobs -p | xargs -r kill -9 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
mkdir -p home data run
chmod 700 run
export HOME=$T/home XDG_DATA_HOME=$T/data XDG_RUNTIME_DIR=$T/run XDG_CONFIG_HOME=$T/home/.config
export NANOOS_SOCKET=$T/nanoosd.sock NANOOS_IMAGE=$T/sd.img
export MTOOLS_SKIP_CHECK=1

# check NAME WANT-STATUS PATTERN: the last command's status, and PATTERN
# (if any) in its stdout+stderr (files out, err)
check() {
	local name=$1 want=$2 pattern=${3:-}
	if [ "$st" != "$want" ]; then
		bad "$name (exit $st, wanted $want)" "$(cat out err 2>/dev/null)"
	elif [ -n "$pattern" ] && ! cat out err | grep -qE -- "$pattern"; then
		bad "$name (output)" "$(cat out err)"
	else
		ok "$name"
	fi
}
nanoos() { timeout 120 "$N" "$@" >out 2>err </dev/null; st=$?; }

# ---- without a daemon
for v in ps kill status stop; do
	if [ "$v" = kill ]; then nanoos kill 2; else nanoos "$v"; fi
	check "nanoos $v without a daemon exits 1 and names the socket" 1 \
		"no NanoOs daemon is running \(looked at $NANOOS_SOCKET\).*nanoosd --image"
done
nanoos --help
cp out help.out
check "nanoos --help" 0 "VERB --help"
for v in run shell ps kill status stop sdimage mount umount flash; do
	grep -qE "^  $v " help.out || bad "nanoos --help lists $v" "$(cat help.out)"
	nanoos "$v" --help
	check "nanoos $v --help" 0 "$v"
done

# a daemon of another protocol version: its words, and exit 1
if command -v python3 >/dev/null; then
	python3 "$HERE/sessions/old_daemon.py" "$T/old.sock" \
		"nanoosd speaks protocol 9, this client 1: restart the daemon" >old.out 2>&1 &
	for _ in $(seq 100); do [ -S "$T/old.sock" ] && break; sleep 0.05; done
	NANOOS_SOCKET=$T/old.sock nanoos status
	check "a version mismatch shows the daemon's text and exits 1" 1 \
		"^nanoos status: nanoosd speaks protocol 9, this client 1: restart the daemon$"
	wait
fi

# ---- the image: known passwords for root and user
"$N" sdimage create sd.img --size 64M --rootfs "$ROOTFS" >/dev/null 2>err || bad "create the image" "$(cat err)"
rootpw=root-secret
userpw=user-secret
# sha512-crypt: openssl's, else perl's crypt() (glibc's libcrypt)
hash_pw() {
	if command -v openssl >/dev/null; then
		openssl passwd -6 "$1"
	else
		perl -e 'print crypt($ARGV[0], "\$6\$" . join("", map { ("a".."z")[rand 26] } 1..16) . "\$")' "$1"
	fi
}
{
	echo "root:$(hash_pw "$rootpw"):19000:0:99999:7:::"
	echo "user:$(hash_pw "$userpw"):19000:0:99999:7:::"
} > shadow
"$N" sdimage put sd.img shadow /etc/shadow 2>err || bad "put /etc/shadow" "$(cat err)"

# ---- in-process (no daemon): run and shell keep working
echo 'echo in-process; exit 3' | timeout 60 "$N" shell >out 2>err; st=$?
check "nanoos shell without a daemon runs in-process (exit status passed)" 3 "^in-process$"
printf x | timeout 60 "$N" run /bin/cat >out 2>err; st=$?
check "nanoos run without a daemon runs in-process" 0 "^x$"

# ---- the daemon
if [ ! -x "$D" ]; then
	bad "$BUILD/bin/nanoosd is missing: the daemon's part (nanoosd/) is not built; every check below waits for it"
	finish
fi
timeout 900 "$D" --image "$T/sd.img" --socket "$NANOOS_SOCKET" --foreground 2>daemon.log &
daemon=$!
for _ in $(seq 200); do [ -S "$NANOOS_SOCKET" ] && break; sleep 0.05; done
if [ ! -S "$NANOOS_SOCKET" ]; then
	bad "nanoosd made its socket" "$(cat daemon.log)"
	finish
fi
ok "nanoosd made its socket"

# ---- nanoos run through the daemon
printf x | timeout 60 "$N" run /bin/cat >out 2>err; st=$?
[ "$(cat out)" = x ] || st="$st (output '$(cat out)', not x)"
check "printf x | nanoos run /bin/cat" 0
nanoos run /bin/false;          check "nanoos run /bin/false exits 1" 1
nanoos run /bin/true;           check "nanoos run /bin/true exits 0" 0
nanoos run /bin/echo a b c;     check "arguments reach the guest" 0 "^a b c$"
nanoos run /bin/nosuch;         check "a missing program is named (127)" 127 "/bin/nosuch"
seq 1000 | timeout 60 "$N" run /bin/wc -l >out 2>err; st=$?
check "a pipe into wc -l" 0 "^ *1000$"
head -c 50M /dev/zero | timeout 60 "$N" run /bin/true >out 2>err; st=${PIPESTATUS[1]}
check "a program that ends without reading its input: its status, not an error" 0
timeout 60 "$N" run /bin/yes 2>err </dev/null | head -n 1 >out; st=${PIPESTATUS[0]}
check "nanoos run /bin/yes | head -1: the guest dies of SIGPIPE (141)" 141 "^y$"
cat > exit42.c <<'C'
int main(void) { return 42; }
C
cat > segv.c <<'C'
int main(void) { volatile int *p = (int *)0x7ffffff0; return *p; }
C
cat > spin.c <<'C'
#include <stdio.h>
int main(void) { puts("spinning"); fflush(stdout); for (;;) ; }
C
cat > winsize.c <<'C'
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
static void show(const char *when) {
	struct winsize ws;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0) printf("%s %dx%d\n", when, ws.ws_row, ws.ws_col);
	else printf("%s none\n", when);
	fflush(stdout);
}
int main(void) { char b[16]; show("start"); read(0, b, sizeof(b)); show("after"); return 0; }
C
for p in exit42 segv spin winsize; do
	"$CC" -O2 -o "$p" "$p.c" 2>err || bad "nanoos-cc $p.c" "$(cat err)"
done
nanoos run ./exit42;            check "a host program is uploaded and run (exit 42)" 42
nanoos run --host "$T/exit42";  check "--host PATH" 42
nanoos run ./segv;              check "a signal death is 128 + SIGSEGV" 139
echo 'not a program' > text.txt
nanoos run ./text.txt;          check "a host file that is not RV32 ELF is refused (126)" 126 "RV32"

# signals from the host: SIGTERM to a client whose stdin is not a terminal
timeout 60 "$N" run ./spin >out 2>err </dev/null &
client=$!
for _ in $(seq 100); do grep -q spinning out && break; sleep 0.05; done
kill -TERM "$client"
wait "$client"; st=$?
check "SIGTERM to nanoos run ends the guest (143)" 143

timeout 60 "$N" run /bin/sleep 100 >out 2>err </dev/null &
client=$!
sleep 1
kill -INT "$client"
wait "$client"; st=$?
check "SIGINT to nanoos run (stdin not a terminal) ends the guest (130)" 130

# ps, kill, status
timeout 60 "$N" run /bin/sleep 100 </dev/null >/dev/null 2>&1 &
client=$!
pid=
for _ in $(seq 100); do
	pid=$("$N" ps -a 2>/dev/null | awk '$NF ~ /sleep/ || $(NF-1) ~ /sleep/ { print $1; exit }')
	[ -n "$pid" ] && break
	sleep 0.05
done
"$N" ps -a >out 2>err; st=$?
check "nanoos ps -a lists the sleeping guest" 0 "^ *PID +PPID +PGID +USER +STATE +START +INSTR +CMD"
if [ -n "$pid" ]; then
	ok "ps shows sleep 100 as pid $pid"
	nanoos kill "$pid";         check "nanoos kill PID" 0
	wait "$client"; st=$?
	check "the killed guest's client exits 143" 143
else
	bad "ps shows sleep 100" "$(cat out err)"
	kill "$client"
fi
# a process group, and a signal by -NAME
timeout 60 "$N" run /bin/sleep 100 </dev/null >/dev/null 2>&1 &
client=$!
pgid=
for _ in $(seq 100); do
	pgid=$("$N" ps -a 2>/dev/null | awk '/sleep/ { print $3; exit }')
	[ -n "$pgid" ] && break
	sleep 0.05
done
nanoos kill -KILL -- "-$pgid"; check "nanoos kill -KILL -- -PGID" 0
wait "$client"; st=$?
check "the group's client exits 137 (SIGKILL)" 137
nanoos kill 99999;              check "nanoos kill of no such process" 1 "99999|[Nn]o such process"
nanoos kill -s NOSUCH 5;        check "nanoos kill -s NOSUCH names the signal" 2 "NOSUCH"
nanoos status;                  check "nanoos status names the image" 0 "image: +$T/sd.img"
grep -qE "^processes: +[0-9]+" out && grep -qE "^volume: .*free" out &&
	grep -qE "^daemon: +pid [0-9]+" out && ok "status: pid, processes, volume" ||
	bad "status: pid, processes, volume" "$(cat out)"

# --image: the daemon's image goes through the daemon (it holds the lock);
# another image runs in-process
nanoos run --image "$T/sd.img" /bin/echo via the daemon
check "run --image IMG of the daemon goes through it" 0 "^via the daemon$"
"$N" sdimage create other.img --size 64M --rootfs "$ROOTFS" >/dev/null 2>err || bad "create other.img" "$(cat err)"
"$N" sdimage put other.img shadow /etc/shadow 2>err || bad "put /etc/shadow on other.img" "$(cat err)"
nanoos run --image other.img /bin/echo in-process
check "run --image OTHER (no daemon on it) runs in-process" 0 "^in-process$"

# ---- interactive sessions in a pty
if ! command -v expect >/dev/null; then
	bad "expect is not installed (packaging/install-deps.sh installs it)"
else
	run_expect() {  # run_expect NAME SCRIPT ARGS...
		local name=$1 script=$2 line s=0
		shift 2
		timeout 300 expect "$HERE/sessions/$script" "$@" >exp.out 2>&1 || s=$?
		while IFS= read -r line; do
			case "$line" in
			"STEP-OK "*) ok "${line#STEP-OK }" ;;
			"STEP-FAIL "*) bad "${line#STEP-FAIL }" "$(grep -A1 -F "$line" exp.out | tail -n 1)" ;;
			esac
		done < exp.out
		grep -q '^EXPECT-DONE$' exp.out || grep -q '^STEP-FAIL' exp.out ||
			bad "$name ran to its end (status $s)" "$(tail -n 5 exp.out)"
	}
	run_expect "nanoos shell" shell.exp "shell" "$N"
	NANOOS_SOCKET=$T/none.sock run_expect "nanoos shell in-process" shell.exp \
		"in-process shell" "$N" --image "$T/other.img"
	run_expect "nanoos shell --login" login.exp "login" "$N" user "$userpw"
	NANOOS_SOCKET=$T/none.sock NANOOS_IMAGE=$T/other.img run_expect \
		"nanoos shell --login in-process" login.exp "in-process login" "$N" user "$userpw"
	run_expect "^C in a pty" intr.exp "^C in a pty" "$N"
	NANOOS_SOCKET=$T/none.sock NANOOS_IMAGE=$T/other.img run_expect "^C in a pty in-process" \
		intr.exp "^C in a pty in-process" "$N"
	# a terminal on stdin, stdout to a file: plain bytes (no CR NL) in it
	for where in daemon in-process; do
		sock=$NANOOS_SOCKET
		[ $where = in-process ] && sock=$T/none.sock
		rm -f redir.txt
		NANOOS_SOCKET=$sock timeout 60 expect -c "spawn -noecho sh -c {$N run \
			--image $T/$([ $where = daemon ] && echo sd || echo other).img /bin/echo redirected \
			> $T/redir.txt}; expect eof" >/dev/null 2>&1
		if printf 'redirected\n' | cmp -s - redir.txt; then
			ok "stdout to a file from a terminal is plain bytes ($where)"
		else
			bad "stdout to a file from a terminal is plain bytes ($where)" "$(od -c redir.txt 2>&1 | head -3)"
		fi
	done
	run_expect "window size" winsize.exp "window size" "$N" "$T/winsize"
	# `make run`'s script where no daemon answers (its own image and runtime dir)
	saved_sock=$NANOOS_SOCKET saved_img=$NANOOS_IMAGE
	unset NANOOS_SOCKET NANOOS_IMAGE
	XDG_RUNTIME_DIR=$T/run2 XDG_DATA_HOME=$T/data2 run_expect "make run" makerun.exp \
		"make run" "$HERE/../../cli/make-run.sh" "$BUILD_ABS"
	export NANOOS_SOCKET=$saved_sock NANOOS_IMAGE=$saved_img
	[ -e "$T/data2/nanoos/sd.img" ] && ok "make run: the default image is where DESIGN.md says" ||
		bad "make run: the default image is where DESIGN.md says ($T/data2/nanoos/sd.img)"
	NANOOS_SOCKET=$T/none.sock NANOOS_IMAGE=$T/other.img run_expect "window size in-process" \
		winsize.exp "window size in-process" "$N" "$T/winsize"
fi

# ---- 64 concurrent clients streaming through /bin/cat
mib=$((SCALE >= 10 ? 10 : 1))
head -c $((mib << 20)) /dev/urandom > stream.in
for i in $(seq 64); do
	timeout 600 "$N" run /bin/cat <stream.in >"stream.$i" 2>"stream.$i.err" &
done
bad_streams=0
for i in $(seq 64); do
	wait -n || true
done
for i in $(seq 64); do
	cmp -s stream.in "stream.$i" || { bad_streams=$((bad_streams + 1)); last=$i; }
done
if [ "$bad_streams" -eq 0 ]; then
	ok "64 clients x $mib MiB through /bin/cat, byte-exact"
else
	bad "64 clients x $mib MiB through /bin/cat: $bad_streams differ" \
		"$(ls -l "stream.$last"; cat "stream.$last.err")"
fi
rm -f stream.*

# ---- a client killed mid-stream
# (no timeout in between: $! must be nanoos itself; cleanup kills it if need be)
cat /dev/zero | "$N" run /bin/cat >/dev/null 2>&1 &
victim=$!
sleep 1
if kill -0 "$victim" 2>/dev/null; then
	ok "a client streams without end"
else
	bad "a client streams without end (it ended by itself)"
fi
kill -9 "$victim"
wait "$victim" 2>/dev/null
nanoos run /bin/echo still here
check "the daemon serves after a client was killed mid-stream" 0 "^still here$"
gone=
for _ in $(seq 100); do
	"$N" ps -a >out 2>&1
	grep -q "/bin/cat" out || { gone=1; break; }
	sleep 0.1
done
[ -n "$gone" ] && ok "ps no longer lists the killed client's guest" ||
	bad "ps no longer lists the killed client's guest" "$(cat out)"

# ---- stop
nanoos stop;                    check "nanoos stop" 0
[ ! -e "$NANOOS_SOCKET" ] && ok "the socket is gone after stop" || bad "the socket is gone after stop"
for _ in $(seq 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon" 2>/dev/null; then
	bad "the daemon exits after stop" "$(tail -n 5 daemon.log)"
else
	wait "$daemon"; st=$?
	check "the daemon exits 0 after stop" 0
	daemon=
fi
nanoos ps;                      check "ps after stop: no daemon" 1 "no NanoOs daemon"

finish
