/* expand.c: a raw word into what a command gets.
 *
 * Left to right: '...' is literal; "..." keeps its text but expands $ and
 * takes \ before $ ` " \ ; a \ outside quotes takes the next character; a
 * leading ~ (alone or before /) is $HOME. Parameters: $NAME, ${NAME},
 * ${NAME:-WORD} ${NAME-WORD} ${NAME:=WORD} ${NAME:+WORD} ${NAME:?WORD} ${#NAME},
 * ${NAME#PAT} ${NAME##PAT} ${NAME%PAT} ${NAME%%PAT}, $? (last
 * status), $$ (shell pid), $! (last background pid), $0..$9, $#, $@ and $*
 * ("$@" is one field per argument). $(...) and `...` run the commands in a
 * child and take their output without its last newlines; $((...)) is
 * arithmetic (arith.c). Each character is kept with a mask saying how it
 * came (sh.h): fields.c splits at IFS only where an unquoted expansion put
 * the separator, and glob.c treats quoted * ? [ as plain characters. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

void xword_put(struct xword *w, const char *s, size_t n, char mask)
{
	if (w->len + n + 1 > w->cap) {
		size_t cap = (w->len + n + 1) * 2;
		char *s2 = sh_alloc(cap), *m2 = sh_alloc(cap);
		if (w->len) {
			memcpy(s2, w->s, w->len);
			memcpy(m2, w->m, w->len);
		}
		w->s = s2;
		w->m = m2;
		w->cap = cap;
	}
	memcpy(w->s + w->len, s, n);
	memset(w->m + w->len, mask, n);
	w->len += n;
	w->s[w->len] = '\0';
}

static void put_str(struct xword *w, const char *s, char mask)
{
	if (s)
		xword_put(w, s, strlen(s), mask);
}

static void put_number(struct xword *w, long n, char mask)
{
	char num[24];
	snprintf(num, sizeof(num), "%ld", n);
	put_str(w, num, mask);
}

static int name_char(char c, int first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

static void expand_into(struct xword *w, const char *raw, size_t len, int dq);

/* ---------------------------------------------------------------- command substitution */

