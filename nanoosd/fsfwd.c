/*
 * fsfwd.c: the daemon's side of a remote mount (DESIGN.md section 8,
 * fuse-bridge/backend.h): the CTL_MSG_FS_* frames of one connection
 * (nanoosd/ctl.h), served in order on its session thread, ("session", N),
 * which fs trusts (kproc/fs.c trusted()) and which owns every handle it
 * opens here.
 *
 * Each request becomes the fs call of the same name (kproc/fs.h) with the
 * credentials of the account HELLO named for the client (session.c
 * find_account: root for Linux root, else the account named like the Linux
 * user, else `user`), so the volume's policy (kproc/fs_policy.h) applies to
 * a mount as to a guest of that account. The answer carries the call's
 * result in its status.
 *
 * Data is copied once each way: a WRITE's bytes go to fs_pwrite from the
 * frame conn_read read them into; a READ's bytes come from fs_pread into
 * the reply's own buffer, after its head (ctl_encode_head).
 *
 * The connection's handles are listed here and closed by fsfwd_end when it
 * ends, however it ends (EOF, a kill of the client, the daemon stopping).
 * A request out of range (a READ over CTL_FS_DATA_MAX, a READDIR of no
 * entries) is malformed: it ends that connection only, like any bad frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/fat.h"
#include "kproc/fs.h"
#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"

struct fsfwd {
	struct fs_cred cred;                /* the account HELLO named */
	uint8_t open[FAT_MAX_OPEN];         /* handles this connection holds */
	unsigned nopen;
};

int fsfwd_is_request(uint16_t type)
{
	return type >= CTL_MSG_FS_OPEN && type <= CTL_MSG_FS_SETRO;
}

static struct fsfwd *fsfwd_of(struct conn *c)
{
	if (!c->fs) {
		c->fs = calloc(1, sizeof(*c->fs));
		if (!c->fs)
			return NULL;
		c->fs->cred.uid = c->acct.uid;
		snprintf(c->fs->cred.name, sizeof(c->fs->cred.name), "%s", c->acct.name);
		log_msg(LOG_DEBUG, "session %u: client pid %ld mounts the volume as %s", c->index,
		        (long)c->peer_pid, c->acct.name);
	}
	return c->fs;
}

static void track_open(struct fsfwd *fs, int32_t h)
{
	if (h >= 0 && h < FAT_MAX_OPEN && !fs->open[h]) {
		fs->open[h] = 1;
		fs->nopen++;
	}
}

static void track_close(struct fsfwd *fs, int32_t h)
{
	if (h >= 0 && h < FAT_MAX_OPEN && fs->open[h]) {
		fs->open[h] = 0;
		fs->nopen--;
	}
}

static int bad_request(struct conn *c, struct frame *f, const char *why)
{
	log_msg(LOG_WARN, "client pid %ld uid %lu: an FS frame of type 0x%x with %s; closing "
	        "that connection", (long)c->peer_pid, (unsigned long)c->peer_uid,
	        (unsigned)f->h.type, why);
	return -1;
}

/* The answer to f: its type, the result, an out payload of its struct. */
static int answer(struct conn *c, struct frame *f, int32_t result, void *payload,
                  uint32_t size)
{
	return conn_send(c, f->h.type, MSG_F_REPLY, result, f->h.from, payload, size) < 0 ? -1 : 0;
}

/* An answer with the result alone (an empty payload of the request's type). */
static int answer_plain(struct conn *c, struct frame *f, int32_t result)
{
	const struct wire_layout *l = wire_layout_find(ctl_layouts, ctl_nlayouts, f->h.type);
	union ctl_payload p;

	memset(&p, 0, sizeof(p));
	return answer(c, f, result, &p, l ? l->struct_size : 0);
}

/* ---------------------------------------------------------------- data */

static int serve_read(struct conn *c, struct frame *f)
{
	struct ctl_fs_io io = f->u.fs_io;
	uint8_t head[64];
	int32_t n_head, got;
	uint8_t *buf;
	int r;

	if (io.len > CTL_FS_DATA_MAX)
		return bad_request(c, f, "a read of more than 1 MiB");
	io.data = NULL;
	io.data_len = 0;
	n_head = ctl_encode_head(f->h.type, MSG_F_REPLY, 0, f->h.from, &io, io.len, head,
	                         sizeof(head));
	if (n_head < 0)
		return bad_request(c, f, "a read we cannot answer");
	buf = malloc((size_t)n_head + io.len);
	if (!buf)
		return answer_plain(c, f, -NOS_ENOMEM);
	got = fs_pread(D.in.fs, io.handle, buf + n_head, io.len, io.offset);
	/* The head again, now that we know how much came (its size is the same). */
	ctl_encode_head(f->h.type, MSG_F_REPLY, got, f->h.from, &io, got > 0 ? (uint32_t)got : 0,
	                buf, (size_t)n_head);
	r = conn_send_raw(c, buf, (size_t)n_head + (got > 0 ? (size_t)got : 0));
	free(buf);
	return r < 0 ? -1 : 0;
}

