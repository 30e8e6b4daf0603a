/*
 * worker.c: a CPU worker: runs its guests in slices, turns their ecalls
 * into messages (vm-rv32i/syscall.c) and their completions back into
 * runnable guests. Messages: see worker.h.
 *
 * The loop: take every message waiting (completions, starts, signals)
 * without blocking while a guest is runnable; wake the sleepers whose time
 * came; run the first runnable guest for WORKER_SLICE instructions; block
 * in msg_receive only when nothing can run (until the next sleeper's time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/syscall.h"
#include "vm-rv32i/worker.h"

/* ---------------------------------------------------------------- run queue */

/* Two FIFO queues: guests a reply or a timer woke (they ran until they
 * blocked, so their turn is short) go before those whose slice ran out, so
 * a shell or a pipe reader answers within one slice of any spinner. */
static void queue_push(struct guest **head, struct guest **tail, struct guest *g)
{
	g->state = GUEST_RUNNABLE;
	g->next = NULL;
	if (*tail)
		(*tail)->next = g;
	else
		*head = g;
	*tail = g;
}

static void runq_push(struct worker *w, struct guest *g)
{
	queue_push(&w->run_head, &w->run_tail, g);
}

static void runq_push_woken(struct worker *w, struct guest *g)
{
	queue_push(&w->woken_head, &w->woken_tail, g);
}

static struct guest *queue_pop(struct guest **head, struct guest **tail)
{
	struct guest *g = *head;

	if (g) {
		*head = g->next;
		if (!*head)
			*tail = NULL;
		g->next = NULL;
	}
	return g;
}

static struct guest *runq_pop(struct worker *w)
{
	struct guest *g = queue_pop(&w->woken_head, &w->woken_tail);

	return g ? g : queue_pop(&w->run_head, &w->run_tail);
}

static int runq_empty(const struct worker *w)
{
	return !w->woken_head && !w->run_head;
}

static void sleepers_remove(struct worker *w, struct guest *g)
{
	struct guest **pp;

	for (pp = &w->sleepers; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			g->next = NULL;
			return;
		}
}

struct guest *worker_find(struct worker *w, uint32_t pid)
{
	struct guest *g;

	for (g = w->all; g; g = g->all_next)
		if (g->pid == pid && !g->exiting)
			return g;
	return NULL;
}

/* ---------------------------------------------------------------- requests */

static int32_t request(struct guest *g, msg_pid_t to, uint16_t type, uint32_t size,
                       guest_done_fn done, int slow)
{
	int r;

	msg_init(&g->pend.m, type, &g->pend.u, size);
	g->pend.m.flags = MSG_F_NOTIFY;
	g->pend.done = done;
	g->interrupted = 0;
	if (!g->exiting)
		g->state = GUEST_BLOCKED;
	g->in_flight = slow ? 2 : 1;
	r = msg_send(to, &g->pend.m);
	if (r < 0) {
		g->in_flight = 0;
		done(g, r);
	}
	return SYS_PARKED;
}

int32_t guest_request(struct guest *g, msg_pid_t to, uint16_t type, uint32_t size,
                      guest_done_fn done)
{
	return request(g, to, type, size, done, 0);
}

int32_t guest_request_slow(struct guest *g, msg_pid_t to, uint16_t type, uint32_t size,
                           guest_done_fn done)
{
	return request(g, to, type, size, done, 1);
}

/* A completion came back into our inbox. */
static void completed(struct worker *w, msg_t *m)
{
	struct guest *g = (struct guest *)((char *)m - offsetof(struct guest, pend.m));

	(void)w;
	g->in_flight = 0;
	g->pend.done(g, m->status);
}

