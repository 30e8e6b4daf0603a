#!/bin/bash
# nanoosd end to end, through its own small client (tests/tools/
# daemon_client.c, raw frames): start and HELLO, detaching, a second daemon
# refused, a stale socket replaced, malformed frames and a version mismatch
# ending only their connection, a wrong Linux user refused, STATUS/PS/KILL,
# a vanished client hanging up its guest, SIGTERM stopping cleanly, and
# SIGKILL mid-write then a restart that repairs the volume (fsck.fat -n).
# Everything lives in a mktemp dir (NANOOS_SOCKET, NANOOS_IMAGE); every
# daemon runs under `timeout`. Also measures connect+HELLO+RUN+EXIT latency.
set -u
BUILD=${BUILD:-build}
SCALE=${NANOOS_SCALE:-1}
for f in bin/nanoos bin/nanoosd tests/tools/daemon_client rootfs/bin/cat rootfs/bin/tee; do
	if [ ! -e "$BUILD/$f" ]; then
		echo "daemon: $BUILD/$f is missing: run 'make' (and 'make rootfs') first"
		echo "SUITE daemon: 0 passed, 1 failed"
		exit 1
	fi
done
N=$(realpath "$BUILD/bin/nanoos")
NANOOSD=$(realpath "$BUILD/bin/nanoosd")
C=$(realpath "$BUILD/tests/tools/daemon_client")
ROOTFS=$(realpath "$BUILD/rootfs")

