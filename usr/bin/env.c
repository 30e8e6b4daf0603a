/* env: prints the environment, or runs a command in a changed one.
 *   env [-i] [NAME=VALUE]... [COMMAND [ARG]...]
 *     -i: start from an empty environment */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "-i") == 0) {
		static char *empty[] = { NULL };
		environ = empty;
		i++;
	}
	for (; i < argc && strchr(argv[i], '='); i++) {
		if (putenv(argv[i]) != 0) {
			perror("env");
			return 125;
		}
	}
	if (i >= argc) {
		for (char **e = environ; *e; e++)
			puts(*e);
		return 0;
	}
	execvp(argv[i], argv + i);
	int err = errno;
	fprintf(stderr, "env: '%s': %s\n", argv[i], strerror(err));
	return err == ENOENT ? 127 : 126;
}
