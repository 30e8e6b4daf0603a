#!/bin/bash
# The bash completion (packaging/bash-completion/nanoos): it loads in bash,
# completes verbs, sdimage's verbs, options and files, and its word lists
# are the commands' own: every verb of `nanoos --help`, every sdimage verb,
# every option of each verb's --help synopsis and of `nanoosd --help`.
set -u
B=$(realpath "${1:-${BUILD:-build}}")      # the build dir: $1, $BUILD (run-tests.sh) or build
. "$(dirname "$0")/lib.sh"
C=$(realpath "$(dirname "$0")/../../packaging/bash-completion/nanoos")
suite_needs completion "$B/bin/nanoos" "$B/bin/nanoosd" "$C"
suite_tmpdir

# complete WORDS...: what the completion offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		case $1 in nanoosd) _nanoosd ;; *) _nanoos ;; esac
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$C" "$@"
}
if bash -n "$C" 2>err && bash -c ". '$C'; complete -p nanoos nanoosd" >out 2>>err; then
	ok "it loads, and registers nanoos and nanoosd"
else bad "it loads" "$(cat err)"; fi

want=$("$B/bin/nanoos" --help 2>&1 | awk '/^verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | sort)
got=$(complete_words nanoos "" | grep -v -- '^--')
[ "$want" = "$got" ] && ok "the verbs are nanoos --help's" || bad "the verbs" "want: $want
got: $got"
[ "$(complete_words nanoos sd)" = sdimage ] && ok "a verb completes from its start" ||
	bad "a verb completes from its start" "$(complete_words nanoos sd)"

want=$("$B/bin/nanoos" sdimage --help 2>&1 | grep -oE "nanoos sdimage [a-z-]+" | awk '{ print $3 }' | sort -u)
got=$(complete_words nanoos sdimage "" | grep -v -- '^--')
[ "$want" = "$got" ] && ok "sdimage's verbs are its --help's" || bad "sdimage's verbs" "want: $want
got: $got"

missing=
for v in $("$B/bin/nanoos" --help 2>&1 | awk '/^verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	offered=$(complete_words nanoos "$v" -)
	for o in $("$B/bin/nanoos" "$v" --help 2>&1 | sed -n '/^usage:/,/^$/p' |
		grep -oE -- '(^| |\[)-{1,2}[a-z][a-z-]*' | tr -d ' ['); do
		grep -qxF -- "$o" <<<"$offered" || missing="$missing $v:$o"
	done
done
[ -z "$missing" ] && ok "every option of every verb's synopsis is offered" ||
	bad "every option of every verb's synopsis is offered" "missing:$missing"

missing=
for o in $("$B/bin/nanoosd" --help 2>&1 | sed -n '/^usage:/,/^$/p' | grep -oE -- '--[a-z-]+'); do
	complete_words nanoosd - | grep -qxF -- "$o" || missing="$missing $o"
done
[ -z "$missing" ] && ok "every nanoosd option is offered" || bad "nanoosd's options" "missing:$missing"

touch card.img cardigan.txt
[ "$(complete_words nanoos run --image car)" = "$(printf 'card.img\ncardigan.txt')" ] &&
	ok "--image completes file names" || bad "--image completes file names" "$(complete_words nanoos run --image car)"
mkdir mnt
[ "$(complete_words nanoos mount mn)" = mnt ] && ok "mount completes directories" ||
	bad "mount completes directories" "$(complete_words nanoos mount mn)"
[ "$(complete_words nanoosd --log-level d)" = debug ] && ok "nanoosd --log-level completes its levels" ||
	bad "nanoosd --log-level" "$(complete_words nanoosd --log-level d)"

suite_end
