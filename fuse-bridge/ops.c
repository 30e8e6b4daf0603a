/*
 * ops.c: the libfuse3 operations of `nanoos mount` (ops.h). Each maps one
 * kernel request onto the backend (fuse-bridge/backend.h); the backend's
 * -NOS_E* numbers are Linux's, so they go back to libfuse as they are.
 *
 * FAT stores no owner, mode, link or device, so the mount behaves like
 * Linux's vfat driver: owner and modes come from the mount's options
 * (struct fb_view), the only mode bit kept on the volume is the FAT
 * read-only attribute (all write bits off), and what FAT cannot store
 * (symlinks, hard links, devices, other owners) fails with EPERM.
 *
 * Sections: helpers -> attributes -> files -> directories -> names ->
 * the refusals -> the volume -> the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>           /* RENAME_NOREPLACE, RENAME_EXCHANGE */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuse-bridge/ops.h"
#include "kproc/fat.h"
#include "kproc/fat_layout.h"
#include "kproc/nos_errno.h"

#define FB_FILE_MAX 0xffffffffull       /* FAT: 4 GiB - 1 */
#define FB_DIR_BATCH 16                 /* readdir entries a backend call */

/* ================================================================ helpers */

static struct fb_mount *mnt(void)
{
	return fuse_get_context()->private_data;
}

/* 0, or -EROFS when this mount may not change the volume. */
static int may_write(void)
{
	struct fb_mount *m = mnt();

	return (m->view.read_only || m->b->read_only) ? -EROFS : 0;
}

/* Open flags of Linux as fs's FS_O_* flags. */
static unsigned fs_flags(const struct fb_mount *m, int flags)
{
	unsigned f;

	switch (flags & O_ACCMODE) {
	case O_WRONLY: f = FS_O_WRONLY; break;
	case O_RDWR: f = FS_O_RDWR; break;
	default: f = FS_O_RDONLY; break;
	}
	/* With the write-back cache the kernel reads through handles opened
	 * for writing only (to fill partly written pages), and it places
	 * O_APPEND writes itself (libfuse's docs on FUSE_CAP_WRITEBACK_CACHE). */
	if (m->view.writeback && f == FS_O_WRONLY)
		f = FS_O_RDWR;
	if ((flags & O_APPEND) && !m->view.writeback)
		f |= FS_O_APPEND;
	if (flags & O_TRUNC)
		f |= FS_O_TRUNC;
	if (flags & O_CREAT)
		f |= FS_O_CREAT;
	if (flags & O_EXCL)
		f |= FS_O_EXCL;
	return f;
}

static int wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_TRUNC | O_CREAT));
}

/* ================================================================ attributes */

/* The permission bits the mount shows for an object (vfat: 0777 minus
 * the mask, minus the write bits when FAT says read-only). */
static mode_t shown_mode(const struct fb_view *v, const struct fs_stat *st)
{
	mode_t perm;

	if (st->is_dir)
		return S_IFDIR | (0777 & ~v->dmask);
	perm = 0777 & ~v->fmask;
	if (st->attr & ATTR_READ_ONLY)
		perm &= ~(mode_t)0222;
	return S_IFREG | perm;
}

static void to_stat(const struct fb_mount *m, const struct fs_stat *st, struct stat *out)
{
	memset(out, 0, sizeof(*out));
	out->st_mode = shown_mode(&m->view, st);
	out->st_nlink = st->is_dir ? 2 : 1;
	out->st_uid = m->view.uid;
	out->st_gid = m->view.gid;
	out->st_size = st->size;
	out->st_blksize = m->cluster_size ? m->cluster_size : 4096;
	out->st_blocks = ((off_t)st->size + 511) / 512;
	out->st_mtim.tv_sec = st->mtime;
	out->st_atim.tv_sec = st->atime ? st->atime : st->mtime;
	out->st_ctim.tv_sec = st->ctime ? st->ctime : st->mtime;
}

/* The attributes of what an operation names: through its open handle
 * when it has one, else by path. path is NULL only for a file removed
 * while open (hard_remove): then only the handle can answer, and without
 * one it is gone. */
static int stat_of(struct fb_mount *m, const char *path, struct fuse_file_info *fi,
                   struct fs_stat *st)
{
	if (fi != NULL && fi->fh != 0)
		return m->b->fstat(m->b, (int)fi->fh - 1, st);
	if (path == NULL)
		return -ENOENT;
	return m->b->stat(m->b, path, st);
}

