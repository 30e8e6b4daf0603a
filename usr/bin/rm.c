/* rm: removes files and directories.
 *   rm [-rRfdv] FILE...
 *     -r, -R  directories and what they hold
 *     -f      no message and no error for missing files, nor for no FILE
 *     -d      empty directories too (without -r)
 *     -v      name each thing removed
 * "." and ".." and "/" are refused, as GNU's rm refuses them. Errors in
 * GNU's words ("rm: cannot remove 'x': No such file or directory") make
 * the exit status 1; the other FILEs are still removed. */
#define TOOL "rm"
#include "lib/tool.h"
#include <dirent.h>

#define USAGE "rm [-rRfdv] FILE..."

static int opt_recursive, opt_force, opt_dirs, opt_verbose;

static void on_option(int c, char *arg)
{
	(void)arg;
	opt_recursive |= c == 'r' || c == 'R';
	opt_force |= c == 'f';
	opt_dirs |= c == 'd';
	opt_verbose |= c == 'v';
}

static int complain(const char *path)
{
	if (opt_force && errno == ENOENT)
		return 0;
	tool_warn("cannot remove '%s': %s", path, strerror(errno));
	return 1;
}

static int removed(const char *path, int r, int directory)
{
	if (r < 0)
		return complain(path);
	if (opt_verbose)
		printf(directory ? "removed directory '%s'\n" : "removed '%s'\n", path);
	return 0;
}

static int remove_path(const char *path);

static int remove_contents(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return complain(dir);
	int status = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *child = tool_join(dir, e->d_name);
		status |= remove_path(child);
		free(child);
	}
	closedir(d);
	return status;
}

static int remove_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return complain(path);
	if (!S_ISDIR(st.st_mode))
		return removed(path, unlink(path), 0);
	if (!opt_recursive && !opt_dirs) {
		tool_warn("cannot remove '%s': Is a directory", path);
		return 1;
	}
	int status = opt_recursive ? remove_contents(path) : 0;
	if (status)
		return status;          /* what is left keeps the directory */
	return removed(path, rmdir(path), 1);
}

/* ".", ".." or a path ending in them, and "/", which GNU's rm refuses. */
static int refused(const char *path)
{
	char *last = tool_last_component(path);
	int dots = strcmp(last, ".") == 0 || strcmp(last, "..") == 0, root = strcmp(last, "/") == 0;
	free(last);
	if (dots)
		tool_warn("refusing to remove '.' or '..' directory: skipping '%s'", path);
	else if (root && opt_recursive)
		tool_warn("it is dangerous to operate recursively on '/'");
	return dots || (root && opt_recursive);
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "rRfdv", on_option, USAGE, 1), status = 0;
	if (n == 0 && !opt_force) {
		tool_warn("missing operand");
		tool_usage(USAGE, 1);
	}
	for (int i = 1; i <= n; i++)
		status |= refused(argv[i]) ? 1 : remove_path(argv[i]);
	tool_exit(status);
}
