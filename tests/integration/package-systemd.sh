# package-systemd.sh DEB: package.sh's part 4, the package under a real
# systemd. Run by it as root (`bash package-systemd.sh DEB`; not executable,
# so run-tests.sh does not take it for a suite). No systemd runs on the
# machines we test on, so we boot one: systemd-nspawn --boot on an overlay
# of this machine's / (lower, read-only to us) with a tmpfs above, all in a
# private mount namespace, with the host's /run hidden under a tmpfs so that
# nspawn's own files stay in it too. In the container:
#   - dpkg -i: the postinst starts nanoosd.service (Type=notify), which
#     makes /var/lib/nanoos/sd.img (ExecStartPre, StateDirectory) and its
#     socket (RuntimeDirectory); systemd's sandbox is on the daemon;
#   - root and a member of group nanoos run programs through the socket;
#     the journal has its lines with their priorities;
#   - reload (SIGHUP) keeps the daemon; dpkg -i again (an upgrade) restarts
#     it and keeps the image; stop closes the volume cleanly;
#   - dpkg --purge removes it, and the container powers off.
# Prints ok:/FAILED: lines (package.sh counts them), or a "skipped" line
# with the reason when systemd cannot boot here.
set -u
DEB=$1
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
source "$LIB"
SKIP="package: systemd checks skipped:"

# ---------------------------------------------------------------- outside
# Check what we need, then go on in a private mount namespace.
if [ -z "${PACKAGE_SYSTEMD_T:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! grep -qw overlay /proc/filesystems || ! command -v unshare >/dev/null; then
		echo "$SKIP they need root, overlayfs and unshare"
		exit 0
	fi
	if ! command -v systemd-nspawn >/dev/null; then
		echo "$SKIP systemd-nspawn is missing (apt-get install systemd-container," \
		     "or run packaging/install-deps.sh)"
		exit 0
	fi
	if [ ! -x /lib/systemd/systemd ]; then
		echo "$SKIP /lib/systemd/systemd is missing (apt-get install systemd)"
		exit 0
	fi
	T=$(mktemp -d /tmp/nanoos-systemd.XXXXXX)
	cp "$DEB" "$T/nanoos.deb"
	PACKAGE_SYSTEMD_T=$T unshare --mount --propagation private bash "$0" "$T/nanoos.deb"
	st=$?
	rm -rf "$T"
	exit $st
fi

# ---------------------------------------------------------------- the container
T=$PACKAGE_SYSTEMD_T
O=$T/ovl
R=$O/root
cd "$T" || exit 1
overlay_over_root "$O"
case $? in
1) echo "$SKIP overlayfs over / cannot be mounted here"; exit 0 ;;
2) bad "tmpfs for the overlay"; exit 1 ;;
esac
# nspawn keeps its locks and mount propagation directory in /run/systemd/nspawn;
# on a host whose /run is no tmpfs they would outlive us.
mount -t tmpfs -o mode=0755 tmpfs /run || { bad "a tmpfs on /run for nspawn"; exit 1; }
cp "$DEB" "$R/root/nanoos.deb"
# Docker-made images forbid starting services (policy-rc.d exits 101): a
# booted system has none. The whiteout stays in the upper layer.
rm -f "$R/usr/sbin/policy-rc.d"

BINFMT=/proc/sys/fs/binfmt_misc
host_had_entry=0
[ -e $BINFMT/nanoos ] && host_had_entry=1

# basic.target: the least that a service needs (journald, sockets), and no
# more of this machine's own services than that.
systemd-nspawn --quiet --boot --directory="$R" --machine=nanoos-test --register=no \
	--keep-unit --link-journal=no --console=read-only -- systemd.unit=basic.target \
	>console.log 2>&1 &
nspawn=$!
boot_start=$(date +%s%N)

stop_container() {
	kill -0 "$nspawn" 2>/dev/null || return 0
	kill -TERM "$nspawn"                 # nspawn asks its init to power off
	for _ in $(seq 100); do kill -0 "$nspawn" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$nspawn"
}
leave_no_binfmt_entry() {
	[ $host_had_entry = 0 ] && [ -e $BINFMT/nanoos ] && echo -1 >$BINFMT/nanoos
}
trap 'stop_container; leave_no_binfmt_entry' EXIT