static char *read_all(int fd, size_t *len)
{
	size_t cap = 256;
	char *s = sh_alloc(cap);
	*len = 0;
	for (;;) {
		if (*len + 1 == cap) {
			char *bigger = sh_alloc(cap * 2);
			memcpy(bigger, s, *len);
			s = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, s + *len, cap - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	return s;
}

static void command_subst(struct xword *w, const char *body, int dq)
{
	int fds[2];
	if (pipe(fds) < 0) {
		sh_error("pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		close(fds[1]);
		jobs_child_signals();
		trap_reset_in_child();
		sh.interactive = sh.job_control = 0;
		int status = run_string(body);
		fflush(stdout);
		_exit(status);
	}
	close(fds[1]);
	size_t len;
	char *out = read_all(fds[0], &len);
	close(fds[0]);
	int wstatus = 0;
	if (pid < 0) {
		sh_error("fork: %s", strerror(errno));
		wstatus = 126 << 8;
	} else {
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
	}
	sh.last_status = sh.subst_status = status_of_wait(wstatus);
	while (len && out[len - 1] == '\n')
		len--;
	xword_put(w, out, len, dq ? M_QUOTED : M_SPLIT);
}

/* `...`: a backslash before ` $ or \ stands for that character. */
static void backquote_subst(struct xword *w, const char *body, size_t len, int dq)
{
	char *text = sh_alloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (body[i] == '\\' && i + 1 < len && strchr("`$\\", body[i + 1]))
			i++;
		text[n++] = body[i];
	}
	command_subst(w, text, dq);
}

static void arith_subst(struct xword *w, const char *expr, size_t len, int dq)
{
	long value = 0;
	struct xword text = { 0 };
	xword_put(&text, "", 0, M_LIT);
	expand_into(&text, expr, len, 1);
	if (arith_eval(text.s, &value) < 0)
		sh.subst_status = sh.last_status = 1;
	put_number(w, value, dq ? M_QUOTED : M_SPLIT);
}

/* ---------------------------------------------------------------- parameters */

static void put_all_args(struct xword *w, int dq, int separate)
{
	for (int i = 0; i < sh.argc; i++) {
		if (i && separate)
			xword_put(w, "", 1, M_BREAK);
		else if (i)
			xword_put(w, " ", 1, dq ? M_QUOTED : M_SPLIT);
		put_str(w, sh.argv[i], dq ? M_QUOTED : M_SPLIT);
	}
	if (dq)
		xword_put(w, "", 1, M_MARK);
}

/* $?, $$, $!, $#, $@, $*, $0..$9: how much of s was used (0: none). */
static size_t special_param(struct xword *w, const char *s, int dq)
{
	char mask = dq ? M_QUOTED : M_SPLIT;
	const char *which = strchr("?$!#", *s);
	if (*s == '!' && sh.last_bg == 0)
		return 1;   /* no background job yet: $! is empty */
	if (*s && which) {
		long values[] = { sh.last_status, (long)getpid(), (long)sh.last_bg, sh.argc };
		put_number(w, values[which - "?$!#"], mask);
		return 1;
	}
	if (*s == '@' || *s == '*') {
		put_all_args(w, dq, *s == '@' && dq);
		return 1;
	}
	if (isdigit((unsigned char)*s)) {
		int n = *s - '0';
		put_str(w, n == 0 ? sh.name : n <= sh.argc ? sh.argv[n - 1] : NULL, mask);
		return 1;
	}
	return 0;
}

static const char *param_value(const char *name)
{
	if (isdigit((unsigned char)name[0])) {
		int n = atoi(name);
		return n == 0 ? sh.name : n <= sh.argc ? sh.argv[n - 1] : NULL;
	}
	if (!strcmp(name, "#") || !strcmp(name, "?")) {
		static char num[24];
		snprintf(num, sizeof(num), "%d", name[0] == '#' ? sh.argc : sh.last_status);
		return num;
	}
	return var_get(name);
}

/* The closing } of ${...} (s after the '{'), minding quotes and nesting. */
static const char *brace_end(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '\'' && strchr(s + 1, '\''))
			s = strchr(s + 1, '\'');
		else if (*s == '{')
			depth++;
		else if (*s == '}' && depth-- == 0)
			return s;
	}
	return NULL;
}

/* ${NAME#PAT} ${NAME##PAT} ${NAME%PAT} ${NAME%%PAT}: value without the
 * shortest or longest prefix or suffix PAT matches (op at the # or %). */
static void remove_pattern(struct xword *w, const char *value, const char *op, const char *end,
                           char mask)
{
	int longest = op[1] == op[0], prefix = op[0] == '#';
	const char *p = op + 1 + longest;
	struct xword pat = { 0 };
	xword_put(&pat, "", 0, M_LIT);
	expand_into(&pat, p, (size_t)(end - p), 0);
	size_t vlen = value ? strlen(value) : 0;
	char *part = sh_alloc(vlen + 1);
	for (size_t k = 0; k <= vlen; k++) {
		/* prefix: lengths 0.. (shortest) or vlen.. (longest); suffix: starts the other way */
		size_t cut = (prefix != longest) ? k : vlen - k;
		if (prefix) {
			memcpy(part, value, cut);
			part[cut] = '\0';
		} else {
			memcpy(part, value + cut, vlen - cut + 1);
		}
		if (glob_match(pat.s, pat.m, pat.len, part)) {
			if (prefix)
				put_str(w, value + cut, mask);
			else
				xword_put(w, value, cut, mask);
			return;
		}
	}
	put_str(w, value, mask);
}

