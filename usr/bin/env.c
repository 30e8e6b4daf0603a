/* env: prints the environment, or runs a command in a changed one.
 *   env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG]...]
 *     -i, -   start from an empty environment
 *     -u      remove NAME
 * COMMAND is looked up in PATH. Exit status as GNU's env: COMMAND's, or
 * 125 when env itself failed (bad usage), 126 when COMMAND could not be
 * run, 127 when it was not found. */
#define TOOL "env"
#include "lib/tool.h"

#define USAGE "env [-i] [-u NAME]... [NAME=VALUE]... [COMMAND [ARG]...]"

static void on_option(int c, char *arg)
{
	static char *empty[] = { NULL };
	if (c == 'i') {
		environ = empty;
	} else if (unsetenv(arg) != 0) {
		tool_warn("cannot unset '%s': %s", arg, strerror(errno));
		exit(125);
	}
}

int main(int argc, char **argv)
{
	/* "-" alone means -i (the old spelling); options stop at the first operand. */
	if (argc > 1 && strcmp(argv[1], "-") == 0) {
		static char dash_i[] = "-i";
		argv[1] = dash_i;
	}
	int n = tool_options(argc, argv, "+iu:", on_option, USAGE, 125), i = 1;
	for (; i <= n && strchr(argv[i], '=') && argv[i][0] != '='; i++) {
		if (putenv(argv[i]) != 0) {
			tool_warn("cannot set '%s': %s", argv[i], strerror(errno));
			return 125;
		}
	}
	if (i > n) {
		for (char **e = environ; *e; e++)
			puts(*e);
		tool_exit(0);
	}
	execvp(argv[i], argv + i);
	int err = errno;
	tool_warn("'%s': %s", argv[i], strerror(err));
	return err == ENOENT ? 127 : 126;
}