# The container's PID 1 is the child of nspawn that is PID 1 in its own PID
# namespace (nspawn has another, short-lived child first).
children_of() { grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3; }
leader=
for _ in $(seq 100); do
	for c in $(children_of "$nspawn"); do
		grep -qP '^NSpid:\t\d+\t1$' "/proc/$c/status" 2>/dev/null && leader=$c
	done
	[ -n "$leader" ] && break
	kill -0 "$nspawn" 2>/dev/null || break
	sleep 0.1
done

# A command in the container, as a login would run it (in_ct: out and err
# in $T and its status in st; in_ct_raw: to our stdout and stderr).
in_ct_raw() {
	nsenter --target "$leader" --all --root --wd env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
in_ct() {
	in_ct_raw "$@" >"$T/out" 2>"$T/err"
	st=$?
	return $st
}
booted=
if [ -n "$leader" ]; then
	for _ in $(seq 100); do
		in_ct test -S /run/systemd/private && break
		sleep 0.1
	done
	in_ct timeout 30 systemctl is-system-running --wait
	booted=$(cat out)
fi
case $booted in
running|degraded) ;;
*)
	echo "$SKIP systemd did not boot in systemd-nspawn (state '${booted:-none}')," \
	     "the end of its console:"
	tail -n 15 console.log | sed 's/^/        /'
	exit 0 ;;
esac
boot_ms=$((($(date +%s%N) - boot_start) / 1000000))
ok "systemd boots as PID 1 of a container (nspawn --boot on an overlay of /;\
 $((boot_ms / 1000)).$((boot_ms % 1000 / 100)) s, state $booted)"
if [ "$booted" = degraded ]; then
	in_ct systemctl --failed --no-legend --plain
	echo "        (this machine's units that failed in the container: $(awk '{ print $1 }' out | xargs))"
fi

# The daemon's properties, by name: prop MainPID.
prop() { in_ct_raw systemctl show -P "$1" nanoosd.service 2>&1; }
# Lines of this boot's journal of nanoosd (journalctl ARGS).
journal() { in_ct journalctl --no-pager -u nanoosd.service "$@"; }

# ---------------------------------------------------------------- install
in_ct timeout 60 dpkg -i /root/nanoos.deb
expect "dpkg -i installs the package" 0 "Setting up nanoos"
if grep -q 'not running' out err; then bad "the postinst may start the service" "$(cat out err)"; fi
# Type=notify: "active", not "activating", only once READY=1 came.
in_ct systemctl is-active nanoosd.service
if [ "$(cat out)" = active ] && [ "$(prop Type)" = notify ]; then
	ok "the postinst started nanoosd.service (Type=notify): active, so READY=1 came"
else
	bad "the postinst starts nanoosd.service" "$(cat out; in_ct_raw systemctl status nanoosd.service 2>&1)"
fi
pid1=$(prop MainPID)
in_ct cat /proc/$pid1/comm
expect "its main process is nanoosd (MainPID $pid1)" 0 "^nanoosd$"
in_ct systemctl is-enabled nanoosd.service
expect "it is enabled (multi-user.target wants it)" 0 "^enabled$"

in_ct stat -c '%a %U %n' /var/lib/nanoos /var/lib/nanoos/sd.img /run/nanoos
if [ "$st" = 0 ] && grep -qx '700 root /var/lib/nanoos' out && grep -q ' root /var/lib/nanoos/sd.img$' out &&
   grep -qx '755 root /run/nanoos' out; then
	ok "StateDirectory /var/lib/nanoos (0700) holds sd.img; RuntimeDirectory /run/nanoos is there"
else
	bad "StateDirectory and RuntimeDirectory" "$(cat out err)"
fi
journal -o cat
if grep -q 'sd.img.new: .*filled from /usr/lib/nanoos/rootfs' out; then
	ok "ExecStartPre made the image on the first start (its line is in the journal)"
else
	bad "ExecStartPre made the image on the first start" "$(cat out)"
fi
in_ct stat -c '%a %U:%G' /run/nanoos/nanoosd.sock
expect "the socket is 0660 root:nanoos" 0 "^660 root:nanoos$"

# ---------------------------------------------------------------- the sandbox
# What systemd did to the process, read from outside it.
in_ct grep -E '^(NoNewPrivs|Seccomp|CapBnd|CapEff):' /proc/$pid1/status
if grep -qP '^NoNewPrivs:\t1$' out && grep -qP '^Seccomp:\t2$' out &&
   grep -qP '^CapBnd:\t0000000000000001$' out && grep -qP '^CapEff:\t0000000000000001$' out; then
	ok "the daemon has no new privileges, a seccomp filter and CAP_CHOWN alone"
