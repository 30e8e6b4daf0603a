/*
 * remote.c: the FUSE bridge's backend when a nanoosd owns the image
 * (fuse-bridge/backend.h, DESIGN.md section 8): every call is one
 * CTL_MSG_FS_* frame (nanoosd/ctl.h) on the connection that said HELLO,
 * answered by the daemon's session thread for it (nanoosd/fsfwd.c).
 *
 * Many libfuse threads call at once. Each call takes a tag, sends its
 * frame whole under the send lock (one writev: head, then a WRITE's data
 * straight from libfuse's buffer), and sleeps on its own condition
 * variable. One reader thread reads every answer and hands it to the call
 * with its tag: a READ's data is read straight into the caller's buffer,
 * anything else is decoded from a frame the caller frees.
 *
 * When the connection drops (the daemon died or stopped), the mount cannot
 * go on: the reader says so and ends the process without unmounting, so
 * the kernel reports ENOTCONN on the mount point, as for any FUSE server
 * that dies; `nanoos umount DIR` clears it (fb_remote_mountpoint, remote.h,
 * names DIR in that message). Until then a call that meets a broken
 * connection fails with -NOS_ENOTCONN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cli/client.h"
#include "fuse-bridge/backend.h"
#include "fuse-bridge/remote.h"
#include "kproc/nos_errno.h"

/* A frame's bytes that are not a WRITE's data: two paths and a few words. */
#define SMALL_FRAME (WIRE_HEADER_SIZE + 2 * FS_PATH_MAX + 64)

/* One call waiting for its answer. */
struct call {
	uint32_t tag;
	uint16_t type;
	int done;                           /* the answer is here (guarded by lock) */
	int taken;                          /* the reader is filling it in (guarded by lock) */
	int32_t status;                     /* the answer's result */
	void *rbuf;                         /* READ: where the data goes */
	uint32_t rlen;
	uint8_t *frame;                     /* other answers: the frame, for the caller to free */
	union ctl_payload reply;            /* ... decoded; pointers into frame */
	pthread_cond_t cv;
	struct call *next;
};

struct remote {
	struct fb_backend b;                /* first: the backend is the remote */
	struct client conn;                 /* taken over from the caller (fd -1 until then) */
	int fd;
	pthread_mutex_t send_lock;          /* one frame at a time on the socket */
	pthread_mutex_t lock;               /* guards what follows */
	struct call *calls;                 /* waiting for their answers */
	uint32_t next_tag;
	int gone;                           /* the connection is broken */
	int closing;                        /* shutdown: the end is ours */
	int reading;                        /* the reader thread runs */
	pthread_t reader;
	char mountpoint[4096];              /* for the message when the daemon goes */
};

static struct remote *remote_of(struct fb_backend *b)
{
	return (struct remote *)b;
}

void fb_remote_mountpoint(struct fb_backend *b, const char *dir)
{
	snprintf(remote_of(b)->mountpoint, sizeof(remote_of(b)->mountpoint), "%s", dir);
}

/* ---------------------------------------------------------------- socket */

/* Read exactly n bytes: 0, or -NOS_ECONNRESET at an end or error. */
static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (uint8_t *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -NOS_ECONNRESET;
		got += (size_t)r;
	}
	return 0;
}

