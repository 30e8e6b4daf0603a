/*
 * sd_file.h: sdcard's Linux backends: an image file, or a block device (a
 * real SD card in a reader, a loop device). Linux port code (POSIX).
 *
 * To get a backend, call sd_file_open(); hand &f->be to sdcard_start(); when
 * sdcard is stopped, call sd_file_close(). Reads and writes are
 * pread/pwrite; flush is fdatasync.
 *
 * One opener at a time. sd_file_open takes an exclusive lock on the image
 * (flock: it belongs to the open file description, so a second open fails
 * even in the same process, and the kernel drops it when the holder dies)
 * and writes a holder record, "pid 1234: nanoosd --image sd.img", to
 *   IMAGE.lock                       beside an image file,
 *   /run/lock/nanoos-NAME.lock       for a block device /dev/NAME (or /tmp
 *                                    when /run/lock is missing).
 * The lock decides; the record only tells a second opener whom to blame. A
 * record whose writer is gone (its lock is free) is stale and replaced.
 *
 * Block devices need SD_FILE_FORCE and are refused while the device or any
 * partition of it is mounted (/proc/self/mounts).
 */
#ifndef NOS_SD_FILE_H
#define NOS_SD_FILE_H

#include <limits.h>
#include <stddef.h>

#include "kproc/sdcard.h"

#define SD_FILE_FORCE     0x1u  /* allow a block device (`--force`) */
#define SD_FILE_READ_ONLY 0x2u  /* open for reading only */

struct sd_file {
	int fd;
	unsigned char blockdev;
	char path[PATH_MAX];
	char record[PATH_MAX];          /* the holder record; "" if none written */
	char model[32];
	struct sd_backend be;           /* what sdcard_start() takes */
};

/*
 * Open path as sdcard's backend (f->be). 0, or -NOS_E* with a sentence in
 * err (what, where, what to do) when err is not NULL:
 *   -NOS_ENOENT/EACCES/EROFS/...  path cannot be opened (the system's reason)
 *   -NOS_EBUSY    another opener holds it (the text names its pid and
 *                 command), or a block device that is mounted
 *   -NOS_EPERM    a block device without SD_FILE_FORCE
 *   -NOS_EINVAL   neither a regular file nor a block device, or under one block
 *   -NOS_EFBIG    over 2 TiB (2^32 blocks)
 */
int sd_file_open(struct sd_file *f, const char *path, unsigned flags,
                 char *err, size_t errlen);

/* Remove the holder record and release the lock. Does not flush: flush
 * through sdcard first. 0, or -NOS_EIO if close reported a lost write. */
int sd_file_close(struct sd_file *f);

#endif
