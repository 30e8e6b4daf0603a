/*
 * sys_proc.c: process system calls: exit, ids, process groups, kill,
 * waitid, clone (fork and vfork), execve, prlimit. The process table is
 * sched's; a guest's own ids are mirrored in its record so the common
 * getters need no message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/syscall.h"

SYS(exit)
{
	guest_exit(g, (int32_t)((a[0] & 0xff) << 8));
	return SYS_PARKED;
}

SYS(exit_group) { return sys_exit(g, a); }
SYS(getpid) { (void)a; return (int32_t)g->pid; }
SYS(gettid) { (void)a; return (int32_t)g->pid; }
SYS(getppid) { (void)a; return (int32_t)g->ppid; }
SYS(getuid) { (void)a; return (int32_t)g->cred.uid; }
SYS(geteuid) { (void)a; return (int32_t)g->cred.uid; }
SYS(getgid) { (void)a; return (int32_t)g->cred.gid; }
SYS(getegid) { (void)a; return (int32_t)g->cred.gid; }
SYS(set_tid_address) { (void)a; return (int32_t)g->pid; }

SYS(sched_yield)
{
	(void)g;
	(void)a;
	return 0;                       /* the return itself puts it at the queue's end */
}

SYS(umask)
{
	uint32_t old = g->umask;

	g->umask = a[0] & 0777;
	return (int32_t)old;
}

/* ---------------------------------------------------------------- signals to others */

static void done_value(struct guest *g, int32_t st)
{
	guest_return(g, st);
}

static int32_t kill_request(struct guest *g, int32_t pid, uint32_t sig)
{
	if (sig > GUEST_SIG_MAX)
		return -NOS_EINVAL;
	if (pid == (int32_t)g->pid) {
		guest_signal(g, sig, g->pid, g->cred.uid);   /* to itself: before it returns */
		return 0;
	}
	g->pend.u.kill.sender = g->pid;
	g->pend.u.kill.pid = pid == 0 ? -(int32_t)g->pgid : pid;
	g->pend.u.kill.sig = sig;
	g->pend.u.kill.sid = 0;
	return guest_request(g, g->w->cfg.sched, SCHED_MSG_KILL, sizeof(g->pend.u.kill),
	                     done_value);
}

SYS(kill) { return kill_request(g, (int32_t)a[0], a[1]); }

SYS(tgkill)
{
	if ((int32_t)a[0] <= 0 || (int32_t)a[1] <= 0)
		return -NOS_EINVAL;
	return kill_request(g, (int32_t)a[1], a[2]);
}

/* ---------------------------------------------------------------- groups */

static void pgid_done(struct guest *g, int32_t st)
{
	if (st >= 0 && g->pend.arg[0])
		g->pgid = g->pend.arg[1];
	if (st >= 0 && g->pend.u.pgid.pgid == -2) {
		g->sid = g->pid;
		g->pgid = g->pid;
		st = (int32_t)g->pid;
	}
	guest_return(g, st);
}

static int32_t pgid_request(struct guest *g, uint32_t pid, int32_t pgid)
{
	int self = pid == 0 || pid == g->pid;

	g->pend.arg[0] = (uint32_t)(self && pgid >= 0);
	g->pend.arg[1] = pgid == 0 ? g->pid : (uint32_t)pgid;
	g->pend.u.pgid.caller = g->pid;
	g->pend.u.pgid.pid = pid ? pid : g->pid;
	g->pend.u.pgid.pgid = pgid;
	return guest_request(g, g->w->cfg.sched, SCHED_MSG_PGID, sizeof(g->pend.u.pgid),
	                     pgid_done);
}

SYS(setpgid)
{
	if ((int32_t)a[1] < 0)
		return -NOS_EINVAL;
	return pgid_request(g, a[0], (int32_t)a[1]);
}

SYS(getpgid)
{
	if (a[0] == 0 || a[0] == g->pid)
		return (int32_t)g->pgid;
	return pgid_request(g, a[0], -1);
}

SYS(getsid)
{
	if (a[0] == 0 || a[0] == g->pid)
		return (int32_t)g->sid;
	return -NOS_EPERM;
}

SYS(setsid)
{
	(void)a;
	if (g->pgid == g->pid)
		return -NOS_EPERM;         /* a group leader cannot */
	return pgid_request(g, 0, -2);
}

/* ---------------------------------------------------------------- waitid */

enum { P_ALL = 0, P_PID = 1, P_PGID = 2 };
#define L_WNOHANG 1u
#define L_WEXITED 4u
#define L_WSTOPPED 2u
#define L_WCONTINUED 8u