void guest_return(struct guest *g, int32_t value)
{
	if (g->restart_syscall) {
		g->restart_syscall = 0;
		if (value == -NOS_EINTR) {
			/* A stop signal broke the wait: once continued, the guest
			 * makes the same call again, as Linux restarts it. */
			if (!g->exiting)
				runq_push_woken(g->w, g);
			return;
		}
	}
	g->cpu.x[RV_A0] = (uint32_t)value;
	g->cpu.pc += 4;
	if (g->trace)
		syscall_trace_result(g, value);
	if (g->exiting)
		return;
	if (g->state == GUEST_BLOCKED || g->state == GUEST_SLEEPING ||
	    g->state == GUEST_SUSPENDED)
		runq_push_woken(g->w, g);
	else
		runq_push(g->w, g);
}

void guest_resume(struct guest *g)
{
	if (!g->exiting)
		runq_push(g->w, g);
}

void guest_sleep_until(struct guest *g, uint64_t ns)
{
	g->state = GUEST_SLEEPING;
	g->wake_ns = ns;
	g->next = g->w->sleepers;
	g->w->sleepers = g;
	if (ns < g->w->next_wake)
		g->w->next_wake = ns;
}

int guest_io_buf(struct guest *g, uint32_t addr, uint32_t len, int to_guest, void **buf)
{
	if (!gmem_in_range(&g->mem, addr, len))
		return -NOS_EFAULT;
	if (g->mem.kind == GMEM_FLAT) {
		*buf = g->mem.flat + addr;
		return 0;
	}
	free(g->pend.bounce);
	g->pend.bounce = malloc(len ? len : 1);
	if (!g->pend.bounce)
		return -NOS_ENOMEM;
	g->pend.bounce_addr = addr;
	if (!to_guest && gmem_read(&g->mem, addr, g->pend.bounce, len) < 0)
		return -NOS_EFAULT;
	*buf = g->pend.bounce;
	return 0;
}

int guest_io_finish(struct guest *g, uint32_t n)
{
	int r = 0;

	if (g->pend.bounce) {
		r = gmem_write(&g->mem, g->pend.bounce_addr, g->pend.bounce, n);
		free(g->pend.bounce);
		g->pend.bounce = NULL;
	}
	return r;
}

/* ---------------------------------------------------------------- open files */

struct ofile *ofile_new(uint8_t kind)
{
	struct ofile *f = calloc(1, sizeof(*f));

	if (f) {
		f->kind = kind;
		f->refs = 1;
	}
	return f;
}

void ofile_free(struct ofile *f)
{
	free(f->path);
	free(f->peek);
	free(f);
}

/* Close chain: one fd at a time, each last reference with its message. */
static void close_next(struct guest *g, int32_t status);

static void close_sent(struct guest *g, int32_t status)
{
	(void)status;
	close_next(g, 0);
}

static void close_next(struct guest *g, int32_t status)
{
	guest_done_fn then = g->close_then;
	unsigned fd;

	(void)status;
	for (fd = 0; fd < GUEST_FD_MAX; fd++) {
		struct ofile *f = g->fd[fd];

		if (!(g->close_mask & (1ull << fd)))
			continue;
		g->close_mask &= ~(1ull << fd);
		if (!f)
			continue;
		g->fd[fd] = NULL;
		g->cloexec &= ~(1ull << fd);
		if (--f->refs > 0)
			continue;
		if (f->kind == OF_FS) {
			g->pend.u.handle.handle = f->handle;
			g->pend.u.handle.arg = 0;
			ofile_free(f);
			request(g, g->w->cfg.fs, FS_MSG_CLOSE, sizeof(g->pend.u.handle),
			        close_sent, 0);
			return;
		}
		if (f->kind == OF_PIPE) {
			g->pend.u.pipe_ref.pipe = (uint32_t)f->handle;
			g->pend.u.pipe_ref.end = f->pipe_end;
			g->pend.u.pipe_ref.delta = -1;
			ofile_free(f);
			request(g, g->w->cfg.sched, SCHED_MSG_PIPE_REF,
			        sizeof(g->pend.u.pipe_ref), close_sent, 0);
			return;
		}
		ofile_free(f);
	}
	then(g, 0);
}

