# compare.sh: sourced by tests/integration/rv32-isa.sh and rv32-diff.sh.
#
# rv32_run_all ELF DIR FLAT_SLICE PAGED_SLICE: runs ELF under qemu-riscv32
# and under rv32-exec, flat and --paged (4 cache pages: most accesses evict
# and write back), in rv32_run calls of the given numbers of instructions
# (so that budget stops fall inside blocks), each within RV32_TIMEOUT
# seconds, leaving DIR/{qemu,flat,paged}.out (stdout), .err (stderr) and
# .status.
# rv32_compare NAME DIR MODE: 0 when MODE's stdout and exit status are
# byte-identical to qemu's; else prints what differs and returns 1.
# rv32_selfcheck DIR: 0 when rv32_compare reports a corrupted copy of
# DIR's qemu output and a changed exit status (so a suite cannot pass
# because its comparison never fails).

RV32_TIMEOUT=${RV32_TIMEOUT:-20}

rv32_run_one() {  # rv32_run_one DIR NAME CMD...
	local dir=$1 name=$2
	shift 2
	# In a subshell whose stderr is dropped: bash's "Segmentation fault"
	# report of a killed qemu goes there, not into the test's log.
	(
		timeout "$RV32_TIMEOUT" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
		echo $? >"$dir/$name.status"
	) 2>/dev/null
}

rv32_run_all() {  # rv32_run_all ELF DIR FLAT_SLICE PAGED_SLICE   (uses $rv32_exec)
	rv32_run_one "$2" qemu qemu-riscv32 "$1"
	rv32_run_one "$2" flat "$rv32_exec" --slice "$3" "$1"
	rv32_run_one "$2" paged "$rv32_exec" --paged --cache-pages 4 --slice "$4" "$1"
}

rv32_compare() {  # rv32_compare NAME DIR MODE
	local name=$1 dir=$2 mode=$3 qs ms bad=0
	qs=$(cat "$dir/qemu.status")
	ms=$(cat "$dir/$mode.status")
	if [ "$qs" != "$ms" ]; then
		echo "FAIL $name ($mode): exit status: qemu $qs, ours $ms"
		bad=1
	fi
	if ! cmp -s "$dir/qemu.out" "$dir/$mode.out"; then
		echo "FAIL $name ($mode): output differs (< qemu, > ours):"
		diff "$dir/qemu.out" "$dir/$mode.out" | head -n 24
		bad=1
	fi
	if [ "$bad" = 1 ] && [ -s "$dir/$mode.err" ]; then
		echo "  ours said on stderr:"
		head -n 5 "$dir/$mode.err" | sed 's/^/    /'
	fi
	return $bad
}

rv32_selfcheck() {  # rv32_selfcheck DIR
	local dir=$1 sc=$1/selfcheck
	mkdir -p "$sc"
	cp "$dir/qemu.out" "$dir/qemu.status" "$sc/"
	: >"$sc/bad.err"
	# One character changed in the last line: must be reported.
	sed '$ s/.$/#/' "$dir/qemu.out" >"$sc/bad.out"
	cp "$dir/qemu.status" "$sc/bad.status"
	if rv32_compare selfcheck "$sc" bad >/dev/null; then
		echo "FAIL self-check: a changed output byte was not reported"
		return 1
	fi
	# Same output, another exit status: must be reported.
	cp "$dir/qemu.out" "$sc/bad.out"
	echo $(( ($(cat "$dir/qemu.status") + 1) % 256 )) >"$sc/bad.status"
	if rv32_compare selfcheck "$sc" bad >/dev/null; then
		echo "FAIL self-check: a changed exit status was not reported"
		return 1
	fi
	# And the unchanged copy must pass.
	cp "$dir/qemu.status" "$sc/bad.status"
	if ! rv32_compare selfcheck "$sc" bad >/dev/null; then
		echo "FAIL self-check: identical results were reported as different"
		return 1
	fi
	return 0
}
