#!/bin/bash
# fuse-posix.sh: a fresh image mounted with the real `nanoos mount --image
# IMG DIR`, exercised by the programs of tests/fuse/, unmounted with
# `nanoos umount DIR` and judged by `fsck.fat -n` (exit 0) after every part:
#
#   posix   fuse_posix: POSIX behaviour and FAT's refusals, as vfat gives
#           them, on a mount with -o uid=65534 so that the owner's writes
#           after chmod a-w can be checked (the programs are proved on
#           tmpfs first: fuse_posix --posix and fuse_fsx pass there, the FAT
#           expectations fail there)
#   fsx     fuse_fsx on three seeds, 10,000 operations each at scale 1
#           (and, off the mount, --self-test must report a mismatch)
#   par     fuse_par: 8 processes writing and verifying their files at once
#   trees   cp -r and tar c | tar x of the project's own sources, diff -r;
#           unmount, fsck, mount again, diff -r again
#
# Usage: tests/integration/fuse-posix.sh [BUILD]   (NANOOS_SCALE scales fsx
# and par). Every mount is unmounted in the exit trap, whatever happens.
set -u
BUILD=${1:-${BUILD:-build}}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SRC/tests/integration/lib.sh"
TOOLS=$BUILD/tests/tools
suite_needs fuse-posix "$BUILD/bin/nanoos" "$TOOLS/fuse_posix" "$TOOLS/fuse_fsx" \
	"$TOOLS/fuse_par"
N=$(realpath "$BUILD/bin/nanoos")
TOOLS=$(realpath "$TOOLS")
for need in fsck.fat fusermount3 mountpoint findmnt diff tar; do
	if ! command -v "$need" >/dev/null; then
		echo "fuse-posix: $need is missing: run packaging/install-deps.sh"
		echo "SUITE fuse-posix: 0 passed, 1 failed"
		exit 1
	fi
done
if [ ! -c /dev/fuse ]; then
	echo "fuse-posix: /dev/fuse is missing: load the fuse module (modprobe fuse)"
	echo "SUITE fuse-posix: 0 passed, 1 failed"
	exit 1
fi
suite_tmpdir
SCALE=${NANOOS_SCALE:-1}
MNT=$T/mnt
TMPFS=
mkdir -p "$MNT"

