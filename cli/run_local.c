/*
 * run_local.c: running a program in an instance booted in this process,
 * when no daemon runs: the volume, the kernel and the workers here, the
 * guest on this terminal; ^C, SIGTERM and SIGHUP go to its process group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/host_tty.h"
#include "cli/instance.h"
#include "cli/run_cmd.h"
#include "kproc/fs.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/worker.h"

#define CMD run_verb

/* Set by the handler in whichever thread the signal lands on, taken by
 * the waiting main thread: an atomic. */
static int pending_signal;

static void on_signal(int sig)
{
	__atomic_store_n(&pending_signal, sig, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- in this process */

struct guest_run {
	struct instance *in;
	struct run_program *prog;
	const struct run_opts *o;
	const struct run_job *job;
	char **argv;
	uint32_t pid;
};

/* The guest's environment: who it is, and the host's TERM. */
static void guest_env(const struct run_job *job, char vars[6][128], const char *envp[7])
{
	const char *term = getenv("TERM");
	int i;

	snprintf(vars[0], 128, "PATH=/bin");
	snprintf(vars[1], 128, "HOME=%.63s", job->home);
	snprintf(vars[2], 128, "USER=%.31s", job->cred.name);
	snprintf(vars[3], 128, "LOGNAME=%.31s", job->cred.name);
	snprintf(vars[4], 128, "SHELL=/bin/sh");
	snprintf(vars[5], 128, "TERM=%.100s", term && *term ? term : "vt100");
	for (i = 0; i < 6; i++)
		envp[i] = vars[i];
	envp[6] = NULL;
}

static int start(struct guest_run *r)
{
	struct sched_spawn sp;
	struct worker_start ws;
	char vars[6][128];
	const char *envp[7];
	msg_t m;
	int rc;

	memset(&sp, 0, sizeof(sp));
	sp.cred = r->job->cred;
	sp.cmd = r->prog->path;
	msg_init(&m, SCHED_MSG_SPAWN, &sp, sizeof(sp));
	rc = msg_call(r->in->sched, &m, MSG_FOREVER);
	if (rc < 0) {
		cli_error(CMD, r->prog->path, "sched refused a new process: %s", nos_strerror(rc));
		return -1;
	}
	r->pid = sp.pid;
	/* Its group is the terminal's foreground before it runs: ^C and ^Z
	 * reach it, and its first read or tcgetpgrp finds itself in front. */
	host_tty_session(r->in->tty, sp.pid);
	guest_env(r->job, vars, envp);
	memset(&ws, 0, sizeof(ws));
	ws.pid = sp.pid;
	ws.image = r->prog->image;
	ws.image_len = r->prog->len;
	ws.path = r->prog->path;
	ws.argv = (const char *const *)r->argv;
	ws.envp = envp;
	ws.cred = sp.cred;
	ws.cwd = r->job->home[0] && r->o->what != RUN_PROG ? r->job->home : "/";
	ws.mem_size = (uint32_t)r->o->mem;
	ws.console = r->in->console;
	ws.trace = (uint32_t)r->o->trace;
	msg_init(&m, WORKER_MSG_START, &ws, sizeof(ws));
	rc = msg_call(sp.worker, &m, MSG_FOREVER);
	if (rc < 0) {
		struct sched_exited ex = { sp.pid, 127 << 8, 0, 0 };

		if (rc == -NOS_ENOEXEC)
			cli_error(CMD, r->prog->path, "%s; NanoOs runs static RV32 ELF programs: "
			          "build them with nanoos-cc", ws.why);
		else
			cli_error(CMD, r->prog->path, "%s", ws.why[0] ? ws.why : nos_strerror(rc));
		msg_init(&m, SCHED_MSG_EXITED, &ex, sizeof(ex));
		msg_call(r->in->sched, &m, MSG_FOREVER);
		return rc == -NOS_ENOEXEC ? -2 : -1;
	}
	return 0;
}

static void forward_signal(struct guest_run *r, int sig)
{
	struct sched_kill k = { 0, -(int32_t)r->pid, (uint32_t)sig, 0 };
	msg_t m;

	msg_init(&m, SCHED_MSG_KILL, &k, sizeof(k));
	msg_call(r->in->sched, &m, MSG_FOREVER);
}

/* Wait for the guest, passing our signals on. Its wait status, or -1. */
static int wait_guest(struct guest_run *r, struct sched_wait *w)
{
	msg_t m;
	int rc;

	memset(w, 0, sizeof(*w));
	w->waiter = 0;
	w->pid = (int32_t)r->pid;
	msg_init(&m, SCHED_MSG_WAIT, w, sizeof(*w));
	if (msg_send(r->in->sched, &m) < 0)
		return -1;
	for (;;) {
		rc = msg_wait(&m, 20000000);
		if (rc != -NOS_ETIMEDOUT)
			break;
		int sig = __atomic_exchange_n(&pending_signal, 0, __ATOMIC_ACQ_REL);

		if (sig)
			forward_signal(r, sig);
	}
	return rc < 0 ? -1 : w->wstatus;
}

static void print_stats(const struct sched_wait *w, uint64_t ns)
{
	double secs = (double)ns / 1e9;

	fprintf(stderr, "nanoos run: %llu instructions in %.3f s (%.1f MIPS), %llu system calls\n",
	        (unsigned long long)w->instret, secs,
	        secs > 0 ? (double)w->instret / secs / 1e6 : 0.0,
	        (unsigned long long)w->syscalls);
}

/* Who runs what, now that the volume is up. 0 or -1 (said why). */
static int pick_job(struct instance *in, const char *img, const struct run_opts *o,
                    const char *prog_arg, struct run_job *job)
{
	memset(job, 0, sizeof(*job));
	snprintf(job->cred.name, sizeof(job->cred.name), "root");
	snprintf(job->home, sizeof(job->home), "/root");
	switch (o->what) {
	case RUN_SHELL:
		return shell_pick_account(in, img, job);
	case RUN_LOGIN:
		snprintf(job->prog, sizeof(job->prog), "/bin/login");
		snprintf(job->argv0, sizeof(job->argv0), "login");
		return 0;
	case RUN_PROG:
		run_volume_path(prog_arg, job->prog, sizeof(job->prog));
		return 0;
	}
	return -1;
}

/* Boot, run, halt. Our exit status. */
static int run_booted(struct instance *in, const char *img, const struct run_opts *o,
                      char **argv, struct run_program *prog)
{
	const char *prog_arg = o->host ? o->host : argv[0];
	char *job_argv[2];
	struct run_job job;
	struct guest_run r;
	struct sched_wait w;
	uint64_t t0;
	int status;

	if (pick_job(in, img, o, prog_arg, &job) < 0)
		return 1;
	if (!prog->image && run_read_volume(in->fs, img, job.prog, prog) < 0)
		return 127;
	memset(&r, 0, sizeof(r));
	r.in = in;
	r.prog = prog;
	r.o = o;
	r.job = &job;
	r.argv = o->host ? argv - 1 : argv;
	if (o->host || o->argv0)
		r.argv[0] = (char *)(o->argv0 ? o->argv0 : o->host);
	if (o->what != RUN_PROG) {
		job_argv[0] = job.argv0;
		job_argv[1] = NULL;
		r.argv = job_argv;
	}
	t0 = msg_now_ns();
	status = start(&r);
	if (status < 0)
		return status == -2 ? 126 : 127;
	status = wait_guest(&r, &w);
	if (o->stats && status >= 0)
		print_stats(&w, msg_now_ns() - t0);
	return status < 0 ? 1 : run_exit_code(status);
}

int run_local(const struct run_opts *o, char **argv)
{
	const char *prog_arg = o->host ? o->host : argv[0];
	struct run_program prog;
	struct instance in;
	char img[4096];
	int code;

	run_verb = o->cmd;
	memset(&prog, 0, sizeof(prog));
	if (run_pick_image(o, img, sizeof(img)) < 0)
		return 1;
	if (o->what == RUN_PROG && (o->host || run_is_host_path(prog_arg)) &&
	    run_read_host(prog_arg, &prog) < 0)
		return 127;
	if (msg_init_runtime("nanoos") < 0) {
		cli_error(CMD, NULL, "cannot start the message runtime; please report it");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (instance_boot(&in, img, o->workers) < 0) {
		cli_error(CMD, NULL, "%s", in.err);
		instance_halt(&in);
		return 1;
	}
	code = run_booted(&in, img, o, argv, &prog);
	if (instance_halt(&in) < 0) {
		cli_error(CMD, NULL, "%s", in.err);
		if (code == 0)
			code = 1;
	}
	free(prog.image);
	return code;
}
