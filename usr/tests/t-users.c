/* t-users: the permission policy end to end, run as root on NanoOs.
 *   t-users [PASSWORD-OF-user]
 * A child that setuid(1000)s cannot read /etc/shadow (EACCES), create in
 * /bin (EACCES), kill a root process (EPERM), become root again, log in or
 * change root's password (EPERM); it can write in /home/user and /tmp.
 * Root can all of these. login() with a wrong password is refused
 * (EACCES) and leaves the caller root; with PASSWORD-OF-user given, login()
 * with it makes the process user. Also the id calls: getresuid, getgroups,
 * setresuid with two different ids (EINVAL), getpwnam/getpwuid.
 * Under qemu-riscv32 (Linux) it only says it skipped: setuid there would
 * change the host's ids. */
#include <fcntl.h>
#include <nanoos.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#define USER_UID 1000

/* Create (and remove) path: 0, or the errno of the failure. */
static int try_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return errno;
	int e = write(fd, "x\n", 2) == 2 ? 0 : errno;
	close(fd);
	unlink(path);
	return e;
}

static int try_read(const char *path)
{
	char buf[16];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	int e = read(fd, buf, sizeof(buf)) >= 0 ? 0 : errno;
	close(fd);
	return e;
}

/* A root process that waits to be killed. */
static pid_t start_sleeper(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		sleep(30);
		_exit(0);
	}
	return pid;
}

/* ---------------------------------------------------------------- as user */

/* What the child found, one check a line, sent to the parent to report
 * (the TAP numbering is the parent's). */
struct check {
	const char *what;
	int pass;
};

#define CHECKS_MAX 24

/* The process table's entry of the caller: its user name and uid. */
static int ps_self(char *user, unsigned *uid)
{
	static struct nanoos_ps_entry ents[256];
	int n = nanoos_ps(ents, 256);

	for (int i = 0; i < n; i++)
		if (ents[i].pid == (uint32_t)getpid()) {
			snprintf(user, 33, "%.32s", ents[i].user);
			*uid = ents[i].uid;
			return 0;
		}
	return -1;
}

static void child_as_user(int out, pid_t root_sleeper)
{
	struct check c[CHECKS_MAX];
	int n = 0;
	uid_t r, e, s;
	char user[33];
	unsigned uid;

	int rc = setgid(USER_UID);
	c[n++] = (struct check){ "setgid(1000) as root keeps the name root in ps",
	                         rc == 0 && getgid() == USER_UID && ps_self(user, &uid) == 0 &&
	                                 strcmp(user, "root") == 0 && uid == 0 };
	rc = setuid(USER_UID);
	c[n++] = (struct check){ "setuid(1000) as root", rc == 0 && getuid() == USER_UID &&
	                                                 geteuid() == USER_UID };
	c[n++] = (struct check){ "ps shows the process as user, uid 1000",
	                         ps_self(user, &uid) == 0 && strcmp(user, "user") == 0 &&
	                                 uid == USER_UID };
	c[n++] = (struct check){ "getresuid says 1000 three times",
	                         getresuid(&r, &e, &s) == 0 && r == USER_UID && e == USER_UID &&
	                                 s == USER_UID };
	struct passwd *pw = getpwuid(getuid());
	c[n++] = (struct check){ "getpwuid(1000) is user, home /home/user",
	                         pw && strcmp(pw->pw_name, "user") == 0 &&
	                                 strcmp(pw->pw_dir, "/home/user") == 0 };
	c[n++] = (struct check){ "user cannot read /etc/shadow (EACCES)",
	                         try_read("/etc/shadow") == EACCES };
	c[n++] = (struct check){ "user can read /etc/passwd", try_read("/etc/passwd") == 0 };
	c[n++] = (struct check){ "user cannot create in /bin (EACCES)",
	                         try_create("/bin/t-users.tmp") == EACCES };
	c[n++] = (struct check){ "user can write in /home/user",
	                         try_create("/home/user/t-users.tmp") == 0 };
	c[n++] = (struct check){ "user can write in /tmp", try_create("/tmp/t-users.tmp") == 0 };
	rc = kill(root_sleeper, SIGTERM);
	c[n++] = (struct check){ "user cannot kill a root process (EPERM)",
	                         rc < 0 && errno == EPERM };
	rc = setuid(0);
	c[n++] = (struct check){ "user cannot setuid(0) (EPERM)", rc < 0 && errno == EPERM };
	rc = setuid(USER_UID);
	c[n++] = (struct check){ "user may setuid to itself", rc == 0 };
	rc = nanoos_login("root", "anything");
	c[n++] = (struct check){ "user cannot call login() (EPERM)", rc < 0 && errno == EPERM };
	rc = nanoos_passwd("root", "anything", "pwned");
	c[n++] = (struct check){ "passwd by user for root is refused (EPERM)",
	                         rc < 0 && errno == EPERM };
	for (int i = 0; i < n; i++) {
		char line[128];
		int len = snprintf(line, sizeof(line), "%d %s\n", c[i].pass, c[i].what);
		write(out, line, (size_t)len);
	}
	_exit(0);
}

