/*
 * sys_fs.c: file system calls. A guest fd names an open file description
 * (struct ofile): a file or directory of the fs process, the console, or a
 * pipe end kept by sched. Each call becomes one message to the process
 * that owns the object; the guest waits parked until it completes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/fat.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/syscall.h"

/* ---------------------------------------------------------------- helpers */

static struct ofile *fd_get(struct guest *g, uint32_t fd)
{
	return fd < GUEST_FD_MAX ? g->fd[fd] : NULL;
}

static int fd_alloc(struct guest *g, uint32_t from, struct ofile *f)
{
	uint32_t fd;

	for (fd = from; fd < guest_fd_limit(g); fd++)
		if (!g->fd[fd]) {
			g->fd[fd] = f;
			g->cloexec &= ~(1ull << fd);
			return (int)fd;
		}
	return -NOS_EMFILE;
}

static void fs_cred_of(const struct guest *g, struct fs_cred *c)
{
	memset(c, 0, sizeof(*c));
	c->uid = g->cred.uid;
	memcpy(c->name, g->cred.name, sizeof(c->name) < sizeof(g->cred.name) ?
	       sizeof(c->name) : sizeof(g->cred.name));
	c->name[sizeof(c->name) - 1] = 0;
}

int guest_path(struct guest *g, int32_t dirfd, uint32_t addr, char *out)
{
	char raw[FS_PATH_MAX];
	const char *base = g->cwd;
	int r = gmem_read_str(&g->mem, addr, raw, sizeof(raw));

	if (r < 0)
		return r;
	if (raw[0] == 0)
		return -NOS_ENOENT;
	if (raw[0] != '/' && dirfd != L_AT_FDCWD) {
		struct ofile *f = fd_get(g, (uint32_t)dirfd);

		if (!f)
			return -NOS_EBADF;
		if (f->kind != OF_FS || !f->is_dir || !f->path)
			return -NOS_ENOTDIR;
		base = f->path;
	}
	return fs_path_canon(base, raw, out);
}

static int32_t cancelled_is_eintr(int32_t st)
{
	return st == -NOS_ECANCELED ? -NOS_EINTR : st;
}

/* ---------------------------------------------------------------- open/close */

static void open_undone(struct guest *g, int32_t st)
{
	(void)st;
	guest_return(g, (int32_t)g->pend.arg[5]);
}

static void opened(struct guest *g, int32_t st)
{
	struct ofile *f;
	int fd;

	if (st < 0) {
		guest_return(g, st);
		return;
	}
	f = ofile_new(OF_FS);
	fd = f ? fd_alloc(g, 0, f) : -NOS_ENOMEM;
	if (fd < 0) {
		free(f);
		/* Give the handle back; the error is the call's answer. */
		g->pend.arg[5] = (uint32_t)fd;
		g->pend.u.handle.handle = st;
		g->pend.u.handle.arg = 0;
		guest_request(g, g->w->cfg.fs, FS_MSG_CLOSE, sizeof(g->pend.u.handle),
		              open_undone);
		return;
	}
	f->handle = st;
	f->flags = g->pend.arg[2];
	f->is_dir = (g->pend.u.path.flags & FS_O_DIRECTORY) != 0;
	f->path = strdup(g->pend.path);
	if (g->pend.arg[2] & L_O_CLOEXEC)
		g->cloexec |= 1ull << fd;
	guest_return(g, fd);
}

/* openat(dirfd, path, flags, mode) */
static void open_as_dir_if_dir(struct guest *g, int32_t st);

/* The two devices every program expects, outside the volume: /dev/null
 * and /dev/tty (the guest's terminal). The rest of /dev does not exist. */
static int device_of(const char *canon)
{
	if (strcmp(canon, "/dev/null") == 0)
		return OF_NULL;
	if (strcmp(canon, "/dev/tty") == 0)
		return OF_CONSOLE;
	return 0;
}

static int32_t open_device(struct guest *g, const char *name, uint32_t lf)
{
	struct ofile *f;
	int fd;

	if (strcmp(name, "null") != 0 && strcmp(name, "tty") != 0)
		return -NOS_ENOENT;
	if (name[0] == 't' && !g->console)
		return -NOS_ENXIO;
	f = ofile_new(name[0] == 'n' ? OF_NULL : OF_CONSOLE);
	if (!f)
		return -NOS_ENOMEM;
	f->console = g->console;
	f->handle = 1;
	f->flags = lf & (L_O_ACCMODE | L_O_NONBLOCK);
	fd = fd_alloc(g, 0, f);
	if (fd < 0) {
		ofile_free(f);
		return fd;
	}
	if (lf & L_O_CLOEXEC)
		g->cloexec |= 1ull << fd;
	return fd;
}

