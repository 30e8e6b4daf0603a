#!/bin/bash
# bench_fuse.sh: the FUSE bridge (`nanoos mount`) against its peers, in one
# run on one machine (issue 7's benchmark). Rows:
#   write a 256 MiB file with 1 MiB and with 4 KiB blocks (dd);
#   read it back with 1 MiB and 4 KiB blocks, each from a fresh mount;
#   create 5,000 files of 1 KiB in one directory;
#   stat all of them from a fresh mount (find -printf: an lstat each);
#   cp -r of the project's source (kproc msg vm-rv32i cli nanoosd usr tests).
# Peers (columns):
#   nanoos       `nanoos mount --image IMG DIR`, local mode (no daemon), on a
#                fresh 1 GiB `nanoos sdimage create` image
#   fusefat      Debian's fusefat -o rw+ on the same volume, the partition
#                copied out bare (fusefat wants no MBR)
#   passthrough  libfuse's passthrough_ll -o writeback over a tmpfs directory,
#                built here from libfuse3-dev's examples: the FUSE ceiling
#   ext4         ext4 on a loop device (mkfs.ext4 on a 1 GiB file): the kernel
#                ceiling (this kernel has no vfat)
# Every backing store (the images, the passthrough directory) lives in tmpfs
# (/dev/shm), so no row measures the disk, only the file system.
# Writes count until the data is in the backing store, the same way for all:
# the clock stops when the volume is unmounted and its server has exited
# (dd also runs conv=fsync). For a FUSE peer, syncfs does not reach the
# server, so the unmount is the one commit point they all share; for ext4 it
# is umount of the loop device. Mounting is not timed.
# Reads and stat start from a fresh mount, so the mount's page cache and
# attribute cache are empty: that is how caches are dropped here (the tmpfs
# backing stores are memory anyway).
# fusefat slows to a few files a second as a directory grows: its create row
# stops after NANOOS_BENCH_FUSEFAT_LIMIT seconds (30) and gives the rate of the
# files it made (shown with their count); its stat row stats those files.
# The unmount also drops the mount's page cache (some 50 ms for 256 MiB
# here): every peer pays it. A global sync runs before each timed step.
# Each figure is the best of NANOOS_BENCH_RUNS runs (3), the peers taking
# turns, each run on a fresh volume; cp -r, a tenth of a second, is the
# best of 5 tries a run (each into a new directory, from a fresh mount).
# The data nanoos wrote is checked (cmp, file count, diff -r) after the
# last run.
# Targets (informative): nanoos/fusefat >= 5x on writes, creates and cp -r,
# never below 1x on any row; nanoos/passthrough >= 0.60 on sequential I/O.
# Needs root (loop mounts) and /dev/fuse.
# Usage: bench/bench_fuse.sh [BUILD]
#   NANOOS_BENCH_QUICK=1: 32 MiB, 500 files, 10 s fusefat limit
#   NANOOS_BENCH_PEERS="nanoos ext4": a subset of the peers
set -euo pipefail
build=${1:-build}
nanoos=$build/bin/nanoos
[ -x "$nanoos" ] || { echo "bench_fuse: $nanoos is missing: run 'make'"; exit 1; }
nanoos=$(realpath "$nanoos")
src=$(realpath "$(dirname "$0")/..")
[ "$(id -u)" = 0 ] || { echo "bench_fuse: needs root for the ext4 loop mount; run it with sudo"; exit 1; }
[ -c /dev/fuse ] || { echo "bench_fuse: /dev/fuse is missing: load the fuse module (modprobe fuse)"; exit 1; }
for tool in fusefat fusermount fusermount3 mkfs.ext4 losetup pkg-config gcc; do
	command -v $tool >/dev/null ||
		{ echo "bench_fuse: $tool is missing: apt-get install fusefat fuse3 libfuse3-dev e2fsprogs"; exit 1; }
done
example=/usr/share/doc/libfuse3-dev/examples/passthrough_ll.c
[ -f $example ] || { echo "bench_fuse: $example is missing: apt-get install libfuse3-dev"; exit 1; }