else
	bad "NoNewPrivileges, SystemCallFilter, CapabilityBoundingSet" "$(cat out err)"
fi
in_ct sh -c "readlink /proc/1/ns/net /proc/$pid1/ns/net /proc/1/ns/ipc /proc/$pid1/ns/ipc"
if [ "$st" = 0 ] && [ "$(sed -n 1p out)" != "$(sed -n 2p out)" ] &&
   [ "$(sed -n 3p out)" != "$(sed -n 4p out)" ]; then
	ok "PrivateNetwork and PrivateIPC: its network and IPC namespaces are its own"
else
	bad "PrivateNetwork, PrivateIPC" "$(cat out err)"
fi
in_ct cat /proc/$pid1/mountinfo
# mountinfo: field 5 is the mount point, 6 its options, the last its
# superblock's options.
if awk '$5 == "/proc" && $NF ~ /hidepid=(invisible|2)/ { p = 1 }
        $5 == "/" && $6 ~ /^ro/ { r = 1 }
        $5 == "/var/lib/nanoos" && $6 ~ /^rw/ { w = 1 }
        END { exit !(p && r && w) }' out; then
	ok "ProtectProc=invisible, ProtectSystem=strict: / read-only but /var/lib/nanoos"
else
	bad "ProtectProc, ProtectSystem" "$(awk '$5 ~ /^\/(proc|var\/lib\/nanoos)?$/' out)"
fi

# ---------------------------------------------------------------- use
# Root without a daemon would make ~/.local/share/nanoos/sd.img: none made
# means the program ran on the daemon.
in_ct sh -c 'cd /tmp && HOME=/tmp/hroot nanoos run /bin/hello'
expect "root: nanoos run /bin/hello" 0 "Hello from NanoOs"
in_ct test -e /tmp/hroot/.local/share/nanoos/sd.img
if [ "$st" != 0 ]; then ok "it ran on the system daemon (no image of root's own was made)"
else bad "it ran on the system daemon"; fi
in_ct sh -c 'cd /tmp && HOME=/tmp/hroot nanoos run /bin/sh -c "ls /bin | wc -l"'
if [ "$st" = 0 ] && [ "$(tr -d ' ' <out)" -ge 30 ] 2>/dev/null; then
	ok "a pipeline of guest processes runs under the seccomp filter (ls /bin | wc -l: $(tr -d ' ' <out))"
else
	bad "a pipeline of guest processes under the seccomp filter (exit $st)" "$(cat out err)"
fi
in_ct nanoos status
expect "root sees the system daemon's status" 0 "/var/lib/nanoos/sd.img"
in_ct useradd -M -G nanoos alice
in_ct runuser -u alice -- sh -c 'cd /tmp && nanoos run /bin/whoami'
expect "alice (group nanoos) runs a program on the system daemon, as NanoOs user" 0 "^user$"
in_ct userdel alice

# ---------------------------------------------------------------- journal
# The daemon writes "<N>text" to the journal's stream: the journal must
# take N for the priority and keep it out of the text.
journal -o json --output-fields=PRIORITY,MESSAGE -p info
serving=$(grep '"serving /var/lib/nanoos/sd.img on /run/nanoos/nanoosd.sock' out | head -n 1)
if echo "$serving" | grep -q '"PRIORITY":"6"' && ! grep -q '"MESSAGE":"<' out; then
	ok "the journal has its lines with their priorities (\"serving ...\" at info)"
else
	bad "journal lines with priorities" "$(cat out err)"
fi
# A bad frame makes a warning; journalctl -p warning shows it and not the
# info lines.
if in_ct test -x /usr/bin/python3; then
	in_ct python3 -c 'import socket
s = socket.socket(socket.AF_UNIX)
s.connect("/run/nanoos/nanoosd.sock")
s.sendall(b"\xff" * 64)
s.settimeout(5)
try:
	s.recv(4096)
except OSError:
	pass'
	sleep 0.3
	journal -o cat -p warning
	if grep -q 'uid 0: .*closing that connection' out && ! grep -q '^serving' out; then
		ok "a bad client is a warning in the journal; -p warning leaves out the info lines"
	else
		bad "a bad client is a warning in the journal" "$(cat out err)"
	fi
else
	echo "package: the warning priority check skipped: no /usr/bin/python3 to send a bad frame"
fi

