/* history.c: the lines typed at an interactive prompt, oldest first, at
 * most HISTORY_MAX in memory (the oldest goes first). They are also
 * appended to ~/.sh_history, which the next interactive shell reads back
 * (its last HISTORY_MAX lines). Blank lines and a repeat of the line
 * before are not kept. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static char *lines[HISTORY_MAX];
static int count;

static void remember(const char *line)
{
	if (count == HISTORY_MAX) {
		free(lines[0]);
		memmove(lines, lines + 1, (HISTORY_MAX - 1) * sizeof(lines[0]));
		count--;
	}
	lines[count++] = xstrdup(line);
}

static const char *history_path(void)
{
	const char *home = var_get("HOME");
	if (!home || !*home)
		return NULL;
	size_t len = strlen(home) + sizeof("/.sh_history");
	char *path = sh_alloc(len);
	snprintf(path, len, "%s/.sh_history", home);
	return path;
}

void history_load(void)
{
	const char *path = history_path();
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return;
	char buf[1024], line[1024];
	size_t len = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len + 1 < sizeof(line))
					line[len++] = buf[i];
				continue;
			}
			line[len] = '\0';
			if (len)
				remember(line);
			len = 0;
		}
	}
	close(fd);
}

static int blank(const char *line)
{
	return line[strspn(line, " \t")] == '\0';
}

void history_add(const char *line)
{
	if (blank(line) || strchr(line, '\n') || (count && !strcmp(lines[count - 1], line)))
		return;
	remember(line);
	const char *path = history_path();
	int fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
	if (fd < 0)
		return;   /* no home, or a read-only one: memory only */
	size_t len = strlen(line);
	char *text = sh_alloc(len + 1);
	memcpy(text, line, len);
	text[len] = '\n';
	if (write(fd, text, len + 1) < 0) {
		/* best effort: the line stays in memory */
	}
	close(fd);
}

int history_count(void)
{
	return count;
}

const char *history_get(int i)
{
	return i >= 0 && i < count ? lines[i] : NULL;
}
