/* sh.h: the NanoOs shell's parts and what they share.
 *
 * A line goes input.c (read, with continuation lines; lineedit.c edits it
 * when standard input is a terminal, with history.c, complete.c for Tab
 * and prompt.c for $PS1) -> lex.c (tokens: raw words with
 * their quotes, operators, redirections) -> parse.c (a tree: lists,
 * and-or chains, pipelines, simple and compound commands) -> exec.c
 * (walks the tree; each word is expanded as it runs) -> jobs.c (forks
 * pipelines into process groups, waits, job control). Words are expanded
 * by expand.c (parameters, command substitution, arith.c), split into
 * fields by fields.c and matched against file names by glob.c; variables
 * live in vars.c, functions in funcs.c, traps in trap.c; builtins.c,
 * jobs.c, command.c, printf.c and test.c hold the builtins.
 * Everything made for one command comes from one arena (arena.c), dropped
 * when it is done; what outlives a command (variables, jobs, history) is
 * malloc'ed. */
#ifndef NANOOS_SH_H
#define NANOOS_SH_H

#include <stddef.h>
#include <sys/types.h>

#define SH_DEFAULT_PATH "/bin"

/* ---------------------------------------------------------------- state */
struct shell {
	int last_status;     /* $? */
	pid_t last_bg;       /* $! */
	int interactive;     /* prompts; the line editor when a terminal */
	int job_control;     /* process groups and the terminal (interactive tty) */
	pid_t pgid;          /* the shell's own process group */
	const char *name;    /* $0 */
	int argc;            /* $1 .. : argv[0..argc-1] */
	char **argv;
	int loop_depth;      /* loops running, for break/continue */
	int breaking;        /* loops left to leave (break N) */
	int continuing;      /* loops to go on with (continue N) */
	int func_depth;      /* functions running, for return */
	int returning;       /* return: leave the function */
	int subst_status;    /* the last $(...)'s status while a command expands, or -1 */
	int errexit;         /* set -e: a failing command ends the shell */
	int xtrace;          /* set -x: commands are shown on stderr before they run */
	int testing;         /* running a condition (if, while, && ||, !): set -e holds off */
};
extern struct shell sh;

/* ---------------------------------------------------------------- arena.c */
void *sh_alloc(size_t n);   /* zeroed; never NULL (out of memory exits) */
char *sh_strndup(const char *s, size_t n);
char *sh_strdup(const char *s);
void sh_arena_reset(void);
/* Everything allocated after a mark can be given back at once. */
struct arena_mark {
	struct block *block;
	size_t used;
};
struct arena_mark sh_arena_mark(void);
void sh_arena_release(struct arena_mark m);
/* What is allocated so far stays for good (a function's tree). */
void sh_arena_keep(void);
char *xstrdup(const char *s);    /* malloc'ed; out of memory exits */

/* ---------------------------------------------------------------- input.c */
struct input {
	int fd;              /* -1: read from str */
	const char *str;
	size_t pos;
	char buf[512];       /* for a file of our own (not stdin) */
	size_t buf_len, buf_pos;
	int edit;            /* stdin is a terminal: lines come from lineedit.c */
};
/* The next line without its newline (arena), or NULL at the end. */
char *input_line(struct input *in, const char *prompt);

/* ---------------------------------------------------------------- lineedit.c */
/* One line edited on the terminal (fd 0 in, fd 2 out) in raw mode; the
 * mode is put back before it returns. NULL: ^D on an empty line or end of
 * input. ^C gives an empty line. The result is malloc'ed. */
char *lineedit_read(const char *prompt);

/* ---------------------------------------------------------------- complete.c */
/* Candidates for the word before pos (it starts at *start): file names,
 * or command names in command position. Their count. */
int complete_word(const char *line, size_t pos, size_t *start, char ***names);

/* ---------------------------------------------------------------- history.c */
#define HISTORY_MAX 500
void history_load(void);            /* ~/.sh_history, if there is one */
void history_add(const char *line); /* skips blank lines and repeats */
int history_count(void);
const char *history_get(int i);     /* 0 = oldest */

