/*
 * local.c: the FUSE bridge's backend when `nanoos mount` owns the image
 * (fuse-bridge/backend.h): sdcard + fs boot in this process, like
 * `nanoos sdimage` does (cli/sdimage_cmd.c), and every call is an fs_*
 * message (kproc/fs.h) sent by the libfuse thread that runs it.
 *
 * Threads: libfuse starts and retires worker threads as it likes. Each one
 * becomes the message process ("fuse", i) on its first call, i a free slot
 * below FS_FUSE_THREADS_MAX, and leaves it when the thread ends (a
 * pthread key's destructor), so the slot serves the next thread. fs lets
 * every ("fuse", *) process use the handles any of them opened. They act
 * as root: the Linux user who mounts owns the image.
 *
 * At mount: a volume that does not mount is refused with fs's reason; one
 * that mounts but fails its check (or was dirty and its repair failed)
 * comes up read-only, and warn[] says what is wrong and what to run.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuse-bridge/backend.h"
#include "kproc/fat.h"
#include "kproc/fs.h"
#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "msg/msg.h"
#include "sdimage/volume.h"

#define LOCAL_CHECK_TEXT 4096           /* the checker's first findings */

static const struct fs_cred local_root = { FS_UID_ROOT, "root" };

struct local {
	struct fb_backend b;            /* first: the backend is the local */
	struct volume vol;              /* sdcard + fs (sdimage/volume.h) */
};

/* ================================================================ threads */

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t slots_used;     /* bit i: ("fuse", i) is taken */

_Static_assert(FS_FUSE_THREADS_MAX <= 64, "one bit a slot in slots_used");

/* The thread ends: its process and its slot go. */
static void thread_gone(void *slot)
{
	uint64_t bit = 1ull << ((uintptr_t)slot - 1);

	msg_detach();
	atomic_fetch_and(&slots_used, ~bit);
}

static void thread_key_make(void)
{
	pthread_key_create(&thread_key, thread_gone);
}

static int take_slot(void)
{
	uint64_t used = atomic_load(&slots_used);
	int i;

	for (;;) {
		for (i = 0; i < FS_FUSE_THREADS_MAX; i++)
			if (!(used & (1ull << i)))
				break;
		if (i == FS_FUSE_THREADS_MAX)
			return -NOS_EAGAIN;
		if (atomic_compare_exchange_weak(&slots_used, &used, used | (1ull << i)))
			return i;
	}
}

/* Make the calling thread a message process if it is none yet (the main
 * thread is one: fs's parent). 0 or -NOS_EAGAIN (too many threads). */
static int local_attach(void)
{
	int i, r;

	if (msg_self() != MSG_PID_NONE)
		return 0;
	pthread_once(&thread_once, thread_key_make);
	i = take_slot();
	if (i < 0)
		return i;
	r = msg_attach("fuse", (unsigned)i);
	if (r < 0) {
		atomic_fetch_and(&slots_used, ~(1ull << i));
		return r;
	}
	pthread_setspecific(thread_key, (void *)(uintptr_t)(i + 1));
	return 0;
}

#define LOCAL(b) ((struct local *)(b))
#define ATTACH() do { int a_ = local_attach(); if (a_ < 0) return a_; } while (0)

/* ================================================================ calls */

static int l_open(struct fb_backend *b, const char *path, unsigned flags)
{
	ATTACH();
	return fs_open(LOCAL(b)->vol.fs, &local_root, path, flags);
}

static int l_close(struct fb_backend *b, int h)
{
	ATTACH();
	return fs_close(LOCAL(b)->vol.fs, h);
}

static int32_t l_pread(struct fb_backend *b, int h, void *buf, uint32_t len, int64_t off)
{
	ATTACH();
	return fs_pread(LOCAL(b)->vol.fs, h, buf, len, off);
}

static int32_t l_pwrite(struct fb_backend *b, int h, const void *buf, uint32_t len,
                        int64_t off)
{
	ATTACH();
	return fs_pwrite(LOCAL(b)->vol.fs, h, buf, len, off);
}

static int l_ftruncate(struct fb_backend *b, int h, uint32_t len)
{
	ATTACH();
	return fs_ftruncate(LOCAL(b)->vol.fs, h, len);
}

static int l_fsync(struct fb_backend *b, int h)
{
	ATTACH();
	return fs_fsync(LOCAL(b)->vol.fs, h);
}

