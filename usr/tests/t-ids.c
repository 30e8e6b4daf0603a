/* t-ids: who a process is: uid/gid calls, pid/tid, uname fields,
 * gethostname, resource limits (prlimit64), getentropy, and what start-up
 * took from the initial stack (argv, environ, auxv). */
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tap.h"

#define AT_PAGESZ 6

static void test_ids(void)
{
	uid_t uid = getuid(), euid = geteuid();
	gid_t gid = getgid(), egid = getegid();
	ok(uid == euid && gid == egid, "real and effective ids agree (uid %d, gid %d)", (int)uid,
	   (int)gid);
	ok(getpid() > 0 && gettid() == getpid(), "one thread: gettid == getpid");
}

static void test_uname(void)
{
	struct utsname u;
	ok(uname(&u) == 0, "uname");
	ok(u.sysname[0] && u.release[0] && u.version[0] && u.machine[0] && u.nodename[0],
	   "sysname '%s', release '%s', machine '%s', nodename '%s' are not empty", u.sysname,
	   u.release, u.machine, u.nodename);
	ok(strcmp(u.sysname, "NanoOs") == 0 || strcmp(u.sysname, "Linux") == 0,
	   "sysname is NanoOs (or Linux under qemu)");
	char host[65];
	ok(gethostname(host, sizeof(host)) == 0 && strcmp(host, u.nodename) == 0,
	   "gethostname is the node name");
}

static void test_limits(void)
{
	struct rlimit r;
	ok(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur > 0 && r.rlim_cur <= r.rlim_max,
	   "getrlimit(RLIMIT_NOFILE): %llu of at most %llu", r.rlim_cur, r.rlim_max);
	struct rlimit lower = { .rlim_cur = 64, .rlim_max = r.rlim_max }, back;
	ok(setrlimit(RLIMIT_NOFILE, &lower) == 0 && getrlimit(RLIMIT_NOFILE, &back) == 0 &&
	   back.rlim_cur == 64, "setrlimit lowers the soft limit to 64");
	ok(prlimit(0, RLIMIT_NOFILE, &r, &back) == 0 && back.rlim_cur == 64,
	   "prlimit sets it back and reports the old one");
	ok(getrlimit(99, &r) == -1 && errno == EINVAL, "an unknown resource: EINVAL");
}

static void test_start(int argc, char **argv)
{
	ok(argc >= 1 && argv[0] && argv[0][0] && argv[argc] == NULL, "argv from the stack (%s)", argv[0]);
	ok(environ != NULL, "environ is set");
	const char *v = getenv("NANOOS_TEST_ENV");
	if (v)
		ok(strcmp(v, "present") == 0, "getenv reads the environment from the stack");
	else
		skip("getenv reads the environment", "NANOOS_TEST_ENV is not set");
	ok(getauxval(AT_PAGESZ) == 4096, "the auxiliary vector says AT_PAGESZ 4096");
	unsigned char bytes[64] = { 0 };
	int nonzero = 0;
	ok(getentropy(bytes, sizeof(bytes)) == 0, "getentropy");
	for (size_t i = 0; i < sizeof(bytes); i++)
		nonzero += bytes[i] != 0;
	ok(nonzero > 32, "... gives random bytes (%d of 64 non-zero)", nonzero);
}

int main(int argc, char **argv)
{
	test_ids();
	test_uname();
	test_limits();
	test_start(argc, argv);
	return tap_done();
}
