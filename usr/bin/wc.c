/* wc: counts lines, words and bytes.
 *   wc [-lwc] [FILE]...   default: all three; standard input for no FILE
 *                         or "-"; a "total" line when there are several
 * A word is a run of printable characters between white space; other
 * bytes (control characters, bytes above 126) neither start nor end one,
 * as in GNU's wc in the C locale. Column widths follow GNU's wc: the digits of the regular files' total
 * size, at least 7 when an input is a pipe or terminal, and 1 when there
 * is one input and one count. */
#define TOOL "wc"
#include "lib/tool.h"
#include <ctype.h>
#include <sys/stat.h>

#define USAGE "wc [-lwc] [FILE]..."

struct counts {
	unsigned long long lines, words, bytes;
};

static int want_lines, want_words, want_bytes;

static int count_fd(int fd, struct counts *c)
{
	static char buf[16384];
	int in_word = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		c->bytes += (unsigned long long)n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];
			c->lines += ch == '\n';
			if (isspace(ch)) {
				in_word = 0;
			} else if (isprint(ch) && !in_word) {
				in_word = 1;    /* other bytes neither start nor end a word */
				c->words++;
			}
		}
	}
	return 0;
}

static void print_counts(const struct counts *c, const char *name, int width)
{
	const unsigned long long values[] = { c->lines, c->words, c->bytes };
	const int wanted[] = { want_lines, want_words, want_bytes };
	const char *sep = "";
	for (int i = 0; i < 3; i++)
		if (wanted[i]) {
			printf("%s%*llu", sep, width, values[i]);
			sep = " ";
		}
	if (name)
		printf(" %s", name);
	putchar('\n');
}

/* GNU's column width for these inputs (see the top of the file). */
static int number_width(char **files, int n)
{
	if (n == 1 && want_lines + want_words + want_bytes == 1)
		return 1;
	unsigned long long regular_total = 0;
	int width = 1, minimum = 1;
	for (int i = 0; i < n; i++) {
		struct stat st;
		int r = strcmp(files[i], "-") == 0 ? fstat(0, &st) : stat(files[i], &st);
		if (r == 0 && S_ISREG(st.st_mode))
			regular_total += (unsigned long long)st.st_size;
		else if (r == 0)
			minimum = 7;
	}
	for (; regular_total >= 10; regular_total /= 10)
		width++;
	return width < minimum ? minimum : width;
}

static void on_option(int c, char *arg)
{
	(void)arg;
	want_lines |= c == 'l';
	want_words |= c == 'w';
	want_bytes |= c == 'c';
}

int main(int argc, char **argv)
{
	int named = tool_options(argc, argv, "lwc", on_option, USAGE, 1);
	if (!want_lines && !want_words && !want_bytes)
		want_lines = want_words = want_bytes = 1;
	char *dash[] = { "-", NULL };
	char **files = named ? argv + 1 : dash;
	int n = named ? named : 1, status = 0;
	int width = number_width(files, n);
	struct counts total = { 0, 0, 0 };
	for (int i = 0; i < n; i++) {
		struct counts one = { 0, 0, 0 };
		int fd = tool_open_input(files[i]);
		if (fd < 0 || count_fd(fd, &one) < 0) {
			tool_warn("%s: %s", files[i], strerror(errno));
			status = 1;
			tool_close_input(fd);
			continue;
		}
		tool_close_input(fd);
		print_counts(&one, named ? files[i] : NULL, width);
		total.lines += one.lines;
		total.words += one.words;
		total.bytes += one.bytes;
	}
	if (n > 1)
		print_counts(&total, "total", width);
	tool_exit(status);
}
