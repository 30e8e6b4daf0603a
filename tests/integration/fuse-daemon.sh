#!/bin/bash
# FUSE through the daemon (DESIGN.md section 8, nanoosd/fsfwd.c,
# fuse-bridge/remote.c), with real mounts: a nanoosd on an image, and
# `nanoos mount DIR` (no --image, and --image of the daemon's image) that
# forwards every request to it. Linux writes, a guest reads at once, and
# the other way round (no stale cache); mkdir, rename, unlink and rmdir
# seen both ways; a big file (8 MiB, 64 MiB at scale 10) byte-exact both
# ways; many threads on one connection (tests/fsfwd/fsfwd_client.c);
# tests/fuse/'s fuse_fsx and fuse_par through the daemon;
# malformed FS frames drop only their connection; a client killed with
# open handles has them closed; the account's policy (root for root; the
# `user` account for the owner of a uid-65534 daemon); a daemon from before
# forwarding (fuse-daemon/pre_fs_daemon.py) named with what to do;
# `nanoos stop` with mounts attached, and a daemon killed with SIGKILL: the
# mounts report ENOTCONN and `nanoos umount` clears them; fsck.fat -n
# exits 0 after each clean stop. At scale 10 a mount idle for 65 s (more
# than the daemon's idle timeout) still works.
set -u
BUILD=${1:-${BUILD:-build}}
SCALE=${NANOOS_SCALE:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
suite_needs fuse-daemon "$BUILD/bin/nanoos" "$BUILD/bin/nanoosd" \
	"$BUILD/tests/tools/fsfwd_client" "$BUILD/rootfs/bin/sh"
N=$(realpath "$BUILD/bin/nanoos")
NANOOSD=$(realpath "$BUILD/bin/nanoosd")
F=$(realpath "$BUILD/tests/tools/fsfwd_client")
ROOTFS=$(realpath "$BUILD/rootfs")
TOOLS=$(realpath "$BUILD/tests/tools")  # fuse_fsx, fuse_par (tests/fuse/), if built
if [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	bad "FUSE is here (/dev/fuse and fusermount3)"
	suite_end
fi

suite_tmpdir
chmod 755 "$T"                          # the uid-65534 daemon's part lives inside
mounts=()
daemons=()
cleanup() {   # mounts and daemons of ours left by a failure, then the directory
	local m p
	for m in "${mounts[@]}"; do
		if grep -q " $m " /proc/self/mountinfo; then
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null
		fi
	done
	for p in "${daemons[@]}"; do
		grep -q nanoosd "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
export NANOOS_SOCKET=$T/run/nanoosd.sock NANOOS_IMAGE=$T/sd.img
mkdir -m 700 run
BIG_MB=8
IMG_SIZE=64M
if [ "$SCALE" -ge 10 ]; then BIG_MB=64; IMG_SIZE=256M; fi

# check NAME CMD...: CMD succeeds (out and err shown when not)
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name" "$(cat out err 2>/dev/null)"; fi
}
nanoos() { timeout 60 "$N" "$@" >out 2>err </dev/null; st=$?; }
guest() { nanoos run "$@"; }
# mounted DIR [SOURCE]: a nanoos mount on DIR (absolute), of SOURCE if given
mounted() { grep -qE " $1 .* - fuse\.nanoos ${2:-[^ ]+} " /proc/self/mountinfo; }
# mount_at DIR [ARGS]: nanoos mount ARGS DIR (in the background, as users do)
mount_at() {
	local dir=$1
	shift
	mkdir -p "$dir"
	mounts+=("$T/$dir")
	timeout 60 "$N" mount "$@" "$dir" >out 2>err </dev/null
	st=$?
}
# start_daemon: nanoosd on sd.img, debug log in d.log; waits until it answers
start_daemon() {
	"$NANOOSD" --image "$NANOOS_IMAGE" --socket "$NANOOS_SOCKET" --foreground --workers 2 \
		--log-level debug >>d.log 2>&1 &
	dpid=$!
	daemons+=("$dpid")
	local i
	for i in $(seq 200); do
		"$N" status >/dev/null 2>&1 && return 0
		kill -0 "$dpid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# fsck_shown IMG: fsck_clean (lib.sh), its report in err for check to show
fsck_shown() { fsck_clean "$1" || { cp fsck.out err; return 1; }; }
not() { ! "$@"; }
enotconn() { ! ls "$1" >ls.out 2>&1 && grep -q "Transport endpoint is not connected" ls.out; }
# wait_for FILE PATTERN: until FILE has a line matching PATTERN (10 s)
wait_for() {
	local i
	for i in $(seq 200); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

"$N" sdimage create sd.img --size "$IMG_SIZE" --rootfs "$ROOTFS" >/dev/null 2>err ||
	bad "create the image" "$(cat err)"
cp sd.img nb.img                        # for the uid-65534 daemon, clean

# ---------------------------------------------------------------- a daemon from before forwarding
if command -v python3 >/dev/null; then
	python3 "$HERE/fuse-daemon/pre_fs_daemon.py" "$T/old.sock" &
	for _ in $(seq 100); do [ -S "$T/old.sock" ] && break; sleep 0.05; done
	NANOOS_SOCKET=$T/old.sock mount_at old
	expect_err "a daemon from before FUSE forwarding: exit 1, its version, restart it" 1 \
		"the daemon \(version 0\.5\) does not forward FUSE requests; restart it"
	check "... and nothing is mounted" not mounted "$T/old"
	wait
else
	echo "skip:   a daemon from before FUSE forwarding (needs python3)"
fi

# ---------------------------------------------------------------- mounts through the daemon
check "nanoosd starts on the image" start_daemon
mount_at m1
expect "nanoos mount DIR (no --image) with a daemon running: exit 0" 0 ""
check "... mounted through the daemon (fsname nanoos:daemon)" mounted "$T/m1" nanoos:daemon
mount_at m2 --image "$NANOOS_IMAGE"
expect "nanoos mount --image (the daemon's image) DIR: exit 0" 0 ""
check "... also through the daemon" mounted "$T/m2" nanoos:daemon

# ---- Linux writes, a guest reads at once; and back
echo "written by linux" > m1/tmp/lx.txt
guest /bin/cat /tmp/lx.txt
expect "Linux writes through the mount, a guest's cat reads it at once" 0 "^written by linux$"
check "... and the other mount sees it at once" grep -qx "written by linux" m2/tmp/lx.txt
guest /bin/sh -c 'echo from-the-guest > /tmp/g.txt'
check "a guest writes /tmp/g.txt, Linux reads it at once" grep -qx from-the-guest m1/tmp/g.txt
guest /bin/sh -c 'echo a-longer-second-line-from-the-guest > /tmp/g.txt'
check "... rewritten longer by the guest, Linux reads the new text (no stale cache)" \
	grep -qx a-longer-second-line-from-the-guest m1/tmp/g.txt
guest /bin/sh -c 'echo x > /tmp/g.txt'
check "... and shorter: the new size too" bash -c "[ \"\$(cat m1/tmp/g.txt)\" = x ]"
printf 'appended\n' >> m1/tmp/g.txt
guest /bin/cat /tmp/g.txt
check "Linux appends, the guest sees both lines" bash -c "[ \"\$(cat out)\" = \"\$(printf 'x\nappended')\" ]"

# ---- directories, renames, removals both ways
mkdir m1/tmp/dir-linux
guest /bin/ls /tmp
expect "mkdir in Linux: the guest's ls lists it" 0 "^dir-linux$"
guest /bin/mkdir /tmp/dir-guest
check "mkdir in the guest: Linux sees a directory" test -d m1/tmp/dir-guest
mv m1/tmp/lx.txt m1/tmp/dir-linux/moved.txt
guest /bin/cat /tmp/dir-linux/moved.txt
expect "rename in Linux: the guest reads the new name" 0 "^written by linux$"
guest /bin/cat /tmp/lx.txt
check "... and not the old one" test "$st" != 0
guest /bin/mv /tmp/g.txt /tmp/dir-guest/g2.txt
check "rename in the guest: Linux sees the new name, not the old" \
	bash -c "[ -f m1/tmp/dir-guest/g2.txt ] && [ ! -e m1/tmp/g.txt ]"
rm m1/tmp/dir-linux/moved.txt
guest /bin/ls /tmp/dir-linux
check "unlink in Linux: gone for the guest" bash -c "[ $st = 0 ] && ! grep -q moved out"
guest /bin/rm /tmp/dir-guest/g2.txt
check "unlink in the guest: gone for Linux" test ! -e m1/tmp/dir-guest/g2.txt
guest /bin/rmdir /tmp/dir-linux
check "rmdir in the guest: gone for Linux" test ! -e m1/tmp/dir-linux
rmdir m1/tmp/dir-guest
guest /bin/ls /tmp
check "rmdir in Linux: gone for the guest" bash -c "[ $st = 0 ] && ! grep -q dir-guest out"

# ---- a big file both ways
head -c "$((BIG_MB << 20))" /dev/urandom > big
cp big m1/tmp/big
guest /bin/cat /tmp/big
check "$BIG_MB MiB written by Linux: the guest's cat gives the same bytes" cmp -s out big
timeout 120 "$N" run /bin/sh -c 'cat > /tmp/big2' <big >/dev/null 2>err
check "$BIG_MB MiB written by a guest: the same bytes through the mount" cmp -s m1/tmp/big2 big
check "... and through the other mount" cmp -s m2/tmp/big2 big
rm -f m1/tmp/big m1/tmp/big2

# ---- many writers at once
cps=()
for i in 1 2 3 4; do
	head -c "$((SCALE << 20))" /dev/urandom > par$i
	cp par$i m1/tmp/par$i &
	cps+=($!)
done
wait "${cps[@]}"
bad_par=0
for i in 1 2 3 4; do
	guest /bin/cat /tmp/par$i
	cmp -s out par$i || bad_par=$((bad_par + 1))
	rm -f m1/tmp/par$i
done
check "4 Linux copies at once through one mount: each byte-exact for the guest" test $bad_par = 0
timeout 120 "$F" threads 8 $((SCALE << 18)) >out 2>err
check "8 threads on one connection (remote backend): write, read, stat, readdir, unlink" \
	grep -qx ok out
# The exercisers of tests/fuse/ (fuse-posix.sh runs them on local mounts).
if [ -x "$TOOLS/fuse_fsx" ] && [ -x "$TOOLS/fuse_par" ]; then
	mkdir -p m1/tmp/fsx m1/tmp/par
	timeout 600 "$TOOLS/fuse_fsx" --seed 4 --ops $((2000 * SCALE)) m1/tmp/fsx/f >out 2>err
	st=$?
	expect "fuse_fsx through the daemon: $((2000 * SCALE)) operations match the model" 0 \
		"no mismatch"
	timeout 600 "$TOOLS/fuse_par" m1/tmp/par >out 2>err
	st=$?
	expect "fuse_par through the daemon: 8 processes write and verify at once" 0 \
		" 0 failed"
	rm -rf m1/tmp/fsx m1/tmp/par
else
	echo "skip:   fuse_fsx and fuse_par through the daemon (tests/fuse/ not built)"
fi

# ---- the account's policy: root here
echo root-made > m1/etc/fuse-root.txt 2>err
guest /bin/cat /etc/fuse-root.txt
expect "a root client mounts as NanoOs root: it writes /etc" 0 "^root-made$"
rm -f m1/etc/fuse-root.txt

# ---- malformed FS frames: that connection only
for kind in readbig dirzero shortdata hugewrite; do
	timeout 30 "$F" garbage "$kind" >out 2>err
	expect "a client sending a malformed FS frame ($kind) is dropped" 0 "^closed$"
done
check "... each logged" bash -c "[ \$(grep -c 'closing that connection' d.log) -ge 4 ]"
echo still-here > m1/tmp/after.txt
guest /bin/cat /tmp/after.txt
expect "the mount keeps working after them" 0 "^still-here$"

# ---- a client killed with a handle open: the daemon closes it
"$F" hold 60 >hold.out 2>&1 &
hold=$!
wait_for hold.out "^holding handle"
before=$(grep -c "the mount ended; closed its 1 open handle" d.log)
{ kill -KILL "$hold"; wait "$hold"; } 2>/dev/null
check "a mount client killed with a handle open: the daemon closes it" \
	wait_for d.log "the mount ended; closed its 1 open handle"
check "... (that one, just now)" \
	bash -c "[ \$(grep -c 'the mount ended; closed its 1 open handle' d.log) -gt $before ]"

# ---- idle (scale 10): the mount outlives the daemon's 60 s idle timeout
if [ "$SCALE" -ge 10 ]; then
	sleep 65
	check "a mount idle for 65 s still works" grep -qx still-here m1/tmp/after.txt
fi

# ---------------------------------------------------------------- nanoos stop with mounts attached
nanoos stop
check "nanoos stop with two mounts attached: exit 0" bash -c "[ $st = 0 ] && grep -q stopped out err"
check "... the daemon exits 0" wait "$dpid"
check "... its log says the image closed cleanly" grep -q "closed cleanly" d.log
both_enotconn() { enotconn m1 && enotconn m2; }
check "... the mounts report ENOTCONN" both_enotconn
nanoos umount m1
expect "nanoos umount DIR clears a mount whose daemon stopped" 0 ""
check "... m1 is gone from mountinfo" not mounted "$T/m1"
nanoos umount m2
expect "... and the other one" 0 ""
check "fsck.fat -n after the stop: exit 0" fsck_shown sd.img

# ---------------------------------------------------------------- a daemon killed with SIGKILL
check "nanoosd starts again" start_daemon
mkdir -p m3
mounts+=("$T/m3")
"$N" mount --foreground m3 >fg.out 2>fg.err </dev/null &
fg=$!
for _ in $(seq 200); do mounted "$T/m3" && break; sleep 0.05; done
echo kept > m3/tmp/kept.txt
sync m3/tmp/kept.txt
{ kill -KILL "$dpid"; wait "$dpid"; } 2>/dev/null
# The mount process notices and exits first: a request caught in flight
# when it exits fails with ECONNABORTED, every one after with ENOTCONN.
wait "$fg"
fgst=$?
check "the daemon killed (SIGKILL): the mount reports ENOTCONN" enotconn m3
check "... its mount process says so and exits 1" bash -c "[ $fgst = 1 ] &&
	grep -q \"the daemon went away .*'Transport endpoint is not connected'; run nanoos umount\" fg.err"
nanoos umount m3
expect "... nanoos umount DIR clears it" 0 ""
check "... gone from mountinfo" not mounted "$T/m3"
check "nanoosd starts on the killed daemon's image" start_daemon
guest /bin/cat /tmp/kept.txt
expect "... what was synced before the kill is there" 0 "^kept$"

# ---------------------------------------------------------------- a daemon of uid 65534
# Its programs and image are copies it can reach; its owner (uid 65534,
# no account of its name) is NanoOs `user`, Linux root is NanoOs root.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	P=$T/nobody
	mkdir -m 755 "$P" "$P/bin" && cp "$N" "$NANOOSD" "$F" "$P/bin/" && chmod 755 "$P"/bin/*
	mkdir -m 700 "$P/run" && mv nb.img "$P/nb.img" && chown 65534:65534 "$P/run" "$P/nb.img"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	setpriv --reuid=65534 --regid=65534 --clear-groups "$P/bin/nanoosd" --image "$P/nb.img" --socket "$P/run/s.sock" --foreground \
		--workers 1 >nb.log 2>&1 &
	nbpid=$!
	daemons+=("$nbpid")
	for _ in $(seq 200); do
		NANOOS_SOCKET=$P/run/s.sock "$N" status >/dev/null 2>&1 && break
		sleep 0.05
	done
	NANOOS_SOCKET=$P/run/s.sock mount_at m5
	expect "root mounts through a daemon of uid 65534" 0 ""
	echo root-again > m5/etc/root5.txt 2>err
	check "... as NanoOs root: it writes /etc" grep -qx root-again m5/etc/root5.txt
	NANOOS_SOCKET=$P/run/s.sock as_nobody "$P/bin/fsfwd_client" write /etc/nb.txt x >out 2>err
	st=$?
	expect "the daemon's owner (uid 65534, NanoOs user) may not write /etc" 1 \
		"^/etc/nb.txt: .*[Pp]ermission denied"
	NANOOS_SOCKET=$P/run/s.sock as_nobody "$P/bin/fsfwd_client" mkdir /root/nb >out 2>err
	st=$?
	expect "... nor make a directory in /root" 1 "[Pp]ermission denied"
	NANOOS_SOCKET=$P/run/s.sock as_nobody "$P/bin/fsfwd_client" write /tmp/nb.txt by-nobody \
		>out 2>err
	st=$?
	expect "... but writes /tmp" 0 "^ok$"
	check "... which root's mount reads at once" grep -qx by-nobody m5/tmp/nb.txt
	NANOOS_SOCKET=$P/run/s.sock as_nobody "$P/bin/fsfwd_client" mkdir /home/user/nb >out 2>err
	st=$?
	expect "... and makes a directory in /home/user" 0 "^ok$"
	nanoos umount m5
	expect "nanoos umount of the uid-65534 daemon's mount" 0 ""
	kill -TERM "$nbpid"
	wait "$nbpid"
	st=$?
	cp nb.log out
	expect "the uid-65534 daemon stops cleanly (SIGTERM)" 0 "closed cleanly"
	check "fsck.fat -n on its image: exit 0" fsck_shown "$P/nb.img"
else
	echo "skip:   the policy of a uid-65534 daemon's owner (needs root and setpriv)"
fi

# ---------------------------------------------------------------- the end
nanoos stop
check "the last nanoos stop: exit 0" bash -c "[ $st = 0 ] && grep -q stopped out err"
check "... the daemon exits 0" wait "$dpid"
check "fsck.fat -n at the end: exit 0" fsck_shown sd.img
suite_end
