/* tool.h: what the everyday tools in /bin share -- messages in the GNU
 * form ("TOOL: ..."), usage errors, checked output and memory.
 *
 * usr/rules.mk builds one program from each usr/bin/NAME.c, so the shared
 * code lives here as static inline functions that each tool #includes
 * ("lib/tool.h") after defining TOOL, its name:
 *
 *     #define TOOL "cat"
 *     #include "lib/tool.h"
 *
 * Output goes through stdout (picolibc's stdio); tool_exit() flushes it
 * and turns a write error (a full disk, a closed pipe) into a message and
 * exit status 1, as gnulib's close_stdout does for GNU's tools. */
#ifndef NANOOS_TOOL_H
#define NANOOS_TOOL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TOOL
#error "define TOOL (the program's name) before including lib/tool.h"
#endif

/* "TOOL: " + the formatted message + newline, on stderr. */
static inline void tool_warn(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs(TOOL ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Flushes stdout and exits with status, or 1 when the output was lost. */
static inline __attribute__((noreturn)) void tool_exit(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int err = errno ? errno : EIO;
		fprintf(stderr, TOOL ": write error: %s\n", strerror(err));
		if (!status)
			status = 1;
	}
	exit(status);
}

/* The usage line(s) on stderr, then exit with status (GNU's value for
 * this tool: 1 for most, 2 for ls, grep, sort, 125 for env). */
static inline __attribute__((noreturn)) void tool_usage(const char *usage, int status)
{
	fprintf(stderr, "usage: %s\n", usage);
	exit(status);
}

/* A bad option as getopt (with opterr = 0) reported it in c and optopt. */
static inline __attribute__((noreturn)) void tool_bad_option(int c, int optopt_c,
                                                             const char *usage, int status)
{
	if (c == ':')
		fprintf(stderr, TOOL ": option requires an argument -- '%c'\n", optopt_c);
	else
		fprintf(stderr, TOOL ": invalid option -- '%c'\n", optopt_c);
	tool_usage(usage, status);
}

/* Options as GNU's tools take them: clusters ("-la"), an option's argument
 * attached or next ("-n5", "-n 5"), options anywhere among the operands
 * unless optstring starts with '+' (then the first operand ends them, as
 * env and kill need), "--" ends them, "-" is an operand. optstring is
 * getopt's: a letter, ':' after one that takes an argument. Calls
 * on_option(letter, argument or NULL) for each; a bad option is reported
 * with usage and exit(usage_status). Moves the operands to argv[1..n] in
 * their order and returns n. (picolibc's getopt mishandles "-" and bad
 * options, hence this.) */
static inline int tool_options(int argc, char **argv, const char *optstring,
                               void (*on_option)(int letter, char *arg),
                               const char *usage, int usage_status)
{
	int stop_at_operand = optstring[0] == '+', n = 0, i = 1;
	for (; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1]) {
			if (stop_at_operand)
				break;
			argv[1 + n++] = a;
			continue;
		}
		for (char *c = a + 1; *c; c++) {
			const char *spec = *c != ':' && *c != '+' ? strchr(optstring, *c) : NULL;
			if (!spec)
				tool_bad_option('?', *c, usage, usage_status);
			size_t at = (size_t)(spec - optstring);
			if (at + 1 >= strlen(optstring) || optstring[at + 1] != ':') {
				on_option(*c, NULL);
				continue;
			}
			char *arg = c[1] ? c + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!arg)
				tool_bad_option(':', *c, usage, usage_status);
			on_option(*c, arg);
			break;
		}
	}
	for (; i < argc; i++)
		argv[1 + n++] = argv[i];
	argv[1 + n] = NULL;
	return n;
}

