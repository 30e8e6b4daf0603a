/* mkdir: makes directories.
 *   mkdir [-pv] [-m MODE] DIR...
 *     -p  make missing parents too, and no error when DIR exists
 *     -v  name each directory made
 *     -m  MODE (octal) for the new directories (FAT keeps no modes: the
 *         fs's policy decides what stat shows, so it is accepted and passed)
 * "mkdir: cannot create directory 'x': File exists" and status 1 when one
 * could not be made; the others are still made. */
#define TOOL "mkdir"
#include "lib/tool.h"

#define USAGE "mkdir [-pv] [-m MODE] DIR..."

static int opt_parents, opt_verbose;
static mode_t mode = 0777;

static void on_option(int c, char *arg)
{
	if (c == 'm') {
		char *end;
		mode = (mode_t)strtoul(arg, &end, 8);
		if (end == arg || *end || mode > 07777) {
			tool_warn("invalid mode '%s'", arg);
			exit(1);
		}
	}
	opt_parents |= c == 'p';
	opt_verbose |= c == 'v';
}

static int make(const char *path, int quiet_if_there)
{
	if (mkdir(path, mode) == 0) {
		if (opt_verbose)
			printf("mkdir: created directory '%s'\n", path);
		return 0;
	}
	if (quiet_if_there && errno == EEXIST && tool_is_directory(path))
		return 0;
	tool_warn("cannot create directory '%s': %s", path, strerror(errno));
	return -1;
}

/* Each missing directory along path, then path. */
static int make_with_parents(const char *path)
{
	char *p = tool_strdup(path);
	int r = 0;
	for (char *s = p + 1; *s && r == 0; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		r = make(p, 1);
		*s = '/';
	}
	free(p);
	return r == 0 ? make(path, 1) : r;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "pvm:", on_option, USAGE, 1), status = 0;
	if (n == 0) {
		tool_warn("missing operand");
		tool_usage(USAGE, 1);
	}
	for (int i = 1; i <= n; i++)
		if ((opt_parents ? make_with_parents(argv[i]) : make(argv[i], 0)) < 0)
			status = 1;
	tool_exit(status);
}
