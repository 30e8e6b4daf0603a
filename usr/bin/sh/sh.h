/* sh.h: the NanoOs shell's parts and what they share.
 *
 * A line goes input.c (read, with continuation lines) -> lex.c (tokens:
 * raw words with their quotes, operators, redirections) -> parse.c (a list
 * of pipelines joined by ; && || &) -> exec.c (expand each word as it runs,
 * fork/exec, pipes, redirections, builtins in the shell itself). Words are
 * expanded by expand.c; variables live in vars.c; builtins.c has cd, exit,
 * export and friends. Everything made for one line comes from one arena
 * (arena.c), dropped when the line is done. */
#ifndef NANOOS_SH_H
#define NANOOS_SH_H

#include <stddef.h>
#include <sys/types.h>

#define SH_DEFAULT_PATH "/bin"

/* ---------------------------------------------------------------- state */
struct shell {
	int last_status;     /* $? */
	pid_t last_bg;       /* $! */
	int interactive;
	const char *name;    /* $0 */
	int argc;            /* $1 .. : argv[0..argc-1] */
	char **argv;
};
extern struct shell sh;

/* ---------------------------------------------------------------- arena.c */
void *sh_alloc(size_t n);   /* zeroed; never NULL (out of memory exits) */
char *sh_strndup(const char *s, size_t n);
char *sh_strdup(const char *s);
void sh_arena_reset(void);

/* ---------------------------------------------------------------- input.c */
struct input {
	int fd;              /* -1: read from str */
	const char *str;
	size_t pos;
	char buf[512];       /* for a file of our own (not stdin) */
	size_t buf_len, buf_pos;
};
/* The next line without its newline (arena), or NULL at the end. */
char *input_line(struct input *in, const char *prompt);

/* ---------------------------------------------------------------- lex.c */
enum tok_kind { T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_AMP, T_REDIR };
enum redir_kind { R_IN, R_OUT, R_APPEND, R_DUP };

struct token {
	enum tok_kind kind;
	char *text;              /* T_WORD: the raw word, quotes and all */
	int fd;                  /* T_REDIR: the descriptor redirected */
	enum redir_kind redir;   /* T_REDIR */
};

enum { LEX_OK = 0, LEX_INCOMPLETE = 1, LEX_ERROR = -1 };
int lex_line(const char *line, struct token **tokens, int *count);

/* ---------------------------------------------------------------- parse.c */
struct redir {
	int fd;
	enum redir_kind kind;
	char *target;            /* raw word: a path, or for R_DUP an fd or "-" */
	struct redir *next;
};

struct command {
	char **words;            /* raw words; assignments first */
	int nwords;
	struct redir *redirs;
};

enum next_kind { NEXT_SEQ, NEXT_AND, NEXT_OR, NEXT_BG };

struct pipeline {
	struct command *cmds;
	int ncmds;
	enum next_kind next;     /* how the following pipeline runs */
};

struct list {
	struct pipeline *items;
	int n;
};

/* LEX_OK, LEX_INCOMPLETE (ends with | && ||: read on) or LEX_ERROR. */
int parse_tokens(const struct token *t, int n, struct list *out);

/* ---------------------------------------------------------------- expand.c */
char *expand_word(const char *raw);
/* The length of NAME in a raw word NAME=..., or 0 if it is no assignment. */
size_t assignment_name_len(const char *raw);

/* ---------------------------------------------------------------- vars.c */
void vars_import(char **envp);
const char *var_get(const char *name);
void var_set(const char *name, const char *value);
void var_export(const char *name);
void var_unset(const char *name);
int var_name_ok(const char *s, size_t len);
/* "NAME=VALUE" for every exported variable and every string of EXTRA
 * (which win over a variable of the same name). */
char **vars_environ(char **extra, int nextra);
void vars_print_exported(void);

/* ---------------------------------------------------------------- exec.c */
int run_list(const struct list *l);
int status_of_wait(int wstatus);

/* ---------------------------------------------------------------- builtins.c */
typedef int (*builtin_fn)(int argc, char **argv);
builtin_fn builtin_find(const char *name);

/* ---------------------------------------------------------------- main.c */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
