# package-chroot.sh DEB: package.sh's part 3, run by it as root inside
# `unshare --mount` (not executable, so run-tests.sh does not take it for a
# suite). Builds the chroot (overlayfs: this machine's / below, a tmpfs
# above), installs DEB with dpkg, uses it, purges it and checks that the
# upper layer keeps nothing of it. Prints ok:/FAILED: lines; package.sh
# counts them.
set -u
DEB=$1
T=$DEB_T
source "$(dirname "$0")/lib.sh"

O=$T/ovl
R=$O/root
U=$O/upper
overlay_over_root "$O"
case $? in
1) echo "package: install checks skipped: overlayfs over / cannot be mounted here"; exit 0 ;;
2) bad "tmpfs for the overlay"; exit 1 ;;
esac
mount --rbind /proc "$R/proc" && mount --rbind /dev "$R/dev" && mount --rbind /sys "$R/sys" &&
mount -t tmpfs -o mode=0755 tmpfs "$R/run" && mount -t tmpfs -o mode=1777 tmpfs "$R/tmp" ||
	{ bad "the chroot's /proc, /dev, /sys, /run and /tmp"; exit 1; }
cp "$DEB" "$T/notify_listen" "$R/tmp/"

BINFMT=/proc/sys/fs/binfmt_misc
# binfmt_misc is the kernel's, not the chroot's: never leave our entry.
trap '[ -e $BINFMT/nanoos ] && echo -1 > $BINFMT/nanoos' EXIT

# A command in the chroot with a clean environment; out and err in $T.
in_root() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@" >"$T/out" 2>"$T/err"
	st=$?
}
cd "$T" || exit 1

# ---------------------------------------------------------------- install
in_root dpkg -i /tmp/nanoos.deb
expect "dpkg -i installs the package" 0 "Setting up nanoos"
in_root getent group nanoos
expect "group nanoos exists (sysusers.d)" 0 "^nanoos:"
in_root sh -c 'nanoos --version; nanoosd --version; nanoos-cc --version'
expect "nanoos, nanoosd and nanoos-cc are on PATH" 0 "^nanoosd [0-9]"

in_root sh -c 'cd /tmp && HOME=/tmp/h nanoos run /usr/lib/nanoos/rootfs/bin/hello'
expect "nanoos run /usr/lib/nanoos/rootfs/bin/hello" 0 "Hello from NanoOs"
if [ "$(cat out)" = "Hello from NanoOs!" ] && grep -q "first passwords (shown once)" err; then
	ok "the new default image's report and first passwords go to stderr, not the program's stdout"
else
	bad "the default image's report goes to stderr" "$(cat out)"
fi
cat >"$R/tmp/sysname.c" <<'EOF'
#include <stdio.h>
#include <sys/utsname.h>
int main(void)
{
	struct utsname u;

	if (uname(&u) != 0)
		return 1;
	printf("%s\n", u.sysname);
	return 0;
}
EOF
in_root sh -c 'cd /tmp && nanoos-cc -O2 -o sysname sysname.c && HOME=/tmp/h nanoos run ./sysname'
expect "the installed nanoos-cc and SDK build a program that runs on NanoOs" 0 "^NanoOs$"

in_root sh -c 'for p in /usr/share/man/man1/nanoos.1.gz /usr/share/man/man1/nanoos-cc.1.gz \
	/usr/share/man/man8/nanoosd.8.gz; do MANWIDTH=80 man --warnings -l "$p" >/dev/null || exit 1; done; man -w nanoosd'
if [ "$st" = 0 ] && [ ! -s err ] && grep -q 'man8/nanoosd.8.gz' out; then
	ok "man -l renders the three pages without a warning; man finds nanoosd(8)"
else
	bad "man pages" "$(cat out err)"
fi
in_root bash -c 'source /usr/share/bash-completion/completions/nanoosd && complete -p nanoos nanoosd nanoos-cc'
expect "bash completion loads for nanoos, nanoosd and nanoos-cc" 0 "nanoos-cc$"

in_root systemd-analyze verify /lib/systemd/system/nanoosd.service
if [ "$st" = 0 ] && [ ! -s out ] && [ ! -s err ]; then
	ok "systemd-analyze verify nanoosd.service is clean"
else
	bad "systemd-analyze verify nanoosd.service" "$(cat out err)"
fi
in_root systemd-analyze security --offline=true /lib/systemd/system/nanoosd.service
exposure=$(grep -o 'Overall exposure level for nanoosd.service: [0-9.]*' out | awk '{ print $NF }')
echo "        (systemd-analyze security: exposure ${exposure:-?} of 10)"
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e < 5.0) }'; then
	ok "the unit is hardened (exposure $exposure, under 5.0)"
