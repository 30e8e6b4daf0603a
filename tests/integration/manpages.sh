#!/bin/bash
# The man pages (packaging/man/): groff and man render them without a
# warning, and they keep up with the commands: every verb `nanoos --help`
# lists has its section in nanoos(1), every option of `nanoosd --help` and
# of each verb's --help synopsis is in its page, and the environment
# variables nanoos-cc --help names are in nanoos-cc(1).
set -u
B=$(realpath "${1:-${BUILD:-build}}")      # the build dir: $1, $BUILD (run-tests.sh) or build
. "$(dirname "$0")/lib.sh"
M=$(realpath "$(dirname "$0")/../../packaging/man")
suite_needs manpages "$B/bin/nanoos" "$B/bin/nanoosd" "$B/bin/nanoos-cc" "$M/nanoos.1" \
	"$M/nanoosd.8" "$M/nanoos-cc.1"
suite_tmpdir

for page in nanoos.1 nanoos-cc.1 nanoosd.8; do
	if groff -man -ww -z "$M/$page" >err 2>&1 && [ ! -s err ]; then
		ok "$page: groff -man -ww finds nothing to warn about"
	else bad "$page: groff -man -ww" "$(cat err)"; fi
	if MANWIDTH=80 man --warnings -l "$M/$page" >out 2>err && [ ! -s err ] && [ -s out ]; then
		ok "$page: man -l renders it without warnings"
	else bad "$page: man -l" "$(cat err)"; fi
done

# Every page's header names the version the commands print (one source:
# packaging/debian/changelog).
version=$("$B/bin/nanoos" --version | awk '{ print $2 }')
for page in nanoos.1 nanoos-cc.1 nanoosd.8; do
	if [ -n "$version" ] && head -n 1 "$M/$page" | grep -qF "\"NanoOs $version\""; then
		ok "$page: its header says NanoOs $version, as nanoos --version"
	else bad "$page: its header says NanoOs $version" "$(head -n 1 "$M/$page")"; fi
done
if [ "$("$B/bin/nanoosd" --version)" = "nanoosd $version" ] &&
   "$B/bin/nanoos-cc" --version | grep -q "^nanoos-cc $version "; then
	ok "nanoosd and nanoos-cc say the same version ($version)"
else bad "nanoosd and nanoos-cc say the same version" "$("$B/bin/nanoosd" --version; "$B/bin/nanoos-cc" --version)"; fi

# The rendered text, with groff's hyphen and quote characters made plain.
text() { MANWIDTH=200 man -l "$M/$1" 2>/dev/null | sed 's/\xe2\x80\x90/-/g; s/\xe2\x88\x92/-/g' | col -b; }
text nanoos.1 >nanoos.txt
text nanoosd.8 >nanoosd.txt
text nanoos-cc.1 >cc.txt

verbs=$("$B/bin/nanoos" --help 2>&1 | awk '/^verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ && on { on = 0 }')
[ -n "$verbs" ] || bad "nanoos --help lists verbs" "$("$B/bin/nanoos" --help 2>&1)"
missing=
for v in $verbs; do
	if grep -qE "^   $v\$" nanoos.txt; then ok "nanoos(1) has a section for $v"
	else bad "nanoos(1) has a section for $v"; fi
	for o in $("$B/bin/nanoos" "$v" --help 2>&1 | sed -n '/^usage:/,/^$/p' | grep -oE -- '--[a-z-]+' | sort -u); do
		grep -qF -- "$o" nanoos.txt || missing="$missing $v:$o"
	done
done
if [ -z "$missing" ]; then ok "nanoos(1) names every option of every verb's synopsis"
else bad "nanoos(1) names every option of every verb's synopsis" "missing:$missing"; fi

for o in $("$B/bin/nanoosd" --help 2>&1 | grep -oE -- '--[a-z-]+' | sort -u); do
	if grep -qF -- "$o" nanoosd.txt; then ok "nanoosd(8) documents $o"
	else bad "nanoosd(8) documents $o"; fi
done
for e in $("$B/bin/nanoos-cc" --help 2>&1 | grep -oE 'NANOOS_[A-Z_]+' | sort -u); do
	if grep -qF "$e" cc.txt; then ok "nanoos-cc(1) documents $e"
	else bad "nanoos-cc(1) documents $e"; fi
done

suite_end
