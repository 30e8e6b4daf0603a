/* su: runs a shell as another account.
 *   su [-] [USER]       USER: root by default; "-": a login shell in USER's
 *                       home, as login(1) starts it
 * NanoOs has no set-user-id programs, so only root may switch (without a
 * password, as on Linux); anyone else is told to log in as USER instead.
 * Sets HOME, SHELL, USER and LOGNAME, then runs USER's shell. */
#define TOOL "su"
#include "lib/tool.h"

#include <nanoos.h>

int main(int argc, char **argv)
{
	int login_shell = 0, i = 1;
	struct nanoos_account a;

	if (i < argc && (strcmp(argv[i], "-") == 0 || strcmp(argv[i], "-l") == 0)) {
		login_shell = 1;
		i++;
	}
	if (argc - i > 1)
		tool_usage("su [-] [USER]", 1);
	const char *name = i < argc ? argv[i] : "root";
	if (nanoos_getpw(name, 0, &a) < 0) {
		tool_warn("user %s does not exist", name);
		return 1;
	}
	if (getuid() != 0) {
		tool_warn("only root may switch users on NanoOs (no set-user-id programs); "
		          "log in as %s instead", name);
		return 1;
	}
	if (setgid((gid_t)a.gid) < 0 || setuid((uid_t)a.uid) < 0) {
		tool_warn("cannot become %s: %s", name, strerror(errno));
		return 1;
	}
	const char *shell = a.shell[0] ? a.shell : "/bin/sh";
	setenv("HOME", a.home, 1);
	setenv("SHELL", shell, 1);
	setenv("USER", a.name, 1);
	setenv("LOGNAME", a.name, 1);
	if (login_shell && chdir(a.home) < 0)
		tool_warn("no home directory '%s': staying in the current one", a.home);
	execl(shell, login_shell ? "-sh" : "sh", (char *)NULL);
	tool_warn("cannot run %s: %s", shell, strerror(errno));
	return 1;
}
