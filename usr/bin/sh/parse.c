/* parse.c: tokens into a tree (struct node, sh.h), by recursive descent.
 *
 *   list      := linebreak and_or ((';' | '&' | NEWLINE) linebreak and_or)* [';' | '&']
 *   and_or    := pipeline (('&&' | '||') linebreak pipeline)*
 *   pipeline  := ['!'] command ('|' linebreak command)*
 *   command   := simple | compound redirection* | NAME '(' ')' linebreak compound redirection*
 *   compound  := if list then list (elif list then list)* [else list] fi
 *              | while list do list done | until list do list done
 *              | for NAME [in WORD*] (';' | NEWLINE) do list done
 *              | case WORD in ([(] WORD ('|' WORD)* ')' list [';;'])* esac
 *              | '{' list '}' | '(' list ')'
 *   simple    := (WORD | REDIR WORD)+
 *
 * Reserved words are words in command position (or after for/case's
 * name). Running out of tokens inside a construct is LEX_INCOMPLETE (the
 * caller reads another line and parses again); anything else out of place
 * is a syntax error, reported here. */
#include <string.h>

#include "sh.h"

struct parser {
	const char *line;
	const struct token *t;
	int n, i;
	int status;              /* LEX_OK until something fails */
};

static const char *const reserved[] = {
	"if", "then", "elif", "else", "fi", "while", "until", "do", "done",
	"for", "in", "case", "esac", "{", "}", "!",
};

static const struct token *peek(struct parser *p)
{
	return p->i < p->n ? &p->t[p->i] : NULL;
}

static int is_word(struct parser *p, const char *word)
{
	const struct token *t = peek(p);
	return t && t->kind == T_WORD && strcmp(t->text, word) == 0;
}

static int is_kind(struct parser *p, enum tok_kind kind)
{
	const struct token *t = peek(p);
	return t && t->kind == kind;
}

static int is_reserved(const struct token *t)
{
	if (!t || t->kind != T_WORD)
		return 0;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(t->text, reserved[i]) == 0)
			return 1;
	return 0;
}

/* Fails the parse: at the end of the tokens it is only incomplete. */
static struct node *fail(struct parser *p)
{
	if (p->status != LEX_OK)
		return NULL;
	const struct token *t = peek(p);
	if (!t) {
		p->status = LEX_INCOMPLETE;
		return NULL;
	}
	static const char *const names[] = {
		[T_PIPE] = "|",    [T_AND] = "&&",          [T_OR] = "||",
		[T_SEMI] = ";",    [T_AMP] = "&",           [T_REDIR] = "redirection",
		[T_NEWLINE] = "newline", [T_LPAREN] = "(", [T_RPAREN] = ")", [T_DSEMI] = ";;",
	};
	sh_error("syntax error near '%s'", t->kind == T_WORD ? t->text : names[t->kind]);
	p->status = LEX_ERROR;
	return NULL;
}

static int expect_word(struct parser *p, const char *word)
{
	if (!is_word(p, word)) {
		fail(p);
		return 0;
	}
	p->i++;
	return 1;
}

static void linebreak(struct parser *p)
{
	while (is_kind(p, T_NEWLINE))
		p->i++;
}

static struct node *new_node(enum node_kind kind, int nkids)
{
	struct node *n = sh_alloc(sizeof(*n));
	n->kind = kind;
	n->n = nkids;
	n->kids = nkids ? sh_alloc((size_t)nkids * sizeof(*n->kids)) : NULL;
	return n;
}

/* A growing array of pointers in the arena. */
static void **append(void **items, int *n, void *item)
{
	if ((*n & (*n - 1)) == 0) {   /* 0, 1, 2, 4 ...: full */
		void **bigger = sh_alloc((size_t)(*n ? *n * 2 : 1) * sizeof(void *));
		if (*n)
			memcpy(bigger, items, (size_t)*n * sizeof(void *));
		items = bigger;
	}
	items[(*n)++] = item;
	return items;
}

static struct node *parse_list(struct parser *p, int required);
static struct node *parse_command(struct parser *p);

/* ---------------------------------------------------------------- redirections */

static int parse_redir(struct parser *p, struct redir ***tail)
{
	const struct token *op = &p->t[p->i++];
	if (!is_kind(p, T_WORD)) {
		fail(p);
		return 0;
	}
	struct redir *r = sh_alloc(sizeof(*r));
	r->fd = op->fd;
	r->kind = op->redir;
	r->target = p->t[p->i++].text;
	**tail = r;
	*tail = &r->next;
	return 1;
}

static void parse_trailing_redirs(struct parser *p, struct node *n)
{
	struct redir **tail = &n->redirs;
	while (p->status == LEX_OK && is_kind(p, T_REDIR))
		parse_redir(p, &tail);
}

/* ---------------------------------------------------------------- compound commands */

