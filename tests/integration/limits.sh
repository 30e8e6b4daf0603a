#!/bin/bash
# Limits, fair slices and scale of guests, end to end through `nanoos run`:
# the t-limits TAP test (getrlimit/setrlimit/prlimit, EMFILE, ENOMEM, EAGAIN
# under a lowered RLIMIT_NPROC, SIGKILL of a spinner, pipe round trips
# beside spinners), then each abuse load on its own instance -- a memory
# hog, an fd leak, a fork bomb -- hitting its limit with the expected error
# while /bin/true still starts within a few seconds in the same instance,
# and the hog's host memory given back after it ended (VmRSS of the
# instance), then 1,000 x NANOOS_SCALE sleeping guests in one instance
# under a generous RSS bound (bench/bench_guests.sh measures 10,000).
set -u
BUILD=${BUILD:-build}
SCALE=${NANOOS_SCALE:-1}
N=$(realpath "$BUILD/bin/nanoos" 2>/dev/null)
TL=$(realpath "$BUILD/usr/tests/t-limits" 2>/dev/null)
SLEEPERS=$(realpath "$BUILD/bench/guest/sleepers" 2>/dev/null)
ROOTFS=$(realpath "$BUILD/rootfs" 2>/dev/null)

passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok:     $1"; }
bad() { failed=$((failed + 1)); echo "FAILED: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/        /' | head -20; }
finish() { echo "SUITE limits: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

for f in "$N" "$TL" "$SLEEPERS" "$ROOTFS/bin/true"; do
	if [ ! -e "$f" ]; then
		bad "${f:-a build product} is missing: run 'make' first"
		finish
	fi
done
T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 1
export HOME=$T/home XDG_DATA_HOME=$T/data
unset NANOOS_IMAGE NANOOS_SOCKET
"$N" sdimage create sd.img --size 64M --rootfs "$ROOTFS" >/dev/null 2>err || { bad "create image" "$(cat err)"; finish; }

# rss_kb PID: VmRSS of the instance that `timeout` (PID) runs
rss_kb() {
	local p
	p=$(pgrep -P "$1" | head -1)
	awk '/^VmRSS:/ {print $2}' "/proc/${p:-$1}/status" 2>/dev/null || echo 0
}
# wait_line FILE PATTERN PID SECONDS: until FILE has a line matching PATTERN
wait_line() {
	local i
	for ((i = 0; i < $4 * 20; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || { grep -qE -- "$2" "$1" 2>/dev/null; return; }
		sleep 0.05
	done
	return 1
}

# ---------------------------------------------------------------- the TAP test
timeout 120 "$N" run --image sd.img --host "$TL" >out 2>err </dev/null; st=$?
if [ "$st" = 0 ] && ! grep -q '^not ok' out && grep -qE '^1\.\.[1-9]' out; then
	ok "t-limits under nanoos run ($(grep -c '^ok' out) checks)"
else
	bad "t-limits under nanoos run (exit $st)" "$(grep -v '^ok' out; grep -v 'system call 146' err)"
fi

# ---------------------------------------------------------------- each abuse
# load NAME ARG ERROR: run it; the refusal, the responsiveness, the exit
load() {
	local name=$1 arg=$2 want=$3
	timeout 60 "$N" run --image sd.img --host "$TL" "$name" $arg >"$name.out" 2>"$name.err" </dev/null &
	local pid=$!
	if ! wait_line "$name.out" '^released' $pid 30; then
		bad "$name: the load did not finish" "$(cat "$name.out" "$name.err")"
		wait $pid
		return
	fi
	grep -q "^$name [0-9]* refused as expected" "$name.out" &&
		ok "$name: refused with $want ($(head -1 "$name.out"))" ||
		bad "$name: refused with $want" "$(cat "$name.out")"
	local t
	t=$(awk '/^responsive/ {print $2}' "$name.out")
	awk -v t="${t:--1}" 'BEGIN { exit !(t >= 0 && t < 3) }' &&
		ok "$name: meanwhile /bin/true ran in ${t}s in the same instance" ||
		bad "$name: /bin/true while it held its limit (${t:-none})" "$(cat "$name.out")"
	wait $pid; local st=$?
	[ "$st" = 0 ] && ok "$name: the instance ended cleanly" ||
		bad "$name: the instance ended with $st" "$(grep -v 'system call 146' "$name.err")"
}
load fdleak "" EMFILE
load bomb 64 EAGAIN

# The hog: its pages are the instance's while it holds them, and go back.
timeout 60 "$N" run --image sd.img --host "$TL" hog 48 >hog.out 2>hog.err </dev/null &
pid=$!
if wait_line hog.out '^hog ' $pid 30; then
	held=$(rss_kb $pid)
	if wait_line hog.out '^released' $pid 30; then
		sleep 0.3
		after=$(rss_kb $pid)
		grep -q '^hog [0-9]* refused as expected' hog.out &&
			ok "hog: ENOMEM under RLIMIT_AS 48 MiB ($(head -1 hog.out))" ||
			bad "hog: ENOMEM under RLIMIT_AS" "$(cat hog.out)"
		[ "$held" -gt 40000 ] && [ $((held - after)) -gt 30000 ] &&
			ok "hog: the instance held ${held} kB, then ${after} kB once it ended" ||
			bad "hog: memory given back (held ${held} kB, after ${after} kB)"
		t=$(awk '/^responsive/ {print $2}' hog.out)
		awk -v t="${t:--1}" 'BEGIN { exit !(t >= 0 && t < 3) }' &&
			ok "hog: meanwhile /bin/true ran in ${t}s" || bad "hog: /bin/true meanwhile (${t:-none})"
	else
		bad "hog: did not finish" "$(cat hog.out hog.err)"
	fi
else
	bad "hog: no report" "$(cat hog.out hog.err)"
fi
wait $pid

# ---------------------------------------------------------------- scale
count=$((1000 * SCALE))
secs=$((4 + SCALE))
timeout 300 "$N" run --image sd.img --host "$SLEEPERS" $count $secs >sl.out 2>sl.err </dev/null &
pid=$!
start=$(date +%s.%N)
if wait_line sl.out '^sleeping' $pid 120; then
	took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
	rss=$(rss_kb $pid)
	grep -q "^sleeping $count\$" sl.out &&
		ok "$count sleeping guests forked in ${took}s" || bad "$count sleeping guests" "$(cat sl.out sl.err)"
	# Generous: 200 KiB a guest (measured: about 50).
	[ "$rss" -lt $((count * 200 + 100000)) ] &&
		ok "they take ${rss} kB of RSS ($((rss / count)) kB a guest, all in)" ||
		bad "RSS of $count sleeping guests: ${rss} kB"
fi
wait $pid; st=$?
[ "$st" = 0 ] && grep -q "^reaped $count\$" sl.out && ok "all $count woke, ended and were reaped" ||
	bad "the sleepers ended (exit $st)" "$(cat sl.out sl.err)"

finish
