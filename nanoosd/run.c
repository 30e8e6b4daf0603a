/*
 * run.c: RUN, a terminal session on one connection.
 *
 *   1. the program: an UPLOADed host file, a path on the volume read as
 *      the account (fs answers the instance's thread: daemon_call), the
 *      account's shell as a login shell (CTL_RUN_SHELL, argv[0] "-sh"), or
 *      /bin/login as root (CTL_RUN_LOGIN);
 *   2. a console ("console", N) whose terminal is the socket: its writes
 *      become OUTPUT frames (term_write);
 *   3. SCHED_MSG_SPAWN, CONSOLE_CTL_SESSION (the guest's group in the
 *      foreground), WORKER_MSG_START (from the instance's thread), and the
 *      RUN reply with the pid -- sent before the console may write, so
 *      OUTPUT never comes before it;
 *   4. a reader thread, ("conin", N), turns INPUT into CONSOLE_MSG_INPUT
 *      (waiting while the console's buffer is full: a client is read only
 *      as fast as its guest takes input) and WINSIZE/SIGNAL into
 *      CONSOLE_MSG_CONTROL; at the client's end it hangs the console up;
 *   5. SCHED_MSG_WAIT for the guest, then EXIT with its wait status. The
 *      console's hangup sends the session SIGHUP and SIGCONT; a guest that
 *      still outlives its client by KILL_GRACE gets SIGKILL: a vanished
 *      client never leaves a session thread behind.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "kproc/console.h"
#include "kproc/fs.h"
#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"
#include "vm-rv32i/worker.h"

#define PROG_MAX (32u << 20)
#define ARGS_MAX 1024                  /* argv or envp entries */
#define KILL_GRACE_NS 5000000000LL
#define MEM_MIN (1u << 20)
#define MEM_MAX (1u << 30)

struct run {
	struct conn *c;
	uint32_t tag;
	struct console_term term;
	msg_pid_t console;
	uint16_t rows, cols;                /* the client's terminal; 0: unknown */
	uint32_t pid;
	struct sched_cred cred;
	char home[USERS_PATH_MAX], shell[USERS_PATH_MAX];
	char path[FS_PATH_MAX];             /* as the guest sees it */
	uint8_t *image;                     /* malloc'd, or the conn's upload */
	uint32_t image_len;
	const char *argv[ARGS_MAX + 1];
	const char *envp[ARGS_MAX + 8];
	char env_own[6][FS_PATH_MAX + 16];  /* the default variables */
	char argv0[USERS_PATH_MAX + 1];
	char cwd[FS_PATH_MAX];
	pthread_t reader;
	int reader_started;
	int client_gone;                    /* atomic: set by the reader */
	int exited;                         /* atomic: EXIT is out; input is dropped */
	char why[CTL_TEXT_MAX];
};

/* ---------------------------------------------------------------- the terminal */

static int32_t term_write(void *ctx, unsigned stream, const void *buf, uint32_t len)
{
	struct run *r = ctx;
	const uint8_t *p = buf;
	uint32_t done = 0;

	while (done < len) {
		struct ctl_data d;

		d.stream = stream == 2 ? 2 : 1;
		d.data = p + done;
		d.data_len = len - done > CTL_DATA_MAX ? CTL_DATA_MAX : len - done;
		if (conn_send(r->c, CTL_MSG_OUTPUT, 0, 0, 0, &d, sizeof(d)) < 0)
			return done ? (int32_t)done : -NOS_EIO;   /* a hung-up terminal */
		done += d.data_len;
	}
	return (int32_t)done;
}

static void term_winsize(void *ctx, uint16_t *rows, uint16_t *cols)
{
	struct run *r = ctx;
	uint16_t rr = __atomic_load_n(&r->rows, __ATOMIC_RELAXED);
	uint16_t cc = __atomic_load_n(&r->cols, __ATOMIC_RELAXED);

	if (rr && cc) {
		*rows = rr;
		*cols = cc;
	}
}

