/*
 * sdimage_cmd.c: `nanoos sdimage VERB ...` (sdimage_cmd.h).
 *
 * To work on a volume a verb calls sdi_boot(): it opens the image with
 * sd_file_open (which locks it and names a second opener's holder), starts
 * sdcard over it and fs over sdcard, the same two kernel processes the
 * daemon runs; then every access is an fs_* message from this thread, which
 * is process "main", their parent. sdi_halt() syncs, stops both and unlocks.
 * `create` alone touches the image directly: sdimage_format() before
 * anything is mounted (then, with --rootfs, it boots like the others).
 *
 * Ruled-off sections, bottom up: session (boot, halt, errors) -> volume
 * paths -> copying (host <-> volume, trees) -> the verbs -> dispatch.
 * `update-rootfs` lives in sdimage_rootfs.c (with sdimage_rootfs_record.c
 * and sdimage_rootfs_space.c); what they and this file share (the session
 * and its helpers) is declared in sdimage_int.h.
 * Errors print one line, "nanoos sdimage VERB: OBJECT: what; what to do",
 * and make the verb exit 1; bad usage exits 2.
 */
#define _GNU_SOURCE             /* sync_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/sdimage_cmd.h"
#include "cli/sdimage_int.h"
#include "kproc/fat.h"
#include "kproc/fat_layout.h"
#include "kproc/fs.h"
#include "kproc/fs_policy.h"
#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "kproc/sdcard.h"
#include "kproc/users.h"
#include "sdimage/volume.h"
#include "sdimage/fat_format.h"
#include "sdimage/mbr.h"
#include "sdimage/sd_file.h"

#define SDI_SMALL (64u * 1024u)         /* put -r reads host files up to this size */
#define SDI_NOT_SMALL 4096              /* sdi_batch_read: "copy it the usual way" */
#define SDI_PROGRESS_MIN (16ull * 1024 * 1024)  /* show progress above this */

const struct fs_cred sdi_root = { FS_UID_ROOT, "root" };

/* ================================================================ session */

static uint32_t sdi_clock(void *ctx)
{
	(void)ctx;
	return (uint32_t)time(NULL);
}

/* "IMG:/path", the name of an object on the volume in messages. */
const char *sdi_obj(const struct sdi *s, const char *path)
{
	static char out[PATH_MAX + FS_PATH_MAX + 2];

	snprintf(out, sizeof(out), "%s:%s", s->img, path);
	return out;
}

static uint64_t sdi_free_bytes(struct sdi *s)
{
	struct fs_statfs st;

	if (s->vol.fs == MSG_PID_NONE || fs_statfs(s->vol.fs, &st) < 0)
		return 0;
	return (uint64_t)st.free_clusters * st.cluster_size;
}

/* What to do about an error, for the second half of an error line. */
static const struct {
	int err;
	const char *hint;
} sdi_hints[] = {
	{ NOS_EEXIST, "remove it first or choose another name" },
	{ NOS_ENOTDIR, "a part of the path is a file, not a directory; check the path" },
	{ NOS_EISDIR, "give the path of a file" },
	{ NOS_ENOTEMPTY, "remove what is in it first, or use `nanoos sdimage rm -r`" },
	{ NOS_EINVAL, "FAT names may not hold \" * / : < > ? \\ | or control characters, "
	              "nor end in a dot or a space; rename it" },
	{ NOS_EROFS, "the volume or file is read-only" },
	{ NOS_EFBIG, "FAT files are at most 4 GiB - 1 bytes" },
	{ NOS_EIO, "reading or writing the image failed; check the host disk" },
	{ NOS_EMFILE, "too many files open at once; report this as a bug" },
};

/* The hints that name something of this session. */
static void sdi_hint(struct sdi *s, int rc, char *out, size_t n)
{
	char h[32];
	size_t i;

	if (rc == -NOS_ENOENT) {
		snprintf(out, n, "check the path with `nanoos sdimage ls %s`", s->img);
		return;
	}
	if (rc == -NOS_ENOSPC) {
		cli_human(sdi_free_bytes(s), h, sizeof(h));
		snprintf(out, n, "the volume is full (%s free): delete files or create a "
		         "bigger image", h);
		return;
	}
	if (rc == -NOS_ENAMETOOLONG) {
		snprintf(out, n, "FAT names are at most 255 characters, paths %d bytes",
		         FS_PATH_MAX - 1);
		return;
	}
	for (i = 0; i < sizeof(sdi_hints) / sizeof(sdi_hints[0]); i++)
		if (-rc == sdi_hints[i].err) {
			snprintf(out, n, "%s", sdi_hints[i].hint);
			return;
		}
	snprintf(out, n, "this should not happen; please report it");
}

/* One error line for a failed fs call on `path`; returns 1 (the exit code). */
int sdi_fail(struct sdi *s, const char *path, int rc)
{
	char hint[160];

	sdi_hint(s, rc, hint, sizeof(hint));
	cli_error(s->cmd, sdi_obj(s, path), "%s; %s", nos_strerror(rc), hint);
	return 1;
}

/* An error about a host file (errno e). */
int sdi_host_fail(struct sdi *s, const char *host, int e, const char *what)
{
	cli_error(s->cmd, host, "%s%s%s; check the host path", what ? what : "",
	          what ? ": " : "", strerror(e));
	return 1;
}

/* sd_file_open's error line. When another process holds the image, a verb
 * with advice of its own (busy_hint) gives it in place of sd_file's (which
 * ends "; stop it, or use `nanoos` commands ..."); the holder stays named. */
static void sdi_open_error(struct sdi *s, int r, char *err)
{
	char *advice = strstr(err, "; stop it");

	if (r == -NOS_EBUSY && s->busy_hint && advice) {
		*advice = 0;
		cli_error(s->cmd, NULL, "%s; %s", err, s->busy_hint);
		return;
	}
	cli_error(s->cmd, NULL, "%s", err);
}

/* Open the image, start sdcard and fs, mount. 0, or 1 after an error line. */
int sdi_boot(struct sdi *s, int read_only)
{
	char err[600];
	unsigned flags = (read_only ? SD_FILE_READ_ONLY : 0) | (s->o.force ? SD_FILE_FORCE : 0);
	int r;

	if (!s->vol.file_open) {
		r = sd_file_open(&s->vol.file, s->img, flags, err, sizeof(err));
		if (r < 0) {
			sdi_open_error(s, r, err);
			return 1;
		}
		s->vol.file_open = 1;
	}
	r = volume_start_card(&s->vol);
	if (r < 0) {
		cli_error(s->cmd, s->img, "cannot start the sdcard process: %s; this should "
		          "not happen, please report it", nos_strerror(r));
		return 1;
	}
	/* A dirty volume is repaired before use, unless fsck looks at it. */
	r = volume_start_fs(&s->vol, read_only, !s->no_repair_at_mount, sdi_clock);
	if (r < 0) {
		if (r == -NOS_EINVAL)
			cli_error(s->cmd, s->img, "no FAT volume here (%s); run `nanoos sdimage "
			          "create` or check the path", s->vol.cfg.err[0] ? s->vol.cfg.err :
			          "not FAT");
		else
			cli_error(s->cmd, s->img, "cannot mount it: %s%s%s; check the image",
			          nos_strerror(r), s->vol.cfg.err[0] ? ": " : "", s->vol.cfg.err);
		return 1;
	}
	return 0;
}