void guest_close_fds(struct guest *g, uint64_t mask, guest_done_fn then)
{
	g->close_mask = mask;
	g->close_then = then;
	close_next(g, 0);
}

/* ---------------------------------------------------------------- exit */

static void guest_free(struct worker *w, struct guest *g)
{
	struct guest **pp;

	for (pp = &w->all; *pp; pp = &(*pp)->all_next)
		if (*pp == g) {
			*pp = g->all_next;
			break;
		}
	w->nguests--;
	rv32_destroy(&g->cpu);
	gmem_destroy(&g->mem);
	free(g->pend.bounce);
	free(g);
}

static void exit_reported(struct guest *g, int32_t status)
{
	(void)status;
	guest_free(g->w, g);
}

static void exit_memory_freed(struct guest *g, int32_t status)
{
	(void)status;
	g->pend.u.exited.pid = g->pid;
	g->pend.u.exited.wstatus = g->exit_status;
	g->pend.u.exited.instret = g->cpu.instret;
	g->pend.u.exited.syscalls = g->syscalls;
	request(g, g->w->cfg.sched, SCHED_MSG_EXITED, sizeof(g->pend.u.exited),
	        exit_reported, 0);
}

static void exit_files_closed(struct guest *g, int32_t status)
{
	(void)status;
	memset(&g->pend.u.mem, 0, sizeof(g->pend.u.mem));
	g->pend.u.mem.pid = g->pid;
	request(g, g->w->cfg.memmgr, MEMMGR_MSG_FREE, sizeof(g->pend.u.mem),
	        exit_memory_freed, 0);
}

void guest_exit(struct guest *g, int32_t wstatus)
{
	struct guest *p;

	guest_vfork_release(g);
	/* A parent ending first leaves its vfork child on its own; its
	 * children (forks stay on their parent's worker) go to pid 1, as
	 * sched records it, so getppid needs no message. */
	for (p = g->w->all; p; p = p->all_next) {
		if (p->vfork_parent == g)
			p->vfork_parent = NULL;
		if (p->ppid == g->pid && p != g)
			p->ppid = 1;
	}
	if (g->state == GUEST_SLEEPING)
		sleepers_remove(g->w, g);
	g->exit_status = wstatus;
	g->exiting = 1;
	g->state = GUEST_DEAD;
	guest_close_fds(g, ~0ull, exit_files_closed);
}

/* ---------------------------------------------------------------- signals */

static int sig_default_ignored(unsigned sig)
{
	return sig == GSIG_CHLD || sig == GSIG_WINCH || sig == GSIG_CONT;
}

static int sig_default_stops(unsigned sig)
{
	return sig == GSIG_STOP || sig == GSIG_TSTP || sig == GSIG_TTIN || sig == GSIG_TTOU;
}

/* A vfork parent is killed: its children go on alone. One that runs in
 * the parent's space gets its own copy -- unless a message of its is out
 * (its buffer may lie in that space): then it is killed too, and the
 * parent goes only when it ended (guest_vfork_release). 1: g may go now. */
static int vfork_children_let_go(struct guest *g)
{
	struct guest *c;
	int go = 1;

	for (c = g->w->all; c; c = c->all_next) {
		if (c->vfork_parent != g)
			continue;
		if (c->mem_shared && (c->in_flight || guest_unshare(c) < 0)) {
			guest_signal(c, GSIG_KILL, 0, 0);
			go = 0;
			continue;
		}
		c->vfork_parent = NULL;
	}
	return go;
}

