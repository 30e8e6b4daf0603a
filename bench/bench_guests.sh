#!/bin/bash
# bench_guests.sh: scale of guests in one instance (`nanoos run` boots it).
#  - 10,000 concurrent sleeping guests (bench/guest/sleepers forks them):
#    the time to fork them all, the instance's VmRSS (/proc/PID/status) and
#    its mappings (/proc/PID/maps: vm.max_map_count is 65530) while they all
#    sleep, against the target of 1 GiB.
#  - spawn+exit per second: t-limits spawn runs fork+exec+exit+wait of
#    /bin/true, then vfork+exec+exit+wait, N times each, against >= 2,000/s.
# Usage: bench/bench_guests.sh [BUILD]   NANOOS_BENCH_GUESTS=N (10000),
# NANOOS_BENCH_SPAWNS=N (5000).
set -uo pipefail
build=${1:-build}
n=$(realpath "$build/bin/nanoos")
sleepers=$(realpath "$build/bench/guest/sleepers")
tl=$(realpath "$build/usr/tests/t-limits")
rootfs=$(realpath "$build/rootfs")
count=${NANOOS_BENCH_GUESTS:-10000}
spawns=${NANOOS_BENCH_SPAWNS:-5000}
for f in "$n" "$sleepers" "$tl" "$rootfs/bin/true"; do
	[ -e "$f" ] || { echo "bench_guests: $f is missing: run 'make'"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export HOME=$work XDG_DATA_HOME=$work/data
unset NANOOS_IMAGE NANOOS_SOCKET
"$n" sdimage create sd.img --size 64M --rootfs "$rootfs" >/dev/null || exit 1

status=0
echo "== $count sleeping guests in one instance"
"$n" run --image sd.img --host "$sleepers" "$count" 30 >out 2>err </dev/null &
pid=$!
start=$(date +%s.%N)
while ! grep -q '^sleeping' out 2>/dev/null; do
	kill -0 $pid 2>/dev/null || break
	sleep 0.05
done
end=$(date +%s.%N)
rss=$(awk '/^VmRSS:/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
maps=$(wc -l </proc/$pid/maps 2>/dev/null || echo 0)
threads=$(awk '/^Threads:/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
awk -v s="$start" -v e="$end" -v r="$rss" -v m="$maps" -v t="$threads" -v c="$(head -1 out)" \
	-v n="$count" 'BEGIN { printf "%s: forked in %.2f s; VmRSS %.0f MiB (%.1f KiB a guest); %d mappings; %d threads\n",
	         c, e - s, r / 1024, r / n, m, t }'
if grep -q "^sleeping $count\$" out && [ "$rss" -lt $((1024 * 1024)) ]; then
	echo "   target: < 1 GiB RSS for $count: met"
else
	echo "   target: < 1 GiB RSS for $count: NOT met"; status=1
fi
wait $pid || { echo "   the sleepers ended with $?: $(tail -2 out err)"; status=1; }
tail -1 out

echo "== spawn+exit of /bin/true, $spawns times each way"
timeout 300 "$n" run --image sd.img --host "$tl" spawn "$spawns" /bin/true 2>err | tee out
rate=$(awk '/^fork\+exec/ {print $2}' out | tr -d '/s')
awk -v r="${rate:-0}" 'BEGIN { exit !(r >= 2000) }' &&
	echo "   target: >= 2,000 spawn+exit per second: met" ||
	{ echo "   target: >= 2,000 spawn+exit per second: NOT met"; status=1; }
exit $status
