/*
 * sched.c: the sched kernel process ("sched", 0): the process table of the
 * guests, their process groups and exit statuses, waiting, signals between
 * guests, and pipes. Portable. The guests themselves run on the CPU
 * workers ("sched", 1..N, vm-rv32i/worker.c); sched hands each new guest
 * to one and never waits for a worker (it only sends them notices), so a
 * worker may always call sched.
 *
 * Messages (kproc/proto.h):
 *   from the tool that started sched (its parent), the daemon's sessions
 *   and the consoles (from_tool):
 *     SCHED_MSG_SPAWN    sched_spawn  -> pid (worker filled in)
 *     SCHED_MSG_WAIT     sched_wait   -> pid reaped (waiter 0: its guests)
 *     SCHED_MSG_KILL     sched_kill   -> 0 (sender 0)
 *     SCHED_MSG_EXITED   sched_exited -> 0 (a guest its worker refused)
 *     SCHED_MSG_PS       sched_ps     -> 0
 *   from a worker, for a guest it runs:
 *     SCHED_MSG_FORKED   sched_spawn  -> child pid
 *     SCHED_MSG_EXITED   sched_exited -> 0
 *     SCHED_MSG_WAIT     sched_wait   -> pid, 0 (WNOHANG), -ECHILD; waits
 *     SCHED_MSG_KILL     sched_kill   -> 0, -ESRCH, -EPERM
 *     SCHED_MSG_PGID     sched_pgid   -> 0 / pgid / -EPERM, -ESRCH
 *     SCHED_MSG_PIPE     none         -> pipe id
 *     SCHED_MSG_PIPE_IO  sched_pipe_io -> bytes, 0 at EOF, -EPIPE, -EAGAIN; waits
 *     SCHED_MSG_PIPE_REF sched_pipe_ref -> 0
 *     SCHED_MSG_UPDATE   sched_update -> 0 (new credentials or command)
 *     SCHED_MSG_INSTRET  sched_instret -> 0 (instructions so far, for ps)
 * Waiting requests are held (deferred) and answered when an exit or a
 * pipe's traffic lets them finish, or -ECANCELED when their sender cancels.
 */
#include <string.h>

#include "kproc/kproc.h"
#include "kproc/sched.h"

#ifdef __AVR__
#define PROC_MAX SCHED_PROCS_MAX
#define PROC_BUCKETS 4
#define PIPE_MAX 4
#define PIPE_SIZE 128
#else
#define PROC_MAX SCHED_PROCS_MAX
#define PROC_BUCKETS 4096
#define PIPE_MAX 1024
#define PIPE_SIZE 65536
#endif
#define HELD_MAX (PROC_MAX + 2 * PIPE_MAX)
/* Slots only root's forks may take: a user's fork bomb that fills the rest
 * still leaves root room to log in, look and kill. */
#define PROC_ROOT_RESERVE (PROC_MAX / 16)
#define PID_LIMIT 32768
#define NO_SLOT 0xffffu
/* The instance itself (the tool or daemon) is pid 1, the parent of the
 * guests it starts, as init is on Linux. */
#define INIT_PID 1u

enum { P_FREE = 0, P_RUN, P_ZOMBIE };
enum { JOB_STOPPED = 1, JOB_CONTINUED = 2 };

/* A signal on its way to a guest's worker: the message lives in the
 * guest's slot until it comes back (MSG_F_NOTIFY), so sched never waits for
 * a worker; signals sent meanwhile wait in `pending` and go out one by one
 * as each notice returns, so a kill of a large group loses none. */
struct notice {
	msg_t m;
	struct worker_signal sig;
	uint8_t busy;
};

struct proc {
	uint32_t pid, ppid, pgid, sid, uid;
	uint32_t start;
	char user[32];
	uint8_t state;
	uint8_t tool_child;           /* spawned by the tool: it reaps it */
	uint16_t hash_next;           /* the next slot in its pid's hash chain */
	int32_t wstatus;
	msg_pid_t worker;
	uint64_t instret, syscalls;
	char cmd[47];
	uint8_t stop_sig;             /* job control: stopped by this signal, 0: not */
	uint8_t job_report;           /* JOB_STOPPED / JOB_CONTINUED not yet waited for */
	uint64_t pending;             /* signals not yet sent to the worker (bit sig-1) */
	uint32_t pending_from, pending_from_uid;
	struct notice notice;
};