/* Sync, stop fs and sdcard, unlock. 0, or 1 after an error line. */
int sdi_halt(struct sdi *s)
{
	int r = volume_halt(&s->vol);

	if (r < 0) {
		cli_error(s->cmd, s->img, "writing the volume back failed: %s; the image may "
		          "be incomplete, check the host disk", nos_strerror(r));
		return 1;
	}
	return 0;
}

/* ================================================================ paths */

/* Canonical volume path of a user's path (relative means from /). */
static int sdi_canon(struct sdi *s, const char *path, char *out)
{
	int r = fs_path_canon("/", path, out);

	if (r < 0)
		return sdi_fail(s, path, r);
	return 0;
}

/* dir + "/" + name into out[FS_PATH_MAX]. 0 or 1 after an error line. */
int sdi_join(struct sdi *s, const char *dir, const char *name, char *out)
{
	size_t n = strlen(dir);
	int len = snprintf(out, FS_PATH_MAX, "%s%s%s", dir, (n && dir[n - 1] == '/') ? "" : "/",
	                   name);

	if (len < 0 || len >= FS_PATH_MAX)
		return sdi_fail(s, dir, -NOS_ENAMETOOLONG);
	return 0;
}

/* The last component of a host or volume path ("a/b/" -> "b"). */
static const char *sdi_base(const char *path, char *buf, size_t n)
{
	size_t len = strlen(path);
	const char *p;

	while (len > 1 && path[len - 1] == '/')
		len--;
	snprintf(buf, n, "%.*s", (int)len, path);
	p = strrchr(buf, '/');
	return (p && p[1]) ? p + 1 : buf;
}

/* 1 if path is a directory on the volume, 0 if not or missing. */
int sdi_is_dir(struct sdi *s, const char *path)
{
	struct fs_stat st;

	return fs_stat(s->vol.fs, &sdi_root, path, &st) == 0 && st.is_dir;
}

/* A directory's entries, sorted by name; *out is malloc'd (free it). */
static int sdi_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fs_dirent *)a)->name, ((const struct fs_dirent *)b)->name);
}

int sdi_list(struct sdi *s, const char *path, struct fs_dirent **out, size_t *count)
{
	struct fs_dirent *v = NULL, *nv;
	size_t n = 0, cap = 0;
	int h, r;

	h = fs_open(s->vol.fs, &sdi_root, path, FS_O_RDONLY | FS_O_DIRECTORY);
	if (h < 0)
		return sdi_fail(s, path, h);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				fs_close(s->vol.fs, h);
				free(v);
				return sdi_fail(s, path, -NOS_ENOMEM);
			}
			v = nv;
		}
		r = fs_readdir(s->vol.fs, h, &v[n]);
		if (r <= 0)
			break;
		if (v[n].st.attr & ATTR_VOLUME_ID)
			continue;       /* the label: `info` shows it */
		n++;
	}
	fs_close(s->vol.fs, h);
	if (r < 0) {
		free(v);
		return sdi_fail(s, path, r);
	}
	qsort(v, n, sizeof(*v), sdi_entry_cmp);
	*out = v;
	*count = n;
	return 0;
}

/* mkdir, and with parents also every missing directory above; an existing
 * directory is fine then. */
static int sdi_mkdir(struct sdi *s, const char *path, int parents)
{
	char p[FS_PATH_MAX];
	size_t i;
	int r;

	if (!parents) {
		r = fs_mkdir(s->vol.fs, &sdi_root, path);
		return r < 0 ? sdi_fail(s, path, r) : 0;
	}
	snprintf(p, sizeof(p), "%s", path);
	for (i = 1;; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		char c = p[i];
		p[i] = 0;
		r = fs_mkdir(s->vol.fs, &sdi_root, p);
		if (r == -NOS_EEXIST && !sdi_is_dir(s, p))
			r = -NOS_ENOTDIR;
		if (r < 0 && r != -NOS_EEXIST)
			return sdi_fail(s, p, r);
		p[i] = c;
		if (c == 0)
			return 0;
	}
}

/* ================================================================ copying */

static void sdi_progress(const char *name, uint64_t done, uint64_t total, int show)
{
	if (!show)
		return;
	fprintf(stderr, "\r%s: %llu / %llu MiB (%llu%%)", name,
	        (unsigned long long)(done >> 20), (unsigned long long)(total >> 20),
	        (unsigned long long)(total ? done * 100 / total : 100));
	if (done == total)
		fputc('\n', stderr);
}

/* Have the host start writing back what the image file got so far: the
 * disk works while the copy goes on, and the flush of the commit at the
 * end (fs_sync) finds most of it done. A hint: if it fails, nothing
 * changes but the speed. */
