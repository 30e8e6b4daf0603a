#!/bin/bash
# smoke.sh BUILD: the Debian build's check of what it built (debian/rules
# dh_auto_test; the whole suite is `make test`'s job): every program
# answers --help, and the userland's hello runs in-process on a fresh
# image made from the built rootfs.
set -eu
B=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "smoke: $*" >&2; exit 1; }

"$B/bin/nanoos" --version | grep -q "^nanoos " || fail "nanoos --version does not answer"
"$B/bin/nanoosd" --version | grep -q "^nanoosd " || fail "nanoosd --version does not answer"
"$B/bin/nanoos-cc" --version >/dev/null || fail "nanoos-cc --version fails"
"$B/bin/nanoos" sdimage create "$tmp/sd.img" --size 16M --rootfs "$B/rootfs" --no-passwords \
	>/dev/null || fail "cannot make an image from $B/rootfs"
out=$(HOME=$tmp NANOOS_SOCKET=$tmp/none.sock "$B/bin/nanoos" run --image "$tmp/sd.img" /bin/hello)
case $out in
*[Hh]ello*) ;;
*) fail "/bin/hello printed '$out'" ;;
esac
test -s "$B/firmware/nanoos-atmega2560.hex" || fail "no firmware .hex"
echo "smoke: nanoos, nanoosd, nanoos-cc answer; /bin/hello runs; the firmware is built"