/* ${...}: s after the '{', end at the '}'. */
static void braced_param(struct xword *w, const char *s, const char *end, int dq)
{
	char mask = dq ? M_QUOTED : M_SPLIT;
	int length = *s == '#' && end - s > 1;
	if (length)
		s++;
	size_t len = 0;
	if (isdigit((unsigned char)*s) || (*s && strchr("#?", *s) && len == 0))
		len = 1;
	else
		while (s + len < end && name_char(s[len], len == 0))
			len++;
	const char *value = param_value(sh_strndup(s, len));
	if (length) {
		put_number(w, value ? (long)strlen(value) : 0, mask);
		return;
	}
	const char *op = s + len;
	if (op == end) {
		put_str(w, value, mask);
		return;
	}
	if (*op == '#' || *op == '%') {
		remove_pattern(w, value, op, end, mask);
		return;
	}
	int colon = *op == ':';
	char kind = op[colon];
	const char *word = op + colon + 1;
	int set = value && (!colon || *value);
	if (kind == '?') {   /* ${NAME:?MESSAGE}: unset (or empty) is an error */
		if (set) {
			put_str(w, value, mask);
			return;
		}
		struct xword msg = { 0 };
		xword_put(&msg, "", 0, M_LIT);
		expand_into(&msg, word, (size_t)(end - word), 1);
		sh_error("%.*s: %s", (int)len, s, word < end ? msg.s : "parameter not set");
		if (!sh.interactive)
			exit(1);
		sh.subst_status = sh.last_status = 1;
		return;
	}
	if (!strchr("-=+", kind) || word > end) {
		sh_error("${%.*s}: bad substitution", (int)(end - s), s);
		return;
	}
	if (kind == '+') {
		if (set)
			expand_into(w, word, (size_t)(end - word), dq);
	} else if (set) {
		put_str(w, value, mask);
	} else if (kind == '-') {
		expand_into(w, word, (size_t)(end - word), dq);
	} else {   /* = : assign, then use */
		struct xword v = { 0 };
		xword_put(&v, "", 0, M_LIT);
		expand_into(&v, word, (size_t)(end - word), 1);
		var_set(sh_strndup(s, len), v.s);
		put_str(w, v.s, mask);
	}
}

/* s points after a '$': expand what follows; return how much was used. */
static size_t expand_dollar(struct xword *w, const char *s, int dq)
{
	char mask = dq ? M_QUOTED : M_SPLIT;
	if (s[0] == '(') {
		const char *close = lex_subst_end(s + 1);
		if (!close)
			return xword_put(w, "$", 1, M_QUOTED), 0;
		size_t body = (size_t)(close - s - 1);
		if (s[1] == '(' && body >= 2 && close[-1] == ')')
			arith_subst(w, s + 2, body - 2, dq);
		else
			command_subst(w, sh_strndup(s + 1, body), dq);
		return body + 2;
	}
	if (s[0] == '{') {
		const char *close = brace_end(s + 1);
		if (close) {
			braced_param(w, s + 1, close, dq);
			return (size_t)(close - s) + 1;
		}
	}
	size_t used = special_param(w, s, dq);
	if (used)
		return used;
	size_t len = 0;
	while (name_char(s[len], len == 0))
		len++;
	if (len == 0) {
		xword_put(w, "$", 1, M_QUOTED);   /* not an expansion: a literal $ */
		return 0;
	}
	put_str(w, var_get(sh_strndup(s, len)), mask);
	return len;
}

/* ---------------------------------------------------------------- words */

/* raw[0..len) into w; dq: inside double quotes already. */
static void expand_into(struct xword *w, const char *raw, size_t len, int dq)
{
	for (size_t i = 0; i < len; i++) {
		char c = raw[i];
		if (c == '\'' && !dq) {
			const char *close = memchr(raw + i + 1, '\'', len - i - 1);
			size_t n = close ? (size_t)(close - raw - i - 1) : len - i - 1;
			xword_put(w, "", 1, M_MARK);
			xword_put(w, raw + i + 1, n, M_QUOTED);
			i += n + (close ? 1 : 0);
		} else if (c == '"') {
			dq = !dq;
			xword_put(w, "", 1, M_MARK);
		} else if (c == '\\' && i + 1 < len) {
			if (dq && !strchr("$`\"\\", raw[i + 1]))
				xword_put(w, "\\", 1, M_QUOTED);
			xword_put(w, raw + ++i, 1, M_QUOTED);
		} else if (c == '$') {
			i += expand_dollar(w, raw + i + 1, dq);
		} else if (c == '`') {
			const char *close = memchr(raw + i + 1, '`', len - i - 1);
			size_t n = close ? (size_t)(close - raw - i - 1) : len - i - 1;
			backquote_subst(w, raw + i + 1, n, dq);
			i += n + (close ? 1 : 0);
		} else if (c == '~' && i == 0 && (len == 1 || raw[1] == '/')) {
			put_str(w, var_get("HOME"), M_QUOTED);
		} else {
			xword_put(w, &c, 1, dq ? M_QUOTED : M_LIT);
		}
	}
}