static void sdi_start_writeback(struct sdi *s)
{
	if (s->vol.file_open)
		sync_file_range(s->vol.file.fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

/* n bytes from p to volume handle h at off: 0 or -NOS_E* (a short write:
 * the volume ran full). */
static int sdi_put_bytes(struct sdi *s, int h, const void *p, uint32_t n, uint64_t off)
{
	int32_t r = fs_pwrite(s->vol.fs, h, p, n, (int64_t)off);

	if (r >= 0 && (uint32_t)r < n)
		r = -NOS_ENOSPC;
	if (r >= 0 && n == SDI_CHUNK)
		sdi_start_writeback(s);
	return r < 0 ? r : 0;
}

/* Host file fd to volume handle h by read(): 0, -NOS_E* (the volume), or a
 * positive errno (reading the host file failed). */
static int sdi_copy_in_read(struct sdi *s, int fd, uint64_t size, int h, const char *dst,
                            int show)
{
	uint64_t off = 0;
	ssize_t got;
	int r;

	for (;;) {
		got = read(fd, s->buf, SDI_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno;
		if (got == 0)
			return 0;
		if (off + (uint64_t)got > FAT_FILE_MAX)
			return -NOS_EFBIG;
		r = sdi_put_bytes(s, h, s->buf, (uint32_t)got, off);
		if (r < 0)
			return r;
		off += (uint64_t)got;
		if ((off & ((1u << 20) - 1)) == 0 || off == size)
			sdi_progress(dst, off, size, show);
	}
}

/* Finish volume file dst (handle h) after its bytes went in with result r
 * (0, -NOS_E*, or a positive errno of reading host file `host`): close it;
 * on a failure drop it (no half file left behind), else give it the host's
 * times, as cp -p and mcopy -m do (best effort). 0, or 1 after an error. */
static int sdi_put_finish(struct sdi *s, int h, const char *dst, int r, const char *host,
                          uint32_t atime, uint32_t mtime)
{
	if (r != 0) {
		fs_close(s->vol.fs, h);
		fs_unlink(s->vol.fs, &sdi_root, dst);
		return r > 0 ? sdi_host_fail(s, host, r, "reading it") : sdi_fail(s, dst, r);
	}
	r = fs_close(s->vol.fs, h);
	if (r < 0)
		return sdi_fail(s, dst, r);
	fs_utimens(s->vol.fs, &sdi_root, dst, atime, mtime);
	return 0;
}

/* Host file `host` (already open as fd) to volume file dst. */
static int sdi_copy_in_fd(struct sdi *s, int fd, const char *host, const struct stat *hs,
                          const char *dst)
{
	uint64_t size = (uint64_t)hs->st_size;
	int show = size > SDI_PROGRESS_MIN && isatty(2);
	int h, r;

	if (size > FAT_FILE_MAX)
		return sdi_fail(s, dst, -NOS_EFBIG);
	h = fs_open(s->vol.fs, &sdi_root, dst, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
	if (h < 0)
		return sdi_fail(s, dst, h);
	r = sdi_copy_in_read(s, fd, size, h, dst, show);
	return sdi_put_finish(s, h, dst, r, host, (uint32_t)hs->st_atime, (uint32_t)hs->st_mtime);
}

int sdi_copy_in(struct sdi *s, const char *host, const char *dst)
{
	struct stat hs;
	int fd, r;

	fd = open(host, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sdi_host_fail(s, host, errno, NULL);
	if (fstat(fd, &hs) < 0 || !S_ISREG(hs.st_mode)) {
		close(fd);
		if (S_ISDIR(hs.st_mode))
			cli_error(s->cmd, host, "is a directory; use `nanoos sdimage put -r` to "
			          "copy a tree");
		else
			cli_error(s->cmd, host, "not a regular file; name a file or a directory");
		return 1;
	}
	r = sdi_copy_in_fd(s, fd, host, &hs, dst);
	close(fd);
	return r;
}

/* Volume handle h to host fd through the copy buffer, up to the end of the
 * file: 0, -NOS_E* (the volume) or a positive errno (writing fd). */
static int sdi_copy_out_write(struct sdi *s, int h, uint64_t size, int fd, const char *src,
                                 int show)
{
	uint64_t off = 0;
	int32_t got;
	size_t done;
	ssize_t w;

	while ((got = fs_pread(s->vol.fs, h, s->buf, SDI_CHUNK, (int64_t)off)) > 0) {
		for (done = 0; done < (size_t)got; done += (size_t)w) {
			w = write(fd, s->buf + done, (size_t)got - done);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return errno;
		}
		off += (uint64_t)got;
		if ((off & ((1u << 20) - 1)) == 0 || off == size)
			sdi_progress(src, off, size, show);
	}
	return got;
}

/* Volume file src to host fd (named host in messages). */
static int sdi_copy_out(struct sdi *s, const char *src, int fd, const char *host)
{
	struct fs_stat st;
	int h, show, r;

	h = fs_open(s->vol.fs, &sdi_root, src, FS_O_RDONLY);
	if (h < 0)
		return sdi_fail(s, src, h);
	if (fs_fstat(s->vol.fs, h, &st) < 0)
		st.size = 0;
	show = st.size > SDI_PROGRESS_MIN && isatty(2) && fd != 1;
	r = sdi_copy_out_write(s, h, st.size, fd, src, show);
	fs_close(s->vol.fs, h);
	if (r == EPIPE) {
		cli_error(s->cmd, host, "%s; the reader closed the pipe early", strerror(r));
		return 1;
	}
	if (r > 0)
		return sdi_host_fail(s, host, r, "writing it");
	return r < 0 ? sdi_fail(s, src, r) : 0;
}

/* Volume file src to host path host (created or replaced). */
static int sdi_get_file(struct sdi *s, const char *src, const char *host)
{
	struct fs_stat st;
	struct timespec ts[2];
	int fd, r;

	fd = open(host, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return sdi_host_fail(s, host, errno, NULL);
	r = sdi_copy_out(s, src, fd, host);
	if (r == 0 && fs_stat(s->vol.fs, &sdi_root, src, &st) == 0 && st.mtime) {
		ts[0].tv_sec = st.atime ? st.atime : st.mtime;
		ts[1].tv_sec = st.mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		futimens(fd, ts);
	}
	if (close(fd) < 0 && r == 0)
		r = sdi_host_fail(s, host, errno, "writing it");
	return r;
}

/* ---- put -r: small files in batches */

/* The rest of small file p, open as h -- its bytes, close, its times --
 * as three requests sent at once, then waited for: fs goes from one to the
 * next without a round trip between (messages from one sender arrive in
 * order). 0, or 1 after an error line (the file dropped). */
static int sdi_batch_finish(struct sdi *s, int h, const struct sdi_pending *p)
{
	struct fs_io io = { h, p->len, s->buf + p->at, 0 };
	struct fs_handle_req close = { h, 0 };
	struct fs_path_req times = { sdi_root, p->dst, (uint32_t)strlen(p->dst), 0, p->atime,
	                             p->mtime };
	msg_t m[3];
	int32_t st[3];
	int i;

	msg_init(&m[0], FS_MSG_WRITE, &io, sizeof(io));
	msg_init(&m[1], FS_MSG_CLOSE, &close, sizeof(close));
	msg_init(&m[2], FS_MSG_UTIMENS, &times, sizeof(times));
	for (i = 0; i < 3; i++)
		st[i] = msg_send(s->vol.fs, &m[i]);
	for (i = 0; i < 3; i++)
		if (st[i] == 0)
			st[i] = msg_wait(&m[i], MSG_FOREVER);
	if (st[0] >= 0 && (uint32_t)st[0] < p->len)
		st[0] = -NOS_ENOSPC;            /* a short write: the volume ran full */
	if (st[0] < 0) {
		fs_unlink(s->vol.fs, &sdi_root, p->dst);    /* closed by m[1]: drop it */
		return sdi_fail(s, p->dst, st[0]);
	}
	return st[1] < 0 ? sdi_fail(s, p->dst, st[1]) : 0;     /* the times: best effort */
}

/* Put the small files read ahead, one after another: fs goes from call to
 * call without waiting for the host's I/O in between (a call to a process
 * that waits costs more than the work of a small file). 0, or 1 after an
 * error line (the files after it are not put). */
static int sdi_batch_flush(struct sdi *s)
{
	const struct sdi_pending *p;
	uint32_t i;
	int h, r = 0;

	for (i = 0; i < s->npending && r == 0; i++) {
		p = &s->pending[i];
		h = fs_open(s->vol.fs, &sdi_root, p->dst, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
		r = h < 0 ? sdi_fail(s, p->dst, h) : sdi_batch_finish(s, h, p);
	}
	s->npending = 0;
	s->used = 0;
	return r;
}

/* Read host file hp into the batch, for volume path vp: 0, SDI_NOT_SMALL
 * when it is no small regular file (the caller copies it the usual way),
 * or a positive errno (reading it failed). */
static int sdi_batch_read(struct sdi *s, const char *hp, const char *vp)
{
	struct sdi_pending *p = &s->pending[s->npending];
	uint32_t room = SDI_CHUNK - s->used, len = 0;
	struct stat hs;
	ssize_t got = 1;
	int fd, e;

	fd = open(hp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fstat(fd, &hs) < 0 || !S_ISREG(hs.st_mode) || hs.st_size > SDI_SMALL ||
	    (uint64_t)hs.st_size >= room) {
		close(fd);
		return SDI_NOT_SMALL;
	}
	while (got > 0 && len < room) {
		got = read(fd, s->buf + s->used + len, room - len);
		if (got < 0 && errno == EINTR)
			got = 1;
		else if (got > 0)
			len += (uint32_t)got;
	}
	e = got < 0 ? errno : 0;
	close(fd);
	if (e != 0)
		return e;
	if (len == room)
		return SDI_NOT_SMALL;      /* it grew meanwhile */
	snprintf(p->dst, sizeof(p->dst), "%s", vp);
	p->at = s->used;
	p->len = len;
	p->atime = (uint32_t)hs.st_atime;
	p->mtime = (uint32_t)hs.st_mtime;
	s->used += len;
	s->npending++;
	return 0;
}

/* Host file hp (lstat: hs) to volume path vp: small ones through the
 * batch, others at once (after the batch). 0, or 1 after an error line. */
static int sdi_put_entry(struct sdi *s, const char *hp, const struct stat *hs, const char *vp)
{
	int r = SDI_NOT_SMALL;

	if (hs->st_size <= SDI_SMALL) {
		if (s->npending == SDI_BATCH || s->used + (uint64_t)hs->st_size >= SDI_CHUNK) {
			r = sdi_batch_flush(s);
			if (r)
				return r;
		}
		r = sdi_batch_read(s, hp, vp);
		if (r == 0)
			return 0;
	}
	if (sdi_batch_flush(s))
		return 1;
	if (r != SDI_NOT_SMALL)
		return sdi_host_fail(s, hp, r, NULL);
	return sdi_copy_in(s, hp, vp);
}

/* A host tree under volume directory dst (made if missing). */
static int sdi_put_tree(struct sdi *s, const char *host, const char *dst)
{
	char hp[PATH_MAX], vp[FS_PATH_MAX];
	struct dirent *e;
	struct stat hs;
	DIR *d;
	int r = 0;

	if (strcmp(dst, "/") != 0) {
		r = fs_mkdir(s->vol.fs, &sdi_root, dst);
		if (r == -NOS_EEXIST && sdi_is_dir(s, dst))
			r = 0;
		if (r < 0)
			return sdi_fail(s, dst, r == -NOS_EEXIST ? -NOS_ENOTDIR : r);
	}
	d = opendir(host);
	if (d == NULL)
		return sdi_host_fail(s, host, errno, NULL);
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(hp, sizeof(hp), "%s/%s", host, e->d_name) >= sizeof(hp)) {
			r = sdi_host_fail(s, host, ENAMETOOLONG, NULL);
			break;
		}
		r = sdi_join(s, dst, e->d_name, vp);
		if (r)
			break;
		if (lstat(hp, &hs) < 0) {
			int e = errno;

			r = sdi_batch_flush(s) ? 1 : sdi_host_fail(s, hp, e, NULL);
		} else if (S_ISDIR(hs.st_mode)) {
			r = sdi_batch_flush(s) ? 1 : sdi_put_tree(s, hp, vp);
		} else if (S_ISREG(hs.st_mode)) {
			r = sdi_put_entry(s, hp, &hs, vp);
		} else {
			fprintf(stderr, "nanoos %s: %s: skipped: FAT holds only files and "
			        "directories\n", s->cmd, hp);
		}
	}
	closedir(d);
	return r == 0 ? sdi_batch_flush(s) : r;
}

/* A volume tree src into host directory host (made if missing). */
static int sdi_get_tree(struct sdi *s, const char *src, const char *host)
{
	char hp[PATH_MAX], vp[FS_PATH_MAX];
	struct fs_dirent *v = NULL;
	size_t i, n = 0;
	int r;

	if (mkdir(host, 0755) < 0 && errno != EEXIST)
		return sdi_host_fail(s, host, errno, NULL);
	r = sdi_list(s, src, &v, &n);
	for (i = 0; r == 0 && i < n; i++) {
		if ((size_t)snprintf(hp, sizeof(hp), "%s/%s", host, v[i].name) >= sizeof(hp)) {
			r = sdi_host_fail(s, host, ENAMETOOLONG, NULL);
			break;
		}
		r = sdi_join(s, src, v[i].name, vp);
		if (r == 0)
			r = v[i].st.is_dir ? sdi_get_tree(s, vp, hp) : sdi_get_file(s, vp, hp);
	}
	free(v);
	return r;
}

/* Remove a volume tree. */
static int sdi_rm_tree(struct sdi *s, const char *path)
{
	char vp[FS_PATH_MAX];
	struct fs_dirent *v;
	size_t i, n;
	int r;

	r = sdi_list(s, path, &v, &n);
	if (r)
		return r;
	for (i = 0; r == 0 && i < n; i++) {
		r = sdi_join(s, path, v[i].name, vp);
		if (r)
			break;
		if (v[i].st.is_dir) {
			r = sdi_rm_tree(s, vp);
		} else {
			r = fs_unlink(s->vol.fs, &sdi_root, vp);
			r = r < 0 ? sdi_fail(s, vp, r) : 0;
		}
	}
	free(v);
	if (r == 0 && strcmp(path, "/") != 0) {
		r = fs_rmdir(s->vol.fs, &sdi_root, path);
		r = r < 0 ? sdi_fail(s, path, r) : 0;
	}
	return r;
}

/* ================================================================ verbs */

/* Each verb gets its positional arguments (IMG first) and runs booted
 * unless it boots itself (create). */

static void sdi_date(uint32_t t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, n, "%-19s", "-");
	else
		strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void sdi_ls_line(const struct sdi *s, const char *name, const struct fs_stat *st)
{
	char date[32];

	if (!s->o.long_list) {
		printf("%s\n", name);
		return;
	}
	sdi_date(st->mtime, date, sizeof(date));
	printf("%c%c%c %10lu %s %s\n", st->is_dir ? 'd' : '-', 'r',
	       (st->attr & ATTR_READ_ONLY) ? '-' : 'w', (unsigned long)st->size, date, name);
}

static int sdi_ls_dir(struct sdi *s, const char *path, int header)
{
	char vp[FS_PATH_MAX];
	struct fs_dirent *v;
	size_t i, n;
	int r;

	r = sdi_list(s, path, &v, &n);
	if (r)
		return r;
	if (header)
		printf("%s:\n", path);
	for (i = 0; i < n; i++)
		sdi_ls_line(s, v[i].name, &v[i].st);
	for (i = 0; r == 0 && s->o.recursive_list && i < n; i++) {
		if (!v[i].st.is_dir)
			continue;
		r = sdi_join(s, path, v[i].name, vp);
		if (r == 0) {
			printf("\n");
			r = sdi_ls_dir(s, vp, 1);
		}
	}
	free(v);
	return r;
}

static int verb_ls(struct sdi *s, int argc, char **argv)
{
	char p[FS_PATH_MAX];
	struct fs_stat st;
	int r;

	if (sdi_canon(s, argc > 1 ? argv[1] : "/", p))
		return 1;
	r = fs_stat(s->vol.fs, &sdi_root, p, &st);
	if (r < 0)
		return sdi_fail(s, p, r);
	if (!st.is_dir) {
		sdi_ls_line(s, p, &st);
		return 0;
	}
	return sdi_ls_dir(s, p, s->o.recursive_list);
}

static int verb_cat(struct sdi *s, int argc, char **argv)
{
	char p[FS_PATH_MAX];

	(void)argc;
	if (sdi_canon(s, argv[1], p))
		return 1;
	return sdi_copy_out(s, p, 1, "stdout");
}

static int verb_get(struct sdi *s, int argc, char **argv)
{
	char p[FS_PATH_MAX], host[PATH_MAX], b[FS_PATH_MAX];
	const char *dst = argv[2];
	struct stat hs;

	(void)argc;
	if (sdi_canon(s, argv[1], p))
		return 1;
	if (stat(dst, &hs) == 0 && S_ISDIR(hs.st_mode) && strcmp(p, "/") != 0) {
		if ((size_t)snprintf(host, sizeof(host), "%s/%s", dst,
		                     sdi_base(p, b, sizeof(b))) >= sizeof(host))
			return sdi_host_fail(s, dst, ENAMETOOLONG, NULL);
		dst = host;
	}
	if (sdi_is_dir(s, p)) {
		if (!s->o.recursive) {
			cli_error(s->cmd, sdi_obj(s, p), "is a directory; use `nanoos sdimage "
			          "get -r` to copy a tree");
			return 1;
		}
		return sdi_get_tree(s, p, dst);
	}
	return sdi_get_file(s, p, dst);
}

static int verb_put(struct sdi *s, int argc, char **argv)
{
	char p[FS_PATH_MAX], b[PATH_MAX];
	const char *host = argv[1];
	struct stat hs;

	(void)argc;
	if (sdi_canon(s, argv[2], p))
		return 1;
	if (stat(host, &hs) < 0)
		return sdi_host_fail(s, host, errno, NULL);
	if (sdi_is_dir(s, p)) {         /* into it, as cp does */
		char in[FS_PATH_MAX];

		if (sdi_join(s, p, sdi_base(host, b, sizeof(b)), in))
			return 1;
		memcpy(p, in, sizeof(p));
	}
	if (S_ISDIR(hs.st_mode)) {
		if (!s->o.recursive) {
			cli_error(s->cmd, host, "is a directory; use `nanoos sdimage put -r` to "
			          "copy a tree");
			return 1;
		}
		return sdi_put_tree(s, host, p);
	}
	return sdi_copy_in(s, host, p);
}

static int verb_rm(struct sdi *s, int argc, char **argv)
{
	char p[FS_PATH_MAX];
	struct fs_stat st;
	int r;

	(void)argc;
	if (sdi_canon(s, argv[1], p))
		return 1;
	r = fs_stat(s->vol.fs, &sdi_root, p, &st);
	if (r < 0)
		return sdi_fail(s, p, r);
	if (st.is_dir && !s->o.recursive) {
		cli_error(s->cmd, sdi_obj(s, p), "is a directory; use `nanoos sdimage rm -r` "
		          "(or `rmdir` for an empty one)");
		return 1;
	}
	if (st.is_dir && strcmp(p, "/") == 0) {
		cli_error(s->cmd, sdi_obj(s, p), "will not remove the root directory; remove "
		          "what is in it one by one, or create a new image");
		return 1;
	}
	if (st.is_dir)
		return sdi_rm_tree(s, p);
	r = fs_unlink(s->vol.fs, &sdi_root, p);
	return r < 0 ? sdi_fail(s, p, r) : 0;
}

static int verb_mkdir(struct sdi *s, int argc, char **argv)
{
	char p[FS_PATH_MAX];

	(void)argc;
	if (sdi_canon(s, argv[1], p))
		return 1;
	return sdi_mkdir(s, p, s->o.parents);
}

static int verb_rmdir(struct sdi *s, int argc, char **argv)
{
	char p[FS_PATH_MAX];
	int r;

	(void)argc;
	if (sdi_canon(s, argv[1], p))
		return 1;
	r = fs_rmdir(s->vol.fs, &sdi_root, p);
	return r < 0 ? sdi_fail(s, p, r) : 0;
}

static int verb_mv(struct sdi *s, int argc, char **argv)
{
	char from[FS_PATH_MAX], to[FS_PATH_MAX], in[FS_PATH_MAX], b[FS_PATH_MAX];
	struct fs_stat st;
	int r;

	(void)argc;
	if (sdi_canon(s, argv[1], from) || sdi_canon(s, argv[2], to))
		return 1;
	r = fs_stat(s->vol.fs, &sdi_root, from, &st);
	if (r < 0)
		return sdi_fail(s, from, r);
	/* Into an existing directory, as mv does. */
	if (sdi_is_dir(s, to) && strcasecmp(from, to) != 0) {
		if (sdi_join(s, to, sdi_base(from, b, sizeof(b)), in))
			return 1;
		memcpy(to, in, sizeof(to));
	}
	r = fs_rename(s->vol.fs, &sdi_root, from, to, 0);
	if (r < 0)
		return sdi_fail(s, r == -NOS_ENOENT || r == -NOS_EEXIST || r == -NOS_ENOSPC ?
		                to : from, r);
	return 0;
}

static int verb_df(struct sdi *s, int argc, char **argv)
{
	char size[16], used[16], avail[16];
	struct fs_statfs st;
	uint64_t total, free_b;
	int r;

	(void)argc;
	(void)argv;
	r = fs_statfs(s->vol.fs, &st);
	if (r < 0)
		return sdi_fail(s, "/", r);
	total = (uint64_t)st.total_clusters * st.cluster_size;
	free_b = (uint64_t)st.free_clusters * st.cluster_size;
	cli_human(total, size, sizeof(size));
	cli_human(total - free_b, used, sizeof(used));
	cli_human(free_b, avail, sizeof(avail));
	printf("%-20s %6s %6s %6s %4s %s\n", "Image", "Size", "Used", "Avail", "Use%", "Type");
	printf("%-20s %6s %6s %6s %3llu%% FAT%u\n", s->img, size, used, avail,
	       (unsigned long long)(total ? ((total - free_b) * 100 + total - 1) / total : 0),
	       st.fat_type);
	return 0;
}

static int verb_info(struct sdi *s, int argc, char **argv)
{
	static uint8_t sec0[SDCARD_BLOCK_SIZE];
	char total_h[16], free_h[16];
	struct sdcard_info ci;
	struct mbr_entry e;
	struct fs_statfs st;
	uint64_t total, free_b;
	int r;

	(void)argc;
	(void)argv;
	r = sdcard_info(s->vol.sd, &ci);
	if (r == 0)
		r = sdcard_read(s->vol.sd, 0, 1, sec0);
	if (r == 0)
		r = fs_statfs(s->vol.fs, &st);
	if (r < 0)
		return sdi_fail(s, "/", r);
	printf("image:      %s (%s, %lu sectors of 512 bytes, %.1f MiB)\n", s->img, ci.model,
	       (unsigned long)ci.blocks, ci.blocks / 2048.0);
	r = mbr_read(sec0, ci.blocks, &e);
	if (r == 0)
		printf("partition:  MBR entry %u: start %lu, %lu sectors (%.1f MiB), type 0x%02x\n",
		       e.index + 1, (unsigned long)e.lba_start, (unsigned long)e.lba_count,
		       e.lba_count / 2048.0, e.type);
	else
		printf("partition:  none (a bare FAT volume from sector 0)\n");
	total = (uint64_t)st.total_clusters * st.cluster_size;
	free_b = (uint64_t)st.free_clusters * st.cluster_size;
	cli_human(total, total_h, sizeof(total_h));
	cli_human(free_b, free_h, sizeof(free_h));
	printf("filesystem: FAT%u, cluster %lu bytes, %lu clusters (%lu free)\n", st.fat_type,
	       (unsigned long)st.cluster_size, (unsigned long)st.total_clusters,
	       (unsigned long)st.free_clusters);
	printf("space:      %s total, %s free\n", total_h, free_h);
	printf("label:      %s\n", st.label[0] ? st.label : "(none)");
	printf("dirty:      %s\n", st.dirty_at_mount ? "yes: it was not unmounted cleanly"
	                                                 : "no");
	return 0;
}

/* ---------------------------------------------------------------- first passwords */

#define SDI_PASSWORD_LEN 12
#define SDI_ACCOUNTS 2

/* The accounts `create --rootfs` gives a first password, and the answers. */
struct sdi_first {
	const char *name[SDI_ACCOUNTS];
	char password[SDI_ACCOUNTS][SDI_PASSWORD_LEN + 1];
	int set[SDI_ACCOUNTS];
};

/* SDI_PASSWORD_LEN characters from getrandom, drawn without bias from an
 * alphabet with no look-alikes (no 0 O o 1 l I). 0, or -1 (errno). */
static int sdi_random_password(char *out)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	const unsigned n = sizeof(alphabet) - 1, limit = 256 - 256 % n;
	unsigned char b[64];
	size_t got = 0, i;

	while (got < SDI_PASSWORD_LEN) {
		if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			return -1;
		for (i = 0; i < sizeof(b) && got < SDI_PASSWORD_LEN; i++)
			if (b[i] < limit)
				out[got++] = alphabet[b[i] % n];
	}
	out[got] = 0;
	explicit_bzero(b, sizeof(b));
	return 0;
}

/* Set a random first password for each account of /etc/passwd that
 * f->name lists, through the users process (the same code that serves
 * passwd(1): the hash lands in the volume's /etc/shadow, never in the host
 * tree). Accounts the volume lacks are skipped. 0, or 1 after an error line. */
static int sdi_first_passwords(struct sdi *s, struct sdi_first *f)
{
	struct users_config cfg;
	struct users_req q;
	msg_pid_t users;
	msg_t m;
	int i, r = 0;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fs = s->vol.fs;
	cfg.hash = users_crypt_hash;
	cfg.verify = users_crypt_verify;
	if ((r = users_start(&cfg, &users)) < 0) {
		cli_error(s->cmd, s->img, "cannot start the users process: %s; this should not "
		          "happen, please report it", nos_strerror(r));
		return 1;
	}
	for (i = 0; i < SDI_ACCOUNTS && r == 0; i++) {
		if (sdi_random_password(f->password[i]) < 0) {
			cli_error(s->cmd, NULL, "getrandom: %s; cannot make first passwords "
			          "(--no-passwords leaves the accounts locked)", strerror(errno));
			r = 1;
			break;
		}
		memset(&q, 0, sizeof(q));
		q.caller_uid = FS_UID_ROOT;
		snprintf(q.name, sizeof(q.name), "%s", f->name[i]);
		q.new_password = f->password[i];
		msg_init(&m, USERS_MSG_PASSWD, &q, sizeof(q));
		r = msg_call(users, &m, MSG_FOREVER);
		f->set[i] = r == 0;
		if (r == -NOS_ENOENT)
			r = 0;          /* the tree has no such account */
		else if (r < 0)
			r = sdi_fail(s, "/etc/shadow", r);
	}
	kproc_stop(users, MSG_FOREVER);
	return r;
}

/* "first passwords (shown once): root: ..., user: ..." */
static void sdi_print_first(struct sdi_first *f)
{
	const char *sep = "first passwords (shown once): ";
	int i, any = 0;

	for (i = 0; i < SDI_ACCOUNTS; i++)
		if (f->set[i]) {
			printf("%s%s: %s", sep, f->name[i], f->password[i]);
			sep = ", ";
			any = 1;
		}
	if (any)
		printf("\n");
	explicit_bzero(f->password, sizeof(f->password));
}

/* `create`: make the file (or take a block device), format, then --rootfs. */
static int sdi_create_file(struct sdi *s, uint64_t size)
{
	char err[600];
	struct stat hs;
	int fd, r;

	if (stat(s->img, &hs) == 0) {
		if (!s->o.force) {
			cli_error(s->cmd, s->img, "already exists; pass --force to overwrite it "
			          "(everything on it is lost)");
			return 1;
		}
		if (!S_ISREG(hs.st_mode))
			return -1;      /* a block device: sd_file_open decides */
		/* Lock it first: never truncate an image someone holds. */
		fd = open(s->img, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return sdi_host_fail(s, s->img, errno, NULL);
		if (hs.st_size >= SDCARD_BLOCK_SIZE) {
			/* Hold the lock until formatted; the size is ours to set. */
			r = sd_file_open(&s->vol.file, s->img, 0, err, sizeof(err));
			if (r < 0) {
				close(fd);
				cli_error(s->cmd, NULL, "%s", err);
				return 1;
			}
			s->vol.file_open = 1;
			s->vol.file.be.blocks = (uint32_t)(size / SDCARD_BLOCK_SIZE);
		}
	} else {
		fd = open(s->img, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return sdi_host_fail(s, s->img, errno, "cannot create it");
	}
	if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)size) < 0) {
		int e = errno;
		close(fd);
		return sdi_host_fail(s, s->img, e, "cannot size it");
	}
	close(fd);
	return 0;
}

static int verb_create(struct sdi *s, int argc, char **argv)
{
	char err[600], cl[16], sz[16];
	struct fat_format_opts fo;
	struct sdimage_layout lay;
	struct stat hs;
	uint64_t size = 0;
	unsigned long fat = 0;
	int made = 0, existed, r;
	struct sdi_first first = { { "root", "user" }, { "" }, { 0 } };
	time_t now = time(NULL);
	struct tm tm;

	(void)argc;
	(void)argv;
	if (s->o.size && (cli_parse_size(s->o.size, &size) < 0 || size < SDCARD_BLOCK_SIZE ||
	                  size / SDCARD_BLOCK_SIZE > UINT32_MAX)) {
		cli_error(s->cmd, s->o.size, "not a size; write it like 64M, 512K or 2G "
		          "(powers of 1024), or in bytes");
		return 2;
	}
	if (s->o.fat) {
		fat = strtoul(s->o.fat, NULL, 10);
		if (fat != 12 && fat != 16 && fat != 32) {
			cli_error(s->cmd, s->o.fat, "not a FAT type; use --fat 12, 16 or 32");
			return 2;
		}
	}
	if (s->o.rootfs && stat(s->o.rootfs, &hs) < 0)
		return sdi_host_fail(s, s->o.rootfs, errno, "--rootfs");
	if (s->o.rootfs && !S_ISDIR(hs.st_mode)) {
		cli_error(s->cmd, s->o.rootfs, "not a directory; --rootfs takes a host "
		          "directory, whose contents become the volume's root");
		return 1;
	}
	existed = stat(s->img, &hs) == 0;
	if (existed && S_ISBLK(hs.st_mode)) {
		r = -1;                         /* the device's own size */
	} else {
		if (!s->o.size) {
			cli_error(s->cmd, s->img, "no size given; pass --size, e.g. --size 64M");
			return 2;
		}
		r = sdi_create_file(s, size);
		if (r > 0)
			return r;
		made = !existed;
	}
	if (!s->vol.file_open) {
		r = sd_file_open(&s->vol.file, s->img, s->o.force ? SD_FILE_FORCE : 0, err,
		                 sizeof(err));
		if (r < 0) {
			cli_error(s->cmd, NULL, "%s", err);
			goto fail;
		}
		s->vol.file_open = 1;
	}
	if (s->vol.file.blockdev)
		fprintf(stderr, "nanoos %s: formatting %s: %s, %.1f MiB; everything on it is "
		        "lost\n", s->cmd, s->img, s->vol.file.model, s->vol.file.be.blocks / 2048.0);
	memset(&fo, 0, sizeof(fo));
	fo.fat_type = (uint8_t)fat;
	fo.label = s->o.label;
	fo.volume_id = (uint32_t)now ^ ((uint32_t)getpid() << 16);
	if (gmtime_r(&now, &tm) && tm.tm_year >= 80) {
		fo.label_date = (uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) |
		                           tm.tm_mday);
		fo.label_time = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
	}
	r = sdimage_format(&s->vol.file.be, s->o.bare ? SDIMAGE_BARE : 0, &fo, &lay, err,
	                   sizeof(err));
	if (r < 0) {
		cli_error(s->cmd, s->img, "%s", err);
		goto fail;
	}
	if (s->o.rootfs) {
		if (sdi_boot(s, 0) || sdi_put_tree(s, s->o.rootfs, "/") ||
		    sdi_record_userland(s, s->o.rootfs))
			goto fail;
		if (!s->o.no_passwords && sdi_first_passwords(s, &first))
			goto fail;
	}
	if (sdi_halt(s))
		goto fail_halted;
	cli_human((uint64_t)s->vol.file.be.blocks * 512, cl, sizeof(cl));
	cli_human((uint64_t)lay.geom.clusters * lay.geom.sec_per_clus * 512, sz, sizeof(sz));
	printf("%s: %s image, %s, FAT%u, %s in %lu clusters of %u bytes, label %s%s%s\n",
	       s->img, cl, s->o.bare ? "bare volume" : "MBR partition at 1 MiB",
	       lay.geom.fat_type, sz, (unsigned long)lay.geom.clusters,
	       lay.geom.sec_per_clus * 512u, (s->o.label && s->o.label[0]) ? s->o.label : "(none)",
	       s->o.rootfs ? ", filled from " : "", s->o.rootfs ? s->o.rootfs : "");
	sdi_print_first(&first);
	return 0;
fail:
	sdi_halt(s);
fail_halted:
	if (made)
		unlink(s->img);         /* no half-made image left behind */
	return 1;
}

/* Check the volume through fs (kproc/fat_check.c), and repair it with
 * --repair. Exit 0: clean or repaired; 1: problems left, or a failure. */
static int verb_fsck(struct sdi *s, int argc, char **argv)
{
	static char text[256 * 1024];
	struct fs_check_req rep;
	int r, h;

	(void)argc;
	(void)argv;
	s->no_repair_at_mount = 1;
	if (sdi_boot(s, !s->o.repair))
		return 1;
	memset(&rep, 0, sizeof(rep));
	r = fs_check(s->vol.fs, s->o.repair ? FS_CHECK_REPAIR : 0, text, sizeof(text), malloc,
	             free, &rep);
	h = sdi_halt(s);
	fputs(text, stdout);
	if (r < 0) {
		cli_error(s->cmd, s->img, "cannot check it: %s; %s", nos_strerror(r),
		          r == -NOS_ENOMEM ? "free some memory and try again"
		                           : "copy the image and run fsck.fat -n on the copy");
		return 1;
	}
	if (r == 0) {
		printf("%s: clean: %u files, %u directories\n", s->img, rep.files, rep.dirs);
		return h;
	}
	if (s->o.repair) {
		printf("%s: %d problem%s repaired (%u lost clusters freed)\n", s->img, r,
		       r == 1 ? "" : "s", rep.lost_clusters);
		return h;
	}
	printf("%s: %d problem%s found; repair with `nanoos sdimage fsck --repair %s`\n",
	       s->img, r, r == 1 ? "" : "s", s->img);
	return 1;
}

/* ================================================================ dispatch */

enum { SDI_BOOT_NONE, SDI_BOOT_RO, SDI_BOOT_RW };

struct sdi_verb {
	const char *name;
	int (*run)(struct sdi *s, int argc, char **argv);
	int boot;                       /* SDI_BOOT_* */
	int min_args, max_args;         /* positional, IMG included */
	const char *opts;               /* the option letters it takes */
	const char *usage;
	const char *about;              /* VERB --help says more; NULL: usage only */
};

/* Long options share letters with the short ones they stand for. */
static const struct option sdi_long[] = {
	{ "size", required_argument, NULL, 's' },
	{ "fat", required_argument, NULL, 'F' },
	{ "label", required_argument, NULL, 'L' },
	{ "rootfs", required_argument, NULL, 'T' },
	{ "bare", no_argument, NULL, 'B' },
	{ "force", no_argument, NULL, 'f' },
	{ "recursive", no_argument, NULL, 'r' },
	{ "parents", no_argument, NULL, 'p' },
	{ "repair", no_argument, NULL, 'a' },
	{ "no-passwords", no_argument, NULL, 'P' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct sdi_verb sdi_verbs[] = {
	{ "create", verb_create, SDI_BOOT_NONE, 1, 1, "sFLTBfP",
	  "create IMG --size 64M [--fat 12|16|32] [--label L] [--bare] [--rootfs DIR "
	  "[--no-passwords]] [--force]", NULL },
	{ "info", verb_info, SDI_BOOT_RO, 1, 1, "f", "info IMG", NULL },
	{ "ls", verb_ls, SDI_BOOT_RO, 1, 2, "lRf", "ls [-l] [-R] IMG [PATH]", NULL },
	{ "cat", verb_cat, SDI_BOOT_RO, 2, 2, "f", "cat IMG PATH", NULL },
	{ "get", verb_get, SDI_BOOT_RO, 3, 3, "rf", "get [-r] IMG PATH HOSTFILE", NULL },
	{ "put", verb_put, SDI_BOOT_RW, 3, 3, "rf", "put [-r] IMG HOSTFILE PATH", NULL },
	{ "rm", verb_rm, SDI_BOOT_RW, 2, 2, "rf", "rm [-r] IMG PATH", NULL },
	{ "mkdir", verb_mkdir, SDI_BOOT_RW, 2, 2, "pf", "mkdir [-p] IMG PATH", NULL },
	{ "rmdir", verb_rmdir, SDI_BOOT_RW, 2, 2, "f", "rmdir IMG PATH", NULL },
	{ "mv", verb_mv, SDI_BOOT_RW, 3, 3, "f", "mv IMG FROM TO", NULL },
	{ "df", verb_df, SDI_BOOT_RO, 1, 1, "f", "df IMG", NULL },
	{ "fsck", verb_fsck, SDI_BOOT_NONE, 1, 1, "af", "fsck [--repair] IMG", NULL },
	{ "update-rootfs", verb_update_rootfs, SDI_BOOT_NONE, 1, 1, "Tnf",
	  "update-rootfs IMG [--rootfs DIR] [--dry-run]",
	  "Refresh the userland of an existing image from DIR (default: the userland\n"
	  "installed with nanoos, /usr/lib/nanoos/rootfs, or build/rootfs beside a built\n"
	  "nanoos; NANOOS_ROOTFS overrides). The volume's /etc/rootfs.manifest records\n"
	  "the programs of /bin the userland installed, with their size and checksum.\n"
	  "A program of DIR/bin replaces the volume's copy when they differ and the\n"
	  "copy is the userland's, as installed; new ones are added, and whatever else\n"
	  "of DIR the volume lacks is created. Kept, and said so: a program of /bin the\n"
	  "record does not name (you added it, even under a name DIR/bin has too), or\n"
	  "one you changed since it was installed (an older record, of names only,\n"
	  "cannot tell). What the volume has outside /bin -- accounts, home\n"
	  "directories, your files -- is never changed, and the\n"
	  "accounts' files (/etc/passwd, /etc/shadow, /etc/group) are never added, nor\n"
	  "a file of /etc beside which NAME+ or NAME- lies (an interrupted change, as\n"
	  "/etc/shadow+ after a cut inside passwd): skipped, and said why. A program\n"
	  "the record names, unchanged, that DIR no longer has is removed. An image\n"
	  "without a record loses no program, but each one DIR/bin also has is taken\n"
	  "for the userland's and replaced. A volume without room for the files and\n"
	  "directory entries is refused untouched. The image must not be in use: stop\n"
	  "the daemon first.\n\n"
	  "  --rootfs DIR   the userland tree to take the programs from\n"
	  "  -n, --dry-run  print what would change; write nothing\n" },
};

#define SDI_NVERBS (sizeof(sdi_verbs) / sizeof(sdi_verbs[0]))

static void sdi_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: nanoos sdimage VERB [OPTIONS] IMG [ARGS]\n\n"
	        "Make, inspect and change SD card images: an MBR with one FAT partition\n"
	        "(or a bare FAT volume), or a card in a reader (--force). Paths on the\n"
	        "volume are absolute (a relative one starts at /).\n\n");
	for (i = 0; i < SDI_NVERBS; i++)
		fprintf(out, "  nanoos sdimage %s\n", sdi_verbs[i].usage);
	fprintf(out, "\nSizes: a number of bytes, or with K, M, G (powers of 1024).\n"
	        "Exit status: 0 done, 1 failed (one line on stderr says why), 2 bad usage.\n");
}

static int sdi_parse(struct sdi *s, const struct sdi_verb *v, int argc, char **argv)
{
	int c;

	optind = 0;                     /* GNU: start afresh; options may come
	                                 * anywhere (ls IMG -l), "--" ends them */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "lRrpfhn", sdi_long, NULL)) != -1) {
		if (c == '?' || (c != 'h' && strchr(v->opts, c) == NULL)) {
			cli_error(s->cmd, NULL, "%s: no such option here; usage: nanoos sdimage %s",
			          argv[optind - 1], v->usage);
			return 2;
		}
		switch (c) {
		case 'h':
			printf("usage: nanoos sdimage %s\n", v->usage);
			if (v->about)
				printf("\n%s", v->about);
			return 0;
		case 'l': s->o.long_list = 1; break;
		case 'R': s->o.recursive_list = 1; break;
		case 'r': s->o.recursive = 1; break;
		case 'p': s->o.parents = 1; break;
		case 'f': s->o.force = 1; break;
		case 'a': s->o.repair = 1; break;
		case 'P': s->o.no_passwords = 1; break;
		case 'n': s->o.dry_run = 1; break;
		case 'B': s->o.bare = 1; break;
		case 's': s->o.size = optarg; break;
		case 'F': s->o.fat = optarg; break;
		case 'L': s->o.label = optarg; break;
		case 'T': s->o.rootfs = optarg; break;
		}
	}
	return -1;
}

