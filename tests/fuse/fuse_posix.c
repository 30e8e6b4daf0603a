/*
 * fuse_posix.c: POSIX-behaviour checks over a directory, one "ok:" or
 * "FAILED:" line each, for tests/integration/fuse-posix.sh.
 *
 *   fuse_posix [--posix] [--only PART] DIR
 *
 * DIR is normally the root of a `nanoos mount`; the checks run in a fresh
 * DIR/posix.d (DIR itself is used only for "rmdir of the mount root").
 * Where FAT cannot do what POSIX asks, the expected answer is what Linux's
 * vfat driver gives (fs/fat: no links, no special files, no owners, names
 * without : * ? < > | " \, case kept but looked up case-blind, mtime in
 * 2 s steps). --posix switches those expectations to a POSIX file system's
 * (run it on tmpfs to prove that the checks themselves are right).
 * --only PART runs the checks of one part (open, rw, truncate, unlink,
 * afterclose, dirs, rename, times, names, readdir, statfs, refusals,
 * writebits, mmap) after open's, whose files the others use.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuse/fcheck.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE  (1 << 1)
#endif

static int posix_mode;          /* --posix: no FAT-only expectations */
static const char *mount_root;  /* DIR */
static char work[PATH_MAX];     /* DIR/posix.d */

/* A path under the work directory; four rotating buffers so a call can
 * take two or three of them. */
static const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *P(const char *fmt, ...)
{
	static char bufs[4][PATH_MAX + 512];
	static int next;
	char *b = bufs[next++ & 3];
	int n = snprintf(b, sizeof(bufs[0]), "%s/", work);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b + n, sizeof(bufs[0]) - n, fmt, ap);
	va_end(ap);
	return b;
}

/* Create (or replace) path with len bytes of pattern seed: 0, or -1. */
static int put(const char *path, size_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len + 1);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && buf;

	if (ok) {
		fc_fill(buf, len, seed, 0);
		ok = write(fd, buf, len) == (ssize_t)len;
	}
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	free(buf);
	return ok ? 0 : -1;
}

/* The whole of path must be len bytes of pattern seed. */
static int holds(const char *path, size_t len, uint32_t seed)
{
	uint8_t *buf = malloc(len + 1);
	int fd = open(path, O_RDONLY);
	int ok = fd >= 0 && buf && read(fd, buf, len + 1) == (ssize_t)len &&
	         fc_verify(buf, len, seed, 0) < 0;

	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

static long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* How many bytes of buf from 0 are zero. */
static size_t zeros(const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len && buf[i] == 0)
		i++;
	return i;
}

/* stat path into st; on failure st is all zero (st_mode 0: no file type).
 * Called before a check, never inside one: the order in which a call's
 * arguments are evaluated is unspecified. */
static void stat_into(const char *path, struct stat *st)
{
	if (stat(path, st) != 0)
		memset(st, 0, sizeof(*st));
}

static int renameat2_(const char *from, const char *to, unsigned flags)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

/* ---------------------------------------------------------------- open */
static void check_open(void)
{
	int fd;

	fd = open(P("o1"), O_RDWR | O_CREAT | O_EXCL, 0644);
	fc_errno(fd, 0, "open O_CREAT|O_EXCL of a new file");
	if (fd >= 0)
		close(fd);
	fd = open(P("o1"), O_RDWR | O_CREAT | O_EXCL, 0644);
	fc_errno(fd, EEXIST, "open O_CREAT|O_EXCL of an existing file -> EEXIST");
	if (fd >= 0)
		close(fd);
	fc_errno(open(P("missing"), O_RDONLY), ENOENT, "open of a missing file -> ENOENT");
	fc_errno(open(P("nodir/f"), O_RDWR | O_CREAT, 0644), ENOENT,
	         "create under a missing parent -> ENOENT");
	fc_errno(open(P("o1/f"), O_RDONLY), ENOTDIR,
	         "open with a file as a path component -> ENOTDIR");
	fc_errno(open(P("o1/f"), O_RDWR | O_CREAT, 0644), ENOTDIR,
	         "create with a file as a path component -> ENOTDIR");
	fc_errno(open(P("o1"), O_RDONLY | O_DIRECTORY), ENOTDIR,
	         "open O_DIRECTORY of a file -> ENOTDIR");
	fc_errno(mkdir(P("od"), 0755), 0, "mkdir od");
	fd = open(P("od"), O_RDONLY | O_DIRECTORY);
	fc_errno(fd, 0, "open O_DIRECTORY of a directory");
	if (fd >= 0)
		close(fd);
	fc_errno(open(P("od"), O_WRONLY), EISDIR, "open of a directory for writing -> EISDIR");

	put(P("ot"), 5000, 1);
	fd = open(P("ot"), O_RDWR | O_TRUNC);
	fc_errno(fd, 0, "open O_TRUNC of an existing file");
	if (fd >= 0)
		close(fd);
	fc_check(size_of(P("ot")) == 0, "O_TRUNC leaves size 0", "size %ld", size_of(P("ot")));

	put(P("oa"), 100, 2);
	fd = open(P("oa"), O_WRONLY | O_APPEND);
	if (fc_errno(fd, 0, "open O_APPEND")) {
		uint8_t buf[50];

		fc_fill(buf, sizeof(buf), 2, 100);
		lseek(fd, 0, SEEK_SET);
		fc_check(write(fd, buf, 50) == 50, "write with O_APPEND after lseek(0)",
		         "%s", strerror(errno));
		close(fd);
	}
	fc_check(holds(P("oa"), 150, 2), "O_APPEND appends (150 bytes, nothing overwritten)",
	         "size %ld or content wrong", size_of(P("oa")));
}