static int control(struct run *r, uint32_t op, uint16_t rows, uint16_t cols, uint32_t sig,
                   uint32_t pgid)
{
	struct console_control cc;
	msg_t m;

	memset(&cc, 0, sizeof(cc));
	cc.op = op;
	cc.rows = rows;
	cc.cols = cols;
	cc.sig = sig;
	cc.pgid = pgid;
	msg_init(&m, CONSOLE_MSG_CONTROL, &cc, sizeof(cc));
	return msg_call(r->console, &m, MSG_FOREVER);
}

/* ---------------------------------------------------------------- the program */

struct load {
	const struct sched_cred *cred;
	const char *path;
	uint8_t *image;
	uint32_t len;
};

/* On the instance's thread: the whole file, read as the account. */
static int32_t load_on_instance(void *arg)
{
	struct load *l = arg;
	struct fs_cred cred;
	struct fs_stat st;
	int32_t n;
	int h;

	memset(&cred, 0, sizeof(cred));
	cred.uid = l->cred->uid;
	snprintf(cred.name, sizeof(cred.name), "%s", l->cred->name);
	h = fs_open(D.in.fs, &cred, l->path, FS_O_RDONLY);
	if (h < 0)
		return h;
	n = fs_fstat(D.in.fs, h, &st);
	if (n == 0 && (st.is_dir || st.size > PROG_MAX))
		n = st.is_dir ? -NOS_EISDIR : -NOS_EFBIG;
	if (n == 0 && !(l->image = malloc(st.size ? st.size : 1)))
		n = -NOS_ENOMEM;
	if (n == 0) {
		n = fs_pread(D.in.fs, h, l->image, st.size, 0);
		if (n >= 0 && (uint32_t)n != st.size)
			n = -NOS_EIO;
	}
	fs_close(D.in.fs, h);
	if (n < 0) {
		free(l->image);
		l->image = NULL;
		return n;
	}
	l->len = st.size;
	return 0;
}

struct cwd_check {
	const struct sched_cred *cred;
	const char *path;
};

static int32_t is_dir_on_instance(void *arg)
{
	struct cwd_check *q = arg;
	struct fs_cred cred;
	struct fs_stat st;
	int r;

	memset(&cred, 0, sizeof(cred));
	cred.uid = q->cred->uid;
	snprintf(cred.name, sizeof(cred.name), "%s", q->cred->name);
	r = fs_stat(D.in.fs, &cred, q->path, &st);
	return r < 0 ? r : st.is_dir ? 0 : -NOS_ENOTDIR;
}

static void use_account(struct run *r, const struct users_account *a)
{
	r->cred.uid = a->uid;
	r->cred.gid = a->gid;
	snprintf(r->cred.name, sizeof(r->cred.name), "%s", a->name);
	snprintf(r->home, sizeof(r->home), "%s", a->home[0] ? a->home : "/");
	snprintf(r->shell, sizeof(r->shell), "%s", a->shell[0] ? a->shell : "/bin/sh");
}

/* Split a NUL-separated list into out[] (NULL-terminated): count or -1. */
static int split(const char *buf, uint32_t len, const char **out, unsigned max)
{
	uint32_t at = 0;
	unsigned n = 0;

	if (len && buf[len - 1] != 0)
		return -1;
	while (at < len) {
		if (n == max)
			return -1;
		out[n++] = buf + at;
		at += (uint32_t)strlen(buf + at) + 1;
	}
	out[n] = NULL;
	return (int)n;
}

