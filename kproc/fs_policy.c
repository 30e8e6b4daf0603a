/*
 * fs_policy.c: the fixed permission policy of fs and path canonicalisation
 * (see fs_policy.h). Portable: no host calls, no allocation.
 */
#include <string.h>

#include "kproc/fs_policy.h"
#include "kproc/nos_errno.h"

/* ---------------------------------------------------------------- paths */

/* Append component [c, c+len) to out (length *n); "." and ".." handled. */
static int canon_push(char *out, size_t *n, const char *c, size_t len)
{
	if (len == 0 || (len == 1 && c[0] == '.'))
		return 0;
	if (len == 2 && c[0] == '.' && c[1] == '.') {
		while (*n > 1 && out[*n - 1] != '/')
			(*n)--;
		if (*n > 1)
			(*n)--;         /* drop the slash too, unless it is the root */
		out[*n] = 0;
		return 0;
	}
	/* FAT tools treat a trailing dot or space as absent ("etc." would be
	 * "etc"): refuse such names rather than judge the wrong path. */
	if (c[len - 1] == '.' || c[len - 1] == ' ')
		return -NOS_EINVAL;
	if (*n + (*n > 1) + len + 1 > FS_PATH_MAX)
		return -NOS_ENAMETOOLONG;
	if (*n > 1)
		out[(*n)++] = '/';
	memcpy(out + *n, c, len);
	*n += len;
	out[*n] = 0;
	return 0;
}

/* Push every component of p onto out. */
static int canon_walk(char *out, size_t *n, const char *p)
{
	const char *end;
	int r;

	while (*p) {
		while (*p == '/')
			p++;
		end = p;
		while (*end && *end != '/')
			end++;
		r = canon_push(out, n, p, (size_t)(end - p));
		if (r < 0)
			return r;
		p = end;
	}
	return 0;
}

int fs_path_canon(const char *cwd, const char *path, char *out)
{
	size_t n = 1;
	int r;

	if (path == NULL || path[0] == 0)
		return -NOS_ENOENT;
	if (strlen(path) >= FS_PATH_MAX)
		return -NOS_ENAMETOOLONG;
	out[0] = '/';
	out[1] = 0;
	if (path[0] != '/') {
		if (cwd == NULL || cwd[0] != '/')
			return -NOS_EINVAL;
		r = canon_walk(out, &n, cwd);
		if (r < 0)
			return r;
	}
	return canon_walk(out, &n, path);
}

/* ---------------------------------------------------------------- policy */

static char lower_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether canonical path p is `dir` or lies below it, case-blind. */
static int under(const char *p, const char *dir)
{
	size_t i;

	for (i = 0; dir[i]; i++)
		if (lower_ascii(p[i]) != dir[i])
			return 0;
	return p[i] == 0 || p[i] == '/';
}

static int same_name(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (lower_ascii(a[i]) != lower_ascii(b[i]) || a[i] == 0)
			return 0;
	return b[len] == 0;
}

/* /home/NAME...: whether NAME is cred's account. /home itself is root's. */
static int home_of(const struct fs_cred *cred, const char *p)
{
	const char *name = p + 6, *end = name;

	while (*end && *end != '/')
		end++;
	return end > name && same_name(name, cred->name, (size_t)(end - name));
}

/* /etc/shadow and the copies users writes it through (shadow+ while a
 * new one is written, shadow- as Linux keeps the old one): root's alone. */
static int is_shadow(const char *p)
{
	return under(p, "/etc/shadow") || under(p, "/etc/shadow+") || under(p, "/etc/shadow-");
}

static const char *const system_dirs[] = { "/bin", "/sbin", "/lib", "/usr", "/etc" };

/* May cred add or remove entries in directory p. */
static int may_write_in(const struct fs_cred *cred, const char *p)
{
	if (under(p, "/tmp"))
		return 0;
	if (under(p, "/home") && p[5] == '/' && home_of(cred, p))
		return 0;
	return -NOS_EACCES;
}

int fs_policy_check(const struct fs_cred *cred, const char *p, unsigned access)
{
	unsigned i;

	if (cred->uid == FS_UID_ROOT)
		return 0;
	if ((access & FS_WRITE_IN) && may_write_in(cred, p) < 0)
		return -NOS_EACCES;
	if (is_shadow(p))
		return -NOS_EACCES;
	if (!(access & FS_WRITE))
		return 0;
	for (i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
		if (under(p, system_dirs[i]))
			return -NOS_EACCES;
	if (under(p, "/tmp") && p[4] == '/')
		return 0;           /* inside /tmp; /tmp itself is root's */
	if (under(p, "/home") && p[5] == '/' && home_of(cred, p))
		return 0;
	return -NOS_EACCES;
}
