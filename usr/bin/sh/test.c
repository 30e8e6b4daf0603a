/* test.c: the test and [ builtins (POSIX test, with -a -o ! and ( )).
 *   files:    -e -f -d -s -r -w -x -L -h -p -c -b -S PATH, -t FD
 *   strings:  -n S, -z S, S, S1 = S2, S1 == S2, S1 != S2, S1 < S2, S1 > S2
 *   numbers:  N1 -eq -ne -lt -le -gt -ge N2
 * Status 0 true, 1 false, 2 for a malformed expression (said on stderr). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sh.h"

struct test {
	char **argv;
	int argc, i;
	int bad;
};

static const char *next_arg(struct test *t)
{
	return t->i < t->argc ? t->argv[t->i] : NULL;
}

static int file_test(char op, const char *path)
{
	struct stat st;
	if (op == 't')
		return isatty(atoi(path));
	if (op == 'r' || op == 'w' || op == 'x')
		return access(path, op == 'r' ? R_OK : op == 'w' ? W_OK : X_OK) == 0;
	if ((op == 'L' || op == 'h') ? lstat(path, &st) < 0 : stat(path, &st) < 0)
		return 0;
	switch (op) {
	case 'e': return 1;
	case 'f': return S_ISREG(st.st_mode);
	case 'd': return S_ISDIR(st.st_mode);
	case 's': return st.st_size > 0;
	case 'L':
	case 'h': return S_ISLNK(st.st_mode);
	case 'p': return S_ISFIFO(st.st_mode);
	case 'c': return S_ISCHR(st.st_mode);
	case 'b': return S_ISBLK(st.st_mode);
	default: return S_ISSOCK(st.st_mode);
	}
}

static int is_unary(const char *s)
{
	return s && s[0] == '-' && s[1] && !s[2] && strchr("efdsrwxLhpcbStnz", s[1]);
}

static long number(struct test *t, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end) {
		sh_error("test: %s: integer expected", s);
		t->bad = 1;
	}
	return v;
}

/* S1 OP S2, or -1 if OP is no binary operator. */
static int binary(struct test *t, const char *l, const char *op, const char *r)
{
	static const char *const numeric[] = { "-eq", "-ne", "-lt", "-le", "-gt", "-ge" };
	if (!strcmp(op, "=") || !strcmp(op, "=="))
		return strcmp(l, r) == 0;
	if (!strcmp(op, "!="))
		return strcmp(l, r) != 0;
	if (!strcmp(op, "<") || !strcmp(op, ">"))
		return op[0] == '<' ? strcmp(l, r) < 0 : strcmp(l, r) > 0;
	for (int k = 0; k < 6; k++) {
		if (strcmp(op, numeric[k]))
			continue;
		long a = number(t, l), b = number(t, r);
		int results[] = { a == b, a != b, a < b, a <= b, a > b, a >= b };
		return results[k];
	}
	return -1;
}

static int parse_or(struct test *t);

static int primary(struct test *t)
{
	const char *a = next_arg(t);
	if (!a) {
		t->bad = 1;
		return 0;
	}
	if (t->i + 2 < t->argc) {   /* S1 OP S2 comes first: [ "(" = "(" ] */
		int r = binary(t, a, t->argv[t->i + 1], t->argv[t->i + 2]);
		if (r >= 0) {
			t->i += 3;
			return r;
		}
	}
	if (!strcmp(a, "(") && t->i + 1 < t->argc) {
		t->i++;
		int r = parse_or(t);
		if (!next_arg(t) || strcmp(next_arg(t), ")"))
			t->bad = 1;
		t->i++;
		return r;
	}
	if (is_unary(a) && t->i + 1 < t->argc) {
		const char *arg = t->argv[t->i + 1];
		t->i += 2;
		if (a[1] == 'n' || a[1] == 'z')
			return (*arg != '\0') == (a[1] == 'n');
		return file_test(a[1], arg);
	}
	t->i++;
	return *a != '\0';
}

static int parse_not(struct test *t)
{
	const char *a = next_arg(t);
	if (a && !strcmp(a, "!") && t->i + 1 < t->argc) {
		t->i++;
		return !parse_not(t);
	}
	return primary(t);
}

static int parse_and(struct test *t)
{
	int r = parse_not(t);
	while (next_arg(t) && !strcmp(next_arg(t), "-a")) {
		t->i++;
		r = parse_not(t) && r;
	}
	return r;
}

static int parse_or(struct test *t)
{
	int r = parse_and(t);
	while (next_arg(t) && !strcmp(next_arg(t), "-o")) {
		t->i++;
		r = parse_and(t) || r;
	}
	return r;
}

int builtin_test(int argc, char **argv)
{
	if (!strcmp(argv[0], "[")) {
		if (strcmp(argv[argc - 1], "]")) {
			sh_error("[: missing ]");
			return 2;
		}
		argc--;
	}
	struct test t = { argv, argc, 1, 0 };
	if (argc == 1)
		return 1;
	int r = parse_or(&t);
	if (t.i < argc && !t.bad) {
		sh_error("%s: %s: unexpected argument", argv[0], argv[t.i]);
		return 2;
	}
	if (t.bad)
		return 2;
	return r ? 0 : 1;
}