mib=256; files=5000; limit=${NANOOS_BENCH_FUSEFAT_LIMIT:-30}
runs=${NANOOS_BENCH_RUNS:-3}
cp_tries=5      # cp -r takes a tenth of a second: 5 tries a run, on fresh mounts
if [ "${NANOOS_BENCH_QUICK:-0}" = 1 ]; then mib=32; files=500; limit=10; fi
peers=${NANOOS_BENCH_PEERS:-nanoos fusefat passthrough ext4}
tree_dirs="kproc msg vm-rv32i cli nanoosd usr tests"

work=$(mktemp -d /dev/shm/nanoos-bench-fuse-XXXXXX)
declare -A server=()                    # peer -> pid of its FUSE server
loopdev=

# ================================================================ cleanup
# Whatever happens, nothing stays mounted or attached.
cleanup() {
	local p
	for p in nanoos fusefat passthrough ext4; do
		[ -d "$work/mnt-$p" ] || continue
		if mountpoint -q "$work/mnt-$p"; then
			if [ $p = ext4 ]; then umount "$work/mnt-$p" || umount -l "$work/mnt-$p"
			else fusermount3 -u "$work/mnt-$p" 2>/dev/null || fusermount3 -uz "$work/mnt-$p"
			fi
		fi
	done
	for p in "${!server[@]}"; do
		kill "${server[$p]}" 2>/dev/null || true
	done
	[ -z "$loopdev" ] || losetup -d "$loopdev" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ================================================================ helpers
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }
most() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b > a) ? b : a }'; }
least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
# timed VAR CMD...: the seconds CMD takes into VAR (in this shell, so CMD
# may start and wait for servers).
timed() {
	local var=$1 t0 t1
	shift
	sync
	t0=$EPOCHREALTIME
	"$@" >/dev/null
	t1=$EPOCHREALTIME
	printf -v "$var" '%s' "$(secs "$t0" "$t1")"
}
# wait_mounted PEER: until the server's mount is in place (it runs in the
# foreground, in the background of this shell).
wait_mounted() {
	local i
	for i in $(seq 1 200); do
		mountpoint -q "$work/mnt-$1" && return 0
		kill -0 "${server[$1]}" 2>/dev/null ||
			{ echo "bench_fuse: the $1 server exited before mounting: $(tail -3 "$work/$1.log")"; exit 1; }
		sleep 0.05
	done
	echo "bench_fuse: $1 did not mount in 10 s"; exit 1
}
# stop_server PEER: unmount a FUSE peer and wait until its server exited.
stop_server() {
	fusermount3 -u "$work/mnt-$1"
	wait "${server[$1]}" || true
	unset "server[$1]"
}

# ================================================================ the peers
# fresh_P: an empty volume; mount_P; umount_P returns once the data is in
# the backing store and the server (if any) is gone.
fresh_nanoos() { cp --sparse=always "$work/empty-ours.img" "$work/ours.img"; }
mount_nanoos() { "$nanoos" mount --image "$work/ours.img" "$work/mnt-nanoos"; }
umount_nanoos() { "$nanoos" umount "$work/mnt-nanoos"; }

fresh_fusefat() { cp --sparse=always "$work/empty-bare.img" "$work/bare.img"; }
mount_fusefat() {
	# -f: its pid is ours to wait for; it prints a trace of every call.
	fusefat -f -o rw+ "$work/bare.img" "$work/mnt-fusefat" >"$work/fusefat.log" 2>&1 &
	server[fusefat]=$!
	wait_mounted fusefat
	: >"$work/fusefat.log"
}
umount_fusefat() { stop_server fusefat; }

fresh_passthrough() { rm -rf "$work/pt"; mkdir "$work/pt"; }
mount_passthrough() {
	"$work/passthrough_ll" -f -o "source=$work/pt,writeback" "$work/mnt-passthrough" \
		>"$work/passthrough.log" 2>&1 &
	server[passthrough]=$!
	wait_mounted passthrough
}
umount_passthrough() { stop_server passthrough; }

fresh_ext4() {
	rm -f "$work/ext4.img"
	truncate -s 1G "$work/ext4.img"
	# No lazy init: no kernel thread zeroing tables behind the clock.
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$work/ext4.img"
}
mount_ext4() {
	loopdev=$(losetup -f --show "$work/ext4.img")
	mount "$loopdev" "$work/mnt-ext4"
}
umount_ext4() { umount "$work/mnt-ext4"; losetup -d "$loopdev"; loopdev=; }

