/* nanoos_sys.c: who a process runs as. The NanoOs-private calls of
 * <nanoos.h> (login 500, passwd 501, getpw 502, ps 503), the Linux id calls
 * (setuid 146, setgid 144, setreuid 145, setregid 143, setresuid 147,
 * getresuid 148, setresgid 149, getresgid 150, getgroups 158, setgroups
 * 159) with seteuid/setegid on top, and getpwnam/getpwuid from the kernel's
 * account lookup (the users process reads /etc/passwd).
 *
 * picolibc's uid_t and gid_t are 16 bits wide while the kernel's ids are 32
 * bits: (uid_t)-1 ("leave as is") is passed as the kernel's -1, and ids
 * the kernel writes are read as 32-bit words.
 *
 * Also nanoos_prompt(), the line reader of login, passwd and su. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <nanoos.h>

#include "sys.h"

#define LINUX_SYS_setregid  143
#define LINUX_SYS_setgid    144
#define LINUX_SYS_setreuid  145
#define LINUX_SYS_setuid    146
#define LINUX_SYS_setresuid 147
#define LINUX_SYS_getresuid 148
#define LINUX_SYS_setresgid 149
#define LINUX_SYS_getresgid 150
#define LINUX_SYS_getgroups 158
#define LINUX_SYS_setgroups 159

/* ---------------------------------------------------------------- NanoOs */

int nanoos_login(const char *name, const char *password)
{
	return sys_result(sys2(NANOOS_SYS_LOGIN, name, password));
}

int nanoos_passwd(const char *name, const char *old_password, const char *new_password)
{
	return sys_result(sys3(NANOOS_SYS_PASSWD, name, old_password, new_password));
}

int nanoos_getpw(const char *name, uint32_t uid, struct nanoos_account *out)
{
	return sys_result(sys3(NANOOS_SYS_GETPW, name, uid, out));
}

int nanoos_ps(struct nanoos_ps_entry *ents, unsigned max)
{
	return sys_result(sys2(NANOOS_SYS_PS, ents, max));
}

/* ---------------------------------------------------------------- ids */

/* A 16-bit id as the kernel takes it: (id_t)-1 stays -1. */
static long uid_arg(uid_t id) { return id == (uid_t)-1 ? -1L : (long)id; }
static long gid_arg(gid_t id) { return id == (gid_t)-1 ? -1L : (long)id; }

int setuid(uid_t uid) { return sys_result(sys1(LINUX_SYS_setuid, uid_arg(uid))); }
int setgid(gid_t gid) { return sys_result(sys1(LINUX_SYS_setgid, gid_arg(gid))); }

int setreuid(uid_t ruid, uid_t euid)
{
	return sys_result(sys2(LINUX_SYS_setreuid, uid_arg(ruid), uid_arg(euid)));
}

int setregid(gid_t rgid, gid_t egid)
{
	return sys_result(sys2(LINUX_SYS_setregid, gid_arg(rgid), gid_arg(egid)));
}

int setresuid(uid_t r, uid_t e, uid_t s)
{
	return sys_result(sys3(LINUX_SYS_setresuid, uid_arg(r), uid_arg(e), uid_arg(s)));
}

int setresgid(gid_t r, gid_t e, gid_t s)
{
	return sys_result(sys3(LINUX_SYS_setresgid, gid_arg(r), gid_arg(e), gid_arg(s)));
}

int seteuid(uid_t euid) { return setreuid((uid_t)-1, euid); }
int setegid(gid_t egid) { return setregid((gid_t)-1, egid); }

int getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	uint32_t v[3];
	long rc = sys3(LINUX_SYS_getresuid, &v[0], &v[1], &v[2]);

	if (sys_failed(rc))
		return sys_error(rc);
	*r = (uid_t)v[0];
	*e = (uid_t)v[1];
	*s = (uid_t)v[2];
	return 0;
}

int getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	uint32_t v[3];
	long rc = sys3(LINUX_SYS_getresgid, &v[0], &v[1], &v[2]);

	if (sys_failed(rc))
		return sys_error(rc);
	*r = (gid_t)v[0];
	*e = (gid_t)v[1];
	*s = (gid_t)v[2];
	return 0;
}

#define GROUPS_MAX 32

int getgroups(int size, gid_t list[])
{
	uint32_t v[GROUPS_MAX];
	long n = sys2(LINUX_SYS_getgroups, size > GROUPS_MAX ? GROUPS_MAX : size, v);

	if (sys_failed(n))
		return sys_error(n);
	if (size > 0 && n > size) {
		errno = EINVAL;
		return -1;
	}
	for (long i = 0; size > 0 && i < n; i++)
		list[i] = (gid_t)v[i];
	return (int)n;
}

int setgroups(int size, const gid_t *list)
{
	uint32_t v[GROUPS_MAX];

	if (size < 0 || size > GROUPS_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < size; i++)
		v[i] = list[i];
	return sys_result(sys2(LINUX_SYS_setgroups, size, v));
}

/* ---------------------------------------------------------------- accounts */

static struct nanoos_account pw_account;
static struct passwd pw_entry;
static char pw_hidden[] = "x";          /* the hash stays in /etc/shadow */

static struct passwd *pw_of(int r)
{
	if (r < 0)
		return NULL;            /* errno: ENOENT for "no such account" */
	pw_entry.pw_name = pw_account.name;
	pw_entry.pw_passwd = pw_hidden;
	pw_entry.pw_uid = (uid_t)pw_account.uid;
	pw_entry.pw_gid = (gid_t)pw_account.gid;
	pw_entry.pw_comment = pw_account.name + strlen(pw_account.name);   /* "" */
	pw_entry.pw_gecos = pw_entry.pw_comment;
	pw_entry.pw_dir = pw_account.home;
	pw_entry.pw_shell = pw_account.shell;
	return &pw_entry;
}

struct passwd *getpwnam(const char *name)
{
	return pw_of(nanoos_getpw(name, 0, &pw_account));
}

struct passwd *getpwuid(uid_t uid)
{
	return pw_of(nanoos_getpw(NULL, uid, &pw_account));
}

/* ---------------------------------------------------------------- prompts */

static void say(const char *s)
{
	fflush(stdout);
	for (size_t n = strlen(s); n > 0;) {
		ssize_t w = write(1, s, n);
		if (w <= 0 && errno != EINTR)
			return;
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
	}
}

int nanoos_prompt(const char *prompt, char *buf, unsigned n, int secret)
{
	struct termios saved, quiet;
	int restore = 0, got = 0;
	unsigned len = 0;
	char c = 0;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	/* Echo off before the prompt: what is typed once the prompt shows
	 * must not be echoed. */
	if (secret && tcgetattr(0, &saved) == 0) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		restore = tcsetattr(0, TCSAFLUSH, &quiet) == 0;
	}
	say(prompt);
	for (;;) {
		ssize_t r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		got = 1;
		if (len + 1 < n)
			buf[len++] = c;
	}
	buf[len] = 0;
	if (restore) {
		tcsetattr(0, TCSAFLUSH, &saved);
		say("\n");             /* the newline the user typed was not echoed */
	}
	return got || c == '\n' ? (int)len : -1;
}