/* ---------------------------------------------------------------- lex.c */
enum tok_kind {
	T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_AMP, T_REDIR, T_NEWLINE,
	T_LPAREN, T_RPAREN, T_DSEMI,
};
enum redir_kind {
	R_IN, R_OUT, R_APPEND, R_DUP, R_RDWR,
	R_HEREDOC,       /* <<WORD: the target is the body, expanded */
	R_HEREDOC_LIT,   /* <<'WORD': the body as it is */
	R_HEREDOC_TABS,  /* <<-WORD: leading tabs go; becomes one of the two above */
};

struct token {
	enum tok_kind kind;
	char *text;              /* T_WORD: the raw word, quotes and all */
	int fd;                  /* T_REDIR: the descriptor redirected */
	enum redir_kind redir;   /* T_REDIR */
	size_t start, end;       /* where it is in the line */
};

enum { LEX_OK = 0, LEX_INCOMPLETE = 1, LEX_ERROR = -1 };
int lex_line(const char *line, struct token **tokens, int *count);
/* The end of a $(...) body starting at s (just after the '('): the ')',
 * or NULL if it is not closed. */
const char *lex_subst_end(const char *s);

/* ---------------------------------------------------------------- parse.c */
struct redir {
	int fd;
	enum redir_kind kind;
	char *target;            /* raw word: a path, or for R_DUP an fd or "-" */
	struct redir *next;
};

enum node_kind {
	N_CMD,       /* words + redirs */
	N_PIPE,      /* kids[0..n-1], negate */
	N_AND,       /* kids[0] && kids[1] */
	N_OR,        /* kids[0] || kids[1] */
	N_LIST,      /* kids[0..n-1], each run in turn (a kid with bg: with &) */
	N_IF,        /* kids[0] cond, kids[1] then, kids[2] else (NULL, or an N_IF for elif) */
	N_WHILE,     /* kids[0] cond, kids[1] body; until: negate */
	N_FOR,       /* name, words, kids[0] body; words NULL: "$@" */
	N_CASE,      /* word, cases */
	N_GROUP,     /* { kids[0]; } */
	N_SUBSHELL,  /* ( kids[0] ) */
	N_FUNC,      /* name() kids[0]: defines a function */
};

struct case_item {
	char **patterns;         /* raw words */
	int npatterns;
	struct node *body;       /* NULL: empty */
	struct case_item *next;
};

struct node {
	enum node_kind kind;
	struct node **kids;
	int n;
	int bg;                  /* in an N_LIST: run without waiting */
	int negate;              /* N_PIPE: '!'; N_WHILE: until */
	char **words;            /* N_CMD: raw words (assignments first); N_FOR: the list */
	int nwords;
	char *name;              /* N_FOR: the variable; N_CASE: the raw word */
	struct case_item *cases;
	struct redir *redirs;    /* N_CMD and compound commands */
	char *text;              /* N_PIPE: its source text (for jobs) */
};

/* LEX_OK (*out may be NULL for an empty line), LEX_INCOMPLETE (an open
 * if/while/for/case, or | && || at the end: read on) or LEX_ERROR (reported). */
int parse_line(const char *line, const struct token *t, int n, struct node **out);

/* ---------------------------------------------------------------- expand.c */
/* A word being expanded: its characters and, per character, how it came. */
enum { M_LIT, M_QUOTED, M_SPLIT, M_MARK, M_BREAK };
/*   M_LIT: unquoted source text (glob active, never split)
 *   M_QUOTED: quoted or escaped (literal)
 *   M_SPLIT: from an unquoted expansion (split at IFS, glob active)
 *   M_MARK: zero width: a quote was here, so the field exists even if empty
 *   M_BREAK: zero width: a field ends here ("$@") */
struct xword {
	char *s, *m;
	size_t len, cap;
};
void xword_put(struct xword *w, const char *s, size_t n, char mask);

/* A here-document's body: $ ` and \ expanded, quotes kept. */
char *expand_heredoc(const char *body);
/* The word as one string: no splitting, no globbing (assignments,
 * redirection targets, case words). */
char *expand_word(const char *raw);
/* The word with masks, for patterns (case) and for fields. */
void expand_raw(const char *raw, struct xword *out);
/* The words of a command, split and globbed; NULL-terminated argv. */
char **expand_fields(char **raw, int n, int *argc);
/* The length of NAME in a raw word NAME=..., or 0 if it is no assignment. */
size_t assignment_name_len(const char *raw);
/* Runs a command string, for $(...) and sh -c. Returns its status. */
int run_string(const char *text);