void guest_signal(struct guest *g, unsigned sig, uint32_t from, uint32_t from_uid)
{
	int stops;

	if (sig == 0 || sig > GUEST_SIG_MAX || g->exiting)
		return;
	if (sig == GSIG_CONT && g->state == GUEST_STOPPED) {
		g->stop_sig = 0;
		g->w->job_dirty = 1;
		runq_push(g->w, g);
	}
	if (sig != GSIG_KILL && sig != GSIG_STOP && g->sigact[sig].handler == 1)
		return;                         /* ignored */
	if (sig != GSIG_KILL && sig != GSIG_STOP && g->sigact[sig].handler == 0 &&
	    sig_default_ignored(sig))
		return;
	g->sig_pending |= 1ull << (sig - 1);
	g->sig_from[sig] = from;
	g->sig_from_uid[sig] = from_uid;
	if ((g->sig_mask & (1ull << (sig - 1))) && sig != GSIG_KILL && sig != GSIG_STOP)
		return;
	stops = sig_default_stops(sig) && (sig == GSIG_STOP || g->sigact[sig].handler == 0);
	/* Interrupt a wait the guest can be woken from: with EINTR, or to be
	 * made again when only a stop broke it. */
	if (g->state == GUEST_BLOCKED && g->in_flight == 2 && !g->interrupted) {
		g->interrupted = 1;
		g->restart_syscall = (uint8_t)stops;
		msg_cancel(&g->pend.m);
	} else if (g->state == GUEST_BLOCKED && g->interrupted && !stops) {
		g->restart_syscall = 0;         /* a handled signal came too: EINTR */
	} else if (g->state == GUEST_SLEEPING) {
		sleepers_remove(g->w, g);
		g->restart_syscall = (uint8_t)stops;
		if (stops) {                    /* the remaining time, not the whole again */
			g->resume_wake_ns = g->wake_ns;
			g->resume_pc = g->cpu.pc;
		}
		guest_return(g, -NOS_EINTR);
	} else if (g->state == GUEST_SUSPENDED) {
		g->restart_syscall = (uint8_t)stops;
		guest_return(g, -NOS_EINTR);
	} else if ((g->state == GUEST_STOPPED || g->state == GUEST_VFORKED) &&
	           sig == GSIG_KILL) {
		if (vfork_children_let_go(g))
			runq_push(g->w, g);
	}
}

/* Deliver pending unmasked signals before g runs: the default action or a
 * handler frame (vm-rv32i/signal.c). 0: run it; 1: it is gone or stopped. */
static int deliver_signals(struct guest *g)
{
	uint64_t ready = g->sig_pending & ~g->sig_mask;
	unsigned sig;

	if (g->sig_pending & (1ull << (GSIG_KILL - 1)))
		ready |= 1ull << (GSIG_KILL - 1);
	while (ready) {
		sig = (unsigned)__builtin_ctzll(ready) + 1;
		ready &= ready - 1;
		g->sig_pending &= ~(1ull << (sig - 1));
		if (sig != GSIG_KILL && sig != GSIG_STOP && g->sigact[sig].handler > 1) {
			if (signal_frame_push(g, sig) == 0)
				continue;
			sig = GSIG_SEGV;        /* no room for the frame */
		} else if (sig_default_ignored(sig) || g->sigact[sig].handler == 1) {
			continue;
		} else if (sig_default_stops(sig)) {
			g->state = GUEST_STOPPED;
			g->stop_sig = (uint8_t)sig;
			g->w->job_dirty = 1;
			return 1;
		}
		guest_exit(g, (int32_t)sig);
		return 1;
	}
	if (g->restore_mask) {                  /* rt_sigsuspend woke, no frame */
		g->sig_mask = g->saved_mask;
		g->restore_mask = 0;
	}
	return 0;
}

void guest_vfork_release(struct guest *child)
{
	struct guest *parent = child->vfork_parent;

	child->vfork_parent = NULL;
	if (parent && parent->state == GUEST_VFORKED)
		guest_return(parent, (int32_t)child->pid);
}

/* ---------------------------------------------------------------- faults */

static void say(struct guest *g, const char *text)
{
	struct console_io io = { .stream = 2, .buf = (void *)text, .len = (uint32_t)strlen(text) };
	msg_t m;

	if (!g->console)
		return;
	msg_init(&m, CONSOLE_MSG_WRITE, &io, sizeof(io));
	msg_call(g->console, &m, 1000000000);
}