SYS(openat)
{
	uint32_t lf = a[2];
	unsigned flags = lf & L_O_ACCMODE;
	int r;

	if ((lf & L_O_ACCMODE) == 3)
		return -NOS_EINVAL;
	r = guest_path(g, (int32_t)a[0], a[1], g->pend.path);
	if (r < 0)
		return r;
	if (strncmp(g->pend.path, "/dev/", 5) == 0)
		return open_device(g, g->pend.path + 5, lf);
	if (lf & L_O_CREAT)
		flags |= FS_O_CREAT;
	if (lf & L_O_EXCL)
		flags |= FS_O_EXCL;
	if (lf & L_O_TRUNC)
		flags |= FS_O_TRUNC;
	if (lf & L_O_APPEND)
		flags |= FS_O_APPEND;
	if (lf & L_O_DIRECTORY)
		flags |= FS_O_DIRECTORY;
	g->pend.arg[2] = lf;
	fs_cred_of(g, &g->pend.u.path.cred);
	g->pend.u.path.path = g->pend.path;
	g->pend.u.path.path_len = (uint32_t)strlen(g->pend.path);
	g->pend.u.path.flags = flags;
	g->pend.u.path.arg = g->pend.u.path.arg2 = 0;
	return guest_request(g, g->w->cfg.fs, FS_MSG_OPEN, sizeof(g->pend.u.path),
	                     open_as_dir_if_dir);
}

/* A read-only open of a directory without O_DIRECTORY is legal in POSIX
 * (opendir does it); fs wants FS_O_DIRECTORY for directories, so retry. */
static void open_as_dir_if_dir(struct guest *g, int32_t st)
{
	if (st == -NOS_EISDIR && (g->pend.arg[2] & L_O_ACCMODE) == 0 &&
	    !(g->pend.u.path.flags & FS_O_DIRECTORY)) {
		g->pend.u.path.flags = FS_O_DIRECTORY;
		guest_request(g, g->w->cfg.fs, FS_MSG_OPEN, sizeof(g->pend.u.path), opened);
		return;
	}
	opened(g, st);
}

static void closed(struct guest *g, int32_t st)
{
	guest_return(g, st < 0 ? st : 0);
}

SYS(close)
{
	if (!fd_get(g, a[0]))
		return -NOS_EBADF;
	guest_close_fds(g, 1ull << a[0], closed);
	return SYS_PARKED;
}

/* ---------------------------------------------------------------- read/write */

static void io_done(struct guest *g, int32_t st)
{
	st = cancelled_is_eintr(st);
	if (st > 0 && g->pend.arg[4] == 0 && guest_io_finish(g, (uint32_t)st) < 0)
		st = -NOS_EFAULT;
	if (st == -NOS_EPIPE && g->pend.arg[4])
		guest_signal(g, GSIG_PIPE, 0, 0);
	if (g->pend.arg[3])             /* a vector: the next piece */
		((guest_done_fn)g->pend.ctx)(g, st);
	else
		guest_return(g, st);
}

/* Start one transfer on f: write when `out`; offset < 0: at the position. */
static int32_t io_start(struct guest *g, struct ofile *f, uint32_t addr, uint32_t len,
                        int out, int64_t offset)
{
	void *buf;
	int r;

	if (len > GUEST_IO_MAX)
		len = GUEST_IO_MAX;
	if (f->is_dir)
		return -NOS_EISDIR;
	if (out ? (f->flags & L_O_ACCMODE) == 0 : (f->flags & L_O_ACCMODE) == 1)
		return -NOS_EBADF;
	r = guest_io_buf(g, addr, len, !out, &buf);
	if (r < 0)
		return r;
	g->pend.arg[4] = (uint32_t)out;
	switch (f->kind) {
	case OF_NULL:
		return out ? (int32_t)len : 0;
	case OF_FS:
		g->pend.u.io.handle = f->handle;
		g->pend.u.io.len = len;
		g->pend.u.io.buf = buf;
		g->pend.u.io.offset = offset < 0 ? FS_AT_POSITION : offset;
		return guest_request(g, g->w->cfg.fs, out ? FS_MSG_WRITE : FS_MSG_READ,
		                     sizeof(g->pend.u.io), io_done);
	case OF_CONSOLE:
		if (offset >= 0)
			return -NOS_ESPIPE;
		g->pend.u.con.stream = !out ? 0 : f->handle == 2 ? 2 : 1;
		g->pend.u.con.buf = buf;
		g->pend.u.con.len = len;
		g->pend.u.con.nonblock = (f->flags & L_O_NONBLOCK) != 0;
		g->pend.u.con.caller_pgid = g->pgid;   /* a background read gets SIGTTIN */
		if (out)
			return guest_request(g, f->console, CONSOLE_MSG_WRITE,
			                     sizeof(g->pend.u.con), io_done);
		return guest_request_slow(g, f->console, CONSOLE_MSG_READ,
		                          sizeof(g->pend.u.con), io_done);
	default:
		if (offset >= 0)
			return -NOS_ESPIPE;
		g->pend.u.pipe.pipe = (uint32_t)f->handle;
		g->pend.u.pipe.dir = out ? SCHED_PIPE_WRITE : SCHED_PIPE_READ;
		g->pend.u.pipe.buf = buf;
		g->pend.u.pipe.len = len;
		g->pend.u.pipe.nonblock = (f->flags & L_O_NONBLOCK) != 0;
		return guest_request_slow(g, g->w->cfg.sched, SCHED_MSG_PIPE_IO,
		                          sizeof(g->pend.u.pipe), io_done);
	}
}

static int32_t rw(struct guest *g, const uint32_t a[6], int out, int64_t offset)
{
	struct ofile *f = fd_get(g, a[0]);

	if (!f)
		return -NOS_EBADF;
	g->pend.arg[3] = 0;
	return io_start(g, f, a[1], a[2], out, offset);
}

SYS(read) { return rw(g, a, 0, -1); }
SYS(write) { return rw(g, a, 1, -1); }

