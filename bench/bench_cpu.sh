#!/bin/bash
# bench_cpu.sh: our RV32 CPU against qemu-riscv32 (a JIT), in one run on one
# machine, on CPU-bound guests of our own (bench/guest/*.c: sieve, CRC-32
# over 16 MiB, recursive fib, matrix multiply, merge sort), each built for
# rv32im and rv32i. Every program runs best of 3 under both; both must
# print the same result and exit status. Printed per program: seconds
# each, our speed as a ratio of qemu's, both machines' MIPS; then the
# geometric mean of the ratios against the target (>= 0.5x qemu).
# Ours is `nanoos run --host` when BUILD/bin/nanoos has it, else the bare
# runner BUILD/tests/rv32-exec; the instruction counts (for both machines'
# MIPS: the same instructions run on each) come from rv32-exec --stats.
# Usage: bench/bench_cpu.sh [BUILD]    NANOOS_BENCH_QUICK=1: rv32im only, best of 1
set -euo pipefail
build=${1:-build}
rv32_exec=$build/tests/rv32-exec
guests=$build/bench/guest
target=0.5
runs=3
archs="rv32im rv32i"
if [ "${NANOOS_BENCH_QUICK:-0}" = 1 ]; then runs=1; archs=rv32im; fi

command -v qemu-riscv32 >/dev/null || { echo "bench_cpu: qemu-riscv32 is missing: run packaging/install-deps.sh"; exit 1; }
[ -x "$rv32_exec" ] || { echo "bench_cpu: $rv32_exec is missing: run 'make'"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# nanoos run boots an instance on an image: a scratch one, so the user's
# default image is neither made nor touched.
if "$build/bin/nanoos" run --help >/dev/null 2>&1 &&
	"$build/bin/nanoos" sdimage create "$work/sd.img" --size 64M >/dev/null; then
	ours=("$build/bin/nanoos" run --image "$work/sd.img" --host)
	ours_name="nanoos run --host"
else
	ours=("$rv32_exec")
	ours_name="rv32-exec (nanoos run --host is not available)"
fi

now() { date +%s.%N; }

# best_time NAME CMD...: the best wall time of $runs runs, on stdout; each
# run's stdout and status must equal the first's (kept in $work/NAME.*).
best_time() {
	local name=$1 best= t0 t1 s i
	shift
	for ((i = 0; i < runs; i++)); do
		t0=$(now)
		set +e
		"$@" >"$work/$name.run" 2>"$work/$name.err"
		s=$?
		set -e
		t1=$(now)
		if [ "$i" = 0 ]; then
			mv "$work/$name.run" "$work/$name.out"
			echo "$s" >"$work/$name.status"
		elif ! cmp -s "$work/$name.run" "$work/$name.out" || [ "$s" != "$(cat "$work/$name.status")" ]; then
			echo "bench_cpu: $* gave different results from run to run:" >&2
			echo "  first: $(head -c 200 "$work/$name.out") (status $(cat "$work/$name.status"))" >&2
			echo "  now:   $(head -c 200 "$work/$name.run") (status $s); $(head -c 300 "$work/$name.err")" >&2
			exit 1
		fi
		best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN { t = b - a; if (m != "" && m < t) t = m; printf "%.3f", t }')
	done
	echo "$best"
}

same_result() {  # same_result PROG: ours matched qemu, or say how not
	if ! cmp -s "$work/qemu.out" "$work/ours.out" || [ "$(cat "$work/qemu.status")" != "$(cat "$work/ours.status")" ]; then
		echo "bench_cpu: $1: our CPU computed something else than qemu:" >&2
		echo "  qemu: $(cat "$work/qemu.out") (status $(cat "$work/qemu.status"))" >&2
		echo "  ours: $(cat "$work/ours.out") (status $(cat "$work/ours.status")); $(head -c 300 "$work/ours.err")" >&2
		return 1
	fi
}

echo "bench_cpu: our CPU via $ours_name against qemu-riscv32 $(qemu-riscv32 --version | head -n 1 | awk '{print $3}'), best of $runs"
printf '\n%-16s %9s %9s %11s %10s %10s  %s\n' program "qemu s" "ours s" "ours/qemu" "qemu MIPS" "our MIPS" result
ratios=()
bad=0
for arch in $archs; do
	for prog in sieve crc32 fib matmul sort; do
		elf=$guests/$prog-$arch.elf
		[ -f "$elf" ] || { echo "bench_cpu: $elf is missing: run 'make'"; exit 1; }
		tq=$(best_time qemu qemu-riscv32 "$elf")
		to=$(best_time ours "${ours[@]}" "$elf")
		same_result "$prog-$arch" || { bad=1; continue; }
		# The instruction count: exact in our CPU, the same on every run.
		"$rv32_exec" --stats "$elf" >/dev/null 2>"$work/stats" || true
		insns=$(sed -n 's/^rv32-exec: \([0-9]*\) instructions.*/\1/p' "$work/stats")
		ratio=$(awk -v q="$tq" -v o="$to" 'BEGIN { printf "%.2f", q / o }')
		mips=$(awk -v n="${insns:-0}" -v o="$to" 'BEGIN { printf "%.0f", n / o / 1e6 }')
		qmips=$(awk -v n="${insns:-0}" -v q="$tq" 'BEGIN { printf "%.0f", n / q / 1e6 }')
		ratios+=("$ratio")
		printf '%-16s %9s %9s %10sx %10s %10s  %s\n' "$prog-$arch" "$tq" "$to" "$ratio" "$qmips" \
			"$mips" "$(tr -d '\n' <"$work/qemu.out")"
	done
done
[ "$bad" = 0 ] || { echo "bench_cpu: results differ from qemu's (above)"; exit 1; }

geomean=$(printf '%s\n' "${ratios[@]}" | awk '{ s += log($1); n++ } END { printf "%.2f", exp(s / n) }')
if awk -v g="$geomean" -v t="$target" 'BEGIN { exit !(g >= t) }'; then
	verdict="met"
else
	verdict="NOT met"
fi
echo
echo "bench_cpu: geometric mean of ours/qemu: ${geomean}x; target >= ${target}x qemu: $verdict"
echo