/* Send two pieces as one stream of bytes: 0 or -NOS_ENOTCONN. */
static int send_all(int fd, const void *a, size_t alen, const void *b, size_t blen)
{
	struct iovec iov[2] = { { (void *)a, alen }, { (void *)b, blen } };
	struct msghdr mh;
	int first = 0;

	while (first < 2) {
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov + first;
		mh.msg_iovlen = (size_t)(2 - first);
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -NOS_ENOTCONN;
		while (first < 2 && (size_t)n >= iov[first].iov_len) {
			n -= (ssize_t)iov[first].iov_len;
			iov[first].iov_len = 0;
			first++;
		}
		if (first < 2) {
			iov[first].iov_base = (uint8_t *)iov[first].iov_base + n;
			iov[first].iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- answers */

static struct call *find_call(struct remote *r, uint32_t tag)
{
	struct call *k;

	for (k = r->calls; k; k = k->next)
		if (k->tag == tag && !k->done)
			return k;
	return NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A READ's answer with data: its fixed fields, then the bytes straight into
 * the caller's buffer. 0 or -NOS_E* (the stream is broken). */
static int read_data(struct remote *r, const struct wire_header *h, struct call *k)
{
	uint8_t fixed[CTL_FS_IO_FIXED];     /* ends with the data's length */
	uint32_t n;

	if (h->length < sizeof(fixed))
		return -NOS_EBADMSG;
	if (read_full(r->fd, fixed, sizeof(fixed)) < 0)
		return -NOS_ECONNRESET;
	n = le32(fixed + CTL_FS_IO_FIXED - 4);
	if (n != h->length - sizeof(fixed) || n > k->rlen || (int64_t)n != h->status)
		return -NOS_EBADMSG;
	if (n && read_full(r->fd, k->rbuf, n) < 0)
		return -NOS_ECONNRESET;
	k->status = h->status;
	return 0;
}

/* Any other answer: the whole frame, decoded for the caller. */
static int read_frame(struct remote *r, const uint8_t *head, const struct wire_header *h,
                      struct call *k)
{
	struct wire_header h2;
	uint8_t *f = malloc(WIRE_HEADER_SIZE + (size_t)h->length);
	int rc;

	if (!f)
		return -NOS_ENOMEM;
	memcpy(f, head, WIRE_HEADER_SIZE);
	if (read_full(r->fd, f + WIRE_HEADER_SIZE, h->length) < 0) {
		free(f);
		return -NOS_ECONNRESET;
	}
	rc = wire_decode(ctl_layouts, ctl_nlayouts, f, WIRE_HEADER_SIZE + (size_t)h->length, &h2,
	                 &k->reply, sizeof(k->reply));
	if (rc < 0 || (h2.type != k->type && h2.type != CTL_MSG_ERROR)) {
		free(f);
		return rc < 0 ? rc : -NOS_EBADMSG;
	}
	k->frame = f;
	/* An ERROR (the daemon refused the frame itself) fails the call. */
	k->status = h2.type == CTL_MSG_ERROR && h2.status >= 0 ? -NOS_EIO : h2.status;
	return 0;
}

/* Read one answer and hand it to its call. 0, or -NOS_E* when the stream
 * is broken (the connection ended, or a frame we cannot read). */
static int read_answer(struct remote *r)
{
	uint8_t head[WIRE_HEADER_SIZE];
	struct wire_header h;
	struct call *k;
	int rc;

	rc = read_full(r->fd, head, sizeof(head));
	if (rc == 0)
		rc = wire_header_decode(head, sizeof(head), &h);
	if (rc < 0)
		return rc;
	if (!(h.flags & MSG_F_REPLY))
		return -NOS_EPROTO;
	pthread_mutex_lock(&r->lock);
	k = find_call(r, h.from);
	if (k)
		k->taken = 1;           /* it waits for us from now on (await) */
	pthread_mutex_unlock(&r->lock);
	if (!k)
		return -NOS_EPROTO;
	if (h.type == CTL_MSG_FS_READ && h.status > 0)
		rc = read_data(r, &h, k);
	else
		rc = read_frame(r, head, &h, k);
	pthread_mutex_lock(&r->lock);
	k->taken = 0;
	k->done = rc == 0;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* The connection is broken: fail every call from now on. */
static void mark_gone(struct remote *r)
{
	struct call *k;

	pthread_mutex_lock(&r->lock);
	r->gone = 1;
	for (k = r->calls; k; k = k->next)
		pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&r->lock);
}

static void *reader_main(void *arg)
{
	struct remote *r = arg;
	int rc;

	while ((rc = read_answer(r)) == 0)
		;
	mark_gone(r);
	pthread_mutex_lock(&r->lock);
	if (r->closing) {
		pthread_mutex_unlock(&r->lock);
		return NULL;
	}
	pthread_mutex_unlock(&r->lock);
	fprintf(stderr, "nanoos mount: the daemon went away (%s); the mount point now reports "
	        "'Transport endpoint is not connected'; run nanoos umount %s\n",
	        rc == -NOS_ECONNRESET ? "it closed the connection" : nos_strerror(rc),
	        r->mountpoint[0] ? r->mountpoint : "DIR");
	_exit(1);
}

/* ---------------------------------------------------------------- calls */

/* Take a tag and wait in the list: 0, or -NOS_ENOTCONN. */
static int enlist(struct remote *r, struct call *k)
{
	pthread_mutex_lock(&r->lock);
	if (r->gone) {
		pthread_mutex_unlock(&r->lock);
		return -NOS_ENOTCONN;
	}
	if (r->next_tag == 0)
		r->next_tag = 1;                /* tag 0 is the daemon's own frames */
	k->tag = r->next_tag++;
	k->next = r->calls;
	r->calls = k;
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* Wait for the answer (or the end), then leave the list: 0 or -NOS_E*. */
static int await(struct remote *r, struct call *k, int rc)
{
	struct call **p;

	pthread_mutex_lock(&r->lock);
	/* A call the reader is filling in stays until it is done with it. */
	while (!k->done && (k->taken || !r->gone))
		pthread_cond_wait(&k->cv, &r->lock);
	rc = k->done ? 0 : rc < 0 ? rc : -NOS_ENOTCONN;
	for (p = &r->calls; *p; p = &(*p)->next)
		if (*p == k) {
			*p = k->next;
			break;
		}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* Send a request and wait for its answer: its result (decoded into
 * k->reply, in k->frame, which the caller frees). A READ passes k->rbuf.
 * data: a WRITE's bytes, sent after the head. */
static int32_t call(struct remote *r, struct call *k, uint16_t type, void *payload,
                    const void *data, uint32_t data_len)
{
	const struct wire_layout *l = wire_layout_find(ctl_layouts, ctl_nlayouts, type);
	uint8_t head[SMALL_FRAME];
	int32_t n;
	msg_t m;
	int rc;

	k->type = type;
	k->done = k->taken = 0;
	k->frame = NULL;
	pthread_cond_init(&k->cv, NULL);
	rc = enlist(r, k);
	if (rc < 0) {
		pthread_cond_destroy(&k->cv);
		return rc;
	}
	if (data) {
		n = ctl_encode_head(type, 0, 0, k->tag, payload, data_len, head, sizeof(head));
	} else {
		msg_init(&m, type, payload, l->struct_size);
		m.from = k->tag;                /* the tag (ctl.h) */
		n = wire_encode(l, &m, head, sizeof(head));
	}
	if (n < 0) {
		rc = n;
	} else {
		pthread_mutex_lock(&r->send_lock);
		rc = send_all(r->fd, head, (size_t)n, data, data ? data_len : 0);
		pthread_mutex_unlock(&r->send_lock);
		if (rc == 0 && !r->reading)
			rc = read_answer(r);    /* before the reader starts: fb_remote_open */
		if (rc < 0)
			mark_gone(r);
	}
	rc = await(r, k, rc);
	pthread_cond_destroy(&k->cv);
	return rc < 0 ? rc : k->status;
}

/* A call whose answer carries nothing but its result. */
static int32_t call_plain(struct remote *r, uint16_t type, void *payload)
{
	struct call k;
	int32_t rc;

	memset(&k, 0, sizeof(k));
	rc = call(r, &k, type, payload, NULL, 0);
	free(k.frame);
	return rc;
}

static int32_t call_path(struct remote *r, uint16_t type, const char *path, uint32_t flags,
                         uint32_t atime, uint32_t mtime)
{
	struct ctl_fs_path q;
	size_t len = strlen(path);

	if (len >= FS_PATH_MAX)
		return -NOS_ENAMETOOLONG;
	memset(&q, 0, sizeof(q));
	q.flags = flags;
	q.atime = atime;
	q.mtime = mtime;
	q.path = path;
	q.path_len = (uint32_t)len;
	return call_plain(r, type, &q);
}

static int32_t call_handle(struct remote *r, uint16_t type, int h, uint32_t arg)
{
	struct ctl_fs_handle q = { h, arg };

	return call_plain(r, type, &q);
}

/* ---------------------------------------------------------------- the table */

static int remote_open(struct fb_backend *b, const char *path, unsigned flags)
{
	return call_path(remote_of(b), CTL_MSG_FS_OPEN, path, flags, 0, 0);
}

static int remote_close(struct fb_backend *b, int h)
{
	return call_handle(remote_of(b), CTL_MSG_FS_CLOSE, h, 0);
}

static int32_t remote_pread(struct fb_backend *b, int h, void *buf, uint32_t len, int64_t off)
{
	struct ctl_fs_io q;
	struct call k;
	int32_t rc;

	if (len > CTL_FS_DATA_MAX)
		len = CTL_FS_DATA_MAX;          /* a short read, as pread may give */
	memset(&q, 0, sizeof(q));
	q.handle = h;
	q.len = len;
	q.offset = off;
	memset(&k, 0, sizeof(k));
	k.rbuf = buf;
	k.rlen = len;
	rc = call(remote_of(b), &k, CTL_MSG_FS_READ, &q, NULL, 0);
	free(k.frame);
	return rc;
}

static int32_t remote_pwrite(struct fb_backend *b, int h, const void *buf, uint32_t len,
                             int64_t off)
{
	struct ctl_fs_io q;
	struct call k;
	int32_t rc;

	if (len > CTL_FS_DATA_MAX)
		len = CTL_FS_DATA_MAX;          /* a short write; the caller goes on */
	memset(&q, 0, sizeof(q));
	q.handle = h;
	q.len = len;
	q.offset = off;
	memset(&k, 0, sizeof(k));
	rc = call(remote_of(b), &k, CTL_MSG_FS_WRITE, &q, buf ? buf : "", len);
	free(k.frame);
	return rc;
}

static int remote_ftruncate(struct fb_backend *b, int h, uint32_t len)
{
	return call_handle(remote_of(b), CTL_MSG_FS_FTRUNCATE, h, len);
}

static int remote_fsync(struct fb_backend *b, int h)
{
	return call_handle(remote_of(b), CTL_MSG_FS_FSYNC, h, 0);
}

static int stat_call(struct remote *r, uint16_t type, int h, const char *path,
                     struct fs_stat *st)
{
	struct ctl_fs_stat q;
	struct call k;
	int32_t rc;

	memset(&q, 0, sizeof(q));
	q.handle = h;
	if (path) {
		if (strlen(path) >= FS_PATH_MAX)
			return -NOS_ENAMETOOLONG;
		q.path = path;
		q.path_len = (uint32_t)strlen(path);
	}
	memset(&k, 0, sizeof(k));
	rc = call(r, &k, type, &q, NULL, 0);
	if (rc >= 0 && k.frame)
		*st = k.reply.fs_stat.st;
	free(k.frame);
	return rc;
}

static int remote_fstat(struct fb_backend *b, int h, struct fs_stat *st)
{
	return stat_call(remote_of(b), CTL_MSG_FS_FSTAT, h, NULL, st);
}

static int remote_stat(struct fb_backend *b, const char *path, struct fs_stat *st)
{
	return stat_call(remote_of(b), CTL_MSG_FS_STAT, -1, path, st);
}

/* The records of a READDIR answer (ctl.h) into ents: how many, or
 * -NOS_EBADMSG when they do not make `count` whole entries. */
static int unpack_dirents(const uint8_t *p, uint32_t len, int count, struct fs_dirent *ents)
{
	uint32_t at = 0;
	int i;

	for (i = 0; i < count; i++) {
		uint32_t name_len;

		if (len - at < CTL_FS_DIRENT_FIXED)
			return -NOS_EBADMSG;
		name_len = (uint32_t)p[at + 18] | (uint32_t)p[at + 19] << 8;
		if (name_len == 0 || name_len > FS_NAME_MAX ||
		    len - at - CTL_FS_DIRENT_FIXED < name_len)
			return -NOS_EBADMSG;
		memset(&ents[i], 0, sizeof(ents[i]));
		ents[i].st.size = le32(p + at);
		ents[i].st.mtime = le32(p + at + 4);
		ents[i].st.ctime = le32(p + at + 8);
		ents[i].st.atime = le32(p + at + 12);
		ents[i].st.attr = p[at + 16];
		ents[i].st.is_dir = p[at + 17];
		memcpy(ents[i].name, p + at + CTL_FS_DIRENT_FIXED, name_len);
		at += CTL_FS_DIRENT_FIXED + name_len;
	}
	return at == len ? count : -NOS_EBADMSG;
}

static int remote_readdir(struct fb_backend *b, int h, struct fs_dirent *ents, int max)
{
	struct ctl_fs_readdir q;
	struct call k;
	int32_t rc;

	if (max <= 0)
		return -NOS_EINVAL;
	memset(&q, 0, sizeof(q));
	q.handle = h;
	q.max = (uint32_t)max > CTL_FS_READDIR_MAX ? CTL_FS_READDIR_MAX : (uint32_t)max;
	memset(&k, 0, sizeof(k));
	rc = call(remote_of(b), &k, CTL_MSG_FS_READDIR, &q, NULL, 0);
	if (rc > (int32_t)q.max)
		rc = -NOS_EBADMSG;
	else if (rc > 0)
		rc = k.frame && k.reply.fs_readdir.recs
		     ? unpack_dirents(k.reply.fs_readdir.recs, k.reply.fs_readdir.recs_len, rc, ents)
		     : -NOS_EBADMSG;
	free(k.frame);
	return rc;
}

static int remote_mkdir(struct fb_backend *b, const char *path)
{
	return call_path(remote_of(b), CTL_MSG_FS_MKDIR, path, 0, 0, 0);
}

static int remote_rmdir(struct fb_backend *b, const char *path)
{
	return call_path(remote_of(b), CTL_MSG_FS_RMDIR, path, 0, 0, 0);
}

static int remote_unlink(struct fb_backend *b, const char *path)
{
	return call_path(remote_of(b), CTL_MSG_FS_UNLINK, path, 0, 0, 0);
}

static int remote_rename(struct fb_backend *b, const char *from, const char *to,
                         unsigned flags)
{
	struct ctl_fs_rename q;

	if (strlen(from) >= FS_PATH_MAX || strlen(to) >= FS_PATH_MAX)
		return -NOS_ENAMETOOLONG;
	memset(&q, 0, sizeof(q));
	q.flags = flags;
	q.from = from;
	q.from_len = (uint32_t)strlen(from);
	q.to = to;
	q.to_len = (uint32_t)strlen(to);
	return call_plain(remote_of(b), CTL_MSG_FS_RENAME, &q);
}

static int remote_statfs(struct fb_backend *b, struct fs_statfs *st)
{
	struct ctl_fs_statfs q;
	struct call k;
	int32_t rc;

	memset(&q, 0, sizeof(q));
	memset(&k, 0, sizeof(k));
	rc = call(remote_of(b), &k, CTL_MSG_FS_STATFS, &q, NULL, 0);
	if (rc >= 0 && k.frame) {
		const struct ctl_fs_statfs *a = &k.reply.fs_statfs;

		memset(st, 0, sizeof(*st));
		st->total_clusters = a->total_clusters;
		st->free_clusters = a->free_clusters;
		st->cluster_size = a->cluster_size;
		st->fat_type = a->fat_type;
		st->dirty_at_mount = a->dirty_at_mount;
		if (a->label && a->label_len < sizeof(st->label))
			memcpy(st->label, a->label, a->label_len);
	}
	free(k.frame);
	return rc;
}

static int remote_sync(struct fb_backend *b)
{
	return call_handle(remote_of(b), CTL_MSG_FS_SYNC, -1, 0);
}

static int remote_utimens(struct fb_backend *b, const char *path, uint32_t atime,
                          uint32_t mtime)
{
	return call_path(remote_of(b), CTL_MSG_FS_UTIMENS, path, 0, atime, mtime);
}

static int remote_setro(struct fb_backend *b, const char *path, int ro)
{
	return call_path(remote_of(b), CTL_MSG_FS_SETRO, path, ro ? 1 : 0, 0, 0);
}

static void remote_free(struct remote *r)
{
	client_close(&r->conn);
	pthread_mutex_destroy(&r->send_lock);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* The daemon closes the handles of a connection that ends. */
static void remote_shutdown(struct fb_backend *b)
{
	struct remote *r = remote_of(b);

	remote_sync(b);
	pthread_mutex_lock(&r->lock);
	r->closing = 1;
	pthread_mutex_unlock(&r->lock);
	shutdown(r->fd, SHUT_RDWR);
	if (r->reading)
		pthread_join(r->reader, NULL);
	remote_free(r);
}

/* ---------------------------------------------------------------- open */

/* What the daemon calls itself (STATUS), for a message. */
static void daemon_version(struct client *c, char *out, size_t n)
{
	struct ctl_status s;
	union ctl_payload a;

	memset(&s, 0, sizeof(s));
	snprintf(out, n, "unknown");
	if (client_call(c, "mount", CTL_MSG_STATUS, &s, sizeof(s), &a) >= 0)
		snprintf(out, n, "%.*s", (int)a.status.version_len, a.status.version);
}

static void fill_table(struct fb_backend *b)
{
	b->kind = "remote";
	b->open = remote_open;
	b->close = remote_close;
	b->pread = remote_pread;
	b->pwrite = remote_pwrite;
	b->ftruncate = remote_ftruncate;
	b->fsync = remote_fsync;
	b->fstat = remote_fstat;
	b->stat = remote_stat;
	b->readdir = remote_readdir;
	b->mkdir = remote_mkdir;
	b->rmdir = remote_rmdir;
	b->unlink = remote_unlink;
	b->rename = remote_rename;
	b->statfs = remote_statfs;
	b->sync = remote_sync;
	b->utimens = remote_utimens;
	b->setro = remote_setro;
	b->shutdown = remote_shutdown;
}

int fb_remote_open(struct client *c, int read_only, struct fb_backend **out,
                   char *err, size_t err_len)
{
	char version[64];
	struct fs_statfs st;
	struct remote *r;
	int rc;

	*out = NULL;
	if (c->in_len > c->in_taken) {
		snprintf(err, err_len, "the daemon (pid %u) sent more than we asked for; restart "
		         "it (nanoos stop; nanoosd ...)", (unsigned)c->daemon_pid);
		return -NOS_EPROTO;
	}
	daemon_version(c, version, sizeof(version));
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, err_len, "out of memory");
		return -NOS_ENOMEM;
	}
	fill_table(&r->b);
	r->b.read_only = read_only;
	r->conn.fd = -1;
	r->fd = c->fd;
	r->next_tag = c->next_tag ? c->next_tag : 1;
	pthread_mutex_init(&r->send_lock, NULL);
	pthread_mutex_init(&r->lock, NULL);
	fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) & ~O_NONBLOCK);
	/* The first request answered by this thread: a daemon from before FS
	 * forwarding closes the connection at it (a type it does not know). */
	rc = remote_statfs(&r->b, &st);
	if (rc < 0) {
		if (rc == -NOS_ECONNRESET || rc == -NOS_ENOTCONN || rc == -NOS_EPROTO ||
		    rc == -NOS_EBADMSG)
			snprintf(err, err_len, "the daemon (version %s) does not forward FUSE "
			         "requests; restart it with this nanoos's nanoosd", version);
		else
			snprintf(err, err_len, "the daemon (pid %u) cannot report on its volume: %s",
			         (unsigned)c->daemon_pid, nos_strerror(rc));
		remote_free(r);
		return rc;
	}
	rc = pthread_create(&r->reader, NULL, reader_main, r);
	if (rc != 0) {
		snprintf(err, err_len, "cannot start a thread: %s", strerror(rc));
		remote_free(r);
		return -NOS_EAGAIN;
	}
	r->reading = 1;
	/* Ours from now on: the caller's copy no longer holds the connection. */
	r->conn = *c;
	c->fd = -1;
	c->in = c->out = NULL;
	c->in_len = c->in_cap = c->out_len = c->out_cap = c->in_taken = 0;
	*out = &r->b;
	return 0;
}
