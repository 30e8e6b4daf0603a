#!/bin/bash
# The FAT fuzz target (tests/fuzz/fuzz_fat.c) over its seed corpus and
# 3000 x NANOOS_SCALE seeded mutations, built with gcc for make test (make
# fuzz runs the same target under libFuzzer). A crash, a sanitizer report
# or a hang fails it.
set -u
build=${BUILD:-build}
driver=$build/fuzz/fuzz_fat
seeds=$build/fuzz/seeds
if [ ! -x "$driver" ]; then
	echo "fuzz-fat: $driver is missing: run 'make'"
	echo "SUITE fuzz-fat: 0 passed, 1 failed"
	exit 1
fi
if ! tests/fuzz/make-seeds.sh "$seeds"; then
	echo "fuzz-fat: could not make the seed corpus (mkfs.fat and mtools are needed)"
	echo "SUITE fuzz-fat: 0 passed, 1 failed"
	exit 1
fi
n=$((3000 * ${NANOOS_SCALE:-1}))
if "$driver" "$n" "$seeds"/*.img; then
	echo "SUITE fuzz-fat: 1 passed, 0 failed"
else
	echo "fuzz-fat: the target crashed or hung (above); reproduce with: $driver $n $seeds/*.img"
	echo "SUITE fuzz-fat: 0 passed, 1 failed"
	exit 1
fi
