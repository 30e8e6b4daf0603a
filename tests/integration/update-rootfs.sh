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
# loses nothing. The record (names, sizes, FNV-1a 64 checksums) tells the
# user's programs from the userland's: one the user put in /bin under a
# name the new userland also has is kept, and so is a recorded one the user
# changed since (not replaced, not removed); a record of bare names (the
# first format) is still read; a temporary record an interrupted update
# left is removed. The accounts' files are never added: a missing
# /etc/shadow beside /etc/shadow+ (a cut inside passwd) stays missing, and
# /etc/shadow+ untouched. Refused, with the image left as it was: an image
# a daemon holds (the holder named, "stop the daemon first"), a DIR that is
# no userland, a volume that is no NanoOs system (not FAT, or no /bin), a
# volume too full, one with room for 200 new files' bytes but not for the
# directory entries of their long names, and a full FAT16 root directory.
# Each check counts.
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
# same NAME VOLUME-PATH HOST-FILE [IMG]: the volume's file holds the host
# file's bytes
same() {
	local img=${4:-sd.img}
	if "$N" sdimage cat "$img" "$2" 2>err | cmp -s - "$3"; then ok "$1"; else
		bad "$1" "$(cat err; cmp <("$N" sdimage cat "$img" "$2" 2>&1) "$3" 2>&1)"; fi
}
unchanged() {  # unchanged NAME SUM [IMG]: the image's checksum is still SUM
	if [ "$(md5sum <"${3:-sd.img}")" = "$2" ]; then ok "$1"; else bad "$1" "$(cat out err)"; fi
}
absent() {     # absent NAME IMG PATH: the volume has no PATH
	"$N" sdimage ls "$2" "$3" >out 2>err; st=$?
	expect_err "$1" 1 "$3: no such file"
}
free_clusters() {  # free_clusters IMG: "FREE CLUSTER-SIZE" from sdimage info
	"$N" sdimage info "$1" | sed -nE 's/^filesystem: .*cluster ([0-9]+) bytes, [0-9]+ clusters \(([0-9]+) free\)$/\2 \1/p'
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
expect "--dry-run succeeds" 0 "dry run, nothing written; from r2 it would be: 1 replaced, 1 added, [0-9]+ unchanged, 4 kept, 1 removed, 0 skipped$"
expect "--dry-run names the changed program" 0 "^replaced /bin/echo$"
expect "--dry-run names the new program" 0 "^added +/bin/greet$"
expect "--dry-run names the dropped program" 0 "^removed +/bin/yes "
unchanged "--dry-run changes nothing (the image's checksum)" "$sum"

upd sd.img --rootfs r2
expect "update-rootfs succeeds" 0 "^sd.img: userland updated from r2: 1 replaced, 1 added, [0-9]+ unchanged, 4 kept, 1 removed, 0 skipped$"
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
expect "a second run finds everything unchanged" 0 "updated from r2: 0 replaced, 0 added, [0-9]+ unchanged, 4 kept, 0 removed, 0 skipped$"
unchanged "... and writes nothing" "$sum"

# An image without the record (made before it existed) loses nothing.
sd rm sd.img /etc/rootfs.manifest
cp -r r2 r3
rm r3/bin/greet
upd sd.img --rootfs r3
expect "without the record, a program the release lacks is kept" 0 "^kept +/bin/greet \(yours"
expect "... and nothing is removed" 0 ", 0 removed, 0 skipped$"
sd cat sd.img /etc/rootfs.manifest
if [ "$st" = 0 ] && grep -qP '^echo\t\d+\t[0-9a-f]{16}$' out && ! grep -q '^greet' out; then
	ok "the update writes the record anew"; else bad "the record" "$(cat out err)"; fi

# ---- what is the user's in /bin, by the record's names and checksums
# A program the user put in /bin under a name the new userland also has is
# kept: the record does not name it.
sd create u.img --size 16M --rootfs r1 --no-passwords
cp r1/bin/hello frob.mine && echo "the user's own frob" >>frob.mine
"$N" sdimage put u.img frob.mine /bin/frob 2>err || bad "put the user's frob" "$(cat err)"
cp -r r1 r6
cp r1/bin/true r6/bin/frob
upd u.img --rootfs r6
expect "a program of the user's that the new userland also has is kept" 0 \
	"^kept +/bin/frob \(yours: not in /etc/rootfs.manifest, so not installed by the userland; the new userland's copy is not installed\)$"
same "... byte for byte" /bin/frob frob.mine u.img
"$N" sdimage cat u.img /etc/rootfs.manifest >manifest 2>err
if grep -qP '^cat\t\d+\t[0-9a-f]{16}$' manifest && ! grep -q '^frob' manifest; then
	ok "... and the record does not take it for the userland's"
else bad "the record does not name the user's frob" "$(cat manifest err)"; fi

# A program the userland installed and the user changed since is the
# user's now: kept, not replaced (cat, changed in the new release), and
# not removed (yes, which the release dropped); a second update keeps
# them still.
for p in cat yes; do
	cp r1/bin/hello "$p.mine" && echo "changed by the user" >>"$p.mine"
	"$N" sdimage put u.img "$p.mine" "/bin/$p" 2>err || bad "change /bin/$p" "$(cat err)"
done
cp -r r1 r7
cp r1/bin/echo r7/bin/cat
rm r7/bin/yes
upd u.img --rootfs r7
expect "a recorded program the user changed is kept, not replaced" 0 \
	"^kept +/bin/cat \(yours: changed since the userland installed it; the new userland's copy is not installed\)$"
expect "... and one the release dropped is kept, not removed" 0 \
	"^kept +/bin/yes \(yours: changed since the userland installed it; no longer in the userland, but not removed\)$"
expect "... counted as kept" 0 "0 replaced, 0 added, [0-9]+ unchanged, 6 kept, 0 removed, 0 skipped$"
same "... the changed cat byte for byte" /bin/cat cat.mine u.img
same "... the changed yes byte for byte" /bin/yes yes.mine u.img
upd u.img --rootfs r7
if [ "$st" = 0 ] && grep -qE '^kept +/bin/cat \(yours: changed' out &&
   grep -qE '^kept +/bin/yes \(yours: changed' out; then ok "... and a second update keeps them still"
else bad "a second update keeps the changed programs" "$(cat out err)"; fi

# The first records (bare names, no checksums) are still read: a program
# named there is the userland's, changed or not (replaced; removed when
# dropped); one not named is the user's.
printf '# a record of before the checksums\ncat\nyes\n' >old.manifest
"$N" sdimage put u.img old.manifest /etc/rootfs.manifest 2>err || bad "put old.manifest" "$(cat err)"
upd u.img --rootfs r7
expect "a record of bare names is read: a program it names is replaced" 0 "^replaced /bin/cat$"
expect "... one it names and the release dropped is removed" 0 "^removed +/bin/yes \(no longer in the userland\)$"
expect "... one it does not name is kept" 0 "^kept +/bin/frob \(yours: not from the userland\)$"
same "... cat is the new release's" /bin/cat r7/bin/cat u.img

# A record bigger than one can be is not ours: refused, not taken for none
# (then programs the user changed would be replaced).
head -c 300000 /dev/zero | tr '\0' 'x' >huge.manifest
"$N" sdimage put u.img huge.manifest /etc/rootfs.manifest 2>err || bad "put huge.manifest" "$(cat err)"
sum=$(md5sum <u.img)
upd u.img --rootfs r7
expect_err "a 300 KB /etc/rootfs.manifest is refused, with what to do" 1 \
	"/etc/rootfs.manifest: 300000 bytes, more than a record of the userland can be .*move it away"
unchanged "... and nothing is written" "$sum" u.img
"$N" sdimage put u.img old.manifest /etc/rootfs.manifest 2>err || bad "put old.manifest back" "$(cat err)"

# A temporary record an interrupted update left is removed by the next.
echo "half a record" >stale
"$N" sdimage put u.img stale /etc/.update-rootfs.rootfs.manifest 2>err || bad "put stale" "$(cat err)"
upd u.img --rootfs r7 --dry-run
expect "--dry-run names a temporary record an interrupted update left" 0 \
	"^removed +/etc/.update-rootfs.rootfs.manifest \(left by an interrupted update\)$"
upd u.img --rootfs r7
expect "... and the update removes it" 0 "^removed +/etc/.update-rootfs.rootfs.manifest \("
absent "... it is gone" u.img /etc/.update-rootfs.rootfs.manifest
"$N" sdimage fsck u.img >out 2>err; st=$?
expect "... and fsck is clean" 0 "clean"

# ---- the accounts' files are never added to an existing image
# A power cut inside passwd leaves /etc/shadow+ (the passwords) without
# /etc/shadow; the userland's /etc/shadow would lock every account.
sd create a.img --size 16M --rootfs r1
"$N" sdimage mv a.img /etc/shadow /etc/shadow+ 2>err || bad "mv shadow" "$(cat err)"
"$N" sdimage rm a.img /etc/group 2>>err || bad "rm group" "$(cat err)"
"$N" sdimage cat a.img /etc/shadow+ >shadow.plus
grep -q '^root:\$' shadow.plus && ok "/etc/shadow+ holds first passwords" ||
	bad "/etc/shadow+ holds first passwords" "$(cat shadow.plus)"
upd a.img --rootfs r1
expect "a missing /etc/shadow beside /etc/shadow+ is skipped, and why" 0 \
	"^skipped +/etc/shadow \(missing, but /etc/shadow\+ holds the accounts' passwords, as an interrupted passwd left them: logins read it, and the next passwd renames it to /etc/shadow"
expect "... a missing /etc/group is skipped too" 0 \
	"^skipped +/etc/group \(missing: the accounts of an existing image are never written by update-rootfs; put yours with .nanoos sdimage put a.img FILE /etc/group.\)$"
expect "... counted as skipped" 0 ", 0 removed, 2 skipped$"
absent "... /etc/shadow is still absent" a.img /etc/shadow
absent "... /etc/group is still absent" a.img /etc/group
same "... /etc/shadow+ is untouched, byte for byte" /etc/shadow+ shadow.plus a.img

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

# Directory entries count too: 200 new programs of long names (4 entries
# each), where the volume has room for their bytes and the old estimate
# but not for the entries /bin and the record need: refused untouched.
sd create ln.img --size 16M --rootfs r1 --no-passwords
cp -r r1 r8
for i in $(seq 200); do printf x >"r8/bin/a-new-program-with-a-long-name-$i"; done
read -r fc cs < <(free_clusters ln.img)
head -c $(( (fc - 204) * cs )) /dev/zero >lnfill
"$N" sdimage put ln.img lnfill /home/user/filler 2>err || bad "fill ln.img" "$(cat err)"
read -r fc cs < <(free_clusters ln.img)
[ "$fc" = 204 ] && ok "ln.img has 204 clusters free: the 200 files' bytes fit" ||
	bad "ln.img has 204 clusters free" "$fc"
sum=$(md5sum <ln.img)
upd ln.img --rootfs r8
expect_err "200 long names without room for their directory entries are refused" 1 \
	"ln.img: the volume is full: the update needs .* KiB of it for directory entries\) and 408K is free; nothing was changed"
unchanged "... before anything is written (the image's checksum)" "$sum" ln.img
"$N" sdimage rm ln.img /home/user/filler 2>err || bad "rm the filler" "$(cat err)"
upd ln.img --rootfs r8
expect "... and with room for them, the same update succeeds" 0 "0 replaced, 200 added, "
same "... the last of them is there" /bin/a-new-program-with-a-long-name-200 \
	r8/bin/a-new-program-with-a-long-name-200 ln.img
fsck_step ln.img "the 200 long names"

# A FAT16 root directory cannot grow: filled with long names until a put
# fails, it has no room for a new top-level directory of the userland's;
# refused before the new program that comes first in /bin is written.
sd create rt.img --size 16M --rootfs r1 --no-passwords
echo x >one
for i in $(seq 200); do
	"$N" sdimage put rt.img one "/a-file-that-fills-the-root-directory-$i" 2>err || break
done
grep -q "full\|No space" err && ok "the root directory of rt.img is full ($((i - 1)) files)" ||
	bad "fill the root directory of rt.img" "$(cat err)"
cp -r r1 r9
cp r1/bin/hello r9/bin/aaa-new
mkdir r9/zz-a-new-top-level-directory
sum=$(md5sum <rt.img)
upd rt.img --rootfs r9
expect_err "a new top-level directory a full FAT16 root has no room for is refused" 1 \
	"rt.img: the root directory is full: no room for /zz-a-new-top-level-directory \(4 entries in a row; a FAT12/16 root directory cannot grow\); nothing was changed"
unchanged "... before anything is written (the image's checksum)" "$sum" rt.img

suite_end
