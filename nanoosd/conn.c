/*
 * conn.c: one client connection: who it is (SO_PEERCRED), reading its
 * frames and writing ours.
 *
 * Reading checks the header (version, length) and the type before it
 * allocates anything, and allocates no more than that type's layout can
 * carry; anything malformed ends that connection only, with a warning that
 * names the peer. Writing is one frame at a time (wlock) and never blocks
 * forever: it polls in short steps and gives up once the connection is
 * dead (the client went away, or the daemon hangs up).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"

#define POLL_STEP_MS 200

int conn_peer(struct conn *c)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -errno;
	c->peer_pid = cr.pid;
	c->peer_uid = cr.uid;
	c->peer_gid = cr.gid;
	return 0;
}

int conn_is_dead(struct conn *c)
{
	return __atomic_load_n(&c->dead, __ATOMIC_ACQUIRE);
}

void conn_hang_up(struct conn *c)
{
	__atomic_store_n(&c->dead, 1, __ATOMIC_RELEASE);
	shutdown(c->fd, SHUT_RDWR);
}

void conn_close_gently(struct conn *c)
{
	char buf[512];
	int i;

	shutdown(c->fd, SHUT_WR);
	for (i = 0; i < 10; i++) {
		struct pollfd p = { c->fd, POLLIN, 0 };

		if (poll(&p, 1, 100) > 0 && read(c->fd, buf, sizeof(buf)) <= 0)
			break;
	}
	__atomic_store_n(&c->dead, 1, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- reading */

enum { RD_OK = 1, RD_EOF = 0, RD_GONE = -1, RD_SHORT = -2 };

/* Read n bytes: RD_OK; RD_EOF before the first byte; RD_SHORT at an end in
 * the middle; RD_GONE on an error, hang-up or daemon stop. */
static int read_full(struct conn *c, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { c->fd, POLLIN, 0 };
		ssize_t r;

		if (conn_is_dead(c) || daemon_stopping() ||
		    (c->read_deadline_ns && msg_now_ns() > c->read_deadline_ns))
			return RD_GONE;
		if (poll(&p, 1, POLL_STEP_MS) == 0)
			continue;
		r = read(c->fd, buf + got, n - got);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0)
			return RD_GONE;
		if (r == 0)
			return got ? RD_SHORT : RD_EOF;
		got += (size_t)r;
	}
	return RD_OK;
}

/* The most payload bytes a frame of layout l can carry. */
static uint32_t layout_max(const struct wire_layout *l)
{
	static const uint32_t width[] = { 0, 1, 2, 4, 8, 4 };
	uint32_t n = 0;
	unsigned i;

	for (i = 0; i < l->nfields; i++) {
		n += width[l->fields[i].kind];
		if (l->fields[i].kind == WIRE_BUF)
			n += l->fields[i].max_len;
	}
	return n;
}

static void malformed(struct conn *c, const char *what)
{
	log_msg(LOG_WARN, "client pid %ld uid %lu: %s; closing that connection",
	        (long)c->peer_pid, (unsigned long)c->peer_uid, what);
}

/* The wire header's version is not ours: say so in our version, then end. */
static void wrong_wire(struct conn *c, const uint8_t *hdr)
{
	unsigned theirs = (unsigned)(hdr[0] | hdr[1] << 8);

	conn_error(c, 0, -NOS_EPROTONOSUPPORT, "wire version %u, but nanoosd speaks wire "
	           "version %u; use a nanoos of the same version, or restart the daemon "
	           "(nanoos stop; nanoosd ...)", theirs, WIRE_VERSION);
	log_msg(LOG_WARN, "client pid %ld uid %lu: wire version %u, ours is %u; closing "
	        "that connection", (long)c->peer_pid, (unsigned long)c->peer_uid, theirs,
	        WIRE_VERSION);
}

