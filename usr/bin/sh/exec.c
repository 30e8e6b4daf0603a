/* exec.c: running a parsed tree.
 *
 * Lists run item by item ('&' items become background jobs); && and ||
 * run or skip by the last status, as POSIX says; if/while/until/for/case
 * and { } run in the shell itself, with their redirections undone
 * afterwards. A lone simple command is expanded here: a builtin (cd,
 * exit, export ...) or a line of bare assignments runs in the shell, any
 * other command is forked by jobs.c with the words already expanded. A
 * longer pipeline, a ( subshell ) or a background job is forked by jobs.c,
 * each child coming back to exec_in_child. A pipeline's status is its last
 * command's: the exit code, or 128 + the signal that killed it (named on
 * stderr unless it was SIGINT or SIGPIPE); '!' inverts it. A command name
 * is looked up as a function (funcs.c), a builtin, then through PATH;
 * exec is done here (it needs the redirections). */
#define _GNU_SOURCE   /* execvpe */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

/* A command after expansion: leading NAME=VALUE words, then argv. */
struct expanded {
	char **assign;
	int nassign;
	char **argv;
	int argc;
};

static void expand_command(const struct node *c, struct expanded *x)
{
	int i = 0;
	x->assign = sh_alloc((size_t)(c->nwords + 1) * sizeof(char *));
	x->nassign = 0;
	for (; i < c->nwords && assignment_name_len(c->words[i]); i++)
		x->assign[x->nassign++] = expand_word(c->words[i]);
	x->argv = expand_fields(c->words + i, c->nwords - i, &x->argc);
}

int status_of_wait(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus)) {
		int sig = WTERMSIG(wstatus);
		if (sig != SIGINT && sig != SIGPIPE)
			fprintf(stderr, "%s\n", strsignal(sig));
		return 128 + sig;
	}
	if (WIFSTOPPED(wstatus))
		return 128 + WSTOPSIG(wstatus);
	return 1;
}

/* ---------------------------------------------------------------- redirections */