struct pipe {
	uint8_t used;
	uint16_t readers, writers;
	uint32_t head, len;
	uint8_t *buf;
};

/* Slots in use all lie below `hi` (new ones take the lowest free slot), so
 * scans of the table cost what is in use, not its size; pids are found
 * through a hash of chains. */
struct sched_state {
	struct sched_config *cfg;
	struct proc procs[PROC_MAX];
	uint16_t bucket[PROC_BUCKETS];
	unsigned hi;                  /* slots [hi, PROC_MAX) are free */
	unsigned nprocs;              /* slots in the table (running or zombie) */
	unsigned free_hint;           /* no free slot below this one */
	struct pipe pipes[PIPE_MAX];
	msg_t *held[HELD_MAX];
	unsigned nheld;               /* requests in held[] (scans stop there) */
	uint32_t next_pid;
	unsigned next_worker;
};

/* ---------------------------------------------------------------- table */

static uint16_t *chain_of(struct sched_state *st, uint32_t pid)
{
	return &st->bucket[pid % PROC_BUCKETS];
}

static struct proc *proc_find(struct sched_state *st, uint32_t pid)
{
	uint16_t i;

	if (!pid)
		return NULL;
	for (i = *chain_of(st, pid); i != NO_SLOT; i = st->procs[i].hash_next)
		if (st->procs[i].pid == pid)
			return &st->procs[i];
	return NULL;
}

/* A slot may be taken again once its process is gone and its notice home. */
static int slot_free(const struct proc *p)
{
	return p->state == P_FREE && !p->notice.busy;
}

static struct proc *proc_new(struct sched_state *st)
{
	unsigned tries, i;

	for (i = st->free_hint; i < PROC_MAX && !slot_free(&st->procs[i]); i++)
		;
	st->free_hint = i;
	if (i == PROC_MAX)
		return NULL;
	for (tries = 0; tries < PID_LIMIT; tries++) {
		uint32_t pid = st->next_pid;
		struct proc *p = &st->procs[i];

		st->next_pid = st->next_pid >= PID_LIMIT - 1 ? 2 : st->next_pid + 1;
		if (proc_find(st, pid))
			continue;
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		p->state = P_RUN;
		p->hash_next = *chain_of(st, pid);
		*chain_of(st, pid) = (uint16_t)i;
		if (i >= st->hi)
			st->hi = i + 1;
		st->nprocs++;
		return p;
	}
	return NULL;
}

/* The process is gone from the table (its notice may still be out). */
static void proc_free(struct sched_state *st, struct proc *p)
{
	unsigned i = (unsigned)(p - st->procs);
	uint16_t *pp;

	for (pp = chain_of(st, p->pid); *pp != NO_SLOT; pp = &st->procs[*pp].hash_next)
		if (*pp == i) {
			*pp = p->hash_next;
			break;
		}
	p->state = P_FREE;
	p->pending = 0;
	st->nprocs--;
	if (i < st->free_hint)
		st->free_hint = i;
	while (st->hi > 0 && slot_free(&st->procs[st->hi - 1]))
		st->hi--;
}

/* Workers are registered as ("sched", 1..SCHED_WORKERS_MAX). */
static int from_worker(const struct sched_state *st, const msg_t *m)
{
	(void)st;
	return kproc_sent_by_any(m, "sched", 1, SCHED_WORKERS_MAX);
}

static int from_tool(const msg_t *m)
{
	return m->from == kproc_parent() ||
	       kproc_sent_by_any(m, "session", 0, SCHED_SESSIONS_MAX) ||
	       kproc_sent_by_any(m, "console", 0, SCHED_SESSIONS_MAX);
}

/* A guest named in a worker's request must live on that worker. */
static struct proc *guest_of(struct sched_state *st, const msg_t *m, uint32_t pid)
{
	struct proc *p = proc_find(st, pid);

	return p && p->worker == m->from ? p : NULL;
}

