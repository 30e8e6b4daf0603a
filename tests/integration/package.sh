#!/bin/bash
# package.sh BUILD: the Debian package (issue 9), built, installed, used and
# purged for real.
#
#  1. `make deb` builds nanoos_VERSION_ARCH.deb with dpkg-buildpackage from
#     a copy of the tree, and lintian passes it (make-deb.sh fails on
#     lintian's errors and warnings).
#  2. The .deb itself: its files, its relations, the guest binaries left
#     unstripped (RV32) while the host ones are stripped, its maintainer
#     scripts (sysusers, the restart after an upgrade).
#  3. As root with overlayfs: a container-like chroot whose lower layer is
#     this machine's / (read-only to us) and whose upper layer is a tmpfs,
#     in a private mount namespace; dpkg -i there, then
#       - nanoos runs /usr/lib/nanoos/rootfs/bin/hello and a program made
#         with the installed nanoos-cc and SDK;
#       - man -l renders the pages, bash completion loads, the unit passes
#         systemd-analyze verify;
#       - the service's own command lines, read from the installed unit, run
#         as systemd would run them (no systemd runs here): the image is made
#         on the first start, READY=1 comes on $NOTIFY_SOCKET, the socket is
#         0660 root:nanoos, a member of group nanoos runs a program and a
#         non-member is refused; with no new privileges and CAP_CHOWN alone,
#         as the unit's hardening gives it;
#       - reinstalling (an upgrade to the same version) keeps the image;
#       - `nanoos binfmt install` in the chroot makes ./uname run on NanoOs,
#         and purging unregisters it (where binfmt_misc is writable);
#     then dpkg --purge, and the upper layer must hold nothing of ours:
#     every file the package, its scripts or the service made is gone.
#  4. The same .deb in a container booted with systemd-nspawn (a real
#     systemd 252 as its PID 1, on the same kind of overlay):
#     package-systemd.sh installs it and checks the service as systemd runs
#     it -- started by the postinst, its sandbox read from /proc, reload,
#     the restart after an upgrade, stop, purge.
set -u
B=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/tests/integration/lib.sh"
suite_needs package "$B/tests/tools/notify_listen"
SUITE_NAME=package
for tool in dpkg-buildpackage dh lintian; do
	if ! command -v $tool >/dev/null; then
		echo "package: $tool is missing: run packaging/install-deps.sh"
		echo "SUITE package: 0 passed, 1 failed"
		exit 1
	fi
done
suite_tmpdir
VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$ROOT/packaging/debian/changelog")
ARCH=$(dpkg --print-architecture)
DEB=$T/deb/nanoos_${VERSION}_$ARCH.deb

# ---------------------------------------------------------------- 1. build
start=$(date +%s)
(cd "$ROOT" && make --no-print-directory deb PKG_DIR="$T/deb") >out 2>err
st=$?
expect "make deb builds nanoos_${VERSION}_$ARCH.deb and lintian passes it" 0 "lintian .*\\.deb"
echo "        (make deb: $(($(date +%s) - start)) s)"
if [ ! -f "$DEB" ]; then
	bad "the .deb exists" "$(tail -n 40 "$T/deb/build.log" 2>/dev/null)"
	suite_end
fi
if grep -q "^N: .*overridden" out || grep -qE "^[EW]: " out; then
	bad "lintian: nothing but documented overrides" "$(grep -E '^[EWN]: ' out)"
else
	ok "lintian: no error or warning"
fi