static int64_t arg64(const uint32_t a[6], unsigned lo)
{
	return (int64_t)((uint64_t)a[lo] | ((uint64_t)a[lo + 1] << 32));
}

SYS(pread64)
{
	if (arg64(a, 3) < 0)
		return -NOS_EINVAL;
	return rw(g, a, 0, arg64(a, 3));
}

SYS(pwrite64)
{
	if (arg64(a, 3) < 0)
		return -NOS_EINVAL;
	return rw(g, a, 1, arg64(a, 3));
}

/* readv/writev: one iovec after the other; arg[0] fd, [1] iov, [2] count,
 * [3] 1 + index of the piece in flight, [5] bytes so far. */
static void vec_step(struct guest *g, int32_t st);

static void vec_next(struct guest *g)
{
	struct ofile *f = fd_get(g, g->pend.arg[0]);
	uint8_t iov[8];
	uint32_t i = g->pend.arg[3];
	int32_t r;

	for (;; i++) {
		if (i >= g->pend.arg[2] || !f) {
			guest_return(g, (int32_t)g->pend.arg[5]);
			return;
		}
		if (gmem_read(&g->mem, g->pend.arg[1] + 8 * i, iov, 8) < 0) {
			guest_return(g, g->pend.arg[5] ? (int32_t)g->pend.arg[5] : -NOS_EFAULT);
			return;
		}
		if (ld_32(iov + 4) != 0)
			break;
	}
	g->pend.arg[3] = i + 1;
	g->pend.ctx = (void *)vec_step;
	r = io_start(g, f, ld_32(iov), ld_32(iov + 4), (int)g->pend.arg[4], -1);
	if (r != SYS_PARKED)
		vec_step(g, r);
}

static void vec_step(struct guest *g, int32_t st)
{
	uint8_t iov[8];
	uint32_t want = 0;

	if (gmem_read(&g->mem, g->pend.arg[1] + 8 * (g->pend.arg[3] - 1), iov, 8) == 0)
		want = ld_32(iov + 4);
	if (st < 0) {
		guest_return(g, g->pend.arg[5] ? (int32_t)g->pend.arg[5] : st);
		return;
	}
	g->pend.arg[5] += (uint32_t)st;
	if ((uint32_t)st < want) {
		guest_return(g, (int32_t)g->pend.arg[5]);
		return;
	}
	vec_next(g);
}

static int32_t rwv(struct guest *g, const uint32_t a[6], int out)
{
	if (!fd_get(g, a[0]))
		return -NOS_EBADF;
	if (a[2] > 1024)
		return -NOS_EINVAL;
	g->pend.arg[0] = a[0];
	g->pend.arg[1] = a[1];
	g->pend.arg[2] = a[2];
	g->pend.arg[3] = 0;
	g->pend.arg[4] = (uint32_t)out;
	g->pend.arg[5] = 0;
	vec_next(g);
	return SYS_PARKED;
}

SYS(readv) { return rwv(g, a, 0); }
SYS(writev) { return rwv(g, a, 1); }

/* ---------------------------------------------------------------- seek, truncate, sync */

static void seeked(struct guest *g, int32_t st)
{
	uint8_t out[8];

	if (st >= 0) {
		st_32(out, g->pend.u.seek.pos);
		st_32(out + 4, 0);
		st = gmem_write(&g->mem, g->pend.arg[3], out, 8) < 0 ? -NOS_EFAULT : 0;
	}
	guest_return(g, st);
}

/* llseek(fd, offset_high, offset_low, result*, whence) */
SYS(llseek)
{
	struct ofile *f = fd_get(g, a[0]);

	if (!f)
		return -NOS_EBADF;
	if (f->kind != OF_FS)
		return -NOS_ESPIPE;
	if (a[4] > 2)
		return -NOS_EINVAL;
	g->pend.arg[3] = a[3];
	g->pend.u.seek.handle = f->handle;
	g->pend.u.seek.whence = (int32_t)a[4];
	g->pend.u.seek.offset = (int64_t)(((uint64_t)a[1] << 32) | a[2]);
	g->pend.u.seek.pos = 0;
	return guest_request(g, g->w->cfg.fs, FS_MSG_SEEK, sizeof(g->pend.u.seek), seeked);
}

static void done_zero(struct guest *g, int32_t st)
{
	guest_return(g, st < 0 ? st : 0);
}

SYS(ftruncate64)
{
	struct ofile *f = fd_get(g, a[0]);
	int64_t len = arg64(a, 1);

	if (!f)
		return -NOS_EBADF;
	if (f->kind != OF_FS || f->is_dir || (f->flags & L_O_ACCMODE) == 0)
		return -NOS_EINVAL;
	if (len < 0)
		return -NOS_EINVAL;
	if (len > 0xffffffffll)
		return -NOS_EFBIG;
	g->pend.u.handle.handle = f->handle;
	g->pend.u.handle.arg = (uint32_t)len;
	return guest_request(g, g->w->cfg.fs, FS_MSG_FTRUNCATE, sizeof(g->pend.u.handle),
	                     done_zero);
}

SYS(fsync)
{
	struct ofile *f = fd_get(g, a[0]);

	if (!f)
		return -NOS_EBADF;
	if (f->kind != OF_FS)
		return -NOS_EINVAL;
	if (f->is_dir)
		return guest_request(g, g->w->cfg.fs, FS_MSG_SYNC, 0, done_zero);
	g->pend.u.handle.handle = f->handle;
	g->pend.u.handle.arg = 0;
	return guest_request(g, g->w->cfg.fs, FS_MSG_FSYNC, sizeof(g->pend.u.handle),
	                     done_zero);
}