static int op_getattr(const char *path, struct stat *out, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	struct fs_stat st;
	int r;

	r = stat_of(m, path, fi, &st);
	if (r < 0)
		return r;
	to_stat(m, &st, out);
	return 0;
}

/* chmod as vfat does it (fat_sanitize_mode_change, no `quiet`): bits the
 * mask forbids are dropped; the read and execute bits must stay what they
 * are; the write bits go all on or all off, and all off is FAT's
 * read-only attribute (files only: directories cannot hold it). */
static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	struct fs_stat st;
	mode_t mask, perm, allowed, rx = 0555;
	int r;

	r = stat_of(m, path, fi, &st);
	if (r < 0)
		return r;
	if ((r = may_write()) < 0)
		return r;
	mask = st.is_dir ? m->view.dmask : m->view.fmask;
	allowed = 0777 & ~mask;
	perm = mode & allowed;
	if ((perm & rx) != (allowed & rx))
		return -EPERM;
	if (st.is_dir || !(allowed & 0222))
		return (perm & 0222) == (allowed & 0222) ? 0 : -EPERM;
	if ((perm & 0222) && (perm & 0222) != (allowed & 0222))
		return -EPERM;
	if (path == NULL)
		return 0;               /* removed while open: no entry to mark */
	return m->b->setro(m->b, path, (perm & 0222) == 0);
}

/* FAT has no owners: only the mount's own uid and gid are possible. */
static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	struct fs_stat st;
	int r;

	r = stat_of(m, path, fi, &st);
	if (r < 0)
		return r;
	if ((uid != (uid_t)-1 && uid != m->view.uid) || (gid != (gid_t)-1 && gid != m->view.gid))
		return -EPERM;
	return 0;
}

static uint32_t fat_time(const struct timespec *t)
{
	if (t->tv_nsec == UTIME_NOW)
		return FAT_TIME_NOW;
	if (t->tv_nsec == UTIME_OMIT)
		return FAT_TIME_OMIT;
	if (t->tv_sec <= 0)
		return 1;               /* FAT_TIME_NOW is 0: the epoch's first second */
	if (t->tv_sec >= (time_t)FAT_TIME_OMIT)
		return FAT_TIME_OMIT - 1;
	return (uint32_t)t->tv_sec;
}

static int op_utimens(const char *path, const struct timespec tv[2],
                      struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	int r;

	if ((r = may_write()) < 0)
		return r;
	/* Removed while open (the kernel flushes a writeback mtime at close):
	 * there is no entry left to stamp. */
	if (path == NULL)
		return fi != NULL && fi->fh != 0 ? 0 : -ENOENT;
	if (tv == NULL)
		tv = now;
	return m->b->utimens(m->b, path, fat_time(&tv[0]), fat_time(&tv[1]));
}

/* ================================================================ files */

/* Handles travel in fi->fh as handle + 1, so 0 means "none". */
static void keep_handle(struct fuse_file_info *fi, int h)
{
	struct fb_mount *m = mnt();

	fi->fh = (uint64_t)h + 1;
	fi->keep_cache = m->view.writeback;     /* only we change it */
}

static int handle_of(const struct fuse_file_info *fi)
{
	return (int)fi->fh - 1;
}

/* fs's handle table serves the whole mount (and, through the daemon, the
 * guests too): when it is full, that is the system's table, ENFILE, not
 * the caller's own limit, EMFILE. */
static int open_handle(struct fb_mount *m, const char *path, unsigned flags)
{
	int h = m->b->open(m->b, path, flags);

	return h == -EMFILE ? -ENFILE : h;
}

