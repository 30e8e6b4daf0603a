/* lex.c: a command line into tokens.
 *
 * Words keep their quotes ('...', "...", backslashes, $(...), `...`):
 * expand.c removes them when the word runs, after $ expansion. Operators:
 * | || && & ; ;; ( ) and newline. Redirections: [N]< [N]> [N]>> [N]>&M
 * [N]<&M [N]<> [N]>| [N]<<WORD [N]<<-WORD with N a single digit written
 * against the operator; the target is the next word. A here-document's
 * body is the lines after the newline that ends its line, up to WORD
 * alone on a line; it replaces the word (quotes in WORD: no expansion).
 * Reserved words (if, do, ...) are words here: the parser knows them by
 * their place. '#' at the start of a word comments out the rest of the
 * line. An open quote or a trailing backslash makes the line
 * LEX_INCOMPLETE. */
#define _GNU_SOURCE   /* strchrnul */
#include <string.h>

#include "sh.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int ends_word(char c)
{
	return !c || is_blank(c) || c == '\n' || strchr("|&;<>()", c);
}

struct lexer {
	struct token *tokens;
	int count, cap;
	int pending[16];      /* here-documents whose bodies follow the next newline: */
	int npending;         /* their T_REDIR tokens */
};

static struct token *push(struct lexer *lx, enum tok_kind kind)
{
	if (lx->count == lx->cap) {
		int cap = lx->cap ? lx->cap * 2 : 16;
		struct token *bigger = sh_alloc((size_t)cap * sizeof(*bigger));
		if (lx->count)
			memcpy(bigger, lx->tokens, (size_t)lx->count * sizeof(*bigger));
		lx->tokens = bigger;
		lx->cap = cap;
	}
	struct token *t = &lx->tokens[lx->count++];
	t->kind = kind;
	return t;
}

/* The closing backquote of `...` (s just after the opening one). */
static const char *backquote_end(const char *s)
{
	for (; *s && *s != '`'; s++)
		if (*s == '\\' && s[1])
			s++;
	return *s ? s : NULL;
}

/* The closing quote of "..." (s just after the opening one): $(...) and
 * `...` inside may hold quotes of their own. */
static const char *dquote_end(const char *s)
{
	for (; *s != '"'; s++) {
		if (!*s)
			return NULL;
		if (*s == '\\' && s[1]) {
			s++;
		} else if (s[0] == '$' && s[1] == '(') {
			if (!(s = lex_subst_end(s + 2)))
				return NULL;
		} else if (*s == '`') {
			if (!(s = backquote_end(s + 1)))
				return NULL;
		}
	}
	return s;
}

/* The } closing ${... (s after the '{'): blanks and quotes may be inside. */
static const char *brace_end(const char *s)
{
	for (; *s && *s != '}'; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '\'' && !(s = strchr(s + 1, '\'')))
			return NULL;
		else if (*s == '"' && !(s = dquote_end(s + 1)))
			return NULL;
	}
	return *s ? s : NULL;
}

const char *lex_subst_end(const char *s)
{
	int depth = 0;
	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
		} else if (*s == '\'') {
			if (!(s = strchr(s + 1, '\'')))
				return NULL;
		} else if (*s == '"') {
			if (!(s = dquote_end(s + 1)))
				return NULL;
		} else if (*s == '`') {
			if (!(s = backquote_end(s + 1)))
				return NULL;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')') {
			if (depth-- == 0)
				return s;
		}
	}
	return NULL;
}

/* The end of the word starting at s, or NULL if a quote is left open. */
static const char *word_end(const char *s)
{
	while (!ends_word(*s)) {
		if (*s == '\\') {
			if (!s[1])
				return NULL;
			s += 2;
			continue;
		}
		if (*s == '\'')
			s = strchr(s + 1, '\'');
		else if (*s == '"')
			s = dquote_end(s + 1);
		else if (*s == '`')
			s = backquote_end(s + 1);
		else if (s[0] == '$' && s[1] == '(')
			s = lex_subst_end(s + 2);
		else if (s[0] == '$' && s[1] == '{')
			s = brace_end(s + 2);
		if (!s)
			return NULL;
		s++;
	}
	return s;
}

static const struct {
	const char *text;
	enum tok_kind kind;
} operators[] = {
	{ "||", T_OR },  { "&&", T_AND },     { "|", T_PIPE },     { "&", T_AMP },
	{ ";;", T_DSEMI }, { ";", T_SEMI }, { "\n", T_NEWLINE }, { "(", T_LPAREN },
	{ ")", T_RPAREN },
};

static const struct {
	const char *text;
	enum redir_kind kind;
	int default_fd;
} redirections[] = {
	{ "<<-", R_HEREDOC_TABS, 0 }, { "<<", R_HEREDOC, 0 },
	{ ">>", R_APPEND, 1 }, { ">&", R_DUP, 1 }, { "<&", R_DUP, 0 }, { "<>", R_RDWR, 0 },
	{ ">|", R_OUT, 1 },    { ">", R_OUT, 1 },  { "<", R_IN, 0 },
};