/* ---------------------------------------------------------------- arith.c */
/* $((...)): 0 and *value, or -1 with the error reported. */
int arith_eval(const char *expr, long *value);

/* ---------------------------------------------------------------- fields.c */
struct field {
	char *s, *m;
	size_t len;
};
/* Split w at unquoted IFS characters from expansions; returns the count. */
int fields_split(const struct xword *w, struct field **out);

/* ---------------------------------------------------------------- glob.c */
/* Whether name matches pattern (mask m: M_QUOTED characters are literal). */
int glob_match(const char *pat, const char *m, size_t plen, const char *name);
/* Whether the field has an active * ? or [. */
int glob_has_magic(const struct field *f);
/* Paths matching the field, sorted, appended to *out (arena). Count. */
int glob_expand(const struct field *f, char ***out, int *n, int *cap);

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
void vars_print_all(void);

/* ---------------------------------------------------------------- exec.c */
struct expanded;   /* a simple command after expansion (exec.c) */
int exec_node(const struct node *n);
/* In a child: run the node and never return. pre: the node's words,
 * already expanded by the parent (a lone simple command), or NULL. */
void exec_in_child(const struct node *n, const struct expanded *pre) __attribute__((noreturn));
int status_of_wait(int wstatus);

/* ---------------------------------------------------------------- funcs.c */
void func_define(const char *name, const struct node *body);
const struct node *func_find(const char *name);
/* Runs a function with argv[1..] as $1..; its status. */
int func_call(const struct node *body, int argc, char **argv);
int builtin_return(int argc, char **argv);
int builtin_local(int argc, char **argv);

/* ---------------------------------------------------------------- jobs.c */
void jobs_init(void);               /* job control when interactive on a tty */
/* Forks the pipeline p (an N_PIPE, or any node run as one job); waits for
 * it unless bg. Its status (of the last command). pre: see exec_in_child. */
int jobs_run_pipeline(const struct node *p, int bg, const struct expanded *pre);
void jobs_report(void);             /* finished and stopped jobs, before a prompt */
void jobs_reap(void);               /* collect what ended, quietly */
int builtin_jobs(int argc, char **argv);
int builtin_fg(int argc, char **argv);
int builtin_bg(int argc, char **argv);
int builtin_wait(int argc, char **argv);
int builtin_kill(int argc, char **argv);
/* A child's signals as a command expects them (job control undone). */
void jobs_child_signals(void);

/* ---------------------------------------------------------------- builtins.c */
typedef int (*builtin_fn)(int argc, char **argv);
builtin_fn builtin_find(const char *name);
/* Runs the commands of a file in this shell: their status, -1 if it
 * cannot be opened (errno says why). */
int sh_source(const char *path);
/* Calls fn(arg, name) for each builtin whose name starts with prefix. */
void builtin_names_matching(const char *prefix, void (*fn)(void *, const char *), void *arg);

/* ---------------------------------------------------------------- trap.c */
int builtin_trap(int argc, char **argv);
void trap_run_pending(void);     /* the traps of signals that came, between commands */
void trap_run_exit(void);        /* the EXIT trap (atexit) */
void trap_reset_in_child(void);  /* a subshell: caught signals back to default */

/* ---------------------------------------------------------------- command.c */
int builtin_type(int argc, char **argv);
int builtin_command(int argc, char **argv);
/* argv[0] found through PATH, run in the foreground: its status. */
int run_program(char **argv);

/* ---------------------------------------------------------------- test.c, printf.c */
int builtin_test(int argc, char **argv);
int builtin_printf(int argc, char **argv);
/* The escape after a backslash at s (\n \t \0NNN \xHH ...); *used: its
 * length (0: not an escape, the backslash stands for itself). */
char escape(const char *s, size_t *used);

/* ---------------------------------------------------------------- prompt.c */
/* $PS1 (or $PS2 for a continuation line) with its escapes expanded. */
const char *prompt_text(int continuation);

/* ---------------------------------------------------------------- main.c */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
