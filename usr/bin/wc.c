/* wc: counts lines, words and bytes.
 *   wc [-lwc] [FILE]...   default: all three; standard input for no FILE;
 *                         a total line when there are several files */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct counts {
	unsigned long lines, words, bytes;
};

static int want_lines, want_words, want_bytes;

static int count_fd(int fd, struct counts *c)
{
	static char buf[16384];
	int in_word = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		c->bytes += (unsigned long)n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];
			c->lines += ch == '\n';
			if (isspace(ch))
				in_word = 0;
			else if (!in_word) {
				in_word = 1;
				c->words++;
			}
		}
	}
	return n < 0 ? -1 : 0;
}

static void print_counts(const struct counts *c, const char *name, int width)
{
	const char *sep = "";
	if (want_lines) {
		printf("%*lu", width, c->lines);
		sep = " ";
	}
	if (want_words) {
		printf("%s%*lu", sep, width, c->words);
		sep = " ";
	}
	if (want_bytes)
		printf("%s%*lu", sep, width, c->bytes);
	if (name)
		printf(" %s", name);
	putchar('\n');
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'l')
				want_lines = 1;
			else if (*o == 'w')
				want_words = 1;
			else if (*o == 'c')
				want_bytes = 1;
			else {
				fprintf(stderr, "wc: invalid option -- '%c'\nusage: wc [-lwc] [FILE]...\n", *o);
				return 1;
			}
		}
	}
	if (!want_lines && !want_words && !want_bytes)
		want_lines = want_words = want_bytes = 1;
	int columns = want_lines + want_words + want_bytes, files = argc - i;
	int width = columns == 1 && files <= 1 ? 1 : 7;
	struct counts total = { 0, 0, 0 };
	int status = 0;
	if (files == 0) {
		if (count_fd(0, &total) < 0) {
			fprintf(stderr, "wc: standard input: %s\n", strerror(errno));
			return 1;
		}
		print_counts(&total, NULL, width);
		return 0;
	}
	for (; i < argc; i++) {
		struct counts c = { 0, 0, 0 };
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0 || count_fd(fd, &c) < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		print_counts(&c, argv[i], width);
		total.lines += c.lines;
		total.words += c.words;
		total.bytes += c.bytes;
	}
	if (files > 1)
		print_counts(&total, "total", width);
	return status;
}