static void fault(struct guest *g, const char *what, uint32_t value, int sig)
{
	char text[192];

	if (sig == GSIG_SEGV)
		snprintf(text, sizeof(text), "%s: Segmentation fault at 0x%08lx (pc 0x%08lx)\n",
		         g->cmd, (unsigned long)value, (unsigned long)g->cpu.pc);
	else
		snprintf(text, sizeof(text), "%s: %s 0x%08lx at pc 0x%08lx\n", g->cmd, what,
		         (unsigned long)value, (unsigned long)g->cpu.pc);
	say(g, text);
	guest_exit(g, sig);
}

/* ---------------------------------------------------------------- running */

/* RLIMIT_CPU, in the CPU time NanoOs counts (an instruction a nanosecond,
 * as times and CLOCK_PROCESS_CPUTIME_ID): past the soft limit SIGXCPU,
 * again every second, and SIGKILL at the hard limit, as on Linux. */
#define NS_PER_S 1000000000ull

static void charge_cpu(struct guest *g)
{
	uint64_t soft = g->rlim[GRLIMIT_CPU].cur, hard = g->rlim[GRLIMIT_CPU].max;
	uint64_t used = g->cpu.instret;

	if (hard < GUEST_RLIM_INFINITY / NS_PER_S && used >= hard * NS_PER_S) {
		guest_signal(g, GSIG_KILL, 0, 0);
		return;
	}
	if (soft >= GUEST_RLIM_INFINITY / NS_PER_S || used < soft * NS_PER_S || used < g->xcpu_at)
		return;
	g->xcpu_at = used + NS_PER_S;
	guest_signal(g, GSIG_XCPU, 0, 0);
}

static void run_slice(struct guest *g)
{
	enum rv32_stop why;

	if (deliver_signals(g))
		return;
	why = rv32_run(&g->cpu, WORKER_SLICE);
	switch (why) {
	case RV32_STOP_BUDGET:
		charge_cpu(g);
		runq_push(g->w, g);
		return;
	case RV32_STOP_ECALL:
		charge_cpu(g);
		syscall_dispatch(g);
		return;
	case RV32_STOP_EBREAK:
		fault(g, "Trace/breakpoint trap", g->cpu.pc, 5);
		return;
	case RV32_STOP_LOAD_FAULT:
	case RV32_STOP_STORE_FAULT:
		fault(g, NULL, g->cpu.fault_addr, GSIG_SEGV);
		return;
	case RV32_STOP_FETCH_FAULT:
		fault(g, NULL, g->cpu.pc, GSIG_SEGV);
		return;
	case RV32_STOP_ILLEGAL:
		fault(g, "Illegal instruction", g->cpu.fault_insn, GSIG_ILL);
		return;
	}
}

/* Wake the sleepers whose time came. The list is walked only once the
 * earliest time (next_wake) came, so thousands of sleepers cost a busy
 * worker nothing between; *timeout becomes the wait until the next one. */
static void wake_sleepers(struct worker *w, uint64_t now, int64_t *timeout)
{
	struct guest **pp = &w->sleepers;
	uint64_t next = UINT64_MAX;

	if (now < w->next_wake) {
		*timeout = (int64_t)(w->next_wake - now);
		return;
	}
	while (*pp) {
		struct guest *g = *pp;

		if (g->wake_ns <= now) {
			*pp = g->next;
			g->next = NULL;
			guest_return(g, 0);
			continue;
		}
		if (g->wake_ns < next)
			next = g->wake_ns;
		pp = &g->next;
	}
	w->next_wake = next;
	if (next != UINT64_MAX)
		*timeout = (int64_t)(next - now);
}

/* ---------------------------------------------------------------- messages */

uint64_t guest_time(void *ctx)
{
	(void)ctx;
	return msg_now_ns() / (1000000000u / RV32_TIME_HZ);
}

/* Set up a new guest's record, memory and stack: 0 or -NOS_E* with why. */
static struct guest *guest_new(struct worker *w, uint32_t pid)
{
	struct guest *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->w = w;
	g->pid = pid;
	g->pgid = pid;
	g->sid = pid;
	g->all_next = w->all;
	w->all = g;
	w->nguests++;
	return g;
}