# ================================================================ the rows
# Each takes the peer and leaves the volume unmounted.
write_big() {  # PEER BS NAME
	local m=$work/mnt-$1
	dd if="$work/big" of="$m/$3" bs="$2" conv=fsync status=none
	umount_$1
}
read_big() {   # PEER BS
	dd if="$work/mnt-$1/big" of=/dev/null bs="$2" status=none
}
# make_files PEER LIMIT_S: $files files of 1 KiB in small/, stopping after
# LIMIT_S seconds when LIMIT_S > 0; their count in $made. Redirections
# are bash built-ins: no fork per file.
make_files() {
	local m=$work/mnt-$1 i end=$((EPOCHSECONDS + $2))
	mkdir "$m/small"
	made=0
	for ((i = 1; i <= files; i++)); do
		printf '%s' "$kib" >"$m/small/file$i.txt"
		made=$i
		if [ "$2" -gt 0 ] && ((i % 10 == 0 && EPOCHSECONDS >= end)); then break; fi
	done
	umount_$1
}
stat_files() { find "$work/mnt-$1/small" -type f -printf '%s %T@\n' | wc -l >"$work/statted"; }
copy_tree() { cp -r "$work/tree" "$work/mnt-$1/tree$2"; umount_$1; }

declare -A best=()                      # ROW,PEER -> best rate (or seconds for cp)
declare -A count=()                     # create,PEER -> files made in the best run
keep_rate() {   # ROW PEER AMOUNT SECONDS
	local r
	r=$(rate "$3" "$4")
	best[$1,$2]=$(most "${best[$1,$2]:-}" "$r")
}

# one_run PEER: every row once on a fresh volume.
one_run() {
	local p=$1 t made lim=0 r i
	[ $p = fusefat ] && lim=$limit
	fresh_$p
	mount_$p; timed t write_big $p 1M big;  keep_rate w1m $p $mib "$t"
	mount_$p; timed t write_big $p 4k big4k; keep_rate w4k $p $mib "$t"
	mount_$p; timed t read_big $p 1M; umount_$p; keep_rate r1m $p $mib "$t"
	mount_$p; timed t read_big $p 4k; umount_$p; keep_rate r4k $p $mib "$t"
	mount_$p; timed t make_files $p $lim
	r=$(rate "$made" "$t")
	if [ "$(most "${best[create,$p]:-}" "$r")" = "$r" ]; then
		best[create,$p]=$r; count[create,$p]=$made
	fi
	mount_$p; timed t stat_files $p; umount_$p
	[ "$(cat "$work/statted")" = "$made" ] ||
		{ echo "bench_fuse: $p: stat found $(cat "$work/statted") files, $made were made"; exit 1; }
	keep_rate stat $p "$made" "$t"
	for i in $(seq 1 $cp_tries); do
		mount_$p; timed t copy_tree $p $i
		best[cp,$p]=$(least "${best[cp,$p]:-}" "$t")
	done
}

# check_ours: what nanoos wrote in its last run reads back the same.
check_ours() {
	local m=$work/mnt-nanoos n
	mount_nanoos
	cmp "$work/big" "$m/big" || { echo "bench_fuse: nanoos: big reads back different bytes"; exit 1; }
	cmp "$work/big" "$m/big4k" || { echo "bench_fuse: nanoos: big4k reads back different bytes"; exit 1; }
	n=$(find "$m/small" -type f | wc -l)
	[ "$n" = "$files" ] || { echo "bench_fuse: nanoos: $n small files, not $files"; exit 1; }
	diff -r "$work/tree" "$m/tree$cp_tries" >/dev/null ||
		{ echo "bench_fuse: nanoos: the copied tree differs (diff -r)"; exit 1; }
	umount_nanoos
	echo "nanoos: data checked (cmp of both big files, $files files, diff -r of the tree)"
}

# ================================================================ setup
echo "bench_fuse: ${mib} MiB file, $files files of 1 KiB, cp -r of $tree_dirs;" \
     "best of $runs runs; in $work"
