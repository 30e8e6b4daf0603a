#!/bin/bash
# `nanoos sdimage update-rootfs`: an image made with create --rootfs, then
# used (an account added to /etc/passwd, first passwords in /etc/shadow, a
# file at home, a program of the user's in /bin), is refreshed from a "new
# release" of the userland where one program changed, one is new and one
# was dropped. The changed program is replaced and the new one added (the
# bytes compared through `sdimage cat`, and both run), the dropped one is
# removed (the volume's record says the userland installed it), the user's
# program and every account and home file stay byte for byte, fsck and
# fsck.fat -n are clean. --dry-run writes nothing (the image's checksum);
# a second run finds everything unchanged; an image without the record
# loses nothing. Refused, with the image left as it was: an image a daemon
# holds (the holder named, "stop the daemon first"), a DIR that is no
# userland, a volume that is no NanoOs system (not FAT, or no /bin), and a
# volume too full. Each check counts.
# Usage: update-rootfs.sh [BUILD]     (or BUILD=... in the environment)
set -u
BUILD=${1:-${BUILD:-build}}
N=$(realpath "$BUILD/bin/nanoos" 2>/dev/null)
NANOOSD=$(realpath "$BUILD/bin/nanoosd" 2>/dev/null)
ROOTFS=$(realpath "$BUILD/rootfs" 2>/dev/null)

. "$(dirname "$0")/lib.sh"
suite_needs update-rootfs "$N" "$NANOOSD" "$ROOTFS/bin/hello" "$ROOTFS/bin/echo" \
	"$ROOTFS/bin/yes" "$ROOTFS/etc/passwd"
command -v fsck.fat >/dev/null || suite_needs update-rootfs "fsck.fat (dosfstools)"

suite_tmpdir
daemon=
trap '[ -n "$daemon" ] && kill "$daemon" 2>/dev/null; rm -rf "$T"' EXIT

sd()  { "$N" sdimage "$@" >out 2>err; st=$?; }
upd() { "$N" sdimage update-rootfs "$@" >out 2>err; st=$?; }
run() { timeout 60 "$N" run --image sd.img "$@" >out 2>err </dev/null; st=$?; }
# same NAME VOLUME-PATH HOST-FILE: the volume's file holds the host file's bytes
same() {
	if "$N" sdimage cat sd.img "$2" 2>err | cmp -s - "$3"; then ok "$1"; else
		bad "$1" "$(cat err; cmp <("$N" sdimage cat sd.img "$2" 2>&1) "$3" 2>&1)"; fi
}
unchanged() {  # unchanged NAME SUM: the image's checksum is still SUM
	if [ "$(md5sum <sd.img)" = "$2" ]; then ok "$1"; else bad "$1" "$(cat out err)"; fi
}

# ---- an image in use
cp -r "$ROOTFS" r1
sd create sd.img --size 32M --rootfs r1
expect "create --rootfs from a copy of the userland" 0 "^first passwords"
printf 'alice:x:1001:1001:Alice:/home/alice:/bin/sh\n' >alice.line
"$N" sdimage get sd.img /etc/passwd passwd.old 2>err && cat passwd.old alice.line >passwd.new &&
	"$N" sdimage put sd.img passwd.new /etc/passwd 2>>err
echo "a note of the user's" >notes.txt
"$N" sdimage put sd.img notes.txt /home/user/notes.txt 2>>err
cp r1/bin/hello myhello
"$N" sdimage put sd.img myhello /bin/myhello 2>>err
[ -s err ] && bad "set the image up as a user would" "$(cat err)"
for f in /etc/passwd /etc/shadow /etc/group /home/user/notes.txt; do
	"$N" sdimage cat sd.img "$f" >"before.$(basename "$f")"
done
if grep -q '^alice:' before.passwd && ! cmp -s before.shadow r1/etc/shadow; then
	ok "the volume's accounts differ from the userland's (alice, first passwords)"
else
	bad "the accounts differ from the userland's" "$(cat before.passwd before.shadow)"
fi

# ---- the new release: echo changed, greet new, yes dropped
cp -r r1 r2
cp r2/bin/hello r2/bin/echo
cp r2/bin/hello r2/bin/greet
rm r2/bin/yes
cmp -s r1/bin/echo r2/bin/echo && bad "the new release's echo differs" "it is the same"

sum=$(md5sum <sd.img)
upd sd.img --rootfs r2 --dry-run
expect "--dry-run succeeds" 0 "dry run, nothing written; from r2 it would be: 1 replaced, 1 added, [0-9]+ unchanged, 4 kept, 1 removed$"
expect "--dry-run names the changed program" 0 "^replaced /bin/echo$"
expect "--dry-run names the new program" 0 "^added +/bin/greet$"
expect "--dry-run names the dropped program" 0 "^removed +/bin/yes "
unchanged "--dry-run changes nothing (the image's checksum)" "$sum"