/* Which program, as whom, with which argv[0]. 0 or -NOS_E* (why set). */
static int choose_program(struct run *r, const struct ctl_run *run)
{
	const char *base;

	if (run->flags & CTL_RUN_LOGIN) {
		struct users_account root;
		int e = session_lookup_account("root", &root);

		if (e < 0) {
			snprintf(r->why, sizeof(r->why), "no root account on the volume: %s",
			         nos_strerror(e));
			return e;
		}
		use_account(r, &root);
		snprintf(r->path, sizeof(r->path), "/bin/login");
		r->argv[0] = "login";
		r->argv[1] = NULL;
		return 0;
	}
	use_account(r, &r->c->acct);
	if (run->flags & CTL_RUN_SHELL) {
		snprintf(r->path, sizeof(r->path), "%s", r->shell);
		base = strrchr(r->shell, '/');
		snprintf(r->argv0, sizeof(r->argv0), "-%s", base ? base + 1 : r->shell);
		r->argv[0] = r->argv0;
		r->argv[1] = NULL;
		return 0;
	}
	if (!run->prog_len || memchr(run->prog, 0, run->prog_len)) {
		snprintf(r->why, sizeof(r->why), "RUN without a program");
		return -NOS_EINVAL;
	}
	snprintf(r->path, sizeof(r->path), "%s%.*s",
	         (run->flags & CTL_RUN_HOST) || run->prog[0] == '/' ? "" : "/bin/",
	         (int)run->prog_len, run->prog);
	if (split(run->argv, run->argv_len, r->argv, ARGS_MAX) < 0) {
		snprintf(r->why, sizeof(r->why), "argv: more than %u arguments, or not "
		         "NUL-terminated", ARGS_MAX);
		return -NOS_E2BIG;
	}
	if (!r->argv[0]) {
		r->argv[0] = r->path;
		r->argv[1] = NULL;
	}
	return 0;
}

static int load_program(struct run *r, const struct ctl_run *run)
{
	struct load l = { &r->cred, r->path, NULL, 0 };
	int e;

	if (run->flags & CTL_RUN_HOST && !(run->flags & (CTL_RUN_SHELL | CTL_RUN_LOGIN))) {
		struct conn *c = r->c;

		if (!c->upload || c->upload_have != c->upload_total) {
			snprintf(r->why, sizeof(r->why), "RUN of a host program before all of it "
			         "was UPLOADed");
			return -NOS_EINVAL;
		}
		r->image = c->upload;
		r->image_len = c->upload_total;
		return 0;
	}
	e = daemon_call(load_on_instance, &l);
	if (e < 0) {
		snprintf(r->why, sizeof(r->why), "%.300s: %s (as %s); list the volume with `nanoos run "
		         "/bin/ls /bin`", r->path, nos_strerror(e), r->cred.name);
		return e;
	}
	r->image = l.image;
	r->image_len = l.len;
	return 0;
}

/* Defaults, then the client's variables (which win when named alike). */
static int build_env(struct run *r, const struct ctl_run *run)
{
	const char *client[ARGS_MAX + 1];
	int n = 0, i, k, nc = split(run->envp, run->envp_len, client, ARGS_MAX);

	if (nc < 0) {
		snprintf(r->why, sizeof(r->why), "envp: more than %u variables, or not "
		         "NUL-terminated", ARGS_MAX);
		return -NOS_E2BIG;
	}
	snprintf(r->env_own[0], sizeof(r->env_own[0]), "HOME=%s", r->home);
	snprintf(r->env_own[1], sizeof(r->env_own[1]), "USER=%s", r->cred.name);
	snprintf(r->env_own[2], sizeof(r->env_own[2]), "LOGNAME=%s", r->cred.name);
	snprintf(r->env_own[3], sizeof(r->env_own[3]), "SHELL=%s", r->shell);
	snprintf(r->env_own[4], sizeof(r->env_own[4]), "PATH=/bin");
	snprintf(r->env_own[5], sizeof(r->env_own[5]), "TERM=vt100");
	for (i = 0; i < 6; i++)
		r->envp[n++] = r->env_own[i];
	for (i = 0; i < nc; i++) {
		size_t name = strcspn(client[i], "=");

		for (k = 0; k < n; k++)
			if (strncmp(r->envp[k], client[i], name + 1) == 0)
				break;
		r->envp[k] = client[i];
		if (k == n)
			n++;
	}
	r->envp[n] = NULL;
	return 0;
}

static int choose_cwd(struct run *r, const struct ctl_run *run)
{
	struct cwd_check q = { &r->cred, r->cwd };

	if (run->cwd_len && !memchr(run->cwd, 0, run->cwd_len)) {
		snprintf(r->cwd, sizeof(r->cwd), "%.*s", (int)run->cwd_len, run->cwd);
		if (r->cwd[0] != '/' || daemon_call(is_dir_on_instance, &q) < 0) {
			snprintf(r->why, sizeof(r->why), "%.300s: not a directory on the volume", r->cwd);
			return -NOS_ENOTDIR;
		}
		return 0;
	}
	snprintf(r->cwd, sizeof(r->cwd), "%s", r->home);
	if (daemon_call(is_dir_on_instance, &q) < 0)
		snprintf(r->cwd, sizeof(r->cwd), "/");   /* a home that is gone */
	return 0;
}

