/* lex.c: a command line into tokens.
 *
 * Words keep their quotes ('...', "...", backslashes): expand.c removes
 * them when the word runs, after $ expansion. Operators: | || && & ; and a
 * newline (as ;). Redirections: [N]< [N]> [N]>> [N]>&M [N]<&M with N a
 * single digit written against the operator; the target is the next word.
 * '#' at the start of a word comments out the rest of the line. An open
 * quote or a trailing backslash makes the line LEX_INCOMPLETE. */
#include <string.h>

#include "sh.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int ends_word(char c)
{
	return !c || is_blank(c) || c == '\n' || strchr("|&;<>", c);
}

struct lexer {
	struct token *tokens;
	int count, cap;
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

/* The end of the word starting at s, or NULL if a quote is left open. */
static const char *word_end(const char *s)
{
	while (!ends_word(*s)) {
		if (*s == '\\') {
			if (!s[1])
				return NULL;
			s += 2;
		} else if (*s == '\'') {
			const char *close = strchr(s + 1, '\'');
			if (!close)
				return NULL;
			s = close + 1;
		} else if (*s == '"') {
			for (s++; *s != '"'; s++) {
				if (!*s)
					return NULL;
				if (*s == '\\' && s[1])
					s++;
			}
			s++;
		} else {
			s++;
		}
	}
	return s;
}

static const struct {
	const char *text;
	enum tok_kind kind;
} operators[] = {
	{ "||", T_OR }, { "&&", T_AND }, { "|", T_PIPE }, { "&", T_AMP },
	{ ";", T_SEMI }, { "\n", T_SEMI },
};

static const struct {
	const char *text;
	enum redir_kind kind;
	int default_fd;
} redirections[] = {
	{ ">>", R_APPEND, 1 }, { ">&", R_DUP, 1 }, { "<&", R_DUP, 0 },
	{ ">", R_OUT, 1 },     { "<", R_IN, 0 },
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

int lex_line(const char *line, struct token **tokens, int *count)
{
	struct lexer lx = { NULL, 0, 0 };
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
		if (lex_operator(&lx, &s))
			continue;
		const char *end = word_end(s);
		if (!end)
			return LEX_INCOMPLETE;
		push(&lx, T_WORD)->text = sh_strndup(s, (size_t)(end - s));
		s = end;
	}
	*tokens = lx.tokens;
	*count = lx.count;
	return LEX_OK;
}
