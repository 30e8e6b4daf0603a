/* jobs.c: forking pipelines, waiting for them, and job control.
 *
 * Every pipeline the shell forks is a job: its processes, its text, and
 * (with job control) its own process group. Job control is on when the
 * shell is interactive and standard input is a terminal whose foreground
 * group it can read: then the shell ignores SIGINT, SIGQUIT, SIGTERM,
 * SIGTSTP, SIGTTIN and SIGTTOU, puts each pipeline in a new group (setpgid in
 * parent and child, so neither races the other), gives a foreground job
 * the terminal (tcsetpgrp) and takes it back, with its own terminal modes,
 * when the job ends or stops. A stop is seen through waitpid's WUNTRACED
 * ("[1]+  Stopped  sleep 100"); fg and bg send SIGCONT to the group.
 * Background jobs print "[N] PID" and are reported "Done" before the next
 * prompt. Builtins: jobs [-lp], fg [%N], bg [%N], wait [%N | PID]...,
 * kill [-SIG] %N (job names for /bin/kill).
 * Job names: %N, %%, %+ (current), %- (previous), %TEXT (starts with). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "sh.h"

struct proc {
	pid_t pid;
	int wstatus;
	int done, stopped;
};

struct job {
	int id;
	pid_t pgid;              /* the group, or the first process without job control */
	char *text;
	struct proc *procs;
	int nprocs;
	int seq;                 /* bigger: more recently started, stopped or resumed */
	int notified;            /* its stop was reported */
	int have_tmodes;
	struct termios tmodes;   /* the terminal as the job left it when it stopped */
	struct job *next;
};

static struct job *jobs;
static int job_seq;
static struct termios shell_tmodes;
static int have_shell_tmodes;

/* Ignored by an interactive shell with job control (SIGTERM too, as POSIX
 * asks: a `kill 0` at the prompt must not end the shell), default again
 * in its children. */
static const int job_control_signals[] = { SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU };
#define NSIGNALS ((int)(sizeof(job_control_signals) / sizeof(job_control_signals[0])))

