#!/bin/bash
# Users end to end through the real CLI: `sdimage create --rootfs` prints
# first passwords that work and puts $y$/$6$ hashes in the volume's
# /etc/shadow (not in the host tree), --no-passwords leaves them locked;
# id, whoami, ps and su; login and passwd driven through a pipe (wrong and
# right passwords, three failures, changing one's own, refusing root's);
# the policy test t-users as root with user's password; fsck at the end.
# Each check counts.
set -u
BUILD=${BUILD:-build}
N=$(realpath "$BUILD/bin/nanoos" 2>/dev/null)
ROOTFS=$(realpath "$BUILD/rootfs" 2>/dev/null)
TUSERS=$(realpath "$BUILD/usr/tests/t-users" 2>/dev/null)

. "$(dirname "$0")/lib.sh"
suite_needs users "$N" "$ROOTFS/bin/login" "$ROOTFS/bin/passwd" "$ROOTFS/bin/id" "$TUSERS"

suite_tmpdir

run()  { timeout 60 "$N" run --image sd.img "$@" >out 2>err </dev/null; st=$?; }
# feed INPUT PROG [ARGS]: run with INPUT (\n for newlines) on stdin, a pipe
feed() { local in=$1; shift; printf '%b' "$in" | timeout 60 "$N" run --image sd.img "$@" >out 2>err; st=$?; }

# ---- first passwords
"$N" sdimage create sd.img --size 32M --rootfs "$ROOTFS" >create.out 2>err; st=$?
expect "create --rootfs" 0 ""
line=$(grep '^first passwords (shown once): ' create.out)
ROOTPW=$(echo "$line" | sed -n 's/.*root: \([^,]*\),.*/\1/p')
USERPW=$(echo "$line" | sed -n 's/.*user: \(.*\)$/\1/p')
alphabet='^[abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789]{12}$'
if [[ $ROOTPW =~ $alphabet && $USERPW =~ $alphabet && $ROOTPW != "$USERPW" ]]; then
	ok "it prints two first passwords of 12 unambiguous characters"
else
	bad "first passwords line" "$(cat create.out err)"
fi
"$N" sdimage cat sd.img /etc/shadow >shadow 2>err
if grep -qE '^root:\$(y|6)\$' shadow && grep -qE '^user:\$(y|6)\$' shadow; then
	ok "the volume's /etc/shadow holds \$y\$ (or \$6\$) hashes"
else
	bad "hashes in /etc/shadow" "$(cat shadow err)"
fi
grep -q "$USERPW" shadow && bad "a password in clear in /etc/shadow" || ok "no password in clear"
if grep -q '^root:\*' "$ROOTFS/etc/shadow" && ! grep -q '\$' "$ROOTFS/etc/shadow"; then
	ok "the host rootfs tree keeps its locked shadow"
else
	bad "the host rootfs was changed" "$(cat "$ROOTFS/etc/shadow")"
fi
"$N" sdimage create locked.img --size 32M --rootfs "$ROOTFS" --no-passwords >out 2>err; st=$?
expect "create --rootfs --no-passwords" 0 ""
if ! grep -q 'first passwords' out && "$N" sdimage cat locked.img /etc/shadow | grep -q '^user:\*:'; then
	ok "--no-passwords prints none and leaves the accounts locked"
else
	bad "--no-passwords" "$(cat out; "$N" sdimage cat locked.img /etc/shadow)"
fi

# ---- who am I
run /bin/id;            expect "id as root" 0 '^uid=0\(root\) gid=0\(root\) groups=0\(root\)$'
run /bin/whoami;        expect "whoami" 0 '^root$'
run /bin/id user;       expect "id user" 0 '^uid=1000\(user\) gid=1000\(user\) groups=1000\(user\)$'
run /bin/id -u;         expect "id -u" 0 '^0$'
run /bin/id nosuch;     expect "id of no account fails" 1 ""
run /bin/ps
if [ "$st" = 0 ] && grep -qE '^ *PID +PPID +USER +STAT +CMD$' out && grep -qE '^ *[0-9]+ +[0-9]+ root +R +/bin/ps$' out; then
	ok "ps lists itself: PID PPID USER STAT CMD"
else
	bad "ps (exit $st)" "$(cat out err)"
fi

