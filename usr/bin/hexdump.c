/* hexdump: shows files (or standard input) in hexadecimal.
 *   hexdump [-Cv] [-n LENGTH] [-s OFFSET] [FILE]...
 *     (none)  the default format: offset, then eight 16-bit little-endian
 *             words a line ("0000000 6568 6c6c ...")
 *     -C      canonical: offset, sixteen bytes, and the printable ones
 *             between bars ("00000000  68 65 6c 6c  ...  |hell...|")
 *     -v      show every line (else a run of lines equal to the one before
 *             prints as a single "*")
 *     -n      only LENGTH bytes      -s  skip OFFSET bytes first
 * The files are one stream, as in util-linux's hexdump; the last line
 * holds the offset after the last byte. LENGTH and OFFSET may end in
 * k or m (1024, 1048576) or be hex with 0x. */
#define TOOL "hexdump"
#include "lib/tool.h"

#define USAGE "hexdump [-Cv] [-n LENGTH] [-s OFFSET] [FILE]..."

static int opt_canonical, opt_all_lines;
static long long opt_length = -1, opt_skip;

/* ---------------------------------------------------------------- input */

/* The input: FILE operands (or "-") read one after another. */
static char **inputs;
static int current = -1, current_fd = -1, errors;

static int next_input(void)
{
	tool_close_input(current_fd);
	current_fd = -1;
	if (current >= 0 && !inputs[current])
		return -1;              /* the end stays the end */
	while (inputs[++current]) {
		current_fd = tool_open_input(inputs[current]);
		if (current_fd >= 0)
			return 0;
		tool_warn("%s: %s", inputs[current], strerror(errno));
		errors = 1;
	}
	return -1;
}

/* Up to n bytes from the stream; fewer only at its end. */
static size_t read_stream(unsigned char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		if (current_fd < 0 && next_input() < 0)
			break;
		ssize_t r = read(current_fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			tool_warn("%s: %s", inputs[current], strerror(errno));
			errors = 1;
		}
		if (r <= 0) {
			tool_close_input(current_fd);
			current_fd = -1;
			continue;
		}
		got += (size_t)r;
	}
	return got;
}

/* ---------------------------------------------------------------- lines */

static void canonical_line(unsigned long long off, const unsigned char *b, size_t n)
{
	printf("%08llx ", off);
	for (size_t i = 0; i < 16; i++) {
		if (i == 8)
			putchar(' ');
		if (i < n)
			printf(" %02x", b[i]);
		else
			fputs("   ", stdout);
	}
	fputs("  |", stdout);
	for (size_t i = 0; i < n; i++)
		putchar(b[i] >= 0x20 && b[i] < 0x7f ? b[i] : '.');
	puts("|");
}

/* Words of two bytes, the second one high; an odd last byte stands alone;
 * a short line is padded to the full width, as util-linux does. */
static void default_line(unsigned long long off, const unsigned char *b, size_t n)
{
	printf("%07llx", off);
	for (size_t i = 0; i < 16; i += 2) {
		if (i < n)
			printf(" %04x", b[i] | (i + 1 < n ? b[i + 1] << 8 : 0));
		else
			fputs("     ", stdout);
	}
	putchar('\n');
}

/* Dumps the stream from offset off (what was skipped). */
static void dump(unsigned long long off)
{
	unsigned char line[16], previous[16];
	long long left = opt_length;
	int have_previous = 0, squeezing = 0;
	if (opt_length == 0)
		return;                 /* util-linux prints not even an offset */
	for (;;) {
		size_t want = left >= 0 && left < 16 ? (size_t)left : 16;
		size_t n = want ? read_stream(line, want) : 0;
		if (n == 0)
			break;
		if (left >= 0)
			left -= (long long)n;
		if (!opt_all_lines && n == 16 && have_previous && memcmp(line, previous, 16) == 0) {
			if (!squeezing)
				puts("*");
			squeezing = 1;
		} else {
			(opt_canonical ? canonical_line : default_line)(off, line, n);
			squeezing = 0;
		}
		memcpy(previous, line, n);
		have_previous = n == 16;
		off += n;
	}
	if (off > 0)
		printf(opt_canonical ? "%08llx\n" : "%07llx\n", off);
}

/* Skips opt_skip bytes: lseek where the input seeks, else reads.
 * Returns how many there were (fewer when the stream ended first). */
static unsigned long long skip_start(void)
{
	long long left = opt_skip;
	unsigned char junk[4096];
	while (left > 0) {
		if (current_fd < 0 && next_input() < 0)
			break;
		off_t here = lseek(current_fd, 0, SEEK_CUR), end = lseek(current_fd, 0, SEEK_END);
		if (here >= 0 && end >= 0) {
			long long take = end - here < left ? end - here : left;
			lseek(current_fd, here + take, SEEK_SET);
			left -= take;
			if (left > 0) {
				tool_close_input(current_fd);
				current_fd = -1;
			}
			continue;
		}
		size_t n = read_stream(junk, left < (long long)sizeof(junk) ? (size_t)left : sizeof(junk));
		if (n == 0)
			break;
		left -= (long long)n;
	}
	return (unsigned long long)(opt_skip - left);
}

/* ---------------------------------------------------------------- options */

static long long parse_size(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 0);
	if (end != s && (*end == 'k' || *end == 'K'))
		v *= 1024, end++;
	else if (end != s && (*end == 'm' || *end == 'M'))
		v *= 1024 * 1024, end++;
	if (end == s || *end || v < 0) {
		tool_warn("invalid size: '%s'", s);
		tool_usage(USAGE, 1);
	}
	return v;
}

static void on_option(int c, char *arg)
{
	if (c == 'C')
		opt_canonical = 1;
	else if (c == 'v')
		opt_all_lines = 1;
	else if (c == 'n')
		opt_length = parse_size(arg);
	else
		opt_skip = parse_size(arg);
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "Cvn:s:", on_option, USAGE, 1);
	char *dash[] = { "-", NULL };
	inputs = n ? argv + 1 : dash;
	dump(skip_start());
	tool_close_input(current_fd);
	tool_exit(errors);
}