/* if/elif: the keyword is already taken. */
static struct node *parse_if(struct parser *p)
{
	struct node *n = new_node(N_IF, 3);
	n->kids[0] = parse_list(p, 1);
	if (!n->kids[0] || !expect_word(p, "then") || !(n->kids[1] = parse_list(p, 1)))
		return NULL;
	if (is_word(p, "elif")) {
		p->i++;
		n->kids[2] = parse_if(p);
		return n->kids[2] ? n : NULL;
	}
	if (is_word(p, "else")) {
		p->i++;
		if (!(n->kids[2] = parse_list(p, 1)))
			return NULL;
	}
	return expect_word(p, "fi") ? n : NULL;
}

static struct node *parse_do_done(struct parser *p)
{
	struct node *body;
	if (!expect_word(p, "do") || !(body = parse_list(p, 1)) || !expect_word(p, "done"))
		return NULL;
	return body;
}

static struct node *parse_while(struct parser *p, int until)
{
	struct node *n = new_node(N_WHILE, 2);
	n->negate = until;
	if (!(n->kids[0] = parse_list(p, 1)) || !(n->kids[1] = parse_do_done(p)))
		return NULL;
	return n;
}

static struct node *parse_for(struct parser *p)
{
	struct node *n = new_node(N_FOR, 1);
	const struct token *name = peek(p);
	if (!name || name->kind != T_WORD || !var_name_ok(name->text, strlen(name->text)))
		return fail(p);
	n->name = name->text;
	p->i++;
	linebreak(p);
	if (is_word(p, "in")) {
		p->i++;
		n->words = sh_alloc(sizeof(char *));
		while (is_kind(p, T_WORD))
			n->words = (char **)append((void **)n->words, &n->nwords, p->t[p->i++].text);
		if (!is_kind(p, T_SEMI) && !is_kind(p, T_NEWLINE))
			return fail(p);
		p->i++;
	} else if (is_kind(p, T_SEMI)) {
		p->i++;
	}
	linebreak(p);
	return (n->kids[0] = parse_do_done(p)) ? n : NULL;
}

static struct case_item *parse_case_item(struct parser *p)
{
	struct case_item *item = sh_alloc(sizeof(*item));
	if (is_kind(p, T_LPAREN))
		p->i++;
	for (;;) {
		if (!is_kind(p, T_WORD))
			return (struct case_item *)fail(p);
		item->patterns = (char **)append((void **)item->patterns, &item->npatterns,
		                                 p->t[p->i++].text);
		if (!is_kind(p, T_PIPE))
			break;
		p->i++;
	}
	if (!is_kind(p, T_RPAREN))
		return (struct case_item *)fail(p);
	p->i++;
	item->body = parse_list(p, 0);
	if (p->status != LEX_OK)
		return NULL;
	if (is_kind(p, T_DSEMI))
		p->i++;
	else if (!is_word(p, "esac"))
		return (struct case_item *)fail(p);
	linebreak(p);
	return item;
}

static struct node *parse_case(struct parser *p)
{
	struct node *n = new_node(N_CASE, 0);
	if (!is_kind(p, T_WORD))
		return fail(p);
	n->name = p->t[p->i++].text;
	linebreak(p);
	if (!expect_word(p, "in"))
		return NULL;
	linebreak(p);
	struct case_item **tail = &n->cases;
	while (!is_word(p, "esac")) {
		if (!(*tail = parse_case_item(p)))
			return NULL;
		tail = &(*tail)->next;
	}
	p->i++;
	return n;
}

static struct node *parse_enclosed(struct parser *p, enum node_kind kind)
{
	struct node *n = new_node(kind, 1);
	if (!(n->kids[0] = parse_list(p, 1)))
		return NULL;
	if (kind == N_GROUP)
		return expect_word(p, "}") ? n : NULL;
	if (!is_kind(p, T_RPAREN))
		return fail(p);
	p->i++;
	return n;
}

/* A compound command at p, or NULL with status still LEX_OK if there is none. */
static struct node *parse_compound(struct parser *p)
{
	static const char *const starts[] = { "if", "while", "until", "for", "case", "{" };
	if (is_kind(p, T_LPAREN)) {
		p->i++;
		return parse_enclosed(p, N_SUBSHELL);
	}
	size_t k = 0;
	while (k < sizeof(starts) / sizeof(starts[0]) && !is_word(p, starts[k]))
		k++;
	if (k == sizeof(starts) / sizeof(starts[0]))
		return NULL;
	p->i++;
	switch (k) {
	case 0: return parse_if(p);
	case 1: return parse_while(p, 0);
	case 2: return parse_while(p, 1);
	case 3: return parse_for(p);
	case 4: return parse_case(p);
	default: return parse_enclosed(p, N_GROUP);
	}
}

/* ---------------------------------------------------------------- simple commands */

