/*
 * backend.h: how the FUSE operations (fuse-bridge/ops.c) reach the volume.
 * One table of calls, two implementations, so the operations are written
 * once (DESIGN.md section 8):
 *
 *   local  (fuse-bridge/local.c)  `nanoos mount` boots its own instance,
 *          sdcard + fs, in this process. Each libfuse thread attaches to the
 *          message runtime as ("fuse", i) on first use and sends fs its
 *          messages itself (kproc/fs.h); fs lets the ("fuse", *) threads
 *          share their handles (kproc/proto.h, FS_FUSE_THREADS_MAX).
 *   remote (fuse-bridge/remote.c) a nanoosd owns the image: every call is a
 *          CTL_MSG_FS_* frame (nanoosd/ctl.h) on one connection, tagged so
 *          many threads can wait at once; the daemon's session thread for
 *          that connection calls fs (nanoosd/fsfwd.c) with the credentials
 *          of the account HELLO named, owns the handles, and closes them
 *          when the connection ends.
 *
 * Contract for both:
 *   - Every call returns >= 0 or -NOS_E* (kproc/nos_errno.h: Linux's
 *     numbers, so ops.c may hand them to libfuse as they are).
 *   - Every call may come from many threads at once.
 *   - Paths are absolute on the volume ("/", "/dir/file"), UTF-8, at most
 *     FS_PATH_MAX - 1 bytes.
 *   - Handles are small ints from open (FS_O_* flags); a directory is opened
 *     with FS_O_DIRECTORY and read with readdir.
 *   - Times are Unix seconds (UTC); utimens also takes FAT_TIME_NOW and
 *     FAT_TIME_OMIT (kproc/fat.h).
 *   - When the volume cannot be reached any more (the daemon died or closed
 *     the connection), every call fails with -NOS_ENOTCONN.
 */
#ifndef NOS_FB_BACKEND_H
#define NOS_FB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/proto.h"

struct client;

struct fb_backend {
	const char *kind;               /* "local" or "remote", for messages */
	int read_only;                  /* the volume refuses writes (-NOS_EROFS) */

	int (*open)(struct fb_backend *b, const char *path, unsigned flags);
	int (*close)(struct fb_backend *b, int h);
	int32_t (*pread)(struct fb_backend *b, int h, void *buf, uint32_t len, int64_t off);
	int32_t (*pwrite)(struct fb_backend *b, int h, const void *buf, uint32_t len,
	                  int64_t off);
	int (*ftruncate)(struct fb_backend *b, int h, uint32_t len);
	int (*fsync)(struct fb_backend *b, int h);
	int (*fstat)(struct fb_backend *b, int h, struct fs_stat *st);
	int (*stat)(struct fb_backend *b, const char *path, struct fs_stat *st);
	/* The next entries of an open directory, at most max into ents: how
	 * many (0 at the end). "." and ".." are not among them. */
	int (*readdir)(struct fb_backend *b, int h, struct fs_dirent *ents, int max);
	int (*mkdir)(struct fb_backend *b, const char *path);
	int (*rmdir)(struct fb_backend *b, const char *path);
	int (*unlink)(struct fb_backend *b, const char *path);
	int (*rename)(struct fb_backend *b, const char *from, const char *to,
	              unsigned flags);                  /* FS_RENAME_NOREPLACE */
	int (*statfs)(struct fb_backend *b, struct fs_statfs *st);
	int (*sync)(struct fb_backend *b);                  /* everything on the card */
	int (*utimens)(struct fb_backend *b, const char *path, uint32_t atime, uint32_t mtime);
	int (*setro)(struct fb_backend *b, const char *path, int ro);  /* the FAT attribute */
	/* After the last request: sync, close what is open, stop the instance
	 * or the connection, free b. */
	void (*shutdown)(struct fb_backend *b);
};

/* local.c: boot sdcard + fs on image (locked: a second opener is told who
 * holds it). read_only: open the image read-only. On a volume that fails
 * its checks at mount the backend comes up read-only (b->read_only) and
 * warn[] says why and what to run; empty when all is well. 0, or -NOS_E*
 * with err[] saying what is wrong and what to do. */
int fb_local_open(const char *image, int read_only, struct fb_backend **out,
                  char *warn, size_t warn_len, char *err, size_t err_len);

/* remote.c: over a client connection that said HELLO (cli/client.h), which
 * the backend takes over (it closes it at shutdown). 0, or -NOS_E* with
 * err[] saying why (e.g. the daemon predates FUSE forwarding). */
int fb_remote_open(struct client *c, int read_only, struct fb_backend **out,
                   char *err, size_t err_len);

#endif
