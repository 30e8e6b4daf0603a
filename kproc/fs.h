/*
 * fs.h: start the fs kernel process (kproc/fs.c), and its client side: one
 * function per message (kproc/proto.h), each building the message and
 * calling fs. Used by sched, the sdimage tool and the FUSE bridge.
 * Portable.
 */
#ifndef NOS_FS_H
#define NOS_FS_H

#include "kproc/proto.h"
#include "kproc/sdcard.h"

struct fs_config {
	msg_pid_t sdcard;               /* the card's process (sdcard_start) */
	unsigned mount_flags;           /* FAT_MOUNT_* (kproc/fat.h) */
	uint32_t (*now)(void *ctx);     /* Unix seconds, UTC, for timestamps */
	void *now_ctx;
	size_t stack_size;              /* 0: the backend's default */
	/* Memory for the repair of a volume found dirty at mount (the port's
	 * malloc and free); NULL: no repair at mount, the volume mounts as is
	 * and fs says so in its log. */
	void *(*alloc)(size_t n);
	void (*release)(void *p);
	char err[160];                  /* out: why the volume did not mount */
	int repaired;                   /* out: problems fixed at mount */
};

/* Start fs (registered as "fs", 0) over the card and mount its volume.
 * cfg must outlive fs. 0, or why not: the mount's error (cfg->err says what
 * and where), -NOS_EPERM (sdcard refused: fs must be its only client),
 * -NOS_EEXIST (an fs runs already). Stop it with kproc_stop: it unmounts. */
int fs_start(struct fs_config *cfg, msg_pid_t *pid);

/* ---- client side: the reply of each message ---- */
int fs_open(msg_pid_t fs, const struct fs_cred *cred, const char *path, unsigned flags);
int fs_close(msg_pid_t fs, int handle);
int32_t fs_pread(msg_pid_t fs, int handle, void *buf, uint32_t len, int64_t offset);
int32_t fs_pwrite(msg_pid_t fs, int handle, const void *buf, uint32_t len, int64_t offset);
int fs_seek(msg_pid_t fs, int handle, int64_t offset, int whence, uint32_t *pos);
int fs_ftruncate(msg_pid_t fs, int handle, uint32_t len);
int fs_fsync(msg_pid_t fs, int handle);
int fs_fstat(msg_pid_t fs, int handle, struct fs_stat *st);
int fs_stat(msg_pid_t fs, const struct fs_cred *cred, const char *path, struct fs_stat *st);
int fs_readdir(msg_pid_t fs, int handle, struct fs_dirent *ent);   /* 1, 0 at the end */
/* The same for callers that run on several threads at once: q is the
 * caller's (about 800 bytes); the entry is left in q->ent. */
int fs_readdir_r(msg_pid_t fs, int handle, struct fs_readdir_req *q);
int fs_mkdir(msg_pid_t fs, const struct fs_cred *cred, const char *path);
int fs_rmdir(msg_pid_t fs, const struct fs_cred *cred, const char *path);
int fs_unlink(msg_pid_t fs, const struct fs_cred *cred, const char *path);
int fs_rename(msg_pid_t fs, const struct fs_cred *cred, const char *from, const char *to,
              unsigned flags);
int fs_statfs(msg_pid_t fs, struct fs_statfs *st);
int fs_sync(msg_pid_t fs);
int fs_utimens(msg_pid_t fs, const struct fs_cred *cred, const char *path, uint32_t atime,
               uint32_t mtime);
int fs_set_readonly(msg_pid_t fs, const struct fs_cred *cred, const char *path, int ro);
/* Check the volume, and repair it with FS_CHECK_REPAIR: the problems found,
 * their lines in text (text_len bytes, may be 0). The scratch is allocated
 * here with alloc (malloc on Linux). -NOS_ENOMEM if it cannot be. */
int fs_check(msg_pid_t fs, unsigned flags, char *text, uint32_t text_len,
             void *(*alloc)(size_t), void (*release)(void *),
             struct fs_check_req *out);

#endif