# ---------------------------------------------------------------- 2. the .deb
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|' >contents
for f in /usr/bin/nanoos /usr/bin/nanoos-cc /usr/sbin/nanoosd /usr/lib/nanoos/nanoos-binfmt \
         /usr/lib/nanoos/rootfs/bin/hello /usr/lib/nanoos/rootfs/bin/sh \
         /usr/lib/nanoos/rootfs/etc/passwd /usr/lib/nanoos/sdk/lib/libnanoos.a \
         /usr/lib/nanoos/sdk/lib/crt0.o /usr/lib/nanoos/sdk/lib/nanoos.ld \
         /usr/share/nanoos/firmware/nanoos-atmega2560.hex \
         /usr/share/man/man1/nanoos.1.gz /usr/share/man/man1/nanoos-cc.1.gz \
         /usr/share/man/man8/nanoosd.8.gz /usr/share/bash-completion/completions/nanoos \
         /usr/share/bash-completion/completions/nanoosd /usr/lib/binfmt.d/nanoos.conf \
         /lib/systemd/system/nanoosd.service /usr/lib/sysusers.d/nanoos.conf \
         /usr/share/lintian/overrides/nanoos /usr/share/doc/nanoos/copyright; do
	grep -qxF "$f" contents || missing="${missing:-} $f"
done
if [ -z "${missing:-}" ]; then ok "the package has every file the issue names"
else bad "the package has every file the issue names" "missing:$missing"; fi
n_userland=$(grep -c '^/usr/lib/nanoos/rootfs/bin/.' contents)
n_built=$(ls "$ROOT/$B/rootfs/bin" 2>/dev/null | wc -l)
if [ "$n_userland" -ge 30 ] && [ "$n_userland" = "$n_built" ]; then
	ok "the whole userland is in it ($n_userland programs)"
else
	bad "the whole userland is in it" "$n_userland in the package, $n_built built"
fi

dpkg-deb -f "$DEB" Depends Recommends >fields
if grep -q '^Depends:.*fuse3' fields && grep -q '^Depends:.*libfuse3-3' fields &&
   grep -q '^Depends:.*libelf1' fields && grep -q '^Recommends:.*avrdude' fields; then
	ok "Depends: fuse3, libfuse3-3, libelf1 (shlibs); Recommends: avrdude"
else
	bad "the package's relations" "$(cat fields)"
fi

mkdir x && dpkg-deb -x "$DEB" x
if file x/usr/lib/nanoos/rootfs/bin/hello | grep -q 'RISC-V.*not stripped' &&
   file x/usr/lib/nanoos/sdk/lib/crt0.o | grep -q 'RISC-V'; then
	ok "guest binaries are kept from dh_strip (RV32, symbols kept)"
else
	bad "guest binaries are kept from dh_strip" "$(file x/usr/lib/nanoos/rootfs/bin/hello)"
fi
if file x/usr/bin/nanoos x/usr/sbin/nanoosd | grep -c 'x86-64.*, stripped' | grep -qx 2; then
	ok "host binaries are stripped (their symbols are in the -dbgsym package)"
else
	bad "host binaries are stripped" "$(file x/usr/bin/nanoos x/usr/sbin/nanoosd)"
fi
if readelf -d x/usr/sbin/nanoosd | grep -q 'BIND_NOW' && readelf -lW x/usr/sbin/nanoosd |
   grep -q GNU_RELRO && readelf -sW x/usr/bin/nanoos 2>/dev/null | grep -q . ; then
	ok "built with the hardening flags (relro, bind now)"
else
	bad "built with the hardening flags" "$(readelf -d x/usr/sbin/nanoosd | head)"
fi
if cmp -s x/usr/share/nanoos/firmware/nanoos-atmega2560.hex \
          "$ROOT/$B/firmware/nanoos-atmega2560.hex"; then
	ok "the firmware .hex is the one the tree builds"
else
	bad "the firmware .hex is the one the tree builds"
fi

mkdir ctl && dpkg-deb -e "$DEB" ctl
if grep -q "systemd-sysusers.*nanoos" ctl/postinst && grep -q "addgroup\|groupadd\|sysusers" ctl/postinst &&
   grep -qE "_dh_action=.*restart" ctl/postinst && grep -q "deb-systemd-invoke \$_dh_action 'nanoosd.service'" ctl/postinst; then
	ok "postinst makes group nanoos (sysusers) and restarts nanoosd after an upgrade"