static void waited(struct guest *g, int32_t st)
{
	uint8_t info[24];
	int32_t ws = g->pend.u.wait.wstatus;

	if (st == -NOS_ECANCELED)
		st = -NOS_EINTR;
	if (st >= 0 && g->pend.arg[0]) {
		memset(info, 0, sizeof(info));
		if (st > 0) {
			st_32(info, GSIG_CHLD);
			if ((ws & 0x7f) == 0) {
				st_32(info + 8, 1);                 /* CLD_EXITED */
				st_32(info + 20, (uint32_t)(ws >> 8) & 0xff);
			} else if (ws == 0xffff) {
				st_32(info + 8, 6);                 /* CLD_CONTINUED */
				st_32(info + 20, GSIG_CONT);
			} else if ((ws & 0xff) == 0x7f) {
				st_32(info + 8, 5);                 /* CLD_STOPPED */
				st_32(info + 20, (uint32_t)(ws >> 8) & 0xff);
			} else {
				st_32(info + 8, 2);                 /* CLD_KILLED */
				st_32(info + 20, (uint32_t)ws & 0x7f);
			}
			st_32(info + 12, (uint32_t)st);
			st_32(info + 16, g->cred.uid);
		}
		if (gmem_write(&g->mem, g->pend.arg[0], info, sizeof(info)) < 0)
			st = -NOS_EFAULT;
	}
	guest_return(g, st < 0 ? st : 0);
}

/* waitid(idtype, id, infop, options, rusage) */
SYS(waitid)
{
	int32_t pid;

	/* WNOWAIT is refused rather than reaping all the same. */
	if (!(a[3] & (L_WEXITED | L_WSTOPPED | L_WCONTINUED)) ||
	    (a[3] & ~(L_WNOHANG | L_WEXITED | L_WSTOPPED | L_WCONTINUED)))
		return -NOS_EINVAL;
	switch (a[0]) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if ((int32_t)a[1] <= 0)
			return -NOS_EINVAL;
		pid = (int32_t)a[1];
		break;
	case P_PGID:
		pid = -(int32_t)(a[1] ? a[1] : g->pgid);
		if (pid == -1)
			return -NOS_EINVAL;
		break;
	default:
		return -NOS_EINVAL;
	}
	if (a[4] && gmem_fill(&g->mem, a[4], 0, 72) < 0)
		return -NOS_EFAULT;
	g->pend.arg[0] = a[2];
	g->pend.u.wait.waiter = g->pid;
	g->pend.u.wait.pid = pid;
	g->pend.u.wait.options = ((a[3] & L_WNOHANG) ? SCHED_WNOHANG : 0) |
	                         ((a[3] & L_WSTOPPED) ? SCHED_WSTOPPED : 0) |
	                         ((a[3] & L_WCONTINUED) ? SCHED_WCONTINUED : 0) |
	                         ((a[3] & L_WEXITED) ? 0 : SCHED_WNOEXIT);
	g->pend.u.wait.wstatus = 0;
	return guest_request_slow(g, g->w->cfg.sched, SCHED_MSG_WAIT, sizeof(g->pend.u.wait),
	                          waited);
}

/* ---------------------------------------------------------------- clone */

#define L_CLONE_VM 0x100u
#define L_CLONE_VFORK 0x4000u
#define L_CLONE_THREAD 0x10000u
#define L_CSIGNAL 0xffu

static void child_refused(struct guest *g, int32_t st)
{
	(void)st;
	guest_return(g, -NOS_ENOMEM);
}

static void forked(struct guest *g, int32_t st)
{
	struct guest *child;

	if (st < 0) {
		guest_return(g, st);
		return;
	}
	child = guest_clone(g, (uint32_t)st, g->pend.arg[2] && g->pend.arg[3]);
	if (!child) {
		/* sched already counts it: report it gone at once. */
		g->pend.u.exited.pid = (uint32_t)st;
		g->pend.u.exited.wstatus = GSIG_KILL;
		g->pend.u.exited.instret = 0;
		g->pend.u.exited.syscalls = 0;
		guest_request(g, g->w->cfg.sched, SCHED_MSG_EXITED, sizeof(g->pend.u.exited),
		              child_refused);
		return;
	}
	if (g->pend.arg[1])
		child->cpu.x[RV_SP] = g->pend.arg[1];
	child->cpu.x[RV_A0] = 0;
	child->cpu.pc += 4;
	guest_resume(child);
	if (g->pend.arg[2]) {
		/* vfork: the parent waits until the child execs or ends. */
		child->vfork_parent = g;
		g->state = GUEST_VFORKED;
		return;
	}
	guest_return(g, st);
}

