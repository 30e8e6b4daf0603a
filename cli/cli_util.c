/*
 * cli_util.c: size parsing and printing, the error line, and the userland
 * tree (cli_util.h).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli_util.h"

int cli_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end) {
		u = strchr(units, end[0] & ~0x20);
		if (u == NULL || end[0] == 0)
			return -1;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (strcasecmp(end, "") != 0 && strcasecmp(end, "B") != 0 &&
		    strcasecmp(end, "iB") != 0)
			return -1;
	}
	if (shift && v > (~0ull >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

void cli_human(uint64_t bytes, char *buf, size_t n)
{
	static const char units[] = "KMGTP";
	uint64_t div = 1;
	int i = -1;

	if (bytes < 1024) {
		snprintf(buf, n, "%llu", (unsigned long long)bytes);
		return;
	}
	while (i < 4 && bytes >= div * 1024) {
		div *= 1024;
		i++;
	}
	/* Tenths, rounded up (df -h never understates). */
	uint64_t tenths = (bytes * 10 + div - 1) / div;
	if (tenths < 100)
		snprintf(buf, n, "%llu.%llu%c", (unsigned long long)(tenths / 10),
		         (unsigned long long)(tenths % 10), units[i]);
	else
		snprintf(buf, n, "%llu%c", (unsigned long long)((bytes + div - 1) / div), units[i]);
}

/* A terminal we made raw for a session (host_tty.c) does not turn NL into
 * CR NL: our own lines must. */
static int raw_terminal(int fd)
{
	struct termios t;

	return isatty(fd) && tcgetattr(fd, &t) == 0 && !(t.c_oflag & OPOST);
}

void cli_error(const char *cmd, const char *object, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nanoos %s: ", cmd);
	if (object)
		fprintf(stderr, "%s: ", object);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(raw_terminal(2) ? "\r\n" : "\n", stderr);
}

int cli_beside_self(const char *rel, char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (len <= 0)
		return -1;
	exe[len] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0;
	return snprintf(out, n, "%s/%s", exe, rel) < (int)n ? 0 : -1;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_find_rootfs(char *out, size_t n)
{
	static const char *const beside[] = { "../rootfs", "../lib/nanoos/rootfs" };
	const char *env = getenv("NANOOS_ROOTFS");
	size_t i;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++)
		if (cli_beside_self(beside[i], out, n) == 0 && is_dir(out))
			return 0;
	snprintf(out, n, "/usr/lib/nanoos/rootfs");
	return is_dir(out) ? 0 : -1;
}