/* ---------------------------------------------------------------- starting */

struct start {
	msg_pid_t worker;
	struct worker_start *ws;
};

static int32_t start_on_instance(void *arg)
{
	struct start *s = arg;
	msg_t m;

	if (daemon_stopping())
		return -NOS_ECANCELED;
	msg_init(&m, WORKER_MSG_START, s->ws, sizeof(*s->ws));
	return msg_call(s->worker, &m, MSG_FOREVER);
}

static int sched_call(uint16_t type, void *payload, uint32_t size)
{
	msg_t m;

	msg_init(&m, type, payload, size);
	return msg_call(D.in.sched, &m, MSG_FOREVER);
}

/* A spawned guest its worker refused: end it and reap it. */
static void drop_spawned(struct run *r)
{
	struct sched_exited ex = { r->pid, 127 << 8, 0, 0 };
	struct sched_wait w;

	sched_call(SCHED_MSG_EXITED, &ex, sizeof(ex));
	memset(&w, 0, sizeof(w));
	w.pid = (int32_t)r->pid;
	w.options = SCHED_WNOHANG;
	sched_call(SCHED_MSG_WAIT, &w, sizeof(w));
	r->pid = 0;
}

static int start_guest(struct run *r, const struct ctl_run *run)
{
	struct sched_spawn sp;
	struct worker_start ws;
	struct start s;
	struct ctl_run reply;
	int e;

	memset(&sp, 0, sizeof(sp));
	sp.cred = r->cred;
	sp.cmd = r->path;
	e = sched_call(SCHED_MSG_SPAWN, &sp, sizeof(sp));
	if (e < 0) {
		snprintf(r->why, sizeof(r->why), "sched refused a new process: %s", nos_strerror(e));
		return e;
	}
	r->pid = sp.pid;
	control(r, CONSOLE_CTL_SESSION, 0, 0, 0, r->pid);
	memset(&ws, 0, sizeof(ws));
	ws.pid = sp.pid;
	ws.image = r->image;
	ws.image_len = r->image_len;
	ws.path = r->path;
	ws.argv = r->argv;
	ws.envp = r->envp;
	ws.cred = r->cred;
	ws.cwd = r->cwd;
	ws.mem_size = run->mem;
	ws.console = r->console;
	s.worker = sp.worker;
	s.ws = &ws;
	/* Hold the socket until the RUN reply is out: the guest's first
	 * OUTPUT waits for it. */
	pthread_mutex_lock(&r->c->wlock);
	e = daemon_call(start_on_instance, &s);
	if (e < 0) {
		pthread_mutex_unlock(&r->c->wlock);
		snprintf(r->why, sizeof(r->why), "%.300s: %.300s%s", r->path,
		         ws.why[0] ? ws.why : nos_strerror(e),
		         e == -NOS_ENOEXEC ? "; NanoOs runs static RV32 ELF programs: build them "
		         "with nanoos-cc" : "");
		drop_spawned(r);
		return e;
	}
	reply = *run;
	reply.prog = reply.argv = reply.envp = reply.cwd = NULL;
	reply.prog_len = reply.argv_len = reply.envp_len = reply.cwd_len = 0;
	conn_send_locked(r->c, CTL_MSG_RUN, MSG_F_REPLY, (int32_t)r->pid, r->tag, &reply,
	                 sizeof(reply));
	pthread_mutex_unlock(&r->c->wlock);
	log_msg(LOG_DEBUG, "session %u: %s runs %s as pid %lu", r->c->index, r->cred.name,
	        r->path, (unsigned long)r->pid);
	return 0;
}

/* ---------------------------------------------------------------- the reader */

static void console_input(struct run *r, const void *data, uint32_t len)
{
	struct console_io io;
	msg_t m;

	memset(&io, 0, sizeof(io));
	io.buf = (void *)data;
	io.len = len;
	msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
	msg_call(r->console, &m, MSG_FOREVER);
}

