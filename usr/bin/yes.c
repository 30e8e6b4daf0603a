/* yes: prints "y" (or its arguments joined by spaces) on every line until
 * the output is closed.
 *   yes [STRING]...
 * Stops with status 0 when the reader goes away (SIGPIPE or EPIPE), 1 on
 * any other write error. */
#define TOOL "yes"
#include "lib/tool.h"

int main(int argc, char **argv)
{
	size_t len = 0;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *line = tool_malloc(len + 3);
	strcpy(line, argc > 1 ? "" : "y\n");
	for (int i = 1; i < argc; i++) {
		strcat(line, argv[i]);
		strcat(line, i + 1 < argc ? " " : "\n");
	}
	/* Many lines a write, so a pipe sees large chunks. */
	size_t one = strlen(line), n = 0;
	static char buf[8192];
	while (n + one <= sizeof(buf)) {
		memcpy(buf + n, line, one);
		n += one;
	}
	if (n == 0) {                   /* one line longer than buf */
		while (tool_write_all(1, line, one) == 0)
			;
	} else {
		while (tool_write_all(1, buf, n) == 0)
			;
	}
	if (errno == EPIPE)
		return 0;
	tool_warn("standard output: %s", strerror(errno));
	return 1;
}