static int serve_write(struct conn *c, struct frame *f)
{
	const struct ctl_fs_io *io = &f->u.fs_io;
	int32_t r = fs_pwrite(D.in.fs, io->handle, io->data, io->data_len, io->offset);

	return answer_plain(c, f, r);
}

/* ---------------------------------------------------------------- handles */

/* A path of a frame as a C string in out[FS_PATH_MAX]: 0 or -NOS_E*
 * (a NUL inside would make fs see a shorter path than was sent). */
static int path_of(const char *p, uint32_t len, char *out)
{
	if (len >= FS_PATH_MAX)
		return -NOS_ENAMETOOLONG;
	if (len)
		memcpy(out, p, len);
	out[len] = 0;
	return strlen(out) == len ? 0 : -NOS_EINVAL;
}

static int serve_open(struct conn *c, struct frame *f, struct fsfwd *fs)
{
	const struct ctl_fs_path *q = &f->u.fs_path;
	char path[FS_PATH_MAX];
	int32_t h = path_of(q->path, q->path_len, path);

	if (h == 0) {
		h = fs_open(D.in.fs, &fs->cred, path, q->flags);
		track_open(fs, h);
	}
	return answer_plain(c, f, h);
}

static int serve_handle(struct conn *c, struct frame *f, struct fsfwd *fs)
{
	const struct ctl_fs_handle *q = &f->u.fs_handle;
	int32_t r;

	switch (f->h.type) {
	case CTL_MSG_FS_CLOSE:
		/* Only a handle this connection opened (the numbers are
		 * fs-wide), so the list stays true. */
		if (q->handle < 0 || q->handle >= FAT_MAX_OPEN || !fs->open[q->handle])
			return answer_plain(c, f, -NOS_EBADF);
		r = fs_close(D.in.fs, q->handle);
		track_close(fs, q->handle);
		break;
	case CTL_MSG_FS_FTRUNCATE:
		r = fs_ftruncate(D.in.fs, q->handle, q->arg);
		break;
	case CTL_MSG_FS_FSYNC:
		r = fs_fsync(D.in.fs, q->handle);
		break;
	default:                        /* CTL_MSG_FS_SYNC */
		r = fs_sync(D.in.fs);
		break;
	}
	return answer_plain(c, f, r);
}

/* ---------------------------------------------------------------- paths */

static int serve_stat(struct conn *c, struct frame *f, struct fsfwd *fs)
{
	struct ctl_fs_stat out;
	char path[FS_PATH_MAX];
	int32_t r;

	memset(&out, 0, sizeof(out));
	if (f->h.type == CTL_MSG_FS_FSTAT) {
		r = fs_fstat(D.in.fs, f->u.fs_stat.handle, &out.st);
	} else {
		r = path_of(f->u.fs_stat.path, f->u.fs_stat.path_len, path);
		if (r == 0)
			r = fs_stat(D.in.fs, &fs->cred, path, &out.st);
	}
	return answer(c, f, r, &out, sizeof(out));
}

static int serve_path(struct conn *c, struct frame *f, struct fsfwd *fs)
{
	const struct ctl_fs_path *q = &f->u.fs_path;
	char path[FS_PATH_MAX];
	int32_t r = path_of(q->path, q->path_len, path);

	if (r < 0)
		return answer_plain(c, f, r);
	switch (f->h.type) {
	case CTL_MSG_FS_MKDIR:
		r = fs_mkdir(D.in.fs, &fs->cred, path);
		break;
	case CTL_MSG_FS_RMDIR:
		r = fs_rmdir(D.in.fs, &fs->cred, path);
		break;
	case CTL_MSG_FS_UNLINK:
		r = fs_unlink(D.in.fs, &fs->cred, path);
		break;
	case CTL_MSG_FS_UTIMENS:
		r = fs_utimens(D.in.fs, &fs->cred, path, q->atime, q->mtime);
		break;
	default:                        /* CTL_MSG_FS_SETRO */
		r = fs_set_readonly(D.in.fs, &fs->cred, path, q->flags != 0);
		break;
	}
	return answer_plain(c, f, r);
}

static int serve_rename(struct conn *c, struct frame *f, struct fsfwd *fs)
{
	const struct ctl_fs_rename *q = &f->u.fs_rename;
	char from[FS_PATH_MAX], to[FS_PATH_MAX];
	int32_t r = path_of(q->from, q->from_len, from);

	if (r == 0)
		r = path_of(q->to, q->to_len, to);
	if (r == 0)
		r = fs_rename(D.in.fs, &fs->cred, from, to, q->flags);
	return answer_plain(c, f, r);
}

