# lib.sh: what the integration suites share (sourced, not run: it is not
# executable, so tests/run-tests.sh skips it).
#
#   suite_needs NAME FILE...  stop with a SUITE line unless every FILE exists
#   suite_tmpdir              cd into a fresh directory removed at exit, with
#                             HOME and XDG_DATA_HOME inside it and no
#                             NANOOS_IMAGE or NANOOS_SOCKET from the caller
#   ok NAME / bad NAME [TEXT] count a check (bad shows TEXT, BAD_LINES lines)
#   expect NAME STATUS PATTERN      $st and a line of `out` (ERE; "" = any)
#   expect_err NAME STATUS PATTERN  $st and a line of `err`
#   fsck_clean IMG [bare]     fsck.fat -n finds nothing on IMG's volume
#   fsck_step IMG WHAT        count that as a check ("... clean after WHAT")
#   suite_end                 the SUITE line; exits 0 only when none failed
#   overlay_over_root O       (root, in a private mount namespace) a tmpfs on
#                             O holding O/upper and O/work, and O/root: this
#                             machine's / below, O/upper above; 1 if
#                             overlayfs cannot be mounted so, 2 if the tmpfs
SUITE_NAME=${SUITE_NAME:-suite}
passed=0
failed=0
BAD_LINES=${BAD_LINES:-20}

suite_needs() {
	local f
	SUITE_NAME=$1
	shift
	for f in "$@"; do
		if [ ! -e "$f" ]; then
			echo "$SUITE_NAME: ${f:-a build product} is missing: run 'make' first"
			echo "SUITE $SUITE_NAME: 0 passed, 1 failed"
			exit 1
		fi
	done
}

suite_tmpdir() {
	T=$(mktemp -d)
	trap 'rm -rf "$T"' EXIT
	cd "$T" || exit 1
	export HOME=$T/home XDG_DATA_HOME=$T/data
	unset NANOOS_IMAGE NANOOS_SOCKET
}

ok()  { passed=$((passed + 1)); [ -n "${QUIET_OK:-}" ] || echo "ok:     $1"; }
bad() {
	failed=$((failed + 1))
	echo "FAILED: $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/        /' | head -"$BAD_LINES"
	return 0
}

expect() {
	local name=$1 want=$2 pattern=$3
	if [ "$st" != "$want" ]; then
		bad "$name (exit $st, wanted $want)" "$(cat out err 2>/dev/null)"
	elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" out; then
		bad "$name (output)" "$(cat out err)"
	else
		ok "$name"
	fi
}

expect_err() {
	local name=$1 want=$2 pattern=$3
	if [ "$st" != "$want" ]; then
		bad "$name (exit $st, wanted $want)" "$(cat out err 2>/dev/null)"
	elif ! grep -qE -- "$pattern" err; then
		bad "$name (message)" "$(cat err)"
	else
		ok "$name"
	fi
}

suite_end() {
	echo "SUITE $SUITE_NAME: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

# The volume of an image from `nanoos sdimage create` starts at 1 MiB (its
# MBR partition); bare: the whole file is the volume. fsck.fat's report is
# left in fsck.out.
fsck_clean() {
	if [ "${2:-}" = bare ]; then cp "$1" part; else
		dd if="$1" of=part bs=512 skip=2048 status=none; fi
	fsck.fat -n part >fsck.out 2>&1
}
fsck_step() {
	if fsck_clean "$1"; then ok "fsck.fat -n clean after $2"; else
		bad "fsck.fat -n clean after $2" "$(cat fsck.out)"; fi
}

overlay_over_root() {
	local o=$1
	mkdir -p "$o"
	mount -t tmpfs -o mode=0755 tmpfs "$o" || return 2
	mkdir -p "$o/upper" "$o/work" "$o/root"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$o/upper,workdir=$o/work" "$o/root" || return 1
}
