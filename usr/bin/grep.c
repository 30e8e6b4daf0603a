/* grep: prints the lines that match a pattern.
 *   grep [-EFivwxcnlLhHqsr] [-e PATTERN]... [PATTERN] [FILE]...
 *     -E  extended regular expressions (default: basic, POSIX BRE)
 *     -F  fixed strings, not expressions
 *     -e  a pattern (may be given several times; a line matching any counts)
 *     -i  ignore case          -v  select the lines that do not match
 *     -w  the match must be a whole word   -x  ... the whole line
 *     -c  print a count of selected lines for each file
 *     -n  number lines         -l / -L  print only names of files with / without
 *     -h / -H  never / always prefix lines with the file name
 *     -q  quiet: exit 0 at the first selected line
 *     -s  no messages about missing or unreadable files
 *     -r  search directories recursively ("." when no FILE is named)
 * Expressions are picolibc's regcomp (BSD regex): ^ $ . * [] \( \) \{ \}
 * and with -E also + ? | () {}. Exit status, as GNU's: 0 when a line was
 * selected, 1 when none was, 2 on an error (or bad usage) unless -q found
 * a line. */
#define _GNU_SOURCE             /* strcasestr */
#define TOOL "grep"
#include "lib/tool.h"
#include <ctype.h>
#include <dirent.h>
#include <regex.h>
#include <strings.h>
#include <sys/stat.h>

#define USAGE "grep [-EFivwxcnlLhHqsr] [-e PATTERN]... [PATTERN] [FILE]..."

static int opt_extended, opt_fixed, opt_icase, opt_invert, opt_count, opt_number;
static int opt_word, opt_line, opt_names, opt_names_without, opt_quiet, opt_silent, opt_recursive;
static int show_names = -1;     /* -1: decided by the number of files */
static char **patterns;
static int n_patterns;
static regex_t *compiled;
static int errors, any_selected;

static void on_option(int c, char *arg)
{
	int *flags[128] = {
		['E'] = &opt_extended, ['F'] = &opt_fixed, ['i'] = &opt_icase, ['v'] = &opt_invert,
		['c'] = &opt_count,    ['n'] = &opt_number, ['l'] = &opt_names, ['L'] = &opt_names_without,
		['w'] = &opt_word,     ['x'] = &opt_line,
		['q'] = &opt_quiet,    ['s'] = &opt_silent, ['r'] = &opt_recursive, ['R'] = &opt_recursive,
	};
	if (c == 'e') {
		patterns = tool_realloc(patterns, sizeof(*patterns) * (size_t)(n_patterns + 1));
		patterns[n_patterns++] = arg;
	} else if (c == 'h' || c == 'H') {
		show_names = c == 'H';
	} else if (c == 'G') {
		opt_extended = 0;
	} else {
		*flags[c] = 1;
	}
}

/* ---------------------------------------------------------------- matching */

/* A pattern with newlines is several patterns, as in GNU grep. */
static void split_patterns(void)
{
	for (int i = 0; i < n_patterns; i++) {
		char *nl = strchr(patterns[i], '\n');
		if (!nl)
			continue;
		*nl = '\0';
		patterns = tool_realloc(patterns, sizeof(*patterns) * (size_t)(n_patterns + 1));
		memmove(patterns + i + 2, patterns + i + 1, sizeof(*patterns) * (size_t)(n_patterns - i - 1));
		patterns[i + 1] = nl + 1;
		n_patterns++;
	}
}

static void compile_patterns(void)
{
	if (opt_fixed)
		return;
	compiled = tool_malloc(sizeof(*compiled) * (size_t)n_patterns);
	int flags = (opt_word || opt_line ? 0 : REG_NOSUB) | (opt_extended ? REG_EXTENDED : 0) | (opt_icase ? REG_ICASE : 0);
	for (int i = 0; i < n_patterns; i++) {
		int r = regcomp(&compiled[i], patterns[i], flags);
		if (r != 0) {
			char why[128];
			regerror(r, &compiled[i], why, sizeof(why));
			tool_warn("%s: %s", patterns[i], why);
			exit(2);
		}
	}
}

static int is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Whether line[so..eo) satisfies -w (a whole word) and -x (the whole line). */
static int acceptable(const char *line, size_t so, size_t eo)
{
	if (opt_line)
		return so == 0 && line[eo] == '\0';
	if (opt_word)
		return (so == 0 || !is_word_char(line[so - 1])) && !is_word_char(line[eo]);
	return 1;
}