/* ---------------------------------------------------------------- read/write */
static void check_read_write(void)
{
	uint8_t buf[8192], want[8192];
	int fd = open(P("rw"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (!fc_errno(fd, 0, "create rw"))
		return;
	fc_fill(want, 4096, 3, 1000);
	fc_check(pwrite(fd, want, 4096, 1000) == 4096, "pwrite 4096 at 1000", "%s",
	         strerror(errno));
	memset(buf, 0xAA, sizeof(buf));
	fc_check(pread(fd, buf, 1000, 0) == 1000 && zeros(buf, 1000) == 1000,
	         "the 1000 bytes before the first write read as zeros", "not zeros");
	fc_check(pread(fd, buf, 4096, 1000) == 4096 && fc_verify(buf, 4096, 3, 1000) < 0,
	         "pread at 1000 returns what pwrite wrote", "content differs");
	fc_check(pread(fd, buf, 100, 2000) == 100 && fc_verify(buf, 100, 3, 2000) < 0,
	         "pread in the middle of a write", "content differs");
	/* Overwrite a piece straddling the old end. */
	fc_fill(want, 1000, 4, 4600);
	fc_check(pwrite(fd, want, 1000, 4600) == 1000, "pwrite straddling the end",
	         "%s", strerror(errno));
	fc_check(size_of(P("rw")) == 5600, "size after straddling write is 5600", "size %ld",
	         size_of(P("rw")));
	fc_check(pread(fd, buf, 8192, 4000) == 1600 && fc_verify(buf, 600, 3, 4000) < 0 &&
	         fc_verify(buf + 600, 1000, 4, 4600) < 0,
	         "short read at EOF returns the 1600 bytes left, old and new", "wrong");
	fc_check(pread(fd, buf, 100, 5600) == 0, "pread at EOF returns 0", "not 0");
	fc_check(pread(fd, buf, 100, 100000) == 0, "pread past EOF returns 0", "not 0");

	/* A write far past the end leaves a gap of zeros. */
	fc_fill(want, 10, 5, 300000);
	fc_check(pwrite(fd, want, 10, 300000) == 10, "pwrite 10 bytes at 300000", "%s",
	         strerror(errno));
	fc_check(size_of(P("rw")) == 300010, "size after write past the end", "size %ld",
	         size_of(P("rw")));
	{
		uint8_t *gap = malloc(300000);
		int good = gap && pread(fd, gap, 300000 - 5600, 5600) == 300000 - 5600 &&
		           zeros(gap, 300000 - 5600) == 300000 - 5600;

		fc_check(good, "the gap left by a write past the end reads as zeros", "not zeros");
		free(gap);
	}
	fc_check(pread(fd, buf, 100, 300000) == 10 && fc_verify(buf, 10, 5, 300000) < 0,
	         "the bytes past the gap", "wrong");
	fc_errno(fsync(fd), 0, "fsync returns 0");
	fc_errno(fdatasync(fd), 0, "fdatasync returns 0");
	close(fd);
	fd = open(P("rw"), O_RDONLY);
	fc_check(fd >= 0 && pread(fd, buf, 100, 300000) == 10 &&
	         fc_verify(buf, 10, 5, 300000) < 0, "data there after close and reopen",
	         "wrong");
	if (fd >= 0) {
		fc_errno(write(fd, buf, 1), EBADF, "write to a read-only descriptor -> EBADF");
		close(fd);
	}
}

/* ---------------------------------------------------------------- truncate */
static void check_truncate(void)
{
	uint8_t *buf = malloc(200000);
	int fd;

	put(P("tr"), 100000, 6);
	fc_errno(truncate(P("tr"), 30000), 0, "truncate (path) shrinks");
	fc_check(size_of(P("tr")) == 30000, "size after shrink", "size %ld", size_of(P("tr")));
	fc_errno(truncate(P("tr"), 150000), 0, "truncate (path) grows");
	fd = open(P("tr"), O_RDWR);
	{
		ssize_t n = fd < 0 ? -1 : pread(fd, buf, 200000, 0);
		long kept = fc_verify(buf, 30000, 6, 0);
		size_t grown = zeros(buf + 30000, 120000);

		fc_check(n == 150000 && kept < 0 && grown == 120000,
		         "shrink then grow: the kept part intact, the grown part zeros (no old data)",
		         "read %zd of 150000; kept part differs at %ld (-1: intact); first non-zero "
		         "at %zu", n, kept, 30000 + grown);
	}
	fc_errno(ftruncate(fd, 5), 0, "ftruncate shrinks");
	fc_check(size_of(P("tr")) == 5, "size after ftruncate shrink", "size %ld",
	         size_of(P("tr")));
	/* Shrink then write past the new end: the gap must be zeros, not the
	 * old bytes still in the clusters. */
	fc_fill(buf, 100, 7, 60000);
	fc_check(pwrite(fd, buf, 100, 60000) == 100, "write past the end after a shrink",
	         "%s", strerror(errno));
	{
		ssize_t n = pread(fd, buf, 200000, 0);
		size_t gap = zeros(buf + 5, 59995);

		fc_check(n == 60100 && fc_verify(buf, 5, 6, 0) < 0 && gap == 59995 &&
		         fc_verify(buf + 60000, 100, 7, 60000) < 0,
		         "shrink, write past the end: the gap reads as zeros",
		         "read %zd, first non-zero at %zu", n, 5 + gap);
	}
	fc_errno(ftruncate(fd, 3000000), 0, "ftruncate grows to 3 MB");
	fc_check(pread(fd, buf, 200000, 2800000) == 200000 && zeros(buf, 200000) == 200000,
	         "ftruncate grow: the new end reads as zeros", "not zeros");
	fc_errno(ftruncate(fd, 0), 0, "ftruncate to 0");
	fc_check(size_of(P("tr")) == 0, "size 0 after ftruncate 0", "size %ld",
	         size_of(P("tr")));
	if (fd >= 0)
		close(fd);
	fc_errno(truncate(P("missing"), 0), ENOENT, "truncate of a missing file -> ENOENT");
	fc_errno(truncate(P("od"), 0), EISDIR, "truncate of a directory -> EISDIR");
	free(buf);
}

/* ---------------------------------------------------------------- unlink */
static int listed(const char *dir, const char *name);

static void check_unlink(void)
{
	uint8_t buf[70000];
	int fd;

	put(P("ul"), 10, 8);
	fc_errno(unlink(P("ul")), 0, "unlink a file");
	fc_errno(access(P("ul"), F_OK), ENOENT, "the unlinked file is gone");
	fc_errno(unlink(P("ul")), ENOENT, "unlink of a missing file -> ENOENT");
	fc_errno(unlink(P("od")), EISDIR, "unlink of a directory -> EISDIR");

	/* vfat keeps an unlinked open file's data readable through the open
	 * descriptor; so must we, and leave nothing behind on the volume. */
	put(P("ulopen"), 65536, 9);
	fd = open(P("ulopen"), O_RDWR);
	fc_errno(unlink(P("ulopen")), 0, "unlink a file that is open");
	fc_errno(access(P("ulopen"), F_OK), ENOENT, "its name is gone at once");
	fc_check(fd >= 0 && pread(fd, buf, sizeof(buf), 0) == 65536 &&
	         fc_verify(buf, 65536, 9, 0) < 0,
	         "the data stays readable through the open descriptor", "read gave %s",
	         strerror(errno));
	if (fd >= 0)
		close(fd);
	fc_check(!listed(work, ".fuse_hidden"), "no .fuse_hidden file left after close",
	         "a .fuse_hidden entry is on the volume");
	put(P("ulopen"), 10, 10);
	fc_check(holds(P("ulopen"), 10, 10), "a new file under the unlinked name", "wrong");
}

/* ---------------------------------------------------------------- right after close */
/* close(2) returns before a FUSE file system hears "release": what comes
 * next must still see the file as the closed descriptor left it, as on
 * vfat (where close is the end). Many rounds, so that a race shows. */
static void check_after_close(void)
{
	enum { ROUNDS = 60 };
	uint8_t *buf = malloc(300000);
	int unlink_bad = 0, open_bad = 0, trunc_bad = 0, first_errno = 0;

	for (int i = 0; i < ROUNDS; i++) {
		put(P("ac-unlink"), 40000, (uint32_t)i);
		if (unlink(P("ac-unlink")) != 0 && unlink_bad++ == 0)
			first_errno = errno;
	}
	fc_check(unlink_bad == 0, "unlink right after close (60 rounds)",
	         "%d rounds failed, the first with %s", unlink_bad, strerror(first_errno));
	unlink(P("ac-unlink"));

	put(P("ac-open"), 0, 0);
	for (int i = 0; i < ROUNDS; i++) {
		int fd = open(P("ac-open"), O_WRONLY | O_APPEND);

		fc_fill(buf, 4099, 40, (uint64_t)i * 4099);
		if (fd >= 0) {
			if (write(fd, buf, 4099) != 4099)
				open_bad++;
			close(fd);
		} else if (open_bad++ == 0) {
			first_errno = errno;
		}
	}
	fc_check(open_bad == 0, "open right after a close that grew the file (60 rounds)",
	         "%d rounds failed, the first with %s", open_bad, strerror(first_errno));
	fc_check(holds(P("ac-open"), (size_t)ROUNDS * 4099, 40),
	         "the file grown by 60 appends holds them all", "size %ld, or content wrong",
	         size_of(P("ac-open")));

	for (int i = 0; i < ROUNDS / 2; i++) {
		int fd;

		put(P("ac-trunc"), 100000, 50 + (uint32_t)i);
		fd = truncate(P("ac-trunc"), 30000) == 0 ? open(P("ac-trunc"), O_RDONLY) : -1;
		if (fd < 0 || pread(fd, buf, 300000, 0) != 30000 ||
		    fc_verify(buf, 30000, 50 + (uint32_t)i, 0) >= 0)
			trunc_bad++;
		if (fd >= 0)
			close(fd);
	}
	fc_check(trunc_bad == 0, "truncate (path) right after close keeps the data (30 rounds)",
	         "%d rounds lost data or failed", trunc_bad);
	free(buf);
}

/* ---------------------------------------------------------------- directories */
static void check_dirs(void)
{
	struct stat st;

	fc_errno(mkdir(P("d1"), 0755), 0, "mkdir");
	stat_into(P("d1"), &st);
	fc_check(st.st_mode != 0 && S_ISDIR(st.st_mode), "a new directory is a directory",
	         "mode %o", st.st_mode);
	fc_errno(mkdir(P("d1"), 0755), EEXIST, "mkdir of an existing directory -> EEXIST");
	fc_errno(mkdir(P("o1"), 0755), EEXIST, "mkdir over an existing file -> EEXIST");
	fc_errno(mkdir(P("nodir/d"), 0755), ENOENT, "mkdir under a missing parent -> ENOENT");
	fc_errno(mkdir(P("o1/d"), 0755), ENOTDIR, "mkdir under a file -> ENOTDIR");
	put(P("d1/f"), 10, 11);
	fc_errno(rmdir(P("d1")), ENOTEMPTY, "rmdir of a non-empty directory -> ENOTEMPTY");
	fc_errno(rmdir(P("o1")), ENOTDIR, "rmdir of a file -> ENOTDIR");
	fc_errno(rmdir(P("missing")), ENOENT, "rmdir of a missing directory -> ENOENT");
	unlink(P("d1/f"));
	fc_errno(rmdir(P("d1")), 0, "rmdir of an emptied directory");
	fc_errno(access(P("d1"), F_OK), ENOENT, "the removed directory is gone");
	fc_errno(mkdir(P("d2"), 0755), 0, "mkdir d2");
	fc_errno(mkdir(P("d2/sub"), 0755), 0, "mkdir d2/sub");
	put(P("d2/sub/f"), 3000, 12);
	fc_check(holds(P("d2/sub/f"), 3000, 12), "a file two directories down", "wrong");
	{
		struct stat a, b;

		if (stat(mount_root, &a) == 0 && stat(P(".."), &b) == 0 && a.st_dev == b.st_dev &&
		    stat(P("../.."), &b) == 0 && b.st_dev != a.st_dev)
			fc_errno(rmdir(mount_root), EBUSY, "rmdir of the mount root -> EBUSY");
		else
			printf("skip:   rmdir of the mount root (%s is not a mount point)\n",
			       mount_root);
	}
}

/* ---------------------------------------------------------------- rename */
static void check_rename(void)
{
	put(P("ra"), 1000, 13);
	put(P("rb"), 2000, 14);
	fc_errno(rename(P("ra"), P("rb")), 0, "rename a file over a file");
	fc_check(holds(P("rb"), 1000, 13), "the target now holds the source's data",
	         "size %ld", size_of(P("rb")));
	fc_errno(access(P("ra"), F_OK), ENOENT, "the source name is gone");
	fc_errno(rename(P("rb"), P("rc")), 0, "rename a file to a new name");
	fc_check(holds(P("rc"), 1000, 13), "the data follows the rename", "wrong");
	fc_errno(rename(P("missing"), P("rz")), ENOENT, "rename of a missing file -> ENOENT");

	mkdir(P("rd1"), 0755);
	put(P("rd1/in"), 500, 15);
	mkdir(P("rd2"), 0755);
	fc_errno(rename(P("rd1"), P("rd2")), 0, "rename a directory over an empty directory");
	fc_check(holds(P("rd2/in"), 500, 15), "its content moved with it", "wrong");
	mkdir(P("rd3"), 0755);
	fc_errno(rename(P("rd3"), P("rd2")), ENOTEMPTY,
	         "rename a directory over a non-empty directory -> ENOTEMPTY");
	fc_errno(rename(P("rc"), P("rd3")), EISDIR, "rename a file over a directory -> EISDIR");
	fc_errno(rename(P("rd3"), P("rc")), ENOTDIR, "rename a directory over a file -> ENOTDIR");
	mkdir(P("rd2/deep"), 0755);
	fc_errno(rename(P("rd2"), P("rd2/deep/x")), EINVAL,
	         "rename a directory into its own subtree -> EINVAL");
	fc_errno(rename(P("rd2/in"), P("rd3/in")), 0, "move a file to another directory");
	fc_check(holds(P("rd3/in"), 500, 15), "the moved file's data", "wrong");
	fc_errno(rename(P("rd3"), P("rd2/deep/rd3")), 0, "move a directory into another");
	fc_check(holds(P("rd2/deep/rd3/in"), 500, 15), "the moved tree's file", "wrong");

	put(P("rn1"), 100, 16);
	put(P("rn2"), 200, 17);
	fc_errno(renameat2_(P("rn1"), P("rn2"), RENAME_NOREPLACE), EEXIST,
	         "RENAME_NOREPLACE over an existing name -> EEXIST");
	fc_check(holds(P("rn1"), 100, 16) && holds(P("rn2"), 200, 17),
	         "RENAME_NOREPLACE refused: both files untouched", "changed");
	fc_errno(renameat2_(P("rn1"), P("rn3"), RENAME_NOREPLACE), 0,
	         "RENAME_NOREPLACE to a free name");
	if (posix_mode) {
		fc_errno(renameat2_(P("rn3"), P("rn2"), RENAME_EXCHANGE), 0, "RENAME_EXCHANGE");
		fc_check(holds(P("rn3"), 200, 17) && holds(P("rn2"), 100, 16),
		         "RENAME_EXCHANGE swapped the files", "not swapped");
	} else {
		fc_errno(renameat2_(P("rn3"), P("rn2"), RENAME_EXCHANGE), EINVAL,
		         "RENAME_EXCHANGE -> EINVAL (FAT cannot swap atomically)");
		fc_check(holds(P("rn3"), 100, 16) && holds(P("rn2"), 200, 17),
		         "RENAME_EXCHANGE refused: both files untouched", "changed");
	}
}

/* ---------------------------------------------------------------- times */
static void check_times(void)
{
	struct timespec ts[2];
	struct stat st;
	time_t want = 1600000001;       /* odd: FAT stores mtime in 2 s steps */
	time_t slack = posix_mode ? 0 : 1;

	put(P("tm"), 10, 18);
	ts[0].tv_sec = want;
	ts[0].tv_nsec = 0;
	ts[1] = ts[0];
	fc_errno(utimensat(AT_FDCWD, P("tm"), ts, 0), 0, "utimensat sets a time");
	stat_into(P("tm"), &st);
	fc_check(st.st_mode != 0 && st.st_mtime <= want && st.st_mtime >= want - slack,
	         "mtime as set (to FAT's 2 s)", "mtime %ld, set %ld", (long)st.st_mtime,
	         (long)want);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1500000000;
	ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, P("tm"), ts, 0);
	ts[0].tv_nsec = 0;
	ts[0].tv_sec = 1400000000;
	ts[1].tv_nsec = UTIME_OMIT;
	fc_errno(utimensat(AT_FDCWD, P("tm"), ts, 0), 0, "utimensat with mtime UTIME_OMIT");
	stat_into(P("tm"), &st);
	fc_check(st.st_mode != 0 && st.st_mtime == 1500000000,
	         "UTIME_OMIT leaves mtime as it was", "mtime %ld", (long)st.st_mtime);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	fc_errno(utimensat(AT_FDCWD, P("tm"), ts, 0), 0, "utimensat with UTIME_NOW");
	stat_into(P("tm"), &st);
	fc_check(st.st_mode != 0 && labs(st.st_mtime - time(NULL)) <= 3,
	         "UTIME_NOW sets mtime to now", "mtime %ld, now %ld", (long)st.st_mtime,
	         (long)time(NULL));
	{
		time_t before = time(NULL);
		int fd = open(P("tm"), O_WRONLY);

		/* A write moves mtime forward. */
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1].tv_sec = 1500000000;
		ts[1].tv_nsec = 0;
		utimensat(AT_FDCWD, P("tm"), ts, 0);
		if (fd >= 0) {
			write(fd, "x", 1);
			close(fd);
		}
		stat_into(P("tm"), &st);
		fc_check(st.st_mode != 0 && st.st_mtime >= before - 2,
		         "a write sets mtime to now", "mtime %ld", (long)st.st_mtime);
	}
	fc_errno(utimensat(AT_FDCWD, P("missing"), NULL, 0), ENOENT,
	         "utimensat of a missing file -> ENOENT");
}

