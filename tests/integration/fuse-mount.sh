#!/bin/bash
# `nanoos mount` / `nanoos umount` with real FUSE mounts, judged from
# outside: fsck.fat -n on the partition after every unmount, mtools and
# `nanoos sdimage` reading what the mount wrote (and the other way round),
# stat for the owner and mode options, errno for what FAT cannot do.
# The deep POSIX semantics and the random exerciser are tests/fuse/'s.
#
# Usage: tests/integration/fuse-mount.sh [BUILD_DIR]   (NANOOS_SCALE sizes)
set -u
BUILD=${1:-${BUILD:-build}}
. "$(dirname "$0")/lib.sh"
suite_needs fuse-mount "$BUILD/bin/nanoos" /dev/fuse
N=$(realpath "$BUILD/bin/nanoos")
SCALE=${NANOOS_SCALE:-1}
OFF=1048576                     # the partition starts at 1 MiB
export MTOOLS_SKIP_CHECK=1
for tool in fusermount3 fsck.fat mcopy mdir mattrib python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "fuse-mount: $tool is missing: run packaging/install-deps.sh"
		echo "SUITE fuse-mount: 0 passed, 1 failed"
		exit 1
	fi
done

suite_tmpdir
export NANOOS_SOCKET=$T/no-daemon.sock  # a daemon elsewhere must not serve us
export XDG_RUNTIME_DIR=$T/run
mkdir -p "$XDG_RUNTIME_DIR" m m2
# Every mount under $T goes, whatever happens: lazily if it must, and the
# servers we started are killed last.
cleanup() {
	local mp
	for mp in $(awk '$5 ~ "^'"$T"'/" { print $5 }' /proc/self/mountinfo); do
		fusermount3 -u "$mp" 2>/dev/null || fusermount3 -uz "$mp" 2>/dev/null
	done
	for p in $(cat "$T"/*.lock 2>/dev/null | sed -n 's/^pid \([0-9]*\):.*/\1/p'); do
		kill -9 "$p" 2>/dev/null
	done
	cd / && rm -rf "$T"
}
trap cleanup EXIT

# run CMD...: status in $st, stdout in out, stderr in err
run() { "$@" >out 2>err; st=$?; }
mounted() { grep -q " $T/$1 .* - fuse.nanoos " /proc/self/mountinfo; }
server_of() { sed -n 's/^pid \([0-9]*\):.*/\1/p' "$1.lock" 2>/dev/null; }
# wait_gone PID: until the process has ended (zombies count), 20 s at most
wait_gone() {
	local i
	for i in $(seq 200); do
		[ -e "/proc/$1" ] || return 0
		[ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.1
	done
	return 1
}
# errno_of PYTHON-EXPR-USING-os: the errno name an os call fails with
errno_of() {
	python3 -c "import os, errno, sys
try:
    $1
    print('OK')
except OSError as e:
    print(errno.errorcode[e.errno])"
}

# FAT16 at every scale: the damage checks below poke its boot sector.
"$N" sdimage create sd.img --size $((64 * SCALE))M --fat 16 >/dev/null || bad "sdimage create"

# ---------------------------------------------------------------- usage
run "$N" mount --help
expect "mount --help" 0 "usage: nanoos mount"
run "$N" umount --help
expect "umount --help" 0 "usage: nanoos umount"
run "$N" mount
expect_err "mount without DIR: usage, exit 2" 2 "which directory"
run "$N" mount --image sd.img m -o uid=abc
expect_err "-o uid=abc: exit 2" 2 "uid=abc: bad value"
run "$N" mount --image sd.img m -o umask=999
expect_err "-o umask=999: exit 2" 2 "umask=999: bad value"
run "$N" mount --image sd.img m -o no_such_option
expect_err "an option FUSE does not know: exit 2" 2 "no_such_option"
mounted m && bad "a refused mount left a mount behind"

# ---------------------------------------------------------------- errors
run "$N" mount --image missing.img m
expect_err "missing image: says how to create it" 1 "nanoos sdimage create"
run "$N" mount --image sd.img nodir
expect_err "missing directory: says mkdir" 1 "nodir: no such directory; create it"
touch afile
run "$N" mount --image sd.img afile
expect_err "not a directory" 1 "afile: not a directory"
run "$N" umount m
expect_err "umount of a plain directory" 1 "m: not a mount point"

# ---------------------------------------------------------------- round trip
run "$N" mount --image sd.img m
expect "mount returns 0 in the background" 0 ""
if grep -q " $T/m .* - fuse.nanoos nanoos:$T/sd.img " /proc/self/mountinfo; then
	ok "mountinfo: type fuse.nanoos, source nanoos:IMG"
else
	bad "mountinfo: type fuse.nanoos, source nanoos:IMG" "$(grep "$T" /proc/self/mountinfo)"
fi
head -c $((3 * SCALE * 1048576 + 12345)) /dev/urandom > big.bin
echo "hello through FUSE" > small.txt
mkdir -p m/dir/sub && cp big.bin m/dir/sub/big.bin && cp small.txt m/small.txt
if cmp -s big.bin m/dir/sub/big.bin && cmp -s small.txt m/small.txt; then
	ok "files written through the mount read back"
else
	bad "files written through the mount read back"
fi
run ls m/dir
expect "readdir lists a new directory" 0 "^sub$"
run "$N" umount m
expect "umount exits 0" 0 ""
mounted m && bad "umount left the mount"
fsck_step sd.img "writing through the mount"
if "$N" sdimage cat sd.img /dir/sub/big.bin 2>err | cmp -s - big.bin; then
	ok "sdimage cat reads what the mount wrote"
else
	bad "sdimage cat reads what the mount wrote" "$(cat err)"
fi
if mcopy -n -i "sd.img@@$OFF" ::/small.txt - 2>err | cmp -s - small.txt &&
   mdir -i "sd.img@@$OFF" ::/dir 2>&1 | grep -q sub; then
	ok "mtools reads what the mount wrote"
else
	bad "mtools reads what the mount wrote" "$(cat err)"
fi

# the other way round: written by sdimage and mtools, read through the mount
head -c 200000 /dev/urandom > put.bin
echo "from mtools" > m.txt
"$N" sdimage put sd.img put.bin /put.bin 2>err || bad "sdimage put" "$(cat err)"
mcopy -i "sd.img@@$OFF" m.txt ::/mtools.txt 2>err || bad "mcopy" "$(cat err)"
"$N" mount --image sd.img m 2>err || bad "mount again" "$(cat err)"
if cmp -s put.bin m/put.bin && cmp -s m.txt m/mtools.txt; then
	ok "the mount reads what sdimage put and mcopy wrote"
else
	bad "the mount reads what sdimage put and mcopy wrote"
fi

# ---------------------------------------------------------------- FAT's limits
e=$(errno_of "os.symlink('x', 'm/link')")
[ "$e" = EPERM ] && ok "symlink: EPERM" || bad "symlink: EPERM" "$e"
e=$(errno_of "os.link('m/small.txt', 'm/hard')")
[ "$e" = EPERM ] && ok "link: EPERM" || bad "link: EPERM" "$e"
e=$(errno_of "os.mkfifo('m/fifo')")
[ "$e" = EPERM ] && ok "mkfifo: EPERM" || bad "mkfifo: EPERM" "$e"
e=$(errno_of "os.chown('m/small.txt', 1, 1)")
[ "$e" = EPERM ] && ok "chown to another owner: EPERM" || bad "chown: EPERM" "$e"
e=$(errno_of "os.chown('m/small.txt', os.getuid(), os.getgid())")
[ "$e" = OK ] && ok "chown to the mount's owner: allowed" || bad "chown to self" "$e"
e=$(errno_of "
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.renameat2(-100, b'm/small.txt', -100, b'm/put.bin', 2) != 0:
        raise OSError(ctypes.get_errno(), 'renameat2')")
[ "$e" = EINVAL ] && ok "rename RENAME_EXCHANGE: EINVAL" || bad "RENAME_EXCHANGE: EINVAL" "$e"
e=$(errno_of "
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.renameat2(-100, b'm/small.txt', -100, b'm/put.bin', 1) != 0:
        raise OSError(ctypes.get_errno(), 'renameat2')")
[ "$e" = EEXIST ] && ok "rename RENAME_NOREPLACE onto a file: EEXIST" || bad "NOREPLACE" "$e"
cmp -s put.bin m/put.bin || bad "a refused rename changed the target"
e=$(errno_of "os.truncate('m/put.bin', 5 << 30)")
[ "$e" = EFBIG ] && ok "truncate past 4 GiB - 1: EFBIG" || bad "truncate 5G: EFBIG" "$e"

# chmod: the write bits are FAT's read-only attribute; the rest is fixed
chmod a-w m/small.txt
[ "$(stat -c %a m/small.txt)" = 555 ] && ok "chmod a-w shows 555" ||
	bad "chmod a-w shows 555" "$(stat -c %a m/small.txt)"
e=$(errno_of "os.chmod('m/small.txt', 0o644)")
[ "$e" = EPERM ] && ok "chmod of the x bits: EPERM (as vfat)" || bad "chmod 644: EPERM" "$e"
e=$(errno_of "os.chmod('m/dir', 0o555)")
[ "$e" = EPERM ] && ok "chmod a-w of a directory: EPERM (as vfat)" || bad "chmod dir" "$e"
"$N" umount m
if mattrib -i "sd.img@@$OFF" ::/small.txt | grep -q ' R '; then
	ok "chmod a-w set the FAT read-only attribute (mattrib)"
else
	bad "chmod a-w set the FAT read-only attribute" "$(mattrib -i "sd.img@@$OFF" ::/small.txt)"
fi
"$N" mount --image sd.img m 2>err || bad "mount again" "$(cat err)"
chmod u+w m/small.txt 2>err || bad "chmod u+w" "$(cat err)"
[ "$(stat -c %a m/small.txt)" = 755 ] && ok "chmod u+w shows 755 again" ||
	bad "chmod u+w shows 755" "$(stat -c %a m/small.txt)"
"$N" umount m
if mattrib -i "sd.img@@$OFF" ::/small.txt | grep -q ' R '; then
	bad "chmod u+w cleared the read-only attribute" "$(mattrib -i "sd.img@@$OFF" ::/small.txt)"
else
	ok "chmod u+w cleared the read-only attribute (mattrib)"
fi
fsck_step sd.img "chmod, renames and refusals"

# ---------------------------------------------------------------- options
"$N" mount --image sd.img m -o uid=1234,gid=4321,fmask=133,dmask=027 2>err ||
	bad "mount -o uid,gid,fmask,dmask" "$(cat err)"
s=$(stat -c '%u %g %a' m/small.txt m/dir | tr '\n' ' ')
[ "$s" = "1234 4321 644 1234 4321 750 " ] && ok "uid, gid, fmask, dmask show in stat" ||
	bad "uid, gid, fmask, dmask show in stat" "$s"
"$N" umount m
"$N" mount --image sd.img m -o umask=077 2>err || bad "mount -o umask=077" "$(cat err)"
s=$(stat -c '%u %a' m/small.txt m/dir | tr '\n' ' ')
[ "$s" = "$(id -u) 700 $(id -u) 700 " ] && ok "umask=077: 700, the mounting user" ||
	bad "umask=077" "$s"
"$N" umount m
"$N" mount --image sd.img m -o ro 2>err || bad "mount -o ro" "$(cat err)"
e=$(errno_of "open('m/new.txt', 'w')")
[ "$e" = EROFS ] && ok "-o ro: create fails with EROFS" || bad "-o ro: create EROFS" "$e"
e=$(errno_of "os.mkdir('m/newdir')")
[ "$e" = EROFS ] && ok "-o ro: mkdir fails with EROFS" || bad "-o ro: mkdir EROFS" "$e"
cmp -s put.bin m/put.bin && ok "-o ro: reads work" || bad "-o ro: reads work"
"$N" umount m

# ---------------------------------------------------------------- in the way
"$N" mount --image sd.img m 2>err || bad "mount" "$(cat err)"
run "$N" mount --image sd.img m2
expect_err "a second mount of the image names the holder" 1 "in use by pid [0-9]+.*nanoos umount"
run "$N" mount --image sd.img m
expect_err "mounting on a mount point is refused" 1 "already a mount point"
( cd m/dir && exec sleep 30 ) &
sleeper=$!
sleep 0.3
run "$N" umount m
expect_err "umount of a busy mount names who uses it" 1 "target is busy.*sleep"
kill $sleeper; wait $sleeper 2>/dev/null
run "$N" umount m
expect "umount after the user left" 0 ""

echo keep > m2/hidden.txt
run "$N" mount --image sd.img m2
expect_err "a non-empty directory: mounted, with a note" 0 "not empty"
[ ! -e m2/hidden.txt ] && [ -e m2/small.txt ] && ok "the mount covers what was there" ||
	bad "the mount covers what was there"
"$N" umount m2
[ -e m2/hidden.txt ] && ok "umount shows it again" || bad "umount shows it again"

# ---------------------------------------------------------------- signals
"$N" mount --image sd.img m 2>err || bad "mount" "$(cat err)"
pid=$(server_of sd.img)
head -c $((SCALE * 1048576)) /dev/urandom > term.bin
cp term.bin m/term.bin
kill -TERM "$pid"
if wait_gone "$pid" && ! mounted m; then ok "SIGTERM: unmounted, server gone"; else
	bad "SIGTERM: unmounted, server gone"; fi
fsck_step sd.img "SIGTERM"
"$N" sdimage cat sd.img /term.bin 2>/dev/null | cmp -s - term.bin &&
	ok "SIGTERM: written data is on the image" || bad "SIGTERM: written data is on the image"

# SIGTERM while a writer is busy, in the foreground: the server detaches the
# mount and ends cleanly (exit 0, no "Bad file descriptor" from libfuse).
for i in 1 2 3; do
	"$N" mount --image sd.img m --foreground >fg.log 2>&1 &
	fg=$!
	for _ in $(seq 100); do mounted m && break; sleep 0.05; done
	dd if=/dev/urandom of=m/busy.bin bs=64k count=$((32 * SCALE)) status=none 2>/dev/null &
	dd_pid=$!
	sleep 0.2
	kill -TERM "$fg"
	wait "$fg"
	fst=$?
	wait "$dd_pid" 2>/dev/null
	if [ "$fst" = 0 ] && ! grep -q "Bad file descriptor" fg.log && ! mounted m; then
		ok "SIGTERM mid-write $i: exit 0, unmounted"
	else
		bad "SIGTERM mid-write $i: exit 0, unmounted (exit $fst)" "$(cat fg.log)"
	fi
	fsck_step sd.img "SIGTERM mid-write $i"
done

# fs's handle table (256) is the mount's: full, an open fails with ENFILE
# and an O_CREAT that failed left no file behind; closing frees them.
"$N" mount --image sd.img m 2>err || bad "mount" "$(cat err)"
mkdir -p m/many
e=$(errno_of "fds = []
    try:
        for i in range(400): fds.append(os.open('m/many/f%d' % i, os.O_CREAT | os.O_RDWR))
    finally:
        n = len(fds); [os.close(fd) for fd in fds]
        assert len(os.listdir('m/many')) == n, (n, len(os.listdir('m/many')))")
[ "$e" = ENFILE ] && ok "a full handle table: ENFILE, no file left by the failed open" ||
	bad "a full handle table: ENFILE, nothing created" "$e"
e=$(errno_of "os.close(os.open('m/many/again', os.O_CREAT | os.O_RDWR))")
[ "$e" = OK ] && ok "handles come back after close" || bad "handles come back after close" "$e"
"$N" umount m
fsck_step sd.img "a full handle table"

# umount from another XDG_RUNTIME_DIR (sudo's): it cannot see the mount's
# record, finds the server through the image's lock, and still returns
# only after the server wrote the volume back and exited.
"$N" mount --image sd.img m 2>err || bad "mount" "$(cat err)"
pid=$(server_of sd.img)
head -c 1048576 /dev/urandom > m/late.bin
sync -f m/late.bin
kill -STOP "$pid"               # a server still busy writing the volume back
mkdir -p other-run
XDG_RUNTIME_DIR=$T/other-run timeout 20 "$N" umount m >out 2>err &
um=$!
sleep 1
if kill -0 "$um" 2>/dev/null; then ok "umount from another runtime dir waits for the server"
else bad "umount from another runtime dir waits for the server" "$(cat out err)"; fi
kill -CONT "$pid"
wait "$um"
st=$?
expect "and returns once the server is done" 0 ""
wait_gone "$pid" || bad "the server ends after umount"
fsck_step sd.img "umount from another runtime dir"

# A file written, then removed while open (tmpfile()'s pattern): fsync,
# ftruncate, fstat and close still work on the open descriptor.
"$N" mount --image sd.img m 2>err || bad "mount" "$(cat err)"
e=$(errno_of "fd = os.open('m/tmpf', os.O_CREAT | os.O_RDWR); os.write(fd, b'h' * 5000); \
os.unlink('m/tmpf'); os.fsync(fd); os.ftruncate(fd, 3); os.fstat(fd); \
assert os.pread(fd, 10, 0) == b'hhh'; os.close(fd)")
[ "$e" = OK ] && ok "a removed open file: fsync, ftruncate, close" || bad "removed open file" "$e"
e=$(errno_of "fd = os.open('m/tmpg', os.O_CREAT | os.O_RDWR); os.write(fd, b'g' * 5000); \
open('m/tmph', 'w').write('new'); os.rename('m/tmph', 'm/tmpg'); os.close(fd); \
assert open('m/tmpg').read() == 'new'")
[ "$e" = OK ] && ok "a file replaced while open: close works" || bad "replaced open file" "$e"
"$N" umount m
fsck_step sd.img "removed open files"

"$N" mount --image sd.img m 2>err || bad "mount" "$(cat err)"
pid=$(server_of sd.img)
kill -KILL "$pid"
wait_gone "$pid"
e=$(errno_of "os.listdir('m')")
[ "$e" = ENOTCONN ] && ok "SIGKILL: the mount point says ENOTCONN" || bad "SIGKILL: ENOTCONN" "$e"
run "$N" mount --image sd.img m
expect_err "mount on a dead mount says to umount it" 1 "dead mount.*nanoos umount"
run "$N" umount m
expect "umount cleans a dead mount" 0 ""
mounted m && bad "the dead mount is still there"
run "$N" mount --image sd.img m
expect "a new mount works after the dead one" 0 ""
cmp -s put.bin m/put.bin && ok "and reads the volume" || bad "and reads the volume"
"$N" umount m

# ---------------------------------------------------------------- damage
cp sd.img bad.img
rsvd=$(od -An -tu2 -j $((OFF + 14)) -N2 bad.img | tr -d ' ')
# a cluster marked used in the first FAT only: lost, and the copies differ
printf '\xff\xff' | dd of=bad.img bs=1 seek=$((OFF + rsvd * 512 + 30000 * 2)) conv=notrunc \
	status=none
run "$N" mount --image bad.img m
expect_err "a damaged volume: mounted with a warning" 0 \
	"warning: .*mounted read-only.*nanoos sdimage fsck --repair"
grep -q " $T/m ro,.* - fuse.nanoos " /proc/self/mountinfo &&
	ok "a damaged volume is mounted read-only" || bad "a damaged volume is mounted read-only"
e=$(errno_of "open('m/new.txt', 'w')")
[ "$e" = EROFS ] && ok "a damaged volume refuses writes: EROFS" || bad "damaged: EROFS" "$e"
"$N" umount m
cp sd.img dirty.img                     # FAT16: the dirty flag in BS_Reserved1
printf '\x01' | dd of=dirty.img bs=1 seek=$((OFF + 37)) conv=notrunc status=none
run "$N" mount --image dirty.img m
expect "a volume left dirty: repaired at mount, mounted" 0 ""
grep -q " $T/m rw,.* - fuse.nanoos " /proc/self/mountinfo &&
	ok "a repaired volume is mounted read-write" || bad "a repaired volume is mounted rw"
echo after > m/after-dirty.txt || bad "write to a repaired volume"
"$N" umount m
fsck_step dirty.img "mounting a volume left dirty"
head -c 4096 /dev/zero > notfat.img
run "$N" mount --image notfat.img m
expect_err "not a FAT volume: refused with the reason" 1 "notfat.img: (no FAT volume|cannot mount)"
mounted m && bad "a refused volume left a mount"

suite_end
