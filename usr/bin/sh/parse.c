/* parse.c: tokens into a list of pipelines.
 *
 *   list     := pipeline ((';' | '&' | '&&' | '||') pipeline)* [';' | '&']
 *   pipeline := command ('|' command)*
 *   command  := (WORD | REDIR WORD)+
 *
 * A line ending in | && or || is LEX_INCOMPLETE (the next line goes on);
 * anything else out of place is a syntax error, reported here. */
#include <string.h>

#include "sh.h"

static const char *token_text(const struct token *t)
{
	static const char *const names[] = {
		[T_WORD] = "word", [T_PIPE] = "|", [T_AND] = "&&", [T_OR] = "||",
		[T_SEMI] = ";",    [T_AMP] = "&",  [T_REDIR] = "redirection",
	};
	return t->kind == T_WORD ? t->text : names[t->kind];
}

static int syntax_error(const struct token *t)
{
	if (t)
		sh_error("syntax error near '%s'", token_text(t));
	else
		sh_error("syntax error: unexpected end of line");
	return LEX_ERROR;
}

/* One command from t[*i]: words and redirections up to an operator. */
static int parse_command(const struct token *t, int n, int *i, struct command *cmd)
{
	int start = *i, words = 0;
	for (int j = start; j < n && (t[j].kind == T_WORD || t[j].kind == T_REDIR); j++)
		words += t[j].kind == T_WORD;
	cmd->words = sh_alloc((size_t)(words + 1) * sizeof(char *));
	struct redir **tail = &cmd->redirs;
	while (*i < n && (t[*i].kind == T_WORD || t[*i].kind == T_REDIR)) {
		const struct token *tok = &t[(*i)++];
		if (tok->kind == T_WORD) {
			cmd->words[cmd->nwords++] = tok->text;
			continue;
		}
		if (*i >= n || t[*i].kind != T_WORD)
			return syntax_error(*i < n ? &t[*i] : NULL);
		struct redir *r = sh_alloc(sizeof(*r));
		r->fd = tok->fd;
		r->kind = tok->redir;
		r->target = t[(*i)++].text;
		*tail = r;
		tail = &r->next;
	}
	if (*i == start)
		return syntax_error(*i < n ? &t[*i] : NULL);
	return LEX_OK;
}

static int parse_pipeline(const struct token *t, int n, int *i, struct pipeline *p)
{
	int cmds = 1;
	for (int j = *i; j < n && t[j].kind != T_SEMI && t[j].kind != T_AMP && t[j].kind != T_AND &&
			 t[j].kind != T_OR; j++)
		cmds += t[j].kind == T_PIPE;
	p->cmds = sh_alloc((size_t)cmds * sizeof(struct command));
	for (;;) {
		int r = parse_command(t, n, i, &p->cmds[p->ncmds++]);
		if (r != LEX_OK)
			return r;
		if (*i >= n || t[*i].kind != T_PIPE)
			return LEX_OK;
		if (++*i >= n)
			return LEX_INCOMPLETE;
	}
}

int parse_tokens(const struct token *t, int n, struct list *out)
{
	int pipelines = 1;
	for (int j = 0; j < n; j++)
		pipelines += t[j].kind == T_SEMI || t[j].kind == T_AMP || t[j].kind == T_AND ||
			     t[j].kind == T_OR;
	out->items = sh_alloc((size_t)pipelines * sizeof(struct pipeline));
	out->n = 0;
	int i = 0;
	while (i < n) {
		struct pipeline *p = &out->items[out->n++];
		int r = parse_pipeline(t, n, &i, p);
		if (r != LEX_OK)
			return r;
		if (i >= n)
			break;
		static const enum next_kind next_of[] = {
			[T_SEMI] = NEXT_SEQ, [T_AMP] = NEXT_BG, [T_AND] = NEXT_AND, [T_OR] = NEXT_OR,
		};
		enum tok_kind k = t[i++].kind;
		p->next = next_of[k];
		if (i >= n && (k == T_AND || k == T_OR))
			return LEX_INCOMPLETE;
	}
	return LEX_OK;
}
