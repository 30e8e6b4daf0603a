/* mv: moves (renames) files and directories.
 *   mv [-fv] SOURCE DEST          rename SOURCE to DEST
 *   mv [-fv] SOURCE... DIRECTORY  move each SOURCE into DIRECTORY
 *     -f  accepted (mv never asks here)     -v  name each move
 * A move is one rename on NanoOs's single volume, also between
 * directories, so it is atomic. A directory is never moved into itself.
 * Errors in GNU's words ("mv: cannot stat 'x': No such file or
 * directory") make the exit status 1; the other sources are still moved. */
#define TOOL "mv"
#include "lib/tool.h"
#include <sys/stat.h>

#define USAGE "mv [-fv] SOURCE DEST | mv [-fv] SOURCE... DIRECTORY"

static int opt_verbose;

static void on_option(int c, char *arg)
{
	(void)arg;
	opt_verbose |= c == 'v';
}

static int move(const char *from, const char *to)
{
	struct stat st;
	if (lstat(from, &st) < 0) {
		tool_warn("cannot stat '%s': %s", from, strerror(errno));
		return 1;
	}
	if (rename(from, to) < 0) {
		tool_warn("cannot move '%s' to '%s': %s", from, to, strerror(errno));
		return 1;
	}
	if (opt_verbose)
		printf("renamed '%s' -> '%s'\n", from, to);
	return 0;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "fv", on_option, USAGE, 1);
	tool_to_target(n, argv, USAGE, move);
}
