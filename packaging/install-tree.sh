#!/bin/sh
# install-tree.sh SRC DEST: copy the tree SRC to DEST for `make install`,
# with the modes a package wants whatever the build's umask was:
# directories 0755, executables 0755, other files 0644. Empty directories
# are kept (the userland's home/user, root and tmp are part of it).
set -eu
src=$1 dest=$2
if [ ! -d "$src" ]; then
	echo "install-tree: $src: no such directory; build it first (make rootfs usr-sdk)" >&2
	exit 1
fi
cd "$src"
find . -type d | while IFS= read -r d; do
	install -d -m 0755 "$dest/$d"
done
find . -type f | while IFS= read -r f; do
	if [ -x "$f" ]; then mode=0755; else mode=0644; fi
	install -m "$mode" "$f" "$dest/$f"
done
