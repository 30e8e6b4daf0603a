/* glob.c: patterns and pathname expansion (POSIX 2.13).
 *
 * A pattern is an expanded field whose mask (sh.h) tells which characters
 * were quoted: only unquoted * ? [ are special. * matches any string, ?
 * one character, [abc] [a-z] one of a set, [!a-z] or [^a-z] one outside it
 * (a ] first in the set is literal; a [ without its ] is literal). Path
 * expansion matches one pathname component at a time against directory
 * listings; a name starting with '.' is matched only by a component that
 * starts with a '.', and '.' and '..' never are. The matches of a field
 * come out sorted (strcmp); a field matching nothing stays as it is (the
 * caller keeps it). case uses glob_match on the whole word. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sh.h"

static int active(const char *m, size_t i)
{
	return m[i] != M_QUOTED;
}

/* A bracket expression at pat[i] (the '['): whether c is in it; *next is
 * after the ']'. -1 if there is no closing ']' (the '[' is literal). */
static int bracket(const char *pat, const char *m, size_t plen, size_t i, unsigned char c,
                   size_t *next)
{
	size_t j = i + 1;
	int negate = 0, found = 0;
	if (j < plen && active(m, j) && (pat[j] == '!' || pat[j] == '^')) {
		negate = 1;
		j++;
	}
	size_t first = j;
	for (; j < plen; j++) {
		if (pat[j] == ']' && j > first && active(m, j)) {
			*next = j + 1;
			return found != negate;
		}
		unsigned char lo = (unsigned char)pat[j], hi = lo;
		if (j + 2 < plen && pat[j + 1] == '-' && active(m, j + 1) && pat[j + 2] != ']') {
			hi = (unsigned char)pat[j + 2];
			j += 2;
		}
		if (c >= lo && c <= hi)
			found = 1;
	}
	return -1;
}

int glob_match(const char *pat, const char *m, size_t plen, const char *name)
{
	size_t p = 0, n = 0, star_p = (size_t)-1, star_n = 0;
	size_t nlen = strlen(name);
	while (n < nlen || p < plen) {
		if (p < plen) {
			char c = pat[p];
			if (m[p] == M_MARK || m[p] == M_BREAK) {
				p++;
				continue;
			}
			if (c == '*' && active(m, p)) {
				star_p = p++;
				star_n = n;
				continue;
			}
			if (n < nlen) {
				size_t next = p + 1;
				int hit;
				if (c == '?' && active(m, p))
					hit = 1;
				else if (c == '[' && active(m, p) &&
				         (hit = bracket(pat, m, plen, p, (unsigned char)name[n], &next)) >= 0)
					;
				else
					hit = c == name[n];
				if (hit) {
					p = next;
					n++;
					continue;
				}
			}
		}
		if (star_p == (size_t)-1 || star_n >= nlen)
			return 0;
		p = star_p + 1;   /* let the last * take one more character */
		n = ++star_n;
	}
	return 1;
}

static int magic_in(const char *s, const char *m, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (active(m, i) && (s[i] == '*' || s[i] == '?' || s[i] == '['))
			return 1;
	return 0;
}

int glob_has_magic(const struct field *f)
{
	return magic_in(f->s, f->m, f->len);
}

/* ---------------------------------------------------------------- paths */

struct matches {
	char **paths;
	int n, cap;
};

static void add_match(struct matches *ms, const char *path)
{
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? ms->cap * 2 : 16;
		char **bigger = sh_alloc((size_t)ms->cap * sizeof(char *));
		if (ms->n)
			memcpy(bigger, ms->paths, (size_t)ms->n * sizeof(char *));
		ms->paths = bigger;
	}
	ms->paths[ms->n++] = sh_strdup(path);
}

static char *join(const char *dir, const char *name, size_t nlen)
{
	size_t dlen = strlen(dir);
	int slash = dlen && dir[dlen - 1] != '/';
	char *p = sh_alloc(dlen + slash + nlen + 1);
	memcpy(p, dir, dlen);
	if (slash)
		p[dlen] = '/';
	memcpy(p + dlen + slash, name, nlen);
	return p;
}

/* Matches the rest of the field, from f->s[at], below dir. */
static void walk(const struct field *f, size_t at, const char *dir, struct matches *ms)
{
	size_t end = at;
	while (end < f->len && f->s[end] != '/')
		end++;
	int last = end == f->len;
	const char *pat = f->s + at, *m = f->m + at;
	size_t plen = end - at;
	if (!magic_in(pat, m, plen)) {
		char *path = join(dir, pat, plen);
		struct stat st;
		if (last) {   /* a trailing / (plen 0) asks for a directory */
			if (plen ? lstat(path, &st) == 0 : stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				add_match(ms, path);
		} else {
			walk(f, end + 1, path, ms);
		}
		return;
	}
	DIR *d = opendir(*dir ? dir : ".");
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (name[0] == '.' && pat[0] != '.')
			continue;
		if (!glob_match(pat, m, plen, name))
			continue;
		char *path = join(dir, name, strlen(name));
		if (last)
			add_match(ms, path);
		else
			walk(f, end + 1, path, ms);
	}
	closedir(d);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int glob_expand(const struct field *f, char ***out, int *n, int *cap)
{
	struct matches ms = { 0 };
	if (f->len && f->s[0] == '/')
		walk(f, 1, "/", &ms);
	else
		walk(f, 0, "", &ms);
	if (ms.n == 0)
		return 0;
	qsort(ms.paths, (size_t)ms.n, sizeof(char *), by_name);
	if (*n + ms.n + 1 > *cap) {
		int bigger_cap = (*n + ms.n + 1) * 2;
		char **bigger = sh_alloc((size_t)bigger_cap * sizeof(char *));
		memcpy(bigger, *out, (size_t)*n * sizeof(char *));
		*out = bigger;
		*cap = bigger_cap;
	}
	memcpy(*out + *n, ms.paths, (size_t)ms.n * sizeof(char *));
	*n += ms.n;
	return ms.n;
}
