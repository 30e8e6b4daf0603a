/* expand.c: a raw word into the string a command gets.
 *
 * Left to right: '...' is literal; "..." keeps its text but expands $ and
 * takes \ before $ ` " \ ; a \ outside quotes takes the next character; a
 * leading ~ (alone or before /) is $HOME. $NAME, ${NAME}, $? (last status),
 * $$ (shell pid), $! (last background pid), $0..$9, $# and $@/$* (the
 * arguments joined by spaces) are expanded. A word stays one word: there is
 * no field splitting and no filename globbing. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

struct buf {
	char *s;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *bigger = sh_alloc(cap);
		if (b->len)
			memcpy(bigger, b->s, b->len);
		b->s = bigger;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void put_str(struct buf *b, const char *s)
{
	if (s)
		put(b, s, strlen(s));
}

static void put_number(struct buf *b, long n)
{
	char num[24];
	snprintf(num, sizeof(num), "%ld", n);
	put_str(b, num);
}

static int name_char(char c, int first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

static void put_all_args(struct buf *b)
{
	for (int i = 0; i < sh.argc; i++) {
		if (i)
			put(b, " ", 1);
		put_str(b, sh.argv[i]);
	}
}

/* s points after a '$': expand what follows; return how much was used. */
static size_t expand_dollar(struct buf *b, const char *s)
{
	if (*s == '?' || *s == '$' || *s == '!' || *s == '#') {
		long values[] = { sh.last_status, (long)getpid(), (long)sh.last_bg, sh.argc };
		put_number(b, values[strchr("?$!#", *s) - "?$!#"]);
		return 1;
	}
	if (*s == '@' || *s == '*') {
		put_all_args(b);
		return 1;
	}
	if (isdigit((unsigned char)*s)) {
		int n = *s - '0';
		put_str(b, n == 0 ? sh.name : n <= sh.argc ? sh.argv[n - 1] : NULL);
		return 1;
	}
	const char *name = s;
	int braced = *s == '{';
	if (braced)
		name++;
	size_t len = 0;
	while (name_char(name[len], len == 0))
		len++;
	if (len == 0 || (braced && name[len] != '}')) {
		put(b, "$", 1);   /* not an expansion: a literal $ */
		return 0;
	}
	put_str(b, var_get(sh_strndup(name, len)));
	return len + (braced ? 2 : 0);
}

char *expand_word(const char *raw)
{
	struct buf b = { NULL, 0, 0 };
	put(&b, "", 0);
	int dq = 0;
	for (size_t i = 0; raw[i]; i++) {
		char c = raw[i];
		if (c == '\'' && !dq) {
			const char *close = strchr(raw + i + 1, '\'');
			size_t n = close ? (size_t)(close - raw - i - 1) : strlen(raw + i + 1);
			put(&b, raw + i + 1, n);
			i += n + (close ? 1 : 0);
		} else if (c == '"') {
			dq = !dq;
		} else if (c == '\\' && raw[i + 1]) {
			if (dq && !strchr("$`\"\\", raw[i + 1]))
				put(&b, "\\", 1);
			put(&b, raw + ++i, 1);
		} else if (c == '$') {
			i += expand_dollar(&b, raw + i + 1);
		} else if (c == '~' && i == 0 && (raw[1] == '/' || !raw[1])) {
			put_str(&b, var_get("HOME"));
		} else {
			put(&b, &c, 1);
		}
	}
	return b.s;
}

size_t assignment_name_len(const char *raw)
{
	size_t len = 0;
	while (name_char(raw[len], len == 0))
		len++;
	return len > 0 && raw[len] == '=' ? len : 0;
}
