/* rmdir: removes empty directories.
 *   rmdir [-p] DIR...   -p: then remove each parent named in DIR too
 *                       ("rmdir -p a/b/c" removes a/b/c, a/b, a)
 * "rmdir: failed to remove 'x': Directory not empty" and status 1 when
 * one could not be removed; the others are still tried. */
#define TOOL "rmdir"
#include "lib/tool.h"

#define USAGE "rmdir [-p] DIR..."

static int remove_dir(const char *path)
{
	if (rmdir(path) == 0)
		return 0;
	tool_warn("failed to remove '%s': %s", path, strerror(errno));
	return 1;
}

/* DIR, then each parent in its name, stopping at the first failure. */
static int remove_with_parents(const char *dir)
{
	char *path = tool_strdup(dir);
	for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	int status = remove_dir(path);
	for (char *slash; !status && (slash = strrchr(path, '/'));) {
		while (slash > path && slash[-1] == '/')
			slash--;
		if (slash == path)
			break;                  /* the root */
		*slash = '\0';
		status = remove_dir(path);
	}
	free(path);
	return status;
}

static int parents;

static void on_option(int c, char *arg)
{
	(void)c;
	(void)arg;
	parents = 1;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "p", on_option, USAGE, 1), status = 0;
	if (n == 0) {
		tool_warn("missing operand");
		tool_usage(USAGE, 1);
	}
	for (int i = 1; i <= n; i++)
		status |= parents ? remove_with_parents(argv[i]) : remove_dir(argv[i]);
	tool_exit(status);
}