/* ---------------------------------------------------------------- directories */

#define DIRENT_HEAD 19u                 /* d_ino, d_off, d_reclen, d_type */

static uint32_t name_ino(const char *dir, const char *name)
{
	uint32_t h = 2166136261u;

	while (*dir)
		h = (h ^ (uint8_t)*dir++) * 16777619u;
	h = (h ^ '/') * 16777619u;
	while (*name)
		h = (h ^ (uint8_t)*name++) * 16777619u;
	return h ? h : 1;
}

/* Put the entry at f->peek into the guest buffer: 1 done, 0 no room. */
static int dirent_emit(struct guest *g, struct ofile *f)
{
	uint32_t nlen = (uint32_t)strlen(f->peek->name);
	uint32_t reclen = (DIRENT_HEAD + nlen + 1 + 7) & ~7u;
	uint32_t at = g->pend.arg[1] + g->pend.arg[5];
	uint8_t head[DIRENT_HEAD];

	if (g->pend.arg[5] + reclen > g->pend.arg[2])
		return 0;
	st_32(head, name_ino(f->path ? f->path : "", f->peek->name));
	st_32(head + 4, 0);
	st_32(head + 8, g->pend.arg[5] + reclen);
	st_32(head + 12, 0);
	head[16] = (uint8_t)reclen;
	head[17] = (uint8_t)(reclen >> 8);
	head[18] = f->peek->st.is_dir ? 4 : 8;   /* DT_DIR, DT_REG */
	if (gmem_write(&g->mem, at, head, DIRENT_HEAD) < 0 ||
	    gmem_write(&g->mem, at + DIRENT_HEAD, f->peek->name, nlen + 1) < 0 ||
	    gmem_fill(&g->mem, at + DIRENT_HEAD + nlen + 1, 0,
	              reclen - DIRENT_HEAD - nlen - 1) < 0)
		return -1;
	g->pend.arg[5] += reclen;
	free(f->peek);
	f->peek = NULL;
	return 1;
}

static void dirent_read(struct guest *g, int32_t st);

static void dirent_fill(struct guest *g)
{
	struct ofile *f = fd_get(g, g->pend.arg[0]);
	int r;

	if (!f) {
		guest_return(g, -NOS_EBADF);
		return;
	}
	while (!f->peek && f->dots < 2) {
		/* FAT keeps no . and .. in the root and fs gives none: make them. */
		f->peek = calloc(1, sizeof(*f->peek));
		if (!f->peek) {
			guest_return(g, g->pend.arg[5] ? (int32_t)g->pend.arg[5] : -NOS_ENOMEM);
			return;
		}
		strcpy(f->peek->name, f->dots ? ".." : ".");
		f->peek->st.is_dir = 1;
		f->dots++;
		r = dirent_emit(g, f);
		if (r <= 0) {
			guest_return(g, r < 0 ? -NOS_EFAULT : g->pend.arg[5] ?
			             (int32_t)g->pend.arg[5] : -NOS_EINVAL);
			return;
		}
	}
	if (f->peek) {
		r = dirent_emit(g, f);
		if (r < 0) {
			guest_return(g, -NOS_EFAULT);
			return;
		}
		if (r == 0) {
			guest_return(g, g->pend.arg[5] ? (int32_t)g->pend.arg[5] : -NOS_EINVAL);
			return;
		}
	}
	g->pend.u.readdir.handle = f->handle;
	guest_request(g, g->w->cfg.fs, FS_MSG_READDIR, sizeof(g->pend.u.readdir), dirent_read);
}

static void dirent_read(struct guest *g, int32_t st)
{
	struct ofile *f = fd_get(g, g->pend.arg[0]);

	if (st <= 0 || !f) {
		guest_return(g, st < 0 && !g->pend.arg[5] ? st : (int32_t)g->pend.arg[5]);
		return;
	}
	f->peek = malloc(sizeof(*f->peek));
	if (!f->peek) {
		guest_return(g, g->pend.arg[5] ? (int32_t)g->pend.arg[5] : -NOS_ENOMEM);
		return;
	}
	*f->peek = g->pend.u.readdir.ent;
	dirent_fill(g);
}

SYS(getdents64)
{
	struct ofile *f = fd_get(g, a[0]);

	if (!f)
		return -NOS_EBADF;
	if (f->kind != OF_FS || !f->is_dir)
		return -NOS_ENOTDIR;
	g->pend.arg[0] = a[0];
	g->pend.arg[1] = a[1];
	g->pend.arg[2] = a[2];
	g->pend.arg[5] = 0;
	dirent_fill(g);
	return SYS_PARKED;
}

static int32_t path_op(struct guest *g, int32_t dirfd, uint32_t addr, uint16_t type,
                       uint32_t arg, uint32_t arg2)
{
	int r = guest_path(g, dirfd, addr, g->pend.path);

	if (r < 0)
		return r;
	fs_cred_of(g, &g->pend.u.path.cred);
	g->pend.u.path.path = g->pend.path;
	g->pend.u.path.path_len = (uint32_t)strlen(g->pend.path);
	g->pend.u.path.flags = 0;
	g->pend.u.path.arg = arg;
	g->pend.u.path.arg2 = arg2;
	return guest_request(g, g->w->cfg.fs, type, sizeof(g->pend.u.path), done_zero);
}

