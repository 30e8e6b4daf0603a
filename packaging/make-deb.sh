#!/bin/bash
# make-deb.sh DIR VERSION: `make deb`. Copies this tree (without build/ and
# .git) to DIR/src/nanoos-VERSION with packaging/debian as debian/, builds
# the binary package there with dpkg-buildpackage (as a user: fakeroot is
# not needed, Rules-Requires-Root: no), moves the .deb to DIR and runs
# lintian on it; lintian's errors and warnings fail the build (the
# overrides in packaging/debian/nanoos.lintian-overrides say why each).
set -eu
dir=${1:-build/deb} version=$2
src=$dir/src/nanoos-$version
say() { echo "make deb: $*"; }

for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null 2>&1 || {
		say "$tool is missing (Debian packages dpkg-dev, debhelper, lintian):" \
		    "run packaging/install-deps.sh"; exit 1; }
done
rm -rf "$dir/src"
mkdir -p "$src"
tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
rm -rf "$src/debian"
cp -R packaging/debian "$src/debian"
say "building in $src (log: $dir/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc -jauto) >"$dir/build.log" 2>&1; then
	tail -n 30 "$dir/build.log"
	say "dpkg-buildpackage failed; the whole log is $dir/build.log"
	exit 1
fi
arch=$(dpkg --print-architecture)
deb=nanoos_${version}_$arch.deb
mv "$dir/src/$deb" "$dir/$deb"
# The host programs' debugging symbols (dh_strip's nanoos-dbgsym package).
mv "$dir"/src/nanoos-dbgsym_*.*deb "$dir/" 2>/dev/null || true
say "lintian $dir/$deb"
lintian --fail-on error,warning --info "$dir/$deb" 2>&1 | { grep -v "^running with root privileges" || true; }
[ "${PIPESTATUS[0]}" = 0 ] || { say "lintian failed on $dir/$deb"; exit 1; }
say "built $dir/$deb ($(du -k "$dir/$deb" | cut -f1) KiB)"
