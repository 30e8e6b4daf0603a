#!/bin/bash
# The everyday tools in /bin, run for real: on NanoOs (`nanoos run` on an
# image made from build/rootfs) and, where the host's file system is the
# point, under qemu-riscv32. Where GNU's tool gives the reference answer
# (sort, wc, head, tail, grep, cat -n, hexdump, seq, basename, ...) the
# output is compared byte for byte with it; elsewhere the check names what
# must come out. Each check looks at stdout, the exit status and, for
# errors, the message, so each fails when its tool is broken.
#
# Data: tests/integration/userland/ (copied to /d on the image and to a
# host directory). Takes ~10-20 s; NANOOS_SCALE does not change it.
set -u
BUILD=${BUILD:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/userland
N=$(realpath "$BUILD/bin/nanoos" 2>/dev/null)
ROOTFS=$(realpath "$BUILD/rootfs" 2>/dev/null)
export LC_ALL=C MTOOLS_SKIP_CHECK=1

. "$(dirname "$0")/lib.sh"
suite_needs userland "$N" "$ROOTFS/bin/sh" "$ROOTFS/bin/ls"

suite_tmpdir
unset TZ

QUIET_OK=1

# nrun ARGS...: run on NanoOs; stdout in out, stderr in err, status in st.
IMG=sd.img
nrun()  { timeout 60 "$N" run --image "$IMG" "$@" >out 2>err </dev/null; st=$?; }
# nsh SCRIPT: a /bin/sh -c script on NanoOs, in /d.
nsh()   { nrun /bin/sh -c "cd /d; $1"; }
# nerr CMD: one simple command on NanoOs, in /d, with its standard error
# sent to /.err by the guest's shell (so the message must come from the
# tool's own fd 2), then read back into err by a second run.
nerr() {
	nrun /bin/sh -c "cd /d; $1 2>/.err"
	local status=$st
	cp out out.saved
	nrun /bin/cat /.err
	mv out err
	mv out.saved out
	st=$status
}
# qrun TOOL ARGS...: the tool under qemu-riscv32 on the host, in d/.
qrun()  { (cd d && timeout 60 qemu-riscv32 "$ROOTFS/bin/$1" "${@:2}" >../out 2>../err </dev/null); st=$?; }

# is NAME STATUS TEXT: stdout is exactly TEXT (plus a newline; nothing
# for an empty TEXT) and the status STATUS.
is() {
	local want=
	[ -n "$3" ] && want=$(printf '%s\n' "$3")
	if [ "$st" != "$2" ]; then
		bad "$1 (exit $st, wanted $2)" "$(cat out err)"
	elif [ "$(cat out; echo x)" != "$want${want:+$'\n'}x" ]; then
		bad "$1 (output)" "$(diff <(printf '%s' "$want${want:+$'\n'}") out)"
	else
		ok
	fi
}
# same NAME STATUS REF: stdout equals the file REF byte for byte.
same() {
	if [ "$st" != "$2" ]; then
		bad "$1 (exit $st, wanted $2)" "$(cat out err)"
	elif ! cmp -s out "$3"; then
		bad "$1 (output differs from the reference)" "$(diff "$3" out | head -20)"
	else
		ok
	fi
}
# has NAME STATUS PATTERN: stdout matches the extended regex PATTERN.
has() {
	if [ "$st" != "$2" ]; then
		bad "$1 (exit $st, wanted $2)" "$(cat out err)"
	elif ! grep -qE -- "$3" out; then
		bad "$1 (output)" "$(cat out err)"
	else
		ok
	fi
}
# says NAME STATUS MESSAGE: stderr holds exactly the line MESSAGE.
says() {
	if [ "$st" != "$2" ]; then
		bad "$1 (exit $st, wanted $2)" "$(cat out err)"
	elif ! grep -qxF -- "$3" err; then
		bad "$1 (message)" "wanted: $3"$'\n'"got:    $(cat err)"
	else
		ok
	fi
}
# gnu_vs_nanoos CMD: CMD run by the host's GNU tools in d/ and by NanoOs's
# shell in /d give the same stdout and exit status.
gnu_vs_nanoos() {
	(cd d && eval "$1") >ref 2>/dev/null </dev/null
	local want=$?
	nsh "$1"
	same "NanoOs: $1" "$want" ref
}
# gnu_vs_qemu CMD: the same with the RV32 tool under qemu-riscv32.
gnu_vs_qemu() {
	local tool=${1%% *} args
	(cd d && eval "$1") >ref 2>/dev/null </dev/null
	local want=$?
	args=${1#"$tool"}
	(cd d && eval "timeout 60 qemu-riscv32 '$ROOTFS/bin/$tool' $args") >out 2>err </dev/null
	st=$?
	same "qemu: $1" "$want" ref
}

# ---------------------------------------------------------------- the image
mkdir -p d/tree/sub/deep
cp "$DATA"/*.txt d/
printf 'alpha\nbeta the\n' > d/tree/a.txt
printf 'the gamma\n' > d/tree/sub/b.txt
printf 'delta\n' > d/tree/sub/deep/c.txt
# bytes 0..255 twice, then 40 zeros: every byte, a repeated line, a tail
{ for i in $(seq 0 255); do printf "\\$(printf %03o "$i")"; done
  for i in $(seq 0 255); do printf "\\$(printf %03o "$i")"; done
  head -c 40 /dev/zero; } > d/bytes.bin
"$N" sdimage create sd.img --size 64M --rootfs "$ROOTFS" >/dev/null 2>err ||
	bad "create the image" "$(cat err)"
"$N" sdimage put -r sd.img d /d 2>err || bad "put the data on the image" "$(cat err)"

# ---------------------------------------------------------------- compared with GNU, on NanoOs
while IFS= read -r cmd; do
	[ -n "$cmd" ] && gnu_vs_nanoos "$cmd"
done <<'EOF'
cat poem.txt table.txt
cat -n poem.txt table.txt
cat -n - < poem.txt
cat poem.txt - table.txt < nums.txt
head poem.txt
head -n 3 poem.txt
head -n 3 poem.txt table.txt
head -c 30 poem.txt
head -2 table.txt
head -n 0 poem.txt
tail poem.txt
tail -n 2 poem.txt
tail -n +6 poem.txt
tail -c 12 poem.txt
tail -c +150 poem.txt
tail -3 table.txt
tail -n 2 poem.txt table.txt
cat table.txt | tail -n 4
cat poem.txt | head -n 2
wc poem.txt
wc -l poem.txt
wc -w poem.txt table.txt
wc -c table.txt
wc -lc poem.txt nums.txt
wc < poem.txt
cat table.txt | wc -l
grep fox poem.txt
grep -i the poem.txt
grep -v the poem.txt
grep -c the poem.txt table.txt
grep -n -i the poem.txt
grep -l red poem.txt table.txt
grep -E 'fox(es)?_?' poem.txt
grep '^[A-Z]*[ ]' poem.txt
grep 'line$' poem.txt
grep -w fox poem.txt
grep -x 'apple 7 red:10' table.txt
grep -e quick -e END poem.txt
grep -F 'e.' poem.txt
grep -q fox poem.txt
grep nomatch poem.txt
grep -h -c red table.txt table.txt
grep 'a\{2\}' poem.txt
grep -E '[0-9]+ and [0-9]' poem.txt
grep -r the tree | sort
grep -rl e tree | sort
grep -rc a tree | sort
sort table.txt
sort -r table.txt
sort -u table.txt
sort -n nums.txt
sort -rn nums.txt
sort -nu nums.txt
sort -k2n table.txt
sort -k2,2n -k1,1r table.txt
sort -t: -k2n table.txt
sort -f table.txt
sort -b -k1,1 -u table.txt
sort -s -k3 table.txt
sort poem.txt table.txt
cat table.txt | sort -r
seq 5
seq 2 4
seq 10 -3 1
seq -w 1 10
seq -s , 1 0.5 3
basename /usr/lib/file.txt .txt
basename dir/sub/
basename /
dirname /usr/lib/file.txt
dirname file.txt
dirname /usr/
/bin/echo hello   world
/bin/echo -n no newline
/bin/echo -e 'tab\there\\back\x41\0101'
/bin/echo -E 'raw\tkept'
/bin/echo -x -n
cat nums.txt | tee
hexdump -C bytes.bin
hexdump bytes.bin
hexdump -C -n 20 poem.txt
hexdump -C -s 500 bytes.bin
hexdump -Cv -s 512 bytes.bin
hexdump -C poem.txt nums.txt
/bin/true
/bin/false
EOF

# ---------------------------------------------------------------- compared with GNU, under qemu-riscv32
while IFS= read -r cmd; do
	[ -n "$cmd" ] && gnu_vs_qemu "$cmd"
done <<'EOF'
sort -k2,2n -k1 table.txt poem.txt
sort -t: -k2,2nr table.txt
wc poem.txt table.txt nums.txt bytes.bin
grep -r the tree
grep -rn -i delta tree
grep -c -v e poem.txt
tail -c 100 bytes.bin
head -c 300 bytes.bin
hexdump -C -s 3 -n 70 bytes.bin
cat -n nums.txt
seq -w -5 5
EOF

# ---------------------------------------------------------------- messages on stderr (qemu: its streams are the host's)
qrun cat nothere poem.txt;              says "cat's message is on stderr" 1 "cat: nothere: No such file or directory"
same "cat's stdout has only the data" 1 "$DATA/poem.txt"
qrun grep -q x nothere;                 says "grep: a missing file (status 2)" 2 "grep: nothere: No such file or directory"
qrun sort -k0 poem.txt;                 says "sort: a bad key (status 2)" 2 "sort: invalid key '0'"
qrun ls nothere;                        says "ls: the message is on stderr" 2 "ls: cannot access 'nothere': No such file or directory"
[ ! -s out ] && ok || bad "ls: nothing on stdout for a missing path" "$(cat out)"

# ---------------------------------------------------------------- ls
nsh 'ls tree';                          is "ls DIR" 0 "a.txt
sub"
nsh 'ls -1 tree/sub tree/a.txt';        is "ls FILE DIR: files first, then DIR:" 0 "tree/a.txt

tree/sub:
b.txt
deep"
nsh 'ls -a tree';                       is "ls -a shows . and .." 0 ".
..
a.txt
sub"
nsh 'ls -d tree tree/sub';              is "ls -d lists directories themselves" 0 "tree
tree/sub"
nsh 'ls -R tree';                       same "ls -R as GNU's" 0 <(cd d && ls -R tree)
nsh 'ls -l tree/a.txt';                 has "ls -l FILE" 0 '^-[-rwx]{9} 1 root root 15 [A-Z][a-z]{2} [ 0-9]{2} ([0-9]{2}:[0-9]{2}| [0-9]{4}) tree/a.txt$'
nsh 'ls -l tree';                       has "ls -l DIR: total and a d line" 0 '^d[-rwx]{9} [0-9]+ root root +[0-9]+ .* sub$'
grep -q '^total ' out && ok || bad "ls -l prints a total line" "$(cat out)"
nerr 'ls nothere tree/a.txt';           says "ls: a missing path (status 2)" 2 "ls: cannot access 'nothere': No such file or directory"
grep -qx 'tree/a.txt' out && ok || bad "ls lists the other paths after a missing one" "$(cat out)"
nerr 'ls -Z';                           says "ls: a bad option (status 2)" 2 "ls: invalid option -- 'Z'"

# ---------------------------------------------------------------- cat, echo, tee
timeout 60 "$N" run --image sd.img /bin/cat - <"$DATA/poem.txt" >out 2>err; st=$?
same "cat - copies standard input" 0 "$DATA/poem.txt"
nerr 'cat /d/nothere /d/nums.txt';      says "cat: a missing file (status 1)" 1 "cat: /d/nothere: No such file or directory"
same "cat goes on after a missing file" 1 "$DATA/nums.txt"
nerr 'cat /d';                          says "cat: a directory" 1 "cat: /d: Is a directory"
nerr 'cat -x';                          says "cat: a bad option" 1 "cat: invalid option -- 'x'"
nrun /bin/echo -e 'a\cb';               same "echo -e: \\c stops the output, newline too" 0 <(printf a)
nsh 'echo one | tee /tmp/t1 /tmp/t2 && cat /tmp/t1 /tmp/t2'; is "tee writes stdout and each FILE" 0 "one
one
one"
nsh 'echo two | tee -a /tmp/t1 >/tmp/junk; cat /tmp/t1'; is "tee -a appends" 0 "one
two"
nerr 'tee /nodir/f < poem.txt';         says "tee: a FILE it cannot open (status 1)" 1 "tee: /nodir/f: No such file or directory"
cmp -s out "$DATA/poem.txt" && ok || bad "tee still copies to stdout" "$(cat out)"

# ---------------------------------------------------------------- mkdir, rmdir, touch
nsh 'mkdir /tmp/m && ls -d /tmp/m';     is "mkdir DIR" 0 "/tmp/m"
nerr 'mkdir /tmp/m';                    says "mkdir: DIR exists (status 1)" 1 "mkdir: cannot create directory '/tmp/m': File exists"
nsh 'mkdir -p /tmp/p/q/r && mkdir -p /tmp/p/q && ls -R /tmp/p'; is "mkdir -p makes parents; no error when it exists" 0 "/tmp/p:
q

/tmp/p/q:
r

/tmp/p/q/r:"
nerr 'mkdir /tmp/no/such';              says "mkdir: a missing parent" 1 "mkdir: cannot create directory '/tmp/no/such': No such file or directory"
nerr 'rmdir /tmp/p';                    says "rmdir: not empty (status 1)" 1 "rmdir: failed to remove '/tmp/p': Directory not empty"
nsh 'rmdir -p /tmp/p/q/r'; nerr 'ls /tmp/p'; says "rmdir -p removes the parents too" 2 "ls: cannot access '/tmp/p': No such file or directory"
nsh 'rmdir /tmp/m'; nerr 'ls -d /tmp/m'; says "rmdir DIR" 2 "ls: cannot access '/tmp/m': No such file or directory"
nsh 'touch /tmp/new && ls /tmp/new';    is "touch creates a file" 0 "/tmp/new"
nsh 'touch -c /tmp/none'; nerr 'ls /tmp/none'; says "touch -c creates nothing" 2 "ls: cannot access '/tmp/none': No such file or directory"
nsh 'touch -d "2001-09-09 01:46:40" /tmp/new && date -u -r /tmp/new +%s'; is "touch -d sets the time (FAT keeps even seconds)" 0 "1000000000"
nsh 'touch -d @1000000000 /tmp/new && touch /tmp/new && date -u -r /tmp/new +%Y'; is "touch sets an existing file's time to now" 0 "$(date -u +%Y)"
nsh 'touch -r /tmp/new /d/poem.txt && date -r /d/poem.txt +%Y'; is "touch -r copies another file's time" 0 "$(date -u +%Y)"
nerr 'touch /nodir/x';                  says "touch: a missing directory" 1 "touch: cannot touch '/nodir/x': No such file or directory"

# ---------------------------------------------------------------- cp, mv, rm
nsh 'cp poem.txt /tmp/c1 && cat /tmp/c1'; same "cp FILE FILE" 0 "$DATA/poem.txt"
nsh 'mkdir /tmp/cd && cp poem.txt nums.txt /tmp/cd && ls /tmp/cd && cat /tmp/cd/nums.txt'; same "cp FILE... DIR" 0 <(printf 'nums.txt\npoem.txt\n'; cat "$DATA/nums.txt")
nsh 'cp -r tree /tmp/tc && ls -R /tmp/tc && cat /tmp/tc/sub/deep/c.txt'; same "cp -r copies a tree" 0 <(cd d/tree && ls -R . | sed 's|^\.|/tmp/tc|'; echo delta)
nsh 'cp -r tree/ /tmp/cd && ls /tmp/cd'; is "cp -r DIR/ into a directory keeps DIR's name" 0 "nums.txt
poem.txt
tree"
nerr 'cp tree /tmp/x';                  says "cp: a directory without -r" 1 "cp: -r not specified; omitting directory 'tree'"
nerr 'cp -r tree tree/sub';             says "cp: a directory into itself" 1 "cp: cannot copy a directory, 'tree', into itself, 'tree/sub/tree'"
nerr 'cp nothere /tmp/x';               says "cp: a missing source" 1 "cp: cannot stat 'nothere': No such file or directory"
nerr 'cp poem.txt nums.txt /tmp/c1';    says "cp: several into a non-directory" 1 "cp: target '/tmp/c1' is not a directory"
nsh 'touch -d @1000000000 /tmp/old && cp -p /tmp/old /tmp/cp && date -r /tmp/cp +%s'; is "cp -p keeps the time" 0 "1000000000"
nsh 'mv /tmp/c1 /tmp/c2'; nerr 'ls /tmp/c1'; says "mv renames (the old name is gone)" 2 "ls: cannot access '/tmp/c1': No such file or directory"
nsh 'cat /tmp/c2';                      same "mv keeps the data" 0 "$DATA/poem.txt"
nsh 'mkdir /tmp/mvd && touch /tmp/f1 /tmp/f2 && mv /tmp/f1 /tmp/f2 /tmp/mvd && ls /tmp/mvd'; is "mv FILE... DIR" 0 "f1
f2"
nsh 'mv /tmp/tc /home/user/ && ls /home/user/tc/sub'; is "mv a directory across directories" 0 "b.txt
deep"
nerr 'mv /tmp/nothere /tmp/x';          says "mv: a missing source" 1 "mv: cannot stat '/tmp/nothere': No such file or directory"
nerr 'mv /tmp/f /tmp/g /tmp/c2';        says "mv: several into a non-directory" 1 "mv: target '/tmp/c2' is not a directory"
nsh 'rm /tmp/c2'; nerr 'ls /tmp/c2'; says "rm FILE" 2 "ls: cannot access '/tmp/c2': No such file or directory"
nerr 'rm /tmp/cd';                      says "rm: a directory without -r" 1 "rm: cannot remove '/tmp/cd': Is a directory"
nsh 'rm -r /tmp/cd'; nerr 'ls /tmp/cd'; says "rm -r removes a tree" 2 "ls: cannot access '/tmp/cd': No such file or directory"
nerr 'rm /tmp/nothere';                 says "rm: a missing file (status 1)" 1 "rm: cannot remove '/tmp/nothere': No such file or directory"
nsh 'rm -f /tmp/nothere';               is "rm -f: a missing file is no error" 0 ""
nerr 'rm -r .';                         says "rm refuses ." 1 "rm: refusing to remove '.' or '..' directory: skipping '.'"
nerr 'rm';                              says "rm: no operand" 1 "rm: missing operand"

# ---------------------------------------------------------------- kill, sleep, env, pwd, true, false
nrun /bin/kill -l;                      has "kill -l lists the names" 0 '^HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM .* SYS$'
nrun /bin/kill -l 9 143 TERM;           is "kill -l SIGNAL translates" 0 "KILL
TERM
15"
nrun /bin/sh -c 'kill -9 $$; echo survived'; is "kill -9 ends a process (status 137)" 137 ""
nrun /bin/sh -c 'kill -s KILL $$; echo survived'; is "kill -s KILL" 137 ""
nrun /bin/sh -c 'kill -s 0 $$ && echo alive'; is "kill -s 0 checks a process" 0 "alive"
nrun /bin/sh -c 'sleep 30 & kill -TERM $! && echo sent'; is "kill -TERM a background job" 0 "sent"
nerr 'kill -s BOGUS 1';                 says "kill: an unknown signal" 1 "kill: unknown signal: BOGUS"
nerr 'kill 99999';                      says "kill: no such process" 1 "kill: (99999): No such process"
start=$(date +%s%N); nrun /bin/sleep 0.3; end=$(date +%s%N)
[ "$st" = 0 ] && [ $(((end - start) / 1000000)) -ge 300 ] && ok ||
	bad "sleep 0.3 takes 0.3 s (exit $st, $(((end - start) / 1000000)) ms)"
nerr 'sleep 1x';                        says "sleep: a bad interval" 1 "sleep: invalid time interval '1x'"
nrun /bin/env -i A=1 B='two words' /bin/env; is "env -i NAME=V prog" 0 "A=1
B=two words"
nerr 'env -i A=1 B=2 -u A';             says "env: options end at the first operand" 127 "env: '-u': No such file or directory"
nrun /bin/sh -c 'X=1 Y=2; export X Y; env -u X | grep "^[XY]="'; is "env -u NAME removes it" 0 "Y=2"
nerr 'env nosuchprog';                  says "env: a missing program (status 127)" 127 "env: 'nosuchprog': No such file or directory"
nsh 'cd /home/user && /bin/pwd';        is "pwd" 0 "/home/user"
nrun /bin/true; is "true" 0 ""
nrun /bin/false; is "false" 1 ""

# ---------------------------------------------------------------- uname, date, df
nrun /bin/uname;                        is "uname says NanoOs" 0 "NanoOs"
nrun /bin/uname -m;                     is "uname -m" 0 "riscv32"
nrun /bin/uname -snrvm; fields=$(cat out)
nrun /bin/uname -a;                     is "uname -a: s n r v m" 0 "$fields"
nrun /bin/uname -o;                     is "uname -o" 0 "NanoOs"
nrun /bin/uname -n; node=$(cat out); nrun /bin/uname -r; rel=$(cat out)
[[ "$fields" == "NanoOs $node $rel "* ]] && ok || bad "uname -n and -r are fields of -a" "$fields"
(timeout 60 qemu-riscv32 "$ROOTFS/bin/uname" -snrv >out 2>err); st=$?
is "uname under qemu says what the host's uname says" 0 "$(uname -snrv)"
nrun /bin/date -u -d @1000000000;       is "date -u -d @N" 0 "Sun Sep  9 01:46:40 UTC 2001"
nrun /bin/date -d '2024-02-29 13:14:15' '+%Y/%m/%d %H.%M.%S %j %a %N %%'; is "date +FORMAT" 0 "2024/02/29 13.14.15 060 Thu 000000000 %"
nrun /bin/date +%s; now=$(date +%s)
[ "$st" = 0 ] && [ $((now - $(cat out))) -le 5 ] && [ $((now - $(cat out))) -ge -5 ] && ok ||
	bad "date +%s is now" "$(cat out err)"
nrun /bin/date;                         has "date: GNU's default format" 0 "^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} UTC [0-9]{4}$"
nerr 'date -d yesterday';               says "date: a date it cannot read" 1 "date: invalid date 'yesterday'"
"$N" sdimage df sd.img >sdimage.df 2>&1
size=$(awk 'NR == 2 { print $2 }' sdimage.df)
nrun /bin/df -h;                        has "df -h: the card's size as sdimage df says" 0 "^sdcard +$size +[0-9.]+[KMG] +[0-9.]+[KMG] +[0-9]+% /$"
head -n 1 out | grep -qE '^Filesystem +Size +Used +Avail +Use% Mounted on$' && ok || bad "df -h header" "$(cat out)"
nrun /bin/df /d;                        has "df FILE in 1K blocks" 0 "^sdcard +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+% /$"
read -r _ blocks used avail _ < <(tail -n 1 out)
[ $((used + avail)) -le "$blocks" ] && [ $((blocks - used - avail)) -le 64 ] && ok ||
	bad "df: used + available = size" "$(cat out)"
nerr 'df /nothere';                     says "df: a missing path" 1 "df: /nothere: No such file or directory"

# ---------------------------------------------------------------- more, yes, stdin of the tools
nsh 'more poem.txt';                    same "more is cat when stdout is not a terminal" 0 "$DATA/poem.txt"
nerr 'more nothere poem.txt';           says "more: a missing file" 1 "more: cannot open nothere: No such file or directory"
nsh 'yes | head -n 3';                  is "yes" 0 "y
y
y"
nsh 'yes a b | head -n 2';              is "yes STRING..." 0 "a b
a b"
printf 'b\na\nc\n' > in.txt
timeout 60 "$N" run --image sd.img /bin/sort -r <in.txt >out 2>err; st=$?
is "sort reads standard input" 0 "c
b
a"
nsh 'sort -o /tmp/sorted nums.txt && sort -n -o /tmp/sorted /tmp/sorted && cat /tmp/sorted'; same "sort -o FILE, also over its input" 0 <(sort -n "$DATA/nums.txt")

# more pages on a terminal (qemu-riscv32 in a pty: NanoOs's terminal is the shell's part)
python3 - "$ROOTFS/bin/more" "$DATA/table.txt" >out 2>err <<'PY'
import os, pty, select, struct, sys, fcntl, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("qemu-riscv32", ["qemu-riscv32", sys.argv[1], sys.argv[2]])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 4, 40, 0, 0))
def read_for(t):
    got, end = b"", time.time() + t
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                got += os.read(fd, 4096)
            except OSError:
                break
    return got.decode(errors="replace").replace("\r", "")
page = read_for(1.0)
print("PAGE1", page.count("\n"), "--More--" in page)
os.write(fd, b" ")
print("PAGE2", read_for(1.0).count("\n"))
os.write(fd, b"\n")
print("LINE", read_for(1.0).count("\n"))
os.write(fd, b"q")
read_for(0.5)
print("STATUS", os.waitpid(pid, 0)[1])
PY
st=$?
is "more: a page of rows-1 lines, space a page, return a line, q quits" 0 "PAGE1 3 True
PAGE2 3
LINE 1
STATUS 0"

# ---------------------------------------------------------------- the permission policy (EACCES)
# As "user" (through su, reading commands from stdin): each tool reports the
# fs's refusal in its own words and fails; /tmp stays open to all.
if [ -x "$ROOTFS/bin/su" ]; then
	cat > user.sh <<'SH'
cat /etc/shadow 2>>/tmp/perm.err; echo "cat $?" >>/tmp/perm.err
touch /bin/x 2>>/tmp/perm.err; echo "touch $?" >>/tmp/perm.err
mkdir /etc/d 2>>/tmp/perm.err; echo "mkdir $?" >>/tmp/perm.err
rm /bin/hello 2>>/tmp/perm.err; echo "rm $?" >>/tmp/perm.err
cp /bin/hello /bin/h2 2>>/tmp/perm.err; echo "cp $?" >>/tmp/perm.err
mv /bin/hello /tmp/h 2>>/tmp/perm.err; echo "mv $?" >>/tmp/perm.err
rmdir /bin 2>>/tmp/perm.err; echo "rmdir $?" >>/tmp/perm.err
tee /etc/x </d/poem.txt >/tmp/tee.out 2>>/tmp/perm.err; echo "tee $?" >>/tmp/perm.err
sort -o /etc/sorted /d/nums.txt 2>>/tmp/perm.err; echo "sort $?" >>/tmp/perm.err
grep -q root /etc/shadow 2>>/tmp/perm.err; echo "grep $?" >>/tmp/perm.err
cp /d/poem.txt /tmp/mine 2>>/tmp/perm.err; echo "cp to /tmp $?" >>/tmp/perm.err
SH
	timeout 60 "$N" run --image sd.img /bin/su user <user.sh >out 2>err; st=$?
	nrun /bin/cat /tmp/perm.err
	mv out err
	for line in "cat: /etc/shadow: Permission denied" "cat 1" \
	            "touch: cannot touch '/bin/x': Permission denied" "touch 1" \
	            "mkdir: cannot create directory '/etc/d': Permission denied" "mkdir 1" \
	            "rm: cannot remove '/bin/hello': Permission denied" "rm 1" \
	            "cp: cannot create regular file '/bin/h2': Permission denied" "cp 1" \
	            "mv: cannot move '/bin/hello' to '/tmp/h': Permission denied" "mv 1" \
	            "rmdir: failed to remove '/bin': Permission denied" "rmdir 1" \
	            "tee: /etc/x: Permission denied" "tee 1" \
	            "sort: open failed: /etc/sorted: Permission denied" "sort 2" \
	            "grep: /etc/shadow: Permission denied" "grep 2" "cp to /tmp 0"; do
		grep -qxF -- "$line" err && ok || bad "as user: $line" "$(cat err)"
	done
	nrun /bin/cat /tmp/tee.out
	same "tee still copies to stdout when a FILE is refused" 0 "$DATA/poem.txt"
else
	echo "userland: no /bin/su in the rootfs: the permission checks are skipped"
fi

# ---------------------------------------------------------------- a full disk
"$N" sdimage create small.img --size 4M >/dev/null 2>&1
"$N" sdimage mkdir small.img /bin 2>/dev/null
"$N" sdimage mkdir small.img /d 2>/dev/null
for t in sh cp cat tee sort; do "$N" sdimage put small.img "$ROOTFS/bin/$t" /bin/$t 2>/dev/null; done
head -c 1300000 /dev/urandom > big.bin
"$N" sdimage put small.img big.bin /big 2>err || bad "put a big file on the small image" "$(cat err)"
# small CMD MSG_CMD: CMD's status on the full image, then MSG_CMD (CMD with
# its fd 2 sent down a pipe: no file can hold it now) for the message.
small() {
	IMG=small.img nrun /bin/sh -c "$1"
	local status=$st
	IMG=small.img nrun /bin/sh -c "$2"
	mv out err
	st=$status
}
small 'cp /big /big2' 'cp /big /big2 2>&1 | cat'
says "cp: a full disk (status 1)" 1 "cp: error writing '/big2': No space left on device"
small 'cat /big > /big3' 'cat /big 2>&1 > /big3 | cat'
says "cat: a full disk" 1 "cat: write error: No space left on device"
small 'tee /big4 < /big > /big6' 'tee /big4 < /big 2>&1 > /big6 | cat'
says "tee: a full disk" 1 "tee: /big4: No space left on device"
small 'sort -o /big5 /big' 'sort -o /big5 /big 2>&1 | cat'
says "sort -o: a full disk" 2 "sort: write failed: /big5: No space left on device"

suite_end
