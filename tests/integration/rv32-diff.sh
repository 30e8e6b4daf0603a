#!/bin/bash
# rv32-diff.sh: differential testing of our RV32 CPU against qemu-riscv32.
# rv32-gen (tests/rv32/gen.c) writes a random RV32IM program per seed; each
# is assembled, linked with tests/rv32/harness.S, and run under qemu-riscv32
# and under rv32-exec with flat and with paged guest memory, in rv32_run
# calls of 1000-2999 (flat) and 1-61 (paged) instructions, so that budget
# stops fall inside blocks and on both sides of the CPU's 1024-instruction
# threshold for running whole blocks.
# Registers, data checksum and exit status must be identical.
#
# Programs: 300 x NANOOS_SCALE (make test 300, make soak 3,000), on two
# jobs at a time. Seeds are consecutive from a base that changes every run
# (so runs keep finding new programs); it is printed, and
#   RV32_DIFF_SEED=BASE RV32_DIFF_COUNT=N tests/integration/rv32-diff.sh
# repeats a run. A failing program is kept in BUILD/tests/rv32-diff-failed/
# SEED/ (p.s, p.elf and each machine's output). A self-check first proves
# that the comparison reports a changed output and a changed exit status.
set -u
self=$(realpath "$0")
cd "$(dirname "$self")/../.." || exit 1
build=${BUILD:-build}
rv32_exec=$build/tests/rv32-exec
gen=$build/tests/rv32-gen
harness=$build/tests/rv32/harness.o
failed_dir=$build/tests/rv32-diff-failed
. tests/rv32/compare.sh

# Assemble and link one generated program: 0 or an assembler's complaint.
build_program() {  # build_program DIR
	riscv64-unknown-elf-as -march=rv32im_zicsr_zifencei -mabi=ilp32 "$1/p.s" -o "$1/p.o" &&
		riscv64-unknown-elf-ld -m elf32lriscv --no-relax -Ttext=0x10000 "$harness" "$1/p.o" -o "$1/p.elf"
}

# One seed: generate, build, run on the three machines, compare. Leaves
# "PASS SEED", or the differences and "FAILSEED SEED", in $work/log/SEED
# (files, not a shared stdout: cat's copy_file_range into a shared file
# description can lose a concurrent writer's lines).
one_seed() {  # one_seed SEED   (in $work)
	local seed=$1 dir=$work/$1 ok=1 mode
	local flat_slice=$((seed % 2000 + 1000)) paged_slice=$((seed % 61 + 1))
	mkdir -p "$dir"
	{
		if ! "$gen" "$seed" >"$dir/p.s" || ! build_program "$dir" 2>"$dir/build.err"; then
			echo "FAIL seed $seed: the program did not build:"
			head -n 5 "$dir/build.err"
			ok=0
		else
			rv32_run_all "$dir/p.elf" "$dir" "$flat_slice" "$paged_slice"
			for mode in flat paged; do
				rv32_compare "seed $seed" "$dir" "$mode" || ok=0
			done
		fi
		if [ "$ok" = 1 ]; then
			echo "PASS $seed"
			rm -rf "$dir"
		else
			mkdir -p "$failed_dir"
			rm -rf "${failed_dir:?}/$seed"
			mv "$dir" "$failed_dir/$seed"
			echo "  kept in $failed_dir/$seed; repeat: RV32_DIFF_SEED=$seed RV32_DIFF_COUNT=1 tests/integration/rv32-diff.sh"
			echo "  or run: qemu-riscv32 $failed_dir/$seed/p.elf; $rv32_exec [--slice $flat_slice | --paged --cache-pages 4 --slice $paged_slice] $failed_dir/$seed/p.elf"
			echo "FAILSEED $seed"
		fi
	} >"$work/log/$seed" 2>&1
}

if [ "${1:-}" = --one ]; then   # a worker of the xargs below
	work=$2
	shift 2
	for s in "$@"; do one_seed "$s"; done
	exit 0
fi

fail_setup() {
	echo "rv32-diff: $1"
	echo "SUITE rv32-diff: 0 passed, 1 failed"
	exit 1
}
command -v qemu-riscv32 >/dev/null || fail_setup "qemu-riscv32 is missing: run packaging/install-deps.sh"
command -v riscv64-unknown-elf-as >/dev/null || fail_setup "the RV32 assembler is missing: run packaging/install-deps.sh"
for f in "$rv32_exec" "$gen" "$harness"; do
	[ -e "$f" ] || fail_setup "$f is missing: run 'make'"
done

count=${RV32_DIFF_COUNT:-$((300 * ${NANOOS_SCALE:-1}))}
base=${RV32_DIFF_SEED:-$(( $(date +%s) % 1000000 * 1000 ))}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "rv32-diff: $count random programs, seeds $base..$((base + count - 1)) (repeat: RV32_DIFF_SEED=$base RV32_DIFF_COUNT=$count tests/integration/rv32-diff.sh)"

passed=0
failed=0
# The self-check, on one program of its own.
mkdir -p "$work/self"
if "$gen" "$((base + count))" >"$work/self/p.s" && build_program "$work/self" &&
	rv32_run_all "$work/self/p.elf" "$work/self" 4194304 7 && rv32_selfcheck "$work/self"; then
	passed=$((passed + 1))
else
	echo "FAIL self-check (above)"
	failed=$((failed + 1))
fi

start=$(date +%s.%N)
log=$work/all.log
mkdir -p "$work/log"
seq "$base" "$((base + count - 1))" | xargs -n 20 -P 2 "$self" --one "$work"
(cd "$work/log" && ls | sort -n | xargs -r cat) >"$log"
grep -v '^PASS ' "$log" | grep -v '^FAILSEED ' | head -n 200
p=$(grep -c '^PASS ' "$log")
f=$(grep -c '^FAILSEED ' "$log")
if [ $((p + f)) -ne "$count" ]; then
	echo "rv32-diff: only $((p + f)) of $count programs reported back"
	f=$((count - p))
fi
passed=$((passed + p))
failed=$((failed + f))
[ "$f" -eq 0 ] || echo "rv32-diff: failing seeds: $(grep '^FAILSEED ' "$log" | cut -d' ' -f2 | sort -n | head -n 20 | tr '\n' ' ')"
awk -v a="$start" -v b="$(date +%s.%N)" -v n="$count" 'BEGIN { printf "rv32-diff: %d programs in %.1f s\n", n, b - a }'
echo "SUITE rv32-diff: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