static struct node *parse_simple(struct parser *p)
{
	struct node *n = new_node(N_CMD, 0);
	struct redir **tail = &n->redirs;
	int start = p->i;
	n->words = sh_alloc(sizeof(char *));
	while (p->status == LEX_OK && (is_kind(p, T_WORD) || is_kind(p, T_REDIR))) {
		if (is_kind(p, T_REDIR))
			parse_redir(p, &tail);
		else
			n->words = (char **)append((void **)n->words, &n->nwords, p->t[p->i++].text);
	}
	if (p->status != LEX_OK)
		return NULL;
	if (p->i == start)
		return fail(p);
	/* argv must end in NULL for exec: make room. */
	n->words = (char **)append((void **)n->words, &n->nwords, NULL);
	n->nwords--;
	return n;
}

/* NAME ( ) linebreak compound-command */
static int at_function(struct parser *p)
{
	const struct token *t = peek(p);
	return t && t->kind == T_WORD && !is_reserved(t) && var_name_ok(t->text, strlen(t->text)) &&
	       p->i + 1 < p->n && p->t[p->i + 1].kind == T_LPAREN;
}

static struct node *parse_function(struct parser *p)
{
	struct node *n = new_node(N_FUNC, 1);
	n->name = p->t[p->i].text;
	p->i += 2;
	if (!is_kind(p, T_RPAREN))
		return fail(p);
	p->i++;
	linebreak(p);
	n->kids[0] = parse_compound(p);
	if (p->status != LEX_OK)
		return NULL;
	if (!n->kids[0])
		return fail(p);
	parse_trailing_redirs(p, n->kids[0]);
	return p->status == LEX_OK ? n : NULL;
}

static struct node *parse_command(struct parser *p)
{
	if (at_function(p))
		return parse_function(p);
	if (is_reserved(peek(p)) && !is_word(p, "if") && !is_word(p, "while") &&
	    !is_word(p, "until") && !is_word(p, "for") && !is_word(p, "case") && !is_word(p, "{"))
		return fail(p);
	struct node *n = parse_compound(p);
	if (p->status != LEX_OK)
		return NULL;
	if (!n)
		return parse_simple(p);
	parse_trailing_redirs(p, n);
	return p->status == LEX_OK ? n : NULL;
}

/* ---------------------------------------------------------------- pipelines and lists */

static struct node *parse_pipeline(struct parser *p)
{
	struct node *n = new_node(N_PIPE, 0);
	size_t start = peek(p) ? peek(p)->start : 0;
	if (is_word(p, "!")) {
		n->negate = 1;
		p->i++;
	}
	for (;;) {
		struct node *c = parse_command(p);
		if (!c)
			return NULL;
		n->kids = (struct node **)append((void **)n->kids, &n->n, c);
		if (!is_kind(p, T_PIPE))
			break;
		p->i++;
		linebreak(p);
	}
	size_t end = p->t[p->i - 1].end;
	n->text = sh_strndup(p->line + start, end - start);
	return n;
}

static struct node *parse_and_or(struct parser *p)
{
	size_t start = peek(p) ? peek(p)->start : 0;
	struct node *left = parse_pipeline(p);
	while (left && (is_kind(p, T_AND) || is_kind(p, T_OR))) {
		struct node *n = new_node(is_kind(p, T_AND) ? N_AND : N_OR, 2);
		p->i++;
		linebreak(p);
		n->kids[0] = left;
		if (!(n->kids[1] = parse_pipeline(p)))
			return NULL;
		n->text = sh_strndup(p->line + start, p->t[p->i - 1].end - start);
		left = n;
	}
	return left;
}

/* Where a list stops: the end, or a word or operator that closes a construct. */
static int list_ends(struct parser *p)
{
	static const char *const closers[] = { "then", "elif", "else", "fi", "do", "done", "esac", "}" };
	const struct token *t = peek(p);
	if (!t || t->kind == T_RPAREN || t->kind == T_DSEMI)
		return 1;
	for (size_t i = 0; i < sizeof(closers) / sizeof(closers[0]); i++)
		if (is_word(p, closers[i]))
			return 1;
	return 0;
}

/* required: an empty list is a syntax error (or incomplete at the end). */
static struct node *parse_list(struct parser *p, int required)
{
	struct node *list = new_node(N_LIST, 0);
	linebreak(p);
	while (!list_ends(p)) {
		struct node *item = parse_and_or(p);
		if (!item)
			return NULL;
		list->kids = (struct node **)append((void **)list->kids, &list->n, item);
		if (is_kind(p, T_AMP) || is_kind(p, T_SEMI)) {
			item->bg = is_kind(p, T_AMP);
			p->i++;
		} else if (!is_kind(p, T_NEWLINE) && !list_ends(p)) {
			return fail(p);
		}
		linebreak(p);
	}
	if (required && list->n == 0)
		return fail(p);
	return list;
}

int parse_line(const char *line, const struct token *t, int n, struct node **out)
{
	struct parser p = { line, t, n, 0, LEX_OK };
	*out = parse_list(&p, 0);
	if (p.status == LEX_OK && p.i < n)   /* a closer with nothing open */
		fail(&p);
	return p.status;
}