upd sd.img --rootfs r2
expect "update-rootfs succeeds" 0 "^sd.img: userland updated from r2: 1 replaced, 1 added, [0-9]+ unchanged, 4 kept, 1 removed$"
expect "it says it kept the user's program" 0 "^kept +/bin/myhello \(yours"
expect "it says it kept the accounts" 0 "^kept +/etc/passwd \(yours"
same "the changed program is replaced" /bin/echo r2/bin/echo
same "the new program is added" /bin/greet r2/bin/greet
same "an unchanged program is as it was" /bin/cat r1/bin/cat
same "the user's program is kept" /bin/myhello myhello
sd ls sd.img /bin/yes
expect_err "the program the release dropped is removed" 1 "/bin/yes: no such file"
for f in passwd shadow group notes.txt; do
	case $f in notes.txt) p=/home/user/$f ;; *) p=/etc/$f ;; esac
	same "$p is untouched, byte for byte" "$p" "before.$f"
done
sd fsck sd.img
expect "nanoos sdimage fsck is clean after the update" 0 "clean"
fsck_step sd.img "the update"
run /bin/greet
expect "the new program runs" 0 "^Hello from NanoOs!$"
run /bin/echo
expect "the replaced program runs as the new one" 0 "^Hello from NanoOs!$"
run /bin/myhello
expect "the user's program still runs" 0 "^Hello from NanoOs!$"

sum=$(md5sum <sd.img)
upd sd.img --rootfs r2
expect "a second run finds everything unchanged" 0 "updated from r2: 0 replaced, 0 added, [0-9]+ unchanged, 4 kept, 0 removed$"
unchanged "... and writes nothing" "$sum"

# An image without the record (made before it existed) loses nothing.
sd rm sd.img /etc/rootfs.manifest
cp -r r2 r3
rm r3/bin/greet
upd sd.img --rootfs r3
expect "without the record, a program the release lacks is kept" 0 "^kept +/bin/greet \(yours"
expect "... and nothing is removed" 0 ", 0 removed$"
sd cat sd.img /etc/rootfs.manifest
if [ "$st" = 0 ] && grep -qx echo out && ! grep -qx greet out; then
	ok "the update writes the record anew"; else bad "the record" "$(cat out err)"; fi

# ---- refusals
"$NANOOSD" --image sd.img --socket "$T/d.sock" --foreground >d.log 2>&1 &
daemon=$!
for i in $(seq 200); do [ -S "$T/d.sock" ] && break; sleep 0.05; done
upd sd.img --rootfs r2
expect_err "an image a daemon holds is refused, the holder named" 1 \
	'in use by pid [0-9]+: .*nanoosd.*; stop the daemon first: `nanoos stop` or `systemctl stop nanoosd`'
kill "$daemon"
wait "$daemon"
daemon=
cp -r r2 r5
cp r5/bin/hello r5/bin/later
upd sd.img --rootfs r5
expect "... and once it stopped, the update runs" 0 "^added +/bin/later$"

upd sd.img --rootfs no-such-dir
expect_err "a missing DIR is refused" 1 "no-such-dir: --rootfs: No such file"
mkdir notroot && echo x >notroot/x
sum=$(md5sum <sd.img)
upd sd.img --rootfs notroot
expect_err "a DIR with no bin/ is refused" 1 "notroot: not a NanoOs userland \(no bin/"
unchanged "... and the image is as it was" "$sum"

head -c 4194304 /dev/zero >zero.img
upd zero.img --rootfs r2
expect_err "an image with no FAT volume is refused" 1 "zero.img: no FAT volume here"
sd create plain.img --size 8M
upd plain.img --rootfs r2
expect_err "a FAT volume with no /bin is refused" 1 "plain.img: no /bin on this volume: not a NanoOs system image"
sd ls plain.img /
[ -z "$(cat out)" ] && ok "... and nothing is put on it" || bad "nothing put on plain.img" "$(cat out)"

# A volume too full for the new release: refused before anything is written.
sd create full.img --size 16M --rootfs r1 --no-passwords
free_kib=$("$N" sdimage df full.img | awk 'NR == 2 { v = $4; m = v ~ /M$/ ? 1024 : 1
	sub(/[KM]$/, "", v); print int(v * m) }')
head -c $(( (free_kib - 256) * 1024 )) /dev/zero >filler
"$N" sdimage put full.img filler /home/user/filler 2>err || bad "fill the volume" "$(cat err)"
cp -r r2 r4
head -c 1048576 /dev/urandom >r4/bin/big
sum=$(md5sum <full.img)
"$N" sdimage update-rootfs full.img --rootfs r4 >out 2>err; st=$?
expect_err "a volume too full is refused" 1 "full.img: the volume is full: the update needs .* is free; nothing was changed"
if [ "$(md5sum <full.img)" = "$sum" ]; then ok "... and the image is as it was"; else
	bad "the full image is as it was"; fi
"$N" sdimage fsck full.img >out 2>err; st=$?
expect "... and fsck is clean" 0 "clean"
fsck_step full.img "the refused update"

suite_end
