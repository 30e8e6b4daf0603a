/* ls: lists files and directories.
 *   ls [-ladR1] [PATH]...
 *     -l  long format: type and permissions, links, owner, group, size, date
 *     -a  include names that start with '.' (and . and ..)
 *     -d  list directories themselves, not their contents
 *     -R  list subdirectories' contents too, each under a "PATH:" header
 *     -1  one name a line (the default when stdout is not a terminal)
 * Files named on the command line are listed first, then each directory's
 * contents under a "PATH:" header when there is more than one thing to list.
 * Owner and group names come from /etc/passwd and /etc/group. Exit status,
 * as GNU's: 0; 1 when a directory met on the way could not be read; 2 when
 * a PATH named on the command line could not be listed, or bad usage. */
#define TOOL "ls"
#include "lib/tool.h"
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>

struct entry {
	char *name;   /* as shown */
	char *path;   /* as stat()ed */
	struct stat st;
};

struct listing {
	struct entry *e;
	int n, cap;
};

#define USAGE "ls [-ladR1] [PATH]..."
#define PASSWD "/etc/passwd"
#define GROUP "/etc/group"

static int opt_long, opt_all, opt_one, opt_dir, opt_recursive;
static int status;

static void add(struct listing *l, const char *name, const char *path, const struct stat *st)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->e = tool_realloc(l->e, (size_t)l->cap * sizeof(*l->e));
	}
	struct entry *e = &l->e[l->n++];
	e->name = tool_strdup(name);
	e->path = tool_strdup(path);
	if (st)
		e->st = *st;
	else
		memset(&e->st, 0, sizeof(e->st));
}

static void clear(struct listing *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->e[i].name);
		free(l->e[i].path);
	}
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* ---------------------------------------------------------------- names of ids */

/* The first field of the line in FILE (passwd or group format) whose third
 * field is ID, or NULL. */
static const char *name_in(const char *file, unsigned id)
{
	static char line[256];
	FILE *f = fopen(file, "r");
	const char *found = NULL;
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *num = strtok(NULL, ":");
		if (name && pw && num && (unsigned)strtoul(num, NULL, 10) == id)
			found = name;
	}
	if (f)
		fclose(f);
	return found;
}

/* The name of id in file, or the number; the last few answers are kept,
 * since a listing asks about the same few ids for every entry. */
static void id_text(char *out, size_t len, const char *file, unsigned id)
{
	static struct {
		const char *file;
		unsigned id;
		char text[32];
	} cache[8];
	static unsigned next;
	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
		if (cache[i].file && strcmp(cache[i].file, file) == 0 && cache[i].id == id) {
			snprintf(out, len, "%s", cache[i].text);
			return;
		}
	const char *name = name_in(file, id);
	unsigned slot = next++ % (sizeof(cache) / sizeof(cache[0]));
	if (name)
		snprintf(cache[slot].text, sizeof(cache[slot].text), "%s", name);
	else
		snprintf(cache[slot].text, sizeof(cache[slot].text), "%u", id);
	cache[slot].file = file;
	cache[slot].id = id;
	snprintf(out, len, "%s", cache[slot].text);
}

/* ---------------------------------------------------------------- printing */