static inline void *tool_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs(TOOL ": out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static inline void *tool_realloc(void *old, size_t n)
{
	void *p = realloc(old, n ? n : 1);
	if (!p) {
		fputs(TOOL ": out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static inline char *tool_strdup(const char *s)
{
	return strcpy(tool_malloc(strlen(s) + 1), s);
}

/* DIR/NAME in fresh memory, without doubling a slash DIR ends with. */
static inline char *tool_join(const char *dir, const char *name)
{
	size_t d = strlen(dir);
	char *p = tool_malloc(d + strlen(name) + 2);
	sprintf(p, "%s%s%s", dir, d && dir[d - 1] == '/' ? "" : "/", name);
	return p;
}

static inline int tool_is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The last component of path, without trailing slashes, in fresh memory
 * ("a/b/" -> "b"; "/" -> "/"): the name a SOURCE gets inside a DIRECTORY. */
static inline char *tool_last_component(const char *path)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end == 1 && path[0] == '/')
		start = 0;
	char *name = tool_malloc(end - start + 1);
	memcpy(name, path + start, end - start);
	name[end - start] = '\0';
	return name;
}

/* path made absolute against the working directory, in fresh memory, with
 * trailing slashes dropped (no "." or ".." folding: callers compare
 * prefixes of names the user typed). NULL when the cwd is unknown. */
static inline char *tool_absolute(const char *path)
{
	char cwd[4096];
	char *abs = path[0] == '/' ? tool_strdup(path) :
	            getcwd(cwd, sizeof(cwd)) ? tool_join(cwd, path) : NULL;
	for (size_t n = abs ? strlen(abs) : 0; n > 1 && abs[n - 1] == '/'; n--)
		abs[n - 1] = '\0';
	return abs;
}

/* Writes all n bytes to fd (0), or -1 with errno. */
static inline int tool_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Opens NAME for reading, "-" being standard input; -1 with errno. */
static inline int tool_open_input(const char *name)
{
	return strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY);
}

/* Closes an fd from tool_open_input (standard input stays open). */
static inline void tool_close_input(int fd)
{
	if (fd > 0)
		close(fd);
}

/* How a file named on the command line is shown in messages. */
static inline const char *tool_input_name(const char *name)
{
	return strcmp(name, "-") == 0 ? "standard input" : name;
}

/* head and tail: run each_fd over every file named (none: standard input),
 * with "==> NAME <==" headers when there are several. each_fd returns 0,
 * -1 (a read error, errno set) or -2 (output failed: stop at once). Never
 * returns: exits 0, or 1 when a file could not be read. */
static inline __attribute__((noreturn)) void tool_each_input(int n, char **names,
                                                             int (*each_fd)(int fd))
{
	char *dash[] = { "-", NULL };
	char **files = n ? names : dash;
	int status = 0, several = n > 1;
	for (int i = 0; files[i]; i++) {
		int fd = tool_open_input(files[i]);
		if (fd < 0) {
			tool_warn("cannot open '%s' for reading: %s", files[i], strerror(errno));
			status = 1;
			continue;
		}
		if (several)
			printf("%s==> %s <==\n", i ? "\n" : "", tool_input_name(files[i]));
		int r = each_fd(fd);
		if (r == -1) {
			tool_warn("error reading '%s': %s", files[i], strerror(errno));
			status = 1;
		}
		tool_close_input(fd);
		if (r == -2)
			tool_exit(1);
	}
	tool_exit(status);
}

/* cp and mv: `SOURCE DEST` or `SOURCE... DIRECTORY` (argv[1..n]): one(from,
 * to) for each source, into DEST when it is a directory. Never returns:
 * exits 0, or 1 when one of them failed; 1 with usage when operands lack. */
static inline __attribute__((noreturn)) void tool_to_target(int n, char **argv,
                                                            const char *usage,
                                                            int (*one)(const char *from,
                                                                       const char *to))
{
	if (n < 2) {
		if (n == 0)
			tool_warn("missing file operand");
		else
			tool_warn("missing destination file operand after '%s'", argv[1]);
		tool_usage(usage, 1);
	}
	const char *dest = argv[n];
	if (!tool_is_directory(dest)) {
		if (n > 2) {
			tool_warn("target '%s' is not a directory", dest);
			tool_exit(1);
		}
		tool_exit(one(argv[1], dest));
	}
	int status = 0;
	for (int i = 1; i < n; i++) {
		char *name = tool_last_component(argv[i]), *to = tool_join(dest, name);
		status |= one(argv[i], to);
		free(name);
		free(to);
	}
	tool_exit(status);
}

/* ---------------------------------------------------------------- lines */

/* Reads an fd a line at a time through a growing buffer (picolibc has no
 * getline). A line longer than the buffer grows it. */
struct tool_lines {
	int fd;
	char *buf;
	size_t cap, start, end;
	int eof;
};

static inline void tool_lines_init(struct tool_lines *r, int fd)
{
	r->fd = fd;
	r->cap = 16384;
	r->buf = tool_malloc(r->cap + 1);
	r->start = r->end = 0;
	r->eof = 0;
}

static inline void tool_lines_free(struct tool_lines *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* 1: *line (NUL-terminated, without its newline) and *len are the next
 * line, *newline says whether it had one; 0: end of input; -1: a read
 * error (errno). The line stays valid until the next call. */
static inline int tool_next_line(struct tool_lines *r, char **line, size_t *len, int *newline)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl || (r->eof && r->start < r->end)) {
			*line = r->buf + r->start;
			*len = (nl ? (size_t)(nl - r->buf) : r->end) - r->start;
			*newline = nl != NULL;
			r->start += *len + (nl != NULL);
			(*line)[*len] = '\0';
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->start > 0) {             /* keep the partial line, drop the rest */
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == r->cap) {
			r->cap *= 2;
			r->buf = tool_realloc(r->buf, r->cap + 1);
		}
		ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		r->end += (size_t)n;
		r->eof = n == 0;
	}
}

#endif
