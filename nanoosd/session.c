/*
 * session.c: the thread of one client connection.
 *
 * It checks the peer's Linux user (SO_PEERCRED): the daemon's own uid and
 * root may talk to it, and on the system socket members of group nanoos;
 * anyone else gets an ERROR saying whose daemon it is and what to do. Then
 * it attaches to the runtime as ("session", N), which sched and users
 * trust, and finds the client's NanoOs account: Linux root is root, else
 * the account named like the Linux user, else `user`. The first frame must
 * be HELLO with our CTL_VERSION; then PS, KILL, STATUS, STOP and UPLOAD
 * come in any number, and a RUN makes the connection a terminal session
 * until its program ends (run.c). FS_* frames make it a remote mount
 * (fsfwd.c): it has no idle timeout from then on, and the handles it
 * opened are closed when it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"

#define UPLOAD_MAX (32u << 20)
#define HELLO_WAIT_NS 10000000000ull
/* A connection between requests (before RUN, or between PS, KILL, STATUS)
 * gives its slot back after this long idle. */
#define IDLE_WAIT_NS 60000000000ull
/* Sessions one Linux user other than root and the daemon's own may hold
 * (members of group nanoos on the system socket). */
#define SESSIONS_PER_GUEST_USER 16

/* ---------------------------------------------------------------- who */

static void linux_name(uid_t uid, char *out, size_t n)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		snprintf(out, n, "%s", res->pw_name);
	else
		snprintf(out, n, "uid %lu", (unsigned long)uid);
}

