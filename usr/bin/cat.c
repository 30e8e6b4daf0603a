/* cat: copies each FILE (or standard input for none or "-") to standard
 * output.
 *   cat [-n] [FILE]...    -n: number every output line ("%6d\t")
 * A file it cannot read is reported ("cat: x: No such file or directory"),
 * the others are still copied, and the exit status is then 1. Line numbers
 * run on across files, as GNU's do. */
#define TOOL "cat"
#include "lib/tool.h"

#define USAGE "cat [-n] [FILE]..."

static int opt_number;
static unsigned long line_no = 1;
static int at_line_start = 1;
static char buf[16384];

/* Copies buf[0..n) to stdout with a number before each line. */
static void put_numbered(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (at_line_start)
			printf("%6lu\t", line_no++);
		putchar(p[i]);
		at_line_start = p[i] == '\n';
	}
}

/* 0: copied; -1: a read error; -2: a write error (errno says which). */
static int copy_fd(int fd)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (opt_number) {
			put_numbered(buf, (size_t)n);
			if (ferror(stdout))
				return -2;
		} else if (tool_write_all(1, buf, (size_t)n) < 0) {
			return -2;
		}
	}
}

/* 0: copied; 1: this file failed; 2: output failed (stop). */
static int cat_one(const char *name)
{
	int fd = tool_open_input(name);
	if (fd < 0) {
		tool_warn("%s: %s", name, strerror(errno));
		return 1;
	}
	int r = copy_fd(fd);
	int err = errno;
	tool_close_input(fd);
	if (r == -1)
		tool_warn("%s: %s", tool_input_name(name), strerror(err));
	if (r == -2)
		tool_warn("write error: %s", strerror(err));
	return r == 0 ? 0 : r == -2 ? 2 : 1;
}

/* -u (unbuffered) asks for what cat always is. */
static void on_option(int c, char *arg)
{
	(void)arg;
	opt_number |= c == 'n';
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "nu", on_option, USAGE, 1);
	char *dash[] = { "-", NULL };
	char **files = n ? argv + 1 : dash;
	int status = 0;
	for (; *files; files++) {
		int r = cat_one(*files);
		if (r == 2)
			exit(1);
		status |= r;
	}
	tool_exit(status);
}
