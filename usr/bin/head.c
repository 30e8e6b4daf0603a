/* head: prints the first part of files.
 *   head [-n N | -c N | -N] [FILE]...
 *     -n N  the first N lines (default 10)
 *     -c N  the first N bytes
 * Standard input for no FILE or "-"; a "==> FILE <==" header before each
 * when there are several. What was read past the end of the part is given
 * back with lseek where the input can seek, so a shared offset ends right
 * after the last byte printed, as POSIX asks of head. */
#define TOOL "head"
#include "lib/tool.h"

#define USAGE "head [-n LINES | -c BYTES] [FILE]..."

static int by_bytes;
static long long count = 10;
static char buf[16384];

/* How many of buf[0..n) belong to the part; *left counts down. */
static size_t take(const char *p, size_t n, long long *left)
{
	if (by_bytes) {
		size_t k = (long long)n < *left ? n : (size_t)*left;
		*left -= (long long)k;
		return k;
	}
	size_t used = 0;
	while (used < n && *left > 0)
		if (p[used++] == '\n')
			--*left;
	return used;
}

/* 0, -1: read error, -2: write error (errno). */
static int head_fd(int fd)
{
	long long left = count;
	while (left > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		size_t used = take(buf, (size_t)n, &left);
		if (fwrite(buf, 1, used, stdout) != used)
			return -2;
		if ((ssize_t)used < n)
			lseek(fd, (off_t)used - n, SEEK_CUR);
	}
	return 0;
}

static long long parse_count(const char *s, const char *what)
{
	char *end;
	long long n = strtoll(s, &end, 10);
	if (end == s || *end || n < 0) {
		tool_warn("invalid number of %s: '%s'", what, s);
		exit(1);
	}
	return n;
}

/* -q and -v (headers never, always) are accepted and ignored. */
static void on_option(int c, char *arg)
{
	if (c == 'n' || c == 'c') {
		by_bytes = c == 'c';
		count = parse_count(arg, by_bytes ? "bytes" : "lines");
	}
}

int main(int argc, char **argv)
{
	static char old_form[32];
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
		snprintf(old_form, sizeof(old_form), "-n%s", argv[1] + 1);  /* head -5 */
		argv[1] = old_form;
	}
	int n = tool_options(argc, argv, "n:c:qv", on_option, USAGE, 1);
	tool_each_input(n, argv + 1, head_fd);
}