static int in_group_nanoos(uid_t uid, gid_t gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t groups[256];
	int n = 256, i;

	if (D.nanoos_gid == (gid_t)-1)
		return 0;
	if (gid == D.nanoos_gid)
		return 1;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || !res ||
	    getgrouplist(res->pw_name, res->pw_gid, groups, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (groups[i] == D.nanoos_gid)
			return 1;
	return 0;
}

static int allowed(const struct conn *c)
{
	return c->peer_uid == D.uid || c->peer_uid == 0 ||
	       (D.system && in_group_nanoos(c->peer_uid, c->peer_gid));
}

int session_is_admin(const struct conn *c)
{
	return c->peer_uid == D.uid || c->peer_uid == 0;
}

static void refuse_user(struct conn *c)
{
	char owner[64], peer[64];

	linux_name(D.uid, owner, sizeof(owner));
	linux_name(c->peer_uid, peer, sizeof(peer));
	log_msg(LOG_WARN, "refused client pid %ld: Linux user %s (uid %lu) may not use this "
	        "daemon", (long)c->peer_pid, peer, (unsigned long)c->peer_uid);
	conn_error(c, 0, -NOS_EACCES, "this nanoosd (pid %ld, on %s) belongs to Linux user %s "
	           "(uid %lu), and you are %s (uid %lu); start your own with `nanoosd` (it "
	           "listens on your own socket)%s", (long)getpid(), D.socket, owner,
	           (unsigned long)D.uid, peer, (unsigned long)c->peer_uid,
	           D.system ? ", or ask root to add you to group nanoos" : "");
	conn_close_gently(c);
}

/* The account of a Linux user: USERS_MSG_LOOKUP by name. */
int session_lookup_account(const char *name, struct users_account *acct)
{
	struct users_req q;
	msg_t m;
	int r;

	memset(&q, 0, sizeof(q));
	snprintf(q.name, sizeof(q.name), "%s", name);
	msg_init(&m, USERS_MSG_LOOKUP, &q, sizeof(q));
	r = msg_call(D.in.users, &m, MSG_FOREVER);
	if (r == 0)
		*acct = q.acct;
	return r;
}

static int find_account(struct conn *c)
{
	char name[64];
	int r;

	if (c->peer_uid == 0)
		return session_lookup_account("root", &c->acct);
	linux_name(c->peer_uid, name, sizeof(name));
	r = session_lookup_account(name, &c->acct);
	if (r == -NOS_ENOENT)
		r = session_lookup_account("user", &c->acct);
	return r;
}

/* ---------------------------------------------------------------- index */

/* A session slot, or 0 when all are taken or c's Linux user (not root,
 * not the daemon's own) holds its share already. */
static unsigned take_index(const struct conn *c)
{
	unsigned i, got = 0, mine = 0;
	const struct conn *o;

	pthread_mutex_lock(&D.lock);
	if (c->peer_uid != 0 && c->peer_uid != (uint32_t)D.uid) {
		for (o = D.conns; o; o = o->next)
			mine += o != c && o->index && o->peer_uid == c->peer_uid;
		if (mine >= SESSIONS_PER_GUEST_USER) {
			pthread_mutex_unlock(&D.lock);
			return 0;
		}
	}
	for (i = 1; i <= SESSIONS_MAX && !got; i++)
		if (!D.used[i]) {
			D.used[i] = 1;
			got = i;
		}
	pthread_mutex_unlock(&D.lock);
	return got;
}

static void give_index(unsigned i)
{
	pthread_mutex_lock(&D.lock);
	D.used[i] = 0;
	pthread_mutex_unlock(&D.lock);
}

void session_done(struct conn *c)
{
	struct conn **p;

	pthread_mutex_lock(&D.lock);
	for (p = &D.conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			D.nconns--;
			break;
		}
	pthread_mutex_unlock(&D.lock);
	close(c->fd);
	free(c->upload);
	free(c->fs);                       /* NULL unless the thread never got to fsfwd_end */
	pthread_mutex_destroy(&c->wlock);
	free(c);
}

/* ---------------------------------------------------------------- requests */

static int on_hello(struct conn *c, struct frame *f)
{
	struct ctl_hello h;

	if (f->u.hello.version != CTL_VERSION) {
		log_msg(LOG_WARN, "client pid %ld uid %lu speaks client protocol version %u, we "
		        "speak %u; closing that connection", (long)c->peer_pid,
		        (unsigned long)c->peer_uid, f->u.hello.version, CTL_VERSION);
		conn_error(c, f->h.from, -NOS_EPROTONOSUPPORT, "this nanoos speaks client protocol "
		           "version %u, but the daemon (pid %ld) speaks version %u; restart the "
		           "daemon (nanoos stop; nanoosd ...)", f->u.hello.version, (long)getpid(),
		           CTL_VERSION);
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.version = CTL_VERSION;
	h.pid = (uint32_t)getpid();
	h.uid = (uint32_t)D.uid;
	h.image = D.image;
	h.image_len = (uint32_t)strlen(D.image);
	h.account = c->acct.name;
	h.account_len = (uint32_t)strlen(c->acct.name);
	c->said_hello = 1;
	c->read_deadline_ns = msg_now_ns() + IDLE_WAIT_NS;
	return conn_send(c, CTL_MSG_HELLO, MSG_F_REPLY, 0, f->h.from, &h, sizeof(h));
}

static int on_upload(struct conn *c, struct frame *f)
{
	const struct ctl_upload *u = &f->u.upload;
	struct ctl_upload reply;

	if (!u->total || u->total > UPLOAD_MAX || u->offset > u->total ||
	    u->data_len > u->total - u->offset || (c->upload && u->total != c->upload_total))
		return conn_error(c, f->h.from, -NOS_EINVAL, "UPLOAD of %lu bytes at %lu of %lu: "
		                  "out of range (a program is at most 32 MiB, sent in one size)",
		                  (unsigned long)u->data_len, (unsigned long)u->offset,
		                  (unsigned long)u->total);
	if (!c->upload) {
		c->upload = calloc(1, u->total);   /* a sparse upload shows zeros, never old heap */
		if (!c->upload)
			return conn_error(c, f->h.from, -NOS_ENOMEM, "no memory for a program of "
			                  "%lu bytes", (unsigned long)u->total);
		c->upload_total = u->total;
	}
	memcpy(c->upload + u->offset, u->data, u->data_len);
	if (u->offset + u->data_len > c->upload_have)
		c->upload_have = u->offset + u->data_len;
	reply = *u;
	reply.data = NULL;
	reply.data_len = 0;
	return conn_send(c, CTL_MSG_UPLOAD, MSG_F_REPLY, 0, f->h.from, &reply, sizeof(reply));
}

static int on_stop(struct conn *c, struct frame *f)
{
	struct ctl_text t = { "", 0 };

	if (!session_is_admin(c))
		return conn_error(c, f->h.from, -NOS_EPERM, "only the daemon's owner (uid %lu) "
		                  "or root may stop it", (unsigned long)D.uid);
	conn_send(c, CTL_MSG_STOP, MSG_F_REPLY, 0, f->h.from, &t, sizeof(t));
	daemon_request_stop("a client asked to stop (nanoos stop)");
	return -1;
}

static int run_then_end(struct conn *c, struct frame *f)
{
	run_session(c, f);
	return -1;
}

static int on_ps(struct conn *c, struct frame *f)
{
	info_ps(c, f);
	return 0;
}

static int on_kill(struct conn *c, struct frame *f)
{
	info_kill(c, f);
	return 0;
}

static int on_status(struct conn *c, struct frame *f)
{
	info_status(c, f);
	return 0;
}

/* What a client may ask after HELLO; a handler's -1 ends the connection. */
static const struct {
	uint16_t type;
	int (*handle)(struct conn *c, struct frame *f);
} requests[] = {
	{ CTL_MSG_PS, on_ps },
	{ CTL_MSG_KILL, on_kill },
	{ CTL_MSG_STATUS, on_status },
	{ CTL_MSG_STOP, on_stop },
	{ CTL_MSG_UPLOAD, on_upload },
	{ CTL_MSG_RUN, run_then_end },
};

static int dispatch(struct conn *c, struct frame *f)
{
	size_t i;

	if (f->h.flags & MSG_F_REPLY)
		goto bad;
	if (!c->said_hello) {
		if (f->h.type == CTL_MSG_HELLO)
			return on_hello(c, f);
		conn_error(c, f->h.from, -NOS_EPROTO, "say HELLO first");
		goto bad;
	}
	/* A session's own reader, or a mount's, has no deadline; between
	 * requests, IDLE. */
	if (fsfwd_is_request(f->h.type)) {
		c->read_deadline_ns = 0;
		return fsfwd_serve(c, f);
	}
	c->read_deadline_ns = f->h.type == CTL_MSG_RUN || c->fs ? 0 : msg_now_ns() + IDLE_WAIT_NS;
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (requests[i].type == f->h.type)
			return requests[i].handle(c, f);
bad:
	log_msg(LOG_WARN, "client pid %ld uid %lu: a frame of type 0x%x out of place; closing "
	        "that connection", (long)c->peer_pid, (unsigned long)c->peer_uid,
	        (unsigned)f->h.type);
	return -1;
}

static void serve(struct conn *c)
{
	struct frame f;
	int r;

	while ((r = conn_read(c, &f)) == 1) {
		r = dispatch(c, &f);
		conn_frame_free(&f);
		if (r < 0)
			break;
	}
}

static void attached(struct conn *c)
{
	int r = find_account(c);

	if (r < 0) {
		log_msg(LOG_ERR, "client pid %ld uid %lu: no NanoOs account for it: %s",
		        (long)c->peer_pid, (unsigned long)c->peer_uid, nos_strerror(r));
		conn_error(c, 0, r, "no NanoOs account for you on %s (%s); the volume's "
		           "/etc/passwd needs `root` and `user`", D.image, nos_strerror(r));
		conn_close_gently(c);
		return;
	}
	log_msg(LOG_DEBUG, "session %u: client pid %ld uid %lu as %s", c->index,
	        (long)c->peer_pid, (unsigned long)c->peer_uid, c->acct.name);
	/* A client that never says HELLO does not keep its session slot. */
	c->read_deadline_ns = msg_now_ns() + HELLO_WAIT_NS;
	serve(c);
	fsfwd_end(c);
}

void *session_main(void *arg)
{
	struct conn *c = arg;

	if (conn_peer(c) < 0) {
		log_msg(LOG_WARN, "a client without peer credentials; closing it");
	} else if (!allowed(c)) {
		refuse_user(c);
	} else if (!(c->index = take_index(c))) {
		log_msg(LOG_WARN, "refused client pid %ld uid %lu: no session slot for it",
		        (long)c->peer_pid, (unsigned long)c->peer_uid);
		conn_error(c, 0, -NOS_EAGAIN, "nanoosd has no session for you now (%u in all, "
		           "%u for each user but root and its owner); try again when one ends",
		           SESSIONS_MAX, SESSIONS_PER_GUEST_USER);
		conn_close_gently(c);
	} else {
		if (msg_attach("session", c->index) == 0) {
			attached(c);
			msg_detach();
		} else {
			conn_error(c, 0, -NOS_EAGAIN, "nanoosd is out of process slots; try again");
		}
		give_index(c->index);
	}
	session_done(c);
	return NULL;
}
