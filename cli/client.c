/*
 * client.c: find, connect to and talk with the NanoOs daemon over its
 * control socket (client.h). Frames are encoded with the shared layouts of
 * nanoosd/ctl.c; what arrives is kept until it makes a whole frame, and a
 * frame's length is checked (wire_header_decode) before we grow for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "kproc/nos_errno.h"

#define SYSTEM_SOCKET "/run/nanoos/nanoosd.sock"

int client_socket_paths(char paths[CLIENT_PATHS][CLIENT_PATH_MAX])
{
	const char *env = getenv("NANOOS_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (env && *env) {
		snprintf(paths[0], CLIENT_PATH_MAX, "%s", env);
		return 1;
	}
	if (xdg && *xdg)
		snprintf(paths[0], CLIENT_PATH_MAX, "%s/nanoos/nanoosd.sock", xdg);
	else
		snprintf(paths[0], CLIENT_PATH_MAX, "/tmp/nanoos-%u/nanoosd.sock",
		         (unsigned)getuid());
	snprintf(paths[1], CLIENT_PATH_MAX, "%s", SYSTEM_SOCKET);
	return 2;
}

void client_no_daemon(const char *cmd)
{
	char paths[CLIENT_PATHS][CLIENT_PATH_MAX], looked[CLIENT_PATHS * (CLIENT_PATH_MAX + 2)];
	int n = client_socket_paths(paths), i;

	looked[0] = 0;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(looked, ", ");
		strcat(looked, paths[i]);
	}
	cli_error(cmd, NULL, "no NanoOs daemon is running (looked at %s); start one with "
	          "`nanoosd --image IMG`", looked);
}

/* A connected stream socket to path, or -1 (errno set). */
static int dial(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Who serves a socket we found by ourselves: on the user socket, we or
 * root; on the system one, root. Anyone may make /tmp/nanoos-UID first, so
 * a daemon of another user there is posing as ours: refuse it (what we
 * type there could be a password). $NANOOS_SOCKET is trusted as given. */
static int trusted_peer(int fd, const char *path, const char *cmd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int system = strcmp(path, SYSTEM_SOCKET) == 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		cli_error(cmd, path, "cannot tell who serves it: %s", strerror(errno));
		return 0;
	}
	if (cr.uid == 0 || (!system && cr.uid == getuid()))
		return 1;
	cli_error(cmd, path, "it is served by uid %u (pid %d), not by you or root; someone may "
	          "be posing as NanoOs: remove it, or set NANOOS_SOCKET to the daemon you "
	          "mean", (unsigned)cr.uid, (int)cr.pid);
	return 0;
}

static void copy_buf(char *dst, size_t n, const char *src, uint32_t len)
{
	if (len >= n)
		len = (uint32_t)n - 1;
	if (len)
		memcpy(dst, src, len);
	dst[len] = 0;
}

static int hello(struct client *c, const char *cmd)
{
	struct ctl_hello h;
	union ctl_payload r;
	int rc;

	memset(&h, 0, sizeof(h));
	h.version = CTL_VERSION;
	rc = client_call(c, cmd, CTL_MSG_HELLO, &h, sizeof(h), &r);
	if (rc < 0)
		return -1;
	c->daemon_pid = r.hello.pid;
	c->daemon_uid = r.hello.uid;
	copy_buf(c->image, sizeof(c->image), r.hello.image, r.hello.image_len);
	copy_buf(c->account, sizeof(c->account), r.hello.account, r.hello.account_len);
	return 0;
}

/* Our Linux user name, for advice ("adduser NAME nanoos"). */
static const char *linux_user(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw ? pw->pw_name : "YOU";
}

void client_denied(const char *cmd, const char *instead)
{
	cli_error(cmd, SYSTEM_SOCKET, "the system daemon runs, but only root and group nanoos "
	          "may use it: ask root to add you (`adduser %s nanoos`), then log in again%s%s",
	          linux_user(), instead ? "; " : "", instead ? instead : "");
}

int client_connect(struct client *c, const char *cmd)
{
	char paths[CLIENT_PATHS][CLIENT_PATH_MAX];
	int n = client_socket_paths(paths), i, denied = 0;
	const char *env;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_tag = 1;
	for (i = 0; i < n; i++) {
		c->fd = dial(paths[i]);
		if (c->fd >= 0)
			break;
		denied |= errno == EACCES && strcmp(paths[i], SYSTEM_SOCKET) == 0;
	}
	if (c->fd < 0)
		return denied ? -NOS_EACCES : -NOS_ENOENT;
	snprintf(c->path, sizeof(c->path), "%s", paths[i]);
	env = getenv("NANOOS_SOCKET");
	if (!(env && *env) && !trusted_peer(c->fd, c->path, cmd)) {
		client_close(c);
		return -1;
	}
	if (hello(c, cmd) < 0) {
		client_close(c);
		return -1;
	}
	return 0;
}

int client_require(struct client *c, const char *cmd)
{
	int rc = client_connect(c, cmd);

	if (rc == -NOS_ENOENT)
		client_no_daemon(cmd);
	else if (rc == -NOS_EACCES)
		client_denied(cmd, NULL);
	return rc < 0 ? 1 : 0;
}

void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->in_len = c->in_cap = c->out_len = c->out_cap = 0;
	c->in_taken = 0;
}

/* ---------------------------------------------------------------- sending */

