/* tail: prints the last part of files.
 *   tail [-n [+]N | -c [+]N | -N] [FILE]...
 *     -n N   the last N lines (default 10); -n +N: from line N on
 *     -c N   the last N bytes;              -c +N: from byte N on
 * Standard input for no FILE or "-"; "==> FILE <==" headers for several.
 * A regular file is read backwards from its end, so a large file costs
 * only its tail; a pipe is read whole into memory. (-f is not offered.) */
#define TOOL "tail"
#include "lib/tool.h"
#include <sys/stat.h>

#define USAGE "tail [-n [+]LINES | -c [+]BYTES] [FILE]..."

static int by_bytes, from_start;
static long long count = 10;
static char buf[16384];

/* ------------------------------------------------ from the start (+N) */

/* Skips count-1 lines or bytes, then copies the rest. */
static int copy_from_start(int fd)
{
	long long skip = count > 0 ? count - 1 : 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		size_t i = 0;
		for (; i < (size_t)n && skip > 0; i++)
			if (by_bytes || buf[i] == '\n')
				skip--;
		if (fwrite(buf + i, 1, (size_t)n - i, stdout) != (size_t)n - i)
			return -2;
	}
	return n < 0 ? -1 : 0;
}

/* ------------------------------------------------ the last N */

/* Where the last count lines (or bytes) of data[0..n) begin. */
static size_t tail_start(const char *data, size_t n)
{
	if (by_bytes)
		return (long long)n > count ? n - (size_t)count : 0;
	long long lines = count;
	size_t i = n;
	if (i > 0 && data[i - 1] == '\n')
		i--;                    /* the last line's own newline */
	while (i > 0) {
		if (data[i - 1] == '\n' && --lines == 0)
			return i;
		i--;
	}
	return lines == 0 ? i : 0;
}

/* A pipe or terminal: everything into memory, then print the tail. */
static int tail_stream(int fd)
{
	size_t len = 0, cap = 65536;
	char *data = tool_malloc(cap);
	ssize_t n;
	while ((n = read(fd, data + len, cap - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(data);
			return -1;
		}
		len += (size_t)n;
		if (len == cap)
			data = tool_realloc(data, cap *= 2);
	}
	size_t start = count == 0 ? len : tail_start(data, len);
	int r = fwrite(data + start, 1, len - start, stdout) == len - start ? 0 : -2;
	free(data);
	return r;
}

/* A regular file: read growing blocks from the end until they hold the
 * tail, then print from there to the end. */
static int tail_file(int fd, off_t size)
{
	size_t want = by_bytes && count > 4096 ? (size_t)count + 1 : 4096;
	for (;;) {
		off_t from = size > (off_t)want ? size - (off_t)want : 0;
		size_t len = (size_t)(size - from);
		char *data = tool_malloc(len);
		ssize_t got = pread(fd, data, len, from);
		if (got != (ssize_t)len) {
			free(data);
			if (got >= 0)
				errno = EIO;
			return -1;
		}
		size_t start = count == 0 ? len : tail_start(data, len);
		/* start 0 may be a cut inside a line: read more, unless at the file's start */
		if (start > 0 || from == 0) {
			int r = fwrite(data + start, 1, len - start, stdout) == len - start ? 0 : -2;
			free(data);
			return r;
		}
		free(data);
		want *= 4;
	}
}

static int tail_fd(int fd)
{
	if (from_start)
		return copy_from_start(fd);
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return tail_file(fd, st.st_size);
	return tail_stream(fd);
}

/* ------------------------------------------------ arguments */

static void parse_count(const char *s, const char *what)
{
	from_start = s[0] == '+';
	char *end;
	count = strtoll(s + (s[0] == '+' || s[0] == '-'), &end, 10);
	if (end == s + (s[0] == '+' || s[0] == '-') || *end || count < 0) {
		tool_warn("invalid number of %s: '%s'", what, s);
		exit(1);
	}
}

/* -q and -v (headers never, always) are accepted and ignored. */
static void on_option(int c, char *arg)
{
	if (c == 'n' || c == 'c') {
		by_bytes = c == 'c';
		parse_count(arg, by_bytes ? "bytes" : "lines");
	}
}

int main(int argc, char **argv)
{
	static char old_form[32];
	if (argc > 1 && (argv[1][0] == '-' || argv[1][0] == '+') && argv[1][1] >= '0' &&
	    argv[1][1] <= '9') {
		/* the old form: tail -5, tail +5 */
		snprintf(old_form, sizeof(old_form), "-n%s", argv[1] + (argv[1][0] == '-'));
		argv[1] = old_form;
	}
	int n = tool_options(argc, argv, "n:c:qv", on_option, USAGE, 1);
	tool_each_input(n, argv + 1, tail_fd);
}