static int open_target(const struct redir *r, const char *target)
{
	static const int flags_of[] = {
		[R_IN] = O_RDONLY,
		[R_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
		[R_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
		[R_RDWR] = O_RDWR | O_CREAT,
	};
	int fd = open(target, flags_of[r->kind], 0666);
	if (fd < 0)
		sh_error("%s: %s", target, strerror(errno));
	return fd;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A here-document on r->fd: a pipe holding the body. A body bigger than
 * the smallest pipe (128 bytes on AVR) is written by a child, so that
 * neither side waits for the other. */
static int heredoc(const struct redir *r)
{
	const char *body = r->kind == R_HEREDOC ? expand_heredoc(r->target) : r->target;
	size_t len = strlen(body);
	int fds[2];
	if (pipe(fds) < 0) {
		sh_error("here-document: %s", strerror(errno));
		return -1;
	}
	if (len <= 128) {
		write_all(fds[1], body, len);
	} else {
		pid_t writer = fork();
		if (writer == 0) {
			close(fds[0]);
			_exit(write_all(fds[1], body, len) < 0);
		}
		if (writer < 0)
			sh_error("here-document: fork: %s", strerror(errno));
	}
	close(fds[1]);
	if (fds[0] != r->fd) {
		dup2(fds[0], r->fd);
		close(fds[0]);
	}
	return 0;
}

/* One redirection: 0, or -1 with the error reported. */
static int apply_redir(const struct redir *r)
{
	if (r->kind == R_HEREDOC || r->kind == R_HEREDOC_LIT)
		return heredoc(r);
	const char *target = expand_word(r->target);
	if (r->kind == R_DUP) {
		if (strcmp(target, "-") == 0)
			return close(r->fd), 0;
		char *end;
		long from = strtol(target, &end, 10);
		if (end == target || *end || dup2((int)from, r->fd) < 0) {
			sh_error("%s: bad file descriptor", target);
			return -1;
		}
		return 0;
	}
	int fd = open_target(r, target);
	if (fd < 0)
		return -1;
	if (fd != r->fd) {
		dup2(fd, r->fd);
		close(fd);
	}
	return 0;
}

static int apply_redirs(const struct redir *r)
{
	for (; r; r = r->next)
		if (apply_redir(r) < 0)
			return -1;
	return 0;
}

/* Redirections for a command run in the shell itself: the descriptors they
 * replace are kept (close-on-exec, above 9) and put back afterwards. */
struct saved_fds {
	int fd[16], copy[16];
	int n;
};

static int redirect_in_shell(const struct redir *r, struct saved_fds *saved)
{
	fflush(stdout);
	fflush(stderr);
	saved->n = 0;
	for (; r; r = r->next) {
		if (saved->n == 16) {
			sh_error("too many redirections");
			return -1;
		}
		saved->fd[saved->n] = r->fd;
		saved->copy[saved->n++] = fcntl(r->fd, F_DUPFD_CLOEXEC, 10);
		if (apply_redir(r) < 0)
			return -1;
	}
	return 0;
}

static void restore_fds(struct saved_fds *saved)
{
	fflush(stdout);
	fflush(stderr);
	while (saved->n-- > 0) {
		int i = saved->n;
		if (saved->copy[i] >= 0) {
			dup2(saved->copy[i], saved->fd[i]);
			close(saved->copy[i]);
		} else {
			close(saved->fd[i]);
		}
	}
}

/* ---------------------------------------------------------------- simple commands */

static void set_assignments(const struct expanded *x)
{
	for (int i = 0; i < x->nassign; i++) {
		char *eq = strchr(x->assign[i], '=');
		*eq = '\0';
		var_set(x->assign[i], eq + 1);
		*eq = '=';
	}
}

/* execve through PATH, with the assignments in the environment; on
 * failure the error and _exit 127 (not found) or 126. */
static void exec_program(const struct expanded *x, int argv0)
{
	char **argv = x->argv + argv0;
	char **envp = vars_environ(x->assign, x->nassign);
	environ = envp;
	execvpe(argv[0], argv, envp);
	int err = errno;
	if (err == ENOENT && !strchr(argv[0], '/'))
		sh_error("%s: not found", argv[0]);
	else
		sh_error("%s: %s", argv[0], strerror(err));
	fflush(stderr);
	_exit(err == ENOENT ? 127 : 126);
}

/* A function or a builtin by that name (0: neither). */
static int run_in_shell(const struct expanded *x, int *status)
{
	const struct node *f = func_find(x->argv[0]);
	if (f) {
		*status = func_call(f, x->argc, x->argv);
		return 1;
	}
	builtin_fn builtin = builtin_find(x->argv[0]);
	if (!builtin)
		return 0;
	set_assignments(x);
	*status = builtin(x->argc, x->argv);
	return 1;
}

static void exec_simple_in_child(const struct node *c, const struct expanded *pre)
{
	struct expanded mine;
	int status;
	if (!pre) {
		expand_command(c, &mine);
		pre = &mine;
	}
	if (apply_redirs(c->redirs) < 0)
		_exit(1);
	if (pre->argc == 0)
		_exit(0);
	if (!strcmp(pre->argv[0], "exec") && pre->argc > 1)
		exec_program(pre, 1);
	if (run_in_shell(pre, &status)) {
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	exec_program(pre, 0);
}

/* exec [COMMAND]: the command replaces the shell; without one, the
 * redirections stay for the rest of the shell's life. */
static int run_exec(const struct node *c, const struct expanded *x)
{
	if (apply_redirs(c->redirs) < 0)
		return 1;
	if (x->argc > 1) {
		fflush(stdout);
		fflush(stderr);
		exec_program(x, 1);
	}
	return 0;
}

/* set -x: "+ NAME=VALUE ARG ..." on stderr. */
static void trace(const struct expanded *x)
{
	fputc('+', stderr);
	for (int i = 0; i < x->nassign; i++)
		fprintf(stderr, " %s", x->assign[i]);
	for (int i = 0; i < x->argc; i++)
		fprintf(stderr, " %s", x->argv[i]);
	fputc('\n', stderr);
	fflush(stderr);
}

/* A lone simple command in the foreground. */
static int run_simple(const struct node *pipe, const struct node *c)
{
	struct expanded x;
	sh.subst_status = -1;
	expand_command(c, &x);
	if (sh.xtrace)
		trace(&x);
	if (x.argc && !strcmp(x.argv[0], "exec"))
		return run_exec(c, &x);
	if (x.argc && !func_find(x.argv[0]) && !builtin_find(x.argv[0]))
		return jobs_run_pipeline(pipe ? pipe : c, 0, &x);
	struct saved_fds saved;
	int status;
	if (redirect_in_shell(c->redirs, &saved) < 0) {
		status = 1;
	} else if (!x.argc) {
		set_assignments(&x);
		status = sh.subst_status >= 0 ? sh.subst_status : 0;
	} else {
		run_in_shell(&x, &status);
	}
	restore_fds(&saved);
	return status;
}

/* ---------------------------------------------------------------- compound commands */

/* Whether a break or continue is leaving the commands around it. */
static int leaving(void)
{
	return sh.breaking || sh.continuing || sh.returning;
}

/* After a loop's body: 1 if the loop must end. */
static int loop_ends(void)
{
	if (sh.returning)
		return 1;
	if (sh.breaking) {
		sh.breaking--;
		return 1;
	}
	if (sh.continuing) {
		sh.continuing--;
		return sh.continuing > 0;   /* continue N: the outer loop goes on */
	}
	return 0;
}

/* A condition: set -e does not end the shell when it fails. */
static int run_condition(const struct node *n)
{
	sh.testing++;
	int status = exec_node(n);
	sh.testing--;
	return status;
}

static int run_while(const struct node *n)
{
	int status = 0;
	struct arena_mark turn = sh_arena_mark();
	sh.loop_depth++;
	for (;; sh_arena_release(turn)) {
		int cond = run_condition(n->kids[0]);
		if (leaving()) {
			if (loop_ends())
				break;
			continue;
		}
		if ((cond == 0) == n->negate)
			break;
		status = exec_node(n->kids[1]);
		if (leaving() && loop_ends())
			break;
	}
	sh.loop_depth--;
	return status;
}

static int run_for(const struct node *n)
{
	char **words = sh.argv;
	int count = sh.argc, status = 0;
	if (n->words)
		words = expand_fields(n->words, n->nwords, &count);
	struct arena_mark turn = sh_arena_mark();
	sh.loop_depth++;
	for (int i = 0; i < count; i++, sh_arena_release(turn)) {
		var_set(n->name, words[i]);
		status = exec_node(n->kids[0]);
		if (leaving() && loop_ends())
			break;
	}
	sh.loop_depth--;
	return status;
}

static int run_case(const struct node *n)
{
	const char *word = expand_word(n->name);
	for (const struct case_item *item = n->cases; item; item = item->next) {
		for (int i = 0; i < item->npatterns; i++) {
			struct xword pat = { 0 };
			expand_raw(item->patterns[i], &pat);
			if (glob_match(pat.s, pat.m, pat.len, word))
				return item->body ? exec_node(item->body) : 0;
		}
	}
	return 0;
}

static int run_if(const struct node *n)
{
	int cond = run_condition(n->kids[0]);
	if (leaving())
		return cond;
	if (cond == 0)
		return exec_node(n->kids[1]);
	return n->kids[2] ? exec_node(n->kids[2]) : 0;
}

/* A compound command's body, without its redirections. */
static int run_compound_body(const struct node *n)
{
	switch (n->kind) {
	case N_IF: return run_if(n);
	case N_WHILE: return run_while(n);
	case N_FOR: return run_for(n);
	case N_CASE: return run_case(n);
	case N_GROUP:
	case N_SUBSHELL: return exec_node(n->kids[0]);
	case N_FUNC: func_define(n->name, n->kids[0]); return 0;
	default: return exec_node(n);
	}
}

static int run_compound(const struct node *n)
{
	struct saved_fds saved;
	int status = 1;
	if (redirect_in_shell(n->redirs, &saved) == 0)
		status = run_compound_body(n);
	restore_fds(&saved);
	return status;
}

/* ---------------------------------------------------------------- pipelines and lists */

static int run_pipe(const struct node *p)
{
	const struct node *only = p->n == 1 ? p->kids[0] : NULL;
	int status;
	if (only && only->kind == N_CMD)
		status = run_simple(p, only);
	else if (only && only->kind != N_SUBSHELL)
		status = run_compound(only);
	else
		status = jobs_run_pipeline(p, 0, NULL);
	return p->negate ? !status : status;
}

static int run_list(const struct node *l)
{
	int status = 0;
	for (int i = 0; i < l->n && !leaving(); i++) {
		if (l->kids[i]->bg)
			status = jobs_run_pipeline(l->kids[i], 1, NULL);
		else
			status = exec_node(l->kids[i]);
		sh.last_status = status;
		trap_run_pending();
	}
	return status;
}

int exec_node(const struct node *n)
{
	int status;
	switch (n->kind) {
	case N_LIST:
		return run_list(n);
	case N_AND:
	case N_OR:
		status = run_condition(n->kids[0]);
		sh.last_status = status;
		if (!leaving() && (status == 0) == (n->kind == N_AND))
			status = exec_node(n->kids[1]);
		break;
	case N_PIPE:
		if (n->negate)
			sh.testing++;
		status = run_pipe(n);
		if (n->negate)
			sh.testing--;
		else if (status && sh.errexit && !sh.testing)
			exit(status);
		break;
	case N_CMD:
		status = run_simple(NULL, n);
		break;
	default:
		status = run_compound(n);
		break;
	}
	sh.last_status = status;
	return status;
}

void exec_in_child(const struct node *n, const struct expanded *pre)
{
	if (n->kind == N_CMD)
		exec_simple_in_child(n, pre);
	int status = 1;
	if (n->kind >= N_IF && apply_redirs(n->redirs) < 0)
		_exit(1);
	status = n->kind >= N_IF ? run_compound_body(n) : exec_node(n);
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}