T=$(mktemp -d)
chmod 755 "$T"
daemons=()
cleanup() {   # daemons of ours still running after a failure (by pid, if still nanoosd)
	local p
	for p in "${daemons[@]}"; do
		grep -q nanoosd "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
export NANOOS_IMAGE=$T/sd.img
export NANOOS_SOCKET=$T/run/nanoosd.sock
S=$NANOOS_SOCKET
mkdir -m 700 run

passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok:     $1"; }
bad() { failed=$((failed + 1)); echo "FAILED: $1"; [ -s err ] && sed 's/^/        /' err | tail -20; }
expect() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# start_fg [ARGS]: a foreground daemon under timeout, logging to ./d.log;
# waits until its socket answers. The daemon's pid is in $dpid (from its
# HELLO), timeout's in $tpid.
start_fg() {
	timeout 300 "$NANOOSD" --foreground --workers 2 "$@" >>d.log 2>&1 &
	tpid=$!
	daemons+=("$tpid")
	local i
	for i in $(seq 100); do
		dpid=$("$C" "$S" hello 2>/dev/null | awk '{ print $2 }')
		[ -n "$dpid" ] && daemons+=("$dpid") && return 0
		kill -0 "$tpid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# stop_daemon: SIGTERM to the daemon, and wait for it (0 if it exited 0)
stop_daemon() {
	kill -TERM "$dpid" 2>/dev/null
	wait "$tpid"
}
fsck_clean() {
	dd if="$NANOOS_IMAGE" of=part bs=512 skip=2048 status=none
	fsck.fat -n part >fsck.out 2>&1
}
# wait_gone PID: until ps no longer lists guest PID (5 s)
wait_gone() {
	local i
	for i in $(seq 100); do
		"$C" "$S" ps 2>/dev/null | awk -v p="$1" '$1 == p && $5 != "Z" { f = 1 } END { exit !f }' ||
			return 0
		sleep 0.05
	done
	return 1
}

"$N" sdimage create sd.img --size 64M --rootfs "$ROOTFS" >create.out 2>&1 ||
	{ cat create.out; echo "SUITE daemon: 0 passed, 1 failed"; exit 1; }

# ---------------------------------------------------------------- start, HELLO
NANOOS_IMAGE=$T/none.img timeout 30 "$NANOOSD" --foreground >none.out 2>&1; rc=$?
expect "no image: exit 1, saying how to make one" \
	bash -c "[ $rc = 1 ] && grep -q 'none.img: No such file or directory; make it with .nanoos sdimage create' none.out"
if start_fg; then ok "nanoosd starts and answers HELLO"; else cat d.log >err; bad "nanoosd starts and answers HELLO"; fi
"$C" "$S" hello >hello.out 2>err
expect "HELLO names the daemon's pid, image and account root" \
	grep -q "^pid $dpid uid 0 image $NANOOS_IMAGE account root$" hello.out

out=$(echo "hello through cat" | "$C" "$S" run /bin/cat 2>err)
expect "RUN /bin/cat echoes stdin" test "$out" = "hello through cat"
"$C" "$S" run /bin/false 2>err; rc=$?
expect "RUN /bin/false exits 1 (EXIT carries the status)" test "$rc" = 1
out=$("$C" "$S" run --env TERM=xterm-test /bin/env 2>err)
expect "env has HOME, USER, PATH and the client's TERM" \
	bash -c "grep -q '^HOME=/root$' <<<'$out' && grep -q '^USER=root$' <<<'$out' &&
		grep -q '^PATH=/bin$' <<<'$out' && grep -q '^TERM=xterm-test$' <<<'$out'"
out=$("$C" "$S" run /bin/pwd 2>err)
expect "cwd is the account's home (or / when it has none)" bash -c "[ '$out' = /root ] || [ '$out' = / ]"
out=$("$C" "$S" run --cwd /tmp /bin/pwd 2>err)
expect "RUN --cwd /tmp runs there" test "$out" = /tmp
"$C" "$S" run /bin/no-such-program >run.out 2>err; rc=$?
expect "RUN of a missing program: an ERROR naming it" \
	bash -c "[ $rc = 125 ] && grep -q 'no-such-program' run.out"
"$C" "$S" run --host "$ROOTFS/bin/echo" uploaded fine >run.out 2>err
expect "UPLOAD + RUN of a host program" grep -q "^uploaded fine$" run.out
"$C" "$S" status >status.out 2>err
expect "STATUS: pid, workers 2, volume size, image" \
	bash -c "grep -q '^pid $dpid procs [0-9]* sessions [0-9]* workers 2 rss [1-9][0-9]* vol_total [1-9][0-9]* vol_free [1-9][0-9]* image $NANOOS_IMAGE version ' status.out"

# ---------------------------------------------------------------- a second daemon
timeout 30 "$NANOOSD" --foreground >second.out 2>&1; rc=$?
expect "a second daemon on the same socket: refused with the pid, exit 1" \
	bash -c "[ $rc = 1 ] && grep -q 'nanoosd already running (pid $dpid) on $NANOOS_IMAGE' second.out"
timeout 30 "$NANOOSD" --foreground --socket "$T/other.sock" >second.out 2>&1; rc=$?
expect "a second daemon on the same image: refused naming the holder's pid" \
	bash -c "[ $rc = 1 ] && grep -q 'pid $dpid' second.out && [ ! -e '$T/other.sock' ]"

# ---------------------------------------------------------------- malformed frames
mkfifo held.in
"$C" "$S" run /bin/cat <held.in >held.out 2>held.err &
held=$!
exec 7>held.in
echo "before" >&7
for kind in badversion oversized bigforits unknowntype truncated badpayload garbage nohello; do
	if "$C" "$S" raw "$kind" >"raw.$kind" 2>err; then ok "malformed ($kind): that connection closed"
	else cat "raw.$kind" >>err; bad "malformed ($kind): that connection closed"; fi
done
expect "a wrong wire version is told both versions" \
	grep -q "wire version 8, but nanoosd speaks wire version 1" raw.badversion
expect "malformed frames are logged with the peer" grep -q "warning: client pid [0-9]* uid 0: a frame of unknown type" d.log
expect "a request before HELLO is told to say HELLO first" grep -q "say HELLO first" raw.nohello
"$C" "$S" hello 99 >ver.out 2>err; rc=$?
expect "HELLO version 99: refused naming both versions and the restart" \
	bash -c "[ $rc = 125 ] && grep -q 'error -93: this nanoos speaks client protocol version 99, but the daemon (pid $dpid) speaks version 1; restart the daemon (nanoos stop; nanoosd ...)' ver.out"
echo "after" >&7
exec 7>&-
wait "$held"; rc=$?
expect "the session held open meanwhile kept working" \
	bash -c "[ $rc = 0 ] && [ \"\$(cat held.out)\" = \"\$(printf 'before\nafter')\" ]"
expect "the daemon still answers" "$C" "$S" hello >/dev/null

# ---------------------------------------------------------------- a wrong Linux user
# Another Linux user cannot reach into a checkout that lives in a private
# directory (CI clones into mktemp -d): the programs it runs are copied
# where it can.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -m 755 bin && cp "$C" "$NANOOSD" bin/ && chmod 755 bin/*
	C_ANY=$T/bin/daemon_client NANOOSD_ANY=$T/bin/nanoosd
fi

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 711 run && chmod 666 "$S"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$C_ANY" "$S" hello >user.out 2>err; rc=$?
	expect "uid 65534 refused: says whose daemon it is and what to do" \
		bash -c "[ $rc = 125 ] && grep -q 'error -13: this nanoosd (pid $dpid, on $S) belongs to Linux user root (uid 0), and you are' user.out &&
			grep -q 'start your own with .nanoosd.' user.out"
	expect "the refusal is logged" grep -q "refused client pid [0-9]*: Linux user .* (uid 65534)" d.log
	chmod 700 run && chmod 600 "$S"
else
	echo "skip:   a wrong Linux user (needs root and setpriv)"
fi

# ---------------------------------------------------------------- ps, kill, a vanished client
# guest_session: a session running /bin/cat on a fifo we hold open (fd 8);
# sets cpid (the client) and gpid (the guest)
guest_session() {
	rm -f sess.in && mkfifo sess.in
	DAEMON_CLIENT_PID=1 "$C" "$S" run /bin/cat <sess.in >/dev/null 2>cat.err &
	cpid=$!
	exec 8>sess.in
	for i in $(seq 100); do grep -q "guest pid" cat.err && break; sleep 0.05; done
	gpid=$(sed -n 's/^guest pid //p' cat.err)
}
guest_session
"$C" "$S" ps >ps.out 2>err
expect "PS lists the session's guest (pid $gpid, root, /bin/cat)" \
	awk -v p="$gpid" '$1 == p && $4 == 0 && $6 == "root" && $7 == "/bin/cat" { f = 1 } END { exit !f }' ps.out
{ kill -KILL "$cpid"; wait "$cpid"; } 2>/dev/null
expect "a client killed mid-session: its guest is hung up and gone from ps" wait_gone "$gpid"
exec 8>&-
expect "the daemon keeps serving after that" bash -c "echo ok | '$C' '$S' run /bin/cat | grep -q '^ok$'"
guest_session
expect "KILL pid SIGTERM answers 0" "$C" "$S" kill "$gpid" 15
wait "$cpid"; rc=$?
expect "the session's client exits 128+15" test "$rc" = 143
exec 8>&-
guest_session
kill -INT "$cpid"
wait "$cpid"; rc=$?
expect "SIGNAL 2 from the client reaches the foreground group: exit 130" test "$rc" = 130
exec 8>&-
guest_session
guest_a=$gpid; client_a=$cpid; exec 6>&8
guest_session
"$C" "$S" ps 1 >ps1.out 2>ps1.err
expect "PS with skip 1: total 2, one record (the second guest)" \
	bash -c "grep -q '^total 2$' ps1.err && [ \$(wc -l <ps1.out) = 1 ] && grep -q '^$gpid ' ps1.out"
exec 8>&- 6>&-
wait "$cpid" "$client_a"
"$C" "$S" kill 31000 9 >kill.out 2>err; rc=$?
expect "KILL of no such pid: -ESRCH" bash -c "[ $rc = 125 ] && grep -q '^error -3: ' kill.out"

# ---------------------------------------------------------------- many clients at once
# 64 sessions at once, each streaming 1 MiB (x scale) through cat, byte-exact.
mb=$((1 * SCALE))
head -c $((mb * 1048576)) /dev/urandom >stream.in
many=()
for i in $(seq 64); do
	( "$C" "$S" run /bin/cat <stream.in | cmp -s - stream.in && echo same || echo DIFFERENT ) \
		>"many.$i" 2>&1 &
	many+=($!)
done
wait "${many[@]}"
expect "64 concurrent sessions each stream $mb MiB through cat byte-exact" \
	bash -c "[ \"\$(cat many.* | grep -c '^same$')\" = 64 ]"

# ---------------------------------------------------------------- shell, login
printf 'echo $USER $HOME\nexit 3\n' | "$C" "$S" run --shell >shell.out 2>err; rc=$?
expect "RUN --shell: the account's login shell; its exit status comes back" \
	bash -c "[ $rc = 3 ] && grep -q '^root /root$' shell.out"
timeout 20 "$C" "$S" run --login </dev/null >login.out 2>err
expect "RUN --login: /bin/login prompts" grep -q "login:" login.out

# ---------------------------------------------------------------- a daemon of another user
# nanoosd run by uid 65534: its clients are the NanoOs account `user`
# (no account is named like "nobody"); root may use it too, as root; `user`
# may not signal root's guests.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	mkdir -m 700 nob && cp sd.img nob/sd.img && chown -R 65534:65534 nob
	NS=$T/nob/s.sock
	as_nobody timeout 120 "$NANOOSD_ANY" --foreground --workers 1 --image "$T/nob/sd.img" \
		--socket "$NS" >nob.log 2>&1 &
	ntpid=$!
	daemons+=("$ntpid")
	for i in $(seq 100); do as_nobody "$C_ANY" "$NS" hello >nob.hello 2>/dev/null && break; sleep 0.05; done
	expect "a nobody's client is the account user" grep -q " account user$" nob.hello
	out=$(as_nobody "$C_ANY" "$NS" run /bin/env 2>err)
	expect "its guests run as user (USER=user)" grep -q "^USER=user$" <<<"$out"
	rm -f nob.in && mkfifo nob.in
	DAEMON_CLIENT_PID=1 "$C" "$NS" run /bin/cat <nob.in >/dev/null 2>nob.err &
	ncpid=$!
	exec 9>nob.in
	for i in $(seq 100); do grep -q "guest pid" nob.err && break; sleep 0.05; done
	ngpid=$(sed -n 's/^guest pid //p' nob.err)
	as_nobody "$C_ANY" "$NS" kill "$ngpid" 15 >nkill.out 2>err; rc=$?
	expect "user may not signal root's guest: -EPERM, not yours" \
		bash -c "[ $rc = 125 ] && grep -q '^error -1: kill $ngpid: not yours' nkill.out"
	exec 9>&-
	wait "$ncpid"; rc=$?
	expect "root's guest lived on (and ended at its end of input)" test "$rc" = 0
	as_nobody "$C_ANY" "$NS" stop >/dev/null 2>err
	wait "$ntpid"; rc=$?
	expect "the daemon's own user may STOP it: exit 0, socket gone" \
		bash -c "[ $rc = 0 ] && [ ! -e '$NS' ]"
else
	echo "skip:   a daemon of another user (needs root and setpriv)"
fi

# ---------------------------------------------------------------- latency
runs=$((200 * SCALE))
"$C" "$S" bench "$runs" >bench.out 2>err
expect "latency measured over $runs runs" grep -q "^connect+HELLO+RUN /bin/true+EXIT: $runs runs" bench.out
sed 's/^/        /' bench.out

# ---------------------------------------------------------------- SIGTERM
# with a session still running: it is hung up, its guest stopped
guest_session
t0=$(date +%s)
stop_daemon; rc=$?
t1=$(date +%s)
exec 8>&-
{ wait "$cpid"; } 2>/dev/null
expect "SIGTERM with a live session: stopped within 10 s" test $((t1 - t0)) -le 10
expect "SIGTERM: exit 0" test "$rc" = 0
expect "SIGTERM: the socket is gone" test ! -e "$S"
expect "SIGTERM: the image lock record is gone" test ! -e "$NANOOS_IMAGE.lock"
if fsck_clean; then ok "SIGTERM: fsck.fat -n exits 0"; else cp fsck.out err; bad "SIGTERM: fsck.fat -n exits 0"; fi

# ---------------------------------------------------------------- the journal
# Under systemd (JOURNAL_STREAM names our stderr) lines carry "<N>" priorities.
: >j.log
js=$(stat -c '%d:%i' j.log)
JOURNAL_STREAM=$js timeout 60 "$NANOOSD" --foreground --workers 1 2>>j.log &
jtpid=$!
daemons+=("$jtpid")
for i in $(seq 100); do "$C" "$S" hello >/dev/null 2>&1 && break; sleep 0.05; done
"$C" "$S" stop >/dev/null 2>&1
wait "$jtpid"
expect "stderr is the journal: '<6>' priority prefixes, no 'nanoosd[pid]:'" \
	bash -c "grep -q '^<6>serving ' j.log && ! grep -q '^nanoosd\[' j.log"

# ---------------------------------------------------------------- detaching, stale socket
python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.bind('$S')"
expect "a stale socket file is there" test -S "$S"
timeout 60 "$NANOOSD" --workers 2 2>detach.err; rc=$?
"$C" "$S" hello >hello.out 2>err; hrc=$?
dpid=$(awk '{ print $2 }' hello.out)
[ -n "$dpid" ] && daemons+=("$dpid")
expect "detached: the command exits 0 and the socket answers at once" \
	bash -c "[ $rc = 0 ] && [ $hrc = 0 ]"
expect "the stale socket was replaced, with an info line" grep -q "info: replacing the stale socket $S" detach.err
"$C" "$S" stop >/dev/null 2>err
for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.05; done
expect "STOP: the detached daemon ends and removes its socket" \
	bash -c "! kill -0 $dpid 2>/dev/null && [ ! -e '$S' ]"

# ---------------------------------------------------------------- a log file, SIGHUP
# Detached with a terminal for stderr (script(1) gives it one), the daemon
# logs to nanoosd.log beside its socket; SIGHUP reopens it (logrotate).
if command -v script >/dev/null; then
	timeout 60 script -qec "'$NANOOSD' --workers 1" /dev/null >script.out 2>&1
	dpid=$("$C" "$S" hello 2>/dev/null | awk '{ print $2 }')
	[ -n "$dpid" ] && daemons+=("$dpid")
	"$C" "$S" raw garbage >/dev/null 2>&1
	expect "detached on a terminal: logs go to nanoosd.log beside the socket" \
		grep -q "warning: client pid [0-9]* uid 0: wire version" run/nanoosd.log
	mv run/nanoosd.log run/nanoosd.log.1
	kill -HUP "$dpid"
	for i in $(seq 50); do [ -s run/nanoosd.log ] && break; sleep 0.05; done
	expect "SIGHUP reopens the log file" grep -q "SIGHUP: log reopened" run/nanoosd.log
	"$C" "$S" stop >/dev/null 2>&1
	for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.05; done
else
	echo "skip:   the log file (needs script(1) for a terminal)"
fi

# ---------------------------------------------------------------- default paths
# No NANOOS_SOCKET: $XDG_RUNTIME_DIR/nanoos/nanoosd.sock, its directory made
# 0700; a directory open to others is refused. (XDG_RUNTIME_DIR points into
# our temp dir: the user's real paths are never touched.)
mkdir -m 700 xdg
env -u NANOOS_SOCKET XDG_RUNTIME_DIR="$T/xdg" timeout 60 "$NANOOSD" --foreground --workers 1 \
	>xdg.log 2>&1 &
xtpid=$!
daemons+=("$xtpid")
for i in $(seq 100); do "$C" "$T/xdg/nanoos/nanoosd.sock" hello >/dev/null 2>&1 && break; sleep 0.05; done
expect "default socket: \$XDG_RUNTIME_DIR/nanoos/nanoosd.sock, directory 0700" \
	bash -c "[ -S '$T/xdg/nanoos/nanoosd.sock' ] && [ \$(stat -c %a '$T/xdg/nanoos') = 700 ]"
"$C" "$T/xdg/nanoos/nanoosd.sock" stop >/dev/null 2>&1
wait "$xtpid"
chmod 777 xdg/nanoos
env -u NANOOS_SOCKET XDG_RUNTIME_DIR="$T/xdg" timeout 60 "$NANOOSD" --foreground >xdg.out 2>&1; rc=$?
expect "a socket directory open to others is refused" \
	bash -c "[ $rc = 1 ] && grep -q 'open to others (mode 777)' xdg.out"

# ---------------------------------------------------------------- SIGKILL mid-write
start_fg || { cat d.log >err; bad "restart for the SIGKILL test"; }
size=$((24 * 1024 * 1024))
head -c "$size" /dev/zero | tr '\0' 'x' | "$C" "$S" run /bin/tee /tmp/big >/dev/null 2>&1 &
writer=$!
sleep 1.5
kill -KILL "$dpid"
wait "$tpid" 2>/dev/null
wait "$writer" 2>/dev/null
expect "SIGKILL leaves the socket behind (stale)" test -S "$S"
: >d.log
if start_fg; then ok "restart after SIGKILL on the same image (stale socket, lock)"; else
	tail -5 d.log >err; bad "restart after SIGKILL on the same image (stale socket, lock)"; fi
expect "the restart repaired the volume (it was dirty: killed mid-write)" \
	grep -q "not unmounted cleanly: repairing it" d.log
"$C" "$S" run /bin/cat /etc/passwd >passwd.out 2>err
expect "the restarted daemon serves the volume" grep -q "^root:" passwd.out
stop_daemon
if fsck_clean; then ok "after SIGKILL mid-write, repair and a clean stop: fsck.fat -n exits 0"; else
	cp fsck.out err; bad "after SIGKILL mid-write, repair and a clean stop: fsck.fat -n exits 0"; fi

echo "SUITE daemon: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