/* ---------------------------------------------------------------- notices */

/* Send p's lowest pending signal if its notice is home. */
static void notice_send(struct proc *p)
{
	struct notice *n = &p->notice;
	unsigned sig;

	if (n->busy || !p->pending || p->state != P_RUN || !p->worker)
		return;
	sig = (unsigned)__builtin_ctzll(p->pending) + 1;
	p->pending &= p->pending - 1;
	n->sig.pid = p->pid;
	n->sig.sig = sig;
	n->sig.sender = p->pending_from;
	n->sig.sender_uid = p->pending_from_uid;
	msg_init(&n->m, WORKER_MSG_SIGNAL, &n->sig, sizeof(n->sig));
	n->m.flags = MSG_F_NOTIFY;
	if (msg_send(p->worker, &n->m) == 0)
		n->busy = 1;
}

static void notify_worker(struct sched_state *st, struct proc *p, unsigned sig,
                          const struct proc *from)
{
	(void)st;
	if (p->state != P_RUN || !p->worker || sig == 0 || sig > 64)
		return;
	p->pending |= 1ull << (sig - 1);
	p->pending_from = from ? from->pid : 0;
	p->pending_from_uid = from ? from->uid : 0;
	notice_send(p);
}

static void notice_back(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct proc *p = (struct proc *)((char *)m - offsetof(struct proc, notice.m));

	if (p < st->procs || p >= st->procs + PROC_MAX)
		return;
	p->notice.busy = 0;
	if (p->state == P_RUN) {
		notice_send(p);
		return;
	}
	if (p->state == P_FREE && (unsigned)(p - st->procs) < st->free_hint)
		st->free_hint = (unsigned)(p - st->procs);
	while (st->hi > 0 && slot_free(&st->procs[st->hi - 1]))
		st->hi--;
}

/* ---------------------------------------------------------------- held requests */

static int32_t hold(struct sched_state *st, msg_t *m)
{
	int32_t r = kproc_hold(st->held, HELD_MAX, m);

	if (r == KPROC_DEFERRED)
		st->nheld++;
	return r;
}

static int32_t try_wait(struct sched_state *st, msg_t *m, int final);
static int32_t try_pipe(struct sched_state *st, msg_t *m);

/* Answer every held request that can finish now. */
static void retry_held(struct sched_state *st)
{
	unsigned i, left = st->nheld;

	for (i = 0; i < HELD_MAX && left > 0; i++) {
		msg_t *m = st->held[i];
		int32_t r;

		if (!m)
			continue;
		left--;
		r = m->type == SCHED_MSG_WAIT ? try_wait(st, m, 0) : try_pipe(st, m);
		if (r != KPROC_DEFERRED) {
			st->held[i] = NULL;
			st->nheld--;
			msg_reply(m, r);
		}
	}
}

static void sched_cancelled(msg_t *m, void *state)
{
	struct sched_state *st = state;
	unsigned i;

	for (i = 0; i < HELD_MAX; i++)
		if (st->held[i] == m) {
			st->held[i] = NULL;
			st->nheld--;
		}
	msg_reply(m, -NOS_ECANCELED);
}

/* ---------------------------------------------------------------- spawn, fork, exit */

/* Round robin over the workers that are running. */
static msg_pid_t pick_worker(struct sched_state *st)
{
	unsigned i;

	for (i = 0; i < SCHED_WORKERS_MAX; i++) {
		msg_pid_t w;

		st->next_worker = st->next_worker % SCHED_WORKERS_MAX + 1;
		if (msg_lookup("sched", st->next_worker, &w) == 0)
			return w;
	}
	return MSG_PID_NONE;
}

static void name_cmd(struct proc *p, const char *cmd)
{
	size_t i;

	for (i = 0; cmd && cmd[i] && i < sizeof(p->cmd) - 1; i++)
		p->cmd[i] = cmd[i];
	p->cmd[i] = 0;
}

static void set_user(struct proc *p, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i < sizeof(p->user) - 1; i++)
		p->user[i] = name[i];
	p->user[i] = 0;
}

static uint32_t clock_now(const struct sched_state *st)
{
	return st->cfg->now ? st->cfg->now() : 0;
}