/* clone(flags, newsp, parent_tid, tls, child_tid): fork and vfork only.
 * A vfork child (CLONE_VM|CLONE_VFORK) runs in its parent's space (flat
 * memory; a paged one is copied), and its parent waits, as on Linux, until
 * the child execs or ends. */
SYS(clone)
{
	uint32_t flags = a[0] & ~L_CSIGNAL;

	if (flags & L_CLONE_THREAD)
		return -NOS_ENOSYS;
	if (flags & ~(L_CLONE_VM | L_CLONE_VFORK))
		return -NOS_EINVAL;
	g->pend.arg[1] = (flags & L_CLONE_VM) ? 0 : a[1];
	g->pend.arg[2] = (flags & L_CLONE_VFORK) != 0;
	g->pend.arg[3] = (flags & L_CLONE_VM) != 0;
	memset(&g->pend.u.spawn, 0, sizeof(g->pend.u.spawn));
	g->pend.u.spawn.ppid = g->pid;
	g->pend.u.spawn.pgid = g->pgid;
	g->pend.u.spawn.sid = g->sid;
	g->pend.u.spawn.cred = g->cred;
	g->pend.u.spawn.cmd = g->cmd;
	g->pend.u.spawn.nproc_limit = g->rlim[GRLIMIT_NPROC].cur >= UINT32_MAX ? 0 :
	                              (uint32_t)g->rlim[GRLIMIT_NPROC].cur;
	return guest_request(g, g->w->cfg.sched, SCHED_MSG_FORKED, sizeof(g->pend.u.spawn),
	                     forked);
}

/* ---------------------------------------------------------------- execve */

#define EXEC_ARGS_MAX (128u << 10)      /* bytes of argv + envp strings */
#define EXEC_ARGC_MAX 4096u
#define EXEC_IMAGE_MAX (32u << 20)

struct exec_state {
	char **argv, **envp;
	char *strings;
	uint8_t *image;
	uint32_t size;
	int32_t handle;
	int32_t error;
};

static void exec_state_free(struct exec_state *x)
{
	if (!x)
		return;
	free(x->argv);
	free(x->envp);
	free(x->strings);
	free(x->image);
	free(x);
}

/* Copy a NULL-terminated guest vector of strings into host memory. */
static int copy_vector(struct guest *g, uint32_t vec, char ***out, char *strings,
                       uint32_t *used)
{
	uint32_t n = 0, i;
	char **v;

	for (;;) {
		uint8_t p[4];

		if (!vec)
			break;
		if (gmem_read(&g->mem, vec + 4 * n, p, 4) < 0)
			return -NOS_EFAULT;
		if (!ld_32(p))
			break;
		if (++n > EXEC_ARGC_MAX)
			return -NOS_E2BIG;
	}
	v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -NOS_ENOMEM;
	*out = v;
	for (i = 0; i < n; i++) {
		uint8_t p[4];
		int len;

		if (gmem_read(&g->mem, vec + 4 * i, p, 4) < 0)
			return -NOS_EFAULT;
		len = gmem_read_str(&g->mem, ld_32(p), strings + *used, EXEC_ARGS_MAX - *used);
		if (len < 0)
			return len == -NOS_ENAMETOOLONG ? -NOS_E2BIG : len;
		v[i] = strings + *used;
		*used += (uint32_t)len + 1;
	}
	return 0;
}

static void exec_fail(struct guest *g, int32_t st)
{
	exec_state_free(g->pend.ctx);
	g->pend.ctx = NULL;
	guest_return(g, st);
}

static void exec_resume(struct guest *g, int32_t st)
{
	(void)st;
	if (g->trace)
		syscall_trace_result(g, 0);
	guest_resume(g);
}

/* ps shows the new program (sched answers even if it could not). */
static void exec_renamed(struct guest *g, int32_t st)
{
	(void)st;
	guest_close_fds(g, g->cloexec, exec_resume);
}