/* An operator or redirection at *s: its token, and *s moves past it. */
static int lex_operator(struct lexer *lx, const char **s)
{
	const char *p = *s;
	int fd = -1;
	if (*p >= '0' && *p <= '9' && (p[1] == '<' || p[1] == '>')) {
		fd = *p - '0';
		p++;
	}
	for (size_t i = 0; i < sizeof(redirections) / sizeof(redirections[0]); i++) {
		size_t len = strlen(redirections[i].text);
		if (strncmp(p, redirections[i].text, len) == 0) {
			struct token *t = push(lx, T_REDIR);
			t->redir = redirections[i].kind;
			t->fd = fd >= 0 ? fd : redirections[i].default_fd;
			*s = p + len;
			return 1;
		}
	}
	if (fd >= 0)
		return 0;
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
		size_t len = strlen(operators[i].text);
		if (strncmp(p, operators[i].text, len) == 0) {
			push(lx, operators[i].kind);
			*s = p + len;
			return 1;
		}
	}
	return 0;
}

/* A here-document's body from s (the line after the one with <<), up to
 * the line that is the delimiter: the redirection becomes R_HEREDOC or
 * R_HEREDOC_LIT and its word the body. Returns where the next line starts,
 * or NULL if the delimiter line has not come yet. */
static const char *heredoc_body(struct token *redir, struct token *word, const char *s)
{
	int strip = redir->redir == R_HEREDOC_TABS, quoted = strpbrk(word->text, "'\"\\") != NULL;
	char *delim = sh_alloc(strlen(word->text) + 1), *d = delim;
	for (const char *w = word->text; *w; w++)
		if (!strchr("'\"\\", *w))
			*d++ = *w;
	size_t cap = 64, len = 0;
	char *body = sh_alloc(cap);
	for (;;) {
		if (strip)
			s += strspn(s, "\t");
		const char *nl = strchrnul(s, '\n');
		size_t n = (size_t)(nl - s);
		if (n == strlen(delim) && strncmp(s, delim, n) == 0)
			break;
		if (!*nl)
			return NULL;   /* the delimiter line is yet to come */
		if (len + n + 2 > cap) {
			cap = (len + n + 2) * 2;
			char *bigger = sh_alloc(cap);
			memcpy(bigger, body, len);
			body = bigger;
		}
		memcpy(body + len, s, n + 1);
		len += n + 1;
		s = nl + 1;
	}
	body[len] = '\0';
	redir->redir = quoted ? R_HEREDOC_LIT : R_HEREDOC;
	word->text = body;
	s = strchrnul(s, '\n');
	return *s ? s + 1 : s;
}

/* After a newline: the bodies of the here-documents opened on its line. */
static const char *heredoc_bodies(struct lexer *lx, const char *s)
{
	for (int i = 0; i < lx->npending && s; i++) {
		int r = lx->pending[i];
		if (r + 1 >= lx->count || lx->tokens[r + 1].kind != T_WORD)
			return s;   /* << without a word: the parser reports it */
		s = heredoc_body(&lx->tokens[r], &lx->tokens[r + 1], s);
	}
	lx->npending = 0;
	return s;
}

int lex_line(const char *line, struct token **tokens, int *count)
{
	struct lexer lx = { NULL, 0, 0, { 0 }, 0 };
	const char *s = line;
	for (;;) {
		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		if (*s == '#') {
			while (*s && *s != '\n')
				s++;
			continue;
		}
		const char *start = s;
		if (lex_operator(&lx, &s)) {
			struct token *t = &lx.tokens[lx.count - 1];
			t->start = (size_t)(start - line);
			t->end = (size_t)(s - line);
			if (t->kind == T_REDIR && (t->redir == R_HEREDOC || t->redir == R_HEREDOC_TABS)) {
				if (lx.npending == 16)
					return LEX_ERROR;
				lx.pending[lx.npending++] = lx.count - 1;
			}
			if (t->kind == T_NEWLINE && lx.npending && !(s = heredoc_bodies(&lx, s)))
				return LEX_INCOMPLETE;
			continue;
		}
		const char *end = word_end(s);
		if (!end)
			return LEX_INCOMPLETE;
		struct token *t = push(&lx, T_WORD);
		t->text = sh_strndup(s, (size_t)(end - s));
		t->start = (size_t)(s - line);
		t->end = (size_t)(end - line);
		s = end;
	}
	if (lx.npending)
		return LEX_INCOMPLETE;   /* cat <<EOF at the end: the body is on the lines to come */
	*tokens = lx.tokens;
	*count = lx.count;
	return LEX_OK;
}