/* End of input, and SIGHUP + SIGCONT to the session (the console does it). */
static void console_hang_up(struct run *r)
{
	msg_t m;

	msg_init(&m, CONSOLE_MSG_HANGUP, NULL, 0);
	msg_call(r->console, &m, MSG_FOREVER);
}

/* One frame of the session: 0 go on, -1 the client broke the protocol. */
static int reader_frame(struct run *r, struct frame *f)
{
	switch (f->h.type) {
	case CTL_MSG_INPUT:
		if (!__atomic_load_n(&r->exited, __ATOMIC_ACQUIRE))
			console_input(r, f->u.data.data, f->u.data.data_len);
		return 0;
	case CTL_MSG_WINSIZE:
		__atomic_store_n(&r->rows, f->u.winsize.rows, __ATOMIC_RELAXED);
		__atomic_store_n(&r->cols, f->u.winsize.cols, __ATOMIC_RELAXED);
		control(r, CONSOLE_CTL_WINSIZE, f->u.winsize.rows, f->u.winsize.cols, 0, 0);
		return 0;
	case CTL_MSG_SIGNAL:
		if (f->u.signal.sig == 0 || f->u.signal.sig > 64)
			return -1;
		control(r, CONSOLE_CTL_SIGNAL, 0, 0, f->u.signal.sig, 0);
		return 0;
	default:
		log_msg(LOG_WARN, "client pid %ld uid %lu: a frame of type 0x%x in a session; "
		        "closing that connection", (long)r->c->peer_pid,
		        (unsigned long)r->c->peer_uid, (unsigned)f->h.type);
		return -1;
	}
}