cleanup() {
	cd /
	if grep -q " $MNT " /proc/mounts; then   # also a mount whose server died
		"$N" umount "$MNT" >/dev/null 2>&1 || fusermount3 -u "$MNT" 2>/dev/null ||
			fusermount3 -uz "$MNT" 2>/dev/null
	fi
	[ -n "$TMPFS" ] && umount "$TMPFS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# ---------------------------------------------------------------- helpers
# run_counted NAME CMD...: run a program that prints ok:/FAILED: lines;
# each counts. A non-zero exit without a FAILED line is a failure too.
run_counted() {
	local name=$1 st p f
	shift
	"$@" >prog.out 2>&1
	st=$?
	cat prog.out
	p=$(grep -c '^ok:' prog.out)
	f=$(grep -c '^FAILED:' prog.out)
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$st" != 0 ] && [ "$f" = 0 ]; then
		bad "$name exited with status $st"
	fi
}

# new_image PART: a fresh image for a part, so that each part is judged on
# its own (a volume that fails its checks would come up read-only).
new_image() {
	rm -f img
	if "$N" sdimage create img --size 256M >out 2>err; then
		ok "sdimage create a fresh 256M image for $1"
		return 0
	fi
	bad "sdimage create a fresh 256M image for $1" "$(cat out err)"
	return 1
}

mount_vol() {  # mount_vol WHAT [-o OPTS]: mount img on $MNT, writable
	local what=$1
	shift
	if "$N" mount --image img "$MNT" "$@" >out 2>err && mountpoint -q "$MNT" &&
		! findmnt -n -o OPTIONS "$MNT" | tr , '\n' | grep -qx ro; then
		ok "mount ($what${*:+ $*})"
		return 0
	fi
	bad "mount ($what${*:+ $*}), read-write" "$(cat out err; findmnt -n "$MNT")"
	return 1
}

umount_vol() {  # umount_vol WHAT: unmount, then fsck.fat -n the partition
	if "$N" umount "$MNT" >out 2>err && ! mountpoint -q "$MNT"; then
		ok "umount ($1)"
	else
		bad "umount ($1)" "$(cat out err)"
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
	fi
	fsck_step img "$1"
}

START=0
part_start() { echo "--- $1"; START=$(date +%s.%N); }
part_end() {
	awk -v a="$START" -v b="$(date +%s.%N)" -v n="$1" \
		'BEGIN { printf "  (%s: %.1f s)\n", n, b - a }'
}

# ---------------------------------------------------------------- posix
part_start posix
# fuse_posix checks that chmod a-w refuses the owner's writes (root writes
# whatever the bits say) as uid 65534: it must reach the directories.
chmod 755 "$T"
# The exerciser's checks can fail: a model corrupted on purpose must be
# reported (run here, off the mount, so that no bug of the mount decides).
"$TOOLS/fuse_fsx" --seed 9 --ops 2000 --self-test self.fsx >out 2>&1
st=$?
if [ $st = 1 ] && grep -q "MISMATCH at op 1000 .*read: file offset" out; then
	ok "fuse_fsx --self-test: a corrupted model is reported as a mismatch"
else
	bad "fuse_fsx --self-test (exit $st)" "$(cat out)"
fi
if [ "$(id -u)" = 0 ] && mkdir tmpfs && mount -t tmpfs tmpfs tmpfs 2>/dev/null; then
	TMPFS=$T/tmpfs
	mkdir "$TMPFS/a" "$TMPFS/b"
	if "$TOOLS/fuse_posix" --posix "$TMPFS/a" >tmpfs.out 2>&1; then
		ok "fuse_posix --posix passes on tmpfs (the checks themselves are right)"
	else bad "fuse_posix --posix passes on tmpfs" "$(grep -v '^ok' tmpfs.out)"; fi
	"$TOOLS/fuse_posix" "$TMPFS/b" >tmpfs.out 2>&1
	nfat=$(grep -c '^FAILED:' tmpfs.out)
	if [ "$nfat" -ge 15 ]; then
		ok "fuse_posix's FAT expectations fail on tmpfs ($nfat checks can fail)"
	else bad "fuse_posix's FAT expectations fail on tmpfs" "only $nfat failed"; fi
	if "$TOOLS/fuse_fsx" --seed 1 --ops 3000 "$TMPFS/fsx" >out 2>&1; then
		ok "fuse_fsx passes on tmpfs (the exerciser itself is right)"
	else bad "fuse_fsx passes on tmpfs" "$(cat out)"; fi
	umount "$TMPFS" && TMPFS=
else
	echo "skip:   the programs on tmpfs (needs root to mount a tmpfs)"
fi
if new_image posix &&
	mount_vol posix -o uid=65534,gid=65534,allow_other,default_permissions; then
	run_counted fuse_posix "$TOOLS/fuse_posix" "$MNT"
	umount_vol posix
fi
part_end posix

# ---------------------------------------------------------------- fsx
part_start fsx
OPS=$((10000 * SCALE))
if new_image fsx && mount_vol fsx; then
	mkdir -p "$MNT/fsx"
	for seed in 1 2 3; do
		if "$TOOLS/fuse_fsx" --seed $seed --ops $OPS "$MNT/fsx/f$seed" >out 2>&1; then
			ok "fuse_fsx seed $seed: $OPS operations match the model"
		else
			BAD_LINES=60 bad "fuse_fsx seed $seed" "$(cat out)"
		fi
	done
	umount_vol fsx
fi
part_end fsx

# ---------------------------------------------------------------- par
part_start par
if new_image par && mount_vol par; then
	mkdir -p "$MNT/par"
	run_counted fuse_par "$TOOLS/fuse_par" "$MNT/par"
	umount_vol par
fi
part_end par

# ---------------------------------------------------------------- trees
part_start trees
TREE="kproc msg vm-rv32i cli nanoosd usr tests"
# tree_same NAME DIR: DIR holds the same files as the sources
tree_same() {
	local d
	for d in $TREE; do
		if ! diff -r "$SRC/$d" "$2/$d" >diff.out 2>&1; then
			bad "$1: diff -r $d" "$(cat diff.out)"
			return
		fi
	done
	ok "$1"
}
if new_image trees && mount_vol trees; then
	mkdir "$MNT/cp" "$MNT/tar"
	# shellcheck disable=SC2086 # $TREE is a list of names
	if (cd "$SRC" && cp -r $TREE "$MNT/cp/") 2>err; then ok "cp -r the sources in"
	else bad "cp -r the sources in" "$(cat err)"; fi
	tree_same "diff -r of the cp -r copy" "$MNT/cp"
	# shellcheck disable=SC2086
	if (cd "$SRC" && tar cf - $TREE) 2>err | (cd "$MNT/tar" && tar xf - --no-same-owner \
		--no-same-permissions) 2>>err; then ok "tar c | tar x the sources in"
	else bad "tar c | tar x the sources in" "$(cat err)"; fi
	tree_same "diff -r of the tar x copy" "$MNT/tar"
	umount_vol "trees"
	if mount_vol "trees, again"; then
		tree_same "diff -r of the cp -r copy after a remount" "$MNT/cp"
		tree_same "diff -r of the tar x copy after a remount" "$MNT/tar"
		umount_vol "trees, again"
	fi
fi
part_end trees

suite_end