# ---------------------------------------------------------------- reload, upgrade, stop
in_ct systemctl reload nanoosd.service
st_reload=$st
sleep 0.3
journal -o cat
if [ "$st_reload" = 0 ] && [ "$(prop MainPID)" = "$pid1" ] && grep -q 'SIGHUP: log reopened' out &&
   [ "$(prop ActiveState)" = active ]; then
	ok "systemctl reload sends SIGHUP: the daemon stays (MainPID $pid1)"
else
	bad "systemctl reload (exit $st_reload)" "$(tail -n 5 out)"
fi

in_ct sha256sum /var/lib/nanoos/sd.img
sum_before=$(cut -d' ' -f1 out)
in_ct dpkg -i /root/nanoos.deb
expect "dpkg -i again (an upgrade) configures it again" 0 "Setting up nanoos"
pid2=$(prop MainPID)
if [ "$(prop ActiveState)" = active ] && [ -n "$pid2" ] && [ "$pid2" != 0 ] && [ "$pid2" != "$pid1" ]; then
	ok "the upgrade restarted nanoosd (MainPID $pid1 -> $pid2)"
else
	bad "the upgrade restarts nanoosd" "MainPID $pid1 -> $pid2, $(prop ActiveState)"
fi
journal -o cat
if [ "$(grep -c 'closed cleanly' out)" = 1 ]; then
	ok "the restart stopped the old daemon cleanly"
else
	bad "the restart stopped the old daemon cleanly" "$(tail -n 8 out)"
fi
in_ct sha256sum /var/lib/nanoos/sd.img
if [ "$(cut -d' ' -f1 out)" = "$sum_before" ]; then ok "the upgrade kept the image"
else bad "the upgrade kept the image" "$(cat out err)"; fi

in_ct systemctl stop nanoosd.service
st_stop=$st
journal -o cat
if [ "$st_stop" = 0 ] && [ "$(prop ActiveState)" = inactive ] && [ "$(prop Result)" = success ] &&
   [ "$(prop ExecMainStatus)" = 0 ] && [ "$(grep -c 'closed cleanly' out)" = 2 ]; then
	ok "systemctl stop: exit 0, \"$(grep 'closed cleanly' out | tail -n 1)\""
else
	bad "systemctl stop (exit $st_stop, result $(prop Result), status $(prop ExecMainStatus))" \
	    "$(tail -n 8 out)"
fi
in_ct test -e /run/nanoos
if [ "$st" != 0 ]; then ok "the stop removed /run/nanoos (RuntimeDirectory)"
else bad "the stop removed /run/nanoos"; fi

# ---------------------------------------------------------------- binfmt
# binfmt_misc belongs to a user namespace; this container shares the
# host's, so an entry made in it would be the kernel's: package-chroot.sh
# checks the entry. Here: the postinst's try must not reach the host.
if [ $host_had_entry = 0 ] && [ -e $BINFMT/nanoos ]; then
	bad "the postinst in a container left the host's binfmt_misc alone" "$(cat $BINFMT/nanoos)"
else
	ok "the postinst in a container left the host's binfmt_misc alone"
fi
if [ "$(readlink /proc/$leader/ns/user)" = "$(readlink /proc/self/ns/user)" ]; then
	echo "package: binfmt checks under systemd skipped: the container has no user namespace" \
	     "of its own, so its binfmt_misc would be the host's (package-chroot.sh checks binfmt)"
fi

# ---------------------------------------------------------------- purge, power off
in_ct dpkg --purge nanoos
expect "dpkg --purge removes the package" 0 "Purging configuration files for nanoos"
in_ct sh -c 'ls -d /var/lib/nanoos /etc/systemd/system/multi-user.target.wants/nanoosd.service \
	/lib/systemd/system/nanoosd.service 2>/dev/null; systemctl show -P LoadState nanoosd.service'
if [ "$(cat out)" = not-found ]; then
	ok "after the purge: no unit, no image, no enablement link"
else
	bad "after the purge: no unit, no image, no enablement link" "$(cat out)"
fi

in_ct systemctl poweroff
for _ in $(seq 200); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$nspawn" 2>/dev/null; then
	bad "the container powers off within 20 s" "$(tail -n 10 console.log)"
else
	wait "$nspawn"
	st=$?
	if [ "$st" = 0 ]; then ok "the container powers off (nspawn exit 0)"
	else bad "the container powers off (nspawn exit $st)" "$(tail -n 10 console.log)"; fi
fi
echo "package: systemd checks done"
