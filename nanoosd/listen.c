/*
 * listen.c: nanoosd's listening socket and the thread that accepts on it.
 *
 * Before binding, a socket file already there is probed: if a daemon
 * answers, we refuse to start ("nanoosd already running (pid N) on IMG");
 * if connect() is refused, the daemon that made it is gone and the stale
 * file is replaced. The accept thread also watches the self-pipe that the
 * signal handlers and STOP write to: 'T' stops the daemon, 'H' reopens the
 * log. Each accepted connection gets a detached session thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"

static pthread_t accept_thread;
static int accept_started;

static int sock_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

/* Ask a live daemon which image it serves (HELLO), into img. */
static void ask_image(int fd, char *img, size_t n)
{
	struct conn c;
	struct frame f;
	struct ctl_hello h;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.read_deadline_ns = msg_now_ns() + 2000000000ull;   /* a hung daemon: 2 s */
	pthread_mutex_init(&c.wlock, NULL);
	memset(&h, 0, sizeof(h));
	h.version = CTL_VERSION;
	snprintf(img, n, "its image");
	if (conn_send(&c, CTL_MSG_HELLO, 0, 0, 1, &h, sizeof(h)) < 0)
		return;
	shutdown(fd, SHUT_WR);
	if (conn_read(&c, &f) == 1) {
		if (f.h.type == CTL_MSG_HELLO && f.u.hello.image_len)
			snprintf(img, n, "%.*s", (int)f.u.hello.image_len, f.u.hello.image);
		conn_frame_free(&f);
	}
	pthread_mutex_destroy(&c.wlock);
}

int listen_check_existing(const char *sock)
{
	struct sockaddr_un a;
	struct stat st;
	struct ucred cr;
	socklen_t len = sizeof(cr);
	char img[4096];
	int fd, r;

	if (lstat(sock, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "nanoosd: %s: exists and is not a socket; remove it or give "
		        "--socket PATH\n", sock);
		return -1;
	}
	if (sock_addr(sock, &a) < 0 || (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	if (r < 0 && errno == ECONNREFUSED) {
		close(fd);
		log_msg(LOG_INFO, "replacing the stale socket %s (the daemon that made it is gone)",
		        sock);
		return unlink(sock) < 0 && errno != ENOENT ? -1 : 0;
	}
	if (r < 0) {
		fprintf(stderr, "nanoosd: %s: cannot tell whether a daemon is there: %s\n", sock,
		        strerror(errno));
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		cr.pid = 0;
	ask_image(fd, img, sizeof(img));
	close(fd);
	fprintf(stderr, "nanoosd already running (pid %ld) on %s; talk to it with `nanoos`, "
	        "or stop it with `nanoos stop`\n", (long)cr.pid, img);
	return -1;
}

/* The system socket: 0660, group nanoos when that group exists. */
static void system_socket_mode(const char *sock)
{
	if (D.nanoos_gid != (gid_t)-1 && chown(sock, (uid_t)-1, D.nanoos_gid) < 0)
		log_msg(LOG_WARN, "%s: cannot give it to group nanoos: %s", sock, strerror(errno));
	chmod(sock, 0660);
}

int listen_open(const char *sock, int system)
{
	struct sockaddr_un a;
	mode_t old;
	int fd;

	if (sock_addr(sock, &a) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	old = umask(0177);   /* never a moment open to others */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 128) < 0) {
		umask(old);
		log_msg(LOG_ERR, "%s: cannot listen there: %s", sock, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (system)
		system_socket_mode(sock);
	return fd;
}

/* ---------------------------------------------------------------- accepting */

static struct conn *conn_new(int fd)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	pthread_mutex_init(&c->wlock, NULL);
	pthread_mutex_lock(&D.lock);
	c->next = D.conns;
	D.conns = c;
	D.nconns++;
	pthread_mutex_unlock(&D.lock);
	return c;
}

static void accept_one(int lfd)
{
	pthread_attr_t attr;
	pthread_t t;
	struct conn *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			log_msg(LOG_WARN, "accept: %s", strerror(errno));
		if (errno == EMFILE || errno == ENFILE)
			usleep(100000);
		return;
	}
	c = conn_new(fd);
	if (!c) {
		close(fd);
		return;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&t, &attr, session_main, c) != 0) {
		log_msg(LOG_WARN, "no thread for a new client; closing it");
		session_done(c);
	}
	pthread_attr_destroy(&attr);
}

/* A byte from the self-pipe: 0 go on, 1 stop. */
static int woken(void)
{
	char b;

	if (read(D.wake_fd[0], &b, 1) != 1)
		return 0;
	if (b == 'H') {
		log_reopen();
		log_msg(LOG_INFO, "SIGHUP: log reopened");
		return 0;
	}
	if (!daemon_stopping())
		daemon_request_stop("SIGTERM or SIGINT");
	return 1;
}

static void *accept_main(void *arg)
{
	int lfd = (int)(intptr_t)arg;

	for (;;) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 }, { D.wake_fd[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0)
			continue;
		if ((p[1].revents & POLLIN) && woken())
			break;
		if (p[0].revents & POLLIN)
			accept_one(lfd);
	}
	/* Stop accepting: the socket goes first, so no client waits on it. */
	close(lfd);
	unlink(D.socket);
	daemon_request_stop(NULL);
	return NULL;
}

int listen_start(int fd)
{
	if (pthread_create(&accept_thread, NULL, accept_main, (void *)(intptr_t)fd) != 0)
		return -1;
	accept_started = 1;
	return 0;
}

void listen_join(void)
{
	if (accept_started)
		pthread_join(accept_thread, NULL);
	accept_started = 0;
}