SYS(mkdirat) { return path_op(g, (int32_t)a[0], a[1], FS_MSG_MKDIR, 0, 0); }

SYS(unlinkat)
{
	if (a[2] & ~(uint32_t)L_AT_REMOVEDIR)
		return -NOS_EINVAL;
	return path_op(g, (int32_t)a[0], a[1],
	               (a[2] & L_AT_REMOVEDIR) ? FS_MSG_RMDIR : FS_MSG_UNLINK, 0, 0);
}

/* renameat2(olddirfd, old, newdirfd, new, flags) */
SYS(renameat2)
{
	int r;

	if (a[4] & 2)                   /* RENAME_EXCHANGE: FAT cannot swap atomically */
		return -NOS_EINVAL;
	if (a[4] & ~1u)
		return -NOS_EINVAL;
	r = guest_path(g, (int32_t)a[0], a[1], g->pend.path);
	if (r == 0)
		r = guest_path(g, (int32_t)a[2], a[3], g->pend.path2);
	if (r < 0)
		return r;
	fs_cred_of(g, &g->pend.u.rename.cred);
	g->pend.u.rename.from = g->pend.path;
	g->pend.u.rename.from_len = (uint32_t)strlen(g->pend.path);
	g->pend.u.rename.to = g->pend.path2;
	g->pend.u.rename.to_len = (uint32_t)strlen(g->pend.path2);
	g->pend.u.rename.flags = (a[4] & 1) ? FS_RENAME_NOREPLACE : 0;
	return guest_request(g, g->w->cfg.fs, FS_MSG_RENAME, sizeof(g->pend.u.rename),
	                     done_zero);
}

/* utimensat(dirfd, path, times[2] (timespec64), flags) */
SYS(utimensat)
{
	uint32_t t[2] = { 0, 0 };
	unsigned i;

	for (i = 0; i < 2; i++) {
		uint8_t ts[16];
		uint32_t nsec;

		if (!a[2]) {
			t[i] = 0;
			continue;
		}
		if (gmem_read(&g->mem, a[2] + 16 * i, ts, 16) < 0)
			return -NOS_EFAULT;
		nsec = ld_32(ts + 8);
		if (nsec == (1u << 30) - 1)
			t[i] = FAT_TIME_NOW;    /* UTIME_NOW */
		else if (nsec == (1u << 30) - 2)
			t[i] = FAT_TIME_OMIT;   /* UTIME_OMIT */
		else if (ld_32(ts) == FAT_TIME_NOW || ld_32(ts) == FAT_TIME_OMIT)
			t[i] = 1;               /* the epoch itself: FAT cannot hold it anyway */
		else
			t[i] = ld_32(ts);
	}
	if (!a[1])
		return -NOS_EINVAL;
	return path_op(g, (int32_t)a[0], a[1], FS_MSG_UTIMENS, t[0], t[1]);
}

/* ---------------------------------------------------------------- stat */

static uint32_t owner_of(const struct guest *g, const char *path)
{
	size_t n = strlen(g->cred.name);

	if (strncmp(path, "/home/", 6) == 0 && n && strncmp(path + 6, g->cred.name, n) == 0 &&
	    (path[6 + n] == 0 || path[6 + n] == '/'))
		return g->cred.uid;
	return 0;
}

static void put_time(uint8_t *p, uint32_t sec)
{
	memset(p, 0, 16);
	st_32(p, sec);
}

/* struct statx for st (or a character device / fifo when st is NULL). */
static int statx_write(struct guest *g, uint32_t addr, const struct fs_stat *st,
                       uint32_t mode_other, uint32_t uid, uint32_t ino)
{
	uint8_t b[256];
	uint32_t mode;

	memset(b, 0, sizeof(b));
	if (st)
		mode = st->is_dir ? 040755 : (st->attr & 0x01) ? 0100555 : 0100755;
	else
		mode = mode_other;
	st_32(b + 0, 0x7ff);         /* STATX_BASIC_STATS | STATX_BTIME */
	st_32(b + 4, 4096);
	st_32(b + 16, st && st->is_dir ? 2 : 1);
	st_32(b + 20, uid);
	st_32(b + 24, uid);
	b[28] = (uint8_t)mode;
	b[29] = (uint8_t)(mode >> 8);
	st_32(b + 32, ino);
	if (st) {
		st_32(b + 40, st->size);
		st_32(b + 48, (st->size + 511) / 512);
		put_time(b + 64, st->atime);
		put_time(b + 80, st->ctime);
		put_time(b + 96, st->mtime);
		put_time(b + 112, st->mtime);
	}
	st_32(b + 136, 0xb3);        /* the SD card's block major */
	return gmem_write(&g->mem, addr, b, sizeof(b));
}

static void statted(struct guest *g, int32_t st)
{
	if (st >= 0) {
		const char *path = g->pend.path;

		st = statx_write(g, g->pend.arg[0], &g->pend.u.stat.st, 0,
		                 owner_of(g, path), name_ino(path, ""));
		st = st < 0 ? -NOS_EFAULT : 0;
	}
	guest_return(g, st);
}

#define L_AT_EMPTY_PATH 0x1000