static void exec_closed(struct guest *g, int32_t st)
{
	struct exec_state *x = g->pend.ctx;
	char why[160];
	int r;

	(void)st;
	if (x->error < 0) {
		exec_fail(g, x->error);
		return;
	}
	r = guest_exec(g, x->image, x->size, g->pend.path, (const char *const *)x->argv,
	               (const char *const *)x->envp, why, sizeof(why));
	if (r < 0) {
		if (r == -NOS_ENOEXEC)
			fprintf(stderr, "nanoos: %s: %s\n", g->pend.path, why);
		exec_fail(g, r);
		return;
	}
	exec_state_free(x);
	g->pend.ctx = NULL;
	guest_vfork_release(g);
	memset(&g->pend.u.update, 0, sizeof(g->pend.u.update));
	g->pend.u.update.pid = g->pid;
	g->pend.u.update.what = SCHED_UPDATE_CMD;
	g->pend.u.update.cmd = g->cmd;
	guest_request(g, g->w->cfg.sched, SCHED_MSG_UPDATE, sizeof(g->pend.u.update),
	              exec_renamed);
}

static void exec_close(struct guest *g, int32_t error)
{
	struct exec_state *x = g->pend.ctx;

	x->error = error;
	g->pend.u.handle.handle = x->handle;
	g->pend.u.handle.arg = 0;
	guest_request(g, g->w->cfg.fs, FS_MSG_CLOSE, sizeof(g->pend.u.handle), exec_closed);
}

static void exec_read(struct guest *g, int32_t st)
{
	struct exec_state *x = g->pend.ctx;

	exec_close(g, st < 0 ? st : (uint32_t)st != x->size ? -NOS_EIO : 0);
}

static void exec_statted(struct guest *g, int32_t st)
{
	struct exec_state *x = g->pend.ctx;

	if (st < 0) {
		exec_close(g, st);
		return;
	}
	if (g->pend.u.stat.st.is_dir) {
		exec_close(g, -NOS_EACCES);
		return;
	}
	x->size = g->pend.u.stat.st.size;
	if (x->size > EXEC_IMAGE_MAX) {
		exec_close(g, -NOS_ENOMEM);
		return;
	}
	x->image = malloc(x->size ? x->size : 1);
	if (!x->image) {
		exec_close(g, -NOS_ENOMEM);
		return;
	}
	g->pend.u.io.handle = x->handle;
	g->pend.u.io.len = x->size;
	g->pend.u.io.buf = x->image;
	g->pend.u.io.offset = 0;
	guest_request(g, g->w->cfg.fs, FS_MSG_READ, sizeof(g->pend.u.io), exec_read);
}

static void exec_opened(struct guest *g, int32_t st)
{
	struct exec_state *x = g->pend.ctx;

	if (st < 0) {
		exec_fail(g, st == -NOS_EISDIR ? -NOS_EACCES : st);
		return;
	}
	x->handle = st;
	g->pend.u.stat.handle = st;
	guest_request(g, g->w->cfg.fs, FS_MSG_FSTAT, sizeof(g->pend.u.stat), exec_statted);
}

/* execve(path, argv, envp) */
SYS(execve)
{
	struct exec_state *x;
	uint32_t used = 0;
	int r = guest_path(g, L_AT_FDCWD, a[0], g->pend.path);

	if (r < 0)
		return r;
	x = calloc(1, sizeof(*x));
	if (!x || !(x->strings = malloc(EXEC_ARGS_MAX))) {
		free(x);
		return -NOS_ENOMEM;
	}
	r = copy_vector(g, a[1], &x->argv, x->strings, &used);
	if (r == 0)
		r = copy_vector(g, a[2], &x->envp, x->strings, &used);
	if (r < 0) {
		exec_state_free(x);
		return r;
	}
	g->pend.ctx = x;
	g->pend.u.path.cred.uid = g->cred.uid;
	memcpy(g->pend.u.path.cred.name, g->cred.name, sizeof(g->pend.u.path.cred.name));
	g->pend.u.path.cred.name[sizeof(g->pend.u.path.cred.name) - 1] = 0;
	g->pend.u.path.path = g->pend.path;
	g->pend.u.path.path_len = (uint32_t)strlen(g->pend.path);
	g->pend.u.path.flags = FS_O_RDONLY;
	g->pend.u.path.arg = g->pend.u.path.arg2 = 0;
	return guest_request(g, g->w->cfg.fs, FS_MSG_OPEN, sizeof(g->pend.u.path), exec_opened);
}

/* ---------------------------------------------------------------- limits */

/* prlimit64(pid, resource, new, old), and through it getrlimit/setrlimit.
 * Every resource keeps a soft and a hard value (guest.h); anyone may lower
 * them, only root may raise a hard limit, and on another guest only root
 * or its own user may act. A guest of another worker is asked of each
 * worker in turn (WORKER_MSG_RLIMIT). Enforced: AS and DATA by memmgr (the
 * heap and mappings; the lower wins), NPROC by sched at fork (the guest's
 * and the instance's per-user limit, the lower wins; the guest's binds
 * root too, so a root shell can contain a test), NOFILE by the fd table
 * (hard at most GUEST_FD_MAX, as Linux's nr_open). STACK and CPU are kept
 * and reported only: the stack's share of the space is fixed. */