static int32_t on_spawn(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_spawn *s = m->payload;
	struct proc *p;

	msg_pid_t worker;

	if (!from_tool(m))
		return -NOS_EPERM;
	worker = pick_worker(st);
	if (!worker)
		return -NOS_EAGAIN;
	p = proc_new(st);
	if (!p)
		return -NOS_EAGAIN;
	p->ppid = INIT_PID;
	p->pgid = p->sid = p->pid;
	p->uid = s->cred.uid;
	set_user(p, s->cred.name);
	p->start = clock_now(st);
	p->tool_child = 1;
	p->worker = worker;
	name_cmd(p, s->cmd);
	s->pid = p->pid;
	s->worker = p->worker;
	return (int32_t)p->pid;
}

static int32_t on_forked(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_spawn *s = m->payload;
	struct proc *parent, *p;
	unsigned i, n = 0, limit;

	if (!from_worker(st, m) || !(parent = guest_of(st, m, s->ppid)))
		return -NOS_EPERM;
	/* The instance's per-user limit binds all but root; the guest's own
	 * RLIMIT_NPROC binds it too; the lower wins. */
	limit = parent->uid != 0 && st->cfg->max_procs_per_user < PROC_MAX ?
	        st->cfg->max_procs_per_user : 0;
	if (s->nproc_limit && (!limit || s->nproc_limit < limit))
		limit = s->nproc_limit;
	for (i = 0; limit && i < st->hi; i++)
		if (st->procs[i].state != P_FREE && st->procs[i].uid == parent->uid)
			n++;
	if ((limit && n >= limit) ||
	    (parent->uid != 0 && st->nprocs >= PROC_MAX - PROC_ROOT_RESERVE))
		return -NOS_EAGAIN;
	p = proc_new(st);
	if (!p)
		return -NOS_EAGAIN;
	p->ppid = parent->pid;
	p->pgid = parent->pgid;
	p->sid = parent->sid;
	p->uid = parent->uid;
	memcpy(p->user, parent->user, sizeof(p->user));
	p->start = clock_now(st);
	p->worker = m->from;
	memcpy(p->cmd, parent->cmd, sizeof(p->cmd));
	return (int32_t)p->pid;
}

/* Children of an exiting guest go to pid 1, the instance, which never
 * waits for them: they are reaped as soon as they end. */
static void orphan_children(struct sched_state *st, uint32_t pid)
{
	unsigned i;

	for (i = 0; i < st->hi; i++) {
		struct proc *c = &st->procs[i];

		if (c->state == P_FREE || c->ppid != pid)
			continue;
		c->ppid = INIT_PID;
		c->tool_child = 0;
		if (c->state == P_ZOMBIE)
			proc_free(st, c);
	}
}

static int32_t on_exited(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_exited *e = m->payload;
	struct proc *p = proc_find(st, e->pid);
	struct proc *parent;

	if (!p || (p->worker != m->from && !from_tool(m)))
		return -NOS_EPERM;
	if (p->state != P_RUN)
		return -NOS_ESRCH;
	p->wstatus = e->wstatus;
	p->instret = e->instret;
	p->syscalls = e->syscalls;
	orphan_children(st, p->pid);
	parent = proc_find(st, p->ppid);
	if (p->ppid == INIT_PID && !p->tool_child) {
		proc_free(st, p);
	} else {
		p->state = P_ZOMBIE;
		if (parent)
			notify_worker(st, parent, 17, p);  /* SIGCHLD */
	}
	retry_held(st);
	return 0;
}

/* ---------------------------------------------------------------- wait */

static int matches(const struct proc *p, uint32_t waiter, int32_t pid, int tool)
{
	if (p->state == P_FREE)
		return 0;
	if (tool ? !(p->ppid == INIT_PID && p->tool_child) : p->ppid != waiter)
		return 0;
	if (pid > 0)
		return p->pid == (uint32_t)pid;
	if (pid < -1)
		return p->pgid == (uint32_t)-pid;
	return 1;
}