static int stdio_open(struct guest *g, msg_pid_t console)
{
	unsigned fd;

	for (fd = 0; fd < 3; fd++) {
		struct ofile *f = ofile_new(OF_CONSOLE);

		if (!f)
			return -NOS_ENOMEM;
		f->console = console;
		f->handle = (int32_t)fd;        /* the stream: 2 writes go to stderr */
		f->flags = fd == 0 ? 0 : 1;     /* O_RDONLY, O_WRONLY */
		g->fd[fd] = f;
	}
	return 0;
}

static int32_t start_guest(struct worker *w, struct worker_start *s)
{
	struct guest *g = guest_new(w, s->pid);
	uint32_t size = s->mem_size ? s->mem_size : GUEST_MEM_DEFAULT;
	const char *base;
	int r;

	if (!g)
		return -NOS_ENOMEM;
	g->cred = s->cred;
	g->ppid = 1;                            /* the instance, as init */
	g->console = s->console;
	g->trace = s->trace;
	snprintf(g->cwd, sizeof(g->cwd), "%s", s->cwd && s->cwd[0] ? s->cwd : "/");
	base = strrchr(s->path, '/');
	snprintf(g->cmd, sizeof(g->cmd), "%s", base ? base + 1 : s->path);
	r = gmem_flat_init(&g->mem, size);
	if (r < 0) {
		snprintf(s->why, sizeof(s->why), "no memory for a %lu MiB guest space",
		             (unsigned long)(size >> 20));
		g->state = GUEST_DEAD;
		guest_free(w, g);
		return r;
	}
	guest_limits_default(g);
	r = rv32_init(&g->cpu, &g->mem);
	g->cpu.read_time = guest_time;
	if (r == 0)
		r = stdio_open(g, s->console);
	if (r == 0)
		r = guest_exec(g, s->image, s->image_len, s->path, s->argv, s->envp, s->why,
		               sizeof(s->why));
	if (r < 0) {
		unsigned fd;

		for (fd = 0; fd < 3; fd++)
			if (g->fd[fd])
				ofile_free(g->fd[fd]);
		g->state = GUEST_DEAD;
		guest_free(w, g);
		return r;
	}
	runq_push(w, g);
	return 0;
}

/* Another worker's guest calls prlimit64 on one of ours. */
static int32_t on_rlimit(struct worker *w, msg_t *m)
{
	struct worker_rlimit *q = m->payload;
	struct guest_rlimit set, old = { 0, 0 };
	struct guest *g;
	int32_t r;

	if (!kproc_sent_by_any(m, "sched", 1, WORKER_MAX) || m->size != sizeof(*q))
		return -NOS_EPERM;
	if (!(g = worker_find(w, q->pid)))
		return -NOS_ESRCH;
	set.cur = q->cur;
	set.max = q->max;
	r = guest_prlimit(g, q->caller_uid, q->resource, q->set ? &set : NULL, &old);
	q->old_cur = old.cur;
	q->old_max = old.max;
	return r;
}

/* Tell sched what the guests that ran since the last report ran so far. */
static void report_instret(struct worker *w, uint64_t now)
{
	struct guest *g;
	uint32_t n = 0;

	if (w->report_busy || (now < w->report_at && !w->job_dirty))
		return;
	w->report_at = now + WORKER_REPORT_NS;
	w->job_dirty = 0;
	if (w->nguests > w->report_cap) {
		struct sched_instret_entry *e = realloc(w->report_ents,
		                                        w->nguests * sizeof(*e));
		if (!e)
			return;
		w->report_ents = e;
		w->report_cap = w->nguests;
	}
	for (g = w->all; g && n < w->report_cap; g = g->all_next)
		if (!g->exiting && (g->cpu.instret != g->instret_reported ||
		                    g->stop_sig != g->stop_reported)) {
			g->instret_reported = g->cpu.instret;
			g->stop_reported = g->stop_sig;
			w->report_ents[n].pid = g->pid;
			w->report_ents[n].stop_sig = g->stop_sig;
			w->report_ents[n++].instret = g->cpu.instret;
		}
	if (!n)
		return;
	w->report.ents = w->report_ents;
	w->report.count = n;
	msg_init(&w->report_m, SCHED_MSG_INSTRET, &w->report, sizeof(w->report));
	w->report_m.flags = MSG_F_NOTIFY;
	if (msg_send(w->cfg.sched, &w->report_m) == 0)
		w->report_busy = 1;
}

