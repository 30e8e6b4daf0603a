#!/bin/bash
# bench_sdimage.sh: the SD image path against its peers, in one run on one
# machine (issue 4's benchmark):
#   write then read a 256 MiB file, and create 5,000 small files,
#   through `nanoos sdimage`, beside mtools (mcopy) on an identical image,
#   and raw pread/pwrite of the image file (dd) as the ceiling.
# Targets (informative): nanoos >= 2x mtools; >= 50% of raw throughput.
# Usage: bench/bench_sdimage.sh [BUILD]   NANOOS_BENCH_QUICK=1: 32 MiB, 500 files
set -euo pipefail
build=${1:-build}
nanoos=$build/bin/nanoos
[ -x "$nanoos" ] || { echo "bench_sdimage: $nanoos is missing: run 'make'"; exit 1; }
export MTOOLS_SKIP_CHECK=1

mib=256; files=5000
if [ "${NANOOS_BENCH_QUICK:-0}" = 1 ]; then mib=32; files=500; fi
dir=$(mktemp -d /var/tmp/nanoos-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
off=1048576

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%.1f", m / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
timed() {  # timed CMD...: seconds on stdout, output of CMD discarded
	local t0 t1
	sync
	t0=$(now)
	"$@" >/dev/null
	t1=$(now)
	secs "$t0" "$t1"
}

echo "bench_sdimage: ${mib} MiB file, ${files} small files; images in $dir"
head -c $((mib * 1024 * 1024)) /dev/urandom >"$dir/big"
mkdir "$dir/small"
for i in $(seq 1 "$files"); do printf 'file %d\n' "$i" >"$dir/small/f$i.txt"; done
size=$((mib * 2 + 128))M
"$nanoos" sdimage create "$dir/ours.img" --size "$size" --fat 32 >/dev/null
cp --sparse=always "$dir/ours.img" "$dir/mtools.img"
cp --sparse=always "$dir/ours.img" "$dir/raw.img"

w_ours=$(timed "$nanoos" sdimage put "$dir/ours.img" "$dir/big" /big)
r_ours=$(timed "$nanoos" sdimage get "$dir/ours.img" /big "$dir/big.ours")
cmp -s "$dir/big" "$dir/big.ours" || { echo "bench_sdimage: nanoos read back different bytes"; exit 1; }
w_mt=$(timed mcopy -i "$dir/mtools.img@@$off" "$dir/big" ::/big)
r_mt=$(timed mcopy -i "$dir/mtools.img@@$off" ::/big "$dir/big.mt")
# Raw: the same bytes written into, then read from, the image file.
w_raw=$(timed dd if="$dir/big" of="$dir/raw.img" bs=1M seek=64 conv=notrunc status=none)
# Reading writes a host file, as nanoos get and mcopy do.
r_raw=$(timed dd if="$dir/raw.img" of="$dir/big.raw" bs=1M skip=64 count="$mib" status=none)

c_ours=$(timed "$nanoos" sdimage put -r "$dir/ours.img" "$dir/small" /small)
c_mt=$(timed mcopy -s -i "$dir/mtools.img@@$off" "$dir/small" ::/)

printf '\n%-28s %10s %10s %10s\n' "" nanoos mtools raw
printf '%-28s %10s %10s %10s\n' "write ${mib} MiB (MiB/s)" "$(rate $mib $w_ours)" "$(rate $mib $w_mt)" "$(rate $mib $w_raw)"
printf '%-28s %10s %10s %10s\n' "read ${mib} MiB (MiB/s)" "$(rate $mib $r_ours)" "$(rate $mib $r_mt)" "$(rate $mib $r_raw)"
printf '%-28s %10s %10s %10s\n' "create ${files} files (/s)" "$(rate $files $c_ours)" "$(rate $files $c_mt)" "-"
echo
echo "ratio nanoos/mtools: write $(ratio $w_mt $w_ours)x, read $(ratio $r_mt $r_ours)x, create $(ratio $c_mt $c_ours)x   (target >= 2)"
echo "ratio nanoos/raw:    write $(ratio $w_raw $w_ours), read $(ratio $r_raw $r_ours)   (target >= 0.50)"