static int32_t stat_by_path(struct guest *g)
{
	g->pend.arg[1] = 1;
	fs_cred_of(g, &g->pend.u.stat.cred);
	g->pend.u.stat.path = g->pend.path;
	g->pend.u.stat.path_len = (uint32_t)strlen(g->pend.path);
	return guest_request(g, g->w->cfg.fs, FS_MSG_STAT, sizeof(g->pend.u.stat), statted);
}

static int32_t stat_by_fd(struct guest *g, struct ofile *f, uint32_t buf)
{
	if (f->kind == OF_CONSOLE)
		return statx_write(g, buf, NULL, 020620, g->cred.uid, 3) < 0 ? -NOS_EFAULT : 0;
	if (f->kind == OF_NULL)
		return statx_write(g, buf, NULL, 020666, 0, 1) < 0 ? -NOS_EFAULT : 0;
	if (f->kind == OF_PIPE)
		return statx_write(g, buf, NULL, 010600, g->cred.uid,
		                   (uint32_t)f->handle + 100) < 0 ? -NOS_EFAULT : 0;
	g->pend.arg[1] = 1;
	snprintf(g->pend.path, sizeof(g->pend.path), "%s", f->path ? f->path : "");
	g->pend.u.stat.handle = f->handle;
	return guest_request(g, g->w->cfg.fs, FS_MSG_FSTAT, sizeof(g->pend.u.stat), statted);
}

/* statx(dirfd, path, flags, mask, buf) */
SYS(statx)
{
	char c = 1;
	int r;

	if (!gmem_in_range(&g->mem, a[4], 256))
		return -NOS_EFAULT;
	g->pend.arg[0] = a[4];
	if (a[1] && gmem_read(&g->mem, a[1], &c, 1) < 0)
		return -NOS_EFAULT;
	if ((a[2] & L_AT_EMPTY_PATH) && (!a[1] || c == 0)) {
		struct ofile *f;

		if ((int32_t)a[0] == L_AT_FDCWD) {
			snprintf(g->pend.path, sizeof(g->pend.path), "%s", g->cwd);
			return stat_by_path(g);
		}
		f = fd_get(g, a[0]);
		return f ? stat_by_fd(g, f, a[4]) : -NOS_EBADF;
	}
	if (!a[1])
		return -NOS_EFAULT;
	r = guest_path(g, (int32_t)a[0], a[1], g->pend.path);
	if (r < 0)
		return r;
	if (device_of(g->pend.path) == OF_NULL)
		return statx_write(g, a[4], NULL, 020666, 0, 1) < 0 ? -NOS_EFAULT : 0;
	if (device_of(g->pend.path) == OF_CONSOLE)
		return statx_write(g, a[4], NULL, 020620, g->cred.uid, 3) < 0 ? -NOS_EFAULT : 0;
	return stat_by_path(g);
}

/* faccessat(dirfd, path, mode) */
static void accessed(struct guest *g, int32_t st)
{
	if (st >= 0 && (g->pend.arg[0] & 2) && (g->pend.u.stat.st.attr & 0x01) &&
	    !g->pend.u.stat.st.is_dir)
		st = -NOS_EACCES;
	guest_return(g, st < 0 ? st : 0);
}

SYS(faccessat)
{
	int r = guest_path(g, (int32_t)a[0], a[1], g->pend.path);

	if (r < 0)
		return r;
	if (device_of(g->pend.path))
		return 0;                       /* both read and write for anyone */
	g->pend.arg[0] = a[2];
	fs_cred_of(g, &g->pend.u.stat.cred);
	g->pend.u.stat.path = g->pend.path;
	g->pend.u.stat.path_len = (uint32_t)strlen(g->pend.path);
	return guest_request(g, g->w->cfg.fs, FS_MSG_STAT, sizeof(g->pend.u.stat), accessed);
}

/* struct statfs64 (asm-generic, 32-bit): 88 bytes. */
static void statfsed(struct guest *g, int32_t st)
{
	const struct fs_statfs *s = &g->pend.u.statfs.st;
	uint8_t b[88];

	if (st >= 0) {
		memset(b, 0, sizeof(b));
		st_32(b + 0, 0x4d44);         /* MSDOS_SUPER_MAGIC */
		st_32(b + 4, s->cluster_size);
		st_32(b + 8, s->total_clusters);
		st_32(b + 16, s->free_clusters);
		st_32(b + 24, s->free_clusters);
		st_32(b + 56, 255);
		st_32(b + 60, s->cluster_size);
		st = gmem_write(&g->mem, g->pend.arg[0], b,
		                g->pend.arg[1] < sizeof(b) ? g->pend.arg[1] : sizeof(b)) < 0 ?
		     -NOS_EFAULT : 0;
	}
	guest_return(g, st);
}

static int32_t statfs_start(struct guest *g, uint32_t size, uint32_t buf)
{
	if (size < 84)
		return -NOS_EINVAL;
	g->pend.arg[0] = buf;
	g->pend.arg[1] = size;
	return guest_request(g, g->w->cfg.fs, FS_MSG_STATFS, sizeof(g->pend.u.statfs),
	                     statfsed);
}

SYS(statfs64)
{
	char path[FS_PATH_MAX];
	int r = guest_path(g, L_AT_FDCWD, a[0], path);

	return r < 0 ? r : statfs_start(g, a[1], a[2]);
}

