#!/bin/bash
# binfmt.sh: RV32 ELF executables run from a Linux shell under NanoOs
# (nanoos binfmt, cli/binfmt_cmd.c; the interpreter cli/binfmt/nanoos-binfmt.c).
#
# Without root: the rule in packaging/binfmt/nanoos.conf is the one
# `nanoos binfmt rule` prints; usage and the root check. As root, where
# binfmt_misc can be mounted and written: install, then `./uname -s` from
# bash prints NanoOs (qemu-riscv32 would print Linux); exit statuses,
# arguments, argv[0] (the P flag), stdin and PATH lookup pass through; the
# run goes through a daemon started for it on the default image (or one that
# answers), which a pipeline shares and which ends itself when idle;
# status; a competing entry with the same magic (a fake
# qemu-riscv32): the one registered last wins, a disabled one is passed
# over, status names the winner; remove, after which exec fails with "Exec
# format error". binfmt_misc is the whole kernel's: every entry made here is
# removed at exit, whatever failed. Usage: binfmt.sh [BUILD_DIR]
BUILD=${1:-${BUILD:-build}}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
suite_needs binfmt "$BUILD/bin/nanoos" "$BUILD/bin/nanoosd" \
	"$BUILD/lib/nanoos/nanoos-binfmt" "$BUILD/rootfs/bin/uname" "$BUILD/rootfs/bin/sh"
N=$(realpath "$BUILD/bin/nanoos")
D=$(realpath "$BUILD/bin/nanoosd")
I=$(realpath "$BUILD/lib/nanoos/nanoos-binfmt")
ROOTFS=$(realpath "$BUILD/rootfs")
CONF=$(realpath "$HERE/../../packaging/binfmt/nanoos.conf")
BM=/proc/sys/fs/binfmt_misc
RIVAL=nanoos-test-rival
SCALE=${NANOOS_SCALE:-1}
suite_tmpdir
mkdir -p "$HOME" "$XDG_DATA_HOME"
# No daemon of anyone else's answers: ours only (nanoos-binfmt's
# --auto-daemon starts one on this socket when none answers).
export NANOOS_SOCKET=$T/auto.sock

# ---- the rule: one source
"$N" binfmt rule --interpreter /usr/lib/nanoos/nanoos-binfmt >out 2>err; st=$?
if [ "$st" = 0 ] && [ "$(grep -v '^#' "$CONF" | grep -v '^$')" = "$(cat out)" ]; then
	ok "packaging/binfmt/nanoos.conf is the rule \`nanoos binfmt rule\` prints"
else
	bad "packaging/binfmt/nanoos.conf is the rule \`nanoos binfmt rule\` prints" \
		"$(diff <(grep -v '^#' "$CONF") out; cat err)"
fi
"$N" binfmt rule >out 2>err; st=$?
expect "rule names the interpreter beside this nanoos" 0 \
	"^:nanoos:M::\\\\x7f\\\\x45\\\\x4c\\\\x46\\\\x01\\\\x01\\\\x01.*\\\\xf3\\\\x00:.*:$I:P$"
"$N" binfmt >out 2>err; st=$?
expect_err "binfmt without a verb is a usage error" 2 "usage: nanoos binfmt install"
"$N" binfmt install extra >out 2>err; st=$?
expect_err "install takes no arguments" 2 "usage: nanoos binfmt"
"$N" binfmt --help >out 2>err; st=$?
expect "binfmt --help" 0 "the kernel takes the newest enabled one"
"$I" >out 2>err; st=$?
expect_err "nanoos-binfmt without a file is a usage error" 2 "usage: nanoos-binfmt FILE"
# The interpreter alone: the nanoos beside it, else the one in PATH (on an
# image of its own: the in-process checks below want to make the default one).
mkdir -p alone/lib/nanoos pathdir
cp "$I" alone/lib/nanoos/ && cp "$ROOTFS/bin/sh" prog && chmod +x prog
export XDG_DATA_HOME=$T/data0
ln -s "$N" pathdir/nanoos
"$I" ./prog my-name -c 'echo "$0"' >out 2>err; st=$?
expect "nanoos-binfmt FILE ARGV0 ARGS runs FILE with the nanoos beside it" 0 "^my-name$"
PATH=$T/pathdir:/usr/bin:/bin alone/lib/nanoos/nanoos-binfmt ./prog p -c 'exit 4' >out 2>err; st=$?
expect "nanoos-binfmt with no nanoos beside it takes the one in PATH" 4 ""
PATH=/usr/bin:/bin alone/lib/nanoos/nanoos-binfmt ./prog p >out 2>err; st=$?
expect_err "nanoos-binfmt with no nanoos anywhere says so" 127 \
	"^nanoos-binfmt: \./prog: cannot run nanoos .* nor in PATH; install NanoOs again"