static int op_open(const char *path, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	int h;

	if (wants_write(fi->flags) && (h = may_write()) < 0)
		return h;
	h = open_handle(m, path, fs_flags(m, fi->flags));
	if (h < 0)
		return h;
	keep_handle(fi, h);
	return 0;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	int h;

	(void)mode;             /* FAT keeps no mode; chmod sets read-only */
	if ((h = may_write()) < 0)
		return h;
	h = open_handle(m, path, fs_flags(m, fi->flags) | FS_O_CREAT);
	if (h < 0)
		return h;
	keep_handle(fi, h);
	return 0;
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();

	(void)path;
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= FB_FILE_MAX)
		return 0;
	return m->b->pread(m->b, handle_of(fi), buf, (uint32_t)size, off);
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	int r;

	(void)path;
	if ((r = may_write()) < 0)
		return r;
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= FB_FILE_MAX && size > 0)
		return -EFBIG;
	if ((uint64_t)off + size > FB_FILE_MAX)
		size = (size_t)(FB_FILE_MAX - (uint64_t)off);   /* a short write, then EFBIG */
	return m->b->pwrite(m->b, handle_of(fi), buf, (uint32_t)size, off);
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	int h, r, e;

	if ((r = may_write()) < 0)
		return r;
	if (size < 0)
		return -EINVAL;
	if ((uint64_t)size > FB_FILE_MAX)
		return -EFBIG;
	if (fi != NULL && fi->fh != 0)
		return m->b->ftruncate(m->b, handle_of(fi), (uint32_t)size);
	h = open_handle(m, path, FS_O_WRONLY);
	if (h < 0)
		return h;
	r = m->b->ftruncate(m->b, h, (uint32_t)size);
	e = m->b->close(m->b, h);
	return r < 0 ? r : e;
}

/* close(2): nothing to do: writes are in fs (and the kernel's cache is
 * written back before release); fsync asks for the card. */
static int op_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();

	(void)path;
	(void)datasync;
	if (fi == NULL || fi->fh == 0)
		return m->b->sync(m->b);
	return m->b->fsync(m->b, handle_of(fi));
}

static int op_release(const char *path, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();

	(void)path;
	return m->b->close(m->b, handle_of(fi));
}

/* ================================================================ directories */

static int op_opendir(const char *path, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();
	struct fs_stat st;
	int r;

	r = m->b->stat(m->b, path, &st);
	if (r < 0)
		return r;
	if (!st.is_dir)
		return -ENOTDIR;
	fi->fh = 0;     /* readdir opens its own handle: see there */
	return 0;
}

static int fill_dots(const struct fb_mount *m, const char *path, void *buf,
                     fuse_fill_dir_t filler, enum fuse_fill_dir_flags plus)
{
	struct fs_stat st;
	struct stat s;

	if (m->b->stat(m->b, path, &st) < 0)
		memset(&st, 0, sizeof(st));
	st.is_dir = 1;
	to_stat(m, &st, &s);
	/* Not as "plus" entries: libfuse would pass our st_ino 0 on, and an
	 * entry with inode 0 is skipped by readdir(3). */
	(void)plus;
	if (filler(buf, ".", &s, 0, 0))
		return 1;
	return filler(buf, "..", &s, 0, 0);
}

/* The whole directory in one go (offsets 0: libfuse keeps the list for
 * the kernel's later reads). A fresh fs handle each time, so a rewind
 * (readdir at 0 again) sees the directory as it is now. */
static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct fb_mount *m = mnt();
	enum fuse_fill_dir_flags plus = (flags & FUSE_READDIR_PLUS) ? FUSE_FILL_DIR_PLUS : 0;
	struct fs_dirent *ents;
	struct stat s;
	int h, n = 1, i, r = 0;

	(void)off;
	(void)fi;
	ents = malloc(sizeof(*ents) * FB_DIR_BATCH);
	if (ents == NULL)
		return -ENOMEM;
	h = open_handle(m, path, FS_O_RDONLY | FS_O_DIRECTORY);
	if (h < 0) {
		free(ents);
		return h;
	}
	if (fill_dots(m, path, buf, filler, plus))
		n = 0;
	while (n > 0) {
		n = m->b->readdir(m->b, h, ents, FB_DIR_BATCH);
		for (i = 0; i < n; i++) {
			to_stat(m, &ents[i].st, &s);
			if (filler(buf, ents[i].name, &s, 0, plus)) {
				n = 0;
				break;
			}
		}
		if (n < 0)
			r = n;
	}
	m->b->close(m->b, h);
	free(ents);
	return r;
}

static int op_releasedir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	return 0;
}

static int op_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct fb_mount *m = mnt();

	(void)path;
	(void)datasync;
	(void)fi;
	return m->b->sync(m->b);
}

static int op_mkdir(const char *path, mode_t mode)
{
	struct fb_mount *m = mnt();
	int r;

	(void)mode;
	if ((r = may_write()) < 0)
		return r;
	return m->b->mkdir(m->b, path);
}