else
	bad "postinst: sysusers and the restart after an upgrade" "$(cat ctl/postinst)"
fi
if grep -q 'rm -rf /var/lib/nanoos' ctl/postrm && grep -q 'binfmt' ctl/prerm; then
	ok "postrm purges /var/lib/nanoos; prerm unregisters the binfmt entry"
else
	bad "postrm/prerm" "$(cat ctl/postrm ctl/prerm)"
fi

# ---------------------------------------------------------------- make install
# The same files without a package, under another prefix: the installed
# commands find their userland, SDK, interpreter and firmware beside them.
P=/opt/nanoos-test
(cd "$ROOT" && make --no-print-directory install BUILD="$B" DESTDIR="$T/inst" PREFIX=$P) >out 2>err
st=$?
I=$T/inst$P
if [ "$st" = 0 ] && [ -x "$I/bin/nanoos" ] && [ -x "$I/sbin/nanoosd" ] &&
   [ -x "$I/lib/nanoos/nanoos-binfmt" ] && [ -x "$I/lib/nanoos/rootfs/bin/hello" ] &&
   grep -q "^ExecStart=$P/sbin/nanoosd " "$I/lib/systemd/system/nanoosd.service" &&
   grep -q ":$P/lib/nanoos/nanoos-binfmt:P\$" "$I/lib/binfmt.d/nanoos.conf"; then
	ok "make install PREFIX=$P: the files, with the unit and binfmt.d entry naming $P"
else
	bad "make install PREFIX=$P (exit $st)" "$(cat err; ls -R "$T/inst" | head -20)"
fi
"$I/bin/nanoos-cc" --version >out 2>&1
expect "the installed nanoos-cc uses $P/lib/nanoos/sdk" 0 "^SDK: $P/lib/nanoos/sdk$"
HOME=$T/h "$I/bin/nanoos" run /bin/hello >out 2>err
st=$?
if [ "$st" = 0 ] && grep -q "Hello from NanoOs" out &&
   grep -q "from $I/bin/../lib/nanoos/rootfs" err; then
	ok "the installed nanoos makes the default image from its own $P/lib/nanoos/rootfs"
else
	bad "the installed nanoos finds its rootfs" "$(cat out err)"
fi
HOME=$T/h "$I/bin/nanoos" flash --dry-run --port /dev/null >out 2>err
st=$?
expect "the installed nanoos flash finds $P/share/nanoos/firmware" 0 \
	"share/nanoos/firmware/nanoos-atmega2560.hex"

# ---------------------------------------------------------------- 3. installed
if [ "$(id -u)" != 0 ] || ! grep -qw overlay /proc/filesystems || ! command -v unshare >/dev/null; then
	echo "package: install checks skipped: they need root, overlayfs and unshare" \
	     "(a chroot over this machine's / with a throw-away upper layer)"
	suite_end
fi
cp "$DEB" "$T/nanoos.deb"
cp "$ROOT/$B/tests/tools/notify_listen" "$T/notify_listen"
export DEB_T=$T
# A part's ok:/FAILED: lines (in FILE), shown and counted as ours.
count_part() {  # count_part NAME FILE STATUS
	local p f
	grep -E '^(ok|FAILED|        |package:)' "$2" || true
	p=$(grep -c '^ok:' "$2")
	f=$(grep -c '^FAILED:' "$2")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		bad "the $1 checks ran to their end (exit $3)" "$(tail -n 20 "$2")"
	fi
}
unshare --mount --propagation private bash "$ROOT/tests/integration/package-chroot.sh" \
	"$T/nanoos.deb" >chroot.out 2>&1
count_part chroot chroot.out $?

# ---------------------------------------------------------------- 4. systemd
# (package-systemd.sh enters its own mount namespace.)
bash "$ROOT/tests/integration/package-systemd.sh" "$T/nanoos.deb" >systemd.out 2>&1
count_part systemd systemd.out $?
suite_end