static int l_fstat(struct fb_backend *b, int h, struct fs_stat *st)
{
	ATTACH();
	return fs_fstat(LOCAL(b)->vol.fs, h, st);
}

static int l_stat(struct fb_backend *b, const char *path, struct fs_stat *st)
{
	ATTACH();
	return fs_stat(LOCAL(b)->vol.fs, &local_root, path, st);
}

static int l_readdir(struct fb_backend *b, int h, struct fs_dirent *ents, int max)
{
	struct fs_readdir_req *q;
	int n = 0, r = 0;

	ATTACH();
	q = malloc(sizeof(*q));
	if (q == NULL)
		return -NOS_ENOMEM;
	while (n < max && (r = fs_readdir_r(LOCAL(b)->vol.fs, h, q)) > 0)
		ents[n++] = q->ent;
	free(q);
	return r < 0 && n == 0 ? r : n;
}

static int l_mkdir(struct fb_backend *b, const char *path)
{
	ATTACH();
	return fs_mkdir(LOCAL(b)->vol.fs, &local_root, path);
}

static int l_rmdir(struct fb_backend *b, const char *path)
{
	ATTACH();
	return fs_rmdir(LOCAL(b)->vol.fs, &local_root, path);
}

static int l_unlink(struct fb_backend *b, const char *path)
{
	ATTACH();
	return fs_unlink(LOCAL(b)->vol.fs, &local_root, path);
}

static int l_rename(struct fb_backend *b, const char *from, const char *to, unsigned flags)
{
	ATTACH();
	return fs_rename(LOCAL(b)->vol.fs, &local_root, from, to, flags);
}

static int l_statfs(struct fb_backend *b, struct fs_statfs *st)
{
	ATTACH();
	return fs_statfs(LOCAL(b)->vol.fs, st);
}

static int l_sync(struct fb_backend *b)
{
	ATTACH();
	return fs_sync(LOCAL(b)->vol.fs);
}

static int l_utimens(struct fb_backend *b, const char *path, uint32_t atime, uint32_t mtime)
{
	ATTACH();
	return fs_utimens(LOCAL(b)->vol.fs, &local_root, path, atime, mtime);
}

static int l_setro(struct fb_backend *b, const char *path, int ro)
{
	ATTACH();
	return fs_set_readonly(LOCAL(b)->vol.fs, &local_root, path, ro);
}

/* ================================================================ boot and halt */

static uint32_t local_clock(void *ctx)
{
	(void)ctx;
	return (uint32_t)time(NULL);
}

/* Stop fs and sdcard (fs unmounts: the volume is synced and marked
 * clean), then unlock the image. 0 or the first error. */
static int local_halt(struct local *l)
{
	return volume_halt(&l->vol);
}

/* Runs on the main thread after the last request (mount.c). */
static void l_shutdown(struct fb_backend *b)
{
	struct local *l = LOCAL(b);
	int r = local_halt(l);

	if (r < 0)
		fprintf(stderr, "nanoos mount: %s: writing the volume back failed: %s; check "
		        "the host disk, then `nanoos sdimage fsck %s`\n", l->vol.file.path,
		        nos_strerror(r), l->vol.file.path);
	free(l);
}

/* Start fs over the running sdcard, read-only or not. */
static int local_start_fs(struct local *l, int read_only, char *err, size_t err_len)
{
	/* A dirty volume is repaired first. */
	int r = volume_start_fs(&l->vol, read_only, 1, local_clock);

	if (r == 0)
		return 0;
	if (r == -NOS_EINVAL)
		snprintf(err, err_len, "%s: no FAT volume here (%s); check the path, or make "
		         "one with `nanoos sdimage create %s`", l->vol.file.path,
		         l->vol.cfg.err[0] ? l->vol.cfg.err : "not FAT", l->vol.file.path);
	else
		snprintf(err, err_len, "%s: cannot mount it: %s%s%s; check it with `nanoos "
		         "sdimage fsck %s`", l->vol.file.path, nos_strerror(r),
		         l->vol.cfg.err[0] ? ": " : "", l->vol.cfg.err, l->vol.file.path);
	return r;
}

/* The first line of the checker's text, for a one-line warning. */
static void first_line(const char *text, char *out, size_t n)
{
	size_t len = strcspn(text, "\n");

	if (len >= n)
		len = n - 1;
	memcpy(out, text, len);
	out[len] = 0;
}

