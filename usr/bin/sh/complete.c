/* complete.c: what Tab offers in the line editor. The word before the
 * cursor is completed as a file name (glob.c matches WORD*); the first
 * word of a command, when it has no '/', as a program in a $PATH
 * directory or a builtin. Directories are offered with a '/' after them.
 * The candidates come from the arena, sorted, without repeats. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sh.h"

struct candidates {
	char **names;
	int n, cap;
};

static void offer(struct candidates *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name))
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		char **bigger = sh_alloc((size_t)c->cap * sizeof(char *));
		if (c->n)
			memcpy(bigger, c->names, (size_t)c->n * sizeof(char *));
		c->names = bigger;
	}
	c->names[c->n++] = sh_strdup(name);
}

static void offer_any(void *c, const char *name)
{
	offer(c, name);
}

/* Paths matching PREFIX* (every character of PREFIX literal). */
static char **matches(const char *prefix, int *n)
{
	size_t len = strlen(prefix);
	struct field f = { sh_alloc(len + 2), sh_alloc(len + 2), len + 1 };
	memcpy(f.s, prefix, len);
	memset(f.m, M_QUOTED, len);
	f.s[len] = '*';
	f.m[len] = M_LIT;
	int cap = 0;
	char **out = NULL;
	*n = 0;
	glob_expand(&f, &out, n, &cap);
	return out;
}

static void offer_files(struct candidates *c, const char *word)
{
	int n;
	char **paths = matches(word, &n);
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			size_t len = strlen(paths[i]);
			char *dir = sh_alloc(len + 2);
			memcpy(dir, paths[i], len);
			dir[len] = '/';
			offer(c, dir);
		} else {
			offer(c, paths[i]);
		}
	}
}

static void offer_commands(struct candidates *c, const char *word)
{
	const char *path = var_get("PATH");
	for (const char *dir = path ? path : SH_DEFAULT_PATH; *dir;) {
		size_t dlen = strcspn(dir, ":");
		char *prefix = sh_alloc(dlen + strlen(word) + 2);
		memcpy(prefix, dir, dlen);
		prefix[dlen] = '/';
		strcpy(prefix + dlen + 1, word);
		int n;
		char **paths = matches(prefix, &n);
		for (int i = 0; i < n; i++)
			offer(c, paths[i] + dlen + 1);
		dir += dlen + (dir[dlen] == ':');
	}
	builtin_names_matching(word, offer_any, c);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int complete_word(const char *line, size_t pos, size_t *start, char ***names)
{
	size_t s = pos;
	while (s && line[s - 1] != ' ' && line[s - 1] != '\t')
		s--;
	size_t before = s;
	while (before && (line[before - 1] == ' ' || line[before - 1] == '\t'))
		before--;
	int command_position = before == 0 || strchr("|&;(", line[before - 1]);
	char *word = sh_strndup(line + s, pos - s);
	struct candidates c = { 0 };
	if (command_position && !strchr(word, '/'))
		offer_commands(&c, word);
	else
		offer_files(&c, word);
	if (c.n)
		qsort(c.names, (size_t)c.n, sizeof(char *), by_name);
	*start = s;
	*names = c.names;
	return c.n;
}