/* A stop or continue the waiter asked to hear of: its wait status, or 0. */
static int32_t job_status(struct proc *p, uint32_t options)
{
	if (p->state != P_RUN)
		return 0;
	if (p->job_report == JOB_STOPPED && (options & SCHED_WSTOPPED))
		return (int32_t)p->stop_sig << 8 | 0x7f;
	if (p->job_report == JOB_CONTINUED && (options & SCHED_WCONTINUED))
		return 0xffff;
	return 0;
}

static int32_t try_wait(struct sched_state *st, msg_t *m, int first)
{
	struct sched_wait *w = m->payload;
	int tool = w->waiter == 0;
	unsigned i, children = 0;

	for (i = 0; i < st->hi; i++) {
		struct proc *p = &st->procs[i];
		int32_t job;

		if (!matches(p, w->waiter, w->pid, tool))
			continue;
		children++;
		if ((job = job_status(p, w->options)) != 0) {
			w->wstatus = job;
			w->instret = p->instret;
			w->syscalls = p->syscalls;
			p->job_report = 0;
			return (int32_t)p->pid;
		}
		if (p->state == P_ZOMBIE && !(w->options & SCHED_WNOEXIT)) {
			w->wstatus = p->wstatus;
			w->instret = p->instret;
			w->syscalls = p->syscalls;
			proc_free(st, p);
			return (int32_t)p->pid;
		}
	}
	if (!children)
		return -NOS_ECHILD;
	if (w->options & SCHED_WNOHANG)
		return 0;
	return first ? hold(st, m) : KPROC_DEFERRED;
}

static int32_t on_wait(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_wait *w = m->payload;

	if (w->waiter == 0 ? !from_tool(m) : !(from_worker(st, m) && guest_of(st, m, w->waiter)))
		return -NOS_EPERM;
	return try_wait(st, m, 1);
}

/* ---------------------------------------------------------------- kill, groups */

static int may_signal(const struct proc *from, const struct proc *to)
{
	return !from || from->uid == 0 || from->uid == to->uid;
}

static int32_t on_kill(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_kill *k = m->payload;
	struct proc *from = NULL;
	unsigned i, found = 0, sent = 0;

	if (k->sender == 0 ? !from_tool(m) : !(from_worker(st, m) &&
	                                      (from = guest_of(st, m, k->sender))))
		return -NOS_EPERM;
	if (k->sig > 64 || k->pid == 0)
		return -NOS_EINVAL;
	for (i = 0; i < st->hi; i++) {
		struct proc *p = &st->procs[i];

		if (p->state != P_RUN)
			continue;
		if (k->sid && p->sid != k->sid)
			continue;
		if (k->pid > 0 ? p->pid != (uint32_t)k->pid :
		    k->pid < -1 ? p->pgid != (uint32_t)-k->pid : p->pid == k->sender)
			continue;
		found++;
		if (!may_signal(from, p))
			continue;
		sent++;
		if (k->sig)
			notify_worker(st, p, k->sig, from);
	}
	if (!found)
		return -NOS_ESRCH;
	return sent ? 0 : -NOS_EPERM;
}

static int32_t on_pgid(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_pgid *q = m->payload;
	struct proc *caller, *p;

	if (!from_worker(st, m) || !(caller = guest_of(st, m, q->caller)))
		return -NOS_EPERM;
	p = proc_find(st, q->pid);
	if (!p)
		return -NOS_ESRCH;
	if (q->pgid == -1)
		return (int32_t)p->pgid;
	if (q->pgid == -2) {                    /* setsid */
		if (p != caller)
			return -NOS_EPERM;
		p->sid = p->pgid = p->pid;
		return 0;
	}
	if (q->pgid < 0)
		return -NOS_EINVAL;
	if (p != caller && p->ppid != caller->pid)
		return -NOS_ESRCH;
	if (p->sid != caller->sid)
		return -NOS_EPERM;
	p->pgid = q->pgid ? (uint32_t)q->pgid : p->pid;
	return 0;
}

/* ---------------------------------------------------------------- pipes */