/* ---------------------------------------------------------------- the table */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p) {
		fputs("sh: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static struct job *job_new(const char *text, int nprocs)
{
	struct job *j = xcalloc(1, sizeof(*j)), **tail = &jobs;
	int id = 1;
	for (struct job *o = jobs; o; o = o->next)
		if (o->id >= id)
			id = o->id + 1;
	j->id = id;
	j->text = xstrdup(text ? text : "");
	j->procs = xcalloc((size_t)nprocs, sizeof(*j->procs));
	j->nprocs = nprocs;
	j->seq = ++job_seq;
	while (*tail)
		tail = &(*tail)->next;
	*tail = j;
	return j;
}

static void job_free(struct job *j)
{
	for (struct job **p = &jobs; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			break;
		}
	}
	free(j->text);
	free(j->procs);
	free(j);
}

static int job_done(const struct job *j)
{
	for (int i = 0; i < j->nprocs; i++)
		if (!j->procs[i].done)
			return 0;
	return 1;
}

static int job_stopped(const struct job *j)
{
	int stopped = 0;
	for (int i = 0; i < j->nprocs; i++) {
		if (!j->procs[i].done && !j->procs[i].stopped)
			return 0;
		stopped |= j->procs[i].stopped;
	}
	return stopped;
}

/* The current job (+) is the most recent; the previous (-) the one before. */
static struct job *job_ranked(int rank)
{
	struct job *best = NULL, *second = NULL;
	for (struct job *j = jobs; j; j = j->next) {
		if (!best || j->seq > best->seq) {
			second = best;
			best = j;
		} else if (!second || j->seq > second->seq) {
			second = j;
		}
	}
	return rank == 0 ? best : second;
}

static char job_mark(const struct job *j)
{
	return j == job_ranked(0) ? '+' : j == job_ranked(1) ? '-' : ' ';
}

/* What happened to one process, wherever its job is. */
static void record(pid_t pid, int wstatus)
{
	for (struct job *j = jobs; j; j = j->next) {
		for (int i = 0; i < j->nprocs; i++) {
			struct proc *p = &j->procs[i];
			if (p->pid != pid)
				continue;
			if (WIFSTOPPED(wstatus)) {
				p->stopped = 1;
				j->notified = 0;
				j->seq = ++job_seq;
			} else if (WIFCONTINUED(wstatus)) {
				p->stopped = 0;
			} else {
				p->done = 1;
				p->stopped = 0;
				p->wstatus = wstatus;
			}
			return;
		}
	}
}

static int wait_options(void)
{
	return sh.job_control ? WUNTRACED : 0;
}

/* Collects every change that is there, without blocking. */
void jobs_reap(void)
{
	int wstatus;
	pid_t pid;
	while ((pid = waitpid(-1, &wstatus, WNOHANG | wait_options())) > 0)
		record(pid, wstatus);
	if (sh.interactive)
		return;
	/* A script has no one to tell: forget finished jobs but $!'s. */
	for (struct job *j = jobs, *next; j; j = next) {
		next = j->next;
		if (job_done(j) && j->procs[j->nprocs - 1].pid != sh.last_bg)
			job_free(j);
	}
}

/* Blocks until the job has ended or stopped. */
static void wait_job(struct job *j)
{
	while (!job_done(j) && !job_stopped(j)) {
		int wstatus;
		pid_t pid = waitpid(-1, &wstatus, wait_options());
		if (pid > 0) {
			record(pid, wstatus);
		} else if (errno == ECHILD) {   /* gone without a word: count it failed */
			for (int i = 0; i < j->nprocs; i++)
				if (!j->procs[i].done)
					j->procs[i] = (struct proc){ j->procs[i].pid, 127 << 8, 1, 0 };
		} else if (errno != EINTR) {
			sh_error("wait: %s", strerror(errno));
			return;
		}
	}
}

/* ---------------------------------------------------------------- reports */

/* "Running", "Stopped", "Done", "Exit 3", "Terminated" ... */
static const char *job_state(const struct job *j, char *buf, size_t size)
{
	if (job_stopped(j))
		return "Stopped";
	if (!job_done(j))
		return "Running";
	int ws = j->procs[j->nprocs - 1].wstatus;
	if (WIFSIGNALED(ws))
		return strsignal(WTERMSIG(ws));
	if (WEXITSTATUS(ws) == 0)
		return "Done";
	snprintf(buf, size, "Exit %d", WEXITSTATUS(ws));
	return buf;
}

static void job_print(FILE *out, const struct job *j, int with_pid)
{
	char buf[32];
	if (with_pid)
		fprintf(out, "[%d]%c %d %-22s  %s\n", j->id, job_mark(j), (int)j->pgid,
		        job_state(j, buf, sizeof(buf)), j->text);
	else
		fprintf(out, "[%d]%c  %-22s  %s\n", j->id, job_mark(j), job_state(j, buf, sizeof(buf)),
		        j->text);
}

void jobs_report(void)
{
	jobs_reap();
	for (struct job *j = jobs, *next; j; j = next) {
		next = j->next;
		if (job_done(j)) {
			job_print(stderr, j, 0);
			job_free(j);
		} else if (job_stopped(j) && !j->notified) {
			job_print(stderr, j, 0);
			j->notified = 1;
		}
	}
	fflush(stderr);
}

/* Stopped jobs would stay stopped forever once the shell is gone. */
static void hang_up_stopped_jobs(void)
{
	for (struct job *j = jobs; j; j = j->next) {
		if (job_stopped(j)) {
			killpg(j->pgid, SIGHUP);
			killpg(j->pgid, SIGCONT);
		}
	}
}

/* ---------------------------------------------------------------- the terminal */

void jobs_init(void)
{
	if (!sh.interactive || !isatty(0))
		return;
	/* Started in the background of another shell: wait to be brought forward. */
	pid_t fg;
	for (int tries = 0; (fg = tcgetpgrp(0)) >= 0 && fg != getpgrp() && tries < 50; tries++)
		kill(-getpgrp(), SIGTTIN);
	if (fg < 0)
		return;
	for (int i = 0; i < NSIGNALS; i++)
		signal(job_control_signals[i], SIG_IGN);
	sh.pgid = getpid();
	if (setpgid(0, sh.pgid) < 0)   /* a session leader already leads its group */
		sh.pgid = getpgrp();
	tcsetpgrp(0, sh.pgid);
	have_shell_tmodes = tcgetattr(0, &shell_tmodes) == 0;
	sh.job_control = 1;
	atexit(hang_up_stopped_jobs);
}

void jobs_child_signals(void)
{
	if (!sh.interactive)
		return;
	for (int i = 0; i < NSIGNALS; i++)
		signal(job_control_signals[i], SIG_DFL);
}

static void give_terminal(pid_t pgid)
{
	if (sh.job_control)
		tcsetpgrp(0, pgid);
}

static void take_terminal_back(struct job *j)
{
	if (!sh.job_control)
		return;
	tcsetpgrp(0, sh.pgid);
	if (job_stopped(j))
		j->have_tmodes = tcgetattr(0, &j->tmodes) == 0;
	if (have_shell_tmodes)
		tcsetattr(0, TCSADRAIN, &shell_tmodes);
}

/* Waits for a foreground job; its status, and it leaves the table when done. */
static int foreground(struct job *j)
{
	give_terminal(j->pgid);
	wait_job(j);
	take_terminal_back(j);
	if (job_stopped(j)) {
		fputc('\n', stderr);
		job_print(stderr, j, 0);
		j->notified = 1;
		return 128 + SIGTSTP;
	}
	int status = 0;
	for (int i = 0; i < j->nprocs; i++)
		status = status_of_wait(j->procs[i].wstatus);
	if (sh.interactive && status == 128 + SIGINT)
		fputc('\n', stderr);   /* the next prompt on a line of its own after ^C */
	job_free(j);
	return status;
}

/* ---------------------------------------------------------------- starting */

/* In the child, before it runs its command. */
static void child_setup(pid_t pgid, int bg, int in, int out, int close_fd)
{
	if (sh.job_control) {
		setpgid(0, pgid ? pgid : getpid());
		if (!bg)
			tcsetpgrp(0, pgid ? pgid : getpid());
	}
	jobs_child_signals();
	trap_reset_in_child();
	if (bg && !sh.job_control) {   /* POSIX: an async list ignores ^C */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
	}
	sh.job_control = 0;
	sh.interactive = 0;
	for (struct job *j = jobs, *next; j; j = next) {   /* not this child's to wait for */
		next = j->next;
		job_free(j);
	}
	if (in != 0) {
		dup2(in, 0);
		close(in);
	}
	if (out != 1) {
		dup2(out, 1);
		close(out);
	}
	if (close_fd >= 0)
		close(close_fd);
}

int jobs_run_pipeline(const struct node *p, int bg, const struct expanded *pre)
{
	const struct node *const *kids = (const struct node *const *)&p;
	int n = 1;
	if (p->kind == N_PIPE) {
		kids = (const struct node *const *)p->kids;
		n = p->n;
	}
	fflush(stdout);
	fflush(stderr);
	struct job *j = job_new(p->text, n);
	int in = 0;
	for (int i = 0; i < n; i++) {
		int fds[2] = { -1, 1 };
		if (i < n - 1 && pipe(fds) < 0) {
			sh_error("pipe: %s", strerror(errno));
			fds[0] = -1;
			fds[1] = 1;
		}
		pid_t pid = fork();
		if (pid == 0) {
			child_setup(j->pgid, bg, in, fds[1], fds[0]);
			exec_in_child(kids[i], n == 1 ? pre : NULL);
		}
		if (pid < 0) {
			sh_error("fork: %s", strerror(errno));
			j->procs[i] = (struct proc){ 0, 126 << 8, 1, 0 };
		} else {
			j->procs[i].pid = pid;
			if (!j->pgid)
				j->pgid = pid;
			if (sh.job_control)
				setpgid(pid, j->pgid);
		}
		if (in != 0)
			close(in);
		if (fds[1] != 1)
			close(fds[1]);
		in = fds[0] >= 0 ? fds[0] : 0;
	}
	if (in != 0)
		close(in);
	if (!bg)
		return foreground(j);
	sh.last_bg = j->procs[n - 1].pid;
	if (sh.interactive) {
		fprintf(stderr, "[%d] %d\n", j->id, (int)sh.last_bg);
		fflush(stderr);
	}
	return 0;
}

/* ---------------------------------------------------------------- builtins */

/* The job a %N, %%, %+, %-, %TEXT or PID names (NULL: the current one). */
static struct job *job_named(const char *name, const char *who)
{
	struct job *j = NULL;
	if (!name || !strcmp(name, "%%") || !strcmp(name, "%+") || !strcmp(name, "%")) {
		j = job_ranked(0);
	} else if (!strcmp(name, "%-")) {
		j = job_ranked(1);
	} else if (name[0] == '%' && name[1] >= '0' && name[1] <= '9') {
		for (j = jobs; j && j->id != atoi(name + 1); j = j->next)
			;
	} else if (name[0] == '%') {
		for (j = jobs; j && strncmp(j->text, name + 1, strlen(name + 1)); j = j->next)
			;
	} else {
		pid_t pid = (pid_t)atoi(name);
		for (j = jobs; j; j = j->next)
			for (int i = 0; i < j->nprocs; i++)
				if (j->procs[i].pid == pid)
					return j;
	}
	if (!j)
		sh_error("%s: %s: no such job", who, name ? name : "current");
	return j;
}

int builtin_jobs(int argc, char **argv)
{
	int with_pid = argc > 1 && !strcmp(argv[1], "-l");
	int pids_only = argc > 1 && !strcmp(argv[1], "-p");
	jobs_reap();
	for (struct job *j = jobs, *next; j; j = next) {
		next = j->next;
		if (pids_only)
			printf("%d\n", (int)j->pgid);
		else
			job_print(stdout, j, with_pid);
		j->notified |= job_stopped(j);
		if (job_done(j))
			job_free(j);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static void job_continue(struct job *j)
{
	for (int i = 0; i < j->nprocs; i++)
		j->procs[i].stopped = 0;
	j->notified = 0;
	j->seq = ++job_seq;
	killpg(j->pgid, SIGCONT);
}

int builtin_fg(int argc, char **argv)
{
	if (!sh.job_control) {
		sh_error("fg: no job control");
		return 1;
	}
	struct job *j = job_named(argc > 1 ? argv[1] : NULL, "fg");
	if (!j)
		return 1;
	printf("%s\n", j->text);
	fflush(stdout);
	give_terminal(j->pgid);
	if (j->have_tmodes)
		tcsetattr(0, TCSADRAIN, &j->tmodes);
	job_continue(j);
	return foreground(j);
}

int builtin_bg(int argc, char **argv)
{
	if (!sh.job_control) {
		sh_error("bg: no job control");
		return 1;
	}
	int status = 0;
	for (int i = 1; i < argc || i == 1; i++) {
		struct job *j = job_named(argc > 1 ? argv[i] : NULL, "bg");
		if (!j) {
			status = 1;
			continue;
		}
		job_continue(j);
		sh.last_bg = j->procs[j->nprocs - 1].pid;
		printf("[%d]%c %s &\n", j->id, job_mark(j), j->text);
	}
	fflush(stdout);
	return status;
}

/* wait: every job, or the ones named; the status of the last named. */
int builtin_wait(int argc, char **argv)
{
	int status = 0;
	if (argc == 1) {
		for (struct job *j = jobs, *next; j; j = next) {
			next = j->next;
			if (job_stopped(j))
				continue;
			wait_job(j);
			if (!sh.interactive || job_done(j))
				job_free(j);
		}
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct job *j = job_named(argv[i], "wait");
		if (!j) {
			status = 127;
			continue;
		}
		wait_job(j);
		if (job_done(j)) {
			int ws = j->procs[j->nprocs - 1].wstatus;
			status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
			job_free(j);
		}
	}
	return status;
}

/* kill: /bin/kill, with job names: %N becomes -- -PGID (the whole group)
 * with job control, else the job's pids. A stopped job also gets SIGCONT
 * afterwards, so that a SIGTERM is not left pending. */
int builtin_kill(int argc, char **argv)
{
	char **args = sh_alloc((size_t)(argc * 2 + 64) * sizeof(char *));
	struct job *stopped[32];
	int n = 0, nstopped = 0, dashes = 0;
	for (int i = 0; i < argc; i++) {
		if (argv[i][0] != '%' || i == 0) {
			dashes |= !strcmp(argv[i], "--");
			args[n++] = argv[i];
			continue;
		}
		struct job *j = job_named(argv[i], "kill");
		if (!j)
			return 1;
		if (!dashes) {
			args[n++] = "--";   /* -PGID must not read as a signal */
			dashes = 1;
		}
		for (int k = 0; k < (sh.job_control ? 1 : j->nprocs) && n < argc * 2 + 60; k++) {
			char *num = sh_alloc(16);
			snprintf(num, 16, "%d", sh.job_control ? -(int)j->pgid : (int)j->procs[k].pid);
			args[n++] = num;
		}
		if (job_stopped(j) && nstopped < 32)
			stopped[nstopped++] = j;
	}
	args[n] = NULL;
	args[0] = "kill";
	int status = run_program(args);
	for (int i = 0; i < nstopped; i++)
		killpg(stopped[i]->pgid, SIGCONT);
	return status;
}
