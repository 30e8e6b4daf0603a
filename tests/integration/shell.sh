#!/bin/bash
# The shell, /bin/sh, end to end.
#  1. Scripts through the real system: `nanoos run --image IMG /bin/sh -c
#     SCRIPT` on an image made from build/rootfs; each case compares the
#     script's whole stdout and its exit status with what POSIX sh gives:
#     quoting, variables, $?, export, field splitting, globbing over a
#     directory the script makes, redirections into /tmp read back with
#     cat, pipelines and their statuses, control flow, $(...), $((...)),
#     background jobs and wait, scripts with arguments, syntax errors.
#  2. The builtin-only cases again under qemu-riscv32, the reference RV32
#     Linux machine (no exec there: qemu-user cannot exec an RV32 program).
#  3. Interactive use in a pty (expect, tests/integration/shell/*.exp):
#     under qemu-riscv32 on a Linux terminal (line editor keys, history,
#     ^C, ^D, job control with ^Z, jobs, fg, bg on a subshell), and through
#     `nanoos run ... /bin/sh -i` on the NanoOs console (the same with
#     sleep). The NanoOs session needs the console's line discipline
#     (kproc/console.c: raw mode, ^C/^Z to the foreground group) and the
#     CLI's terminal handling; SHELL_PTY_NANOOS=0 skips it.
set -u
BUILD=${BUILD:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
N=$(realpath "$BUILD/bin/nanoos" 2>/dev/null)
SH=$(realpath "$BUILD/rootfs/bin/sh" 2>/dev/null)
ROOTFS=$(realpath "$BUILD/rootfs" 2>/dev/null)

. "$(dirname "$0")/lib.sh"
BAD_LINES=30
suite_needs shell "$N" "$SH"

suite_tmpdir


"$N" sdimage create sd.img --size 64M --rootfs "$ROOTFS" >/dev/null 2>err || bad "create image" "$(cat err)"

# check NAME STATUS SCRIPT EXPECTED-STDOUT: run SCRIPT in sh on NanoOs.
check() {
	local name=$1 want=$2 script=$3 expected=$4 st
	timeout 60 "$N" run --image sd.img /bin/sh -c "$script" >out 2>err </dev/null
	st=$?
	if [ "$st" != "$want" ]; then
		bad "$name (exit $st, wanted $want)" "$(cat out err)"
	elif [ "$(cat out)" != "$expected" ]; then
		bad "$name (output)" "$(diff <(echo "$expected") out; cat err)"
	else
		ok "$name"
	fi
}
# check_err NAME STATUS SCRIPT STDERR-PATTERN
# (Needs `nanoos run` to keep the guest's fd 2 on the host's stderr: at the
# time of writing the CLI being reworked sent it to stdout, failing these,
# "set -x traces to stderr only" and "${NAME:?message}" on NanoOs; they
# pass under qemu-riscv32.)
check_err() {
	local name=$1 want=$2 script=$3 pattern=$4 st
	timeout 60 "$N" run --image sd.img /bin/sh -c "$script" >out 2>err </dev/null
	st=$?
	if [ "$st" != "$want" ]; then
		bad "$name (exit $st, wanted $want)" "$(cat out err)"
	elif ! grep -qE -- "$pattern" err; then
		bad "$name (message)" "$(cat err)"
	else
		ok "$name"
	fi
}

# ---------------------------------------------------------------- builtin-only cases
# (also run under qemu-riscv32 below): NAME, STATUS, SCRIPT, EXPECTED
BUILTIN_CASES=(
	"quoting" 0 'echo '"'"'a  b'"'"' "c  d" e\ f "x\"y" '"'"'$HOME'"'"'' 'a  b c  d e f x"y $HOME'
	"variables and \${}" 0 'x=1; y=two; echo $x ${y}s "$x$y"; unset x; echo "[$x]"' '1 twos 1two
[]'
	"\$? after true, false, !" 0 'false; echo $?; true; echo $?; ! true; echo $?; ! false; echo $?' '1
0
1
0'
	"exit N" 42 'echo before; exit 42; echo after' 'before'
	"exit status of the last command" 1 'true; false' ''
	"field splitting at blanks" 0 'x="a  b	c "; for w in $x; do echo "[$w]"; done; echo "[$x]"' '[a]
[b]
[c]
[a  b	c ]'
	"field splitting with IFS=:" 0 'IFS=:; x=a::b:; for w in $x; do echo "[$w]"; done' '[a]
[]
[b]'
	"IFS white space gathers around :" 0 'IFS=" :"; x=" a : b  c "; for w in $x; do echo "[$w]"; done' '[a]
[b]
[c]'
	"empty unquoted vanishes, quoted stays" 0 'e=; for w in $e "" "$e" x; do echo "[$w]"; done' '[]
[]
[x]'
	"set -- and \"\$@\"" 0 'set -- "a b" "" c; for a in "$@"; do echo "<$a>"; done; echo $#; set --; for a in "$@"; do echo never; done' '<a b>
<>
<c>
3'
	"if/elif/else" 0 'for v in 1 2 3; do if [ $v = 1 ]; then echo one; elif [ $v = 2 ]; then echo two; else echo other; fi; done' 'one
two
other'
	"while with arithmetic" 0 'i=0; while [ $i -lt 4 ]; do echo $i; i=$((i + 1)); done' '0
1
2
3'
	"until" 0 'n=3; until [ $n -eq 0 ]; do echo $n; n=$((n-1)); done' '3
2
1'
	"for, break, continue" 0 'for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done; echo end' '1
3
end'
	"nested loops, break 2" 0 'for a in x y; do for b in 1 2; do [ $b = 2 ] && break 2; echo $a$b; done; done; echo out' 'x1
out'
	"case with patterns" 0 'for f in a.c b.h Makefile x; do case $f in *.c) echo "$f: C";; *.h|*.hpp) echo "$f: header";; [A-Z]*) echo "$f: capital";; *) echo "$f: other";; esac; done' 'a.c: C
b.h: header
Makefile: capital
x: other'
	"case: quoted pattern is literal" 0 'case "*" in "*") echo star;; esac; case ab in "a"*) echo a-prefix;; esac' 'star
a-prefix'
	"multi-line if" 0 'if true
then
  echo yes
fi' 'yes'
	"{ } and ( )" 0 'x=1; { x=2; echo in; }; echo $x; (x=3; echo sub $x); echo $x' 'in
2
sub 3
2'
	"command substitution" 0 'x=$(echo hi; echo there); echo "$x"; echo $(echo a   b) "$(echo $(echo deep))" `echo back`' 'hi
there
a b deep back'
	"\$(...) status" 0 'x=$(exit 3); echo $?' '3'
	"arithmetic" 0 'a=7; echo $((a * 2 + 1)) $((a / 2)) $((a % 3)) $(( (1 + 2) * 3 )) $((a > 5 && a < 10)) $((-a))' '15 3 1 9 1 -7'
	"parameter forms" 0 'unset u; e=; s=set; echo ${u-d1} ${e:-d2} ${s:+alt} ${#s} ${u:=new} $u' 'd1 d2 alt 3 new new'
	"\${x#p} \${x##p} \${x%p} \${x%%p}, blanks in \${x:-...}" 0 'f=dir/sub/file.tar.gz; echo ${f#*/} ${f##*/} ${f%.*} ${f%%.*} ${f#nomatch}; e=; echo "[${e:-a b  c}]" ${u:-x y}' 'sub/file.tar.gz file.tar.gz dir/sub/file.tar dir/sub/file dir/sub/file.tar.gz
[a b  c] x y'
	"test builtin" 0 '[ a = a ] && echo eq; [ 3 -gt 10 ] || echo notgt; test -n "" || echo empty; [ ! -z x ] && echo nz; [ 1 -lt 2 -a 2 -lt 3 ] && echo and' 'eq
notgt
empty
nz
and'
	"read splits" 0 'echo "one two three" | { read a b; echo "$b/$a"; }' 'two three/one'
	"&& || chains" 0 'true && echo a || echo b; false && echo c || echo d; false || false || echo e' 'a
d
e'
	"shift and \$#" 0 'set -- 1 2 3; shift; echo $# $1; shift 2; echo $#; shift 2>&- || echo cannot' '2 2
0
cannot'
	"functions, \$1, return" 0 'greet() { echo "hi $1 ($#)"; return 3; echo never; }; greet you x; echo "st=$?"; echo "[$1]"' 'hi you (2)
st=3
[]'
	"recursive function with \$(...)" 0 'fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }; fact 6' '720'
	"return inside a loop in a function" 0 'f() { for i in 1 2 3; do [ $i = 2 ] && return 7; echo $i; done; }; f; echo $?' '1
7'
	"function over lines" 0 'f()
{
	echo line
}
f; f' 'line
line'
	"eval" 0 'cmd="x=5; echo \$x"; eval "$cmd"; eval echo "\$x"' '5
5'
	"here-documents: expanded, quoted, <<-" 0 'x=world; while read l; do echo "<$l>"; done <<EOF
hello $x $((1 + 1))
EOF
while read l; do echo "[$l]"; done <<"END"
as is $x
END
if true; then
	read t <<-T
	tabs go
	T
	echo "$t"
fi' '<hello world 2>
[as is $x]
tabs go'
	"set -e stops at a failure, not in conditions" 3 'set -e; if false; then :; fi; false || echo or; ! true; while false; do :; done; echo alive; (exit 3); echo never' 'or
alive'
	"set -x traces to stderr only" 0 'set -x; x=1; echo $x; set +x; echo quiet' '1
quiet'
	"echo -n -e -E like /bin/echo" 0 'echo -e "a\tb\x41" -x; echo -n no; echo; echo -ne "x\cy"; echo; echo -E "a\tb"; echo -nx' 'a	bA -x
no
x
a\tb
-nx'
	"printf" 0 'printf "%s=%d\n" a 1 b 2; printf "[%5s|%-3s|%03d|%x|%c|%%]\n" ab c 7 255 yes; printf "%b\n" "t\\tb"' 'a=1
b=2
[   ab|c  |007|ff|y|%]
t	b'
	"type and command -v" 0 'f() { :; }; type f echo; command -v echo; command -v nosuch || echo none' 'f is a shell function
echo is a shell builtin
echo
none'
	"local in functions" 0 'x=outer; f() { local x=inner y; y=2; echo "$x $y"; }; f; echo "$x [$y]"' 'inner 2
outer []'
	"trap EXIT, list, reset; not in subshells" 5 'trap "echo bye \$x" EXIT; x=1; (echo sub; exit 3); echo "st=$?"; trap "echo t" TERM; trap; trap - TERM; trap; exit 5' "sub
st=3
trap -- 'echo bye \$x' EXIT
trap -- 'echo t' TERM
trap -- 'echo bye \$x' EXIT
bye 1"
	"\${NAME:?message}" 1 ': ${HOME:?}; echo set; unset u; echo ${u:?is required}; echo never' 'set'
	"a long loop" 0 'i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done; echo $i' '3000'
	"comments" 0 'echo a # not this
# nor this
echo b#c' 'a
b#c'
)

run_builtin_cases() {  # run_builtin_cases RUNNER
	local i
	for ((i = 0; i < ${#BUILTIN_CASES[@]}; i += 4)); do
		"$1" "${BUILTIN_CASES[i]}" "${BUILTIN_CASES[i + 1]}" "${BUILTIN_CASES[i + 2]}" "${BUILTIN_CASES[i + 3]}"
	done
}

echo "# builtin-only scripts on NanoOs"
run_builtin_cases check

# ---------------------------------------------------------------- programs, files, jobs
echo "# scripts with programs and files on NanoOs"
check "\"\$@\" and \$# from sh -c NAME ARGS" 0 \
	'/bin/sh -c '"'"'echo $# $0; for a in "$@"; do echo "<$a>"; done; echo $*'"'"' me "a b" "" c' \
	'3 me
<a b>
<>
<c>
a b c'
check "globbing: * ? [..] [!..], sorted, dotfiles, no match" 0 \
	'mkdir /tmp/g && cd /tmp/g && for f in b.c a.c c.h .hidden "sp ace" x1 x2 x10; do : > "$f"; done
mkdir d1 d2; : > d1/in1; : > d2/in2
echo *; echo *.c; echo ?.?; echo [ab].c; echo [!a].c; echo x[0-9]; echo .*; echo nomatch*; echo "*.c" \*.c
echo */; echo d*/*; p="*.h"; echo $p "$p"; echo /tmp/g/[c]*' \
	'a.c b.c c.h d1 d2 sp ace x1 x10 x2
a.c b.c
a.c b.c c.h
a.c b.c
b.c
x1 x2
.hidden
nomatch*
*.c *.c
d1/ d2/
d1/in1 d2/in2
c.h *.h
/tmp/g/c.h'
check "a glob match with a space stays one word" 0 \
	'mkdir /tmp/s && cd /tmp/s && : > "a b" && for f in *; do echo "[$f]"; done' '[a b]'
check "> >> < into /tmp and back" 0 \
	'echo one > /tmp/r; echo two >> /tmp/r; cat /tmp/r; wc -l < /tmp/r; cat < /tmp/r | cat' \
	'one
two
2
one
two'
check "2> and 2>&1" 0 \
	'ls /no/such 2> /tmp/e; echo "st=$?"; wc -l < /tmp/e; ls /no/such > /tmp/b 2>&1; wc -l < /tmp/b; ls /no/such 2>&1 | wc -l; ls /no/such 2>/tmp/null; echo after' \
	'st=2
1
1
1
after'
check "redirections on compound commands" 0 \
	'for i in 1 2 3; do echo $i; done > /tmp/f; while read x; do echo "<$x>"; done < /tmp/f; { echo a; echo b >&2; } 2>&1 >/tmp/g2 | cat; cat /tmp/g2' \
	'<1>
<2>
<3>
b
a'
check "pipelines: data and the last command's status" 0 \
	'echo hello | cat | cat | wc -c; true | false; echo $?; false | true; echo $?; ! echo x | cat >/tmp/null; echo $?' \
	'6
1
0
1'
check_err "a missing command: 127 and its name" 127 'nosuchprog arg' 'nosuchprog: not found'
check "export reaches programs, unset removes" 0 \
	'export FOO=bar; /bin/sh -c '"'"'echo $FOO'"'"'; BAZ=1 /bin/sh -c '"'"'echo "[$BAZ]"'"'"'; echo "[$BAZ]"; unset FOO; /bin/sh -c '"'"'echo "[$FOO]"'"'"'' \
	'bar
[1]
[]
[]'
check "cd, pwd, cd -" 0 'cd /tmp && pwd; cd /bin; cd - >/tmp/null; pwd; cd /nonexistent 2>/tmp/null || echo failed' '/tmp
/tmp
failed'
check "command substitution with a program" 0 'n=$(ls /bin | wc -l); [ "$n" -gt 10 ] && echo many; echo "$(echo x | cat)"' 'many
x'
check "background job, \$!, wait" 0 \
	'sleep 1 & p=$!; [ "$p" -gt 0 ] && echo started; wait $p; echo "waited $?"; (exit 5) & wait $!; echo "st=$?"' \
	'started
waited 0
st=5'
check "a script file with arguments" 3 \
	'echo "echo \"\$0 got \$# args: \$1 \$2\"; exit 3" > /tmp/s.sh; /bin/sh /tmp/s.sh one "two too"' \
	'/tmp/s.sh got 2 args: one two too'
check "exec >FILE redirects the rest; . FILE runs in this shell" 0 \
	'echo "v=sourced" > /tmp/inc.sh; . /tmp/inc.sh; echo $v; (exec > /tmp/x; echo into-file); cat /tmp/x' \
	'sourced
into-file'
check "exec replaces the shell" 4 'exec /bin/sh -c "exit 4"; echo never' ''
check "a function in a pipeline" 0 'up() { while read l; do echo "<$l>"; done; }; (echo one; echo two) | up | head -1' '<one>'
check "a here-document bigger than a pipe's minimum, into cat" 0 \
	'cat <<EOF | wc -l
$(i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i + 1)); done)
EOF' '200'
check "while read over a pipe" 0 'ls /bin | while read f; do case $f in sh) echo found sh;; esac; done' 'found sh'
check_err "syntax error: status 2 and a message" 2 'if true; then echo x' 'syntax error'
check_err "syntax error near an unexpected word" 2 'echo a; fi' "syntax error near 'fi'"

# ---------------------------------------------------------------- qemu-riscv32
if command -v qemu-riscv32 >/dev/null; then
	echo "# builtin-only scripts under qemu-riscv32 (the reference RV32 Linux machine)"
	qcheck() {
		local name=$1 want=$2 script=$3 expected=$4 st
		(cd "$T" && env -i HOME="$T/home" PATH=/bin timeout 60 qemu-riscv32 "$SH" -c "$script") >out 2>err </dev/null
		st=$?
		if [ "$st" != "$want" ]; then
			bad "qemu: $name (exit $st, wanted $want)" "$(cat out err)"
		elif [ "$(cat out)" != "$expected" ]; then
			bad "qemu: $name (output)" "$(diff <(echo "$expected") out; cat err)"
		else
			ok "qemu: $name"
		fi
	}
	run_builtin_cases qcheck
	got=$(printf 'echo a\nfor i in 1 2; do\necho $i; done\n' | env -i HOME="$T/home" PS1='$ ' \
		timeout 60 qemu-riscv32 "$SH" -i 2>err)
	if [ "$got" = "a
1
2" ] && grep -q '^\$ \$ > \$ $' err && ! grep -q $'\x1b' err; then
		ok "qemu: sh -i on a pipe: plain lines, prompts on stderr, no escape codes"
	else
		bad "qemu: sh -i on a pipe" "$got / $(cat -v err)"
	fi
	mkdir -p "$T/ph"
	echo 'echo from-profile; P=1' >"$T/ph/.profile"
	got=$(echo 'echo P=$P' | env -i HOME="$T/ph" timeout 60 qemu-riscv32 -0 -sh "$SH" 2>&1)
	[ "$got" = "from-profile
P=1" ] && ok "qemu: a login shell (-sh) reads ~/.profile" || bad "qemu: login shell profile" "$got"
fi

# ---------------------------------------------------------------- interactive, in a pty
if command -v expect >/dev/null; then
	if command -v qemu-riscv32 >/dev/null; then
		echo "# interactive under qemu-riscv32 on a Linux pty"
		for e in "$HERE"/shell/qemu-*.exp; do
			if timeout -k 5 120 expect "$e" qemu-riscv32 "$SH" >exp.out 2>&1; then
				ok "pty (qemu): $(basename "$e" .exp)"
			else
				bad "pty (qemu): $(basename "$e" .exp)" "$(tail -25 exp.out | cat -v)"
			fi
		done
	fi
	# nanoos-jobs.exp needs a sleep that goes on after SIGSTOP + SIGCONT
	# (see its head): two of its steps fail until the kernel does that.
	if [ "${SHELL_PTY_NANOOS:-1}" != 0 ]; then
		echo "# interactive on the NanoOs console (nanoos run ... /bin/sh -i)"
		for e in "$HERE"/shell/nanoos-*.exp; do
			if timeout -k 5 120 expect "$e" "$N" run --image "$T/sd.img" /bin/sh -i >exp.out 2>&1; then
				ok "pty (NanoOs): $(basename "$e" .exp)"
			else
				bad "pty (NanoOs): $(basename "$e" .exp)" "$(tail -25 exp.out | cat -v)"
			fi
		done
	fi
else
	bad "expect is missing: packaging/install-deps.sh installs it"
fi

suite_end