int sdimage_main(int argc, char **argv)
{
	static struct sdi s;            /* holds the SDI_CHUNK copy buffer */
	const struct sdi_verb *v = NULL;
	size_t i;
	int r, nargs;

	if (argc < 2) {
		sdi_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		sdi_usage(stdout);
		return 0;
	}
	for (i = 0; i < SDI_NVERBS; i++)
		if (strcmp(argv[1], sdi_verbs[i].name) == 0)
			v = &sdi_verbs[i];
	if (v == NULL) {
		fprintf(stderr, "nanoos sdimage: %s: no such verb; `nanoos sdimage --help` "
		        "lists them\n", argv[1]);
		return 2;
	}
	memset(&s, 0, sizeof(s));
	s.verb = v->name;
	snprintf(s.cmd, sizeof(s.cmd), "sdimage %s", v->name);
	r = sdi_parse(&s, v, argc - 1, argv + 1);
	if (r >= 0)
		return r;
	nargs = argc - 1 - optind;
	if (nargs < v->min_args || nargs > v->max_args) {
		cli_error(s.cmd, NULL, "%s operands; usage: nanoos sdimage %s",
		          nargs < v->min_args ? "missing" : "too many", v->usage);
		return 2;
	}
	argv += 1 + optind;
	s.img = nargs ? argv[0] : "";
	signal(SIGPIPE, SIG_IGN);       /* a closed pipe is an error we report */
	if (msg_init_runtime("main") < 0) {
		cli_error(s.cmd, NULL, "cannot start the message runtime; please report it");
		return 1;
	}
	if (v->boot == SDI_BOOT_NONE) {
		r = v->run(&s, nargs, argv);
	} else {
		r = sdi_boot(&s, v->boot == SDI_BOOT_RO);
		if (r == 0)
			r = v->run(&s, nargs, argv);
		if (sdi_halt(&s) && r == 0)
			r = 1;
	}
	msg_shutdown_runtime();
	return r;
}