static int reserve(uint8_t **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -NOS_ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

int client_queue(struct client *c, uint16_t type, uint32_t tag, void *payload, size_t size)
{
	const struct wire_layout *l = wire_layout_find(ctl_layouts, ctl_nlayouts, type);
	msg_t m;
	int32_t need, n;

	if (!l)
		return -NOS_EINVAL;
	msg_init(&m, type, payload, (uint32_t)size);
	m.from = tag;
	need = wire_payload_size(l, payload);
	if (need < 0)
		return need;
	if (reserve(&c->out, &c->out_cap, c->out_len + WIRE_HEADER_SIZE + (size_t)need) < 0)
		return -NOS_ENOMEM;
	n = wire_encode(l, &m, c->out + c->out_len, c->out_cap - c->out_len);
	if (n < 0)
		return n;
	c->out_len += (size_t)n;
	return 0;
}

int client_flush(struct client *c, int blocking)
{
	size_t done = 0;

	while (done < c->out_len) {
		ssize_t n = send(c->fd, c->out + done, c->out_len - done,
		                 MSG_NOSIGNAL | (blocking ? 0 : MSG_DONTWAIT));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = { c->fd, POLLOUT, 0 };

			if (!blocking)
				break;
			poll(&p, 1, -1);
			continue;
		}
		if (n < 0)
			return -NOS_ECONNRESET;
		done += (size_t)n;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return 0;
}

/* ---------------------------------------------------------------- receiving */

static void drop_taken(struct client *c)
{
	if (!c->in_taken)
		return;
	memmove(c->in, c->in + c->in_taken, c->in_len - c->in_taken);
	c->in_len -= c->in_taken;
	c->in_taken = 0;
}

int client_fill(struct client *c)
{
	drop_taken(c);
	for (;;) {
		ssize_t n;

		if (reserve(&c->in, &c->in_cap, c->in_len + 65536) < 0)
			return -NOS_ENOMEM;
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			c->eof = 1;             /* closed (or reset): what came before still counts */
			return 0;
		}
		c->in_len += (size_t)n;
		if (c->in_len > WIRE_HEADER_SIZE + WIRE_MAX_PAYLOAD)
			return 0;               /* a whole frame at least: take it first */
	}
}

int client_next(struct client *c, struct wire_header *h, union ctl_payload *p)
{
	size_t whole;
	int rc;

	drop_taken(c);
	rc = wire_header_decode(c->in, c->in_len, h);
	if (rc == -NOS_EAGAIN)
		return 0;
	if (rc < 0)
		return rc;
	whole = WIRE_HEADER_SIZE + (size_t)h->length;
	if (c->in_len < whole)
		return 0;
	rc = wire_decode(ctl_layouts, ctl_nlayouts, c->in, whole, h, p, sizeof(*p));
	if (rc < 0)
		return rc;
	c->in_taken = whole;
	return 1;
}

#define ANSWER_TIMEOUT_MS 60000       /* a request the daemon leaves unanswered */

/* Wait for the next whole frame: 1, or -NOS_E* (the connection ended,
 * -NOS_ETIMEDOUT: nothing came for ANSWER_TIMEOUT_MS). */
static int receive(struct client *c, struct wire_header *h, union ctl_payload *p)
{
	for (;;) {
		struct pollfd pf = { c->fd, POLLIN, 0 };
		int rc = client_next(c, h, p);

		if (rc != 0)
			return rc;
		if (c->eof)
			return -NOS_ECONNRESET;
		rc = poll(&pf, 1, ANSWER_TIMEOUT_MS);
		if (rc == 0)
			return -NOS_ETIMEDOUT;
		if (rc < 0 && errno != EINTR)
			return -NOS_EIO;
		rc = client_fill(c);
		if (rc < 0)
			return rc;
	}
}

const char *client_text(const struct ctl_text *t)
{
	static char text[CTL_TEXT_MAX + 1];

	copy_buf(text, sizeof(text), t->text, t->text_len);
	return text;
}

int client_call(struct client *c, const char *cmd, uint16_t type, void *payload, size_t size,
                union ctl_payload *reply)
{
	struct wire_header h;
	uint32_t tag = c->next_tag++;
	int rc = client_queue(c, type, tag, payload, size);

	if (rc == 0)
		rc = client_flush(c, 1);
	while (rc == 0) {
		rc = receive(c, &h, reply);
		if (rc < 0)
			break;
		rc = 0;
		if (h.from != tag)
			continue;               /* not the answer to this request */
		if (h.type == CTL_MSG_ERROR) {
			cli_error(cmd, NULL, "%s", client_text(&reply->text));
			return h.status < 0 ? h.status : -NOS_EIO;
		}
		if (h.type != type) {
			cli_error(cmd, c->path, "the daemon answered with a message of type %#x "
			          "to one of type %#x; restart the daemon (`nanoos stop`)",
			          h.type, type);
			return -NOS_EPROTO;
		}
		return h.status;
	}
	if (rc == -NOS_ETIMEDOUT)
		cli_error(cmd, c->path, "the daemon did not answer in %d s; see its log, or "
		          "restart it", ANSWER_TIMEOUT_MS / 1000);
	else if (rc == -NOS_EPROTONOSUPPORT || rc == -NOS_EBADMSG || rc == -NOS_EMSGSIZE)
		cli_error(cmd, c->path, "the daemon sent a frame we cannot read (%s); are "
		          "nanoos and nanoosd the same version? restart the daemon",
		          nos_strerror(rc));
	else
		cli_error(cmd, c->path, "the daemon closed the connection (%s); see its log, "
		          "or `nanoos status`", nos_strerror(rc));
	return rc;
}