else
	bad "the unit is hardened" "$(tail -n 5 out)"
fi

# ---------------------------------------------------------------- the service
# The unit's command lines, run as systemd runs them: StateDirectory and
# RuntimeDirectory made first, ExecStartPre, then ExecStart with
# $NOTIFY_SOCKET and $INVOCATION_ID, no new privileges and CAP_CHOWN alone.
unit=$R/lib/systemd/system/nanoosd.service
pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
start_cmd=$(sed -n 's/^ExecStart=//p' "$unit")
install -d -m 0700 "$R/var/lib/nanoos"
install -d -m 0755 "$R/run/nanoos"
# A first start cut short left a half-made sd.img.new: it is made again.
head -c 1048576 /dev/zero >"$R/var/lib/nanoos/sd.img.new"
eval "set -- $pre"
in_root "$@"
expect "ExecStartPre makes /var/lib/nanoos/sd.img on the first start" 0 "sd.img.new: .*filled from /usr/lib/nanoos/rootfs"
if [ -f "$R/var/lib/nanoos/sd.img" ] && [ ! -e "$R/var/lib/nanoos/sd.img.new" ] &&
   [ "$(stat -c %s "$R/var/lib/nanoos/sd.img")" = $((256 << 20)) ]; then
	ok "it is made as sd.img.new and renamed (a half-made one from a cut start is replaced)"
else
	bad "sd.img made whole" "$(ls -l "$R/var/lib/nanoos")"
fi
if grep -q "first passwords" out; then bad "no first password goes to the journal" "$(cat out)"; fi
in_root "$@"
if [ "$st" = 0 ] && [ ! -s out ]; then ok "ExecStartPre keeps an image that exists"
else bad "ExecStartPre keeps an image that exists" "$(cat out err)"; fi

chroot "$R" /tmp/notify_listen /run/notify.sock 60 >notify.out 2>&1 &
listener=$!
for _ in $(seq 50); do [ -S "$R/run/notify.sock" ] && break; sleep 0.1; done
eval "set -- $start_cmd"
chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NOTIFY_SOCKET=/run/notify.sock \
	INVOCATION_ID=0123456789abcdef0123456789abcdef \
	setpriv --no-new-privs --bounding-set=-all,+chown --inh-caps=-all "$@" 2>daemon.log &
daemon=$!
wait "$listener"
if [ $? = 0 ] && grep -qx 'READY=1' notify.out && [ -S "$R/run/nanoos/nanoosd.sock" ]; then
	ok "nanoosd (no new privileges, CAP_CHOWN only) says READY=1 once its socket is there"
else
	bad "nanoosd says READY=1" "$(cat notify.out daemon.log)"
fi
in_root stat -c '%a %U:%G' /run/nanoos/nanoosd.sock
expect "the system socket is 0660 root:nanoos" 0 "^660 root:nanoos$"

in_root sh -c 'useradd -M -G nanoos alice && useradd -m bob'
in_root runuser -u alice -- sh -c 'cd /tmp && nanoos run /bin/whoami'
expect "alice (group nanoos) runs a program on the system daemon, as NanoOs user" 0 "^user$"
in_root runuser -u bob -- sh -c 'cd /tmp && HOME=/home/bob nanoos run /bin/whoami'
expect_err "bob (not in group nanoos) is told the system daemon is group nanoos's" 0 \
	"nanoosd.sock: the system daemon runs, but only root and group nanoos may use it: ask root to add you \(.adduser bob nanoos.\)"
if grep -qx root out; then ok "bob's program ran in his own process instead, on his own image"
else bad "bob's program ran in his own process instead" "$(cat out err)"; fi
in_root runuser -u bob -- sh -c 'cd /tmp && HOME=/home/bob nanoos ps'
if [ "$st" = 1 ] && grep -q "only root and group nanoos may use it" err && ! grep -q "no NanoOs daemon" err; then
	ok "bob's nanoos ps says the system daemon is not his to use (and nothing else)"
else
	bad "bob's nanoos ps (exit $st)" "$(cat err)"
fi
in_root nanoos status
expect "root sees the system daemon's status" 0 "nanoosd $(dpkg-deb -f "$DEB" Version) "

eval "set -- $start_cmd"
in_root "$@"
expect_err "a second nanoosd on the same socket is refused" 1 "already running \\(pid [0-9]+\\) on /var/lib/nanoos/sd.img"
kill -HUP "$daemon"
sleep 0.5
if kill -0 "$daemon" 2>/dev/null && grep -q 'SIGHUP' daemon.log; then
	ok "ExecReload (SIGHUP) reopens the log; the daemon stays"