# Those started a daemon (--auto-daemon) on data0's image: stop it, so that
# the checks below start their own.
"$N" stop >out 2>err; st=$?
expect "the interpreter started a daemon for them, which nanoos stop stops" 0 ""
export XDG_DATA_HOME=$T/data
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$N"; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$N" binfmt install >out 2>err; st=$?
	expect_err "install as another user than root says it needs root" 1 \
		"^nanoos binfmt: install: needs root .*sudo nanoos binfmt install"
fi

# ---- as root, with binfmt_misc writable
skip() {
	echo "binfmt: skipped the binfmt_misc checks: $1"
	suite_end
}
[ "$(id -u)" = 0 ] || skip "not root (registering a binfmt_misc entry needs root)"
mounted_here=
if [ ! -e "$BM/register" ]; then
	mount -t binfmt_misc binfmt_misc "$BM" 2>err || skip "binfmt_misc cannot be mounted on $BM: $(cat err)"
	mounted_here=1
fi
[ -w "$BM/register" ] || skip "$BM/register is not writable"
[ -e "$BM/nanoos" ] && skip "an entry named nanoos is registered already (by the package?); not touching it"
[ "$(cat "$BM/status")" = enabled ] || skip "binfmt_misc is disabled on this system ($BM/status)"

# Another entry claiming RV32 executables before we start (a real
# qemu-user-binfmt): after remove, it runs them instead of exec failing.
others=$("$N" binfmt status | sed -n '/^entries that claim/,/run with:/p' | grep -c '^  .* enabled ')

