#!/bin/sh
# Install, non-interactively, every Debian package NanoOs needs to build, test
# and run -- only those that are missing. Run as root (CI does), or it uses sudo.
# Usage: packaging/install-deps.sh [--check]   (--check: list what is missing, exit 1 if any)
set -eu

# One package a line: what it is for.
PACKAGES="
build-essential
pkg-config
check
gcc-avr
avr-libc
binutils-avr
dosfstools
mtools
clang
libclang-rt-14-dev
libelf-dev
gcc-riscv64-unknown-elf
picolibc-riscv64-unknown-elf
libcrypt-dev
expect
fuse3
libfuse3-dev
fusefat
e2fsprogs
"
# Installed without their recommends (simavr would pull a whole IDE;
# qemu-user would claim RV32 ELF files in binfmt_misc; debhelper and lintian
# would pull in autotools and more). dpkg-dev, debhelper and lintian build
# and check the Debian package (`make deb`); man-db's man -l reads the man
# pages; systemd gives systemd-analyze verify and systemd-sysusers;
# systemd-container's systemd-nspawn boots a container in which the package's
# service runs under a real systemd (tests/integration/package-systemd.sh).
PACKAGES_NO_RECOMMENDS="
simavr
libsimavr-dev
qemu-user
avrdude
arduino-core-avr
dpkg-dev
debhelper
lintian
man-db
systemd
systemd-container
"

missing_of() {
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
	done
}

missing=$(missing_of $PACKAGES)
missing_nr=$(missing_of $PACKAGES_NO_RECOMMENDS)

if [ "${1:-}" = "--check" ]; then
	if [ -n "$missing$missing_nr" ]; then
		echo "missing packages:" $missing $missing_nr
		exit 1
	fi
	exit 0
fi

if [ -z "$missing$missing_nr" ]; then
	echo "install-deps: every package is installed"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: missing packages:" $missing $missing_nr >&2
		echo "install-deps: run this script as root to install them" >&2
		exit 1
	fi
fi

echo "install-deps: installing:" $missing $missing_nr
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
if [ -n "$missing" ]; then
	$SUDO apt-get install -y -q $missing
fi
if [ -n "$missing_nr" ]; then
	$SUDO apt-get install -y -q --no-install-recommends $missing_nr
fi