else
	bad "SIGHUP" "$(cat daemon.log)"
fi
kill -TERM "$daemon"
wait "$daemon"
st=$?
if [ "$st" = 0 ] && [ ! -e "$R/run/nanoos/nanoosd.sock" ] && grep -q 'closed cleanly' daemon.log; then
	ok "SIGTERM stops it: exit 0, socket removed, volume closed clean"
else
	bad "SIGTERM stops it (exit $st)" "$(cat daemon.log)"
fi
in_root sh -c 'userdel alice && userdel -r bob 2>/dev/null'

# ---------------------------------------------------------------- upgrade
sum_before=$(sha256sum <"$R/var/lib/nanoos/sd.img")
in_root dpkg -i /tmp/nanoos.deb
expect "dpkg -i again (an upgrade) configures it again" 0 "Setting up nanoos"
if [ "$(sha256sum <"$R/var/lib/nanoos/sd.img")" = "$sum_before" ]; then
	ok "an upgrade leaves the image alone"
else
	bad "an upgrade leaves the image alone"
fi
in_root nanoos sdimage update-rootfs /var/lib/nanoos/sd.img
expect "nanoos sdimage update-rootfs refreshes it on request (from /usr/lib/nanoos/rootfs)" 0 "/usr/lib/nanoos/rootfs"

# ---------------------------------------------------------------- binfmt
have_binfmt=0
if [ -w $BINFMT/register ] || mount -t binfmt_misc binfmt_misc $BINFMT 2>/dev/null; then
	have_binfmt=1
fi
if [ $have_binfmt = 1 ] && [ ! -e $BINFMT/nanoos ]; then
	in_root nanoos binfmt install
	expect "nanoos binfmt install registers the entry" 0 ""
	in_root sh -c 'cp /usr/lib/nanoos/rootfs/bin/uname /tmp/uname && cd /tmp && HOME=/tmp/h ./uname -s'
	expect "./uname -s in a Linux shell runs on NanoOs (prints NanoOs, not Linux)" 0 "^NanoOs$"
	in_root sh -c 'cd /tmp && HOME=/tmp/h nanoos stop'
	expect "the daemon nanoos-binfmt started for it stops (nanoos stop)" 0 ""
else
	echo "package: binfmt checks skipped: $BINFMT is not writable here, or an entry" \
	     "named nanoos is already registered"
fi

# ---------------------------------------------------------------- purge
in_root dpkg --purge nanoos
expect "dpkg --purge removes the package" 0 "Purging configuration files for nanoos"
if [ $have_binfmt = 1 ]; then
	if [ -e $BINFMT/nanoos ]; then bad "purging unregisters the binfmt entry"
	else ok "purging unregisters the binfmt entry"; fi
fi

# What purge must leave: the upper layer holds every change since the
# chroot was made. Allowed: dpkg's own records and logs, the man-db and
# debconf caches, the files we wrote to /tmp (a tmpfs, not in the layer),
# and the account files of /etc (and their backups) differing from this
# machine's only by this test's users and group nanoos, which Debian leaves
# after a purge (files may still belong to it). Anything else is something the package left behind, or took.
left=$(cd "$U" && find . ! -type d | sed 's|^\./||' | sort | while IFS= read -r f; do
	case $f in
	var/lib/dpkg/*|var/log/*|var/cache/man/*|var/cache/debconf/*) continue ;;
	esac
	if [ -c "$f" ]; then echo "removed from the system: /$f"; continue; fi
	case $f in
	etc/group|etc/gshadow|etc/passwd|etc/shadow|etc/subuid|etc/subgid|etc/*-)
		# account files (and useradd's backups of them): the same but for
		# group nanoos and this test's users alice and bob
		if [ -e "/${f%-}" ] && diff <(grep -vE '^(nanoos|alice|bob):' "/${f%-}") \
		                           <(grep -vE '^(nanoos|alice|bob):' "$f") >/dev/null; then
			continue
		fi ;;
	esac
	if [ -e "/$f" ] && cmp -s "/$f" "$f"; then continue; fi
	echo "left: /$f"
done)
if [ -z "$left" ]; then
	ok "after the purge nothing of the package is left (only dpkg's records and group nanoos)"
else
	bad "after the purge nothing of the package is left" "$left"
fi
for d in /usr/lib/nanoos /usr/share/nanoos /var/lib/nanoos /usr/share/doc/nanoos \
         /etc/systemd/system/multi-user.target.wants/nanoosd.service; do
	[ -e "$R$d" ] && bad "purge removes $d"
done
echo "package: chroot checks done"