static void handle(struct worker *w, msg_t *m)
{
	if (m == &w->report_m) {
		w->report_busy = 0;
		return;
	}
	if (m->flags & MSG_F_REPLY) {
		completed(w, m);
		return;
	}
	if (kproc_serve_common(m, &w->stopping))
		return;
	switch (m->type) {
	case WORKER_MSG_START:
		if (m->from != w->cfg.starter && !kproc_sent_by(m, "sched", 0)) {
			msg_reply(m, -NOS_EPERM);
			return;
		}
		if (m->size != sizeof(struct worker_start)) {
			msg_reply(m, -NOS_EBADMSG);
			return;
		}
		msg_reply(m, start_guest(w, m->payload));
		return;
	case WORKER_MSG_SIGNAL: {
		struct worker_signal *s = m->payload;
		struct guest *g;

		if (!kproc_sent_by(m, "sched", 0) || m->size != sizeof(*s)) {
			msg_reply(m, -NOS_EPERM);
			return;
		}
		g = worker_find(w, s->pid);
		if (g)
			guest_signal(g, s->sig, s->sender, s->sender_uid);
		msg_reply(m, g ? 0 : -NOS_ESRCH);
		return;
	}
	case WORKER_MSG_RLIMIT:
		msg_reply(m, on_rlimit(w, m));
		return;
	default:
		msg_reply(m, -NOS_ENOSYS);
	}
}

/* On stop: kill every guest, then wait for their messages to come home. */
static void drain(struct worker *w)
{
	struct guest *g;
	msg_t *m;

	for (g = w->all; g; g = g->all_next)
		guest_signal(g, GSIG_KILL, 0, 0);
	while (w->all || w->report_busy) {
		g = runq_pop(w);
		if (g) {
			deliver_signals(g);
			continue;
		}
		if (msg_receive(&m, 2000000000) < 0)
			break;                          /* a kernel process stopped first */
		if (m == &w->report_m)
			w->report_busy = 0;
		else if (m->flags & MSG_F_REPLY)
			completed(w, m);
		else
			msg_reply(m, -NOS_EPIPE);
	}
}

static void worker_main(void *arg)
{
	struct worker *w = arg;
	msg_t *m;

	while (!w->stopping) {
		int64_t timeout = runq_empty(w) ? MSG_FOREVER : 0;
		struct guest *g;

		if (w->sleepers || w->all) {
			uint64_t now = msg_now_ns();

			if (w->sleepers)
				wake_sleepers(w, now, &timeout);
			report_instret(w, now);
		}
		if (!runq_empty(w))
			timeout = 0;
		while (msg_receive(&m, timeout) == 0) {
			handle(w, m);
			timeout = 0;
		}
		g = runq_pop(w);
		if (g)
			run_slice(g);
	}
	drain(w);
	if (w->report_busy)
		return;                 /* sched stopped first: the report is not back */
	free(w->report_ents);
	free(w);
}

int worker_start(unsigned index, const struct worker_config *cfg, msg_pid_t *pid)
{
	struct worker *w;
	int r;

	if (index < 1 || index > WORKER_MAX)
		return -NOS_EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -NOS_ENOMEM;
	w->cfg = *cfg;
	w->index = index;
	r = kproc_start("sched", index, worker_main, w, 0, pid);
	if (r < 0)
		free(w);
	return r;
}