feed "id\npwd\nsu root\n" /bin/su - user
expect "su - user as root: a login shell as user" 1 '^uid=1000\(user\) gid=1000\(user\)'
if grep -q '^/home/user$' out && grep -q 'only root may switch users' out err; then
	ok "su starts in the home directory; su by user is refused"
else
	bad "su (exit $st)" "$(cat out err)"
fi

# ---- login through a pipe
feed "user\nwrong\nuser\n$USERPW\nid\npwd\necho \"\$HOME \$USER \$LOGNAME \$SHELL\"\n" /bin/login
expect "login: wrong, then right" 0 '(^|: )uid=1000\(user\) gid=1000\(user\)'
grep -q 'Login incorrect' out && ok "the wrong one said 'Login incorrect'" || bad "no 'Login incorrect'" "$(cat out)"
grep -q '^/home/user$' out && ok "the session starts in the home directory" || bad "cwd after login" "$(cat out)"
grep -q '^/home/user user user /bin/sh$' out && ok "HOME USER LOGNAME SHELL set" || bad "login environment" "$(cat out)"
feed "root\n$ROOTPW\nid -un\n" /bin/login
expect "root's first password logs in" 0 '(^|: )root$'
feed "user\na\nuser\nb\nnosuch\nc\nid\n" /bin/login
if [ "$st" = 1 ] && [ "$(grep -o 'Login incorrect' out | wc -l)" = 3 ] && ! grep -q uid= out; then
	ok "three failures (an unknown user among them) end login with status 1"
else
	bad "three failures (exit $st)" "$(cat out err)"
fi
feed "user\n$ROOTPW\n" /bin/login
expect "root's password does not open user" 1 'Login incorrect'
feed "root\n$USERPW\n" /bin/login
expect "user's password does not open root" 1 'Login incorrect'

# ---- passwd
feed "user\n$USERPW\npasswd\n$USERPW\nN3w-pass\nN3w-pass\n" /bin/login
expect "passwd: user changes his own" 0 'password updated'
feed "user\nN3w-pass\nwhoami\n" /bin/login
expect "login with the new password" 0 '(^|: )user$'
feed "user\n$USERPW\n" /bin/login
expect "the old password no longer works" 1 'Login incorrect'
feed "user\nN3w-pass\npasswd\nwrong-old\nx1\nx1\n" /bin/login
expect "passwd with a wrong current password is refused" 1 ""
grep -q 'authentication failure' err out && ok "it says 'authentication failure'" || bad "wrong old password message" "$(cat out err)"
feed "user\nN3w-pass\npasswd root\nN3w-pass\npwned\npwned\n" /bin/login
if [ "$st" = 1 ] && grep -q 'may not change the password of root' out err; then
	ok "passwd by user for root is refused"
else
	bad "passwd root as user (exit $st)" "$(cat out err)"
fi
feed "root\n$ROOTPW\n" /bin/login
expect "root's password is unchanged" 0 ""
feed "a\nb\n" /bin/passwd user
expect "passwd: two different new passwords" 1 ""
feed "from-root\nfrom-root\n" /bin/passwd user
expect "root sets user's password without the old one" 0 'password updated'
feed "user\nfrom-root\nwhoami\n" /bin/login
expect "login with the password root set" 0 '(^|: )user$'
"$N" sdimage cat sd.img /etc/shadow >shadow 2>err
if grep -qE '^user:\$(y|6)\$[^:]*:[0-9]+:0:99999:7:::$' shadow && grep -q "^root:" shadow &&
   ! "$N" sdimage ls sd.img /etc | grep -q 'shadow+'; then
	ok "/etc/shadow rewritten whole (fields kept, day of change set, no temporary left)"
else
	bad "/etc/shadow after passwd" "$(cat shadow err; "$N" sdimage ls sd.img /etc)"
fi

# ---- the policy, as t-users checks it (root, then a setuid child)
timeout 120 "$N" run --image sd.img --host "$TUSERS" from-root >out 2>err </dev/null; st=$?
if [ "$st" = 0 ] && ! grep -q '^not ok' out && grep -qE '^1\.\.[1-9]' out && ! grep -q SKIP out; then
	ok "t-users: $(grep -c '^ok' out) checks"
else
	bad "t-users (exit $st)" "$(grep -v '^ok' out; cat err)"
fi

# ---- the volume after all this
"$N" sdimage fsck sd.img >out 2>err; st=$?
expect "the volume is clean (sdimage fsck)" 0 ""

suite_end
