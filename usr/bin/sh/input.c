/* input.c: lines of commands from a string (-c), a script file, or
 * standard input. Standard input is read a byte at a time: a command the
 * script runs may read the same input, and must find it where the script
 * stopped (POSIX asks this of sh). A script file the shell opened itself is
 * read in blocks. A prompt, when given, goes to stderr. On a terminal in
 * an interactive shell the line editor (lineedit.c) reads the line, and
 * the line goes into the history. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

#define INTERRUPTED (-2)

/* One byte, -1 at the end, or INTERRUPTED (Ctrl-C at the prompt). */
static int next_byte(struct input *in)
{
	if (in->fd < 0)
		return in->str[in->pos] ? (unsigned char)in->str[in->pos++] : -1;
	if (in->fd != 0) {
		if (in->buf_pos == in->buf_len) {
			ssize_t n = read(in->fd, in->buf, sizeof(in->buf));
			if (n <= 0)
				return -1;
			in->buf_len = (size_t)n;
			in->buf_pos = 0;
		}
		return (unsigned char)in->buf[in->buf_pos++];
	}
	unsigned char c;
	ssize_t n = read(0, &c, 1);
	if (n < 0 && errno == EINTR)
		return INTERRUPTED;
	return n == 1 ? c : -1;
}

static char *edited_line(const char *prompt)
{
	char *line = lineedit_read(prompt);
	if (!line)
		return NULL;
	history_add(line);
	char *copy = sh_strdup(line);
	free(line);
	return copy;
}

char *input_line(struct input *in, const char *prompt)
{
	if (in->edit)
		return edited_line(prompt);
	if (prompt) {
		fputs(prompt, stderr);
		fflush(stderr);
	}
	size_t cap = 128, len = 0;
	char *line = sh_alloc(cap);
	int c;
	while ((c = next_byte(in)) >= 0 && c != '\n') {
		if (len + 1 == cap) {
			char *bigger = sh_alloc(cap * 2);
			memcpy(bigger, line, len);
			line = bigger;
			cap *= 2;
		}
		line[len++] = (char)c;
	}
	if (c == INTERRUPTED) {   /* drop what was typed: an empty line */
		fputc('\n', stderr);
		len = 0;
	} else if (c == -1 && len == 0) {
		return NULL;
	}
	line[len] = '\0';
	return line;
}
