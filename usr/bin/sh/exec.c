/* exec.c: running a parsed list.
 *
 * Pipelines joined by && and || run or are skipped by the last status, as
 * POSIX says; '&' runs a pipeline without waiting ($! is its last pid). A
 * lone builtin (cd, exit, export ...) runs in the shell itself, with its
 * redirections undone afterwards; every other command, and every command
 * of a longer pipeline, runs in a child: fork, pipes onto 0 and 1,
 * redirections, then the builtin or execvpe through PATH. A pipeline's
 * status is its last command's: the exit code, or 128 + the signal that
 * killed it (named on stderr unless it was SIGINT or SIGPIPE). */
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

static void expand_command(const struct command *c, struct expanded *x)
{
	x->assign = sh_alloc((size_t)(c->nwords + 1) * sizeof(char *));
	x->argv = sh_alloc((size_t)(c->nwords + 1) * sizeof(char *));
	x->nassign = x->argc = 0;
	int i = 0;
	for (; i < c->nwords && assignment_name_len(c->words[i]); i++)
		x->assign[x->nassign++] = expand_word(c->words[i]);
	for (; i < c->nwords; i++)
		x->argv[x->argc++] = expand_word(c->words[i]);
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
	return 1;
}

/* ---------------------------------------------------------------- redirections */

static int open_target(const struct redir *r, const char *target)
{
	static const int flags_of[] = {
		[R_IN] = O_RDONLY,
		[R_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
		[R_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
	};
	int fd = open(target, flags_of[r->kind], 0666);
	if (fd < 0)
		sh_error("%s: %s", target, strerror(errno));
	return fd;
}

/* One redirection: 0, or -1 with the error reported. */
static int apply_redir(const struct redir *r)
{
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
struct saved_fd {
	int fd, copy;
};

static int save_fds(const struct redir *r, struct saved_fd *saved)
{
	int n = 0;
	for (; r; r = r->next) {
		saved[n].fd = r->fd;
		saved[n++].copy = fcntl(r->fd, F_DUPFD_CLOEXEC, 10);
	}
	return n;
}

static void restore_fds(struct saved_fd *saved, int n)
{
	fflush(stdout);
	fflush(stderr);
	while (n-- > 0) {
		if (saved[n].copy >= 0) {
			dup2(saved[n].copy, saved[n].fd);
			close(saved[n].copy);
		} else {
			close(saved[n].fd);
		}
	}
}

/* ---------------------------------------------------------------- commands */

static void set_assignments(const struct expanded *x)
{
	for (int i = 0; i < x->nassign; i++) {
		char *eq = strchr(x->assign[i], '=');
		*eq = '\0';
		var_set(x->assign[i], eq + 1);
		*eq = '=';
	}
}

/* In a child: run the command and never return. */
static void exec_in_child(const struct command *c)
{
	struct expanded x;
	expand_command(c, &x);
	if (apply_redirs(c->redirs) < 0)
		_exit(1);
	if (x.argc == 0)
		_exit(0);
	builtin_fn builtin = builtin_find(x.argv[0]);
	if (builtin) {
		set_assignments(&x);
		int status = builtin(x.argc, x.argv);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	char **envp = vars_environ(x.assign, x.nassign);
	environ = envp;
	execvpe(x.argv[0], x.argv, envp);
	int err = errno;
	if (err == ENOENT && !strchr(x.argv[0], '/'))
		sh_error("%s: not found", x.argv[0]);
	else
		sh_error("%s: %s", x.argv[0], strerror(err));
	fflush(stderr);
	_exit(err == ENOENT ? 127 : 126);
}

/* A single command that needs no child: only assignments, or a builtin. */
static int run_in_shell(const struct command *c, int *status)
{
	struct expanded x;
	expand_command(c, &x);
	builtin_fn builtin = x.argc ? builtin_find(x.argv[0]) : NULL;
	if (x.argc && !builtin)
		return 0;
	struct saved_fd saved[16];
	int nsaved = save_fds(c->redirs, saved);
	if (apply_redirs(c->redirs) < 0) {
		*status = 1;
	} else if (builtin) {
		*status = builtin(x.argc, x.argv);
	} else {
		set_assignments(&x);
		*status = 0;
	}
	restore_fds(saved, nsaved);
	return 1;
}

static int count_redirs(const struct redir *r)
{
	int n = 0;
	for (; r; r = r->next)
		n++;
	return n;
}

static pid_t start_child(const struct command *c, int in, int out, int close_in_child)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (sh.interactive) {   /* the prompt's Ctrl-C handling is not the command's */
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
	}
	if (in != 0) {
		dup2(in, 0);
		close(in);
	}
	if (out != 1) {
		dup2(out, 1);
		close(out);
	}
	if (close_in_child >= 0)
		close(close_in_child);
	exec_in_child(c);
	return 0;
}

static int wait_for(pid_t pid)
{
	int wstatus;
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return 127;
	return status_of_wait(wstatus);
}

static int run_pipeline(const struct pipeline *p, int background)
{
	int status;
	if (p->ncmds == 1 && !background && count_redirs(p->cmds[0].redirs) <= 16 &&
	    run_in_shell(&p->cmds[0], &status))
		return status;
	fflush(stdout);
	fflush(stderr);
	pid_t *pids = sh_alloc((size_t)p->ncmds * sizeof(pid_t));
	int in = 0;
	for (int i = 0; i < p->ncmds; i++) {
		int fds[2] = { -1, 1 };
		if (i < p->ncmds - 1 && pipe(fds) < 0) {
			sh_error("pipe: %s", strerror(errno));
			break;
		}
		pids[i] = start_child(&p->cmds[i], in, fds[1], fds[0]);
		if (pids[i] < 0)
			sh_error("fork: %s", strerror(errno));
		if (in != 0)
			close(in);
		if (fds[1] != 1)
			close(fds[1]);
		in = fds[0] >= 0 ? fds[0] : 0;
	}
	if (in != 0)
		close(in);
	if (background) {
		sh.last_bg = pids[p->ncmds - 1];
		return 0;
	}
	status = 0;
	for (int i = 0; i < p->ncmds; i++)
		if (pids[i] > 0)
			status = wait_for(pids[i]);
	return status;
}

int run_list(const struct list *l)
{
	int status = sh.last_status;
	for (int i = 0; i < l->n; i++) {
		enum next_kind prev = i ? l->items[i - 1].next : NEXT_SEQ;
		if ((prev == NEXT_AND && status != 0) || (prev == NEXT_OR && status == 0))
			continue;
		status = run_pipeline(&l->items[i], l->items[i].next == NEXT_BG);
		sh.last_status = status;
	}
	return status;
}
