#!/bin/bash
# rv32-isa.sh: the hand-written ISA programs (tests/rv32/isa/*.S, built into
# BUILD/tests/rv32/isa/*.elf) under qemu-riscv32, the reference, and under
# our CPU through rv32-exec with flat and with paged guest memory (paged
# also one instruction per rv32_run call, so every budget stop is tried). Each
# must print byte-identical output (registers and a data checksum, see
# tests/rv32/harness.S) and end with the same exit status; the trap-*
# programs end in a fault, an illegal instruction or ebreak, which must
# give the same status as qemu's signal (139, 132, 133).
# Counts one test per program and memory backend, plus a self-check that
# the comparison does report a difference.
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${BUILD:-build}
rv32_exec=$build/tests/rv32-exec
. tests/rv32/compare.sh

fail_setup() {
	echo "rv32-isa: $1"
	echo "SUITE rv32-isa: 0 passed, 1 failed"
	exit 1
}
command -v qemu-riscv32 >/dev/null || fail_setup "qemu-riscv32 is missing: run packaging/install-deps.sh"
[ -x "$rv32_exec" ] || fail_setup "$rv32_exec is missing: run 'make'"
shopt -s nullglob
elves=("$build"/tests/rv32/isa/*.elf)
srcs=(tests/rv32/isa/*.S)
[ "${#elves[@]}" -eq "${#srcs[@]}" ] ||
	fail_setup "${#srcs[@]} programs in tests/rv32/isa but ${#elves[@]} built in $build/tests/rv32/isa: run 'make'"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for elf in "${elves[@]}"; do
	name=$(basename "$elf" .elf)
	dir=$work/$name
	mkdir -p "$dir"
	rv32_run_all "$elf" "$dir" 4194304 1
	for mode in flat paged; do
		if rv32_compare "$name" "$dir" "$mode"; then
			passed=$((passed + 1))
		else
			echo "  reproduce: qemu-riscv32 $elf; $rv32_exec$([ $mode = paged ] && echo ' --paged --cache-pages 4 --slice 1') $elf"
			failed=$((failed + 1))
		fi
	done
done

if rv32_selfcheck "$work/$(basename "${elves[0]}" .elf)"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
echo "SUITE rv32-isa: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
