/*
 * log.c: nanoosd's log lines. To stderr as "nanoosd[PID]: LEVEL: text";
 * when stderr is the journal (systemd sets JOURNAL_STREAM) as "<N>text",
 * the sd-daemon priority prefix the journal reads; when a detached daemon
 * has a terminal for stderr, to a file under the socket's directory
 * (log_init), which SIGHUP reopens (log_reopen) for logrotate.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nanoosd/daemon.h"

int log_level = LOG_INFO;

static const char *const level_names[] = { "error", "warning", "info", "debug" };
static const int journal_priority[] = { 3, 4, 6, 7 };   /* LOG_ERR .. LOG_DEBUG */
static int to_journal;
static char log_file[4096];

/* JOURNAL_STREAM is "DEV:INODE" of the journal's stream: trust it only if
 * it is still our stderr (a child of a service may have another stderr). */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_reopen(void)
{
	int fd;

	if (!log_file[0])
		return;
	fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	dup2(fd, 2);
	close(fd);
}

void log_init(const char *file)
{
	to_journal = stderr_is_journal();
	if (file) {
		snprintf(log_file, sizeof(log_file), "%s", file);
		to_journal = 0;
		log_reopen();
	}
}

int log_parse_level(const char *s)
{
	int i;

	for (i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return strcmp(s, "warn") == 0 ? LOG_WARN : -1;
}

void log_msg(int level, const char *fmt, ...)
{
	char text[1024], line[1100];
	va_list ap;
	int n;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (to_journal)
		n = snprintf(line, sizeof(line), "<%d>%s\n", journal_priority[level], text);
	else
		n = snprintf(line, sizeof(line), "nanoosd[%ld]: %s: %s\n", (long)getpid(),
		             level_names[level], text);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	/* One write a line, so lines of several threads never interleave. */
	if (write(2, line, (size_t)n) < 0)
		return;
}