/* The first match of pattern i in line at or after from: 1 with its span. */
static int find(int i, const char *line, size_t from, size_t *so, size_t *eo)
{
	if (opt_fixed) {
		const char *p = patterns[i];
		const char *at = opt_icase ? strcasestr(line + from, p) : strstr(line + from, p);
		if (!at)
			return 0;
		*so = (size_t)(at - line);
		*eo = *so + strlen(p);
		return 1;
	}
	regmatch_t m;
	if (regexec(&compiled[i], line + from, 1, &m, from ? REG_NOTBOL : 0) != 0)
		return 0;
	*so = from + (size_t)m.rm_so;
	*eo = from + (size_t)m.rm_eo;
	return 1;
}

/* Any acceptable match of pattern i; with -w a rejected match is retried
 * one character further on, as GNU grep does. */
static int matches(int i, const char *line)
{
	if (!opt_word && !opt_line)
		return opt_fixed ? find(i, line, 0, &(size_t){ 0 }, &(size_t){ 0 }) :
		                   regexec(&compiled[i], line, 0, NULL, 0) == 0;
	size_t from = 0, so, eo;
	while (find(i, line, from, &so, &eo)) {
		if (acceptable(line, so, eo))
			return 1;
		if (opt_line || !line[so])
			return 0;
		from = so + 1;
	}
	return 0;
}

static int selected(const char *line)
{
	int match = 0;
	for (int i = 0; i < n_patterns && !match; i++)
		match = matches(i, line);
	return match != opt_invert;
}

/* ---------------------------------------------------------------- files */

/* Prints the selected lines of fd; returns how many there were, -1 on a
 * read error. */
static long grep_fd(int fd, const char *name)
{
	struct tool_lines in;
	char *line;
	size_t len;
	int newline, r;
	long count = 0, line_no = 0;
	tool_lines_init(&in, fd);
	while ((r = tool_next_line(&in, &line, &len, &newline)) > 0) {
		line_no++;
		if (!selected(line))
			continue;
		count++;
		if (opt_quiet)
			tool_exit(0);
		if (opt_names || opt_names_without)
			break;
		if (opt_count)
			continue;
		if (show_names)
			printf("%s:", name);
		if (opt_number)
			printf("%ld:", line_no);
		fwrite(line, 1, len, stdout);
		putchar('\n');
	}
	tool_lines_free(&in);
	return r < 0 ? -1 : count;
}

static void report(const char *name)
{
	if (!opt_silent)
		tool_warn("%s: %s", name, strerror(errno));
	errors = 1;
}

static void grep_path(const char *path);

static void grep_directory(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		report(path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *child = tool_join(path, e->d_name);
		grep_path(child);
		free(child);
	}
	closedir(d);
}

/* One input: "-" is standard input; a directory is searched with -r and
 * otherwise reported, as GNU's "grep: d: Is a directory". */
static void grep_path(const char *path)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (opt_recursive) {
			grep_directory(path);
		} else if (!opt_silent) {
			tool_warn("%s: Is a directory", path);
			errors = 1;
		}
		return;
	}
	int fd = tool_open_input(path);
	if (fd < 0) {
		report(path);
		return;
	}
	const char *name = strcmp(path, "-") == 0 ? "(standard input)" : path;
	long count = grep_fd(fd, name);
	int read_error = count < 0 ? errno : 0;
	tool_close_input(fd);
	if (count < 0) {
		errno = read_error;
		report(path);
		return;
	}
	any_selected |= count > 0;
	if (opt_names && count > 0)
		puts(name);
	else if (opt_names_without && count == 0)
		puts(name);
	else if (opt_count && !opt_names && !opt_names_without)
		show_names ? printf("%s:%ld\n", name, count) : printf("%ld\n", count);
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "EFGivwxcnlLhHqsrRe:", on_option, USAGE, 2);
	char **operands = argv + 1;
	if (n_patterns == 0) {
		if (n == 0)
			tool_usage(USAGE, 2);
		on_option('e', operands[0]);
		operands++;
		n--;
	}
	split_patterns();
	compile_patterns();
	char *dash[] = { "-", NULL }, *dot[] = { ".", NULL };
	char **files = n ? operands : opt_recursive ? dot : dash;
	if (show_names < 0)
		show_names = n > 1 || opt_recursive;
	for (int i = 0; files[i]; i++)
		grep_path(files[i]);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		tool_warn("write error: %s", strerror(errno));
		return 2;
	}
	return errors && !(opt_quiet && any_selected) ? 2 : any_selected ? 0 : 1;
}