daemon=
cleanup() {
	[ -e "$BM/$RIVAL" ] && echo -1 >"$BM/$RIVAL"
	[ -e "$BM/nanoos" ] && echo -1 >"$BM/nanoos"
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	NANOOS_SOCKET=$T/auto.sock "$N" stop >/dev/null 2>&1
	[ -n "$mounted_here" ] && umount "$BM"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP     # (so that cleanup runs then too)

mkdir bin
for p in uname sh cat echo wc; do cp "$ROOTFS/bin/$p" "$p" && chmod +x "$p"; done
cp uname bin/nanoos-test-uname

"$N" binfmt install >out 2>err; st=$?
expect_err "install registers the entry" 0 "^nanoos binfmt: registered nanoos: .* $I "
grep -q "^interpreter $I$" "$BM/nanoos" && grep -q "^flags: P$" "$BM/nanoos" &&
	ok "the kernel's entry: our interpreter, flag P" || bad "the kernel's entry: our interpreter, flag P" "$(cat "$BM/nanoos")"

# ---- no daemon answers: the first programs start one (--auto-daemon) on
# the default image, made in our temp HOME; a pipeline shares it
./echo one two three | ./wc -w >out 2>err; st=$?
expect "with no daemon, a pipeline of two RV32 programs works (they share a started daemon)" 0 "^ *3$"
[ -f "$XDG_DATA_HOME/nanoos/sd.img" ] && [ -S "$NANOOS_SOCKET" ] &&
	ok "the daemon was started on the default image (made in the temp HOME)" ||
	bad "the daemon was started on the default image" "$(ls -R "$T/data"; cat err)"
"$N" status >out 2>err; st=$?
expect "... and it answers nanoos status" 0 "^image: +$XDG_DATA_HOME/nanoos/sd.img$"
[ -s "$XDG_DATA_HOME/nanoos/nanoosd.log" ] && ok "its log is nanoosd.log beside the image" ||
	bad "its log is nanoosd.log beside the image" "$(ls -la "$XDG_DATA_HOME/nanoos")"
./uname -s >out 2>err; st=$?
expect "./uname -s from bash runs under NanoOs (prints NanoOs, not Linux)" 0 "^NanoOs$"
./sh -c 'exit 7' >out 2>err; st=$?
expect "the exit status passes through (7)" 7 ""
./sh -c 'kill -TERM $$' >out 2>err; st=$?
expect "death by a signal is 128 + N, as in a shell (SIGTERM: 143)" 143 ""
./sh -c 'echo "$#:$1:$2:$3"' x 'a b' '' '-c' >out 2>err; st=$?
expect "arguments pass through (a space, an empty one, an option-like one)" 0 "^3:a b::-c$"
(exec -a custom-argv0 ./sh -c 'echo "[$0]"') >out 2>err; st=$?
expect "argv[0] passes through (flag P)" 0 "^\[custom-argv0\]$"
printf 'one\ntwo\n' | ./cat >out 2>err; st=$?
expect "stdin pipes through" 0 "^two$"
seq 1 20000 | ./wc -l >out 2>err; st=$?
expect "a long stdin pipes through (20000 lines)" 0 "^ *20000$"
PATH=$T/bin:$PATH nanoos-test-uname -s >out 2>err; st=$?
expect "found in PATH, it runs by its full path" 0 "^NanoOs$"
./uname -s 2>&1 | cat >out; st=${PIPESTATUS[0]}
expect "stdout to a pipe" 0 "^NanoOs$"

# ---- through a daemon, when one answers: no default image is made
"$N" sdimage create d.img --size 64M --rootfs "$ROOTFS" >/dev/null 2>err || bad "create the daemon's image" "$(cat err)"
export NANOOS_SOCKET=$T/d.sock XDG_DATA_HOME=$T/data2
timeout 300 "$D" --image "$T/d.img" --socket "$NANOOS_SOCKET" --foreground 2>daemon.log &
daemon=$!
for _ in $(seq 200); do [ -S "$NANOOS_SOCKET" ] && break; sleep 0.05; done
./uname -s >out 2>err; st=$?
expect "through the daemon: ./uname -s prints NanoOs" 0 "^NanoOs$"
[ ! -e "$XDG_DATA_HOME/nanoos/sd.img" ] && ok "through the daemon: no in-process image was made" ||
	bad "through the daemon: no in-process image was made" "$(cat err daemon.log)"
printf 'x\ny\n' | ./sh -c 'read a; read b; echo "$b$a"; exit 5' >out 2>err; st=$?
expect "through the daemon: stdin in, exit status out" 5 "^yx$"
(exec -a custom-argv0 ./sh -c 'echo "[$0]"') >out 2>err; st=$?
expect "through the daemon: argv[0] passes through" 0 "^\[custom-argv0\]$"
"$N" stop >/dev/null 2>&1 && wait "$daemon"
daemon=
export NANOOS_SOCKET=$T/auto.sock XDG_DATA_HOME=$T/data
"$N" stop >out 2>err; st=$?
expect "nanoos stop stops the started daemon" 0 ""

# ---- a daemon with --idle-exit ends itself once nothing is left
timeout 60 "$D" --image "$T/d.img" --socket "$T/idle.sock" --idle-exit 1 --foreground 2>idle.log &
idle=$!
for _ in $(seq 200); do [ -S "$T/idle.sock" ] && break; sleep 0.05; done
NANOOS_SOCKET=$T/idle.sock "$N" run /bin/sleep 2 >out 2>err; st=$?
if [ "$st" = 0 ] && kill -0 "$idle" 2>/dev/null; then ok "--idle-exit 1: a 2 s program keeps it"
else bad "--idle-exit 1: a 2 s program keeps it" "$(cat err idle.log)"; fi
for _ in $(seq 60); do kill -0 "$idle" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$idle" 2>/dev/null && wait "$idle" && grep -q "stopping: idle" idle.log &&
   grep -q "closed cleanly" idle.log; then
	ok "--idle-exit 1: it stops cleanly about a second after the last session"
else
	bad "--idle-exit 1: it stops by itself" "$(cat idle.log)"
	kill "$idle" 2>/dev/null
fi

# ---- the started daemon: none of the caller's, and started again at once
# (from the second review)
"$N" stop >/dev/null 2>&1
start=$(date +%s)
{ readlink /proc/$BASHPID/fd/3 >pipe.id; ./uname -s >/dev/null; } 3>&1 | cat >/dev/null
took=$(($(date +%s) - start))
pid=$(pgrep -f "nanoosd --image $XDG_DATA_HOME/nanoos/sd.img" | head -n 1)
if [ "$took" -lt 10 ] && [ -n "$pid" ] && grep -q '^pipe:' pipe.id &&
   ! ls -l /proc/$pid/fd 2>/dev/null | grep -qF "$(cat pipe.id)" &&
   [ "$(readlink /proc/$pid/cwd)" = / ]; then
	ok "the started daemon keeps none of the caller's fds (a pipe on fd 3 ends at once) and sits in /"
else
	bad "the started daemon keeps none of the caller's fds" \
		"took ${took}s; fd 3 was $(cat pipe.id); $(ls -l /proc/$pid/fd 2>&1 | grep pipe); cwd $(readlink /proc/$pid/cwd)"
fi
n_ok=0
for _ in 1 2 3; do
	"$N" stop >/dev/null 2>&1 && ./uname -s >out 2>err && grep -qx NanoOs out && n_ok=$((n_ok + 1))
done
if [ $n_ok = 3 ]; then ok "nanoos stop, then a program at once: it starts a daemon again (3 of 3)"
else bad "nanoos stop, then a program at once (only $n_ok of 3)" "$(cat err)"; fi
"$N" stop >/dev/null 2>&1
perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' ./uname -s >out 2>err; st=$?
expect "a caller that ignores SIGCHLD: the daemon still starts" 0 "^NanoOs$"
"$N" stop >/dev/null 2>&1
mkdir -p "$T/xdg" && chmod 700 "$T/xdg"
(unset NANOOS_SOCKET; INVOCATION_ID=0123456789abcdef NOTIFY_SOCKET=$T/nobody.sock \
 XDG_RUNTIME_DIR=$T/xdg ./uname -s) >out 2>err; st=$?
if [ "$st" = 0 ] && [ -S "$T/xdg/nanoos/nanoosd.sock" ]; then
	ok "run under a systemd unit (INVOCATION_ID), it starts a user daemon, not the system one"
else
	bad "under a unit, a user daemon" "$(cat out err; ls -la "$T/xdg" /run/nanoos 2>&1)"
fi
(unset NANOOS_SOCKET; XDG_RUNTIME_DIR=$T/xdg "$N" stop) >/dev/null 2>&1
# The start lock beside the image keeps idle stops and starts apart. A
# program connecting holds it shared: an idle daemon does not stop then.
# (A process is alive while it is there and no zombie: a detached daemon's
# parent here may be slow to reap it.)
alive() { [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
LOCK=$XDG_DATA_HOME/nanoos/.nanoosd-start.lock
"$D" --image "$XDG_DATA_HOME/nanoos/sd.img" --socket "$NANOOS_SOCKET" --idle-exit 1 2>>idle-lock.log
dpid=$(pgrep -f "nanoosd --image $XDG_DATA_HOME/nanoos/sd.img --socket $NANOOS_SOCKET --idle-exit 1")
flock -s "$LOCK" sleep 3 &
holder=$!
sleep 2.5
if alive "$dpid"; then ok "an idle daemon does not stop while a program holds the start lock"
else bad "an idle daemon does not stop while a program holds the start lock" "$(tail -n 3 idle-lock.log)"; fi
wait "$holder"
for _ in $(seq 40); do alive "$dpid" || break; sleep 0.1; done
if ! alive "$dpid"; then ok "... and stops once it is free"
else bad "... and stops once the lock is free"; "$N" stop >/dev/null 2>&1; fi
# A daemon stopping holds it exclusive: a program waits, then starts its own.
flock -x "$LOCK" sleep 1.5 &
holder=$!
sleep 0.3
start=$(date +%s.%N)
./uname -s >out 2>err; st=$?
waited=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print (b - a >= 1.0) }')
if [ "$st" = 0 ] && grep -qx NanoOs out && [ "$waited" = 1 ]; then
	ok "a program waits while the start lock is held exclusive, then runs"
else
	bad "a program waits for an exclusive start lock (exit $st, waited $waited)" "$(cat out err)"
fi
wait "$holder"
"$N" stop >/dev/null 2>&1
# And a stress: programs arriving as a daemon goes idle all run.
rounds=$SCALE
fails=0
for r in $(seq $rounds); do
	"$D" --image "$XDG_DATA_HOME/nanoos/sd.img" --socket "$NANOOS_SOCKET" --idle-exit 1 2>>idle-race.log ||
		bad "start nanoosd --idle-exit 1 (round $r)" "$(tail -n 3 idle-race.log)"
	sleep 0.9
	for i in $(seq 20); do ./uname -s >race.$i.out 2>race.$i.err & sleep 0.01; done
	wait
	for i in $(seq 20); do grep -qx NanoOs race.$i.out || { fails=$((fails + 1)); cat race.$i.err >>race.err; }; done
	"$N" stop >/dev/null 2>&1
done
if [ $fails = 0 ]; then ok "$((rounds * 20)) programs started around a daemon's idle exit all ran"
else bad "programs around an idle exit: $fails of $((rounds * 20)) failed" "$(head -n 5 race.err)"; fi

# ---- status
"$N" binfmt status >out 2>err; st=$?
expect "status: registered, enabled" 0 "^nanoos: registered, enabled$"
expect "status: the interpreter" 0 "^  interpreter $I$"
expect "status: nanoos runs RV32 executables" 0 "^RV32 executables run with: nanoos$"
"$N" binfmt status ./uname >out 2>err; st=$?
expect "status FILE: nanoos runs it" 0 "^\./uname run with: nanoos$"
"$N" binfmt status /bin/ls >out 2>err; st=$?
expect "status FILE: a Linux program is none of ours" 0 "^/bin/ls run with: no binfmt_misc entry \(not an RV32 executable"

# ---- a competitor with the same magic (what qemu-user-binfmt registers)
printf '#!/bin/sh\necho "rival ran $1"\n' >rival && chmod +x rival
rule=$(cat "$CONF" | grep -v '^#' | sed "s|^:nanoos:|:$RIVAL:|; s|:/usr/lib/nanoos/nanoos-binfmt:P$|:$T/rival:|")
echo "$rule" >"$BM/register" || bad "register the rival" "$rule"
./uname -s >out 2>err; st=$?
expect "registered last, the rival wins" 0 "^rival ran \./uname$"
"$N" binfmt status >out 2>err; st=$?
expect "status says the rival wins" 0 "^RV32 executables run with: $RIVAL$"
sed -n '/^entries that claim/,$p' out | grep -E '^  (nanoos|'$RIVAL') ' | awk '{print $1}' | tr '\n' ' ' >order
[ "$(cat order)" = "$RIVAL nanoos " ] && ok "status lists the entries newest first" ||
	bad "status lists the entries newest first" "$(cat out)"
echo 0 >"$BM/$RIVAL"
./uname -s >out 2>err; st=$?
expect "the rival disabled: NanoOs runs it" 0 "^NanoOs$"
"$N" binfmt status >out 2>err; st=$?
expect "status: the rival disabled, nanoos wins" 0 "^RV32 executables run with: nanoos$"
echo 1 >"$BM/$RIVAL"
./uname -s >out 2>err; st=$?
expect "enabled again, the rival wins again (enabling keeps the order)" 0 "^rival ran"
"$N" binfmt install >out 2>err; st=$?
expect_err "install again warns about the rival and says how to disable it" 0 \
	"echo 0 > $BM/$RIVAL"
./uname -s >out 2>err; st=$?
expect "installed again (now the newest), NanoOs wins" 0 "^NanoOs$"
"$N" binfmt status >out 2>err; st=$?
expect "status agrees: nanoos wins" 0 "^RV32 executables run with: nanoos$"
echo -1 >"$BM/$RIVAL"

# ---- remove
"$N" binfmt remove >out 2>err; st=$?
expect_err "remove unregisters the entry" 0 "^nanoos binfmt: removed nanoos$"
[ ! -e "$BM/nanoos" ] && ok "the entry is gone" || bad "the entry is gone" "$(ls "$BM")"
if [ "$others" = 0 ]; then
	./uname -s >out 2>err; st=$?
	expect_err "removed: exec fails with Exec format error" 126 "Exec format error"
else
	echo "binfmt: $others other entries claim RV32 executables here; not checking Exec format error"
fi
"$N" binfmt status >out 2>err; st=$?
expect "status: not registered" 0 "^nanoos: not registered"
"$N" binfmt remove >out 2>err; st=$?
expect_err "remove again: nothing to remove" 0 "not registered; nothing to remove"

# ---- at boot: systemd-binfmt with our nanoos.conf and a qemu-riscv32.conf
# (the rival's rule), in a user namespace with a binfmt_misc instance of its
# own (Linux 6.7+), so the system's entries are not touched.
mkdir bd
sed "s|:/usr/lib/nanoos/nanoos-binfmt:|:$I:|" "$CONF" >bd/nanoos.conf
echo "$rule" | sed "s|^:$RIVAL:|:qemu-riscv32:|" >bd/qemu-riscv32.conf
boot() {  # boot: register bd/*.conf as systemd-binfmt does at boot, run ./uname -s
	timeout 60 unshare --user --map-root-user --mount --fork sh -c "
		mount -t binfmt_misc binfmt_misc $BM 2>/dev/null || exit 99
		mount --bind '$T/bd' /etc/binfmt.d && /lib/systemd/systemd-binfmt && ./uname -s"
}
if [ ! -x /lib/systemd/systemd-binfmt ]; then
	echo "binfmt: skipped the boot-order checks: no /lib/systemd/systemd-binfmt"
elif boot >out 2>err; st=$?; [ "$st" = 99 ]; then
	echo "binfmt: skipped the boot-order checks: no binfmt_misc of its own in a user namespace (Linux < 6.7)"
else
	expect "at boot qemu-riscv32.conf (after nanoos.conf) wins" 0 "^rival ran \./uname$"
	ln -sf /dev/null bd/qemu-riscv32.conf
	boot >out 2>err; st=$?
	expect "at boot, with qemu-riscv32.conf masked (/dev/null), NanoOs runs it" 0 "^NanoOs$"
fi
suite_end