static void mode_text(mode_t m, char out[11])
{
	static const struct {
		mode_t type;
		char letter;
	} types[] = {
		{ S_IFDIR, 'd' }, { S_IFLNK, 'l' }, { S_IFCHR, 'c' },
		{ S_IFBLK, 'b' }, { S_IFIFO, 'p' }, { S_IFSOCK, 's' },
	};
	out[0] = '-';
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((m & S_IFMT) == types[i].type)
			out[0] = types[i].letter;
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static void date_text(time_t t, char *out, size_t len)
{
	time_t now = time(NULL);
	struct tm *tm = localtime(&t);
	const long six_months = 182L * 24 * 3600;
	int recent = t <= now + 3600 && now - t < six_months;
	if (!tm || !strftime(out, len, recent ? "%b %e %H:%M" : "%b %e  %Y", tm))
		snprintf(out, len, "%lld", (long long)t);
}

static int digits(unsigned long long v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void print_long(const struct listing *l, int with_total)
{
	int wlinks = 1, wowner = 1, wgroup = 1, wsize = 1;
	unsigned long long blocks = 0;
	char owner[64], group[64];
	for (int i = 0; i < l->n; i++) {
		const struct stat *st = &l->e[i].st;
		id_text(owner, sizeof(owner), PASSWD, st->st_uid);
		id_text(group, sizeof(group), GROUP, st->st_gid);
		wlinks = digits(st->st_nlink) > wlinks ? digits(st->st_nlink) : wlinks;
		wowner = (int)strlen(owner) > wowner ? (int)strlen(owner) : wowner;
		wgroup = (int)strlen(group) > wgroup ? (int)strlen(group) : wgroup;
		wsize = digits((unsigned long)st->st_size) > wsize ? digits((unsigned long)st->st_size) : wsize;
		blocks += (unsigned long long)st->st_blocks;
	}
	if (with_total)
		printf("total %llu\n", blocks / 2);
	for (int i = 0; i < l->n; i++) {
		const struct stat *st = &l->e[i].st;
		char mode[11], date[32];
		mode_text(st->st_mode, mode);
		date_text(st->st_mtime, date, sizeof(date));
		id_text(owner, sizeof(owner), PASSWD, st->st_uid);
		id_text(group, sizeof(group), GROUP, st->st_gid);
		printf("%s %*u %-*s %-*s %*ld %s %s\n", mode, wlinks, (unsigned)st->st_nlink, wowner,
		       owner, wgroup, group, wsize, (long)st->st_size, date, l->e[i].name);
	}
}

static int terminal_width(void)
{
	struct winsize ws;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Names in columns, ordered down then across, as ls does on a terminal. */
static void print_columns(const struct listing *l)
{
	int widest = 1;
	for (int i = 0; i < l->n; i++)
		if ((int)strlen(l->e[i].name) > widest)
			widest = (int)strlen(l->e[i].name);
	int colw = widest + 2;
	int cols = terminal_width() / colw;
	if (cols < 1)
		cols = 1;
	int rows = (l->n + cols - 1) / cols;
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			int i = c * rows + r;
			if (i >= l->n)
				break;
			if (c == cols - 1 || i + rows >= l->n)
				fputs(l->e[i].name, stdout);
			else
				printf("%-*s", colw, l->e[i].name);
		}
		putchar('\n');
	}
}

static void print_listing(struct listing *l, int with_total)
{
	qsort(l->e, (size_t)l->n, sizeof(*l->e), by_name);
	if (opt_long)
		print_long(l, with_total);
	else if (opt_one || !isatty(1))
		for (int i = 0; i < l->n; i++)
			puts(l->e[i].name);
	else if (l->n)
		print_columns(l);
}

/* ---------------------------------------------------------------- walking */

static void list_directory(const char *path, int top);

/* With -R: each subdirectory of l (not . or ..), under its own header. */
static void recurse(const struct listing *l)
{
	for (int i = 0; i < l->n; i++) {
		const char *name = l->e[i].name;
		if (!S_ISDIR(l->e[i].st.st_mode) || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		printf("\n%s:\n", l->e[i].path);
		list_directory(l->e[i].path, 0);
	}
}

/* Lists the contents of path; a failure is status 2 for a path named on
 * the command line (top), 1 for one met on the way down. */
static void list_directory(const char *path, int top)
{
	DIR *d = opendir(path);
	if (!d) {
		tool_warn("cannot open directory '%s': %s", path, strerror(errno));
		status = top ? 2 : status > 1 ? status : 1;
		return;
	}
	struct listing l = { 0 };
	struct dirent *de;
	int need_stat = opt_long || opt_recursive;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && !opt_all)
			continue;
		char *full = tool_join(path, de->d_name);
		struct stat st;
		int have = !need_stat || lstat(full, &st) == 0;
		if (!have) {
			tool_warn("cannot access '%s': %s", full, strerror(errno));
			status = status > 1 ? status : 1;
		}
		add(&l, de->d_name, full, have && need_stat ? &st : NULL);
		free(full);
	}
	closedir(d);
	print_listing(&l, 1);
	if (opt_recursive)
		recurse(&l);
	clear(&l);
}

static void on_option(int c, char *arg)
{
	(void)arg;
	*(c == 'l' ? &opt_long : c == 'a' ? &opt_all : c == '1' ? &opt_one :
	  c == 'd' ? &opt_dir : &opt_recursive) = 1;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "ladR1", on_option, USAGE, 2);
	char *dot[] = { ".", NULL };
	char **paths = n ? argv + 1 : dot;
	int npaths = n ? n : 1;

	struct listing files = { 0 }, dirs = { 0 };
	for (int p = 0; p < npaths; p++) {
		struct stat st;
		if (stat(paths[p], &st) < 0) {
			tool_warn("cannot access '%s': %s", paths[p], strerror(errno));
			status = 2;
			continue;
		}
		add(S_ISDIR(st.st_mode) && !opt_dir ? &dirs : &files, paths[p], paths[p], &st);
	}
	print_listing(&files, 0);
	qsort(dirs.e, (size_t)dirs.n, sizeof(*dirs.e), by_name);
	int headers = files.n + dirs.n > 1 || status || opt_recursive;
	for (int d = 0; d < dirs.n; d++) {
		if (headers)
			printf("%s%s:\n", d || files.n ? "\n" : "", dirs.e[d].name);
		list_directory(dirs.e[d].path, 1);
	}
	clear(&files);
	clear(&dirs);
	tool_exit(status);
}