char *expand_heredoc(const char *body)
{
	struct xword w = { 0 };
	xword_put(&w, "", 0, M_QUOTED);
	for (size_t i = 0; body[i]; i++) {
		if (body[i] == '\\' && body[i + 1] && strchr("$`\\", body[i + 1])) {
			xword_put(&w, body + ++i, 1, M_QUOTED);
		} else if (body[i] == '$') {
			i += expand_dollar(&w, body + i + 1, 1);
		} else if (body[i] == '`') {
			const char *close = strchr(body + i + 1, '`');
			size_t n = close ? (size_t)(close - body - i - 1) : strlen(body + i + 1);
			backquote_subst(&w, body + i + 1, n, 1);
			i += n + (close ? 1 : 0);
		} else {
			xword_put(&w, body + i, 1, M_QUOTED);
		}
	}
	return w.s;
}

void expand_raw(const char *raw, struct xword *out)
{
	memset(out, 0, sizeof(*out));
	xword_put(out, "", 0, M_LIT);
	expand_into(out, raw, strlen(raw), 0);
}

/* The characters of w without its zero-width marks. */
static char *plain(const struct xword *w)
{
	char *s = sh_alloc(w->len + 1);
	size_t n = 0;
	for (size_t i = 0; i < w->len; i++)
		if (w->m[i] != M_MARK && w->m[i] != M_BREAK)
			s[n++] = w->s[i];
	return s;
}

char *expand_word(const char *raw)
{
	struct xword w;
	expand_raw(raw, &w);
	return plain(&w);
}

char **expand_fields(char **raw, int n, int *argc)
{
	int cap = n + 1, count = 0;
	char **argv = sh_alloc((size_t)cap * sizeof(char *));
	for (int i = 0; i < n; i++) {
		struct xword w;
		struct field *fields;
		if (sh.argc == 0 && !strcmp(raw[i], "\"$@\""))
			continue;   /* "$@" without arguments is no field at all */
		expand_raw(raw[i], &w);
		int nf = fields_split(&w, &fields);
		for (int f = 0; f < nf; f++) {
			if (glob_has_magic(&fields[f]) && glob_expand(&fields[f], &argv, &count, &cap) > 0)
				continue;
			if (count + 1 >= cap) {
				char **bigger = sh_alloc((size_t)cap * 2 * sizeof(char *));
				memcpy(bigger, argv, (size_t)count * sizeof(char *));
				argv = bigger;
				cap *= 2;
			}
			argv[count++] = fields[f].s;
		}
	}
	argv[count] = NULL;
	*argc = count;
	return argv;
}

size_t assignment_name_len(const char *raw)
{
	size_t len = 0;
	while (name_char(raw[len], len == 0))
		len++;
	return len > 0 && raw[len] == '=' ? len : 0;
}

int run_string(const char *text)
{
	struct token *tokens;
	int count;
	struct node *tree = NULL;
	int r = lex_line(text, &tokens, &count);
	if (r == LEX_OK)
		r = parse_line(text, tokens, count, &tree);
	if (r == LEX_INCOMPLETE)
		sh_error("syntax error: unexpected end of input");
	if (r != LEX_OK)
		return 2;
	return tree ? exec_node(tree) : 0;
}