int conn_read(struct conn *c, struct frame *f)
{
	uint8_t hdr[WIRE_HEADER_SIZE];
	const struct wire_layout *l;
	char what[160];
	int r;

	memset(f, 0, sizeof(*f));
	r = read_full(c, hdr, sizeof(hdr));
	if (r == RD_EOF)
		return 0;
	if (r == RD_SHORT)
		malformed(c, "a truncated frame header");
	if (r != RD_OK)
		return -1;
	r = wire_header_decode(hdr, sizeof(hdr), &f->h);
	if (r == -NOS_EPROTONOSUPPORT) {
		wrong_wire(c, hdr);
		return -1;
	}
	if (r < 0) {
		snprintf(what, sizeof(what), "a bad frame header (%s)", nos_strerror(r));
		malformed(c, what);
		return -1;
	}
	l = wire_layout_find(ctl_layouts, ctl_nlayouts, f->h.type);
	if (!l) {
		snprintf(what, sizeof(what), "a frame of unknown type 0x%x", (unsigned)f->h.type);
		malformed(c, what);
		return -1;
	}
	if (f->h.length > layout_max(l)) {
		snprintf(what, sizeof(what), "a frame of type 0x%x with %lu bytes, more than it "
		         "can carry (%lu)", (unsigned)f->h.type, (unsigned long)f->h.length,
		         (unsigned long)layout_max(l));
		malformed(c, what);
		return -1;
	}
	f->bytes = malloc(WIRE_HEADER_SIZE + (size_t)f->h.length);
	if (!f->bytes) {
		log_msg(LOG_ERR, "out of memory reading a frame of %lu bytes",
		        (unsigned long)f->h.length);
		return -1;
	}
	memcpy(f->bytes, hdr, sizeof(hdr));
	r = read_full(c, f->bytes + WIRE_HEADER_SIZE, f->h.length);
	if (r != RD_OK) {
		if (r != RD_GONE)
			malformed(c, "a truncated frame payload");
		conn_frame_free(f);
		return -1;
	}
	r = wire_decode(ctl_layouts, ctl_nlayouts, f->bytes, WIRE_HEADER_SIZE + (size_t)f->h.length,
	                &f->h, &f->u, sizeof(f->u));
	if (r < 0) {
		snprintf(what, sizeof(what), "a malformed payload of type 0x%x (%s)",
		         (unsigned)f->h.type, nos_strerror(r));
		malformed(c, what);
		conn_frame_free(f);
		return -1;
	}
	return 1;
}

void conn_frame_free(struct frame *f)
{
	free(f->bytes);
	f->bytes = NULL;
}

/* ---------------------------------------------------------------- writing */

static int write_full(struct conn *c, const uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		struct pollfd p = { c->fd, POLLOUT, 0 };
		ssize_t r;

		if (conn_is_dead(c))
			return -1;
		if (poll(&p, 1, POLL_STEP_MS) == 0)
			continue;
		r = send(c->fd, buf + done, n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			__atomic_store_n(&c->dead, 1, __ATOMIC_RELEASE);
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

int conn_send_locked(struct conn *c, uint16_t type, uint16_t flags, int32_t status,
                     uint32_t tag, void *payload, uint32_t size)
{
	const struct wire_layout *l = wire_layout_find(ctl_layouts, ctl_nlayouts, type);
	uint8_t small[256], *buf = small;
	int32_t len, need;
	msg_t m;
	int r;

	if (!l)
		return -1;
	need = wire_payload_size(l, payload);
	if (need < 0) {
		log_msg(LOG_ERR, "cannot encode a frame of type 0x%x: %s", (unsigned)type,
		        nos_strerror(need));
		return -1;
	}
	if ((size_t)need + WIRE_HEADER_SIZE > sizeof(small) &&
	    !(buf = malloc((size_t)need + WIRE_HEADER_SIZE)))
		return -1;
	msg_init(&m, type, payload, size);
	m.flags = flags;
	m.status = status;
	m.from = tag;
	len = wire_encode(l, &m, buf, (size_t)need + WIRE_HEADER_SIZE);
	r = len < 0 ? -1 : write_full(c, buf, (size_t)len);
	if (buf != small)
		free(buf);
	return r;
}

int conn_send_raw(struct conn *c, const uint8_t *buf, size_t n)
{
	int r;

	pthread_mutex_lock(&c->wlock);
	r = write_full(c, buf, n);
	pthread_mutex_unlock(&c->wlock);
	return r;
}

int conn_send(struct conn *c, uint16_t type, uint16_t flags, int32_t status, uint32_t tag,
              void *payload, uint32_t size)
{
	int r;

	pthread_mutex_lock(&c->wlock);
	r = conn_send_locked(c, type, flags, status, tag, payload, size);
	pthread_mutex_unlock(&c->wlock);
	return r;
}

int conn_error(struct conn *c, uint32_t tag, int32_t status, const char *fmt, ...)
{
	char text[CTL_TEXT_MAX];
	struct ctl_text t;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(text) - 1)
		n = (int)sizeof(text) - 1;
	t.text = text;
	t.text_len = (uint32_t)n;
	return conn_send(c, CTL_MSG_ERROR, MSG_F_REPLY, status, tag, &t, sizeof(t));
}