SYS(fstatfs64)
{
	return fd_get(g, a[0]) ? statfs_start(g, a[1], a[2]) : -NOS_EBADF;
}

/* ---------------------------------------------------------------- cwd */

SYS(getcwd)
{
	uint32_t n = (uint32_t)strlen(g->cwd) + 1;

	if (a[1] < n)
		return -NOS_ERANGE;
	return gmem_write(&g->mem, a[0], g->cwd, n) < 0 ? -NOS_EFAULT : (int32_t)n;
}

static void chdir_statted(struct guest *g, int32_t st)
{
	if (st >= 0 && !g->pend.u.stat.st.is_dir)
		st = -NOS_ENOTDIR;
	if (st >= 0)
		strcpy(g->cwd, g->pend.path);
	guest_return(g, st < 0 ? st : 0);
}

SYS(chdir)
{
	int r = guest_path(g, L_AT_FDCWD, a[0], g->pend.path);

	if (r < 0)
		return r;
	if (strcmp(g->pend.path, "/") == 0) {
		strcpy(g->cwd, "/");
		return 0;
	}
	fs_cred_of(g, &g->pend.u.stat.cred);
	g->pend.u.stat.path = g->pend.path;
	g->pend.u.stat.path_len = (uint32_t)strlen(g->pend.path);
	return guest_request(g, g->w->cfg.fs, FS_MSG_STAT, sizeof(g->pend.u.stat),
	                     chdir_statted);
}

SYS(fchdir)
{
	struct ofile *f = fd_get(g, a[0]);

	if (!f)
		return -NOS_EBADF;
	if (f->kind != OF_FS || !f->is_dir || !f->path)
		return -NOS_ENOTDIR;
	snprintf(g->cwd, sizeof(g->cwd), "%s", f->path);
	return 0;
}

/* ---------------------------------------------------------------- fds */

SYS(dup)
{
	struct ofile *f = fd_get(g, a[0]);
	int fd;

	if (!f)
		return -NOS_EBADF;
	fd = fd_alloc(g, 0, f);
	if (fd >= 0)
		f->refs++;
	return fd;
}

static void dup3_closed(struct guest *g, int32_t st)
{
	struct ofile *f = fd_get(g, g->pend.arg[0]);

	(void)st;
	if (!f) {
		guest_return(g, -NOS_EBADF);
		return;
	}
	g->fd[g->pend.arg[1]] = f;
	f->refs++;
	if (g->pend.arg[2] & L_O_CLOEXEC)
		g->cloexec |= 1ull << g->pend.arg[1];
	guest_return(g, (int32_t)g->pend.arg[1]);
}

SYS(dup3)
{
	if (!fd_get(g, a[0]) || a[1] >= guest_fd_limit(g))
		return -NOS_EBADF;
	if (a[0] == a[1] || (a[2] & ~(uint32_t)L_O_CLOEXEC))
		return -NOS_EINVAL;
	g->pend.arg[0] = a[0];
	g->pend.arg[1] = a[1];
	g->pend.arg[2] = a[2];
	guest_close_fds(g, 1ull << a[1], dup3_closed);
	return SYS_PARKED;
}

enum { F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4,
       F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_DUPFD_CLOEXEC = 1030 };

SYS(fcntl64)
{
	struct ofile *f = fd_get(g, a[0]);
	int fd;

	if (!f)
		return -NOS_EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a[2] >= guest_fd_limit(g))
			return -NOS_EINVAL;
		fd = fd_alloc(g, a[2], f);
		if (fd < 0)
			return fd;
		f->refs++;
		if (a[1] == F_DUPFD_CLOEXEC)
			g->cloexec |= 1ull << fd;
		return fd;
	case F_GETFD:
		return (g->cloexec >> a[0]) & 1 ? 1 : 0;
	case F_SETFD:
		if (a[2] & 1)
			g->cloexec |= 1ull << a[0];
		else
			g->cloexec &= ~(1ull << a[0]);
		return 0;
	case F_GETFL:
		return (int32_t)(f->flags & (L_O_ACCMODE | L_O_APPEND | L_O_NONBLOCK));
	case F_SETFL:
		f->flags = (f->flags & ~(uint32_t)L_O_NONBLOCK) | (a[2] & L_O_NONBLOCK);
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		return 0;                  /* one volume owner, no other lockers */
	default:
		return -NOS_EINVAL;
	}
}

/* Both ends' fds are taken before sched makes the pipe, so that once it
 * exists nothing can fail and leave it without an owner. */
static void piped(struct guest *g, int32_t st)
{
	uint32_t fr = g->pend.arg[2], fw = g->pend.arg[3];
	struct ofile *r = g->fd[fr], *w = g->fd[fw];

	if (st < 0) {
		g->fd[fr] = g->fd[fw] = NULL;
		free(r);
		free(w);
		guest_return(g, st);
		return;
	}
	r->handle = w->handle = st;
	if (g->pend.arg[1] & L_O_CLOEXEC)
		g->cloexec |= (1ull << fr) | (1ull << fw);
	guest_return(g, 0);
}