static int32_t on_pipe(msg_t *m, void *state)
{
	struct sched_state *st = state;
	unsigned i;

	if (!from_worker(st, m))
		return -NOS_EPERM;
	for (i = 0; i < PIPE_MAX; i++) {
		struct pipe *p = &st->pipes[i];

		if (p->used)
			continue;
		if (!p->buf) {
			p->buf = st->cfg->alloc(PIPE_SIZE);
			if (!p->buf)
				return -NOS_ENOMEM;
		}
		p->used = 1;
		p->readers = p->writers = 1;
		p->head = p->len = 0;
		return (int32_t)i;
	}
	return -NOS_ENFILE;
}

static uint32_t ring_move(struct pipe *p, uint8_t *data, uint32_t n, int in)
{
	uint32_t done = 0;

	while (done < n) {
		uint32_t at = in ? (p->head + p->len) % PIPE_SIZE : p->head;
		uint32_t room = in ? PIPE_SIZE - p->len : p->len;
		uint32_t run = PIPE_SIZE - at;
		uint32_t k = n - done;

		if (k > room)
			k = room;
		if (k > run)
			k = run;
		if (!k)
			break;
		if (in) {
			memcpy(p->buf + at, data + done, k);
			p->len += k;
		} else {
			memcpy(data + done, p->buf + at, k);
			p->head = (p->head + k) % PIPE_SIZE;
			p->len -= k;
		}
		done += k;
	}
	return done;
}

static int32_t try_pipe(struct sched_state *st, msg_t *m)
{
	struct sched_pipe_io *io = m->payload;
	struct pipe *p = io->pipe < PIPE_MAX ? &st->pipes[io->pipe] : NULL;

	if (!p || !p->used)
		return -NOS_EBADF;
	if (io->dir == SCHED_PIPE_READ) {
		if (p->len)
			return (int32_t)ring_move(p, io->buf, io->len, 0);
		if (!p->writers || !io->len)
			return 0;
	} else {
		if (!p->readers)
			return -NOS_EPIPE;
		if (PIPE_SIZE - p->len && io->len)
			return (int32_t)ring_move(p, io->buf, io->len, 1);
		if (!io->len)
			return 0;
	}
	return io->nonblock ? -NOS_EAGAIN : KPROC_DEFERRED;
}

static int32_t on_pipe_io(msg_t *m, void *state)
{
	struct sched_state *st = state;
	int32_t r;

	if (!from_worker(st, m))
		return -NOS_EPERM;
	r = try_pipe(st, m);
	if (r == KPROC_DEFERRED)
		return hold(st, m);
	if (r > 0)
		retry_held(st);
	return r;
}

static int32_t on_pipe_ref(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_pipe_ref *q = m->payload;
	struct pipe *p = q->pipe < PIPE_MAX ? &st->pipes[q->pipe] : NULL;
	uint16_t *ends;

	if (!from_worker(st, m))
		return -NOS_EPERM;
	if (!p || !p->used || (q->delta != 1 && q->delta != -1))
		return -NOS_EINVAL;
	ends = q->end == SCHED_PIPE_READ ? &p->readers : &p->writers;
	if (q->delta < 0 && *ends == 0)
		return -NOS_EINVAL;
	*ends = (uint16_t)(*ends + q->delta);
	if (!p->readers && !p->writers)
		p->used = 0;
	retry_held(st);
	return 0;
}

/* ---------------------------------------------------------------- ps */

/* A worker tells what changed about one of its guests: its credentials
 * (login, setuid: the worker checked the right to it) or its command. */
static int32_t on_update(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_update *u = m->payload;
	struct proc *p;

	if (!from_worker(st, m) || !(p = guest_of(st, m, u->pid)))
		return -NOS_EPERM;
	if (u->what & SCHED_UPDATE_CRED) {
		p->uid = u->cred.uid;
		set_user(p, u->cred.name);
	}
	if ((u->what & SCHED_UPDATE_CMD) && u->cmd)
		name_cmd(p, u->cmd);
	return 0;
}

/* A worker's periodic report: what its guests ran so far. */
/* A worker's report: instructions so far, and stops and continues (job
 * control), which waiting parents may hear of (WSTOPPED, WCONTINUED). */