static int32_t limit_check(uint32_t uid, uint32_t res, const struct guest_rlimit *set,
                           const struct guest_rlimit *old)
{
	if (set->cur > set->max)
		return -NOS_EINVAL;
	if (set->max > old->max && uid != 0)
		return -NOS_EPERM;
	if (res == GRLIMIT_NOFILE && set->max > GUEST_FD_MAX && set->max != old->max)
		return -NOS_EPERM;
	return 0;
}

/* memmgr holds t's heap and mappings to its new limit. */
static int memmgr_limit(struct guest *t)
{
	struct memmgr_req q = { t->pid, 0, 0, guest_mem_limit(t) };
	msg_t m;

	msg_init(&m, MEMMGR_MSG_LIMIT, &q, sizeof(q));
	return msg_call(t->w->cfg.memmgr, &m, MSG_FOREVER);
}

int32_t guest_prlimit(struct guest *t, uint32_t uid, uint32_t res,
                      const struct guest_rlimit *set, struct guest_rlimit *old)
{
	int32_t r;

	if (res >= GUEST_RLIM_MAX)
		return -NOS_EINVAL;
	if (uid != 0 && uid != t->cred.uid)
		return -NOS_EPERM;
	*old = t->rlim[res];
	if (!set)
		return 0;
	if ((r = limit_check(uid, res, set, old)) < 0)
		return r;
	t->rlim[res] = *set;
	if (res == GRLIMIT_AS || res == GRLIMIT_DATA)
		return memmgr_limit(t);
	return 0;
}

/* The old values to the guest (a[3]), then its return. */
static int32_t limit_reply(struct guest *g, int32_t r, const struct guest_rlimit *old)
{
	uint8_t o[16];

	if (r < 0 || !g->pend.arg[3])
		return r;
	st_64(o, old->cur);
	st_64(o + 8, old->max);
	return gmem_write(&g->mem, g->pend.arg[3], o, 16) < 0 ? -NOS_EFAULT : 0;
}

static void limit_remote_next(struct guest *g);

static void limit_remote_done(struct guest *g, int32_t st)
{
	struct guest_rlimit old = { g->pend.u.rlimit.old_cur, g->pend.u.rlimit.old_max };

	if (st == -NOS_ESRCH || st == -NOS_EPIPE) {
		limit_remote_next(g);
		return;
	}
	guest_return(g, limit_reply(g, st, &old));
}

/* Ask the next worker after pend.arg[4] for the guest; ESRCH after all. */
static void limit_remote_next(struct guest *g)
{
	msg_pid_t w;

	while (++g->pend.arg[4] <= WORKER_MAX) {
		if (g->pend.arg[4] == g->w->index || msg_lookup("sched", g->pend.arg[4], &w) < 0)
			continue;
		guest_request(g, w, WORKER_MSG_RLIMIT, sizeof(g->pend.u.rlimit), limit_remote_done);
		return;
	}
	guest_return(g, -NOS_ESRCH);
}

SYS(prlimit64)
{
	struct guest *t = a[0] == 0 || a[0] == g->pid ? g : worker_find(g->w, a[0]);
	struct guest_rlimit set, old;
	uint8_t b[16] = { 0 };

	if (a[2] && gmem_read(&g->mem, a[2], b, 16) < 0)
		return -NOS_EFAULT;
	set.cur = ld_64(b);
	set.max = ld_64(b + 8);
	g->pend.arg[3] = a[3];
	if (t)
		return limit_reply(g, guest_prlimit(t, g->cred.uid, a[1], a[2] ? &set : NULL, &old),
		                   &old);
	if ((int32_t)a[0] < 0)
		return -NOS_ESRCH;
	memset(&g->pend.u.rlimit, 0, sizeof(g->pend.u.rlimit));
	g->pend.u.rlimit.pid = a[0];
	g->pend.u.rlimit.resource = a[1];
	g->pend.u.rlimit.caller_uid = g->cred.uid;
	g->pend.u.rlimit.set = a[2] != 0;
	g->pend.u.rlimit.cur = set.cur;
	g->pend.u.rlimit.max = set.max;
	g->pend.arg[4] = 0;
	limit_remote_next(g);
	return SYS_PARKED;
}
