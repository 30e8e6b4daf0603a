/* login: starts a session as an account.
 *   login [USER]
 * Asks "NanoOs login: " (unless USER is given) and "Password: " (echo off
 * on a terminal), and up to three times "Login incorrect" when the kernel
 * refuses. On success the process becomes the account (nanoos_login: uid,
 * gid, name), sets HOME, USER, LOGNAME and SHELL, changes to the home
 * directory (/ if it is missing) and becomes the account's shell as a login
 * shell ("-sh"). Must run as root, as login(1) does. Exit 1 after three
 * failures or at the end of input. */
#define TOOL "login"
#include "lib/tool.h"

#include <nanoos.h>

#define TRIES 3

/* Become the account's login shell; returns only if exec failed. */
static void start_session(const struct nanoos_account *a)
{
	const char *shell = a->shell[0] ? a->shell : "/bin/sh";
	const char *base = strrchr(shell, '/');
	char argv0[NANOOS_PATH_MAX + 1];

	setenv("HOME", a->home, 1);
	setenv("USER", a->name, 1);
	setenv("LOGNAME", a->name, 1);
	setenv("SHELL", shell, 1);
	if (!a->home[0] || chdir(a->home) < 0) {
		tool_warn("no home directory '%s': starting in /", a->home);
		chdir("/");
		setenv("HOME", "/", 1);
	}
	snprintf(argv0, sizeof(argv0), "-%s", base ? base + 1 : shell);
	execl(shell, argv0, (char *)NULL);
	tool_warn("cannot run %s: %s", shell, strerror(errno));
}

int main(int argc, char **argv)
{
	char name[NANOOS_NAME_MAX + 8], password[256];
	struct nanoos_account acct;

	if (argc > 2)
		tool_usage("login [USER]", 1);
	if (getuid() != 0) {
		tool_warn("must be run as root (it is already a session of %u)", (unsigned)getuid());
		return 1;
	}
	for (int try = 0; try < TRIES; try++) {
		if (try == 0 && argc == 2)
			snprintf(name, sizeof(name), "%s", argv[1]);
		else if (nanoos_prompt("NanoOs login: ", name, sizeof(name), 0) < 0)
			return 1;
		if (!name[0]) {
			try--;                  /* an empty line: ask again */
			continue;
		}
		if (nanoos_prompt("Password: ", password, sizeof(password), 1) < 0)
			return 1;
		int r = nanoos_login(name, password);
		memset(password, 0, sizeof(password));
		if (r == 0 && nanoos_getpw(name, 0, &acct) == 0) {
			start_session(&acct);
			return 1;
		}
		if (r < 0 && errno == EAGAIN) {
			/* Too many wrong passwords system-wide just now: this
			 * one was not even looked at; it does not count. */
			puts("Too many failed logins at the moment; try again in a second");
			fflush(stdout);
			try--;
			sleep(1);
			continue;
		}
		if (r < 0 && errno != EACCES) {
			tool_warn("%s", strerror(errno));
			return 1;
		}
		puts("Login incorrect");
		fflush(stdout);
	}
	return 1;
}