cd "$work"
for p in $peers; do mkdir "mnt-$p"; done
export NANOOS_SOCKET=$work/no-daemon.sock   # local mode, whatever runs here
head -c $((mib * 1024 * 1024)) /dev/urandom >big
kib=$(head -c 768 /dev/urandom | base64 -w0)   # 1,024 characters
mkdir tree
(cd "$src" && cp -r $tree_dirs "$work/tree/")
tree_files=$(find tree -type f | wc -l)
gcc -Wall -O2 $example $(pkg-config fuse3 --cflags --libs) -o passthrough_ll
"$nanoos" sdimage create empty-ours.img --size 1G --fat 32 >/dev/null
# The partition, copied out: its first sector and size from the MBR.
read -r start sectors < <(od -An -tu4 -j454 -N8 empty-ours.img)
dd if=empty-ours.img of=empty-bare.img bs=512 skip="$start" count="$sectors" \
   conv=sparse status=none

for run in $(seq 1 "$runs"); do
	for p in $peers; do one_run $p; done
	echo "run $run of $runs done"
done
case " $peers " in *" nanoos "*) check_ours ;; esac

# ================================================================ report
cell() { printf '%s' "${best[$1,$2]:--}"; }
ratio() {  # ROW A B [lower-is-better]: A/B as "N.NNx"
	local a=${best[$1,$2]:-} b=${best[$1,$3]:-}
	[ -n "$a" ] && [ -n "$b" ] || { printf -- '-'; return; }
	if [ "${4:-}" = seconds ]; then awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }'
	else awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }'
	fi
}
row() {  # ROW LABEL [seconds]
	printf '%-30s' "$2"
	for p in nanoos fusefat passthrough ext4; do printf ' %11s' "$(cell "$1" $p)"; done
	printf ' %9s %9s\n' "$(ratio "$1" nanoos fusefat "${3:-}")" "$(ratio "$1" nanoos passthrough "${3:-}")"
}
echo
printf '%-30s %11s %11s %11s %11s %9s %9s\n' "" nanoos fusefat passthrough ext4 "n/fusefat" "n/passthr"
row w1m "write ${mib} MiB, 1 MiB (MiB/s)"
row w4k "write ${mib} MiB, 4 KiB (MiB/s)"
row r1m "read ${mib} MiB, 1 MiB (MiB/s)"
row r4k "read ${mib} MiB, 4 KiB (MiB/s)"
row create "create $files files (/s)"
row stat "stat the files (/s)"
row cp "cp -r $tree_files files (s)" seconds
[ -z "${count[create,fusefat]:-}" ] || [ "${count[create,fusefat]}" = "$files" ] ||
	echo "  fusefat: create stopped after ${limit} s, at ${count[create,fusefat]} files;" \
	     "its rate and stat are for those files"
echo "  writes, creates, cp -r: until unmounted with the server gone (dd conv=fsync);" \
     "reads, stat: from a fresh mount"
[ "${NANOOS_BENCH_QUICK:-0}" != 1 ] ||
	echo "  quick run: with ${mib} MiB the fixed costs (unmount, fsync) weigh more;" \
	     "the targets are for the full run"
echo

# The targets, from the ratios above.
verdict() {  # RATIO MIN: met / NOT met
	awk -v r="$1" -v m="$2" 'BEGIN { print (r != "-" && r + 0 >= m) ? "met" : "NOT met" }'
}
if [ -n "${best[w1m,fusefat]:-}" ] && [ -n "${best[w1m,nanoos]:-}" ]; then
	for r in w1m:write-1M w4k:write-4k create:create cp:cp-r; do
		x=$(ratio "${r%%:*}" nanoos fusefat "$([ "${r%%:*}" = cp ] && echo seconds)")
		echo "nanoos/fusefat ${r#*:}: ${x}x (target >= 5): $(verdict "$x" 5)"
	done
	slower=
	for r in w1m w4k r1m r4k create stat cp; do
		x=$(ratio $r nanoos fusefat "$([ $r = cp ] && echo seconds)")
		[ "$(verdict "$x" 1)" = met ] || slower="$slower $r"
	done
	echo "never slower than fusefat: $([ -z "$slower" ] && echo met || echo "NOT met (slower on:$slower)")"
fi
if [ -n "${best[w1m,passthrough]:-}" ] && [ -n "${best[w1m,nanoos]:-}" ]; then
	for r in w1m:write-1M w4k:write-4k r1m:read-1M r4k:read-4k; do
		x=$(ratio "${r%%:*}" nanoos passthrough)
		echo "nanoos/passthrough ${r#*:}: $x (target >= 0.60): $(verdict "$x" 0.60)"
	done
fi
