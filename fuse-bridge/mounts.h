/*
 * mounts.h: what `nanoos mount` and `nanoos umount` know about mounts:
 * the mount table (/proc/self/mountinfo), paths that may be dead mounts,
 * and the server record: which process serves a mount point, kept in
 *   $XDG_RUNTIME_DIR/nanoos/mounts/  (or /tmp/nanoos-$UID/mounts/)
 * one file a mount point ("PID\nMOUNTPOINT\n"), so umount can wait for the
 * server to write the volume back and exit.
 */
#ifndef NOS_FB_MOUNTS_H
#define NOS_FB_MOUNTS_H

#include <stddef.h>
#include <sys/types.h>

#define FBM_TYPE "fuse.nanoos"

/* dir as an absolute path with no ".", ".." or symlinks, without looking
 * at dir itself (it may be a dead FUSE mount: stat fails ENOTCONN).
 * 0, or -errno of the parent's realpath. */
int fbm_canon(const char *dir, char *out, size_t n);

/* The mount whose mount point is path (fbm_canon'd): 1 (type and source
 * filled in, e.g. "fuse.nanoos", "nanoos:/x/sd.img"), 0 none, -errno when
 * the table cannot be read. */
int fbm_find(const char *path, char *type, size_t type_len, char *source,
             size_t source_len);

/* The server record of a mount point: write (0 or -errno), read (its pid,
 * or 0 when there is none or it names a process that is gone), remove
 * (only pid's own record). */
int fbm_record_write(const char *mountpoint, pid_t pid);
pid_t fbm_record_read(const char *mountpoint);
void fbm_record_remove(const char *mountpoint, pid_t pid);	/* if pid's */

/* Unmount dir: umount2 as root, else fusermount3 -u; lazy: detach now
 * (MNT_DETACH, fusermount3 -uz), the kernel ends the session when the
 * last user lets go. 0, -EBUSY (in use), or -1 with err saying why. */
int fbm_unmount(const char *dir, int lazy, char *err, size_t n);

#endif
