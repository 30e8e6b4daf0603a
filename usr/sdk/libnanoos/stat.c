/* stat.c: stat, fstat, lstat, fstatat through Linux's statx (291), the only
 * stat call RV32 Linux has. statx fields are copied into picolibc's struct
 * stat (its dev_t, ino_t and uid_t are 16-bit and off_t 32-bit: a size that
 * does not fit is EOVERFLOW, as a 32-bit Linux libc without LFS says). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "sys.h"

struct linux_statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct linux_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};

#define STATX_BASIC_STATS 0x7ff

static struct timespec timespec_of(const struct linux_statx_timestamp *t)
{
	struct timespec ts = { .tv_sec = t->tv_sec, .tv_nsec = t->tv_nsec };
	return ts;
}

static int stat_from_statx(struct stat *st, const struct linux_statx *sx)
{
	if (sx->stx_size > 0x7fffffffULL) {
		errno = EOVERFLOW;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_dev = (dev_t)((sx->stx_dev_major << 8) | (sx->stx_dev_minor & 0xff));
	st->st_ino = (ino_t)sx->stx_ino;
	st->st_mode = sx->stx_mode;
	st->st_nlink = (nlink_t)sx->stx_nlink;
	st->st_uid = (uid_t)sx->stx_uid;
	st->st_gid = (gid_t)sx->stx_gid;
	st->st_rdev = (dev_t)((sx->stx_rdev_major << 8) | (sx->stx_rdev_minor & 0xff));
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = (blksize_t)sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	st->st_atim = timespec_of(&sx->stx_atime);
	st->st_mtim = timespec_of(&sx->stx_mtime);
	st->st_ctim = timespec_of(&sx->stx_ctime);
	return 0;
}

static int statx_into(int dirfd, const char *path, int linux_flags, struct stat *st)
{
	struct linux_statx sx;
	long r = sys5(SYS_statx, dirfd, path, linux_flags, STATX_BASIC_STATS, &sx);
	if (sys_failed(r))
		return sys_error(r);
	return stat_from_statx(st, &sx);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return statx_into(abi_dirfd_to_linux(dirfd), path, abi_at_flags_to_linux(flags), st);
}

int stat(const char *path, struct stat *st)
{
	return statx_into(LINUX_AT_FDCWD, path, 0, st);
}

int lstat(const char *path, struct stat *st)
{
	return statx_into(LINUX_AT_FDCWD, path, LINUX_AT_SYMLINK_NOFOLLOW, st);
}

int fstat(int fd, struct stat *st)
{
	return statx_into(fd, "", LINUX_AT_EMPTY_PATH, st);
}