/* ---------------------------------------------------------------- volume */

static int serve_statfs(struct conn *c, struct frame *f)
{
	struct ctl_fs_statfs out;
	struct fs_statfs st;
	int32_t r;

	memset(&out, 0, sizeof(out));
	memset(&st, 0, sizeof(st));
	r = fs_statfs(D.in.fs, &st);
	if (r >= 0) {
		out.total_clusters = st.total_clusters;
		out.free_clusters = st.free_clusters;
		out.cluster_size = st.cluster_size;
		out.fat_type = st.fat_type;
		out.dirty_at_mount = st.dirty_at_mount;
		out.label = st.label;
		out.label_len = (uint32_t)strnlen(st.label, sizeof(st.label));
	}
	return answer(c, f, r, &out, sizeof(out));
}

static void put_le(uint8_t *p, uint32_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* One entry as a CTL_FS_DIRENT_FIXED record and its name: bytes used. */
static size_t put_dirent(uint8_t *p, const struct fs_dirent *e)
{
	size_t name_len = strnlen(e->name, FS_NAME_MAX);

	put_le(p + 0, e->st.size, 4);
	put_le(p + 4, e->st.mtime, 4);
	put_le(p + 8, e->st.ctime, 4);
	put_le(p + 12, e->st.atime, 4);
	p[16] = e->st.attr;
	p[17] = e->st.is_dir;
	put_le(p + 18, (uint32_t)name_len, 2);
	memcpy(p + CTL_FS_DIRENT_FIXED, e->name, name_len);
	return CTL_FS_DIRENT_FIXED + name_len;
}

/* Up to max entries in one answer; an error after some entries is left
 * for the next request to meet. */
static int serve_readdir(struct conn *c, struct frame *f)
{
	struct ctl_fs_readdir out;
	struct fs_readdir_req q;
	uint8_t *recs;
	size_t used = 0;
	int32_t r = 0, n = 0;

	if (f->u.fs_readdir.max == 0 || f->u.fs_readdir.max > CTL_FS_READDIR_MAX)
		return bad_request(c, f, "an entry count out of range");
	recs = malloc(CTL_FS_RECS_MAX);
	if (!recs)
		return answer_plain(c, f, -NOS_ENOMEM);
	while ((uint32_t)n < f->u.fs_readdir.max &&
	       (r = fs_readdir_r(D.in.fs, f->u.fs_readdir.handle, &q)) == 1) {
		used += put_dirent(recs + used, &q.ent);
		n++;
	}
	memset(&out, 0, sizeof(out));
	out.handle = f->u.fs_readdir.handle;
	out.recs = recs;
	out.recs_len = (uint32_t)used;
	r = answer(c, f, n > 0 || r >= 0 ? n : r, &out, sizeof(out));
	free(recs);
	return r;
}

/* ---------------------------------------------------------------- entry */

int fsfwd_serve(struct conn *c, struct frame *f)
{
	struct fsfwd *fs = fsfwd_of(c);

	if (!fs)
		return answer_plain(c, f, -NOS_ENOMEM);
	switch (f->h.type) {
	case CTL_MSG_FS_OPEN:
		return serve_open(c, f, fs);
	case CTL_MSG_FS_READ:
		return serve_read(c, f);
	case CTL_MSG_FS_WRITE:
		return serve_write(c, f);
	case CTL_MSG_FS_CLOSE:
	case CTL_MSG_FS_FTRUNCATE:
	case CTL_MSG_FS_FSYNC:
	case CTL_MSG_FS_SYNC:
		return serve_handle(c, f, fs);
	case CTL_MSG_FS_FSTAT:
	case CTL_MSG_FS_STAT:
		return serve_stat(c, f, fs);
	case CTL_MSG_FS_READDIR:
		return serve_readdir(c, f);
	case CTL_MSG_FS_RENAME:
		return serve_rename(c, f, fs);
	case CTL_MSG_FS_STATFS:
		return serve_statfs(c, f);
	default:                        /* MKDIR RMDIR UNLINK UTIMENS SETRO */
		return serve_path(c, f, fs);
	}
}

void fsfwd_end(struct conn *c)
{
	unsigned closed = 0;
	int h;

	if (!c->fs)
		return;
	for (h = 0; h < FAT_MAX_OPEN; h++)
		if (c->fs->open[h]) {
			fs_close(D.in.fs, h);
			closed++;
		}
	log_msg(LOG_DEBUG, "session %u: the mount ended; closed its %u open handle%s", c->index,
	        closed, closed == 1 ? "" : "s");
	free(c->fs);
	c->fs = NULL;
}
