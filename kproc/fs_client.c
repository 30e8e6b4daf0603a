/*
 * fs_client.c: the client side of the fs process (see fs.h): each call
 * fills a request in the caller's memory and calls fs, which works on it in
 * place. Portable.
 */
#include <string.h>

#include "kproc/fs.h"

/* The reply comes from the message, not msg_call's int: on AVR an int is
 * 16 bits, and a read or write may move more than 32767 bytes. */
static int32_t call(msg_pid_t fs, uint16_t type, void *payload, uint32_t size)
{
	msg_t m;
	int r;

	msg_init(&m, type, payload, size);
	r = msg_call(fs, &m, MSG_FOREVER);
	return msg_done(&m) ? m.status : r;
}

static int path_call(msg_pid_t fs, uint16_t type, const struct fs_cred *cred,
                     const char *path, uint32_t flags, uint32_t arg, uint32_t arg2)
{
	struct fs_path_req q;

	memset(&q, 0, sizeof(q));
	q.cred = *cred;
	q.path = path;
	q.path_len = path ? (uint32_t)strlen(path) : 0;
	q.flags = flags;
	q.arg = arg;
	q.arg2 = arg2;
	return call(fs, type, &q, sizeof(q));
}

static int handle_call(msg_pid_t fs, uint16_t type, int handle, uint32_t arg)
{
	struct fs_handle_req q = { handle, arg };

	return call(fs, type, &q, sizeof(q));
}

static int32_t io_call(msg_pid_t fs, uint16_t type, int handle, void *buf, uint32_t len,
                       int64_t offset)
{
	struct fs_io q;

	memset(&q, 0, sizeof(q));
	q.handle = handle;
	q.buf = buf;
	q.len = len;
	q.offset = offset;
	return call(fs, type, &q, sizeof(q));
}

int fs_open(msg_pid_t fs, const struct fs_cred *cred, const char *path, unsigned flags)
{
	return path_call(fs, FS_MSG_OPEN, cred, path, flags, 0, 0);
}

int fs_close(msg_pid_t fs, int handle)
{
	return handle_call(fs, FS_MSG_CLOSE, handle, 0);
}

int32_t fs_pread(msg_pid_t fs, int handle, void *buf, uint32_t len, int64_t offset)
{
	return io_call(fs, FS_MSG_READ, handle, buf, len, offset);
}

int32_t fs_pwrite(msg_pid_t fs, int handle, const void *buf, uint32_t len, int64_t offset)
{
	/* fs only reads this buffer. */
	return io_call(fs, FS_MSG_WRITE, handle, (void *)(uintptr_t)buf, len, offset);
}

int fs_seek(msg_pid_t fs, int handle, int64_t offset, int whence, uint32_t *pos)
{
	struct fs_seek q;
	int r;

	memset(&q, 0, sizeof(q));
	q.handle = handle;
	q.offset = offset;
	q.whence = whence;
	r = call(fs, FS_MSG_SEEK, &q, sizeof(q));
	if (r == 0 && pos)
		*pos = q.pos;
	return r;
}

int fs_ftruncate(msg_pid_t fs, int handle, uint32_t len)
{
	return handle_call(fs, FS_MSG_FTRUNCATE, handle, len);
}

int fs_fsync(msg_pid_t fs, int handle)
{
	return handle_call(fs, FS_MSG_FSYNC, handle, 0);
}

static int stat_call(msg_pid_t fs, uint16_t type, const struct fs_cred *cred,
                     const char *path, int handle, struct fs_stat *st)
{
	static const struct fs_cred nobody;
	struct fs_stat_req q;
	int r;

	memset(&q, 0, sizeof(q));
	q.cred = cred ? *cred : nobody;
	q.path = path;
	q.path_len = path ? (uint32_t)strlen(path) : 0;
	q.handle = handle;
	r = call(fs, type, &q, sizeof(q));
	if (r == 0)
		*st = q.st;
	return r;
}

int fs_fstat(msg_pid_t fs, int handle, struct fs_stat *st)
{
	return stat_call(fs, FS_MSG_FSTAT, NULL, NULL, handle, st);
}

int fs_stat(msg_pid_t fs, const struct fs_cred *cred, const char *path, struct fs_stat *st)
{
	return stat_call(fs, FS_MSG_STAT, cred, path, -1, st);
}

int fs_readdir(msg_pid_t fs, int handle, struct fs_dirent *ent)
{
	static struct fs_readdir_req q;     /* big; the caller is one process */
	int r = fs_readdir_r(fs, handle, &q);

	if (r == 1)
		*ent = q.ent;
	return r;
}

int fs_readdir_r(msg_pid_t fs, int handle, struct fs_readdir_req *q)
{
	memset(q, 0, sizeof(*q));
	q->handle = handle;
	return call(fs, FS_MSG_READDIR, q, sizeof(*q));
}

int fs_mkdir(msg_pid_t fs, const struct fs_cred *cred, const char *path)
{
	return path_call(fs, FS_MSG_MKDIR, cred, path, 0, 0, 0);
}

int fs_rmdir(msg_pid_t fs, const struct fs_cred *cred, const char *path)
{
	return path_call(fs, FS_MSG_RMDIR, cred, path, 0, 0, 0);
}

int fs_unlink(msg_pid_t fs, const struct fs_cred *cred, const char *path)
{
	return path_call(fs, FS_MSG_UNLINK, cred, path, 0, 0, 0);
}

int fs_rename(msg_pid_t fs, const struct fs_cred *cred, const char *from, const char *to,
              unsigned flags)
{
	struct fs_rename_req q;

	memset(&q, 0, sizeof(q));
	q.cred = *cred;
	q.from = from;
	q.from_len = (uint32_t)strlen(from);
	q.to = to;
	q.to_len = (uint32_t)strlen(to);
	q.flags = flags;
	return call(fs, FS_MSG_RENAME, &q, sizeof(q));
}

int fs_statfs(msg_pid_t fs, struct fs_statfs *st)
{
	struct fs_statfs_req q;
	int r;

	memset(&q, 0, sizeof(q));
	r = call(fs, FS_MSG_STATFS, &q, sizeof(q));
	if (r == 0)
		*st = q.st;
	return r;
}

int fs_sync(msg_pid_t fs)
{
	return call(fs, FS_MSG_SYNC, NULL, 0);
}

int fs_utimens(msg_pid_t fs, const struct fs_cred *cred, const char *path, uint32_t atime,
               uint32_t mtime)
{
	return path_call(fs, FS_MSG_UTIMENS, cred, path, 0, atime, mtime);
}

int fs_set_readonly(msg_pid_t fs, const struct fs_cred *cred, const char *path, int ro)
{
	return path_call(fs, FS_MSG_SETRO, cred, path, 0, ro != 0, 0);
}

int fs_check(msg_pid_t fs, unsigned flags, char *text, uint32_t text_len,
             void *(*alloc)(size_t), void (*release)(void *),
             struct fs_check_req *out)
{
	struct fs_check_req q;
	int r;

	memset(&q, 0, sizeof(q));
	q.flags = flags;
	q.text = text;
	q.text_len = text_len;
	r = call(fs, FS_MSG_CHECK, &q, sizeof(q));      /* learn the scratch size */
	if (r != -NOS_ENOMEM || q.map_needed == 0)
		return r;
	q.map_len = q.map_needed;
	q.map = alloc(q.map_len);
	if (q.map == NULL)
		return -NOS_ENOMEM;
	r = call(fs, FS_MSG_CHECK, &q, sizeof(q));
	release(q.map);
	q.map = NULL;
	if (out)
		*out = q;
	return r;
}
