#!/bin/bash
# make-run.sh BUILD: what `make run` does once everything is built.
#   1. A daemon already answers (NANOOS_SOCKET, the user or the system
#      socket): attach `nanoos shell` to it and leave it running after.
#   2. Else: make the default image from BUILD/rootfs if there is none
#      (`nanoos sdimage create IMG --size 256M --rootfs ...`, which prints
#      the first passwords of root and user once), start BUILD/bin/nanoosd
#      on it with a private socket, attach `nanoos shell`, and when the
#      shell ends stop that daemon.
# Leaving the shell is the normal end, whatever its last status: we exit 0
# then (make would call any other status an error); 1 when setting up failed.
set -u
BUILD=${1:-build}
N=$BUILD/bin/nanoos
D=$BUILD/bin/nanoosd
say() { echo "make run: $*"; }

for f in "$N" "$D" "$BUILD/rootfs/bin/sh"; do
	if [ ! -e "$f" ]; then
		say "$f is missing; the build did not make it (run \`make\` and read its errors)"
		exit 1
	fi
done

if "$N" status >/dev/null 2>&1; then
	say "a NanoOs daemon is already running; attaching a shell to it (it keeps running after)"
	"$N" shell
	exit 0
fi

img=${NANOOS_IMAGE:-${XDG_DATA_HOME:-$HOME/.local/share}/nanoos/sd.img}
if [ ! -e "$img" ]; then
	mkdir -p "$(dirname "$img")" || exit 1
	say "creating the default image: $N sdimage create $img --size 256M --rootfs $BUILD/rootfs"
	"$N" sdimage create "$img" --size 256M --rootfs "$BUILD/rootfs" || {
		say "making the image failed (see above)"; exit 1; }
fi

dir=$(mktemp -d /tmp/nanoos-run.XXXXXX) || exit 1
sock=$dir/nanoosd.sock
log=$dir/nanoosd.log
say "starting $D --image $img --socket $sock (log: $log)"
"$D" --image "$img" --socket "$sock" --foreground 2>"$log" &
daemon=$!

stop_daemon() {
	if kill -0 "$daemon" 2>/dev/null; then
		NANOOS_SOCKET=$sock "$N" stop --timeout 30 >/dev/null 2>&1 || kill "$daemon" 2>/dev/null
		wait "$daemon" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap stop_daemon EXIT
trap 'exit 130' INT TERM HUP

for _ in $(seq 200); do
	[ -S "$sock" ] && break
	if ! kill -0 "$daemon" 2>/dev/null; then
		say "nanoosd did not start:"
		cat "$log"
		exit 1
	fi
	sleep 0.05
done
if [ ! -S "$sock" ]; then
	say "nanoosd made no socket in 10 s; its log:"
	cat "$log"
	exit 1
fi

say "NanoOs is up; \`exit\` or ^D leaves the shell and stops this daemon"
NANOOS_SOCKET=$sock "$N" shell
say "the shell ended (status $?); stopping the daemon"
exit 0
