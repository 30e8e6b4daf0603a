/* proc.c: who a process is and how it ends: _exit (exit_group 94), ids
 * (getpid 172, getppid 173, gettid 178, getuid 174 ... getegid 177),
 * process groups and sessions (setpgid 154, getpgid 155, setsid 157),
 * uname (160), limits (prlimit64 261) and randomness (getrandom 278). */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sys.h"

void _exit(int status)
{
	for (;;)
		sys1(SYS_exit_group, status);
}

void _Exit(int status)
{
	_exit(status);
}

pid_t getpid(void) { return (pid_t)sys0(SYS_getpid); }
pid_t getppid(void) { return (pid_t)sys0(SYS_getppid); }
pid_t gettid(void) { return (pid_t)sys0(SYS_gettid); }
uid_t getuid(void) { return (uid_t)sys0(SYS_getuid); }
uid_t geteuid(void) { return (uid_t)sys0(SYS_geteuid); }
gid_t getgid(void) { return (gid_t)sys0(SYS_getgid); }
gid_t getegid(void) { return (gid_t)sys0(SYS_getegid); }

int setpgid(pid_t pid, pid_t pgid)
{
	return sys_result(sys2(SYS_setpgid, pid, pgid));
}

pid_t getpgid(pid_t pid)
{
	return sys_result(sys1(SYS_getpgid, pid));
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

pid_t setsid(void)
{
	return sys_result(sys0(SYS_setsid));
}

int uname(struct utsname *u)
{
	return sys_result(sys1(SYS_uname, u));
}

int gethostname(char *name, size_t len)
{
	struct utsname u;
	if (uname(&u) < 0)
		return -1;
	size_t n = strnlen(u.nodename, sizeof(u.nodename));
	if (n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, u.nodename, n + 1);
	return 0;
}

int prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old_limit)
{
	return sys_result(sys4(SYS_prlimit64, pid, resource, new_limit, old_limit));
}

int getrlimit(int resource, struct rlimit *limit)
{
	return prlimit(0, resource, NULL, limit);
}

int setrlimit(int resource, const struct rlimit *limit)
{
	return prlimit(0, resource, limit, NULL);
}

/* picolibc's arc4random asks for its seed here. */
int getentropy(void *buf, size_t len)
{
	if (len > 256) {
		errno = EIO;
		return -1;
	}
	for (size_t done = 0; done < len;) {
		long r = sys3(SYS_getrandom, (char *)buf + done, len - done, 0);
		if (sys_failed(r) && r != -4 /* EINTR */)
			return sys_error(r);
		if (r > 0)
			done += (size_t)r;
	}
	return 0;
}

/* Any system call by number; -1 with errno set on failure, as glibc's. */
long syscall(long number, ...)
{
	long arg[6];
	va_list ap;
	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		arg[i] = va_arg(ap, long);
	va_end(ap);
	return sys_result(sys6(number, arg[0], arg[1], arg[2], arg[3], arg[4], arg[5]));
}
