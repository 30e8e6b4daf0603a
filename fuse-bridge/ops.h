/*
 * ops.h: the libfuse3 operations of `nanoos mount` (high-level, path based
 * API) over a struct fb_backend (fuse-bridge/backend.h), and the mount's
 * view of FAT's missing owners and modes (like vfat's uid=, gid=, umask=,
 * fmask=, dmask=).
 */
#ifndef NOS_FB_OPS_H
#define NOS_FB_OPS_H

#define FUSE_USE_VERSION 314
#include <fuse.h>
#include <sys/types.h>

#include "fuse-bridge/backend.h"

struct fb_view {
	uid_t uid;                      /* every file's owner */
	gid_t gid;
	mode_t fmask, dmask;            /* bits files / directories never show */
	int read_only;                  /* -o ro: every change fails with EROFS */
	int writeback;                  /* local: kernel write-back cache and long
	                                 * timeouts; remote: none, others change it */
};

/* What the operations reach through fuse_get_context()->private_data. */
struct fb_mount {
	struct fb_backend *b;
	struct fb_view view;
	uint32_t cluster_size;          /* st_blksize */
};

/* The operations; pass a struct fb_mount as fuse_new's user_data. */
const struct fuse_operations *fb_operations(void);

#endif