/* Report the child's lines as TAP checks. */
static void report(int in)
{
	static char buf[4096];
	size_t got = 0;
	ssize_t r;

	while ((r = read(in, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = 0;
	int lines = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		ok(line[0] == '1', "%s", line + 2);
		lines++;
	}
	ok(lines > 0, "the setuid child reported its checks");
}

static void test_as_user(void)
{
	int p[2];
	pid_t sleeper = start_sleeper();

	ok(sleeper > 0 && pipe(p) == 0, "a root sleeper and a pipe");
	pid_t child = fork();
	if (child == 0) {
		close(p[0]);
		child_as_user(p[1], sleeper);
	}
	close(p[1]);
	report(p[0]);
	close(p[0]);
	int st;
	ok(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "the setuid child exited 0");
	ok(kill(sleeper, SIGTERM) == 0, "root can kill the root sleeper");
	ok(waitpid(sleeper, &st, 0) == sleeper && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	   "the sleeper died of SIGTERM");
}

/* ---------------------------------------------------------------- as root */

static void test_as_root(void)
{
	gid_t groups[4];
	uid_t r, e, s;

	ok(getuid() == 0, "the test runs as root");
	ok(try_read("/etc/shadow") == 0, "root can read /etc/shadow");
	ok(try_create("/bin/t-users.tmp") == 0, "root can create in /bin");
	ok(try_create("/home/user/t-users.tmp") == 0, "root can write in /home/user");
	ok(try_create("/tmp/t-users.tmp") == 0, "root can write in /tmp");
	ok(getgroups(4, groups) == 1 && groups[0] == getgid(), "getgroups: the one gid");
	ok(getgroups(0, groups) == 1, "getgroups(0) counts it");
	ok(setresuid(1, 2, (uid_t)-1) < 0 && errno == EINVAL && getuid() == 0,
	   "setresuid with two different ids: EINVAL (one uid per process)");
	ok(setresuid((uid_t)-1, (uid_t)-1, (uid_t)-1) == 0 && getresuid(&r, &e, &s) == 0 &&
	           r == 0 && e == 0 && s == 0,
	   "setresuid(-1, -1, -1) keeps root");
	struct passwd *pw = getpwnam("root");
	ok(pw && pw->pw_uid == 0 && strcmp(pw->pw_dir, "/root") == 0, "getpwnam(root)");
	ok(getpwnam("no-such-user") == NULL && errno == ENOENT, "getpwnam of no account: ENOENT");
	int rc = nanoos_login("user", "certainly-not-the-password");
	ok(rc < 0 && errno == EACCES && getuid() == 0,
	   "login() with a wrong password: EACCES, still root");
	rc = nanoos_login("no-such-user", "x");
	ok(rc < 0 && errno == EACCES, "login() as an unknown user: the same EACCES");
}

/* login() with the right password, in a child (it stays user). */
static void test_login(const char *password)
{
	pid_t child = fork();
	if (child == 0) {
		int good = nanoos_login("user", password) == 0 && getuid() == USER_UID &&
		           getgid() == USER_UID && try_read("/etc/shadow") == EACCES;
		_exit(good ? 0 : 1);
	}
	int st;
	ok(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "login() with user's password: the process is user and cannot read /etc/shadow");
}

int main(int argc, char **argv)
{
	if (!on_nanoos()) {
		skip("every check", "setuid under qemu-riscv32 would change the host's ids");
		return tap_done();
	}
	test_as_root();
	test_as_user();
	if (argc > 1)
		test_login(argv[1]);
	else
		skip("login() with the right password", "no password given (t-users PASSWORD)");
	return tap_done();
}