static void *reader_main(void *arg)
{
	struct run *r = arg;
	struct frame f;

	if (msg_attach("conin", r->c->index) < 0) {
		log_msg(LOG_ERR, "session %u: no process slot for its input", r->c->index);
		__atomic_store_n(&r->client_gone, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	while (conn_read(r->c, &f) == 1) {
		int e = reader_frame(r, &f);

		conn_frame_free(&f);
		if (e < 0)
			break;
	}
	/* The client is gone (or we hang up): its terminal is hung up. */
	if (!conn_is_dead(r->c) && !__atomic_load_n(&r->exited, __ATOMIC_ACQUIRE))
		log_msg(LOG_INFO, "session %u: the client went away; hanging up pid %lu",
		        r->c->index, (unsigned long)r->pid);
	__atomic_store_n(&r->client_gone, 1, __ATOMIC_RELEASE);
	conn_hang_up(r->c);
	console_hang_up(r);
	msg_detach();
	return NULL;
}

/* ---------------------------------------------------------------- waiting */

static void kill_guest(struct run *r)
{
	struct sched_kill k = { 0, (int32_t)r->pid, 9, 0 };   /* SIGKILL */

	sched_call(SCHED_MSG_KILL, &k, sizeof(k));
}

/* The guest's wait status, or -1 if sched went away first. */
static int wait_guest(struct run *r)
{
	struct sched_wait w;
	uint64_t gone_at = 0;
	int kill_sent = 0;
	msg_t m;
	int e;

	memset(&w, 0, sizeof(w));
	w.pid = (int32_t)r->pid;
	msg_init(&m, SCHED_MSG_WAIT, &w, sizeof(w));
	if (msg_send(D.in.sched, &m) < 0)
		return -1;
	while ((e = msg_wait(&m, 200000000)) == -NOS_ETIMEDOUT) {
		uint64_t now = msg_now_ns();
		struct pollfd p = { r->c->fd, POLLRDHUP, 0 };

		/* The reader may be stuck handing input to a full console and
		 * never see the client go: look at the socket from here too. */
		if (!__atomic_load_n(&r->client_gone, __ATOMIC_ACQUIRE) &&
		    poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			__atomic_store_n(&r->client_gone, 1, __ATOMIC_RELEASE);
			console_hang_up(r);
		}

		if (!__atomic_load_n(&r->client_gone, __ATOMIC_ACQUIRE))
			continue;
		if (!gone_at)
			gone_at = now;
		if (!kill_sent && now - gone_at > (uint64_t)KILL_GRACE_NS) {
			log_msg(LOG_WARN, "session %u: pid %lu outlived its client's hangup; "
			        "killing it", r->c->index, (unsigned long)r->pid);
			kill_guest(r);
			kill_sent = 1;
		}
	}
	return e < 0 ? -1 : w.wstatus;
}

/* ---------------------------------------------------------------- the session */

static int prepare(struct run *r, const struct ctl_run *run)
{
	int e;

	if (run->mem && (run->mem < MEM_MIN || run->mem > MEM_MAX || (run->mem & 4095))) {
		snprintf(r->why, sizeof(r->why), "a guest of %lu bytes: give 1M to 1G in whole "
		         "pages, or 0 for the default", (unsigned long)run->mem);
		return -NOS_EINVAL;
	}
	if ((e = choose_program(r, run)) < 0 || (e = load_program(r, run)) < 0 ||
	    (e = build_env(r, run)) < 0 || (e = choose_cwd(r, run)) < 0)
		return e;
	r->term.write = term_write;
	r->term.is_tty = (run->flags & CTL_RUN_TTY) != 0;
	r->term.winsize = term_winsize;
	r->term.ctx = r;
	r->term.index = r->c->index;
	r->rows = run->rows;
	r->cols = run->cols;
	e = console_start(&r->term, &r->console);
	if (e < 0) {
		r->console = MSG_PID_NONE;
		snprintf(r->why, sizeof(r->why), "no console for the session: %s", nos_strerror(e));
	}
	return e;
}

/* After EXIT: our side of the socket ends (the client reads EXIT, then
 * EOF), and the reader drains what the client still sends until it closes
 * -- closing with its bytes unread would reset the connection, and the
 * client could lose EXIT. A client that does not close gets LINGER_NS. */
#define LINGER_NS 2000000000LL

static void linger(struct run *r)
{
	struct timespec until;

	shutdown(r->c->fd, SHUT_WR);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += LINGER_NS / 1000000000LL;
	if (r->reader_started && pthread_timedjoin_np(r->reader, NULL, &until) == 0)
		r->reader_started = 0;
}

static void finish(struct run *r)
{
	conn_hang_up(r->c);
	if (r->console != MSG_PID_NONE)
		kproc_stop(r->console, MSG_FOREVER);   /* fails the reader's pending input */
	if (r->reader_started)
		pthread_join(r->reader, NULL);
	if (r->image != r->c->upload)
		free(r->image);
}

void run_session(struct conn *c, struct frame *f)
{
	struct run *r = calloc(1, sizeof(*r));
	struct ctl_exit ex;
	int e, status;

	if (!r) {
		conn_error(c, f->h.from, -NOS_ENOMEM, "no memory for a session");
		return;
	}
	r->c = c;
	r->tag = f->h.from;
	e = prepare(r, &f->u.run);
	if (e == 0)
		e = start_guest(r, &f->u.run);
	if (e < 0) {
		log_msg(LOG_INFO, "session %u: RUN refused: %s", c->index, r->why);
		conn_error(c, r->tag, e, "%s", r->why);
		conn_close_gently(c);
		finish(r);
		free(r);
		return;
	}
	if (pthread_create(&r->reader, NULL, reader_main, r) == 0)
		r->reader_started = 1;
	else
		__atomic_store_n(&r->client_gone, 1, __ATOMIC_RELEASE);
	status = wait_guest(r);
	__atomic_store_n(&r->exited, 1, __ATOMIC_RELEASE);   /* before EXIT: then the
	                                                      * client's close is no news */
	log_msg(LOG_DEBUG, "session %u: pid %lu ended (wait status 0x%x)", c->index,
	        (unsigned long)r->pid, (unsigned)status);
	if (status >= 0 && !__atomic_load_n(&r->client_gone, __ATOMIC_ACQUIRE)) {
		ex.wstatus = status;
		conn_send(c, CTL_MSG_EXIT, 0, 0, 0, &ex, sizeof(ex));
		linger(r);
	}
	finish(r);
	free(r);
}
