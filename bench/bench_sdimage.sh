#!/bin/bash
# bench_sdimage.sh: the SD image path against its peers, in one run on one
# machine (issue 4's benchmark):
#   write then read a 256 MiB file, and create 5,000 small files,
#   through `nanoos sdimage`, beside mtools (mcopy) on an identical image,
#   and raw pread/pwrite of the image file (dd) as the ceiling.
# Each figure is the best of NANOOS_BENCH_RUNS runs (3), the three tools
# taking turns, each run on a fresh copy of the image, so a busy machine
# blurs them less.
# nanoos flushes the image (fdatasync) before it exits: that is its commit
# point. mcopy and dd leave their writes in the page cache, so the write
# line measures less work for them; the "flushed" line times them with the
# same fdatasync (mcopy + sync -d, dd conv=fdatasync) for a like-for-like view.
# Targets (informative): nanoos >= 2x mtools; >= 50% of raw throughput.
# Usage: bench/bench_sdimage.sh [BUILD]   NANOOS_BENCH_QUICK=1: 32 MiB, 500 files
set -euo pipefail
build=${1:-build}
nanoos=$build/bin/nanoos
[ -x "$nanoos" ] || { echo "bench_sdimage: $nanoos is missing: run 'make'"; exit 1; }
nanoos=$(realpath "$nanoos")            # the runs work in the scratch directory
export MTOOLS_SKIP_CHECK=1

mib=256; files=5000; runs=${NANOOS_BENCH_RUNS:-3}
if [ "${NANOOS_BENCH_QUICK:-0}" = 1 ]; then mib=32; files=500; fi
dir=$(mktemp -d /var/tmp/nanoos-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
off=1048576

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%.1f", m / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
least() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
timed() {  # timed CMD...: seconds on stdout, output of CMD discarded
	local t0 t1
	sync
	t0=$(now)
	"$@" >/dev/null
	t1=$(now)
	secs "$t0" "$t1"
}
fresh() { cp --sparse=always "$dir/empty.img" "$dir/$1"; }   # fresh IMG: an empty volume
# The timed commands (run from $dir).
put_ours()   { "$nanoos" sdimage put ours.img big /big; }
put_mt()     { mcopy -i "mtools.img@@$off" big ::/big; }
put_mt_sync() { mcopy -i "mtools.img@@$off" big ::/big && sync -d mtools.img; }
put_raw()    { dd if=big of=raw.img bs=1M seek=64 conv=notrunc status=none; }
put_raw_sync() { dd if=big of=raw.img bs=1M seek=64 conv=notrunc,fdatasync status=none; }
get_ours()   { "$nanoos" sdimage get ours.img /big big.ours; }
get_mt()     { mcopy -i "mtools.img@@$off" ::/big big.mt; }
# Reading writes a host file, as nanoos get and mcopy do.
get_raw()    { dd if=raw.img of=big.raw bs=1M skip=64 count="$mib" status=none; }
tree_ours()  { "$nanoos" sdimage put -r ours.img small /small; }
tree_mt()    { mcopy -s -i "mtools.img@@$off" small ::/; }

echo "bench_sdimage: ${mib} MiB file, ${files} small files, best of $runs runs; images in $dir"
cd "$dir"
head -c $((mib * 1024 * 1024)) /dev/urandom >big
mkdir small
for i in $(seq 1 "$files"); do printf 'file %d\n' "$i" >"small/f$i.txt"; done
size=$((mib * 2 + 128))M
"$nanoos" sdimage create empty.img --size "$size" --fat 32 >/dev/null

w_ours= w_mt= w_raw= f_mt= f_raw= r_ours= r_mt= r_raw= c_ours= c_mt=
for run in $(seq 1 "$runs"); do
	fresh mtools.img; f_mt=$(least "$f_mt" "$(timed put_mt_sync)")
	fresh raw.img;    f_raw=$(least "$f_raw" "$(timed put_raw_sync)")
	fresh ours.img;   w_ours=$(least "$w_ours" "$(timed put_ours)")
	fresh mtools.img; w_mt=$(least "$w_mt" "$(timed put_mt)")
	fresh raw.img;    w_raw=$(least "$w_raw" "$(timed put_raw)")
done
for run in $(seq 1 "$runs"); do
	r_ours=$(least "$r_ours" "$(timed get_ours)")
	r_mt=$(least "$r_mt" "$(timed get_mt)")
	r_raw=$(least "$r_raw" "$(timed get_raw)")
done
cmp -s big big.ours || { echo "bench_sdimage: nanoos read back different bytes"; exit 1; }
for run in $(seq 1 "$runs"); do
	fresh ours.img;   c_ours=$(least "$c_ours" "$(timed tree_ours)")
	fresh mtools.img; c_mt=$(least "$c_mt" "$(timed tree_mt)")
done

printf '\n%-32s %10s %10s %10s\n' "" nanoos mtools raw
printf '%-32s %10s %10s %10s\n' "write ${mib} MiB (MiB/s)" "$(rate $mib $w_ours)" "$(rate $mib $w_mt)" "$(rate $mib $w_raw)"
printf '%-32s %10s %10s %10s\n' "  flushed to the disk (MiB/s)" "$(rate $mib $w_ours)" "$(rate $mib $f_mt)" "$(rate $mib $f_raw)"
printf '%-32s %10s %10s %10s\n' "read ${mib} MiB (MiB/s)" "$(rate $mib $r_ours)" "$(rate $mib $r_mt)" "$(rate $mib $r_raw)"
printf '%-32s %10s %10s %10s\n' "create ${files} files (/s)" "$(rate $files $c_ours)" "$(rate $files $c_mt)" "-"
echo
echo "ratio nanoos/mtools: write $(ratio $w_mt $w_ours)x (flushed $(ratio $f_mt $w_ours)x), read $(ratio $r_mt $r_ours)x, create $(ratio $c_mt $c_ours)x   (target >= 2)"
echo "ratio nanoos/raw:    write $(ratio $w_raw $w_ours) (flushed $(ratio $f_raw $w_ours)), read $(ratio $r_raw $r_ours)   (target >= 0.50)"