static int32_t on_instret(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_instret *q = m->payload;
	uint32_t i;
	int jobs = 0;

	if (!from_worker(st, m))
		return -NOS_EPERM;
	for (i = 0; i < q->count; i++) {
		struct proc *p = guest_of(st, m, q->ents[i].pid);
		uint8_t sig = (uint8_t)q->ents[i].stop_sig;

		if (!p || p->state != P_RUN)
			continue;
		p->instret = q->ents[i].instret;
		if (sig != p->stop_sig) {
			p->job_report = sig ? JOB_STOPPED : JOB_CONTINUED;
			p->stop_sig = sig;
			jobs = 1;
		}
	}
	if (jobs)
		retry_held(st);
	return 0;
}

static int32_t on_ps(msg_t *m, void *state)
{
	struct sched_state *st = state;
	struct sched_ps *q = m->payload;
	unsigned i;

	/* Workers ask for ps(1) in guests: the table is public, as /proc is. */
	if (!from_worker(st, m) && !from_tool(m))
		return -NOS_EPERM;
	q->count = 0;
	for (i = 0; i < st->hi && q->count < q->max; i++) {
		const struct proc *p = &st->procs[i];
		struct sched_ps_entry *e;

		if (p->state == P_FREE)
			continue;
		e = &q->ents[q->count++];
		e->pid = p->pid;
		e->ppid = p->ppid;
		e->pgid = p->pgid;
		e->uid = p->uid;
		e->state = p->state == P_ZOMBIE ? 'Z' : p->stop_sig ? 'T' : 'R';
		memcpy(e->cmd, p->cmd, sizeof(e->cmd));
		e->sid = p->sid;
		e->start = p->start;
		e->instret = p->instret;
		memcpy(e->user, p->user, sizeof(e->user));
	}
	return 0;
}

/* ---------------------------------------------------------------- serving */

static const struct kproc_handler sched_handlers[] = {
	{ SCHED_MSG_SPAWN, sizeof(struct sched_spawn), on_spawn },
	{ SCHED_MSG_FORKED, sizeof(struct sched_spawn), on_forked },
	{ SCHED_MSG_EXITED, sizeof(struct sched_exited), on_exited },
	{ SCHED_MSG_WAIT, sizeof(struct sched_wait), on_wait },
	{ SCHED_MSG_KILL, sizeof(struct sched_kill), on_kill },
	{ SCHED_MSG_PGID, sizeof(struct sched_pgid), on_pgid },
	{ SCHED_MSG_PIPE, 0, on_pipe },
	{ SCHED_MSG_PIPE_IO, sizeof(struct sched_pipe_io), on_pipe_io },
	{ SCHED_MSG_PIPE_REF, sizeof(struct sched_pipe_ref), on_pipe_ref },
	{ SCHED_MSG_PS, sizeof(struct sched_ps), on_ps },
	{ SCHED_MSG_UPDATE, sizeof(struct sched_update), on_update },
	{ SCHED_MSG_INSTRET, sizeof(struct sched_instret), on_instret },
};

static void sched_main(void *arg)
{
	struct sched_config *cfg = arg;
	struct sched_state *st = cfg->alloc(sizeof(*st));
	struct kproc_service svc;
	unsigned i;

	if (!st)
		kproc_panic("sched: no memory for the process table");
	memset(st, 0, sizeof(*st));
	for (i = 0; i < PROC_BUCKETS; i++)
		st->bucket[i] = NO_SLOT;
	st->cfg = cfg;
	st->next_pid = 2;
	memset(&svc, 0, sizeof(svc));
	svc.name = "sched";
	svc.handlers = sched_handlers;
	svc.nhandlers = sizeof(sched_handlers) / sizeof(sched_handlers[0]);
	svc.state = st;
	svc.cancelled = sched_cancelled;
	svc.returned = notice_back;
	kproc_serve(&svc);
	for (i = 0; i < PIPE_MAX; i++)
		cfg->release(st->pipes[i].buf);
	cfg->release(st);
}

int sched_start(struct sched_config *cfg, msg_pid_t *pid)
{
	if (!cfg->alloc || !cfg->release)
		return -NOS_EINVAL;
	if (!cfg->max_procs_per_user)
		cfg->max_procs_per_user = PROC_MAX;
	return kproc_start("sched", 0, sched_main, cfg, 0, pid);
}