SYS(pipe2)
{
	struct ofile *r, *w;
	uint8_t out[8];
	int fr, fw;

	if (a[1] & ~(uint32_t)(L_O_CLOEXEC | L_O_NONBLOCK))
		return -NOS_EINVAL;
	if (!gmem_in_range(&g->mem, a[0], 8))
		return -NOS_EFAULT;
	r = ofile_new(OF_PIPE);
	w = ofile_new(OF_PIPE);
	fr = r && w ? fd_alloc(g, 0, r) : -NOS_ENOMEM;
	fw = fr >= 0 ? fd_alloc(g, 0, w) : fr;
	if (fw < 0) {
		if (fr >= 0)
			g->fd[fr] = NULL;
		free(r);
		free(w);
		return fw;
	}
	r->handle = w->handle = -1;
	r->pipe_end = SCHED_PIPE_READ;
	w->pipe_end = SCHED_PIPE_WRITE;
	r->flags = 0 | (a[1] & L_O_NONBLOCK);
	w->flags = 1 | (a[1] & L_O_NONBLOCK);
	st_32(out, (uint32_t)fr);
	st_32(out + 4, (uint32_t)fw);
	if (gmem_write(&g->mem, a[0], out, 8) < 0) {
		g->fd[fr] = g->fd[fw] = NULL;
		free(r);
		free(w);
		return -NOS_EFAULT;
	}
	g->pend.arg[1] = a[1];
	g->pend.arg[2] = (uint32_t)fr;
	g->pend.arg[3] = (uint32_t)fw;
	return guest_request(g, g->w->cfg.sched, SCHED_MSG_PIPE, 0, piped);
}

/* ---------------------------------------------------------------- ioctl */

enum { L_TCGETS = 0x5401, L_TCSETS = 0x5402, L_TCSETSW = 0x5403, L_TCSETSF = 0x5404,
       L_TIOCGPGRP = 0x540f, L_TIOCSPGRP = 0x5410, L_TIOCGWINSZ = 0x5413,
       L_TIOCSWINSZ = 0x5414, L_FIONREAD = 0x541b, L_TIOCSCTTY = 0x540e,
       L_TIOCNOTTY = 0x5422, L_TIOCGSID = 0x5429 };

#define TERMIOS_SIZE (16 + 1 + CONSOLE_NCCS)

static void ioctl_done(struct guest *g, int32_t st)
{
	const struct console_ioctl *c = &g->pend.u.ioctl;
	uint32_t addr = g->pend.arg[0];
	uint8_t b[TERMIOS_SIZE];

	if (st >= 0) {
		switch (c->request) {
		case L_TCGETS:
			st_32(b, c->tio.iflag);
			st_32(b + 4, c->tio.oflag);
			st_32(b + 8, c->tio.cflag);
			st_32(b + 12, c->tio.lflag);
			b[16] = c->tio.line;
			memcpy(b + 17, c->tio.cc, CONSOLE_NCCS);
			st = gmem_write(&g->mem, addr, b, sizeof(b));
			break;
		case L_TIOCGWINSZ:
			memset(b, 0, 8);
			b[0] = (uint8_t)c->rows;
			b[1] = (uint8_t)(c->rows >> 8);
			b[2] = (uint8_t)c->cols;
			b[3] = (uint8_t)(c->cols >> 8);
			st = gmem_write(&g->mem, addr, b, 8);
			break;
		case L_TIOCGPGRP:
		case L_TIOCGSID:
			st_32(b, (uint32_t)c->pgid);
			st = gmem_write(&g->mem, addr, b, 4);
			break;
		}
		st = st < 0 ? -NOS_EFAULT : 0;
	}
	guest_return(g, st);
}

SYS(ioctl)
{
	struct ofile *f = fd_get(g, a[0]);
	struct console_ioctl *c = &g->pend.u.ioctl;
	uint8_t b[TERMIOS_SIZE];

	if (!f)
		return -NOS_EBADF;
	if (f->kind != OF_CONSOLE)
		return -NOS_ENOTTY;
	memset(c, 0, sizeof(*c));
	c->request = a[1];
	c->caller_pgid = g->pgid;
	c->caller_sid = g->sid;
	g->pend.arg[0] = a[2];
	switch (a[1]) {
	case L_TCSETS:
	case L_TCSETSW:
	case L_TCSETSF:
		if (gmem_read(&g->mem, a[2], b, sizeof(b)) < 0)
			return -NOS_EFAULT;
		c->tio.iflag = ld_32(b);
		c->tio.oflag = ld_32(b + 4);
		c->tio.cflag = ld_32(b + 8);
		c->tio.lflag = ld_32(b + 12);
		c->tio.line = b[16];
		memcpy(c->tio.cc, b + 17, CONSOLE_NCCS);
		break;
	case L_TIOCSPGRP:
		if (gmem_read(&g->mem, a[2], b, 4) < 0)
			return -NOS_EFAULT;
		c->pgid = (int32_t)ld_32(b);
		break;
	case L_TIOCSWINSZ:
		if (gmem_read(&g->mem, a[2], b, 4) < 0)
			return -NOS_EFAULT;
		c->rows = (uint16_t)(b[0] | b[1] << 8);
		c->cols = (uint16_t)(b[2] | b[3] << 8);
		break;
	case L_TCGETS:
	case L_TIOCGWINSZ:
	case L_TIOCGPGRP:
	case L_TIOCGSID:
	case L_TIOCSCTTY:
	case L_TIOCNOTTY:
		break;
	default:
		return -NOS_ENOTTY;
	}
	return guest_request(g, f->console, CONSOLE_MSG_IOCTL, sizeof(*c), ioctl_done);
}