/* Check the mounted volume without repairing. 0: clean (or the check
 * could not run, which warn[] says); > 0: problems, warn[] names them.
 * Every mount checks: it walks the FAT and the directories once, measured
 * at ~10 ms for a 256 MiB volume and ~30 ms for 2 GiB with 300 files. */
static int local_check(struct local *l, char *warn, size_t warn_len)
{
	static char text[LOCAL_CHECK_TEXT];
	struct fs_check_req rep;
	char first[200];
	int r;

	if (l->vol.cfg.repaired < 0) {
		snprintf(warn, warn_len, "%s was not unmounted cleanly and the repair at mount "
		         "failed; mounted read-only: run `nanoos sdimage fsck --repair %s` "
		         "after unmounting", l->vol.file.path, l->vol.file.path);
		return 1;
	}
	memset(&rep, 0, sizeof(rep));
	text[0] = 0;
	r = fs_check(l->vol.fs, 0, text, sizeof(text), malloc, free, &rep);
	if (r < 0) {
		snprintf(warn, warn_len, "%s: could not check the volume (%s); mounted as it is",
		         l->vol.file.path, nos_strerror(r));
		return 0;
	}
	if (r == 0 && l->vol.cfg.repaired > 0)
		snprintf(warn, warn_len, "%s was not unmounted cleanly; %d problem%s repaired at "
		         "mount", l->vol.file.path, l->vol.cfg.repaired, l->vol.cfg.repaired == 1 ? "" : "s");
	if (r == 0)
		return 0;
	first_line(text, first, sizeof(first));
	snprintf(warn, warn_len, "%s: the volume has %d problem%s (%s%s); mounted read-only: "
	         "unmount it and run `nanoos sdimage fsck --repair %s`", l->vol.file.path, r,
	         r == 1 ? "" : "s", first, r > 1 ? ", ..." : "", l->vol.file.path);
	return r;
}

static void local_table(struct local *l, int read_only)
{
	struct fb_backend *b = &l->b;

	b->kind = "local";
	b->read_only = read_only;
	b->open = l_open;
	b->close = l_close;
	b->pread = l_pread;
	b->pwrite = l_pwrite;
	b->ftruncate = l_ftruncate;
	b->fsync = l_fsync;
	b->fstat = l_fstat;
	b->stat = l_stat;
	b->readdir = l_readdir;
	b->mkdir = l_mkdir;
	b->rmdir = l_rmdir;
	b->unlink = l_unlink;
	b->rename = l_rename;
	b->statfs = l_statfs;
	b->sync = l_sync;
	b->utimens = l_utimens;
	b->setro = l_setro;
	b->shutdown = l_shutdown;
}

/* Open the image, start sdcard and fs; a volume that fails its check is
 * mounted again read-only. */
static int local_boot(struct local *l, const char *image, int read_only, char *warn,
                      size_t warn_len, char *err, size_t err_len)
{
	int r;

	r = sd_file_open(&l->vol.file, image, read_only ? SD_FILE_READ_ONLY : 0, err, err_len);
	if (r < 0)
		return r;
	l->vol.file_open = 1;
	r = volume_start_card(&l->vol);
	if (r < 0) {
		snprintf(err, err_len, "%s: cannot start the sdcard process: %s; this should "
		         "not happen, please report it", image, nos_strerror(r));
		return r;
	}
	r = local_start_fs(l, read_only, err, err_len);
	if (r < 0)
		return r;
	if (local_check(l, warn, warn_len) == 0 || read_only)
		return read_only;
	volume_stop_fs(&l->vol);                /* unmounts; nothing was written */
	r = local_start_fs(l, 1, err, err_len);
	return r < 0 ? r : 1;
}

int fb_local_open(const char *image, int read_only, struct fb_backend **out,
                  char *warn, size_t warn_len, char *err, size_t err_len)
{
	struct local *l;
	int r;

	*out = NULL;
	warn[0] = 0;
	err[0] = 0;
	if (msg_self() == MSG_PID_NONE && msg_init_runtime("main") < 0) {
		snprintf(err, err_len, "cannot start the message runtime; please report it");
		return -NOS_EAGAIN;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		snprintf(err, err_len, "out of memory; free some memory and try again");
		return -NOS_ENOMEM;
	}
	volume_init(&l->vol);
	r = local_boot(l, image, read_only, warn, warn_len, err, err_len);
	if (r < 0) {
		local_halt(l);
		free(l);
		return r;
	}
	local_table(l, r);
	*out = &l->b;
	return 0;
}
