#!/bin/bash
# Run every test binary under BUILD/tests, then the firmware check, and sum
# the suites' "N passed, N failed" lines into one closing line.
# Usage: tests/run-tests.sh BUILD_DIR      (NANOOS_SCALE=1 test, 10 soak)
set -u
build=${1:-build}
passed=0
failed=0
export NANOOS_SCALE=${NANOOS_SCALE:-1}
echo "NanoOs tests, scale ${NANOOS_SCALE} (1 = make test, 10 = make soak)"

count() {  # count NAME STATUS OUTPUT-FILE
	local line p f
	line=$(grep -E '^SUITE .*: [0-9]+ passed, [0-9]+ failed$' "$3" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAILED: $1 printed no summary (exit status $2)"
		failed=$((failed + 1))
		return
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/' <<<"$line")
	f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/' <<<"$line")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAILED: $1 exited with status $2"
		failed=$((failed + 1))
	fi
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	start=$(date +%s.%N)
	"$t" >"$out" 2>&1
	status=$?
	cat "$out"
	count "$name" "$status" "$out"
	awk -v a="$start" -v b="$(date +%s.%N)" -v n="$name" 'BEGIN { printf "  (%s: %.1f s)\n", n, b - a }'
done

# Integration tests: scripts that print their own SUITE line.
for t in tests/integration/*.sh; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	BUILD="$build" "$t" >"$out" 2>&1
	status=$?
	cat "$out"
	count "$name" "$status" "$out"
done

echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