/* ---------------------------------------------------------------- names */
static int listed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			found = 1;
	if (d)
		closedir(d);
	return found;
}

static void check_names(void)
{
	char name[300];
	struct stat st;

	mkdir(P("nm"), 0755);
	put(P("nm/MixedCase.Txt"), 10, 19);
	fc_check(listed(P("nm"), "MixedCase.Txt"), "a name's case is kept", "not listed as given");
	put(P("nm/abc"), 10, 20);
	if (posix_mode) {
		fc_errno(stat(P("nm/ABC"), &st), ENOENT, "lookup is case-sensitive");
	} else {
		fc_errno(stat(P("nm/ABC"), &st), 0, "lookup is case-blind: ABC finds abc");
		fc_check(holds(P("nm/ABC"), 10, 20), "ABC reads abc's data", "wrong");
		fc_errno(open(P("nm/ABC"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST,
		         "O_EXCL create of ABC when abc exists -> EEXIST");
	}
	memset(name, 'n', 255);
	name[255] = 0;
	fc_errno(put(P("nm/%s", name), 10, 21), 0, "a 255-character name");
	fc_check(holds(P("nm/%s", name), 10, 21) && listed(P("nm"), name),
	         "the 255-character name reads back and is listed", "wrong");
	name[255] = 'n';
	name[256] = 0;
	fc_errno(open(P("nm/%s", name), O_RDWR | O_CREAT, 0644), ENAMETOOLONG,
	         "a 256-character name -> ENAMETOOLONG");
	fc_errno(mkdir(P("nm/%s", name), 0755), ENAMETOOLONG,
	         "mkdir with a 256-character name -> ENAMETOOLONG");
	{
		static const char *const bad[] = { "a:b", "a*b", "a?b", "a<b", "a>b", "a|b",
		                                   "a\"b", "a\\b" };
		char what[64];

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(what, sizeof(what), "create \"%s\" %s", bad[i],
			         posix_mode ? "works" : "-> EINVAL (FAT forbids it)");
			fc_errno(open(P("nm/%s", bad[i]), O_RDWR | O_CREAT, 0644),
			         posix_mode ? 0 : EINVAL, what);
		}
		fc_errno(mkdir(P("nm/d:d"), 0755), posix_mode ? 0 : EINVAL,
		         posix_mode ? "mkdir \"d:d\" works" : "mkdir \"d:d\" -> EINVAL");
	}
	fc_errno(put(P("nm/with space and.dots.tar.gz"), 10, 22), 0,
	         "spaces and several dots in a name");
	fc_errno(put(P("nm/\xc3\xa9t\xc3\xa9 \xe2\x82\xac"), 10, 23), 0, "a UTF-8 name");
	fc_check(listed(P("nm"), "\xc3\xa9t\xc3\xa9 \xe2\x82\xac"), "the UTF-8 name is listed",
	         "not listed");
}

/* ---------------------------------------------------------------- readdir */
static void check_readdir(void)
{
	enum { N = 120 };
	int seen[N] = { 0 }, dots = 0, others = 0, dups = 0;
	DIR *d;
	struct dirent *e;

	mkdir(P("rdir"), 0755);
	for (int i = 0; i < N; i++)
		put(P("rdir/entry-%03d-%s", i, i % 3 ? "a long name that needs several slots" : "s"),
		    i, (uint32_t)i);
	mkdir(P("rdir/subdir"), 0755);
	d = opendir(P("rdir"));
	if (!fc_check(d != NULL, "opendir", "%s", strerror(errno)))
		return;
	while ((e = readdir(d))) {
		int i;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			dots++;
		else if (sscanf(e->d_name, "entry-%d-", &i) == 1 && i >= 0 && i < N)
			dups += seen[i]++ > 0;
		else if (strcmp(e->d_name, "subdir") != 0)
			others++;
	}
	closedir(d);
	{
		int missing = 0;

		for (int i = 0; i < N; i++)
			missing += !seen[i];
		fc_check(missing == 0, "readdir lists every entry", "%d of %d missing", missing, N);
	}
	fc_check(dups == 0, "readdir lists no entry twice", "%d duplicates", dups);
	fc_check(others == 0, "readdir lists nothing else", "%d unexpected", others);
	fc_check(dots == 2, "readdir lists \".\" and \"..\"", "%d of them", dots);
	fc_check(holds(P("rdir/entry-077-a long name that needs several slots"), 77, 77),
	         "a listed file reads back", "wrong");
}

/* ---------------------------------------------------------------- statfs */
static void check_statfs(void)
{
	struct statvfs a, b;
	int r = statvfs(work, &a);

	if (!fc_errno(r, 0, "statvfs"))
		return;
	fc_check(a.f_bsize > 0 && a.f_blocks > 0 && a.f_bfree <= a.f_blocks &&
	         a.f_bavail <= a.f_bfree, "statvfs block counts are sane",
	         "bsize %lu blocks %lu bfree %lu bavail %lu", a.f_bsize,
	         (unsigned long)a.f_blocks, (unsigned long)a.f_bfree, (unsigned long)a.f_bavail);
	fc_check(a.f_namemax == 255, "statvfs f_namemax is 255", "f_namemax %lu", a.f_namemax);
	put(P("big"), 4 << 20, 24);
	sync();
	statvfs(work, &b);
	fc_check((a.f_bfree - b.f_bfree) * a.f_frsize >= (3u << 20),
	         "writing 4 MiB lowers the free count", "free %lu -> %lu blocks of %lu",
	         (unsigned long)a.f_bfree, (unsigned long)b.f_bfree, a.f_frsize);
	unlink(P("big"));
	sync();
	statvfs(work, &b);
	fc_check(b.f_bfree + (1u << 20) / a.f_frsize >= a.f_bfree,
	         "removing it gives the space back", "free %lu -> %lu blocks",
	         (unsigned long)a.f_bfree, (unsigned long)b.f_bfree);
}

/* ---------------------------------------------------------------- refusals */
/* In a child as uid:gid: open path for writing; 0, or the errno. */
static int write_as(const char *path, uid_t uid, gid_t gid)
{
	pid_t pid = fork();
	int status, fd;

	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
			_exit(100);
		fd = open(path, O_WRONLY);
		_exit(fd >= 0 ? 0 : errno);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static void check_refusals(void)
{
	struct stat st;
	int want = posix_mode ? 0 : EPERM;

	put(P("rf"), 10, 25);
	fc_errno(symlink("rf", P("rf.sym")), want,
	         posix_mode ? "symlink works" : "symlink -> EPERM (FAT has none)");
	fc_errno(link(P("rf"), P("rf.lnk")), want,
	         posix_mode ? "link works" : "link -> EPERM (FAT has none)");
	fc_errno(mknod(P("rf.fifo"), S_IFIFO | 0644, 0), want,
	         posix_mode ? "mknod fifo works" : "mknod fifo -> EPERM");
	fc_errno(mkfifo(P("rf.fifo2"), 0644), want,
	         posix_mode ? "mkfifo works" : "mkfifo -> EPERM");
	stat_into(P("rf"), &st);
	fc_errno(chown(P("rf"), st.st_uid, st.st_gid), 0, "chown to the owner it shows is accepted");
	if (geteuid() == 0)
		fc_errno(chown(P("rf"), 4242, -1), want,
		         posix_mode ? "chown to another uid works (root)"
		                    : "chown to another uid -> EPERM (FAT has no owners)");
	else
		fc_errno(chown(P("rf"), 4242, -1), EPERM, "chown to another uid -> EPERM");
}

/* chmod a-w and u+w: the mode bits, and (when a user other than root
 * owns the file: `-o uid=N` on a mount) that the owner's writes are
 * refused with EACCES in between. Root writes whatever the bits say. */
static void check_write_bits(void)
{
	struct stat st;
	mode_t mode;
	uid_t owner;
	gid_t group;
	char name[128];
	int by_owner;

	put(P("wb"), 10, 28);
	stat_into(P("wb"), &st);
	if (posix_mode && geteuid() == 0 && st.st_uid == 0 && chown(P("wb"), 65534, 65534) == 0)
		stat_into(P("wb"), &st);
	owner = st.st_uid;
	group = st.st_gid;
	mode = st.st_mode & 07777;
	by_owner = geteuid() == 0 && owner != 0 && (mode & 0200);
	if (!posix_mode && (mode & 0444))
		fc_errno(chmod(P("wb"), mode & ~0444), EPERM,
		         "chmod that drops the read bits -> EPERM (vfat keeps r and x as mounted)");
	if (by_owner) {
		snprintf(name, sizeof(name), "the owner (uid %u) may write before chmod a-w",
		         (unsigned)owner);
		fc_check(write_as(P("wb"), owner, group) == 0, name, "refused");
	}
	fc_errno(chmod(P("wb"), mode & ~0222), 0, "chmod a-w");
	stat_into(P("wb"), &st);
	fc_check(st.st_mode != 0 && (st.st_mode & 0222) == 0,
	         "after chmod a-w no write bit is set", "mode %o", st.st_mode & 07777);
	fc_check((st.st_mode & 0555) == (mode & 0555), "chmod a-w keeps the r and x bits",
	         "mode %o, was %o", st.st_mode & 07777, mode);
	if (geteuid() != 0) {
		fc_errno(open(P("wb"), O_WRONLY), EACCES, "after chmod a-w writes fail with EACCES");
	} else if (by_owner) {
		int e = write_as(P("wb"), owner, group);

		snprintf(name, sizeof(name), "after chmod a-w the owner (uid %u) gets EACCES",
		         (unsigned)owner);
		fc_check(e == EACCES, name, "got %s", e ? strerror(e) : "success");
	} else {
		printf("skip:   the EACCES after chmod a-w (root owns the file: mount with "
		       "-o uid=N,allow_other,default_permissions to check it)\n");
	}
	fc_errno(chmod(P("wb"), (mode & ~0222) | 0200), 0, "chmod u+w");
	stat_into(P("wb"), &st);
	fc_check(st.st_mode != 0 && (st.st_mode & 0200), "after chmod u+w it is writable",
	         "mode %o", st.st_mode & 07777);
	if (by_owner) {
		snprintf(name, sizeof(name), "after chmod u+w the owner (uid %u) may write again",
		         (unsigned)owner);
		fc_check(write_as(P("wb"), owner, group) == 0, name, "refused");
	}
}

/* ---------------------------------------------------------------- mmap */
static void check_mmap(void)
{
	int fd;
	uint8_t *m;
	uint8_t buf[100];

	put(P("mm"), 20000, 26);
	fd = open(P("mm"), O_RDWR);
	m = fd < 0 ? MAP_FAILED : mmap(NULL, 20000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!fc_check(m != MAP_FAILED, "mmap MAP_SHARED read-write", "%s", strerror(errno))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	fc_check(fc_verify(m, 20000, 26, 0) < 0, "mmap reads the file", "wrong");
	fc_fill(m + 5000, 100, 27, 5000);
	fc_errno(msync(m, 20000, MS_SYNC), 0, "msync after a write through the map");
	munmap(m, 20000);
	close(fd);
	fd = open(P("mm"), O_RDONLY);
	fc_check(fd >= 0 && pread(fd, buf, 100, 5000) == 100 && fc_verify(buf, 100, 27, 5000) < 0,
	         "read(2) sees the write made through the map", "wrong");
	if (fd >= 0)
		close(fd);
}

static int make_work_dir(const char *dir)
{
	snprintf(work, sizeof(work), "%s/posix.d", dir);
	if (mkdir(work, 0755) != 0) {
		fprintf(stderr, "fuse_posix: %s: %s; give an empty directory or remove it\n",
		        work, strerror(errno));
		return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	void (*run)(void);
} parts[] = {
	{ "open", check_open }, { "rw", check_read_write }, { "truncate", check_truncate },
	{ "unlink", check_unlink }, { "afterclose", check_after_close },
	{ "dirs", check_dirs }, { "rename", check_rename },
	{ "times", check_times }, { "names", check_names }, { "readdir", check_readdir },
	{ "statfs", check_statfs }, { "refusals", check_refusals },
	{ "writebits", check_write_bits }, { "mmap", check_mmap },
};

int main(int argc, char **argv)
{
	const char *only = NULL;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--posix") == 0)
			posix_mode = 1;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			only = argv[++i];
		else
			break;
	}
	if (i + 1 != argc) {
		fprintf(stderr, "usage: fuse_posix [--posix] [--only PART] DIR\n");
		return 2;
	}
	mount_root = argv[i];
	if (make_work_dir(mount_root) != 0)
		return 2;
	check_open();   /* always: the others use its files */
	for (size_t k = 1; k < sizeof(parts) / sizeof(parts[0]); k++)
		if (!only || strcmp(only, parts[k].name) == 0)
			parts[k].run();
	return fc_end("fuse_posix");
}
