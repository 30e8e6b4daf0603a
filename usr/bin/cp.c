/* cp: copies files and directories.
 *   cp [-rRfpv] SOURCE DEST          copy SOURCE to DEST
 *   cp [-rRfpv] SOURCE... DIRECTORY  copy each SOURCE into DIRECTORY
 *     -r, -R  copy directories and what they hold
 *     -f      when DEST cannot be opened for writing, remove it and retry
 *     -p      keep the modification time
 *     -v      name each file as it is copied
 * A directory is never copied into itself. Errors are reported in GNU's
 * words ("cp: cannot stat 'x': No such file or directory") and make the
 * exit status 1; the other sources are still copied. A failed write (a
 * full disk) removes the partial copy's data only by the message: the
 * file is left as far as it got, as GNU's cp leaves it. */
#define TOOL "cp"
#include "lib/tool.h"
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define USAGE "cp [-rRfpv] SOURCE DEST | cp [-rRfpv] SOURCE... DIRECTORY"
/* RV32 Linux has only the 64-bit time utimensat (asm-generic 412). */
#define SYS_utimensat_time64 412

static int opt_recursive, opt_force, opt_preserve, opt_verbose;
static char buf[16384];

static void on_option(int c, char *arg)
{
	(void)arg;
	opt_recursive |= c == 'r' || c == 'R';
	opt_force |= c == 'f';
	opt_preserve |= c == 'p';
	opt_verbose |= c == 'v';
}

static int fail(const char *what, const char *path)
{
	tool_warn("%s '%s': %s", what, path, strerror(errno));
	return 1;
}

/* Sets path's modification (and access) time to st's, for -p. */
static void keep_times(const char *path, const struct stat *st)
{
	struct {
		int64_t sec;
		int32_t nsec, pad;
	} t[2] = { { st->st_atime, 0, 0 }, { st->st_mtime, 0, 0 } };
	if (syscall(SYS_utimensat_time64, -100L, path, t, 0L) < 0)
		fail("preserving times for", path);
}

static int copy_data(int in, int out, const char *from, const char *to)
{
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("error reading", from);
		if (tool_write_all(out, buf, (size_t)n) < 0)
			return fail("error writing", to);
	}
	return 0;
}

static int copy_file(const char *from, const char *to, const struct stat *st)
{
	int in = open(from, O_RDONLY);
	if (in < 0)
		return fail("cannot open", from);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
	if (out < 0 && opt_force && errno != ENOENT && unlink(to) == 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
	if (out < 0) {
		int r = fail("cannot create regular file", to);
		close(in);
		return r;
	}
	int status = copy_data(in, out, from, to);
	close(in);
	if (close(out) < 0 && !status)
		status = fail("error writing", to);
	if (!status && opt_preserve)
		keep_times(to, st);
	if (!status && opt_verbose)
		printf("'%s' -> '%s'\n", from, to);
	return status;
}

static int copy_path(const char *from, const char *to);

static int copy_directory(const char *from, const char *to, const struct stat *st)
{
	if (mkdir(to, (st->st_mode & 0777) | 0700) < 0 && !(errno == EEXIST && tool_is_directory(to)))
		return fail("cannot create directory", to);
	if (opt_verbose)
		printf("'%s' -> '%s'\n", from, to);
	DIR *d = opendir(from);
	if (!d)
		return fail("cannot access", from);
	int status = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *src = tool_join(from, e->d_name), *dst = tool_join(to, e->d_name);
		status |= copy_path(src, dst);
		free(src);
		free(dst);
	}
	closedir(d);
	if (opt_preserve)
		keep_times(to, st);
	return status;
}

/* Whether to is from or inside it, by name: NanoOs paths have no links. */
static int inside(const char *from, const char *to)
{
	char *f = tool_absolute(from), *t = tool_absolute(to);
	size_t n = f ? strlen(f) : 0;
	int r = f && t && strncmp(f, t, n) == 0 && (t[n] == '\0' || t[n] == '/' || n == 1);
	free(f);
	free(t);
	return r;
}

static int copy_path(const char *from, const char *to)
{
	struct stat st;
	if (stat(from, &st) < 0)
		return fail("cannot stat", from);
	if (!S_ISDIR(st.st_mode))
		return copy_file(from, to, &st);
	if (!opt_recursive) {
		tool_warn("-r not specified; omitting directory '%s'", from);
		return 1;
	}
	if (inside(from, to)) {
		tool_warn("cannot copy a directory, '%s', into itself, '%s'", from, to);
		return 1;
	}
	return copy_directory(from, to, &st);
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "rRfpv", on_option, USAGE, 1);
	tool_to_target(n, argv, USAGE, copy_path);
}