static int op_rmdir(const char *path)
{
	struct fb_mount *m = mnt();
	int r;

	if ((r = may_write()) < 0)
		return r;
	return m->b->rmdir(m->b, path);
}

/* ================================================================ names */

static int op_unlink(const char *path)
{
	struct fb_mount *m = mnt();
	int r;

	if ((r = may_write()) < 0)
		return r;
	return m->b->unlink(m->b, path);
}

/* fs renames atomically but cannot swap two names (RENAME_EXCHANGE) nor
 * leave a whiteout: EINVAL, as filesystems without them answer. */
static int op_rename(const char *from, const char *to, unsigned int flags)
{
	struct fb_mount *m = mnt();
	int r;

	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	if ((r = may_write()) < 0)
		return r;
	return m->b->rename(m->b, from, to, (flags & RENAME_NOREPLACE) ? FS_RENAME_NOREPLACE : 0);
}

/* ================================================================ refusals */

static int op_symlink(const char *target, const char *path)
{
	(void)target;
	(void)path;
	return may_write() < 0 ? -EROFS : -EPERM;
}

static int op_link(const char *from, const char *to)
{
	(void)from;
	(void)to;
	return may_write() < 0 ? -EROFS : -EPERM;
}

/* A regular file is possible (mknod S_IFREG); devices, FIFOs, sockets not. */
static int op_mknod(const char *path, mode_t mode, dev_t dev)
{
	struct fb_mount *m = mnt();
	int h, r;

	(void)dev;
	if ((r = may_write()) < 0)
		return r;
	if (!S_ISREG(mode))
		return -EPERM;
	h = open_handle(m, path, FS_O_WRONLY | FS_O_CREAT | FS_O_EXCL);
	if (h < 0)
		return h;
	return m->b->close(m->b, h);
}

/* ================================================================ the volume */

static int op_statfs(const char *path, struct statvfs *out)
{
	struct fb_mount *m = mnt();
	struct fs_statfs st;
	int r;

	(void)path;
	r = m->b->statfs(m->b, &st);
	if (r < 0)
		return r;
	memset(out, 0, sizeof(*out));
	out->f_bsize = st.cluster_size;
	out->f_frsize = st.cluster_size;
	out->f_blocks = st.total_clusters;
	out->f_bfree = st.free_clusters;
	out->f_bavail = st.free_clusters;
	out->f_namemax = 255;
	if (m->view.read_only || m->b->read_only)
		out->f_flag |= ST_RDONLY;
	return 0;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct fb_mount *m = fuse_get_context()->private_data;
	struct fs_statfs st;
	double timeout = m->view.writeback ? 1.0 : 0.0;

	if (m->b->statfs(m->b, &st) == 0)
		m->cluster_size = st.cluster_size;
	/* Write-back caching only when nobody else changes the volume. */
	if (m->view.writeback && (conn->capable & FUSE_CAP_WRITEBACK_CACHE))
		conn->want |= FUSE_CAP_WRITEBACK_CACHE;
	else
		conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	conn->max_write = 1024 * 1024;
	cfg->attr_timeout = timeout;
	cfg->entry_timeout = timeout;
	cfg->negative_timeout = timeout;
	cfg->kernel_cache = m->view.writeback;
	cfg->hard_remove = 1;           /* no .fuse_hidden files on the volume */
	cfg->use_ino = 0;
	cfg->nullpath_ok = 0;
	return m;
}

/* ================================================================ the table */

static const struct fuse_operations fb_ops = {
	.init = op_init,
	.getattr = op_getattr,
	.chmod = op_chmod,
	.chown = op_chown,
	.utimens = op_utimens,
	.open = op_open,
	.create = op_create,
	.read = op_read,
	.write = op_write,
	.truncate = op_truncate,
	/* No .flush: libfuse answers ENOSYS once and the kernel stops sending
	 * FLUSH. Before that check it has written the dirty pages back (their
	 * errors reach close()), and fs needs nothing at close that release
	 * does not do: a new open shares the live size (kproc/fat_file.c). */
	.fsync = op_fsync,
	.release = op_release,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.mkdir = op_mkdir,
	.rmdir = op_rmdir,
	.unlink = op_unlink,
	.rename = op_rename,
	.symlink = op_symlink,
	.link = op_link,
	.mknod = op_mknod,
	.statfs = op_statfs,
};

const struct fuse_operations *fb_operations(void)
{
	return &fb_ops;
}
