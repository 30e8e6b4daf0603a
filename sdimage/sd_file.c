/*
 * sd_file.c: sdcard's image-file and block-device backends (Linux port).
 * See sd_file.h for the lock and the holder record.
 *
 * Sections: transfers (the backend functions) -> the holder record and
 * lock -> block devices (mounted?, size, model) -> open and close.
 *
 * This is Linux port code: it may use errno names. NanoOs's error numbers
 * are Linux's (kproc/nos_errno.h), so -errno is a valid -NOS_E*.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "kproc/kproc.h"
#include "sdimage/sd_file.h"

/* Fill the caller's error buffer, if any; returns r for `return fail(...)`. */
static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* ---------------------------------------------------------------- transfers */

/* Move count blocks; pread/pwrite may stop short, so loop. */
static int sd_file_xfer(struct sd_file *f, int write, uint32_t block,
                        uint32_t count, uint8_t *buf)
{
	size_t left = (size_t)count * SDCARD_BLOCK_SIZE;
	off_t off = (off_t)block * SDCARD_BLOCK_SIZE;
	char line[160];
	ssize_t n;

	while (left > 0) {
		n = write ? pwrite(f->fd, buf, left, off) : pread(f->fd, buf, left, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(line, sizeof(line), "%.100s %s at block %lu: %s", f->path,
			         write ? "write" : "read", (unsigned long)(off / SDCARD_BLOCK_SIZE),
			         n < 0 ? strerror(errno) : "unexpected end of file");
			port_log(KPROC_LOG_ERROR, "sdcard", line);
			return -NOS_EIO;
		}
		buf += n;
		off += n;
		left -= (size_t)n;
	}
	return 0;
}

static int sd_file_read(void *ctx, uint32_t block, uint32_t count, void *buf)
{
	return sd_file_xfer(ctx, 0, block, count, buf);
}

static int sd_file_write(void *ctx, uint32_t block, uint32_t count, const void *buf)
{
	/* pwrite only reads buf; xfer shares one pointer type with pread. */
	return sd_file_xfer(ctx, 1, block, count, (uint8_t *)buf);
}

static int sd_file_flush(void *ctx)
{
	struct sd_file *f = ctx;

	return fdatasync(f->fd) < 0 ? -NOS_EIO : 0;
}

/* ---------------------------------------------------------------- holder */

/* Where the holder record of path lives (see sd_file.h); "" if the name
 * would not fit. */
static void sd_file_record_path(const char *path, int blockdev, char *out, size_t n)
{
	char real[PATH_MAX];
	const char *name;
	struct stat st;
	int len;

	if (!blockdev) {
		len = snprintf(out, n, "%s.lock", path);
	} else {
		/* /dev/disk/by-id/X and /dev/sdb are one device: use its real name. */
		name = realpath(path, real) ? real : path;
		name = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
		if (stat("/run/lock", &st) == 0 && S_ISDIR(st.st_mode))
			len = snprintf(out, n, "/run/lock/nanoos-%s.lock", name);
		else
			len = snprintf(out, n, "/tmp/nanoos-%s.lock", name);
	}
	if (len < 0 || (size_t)len >= n)
		out[0] = 0;
}

/* The holder record's line, without its newline; "" if there is none. */
static void sd_file_read_record(const char *record, char *out, size_t n)
{
	int fd = open(record, O_RDONLY | O_CLOEXEC);
	ssize_t len = -1;

	if (fd >= 0) {
		len = read(fd, out, n - 1);
		close(fd);
	}
	out[len > 0 ? len : 0] = 0;
	out[strcspn(out, "\n")] = 0;
}

/* "nanoosd --image sd.img": our command line, arguments joined by spaces. */
static void sd_file_cmdline(char *out, size_t n)
{
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t len = -1, i;

	if (fd >= 0) {
		len = read(fd, out, n - 1);
		close(fd);
	}
	if (len <= 0) {
		snprintf(out, n, "unknown command");
		return;
	}
	for (i = 0; i < len - 1; i++)
		if (out[i] == 0)
			out[i] = ' ';
	out[len] = 0;
}

/* Best effort: without a record the lock still excludes a second opener,
 * which is then told that the holder is unknown. */
static void sd_file_write_record(struct sd_file *f)
{
	char cmd[256], line[300];
	int fd, len;

	fd = f->record[0] ? open(f->record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	                         O_NOFOLLOW, 0644) : -1;
	if (fd < 0) {
		f->record[0] = 0;
		return;
	}
	sd_file_cmdline(cmd, sizeof(cmd));
	len = snprintf(line, sizeof(line), "pid %ld: %s\n", (long)getpid(), cmd);
	if (write(fd, line, (size_t)len) != len) {
		unlink(f->record);
		f->record[0] = 0;
	}
	close(fd);
}

/* Take the lock; on contention explain who holds it. */
static int sd_file_lock(struct sd_file *f, char *err, size_t errlen)
{
	char holder[256];

	if (flock(f->fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return fail(err, errlen, -errno, "%s: cannot lock it: %s", f->path,
		            strerror(errno));
	holder[0] = 0;
	if (f->record[0])
		sd_file_read_record(f->record, holder, sizeof(holder));
	if (holder[0] == 0)
		return fail(err, errlen, -NOS_EBUSY, "%s is in use by another process, "
		            "which left no holder record (%s); stop it, or use `nanoos` "
		            "commands, which talk to the running daemon", f->path, f->record);
	return fail(err, errlen, -NOS_EBUSY,
	            "%s is in use by %s; stop it, or use `nanoos` commands, which talk "
	            "to the running daemon, instead of opening the image", f->path, holder);
}

/* ---------------------------------------------------------------- devices */

/* The whole disk a partition belongs to, from sysfs; 0 for a whole disk. */
static dev_t sd_file_disk_of(dev_t part)
{
	char p[64], line[32];
	unsigned maj, min;
	FILE *fp;

	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/partition", major(part), minor(part));
	if (access(p, F_OK) != 0)
		return 0;
	/* The kernel resolves the symlink before "..": the disk's directory. */
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/../dev", major(part), minor(part));
	fp = fopen(p, "re");
	if (fp == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) == NULL || sscanf(line, "%u:%u", &maj, &min) != 2)
		maj = min = 0;
	fclose(fp);
	return makedev(maj, min);
}

/* Whether a mount source is the device dev (path) or one of its partitions. */
static int sd_file_is_ours(const char *source, const char *path, dev_t dev)
{
	struct stat st;

	if (strcmp(source, path) == 0)
		return 1;
	if (source[0] != '/' || stat(source, &st) != 0 || !S_ISBLK(st.st_mode))
		return 0;
	return st.st_rdev == dev || sd_file_disk_of(st.st_rdev) == dev;
}

/* 0, or -NOS_EBUSY naming the mount that holds the device. */
static int sd_file_check_unmounted(const char *path, dev_t dev, char *err, size_t errlen)
{
	char line[1024], source[PATH_MAX], dir[PATH_MAX];
	FILE *fp = fopen("/proc/self/mounts", "re");
	int r = 0;

	if (fp == NULL)
		return fail(err, errlen, -NOS_EBUSY, "%s: cannot read /proc/self/mounts "
		            "to see whether it is mounted: %s", path, strerror(errno));
	while (r == 0 && fgets(line, sizeof(line), fp)) {
		/* Fields are octal-escaped (\040 for a space): fine for
		 * /dev/... names, which have no spaces. */
		if (sscanf(line, "%4095s %4095s", source, dir) != 2)
			continue;
		if (sd_file_is_ours(source, path, dev))
			r = fail(err, errlen, -NOS_EBUSY, "%s is mounted (%s on %s); "
			         "unmount it first (umount %s)", path, source, dir, dir);
	}
	fclose(fp);
	return r;
}

/* The model from sysfs, for a disk or (through "..") a partition. */
static void sd_file_model(struct sd_file *f, dev_t dev)
{
	static const char *const where[] = { "device/model", "../device/model" };
	char p[96], real[PATH_MAX];
	const char *name;
	size_t i, n;
	FILE *fp;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/%s", major(dev), minor(dev), where[i]);
		fp = fopen(p, "re");
		if (fp == NULL)
			continue;
		n = fread(f->model, 1, sizeof(f->model) - 1, fp);
		fclose(fp);
		while (n > 0 && (f->model[n - 1] == '\n' || f->model[n - 1] == ' '))
			n--;
		f->model[n] = 0;
		if (n > 0)
			return;
	}
	name = realpath(f->path, real) ? real : f->path;
	snprintf(f->model, sizeof(f->model), "block device %.18s",
	         strrchr(name, '/') ? strrchr(name, '/') + 1 : name);
}

/* A block device's size and model. */
static int sd_file_setup_device(struct sd_file *f, const struct stat *st,
                                uint64_t *size, char *err, size_t errlen)
{
	if (ioctl(f->fd, BLKGETSIZE64, size) < 0)
		return fail(err, errlen, -errno, "%s: cannot get its size (BLKGETSIZE64): %s",
		            f->path, strerror(errno));
	sd_file_model(f, st->st_rdev);
	return 0;
}

/* ---------------------------------------------------------------- open */

/* What may be opened at all: a block device only with SD_FILE_FORCE, and
 * never while mounted -- checked before we open it for writing at all. */
static int sd_file_check_kind(const char *path, unsigned flags, struct stat *st,
                              char *err, size_t errlen)
{
	if (stat(path, st) < 0)
		return fail(err, errlen, -errno, "%s: %s%s", path, strerror(errno),
		            errno == ENOENT ? "; create one with `nanoos sdimage create`" : "");
	if (S_ISBLK(st->st_mode) && !(flags & SD_FILE_FORCE))
		return fail(err, errlen, -NOS_EPERM, "%s is a block device (a real card?): "
		            "NanoOs would write to it directly; pass --force if you mean it",
		            path);
	if (S_ISBLK(st->st_mode))
		return sd_file_check_unmounted(path, st->st_rdev, err, errlen);
	if (!S_ISREG(st->st_mode))
		return fail(err, errlen, -NOS_EINVAL, "%s is neither an image file nor a "
		            "block device", path);
	return 0;
}

/* Size in blocks: at least one, at most 2^32 - 1 (block numbers are 32-bit). */
static int sd_file_set_size(struct sd_file *f, uint64_t size, char *err, size_t errlen)
{
	uint64_t blocks = size / SDCARD_BLOCK_SIZE;

	if (blocks == 0)
		return fail(err, errlen, -NOS_EINVAL, "%s: %llu bytes is less than one "
		            "512-byte block; is it an SD image?", f->path,
		            (unsigned long long)size);
	if (blocks > UINT32_MAX)
		return fail(err, errlen, -NOS_EFBIG, "%s: larger than 2 TiB, the limit of "
		            "32-bit block numbers", f->path);
	f->be.blocks = (uint32_t)blocks;
	return 0;
}

static void sd_file_fill_backend(struct sd_file *f, unsigned flags)
{
	f->be.read = sd_file_read;
	f->be.write = sd_file_write;
	f->be.flush = sd_file_flush;
	f->be.read_only = (flags & SD_FILE_READ_ONLY) != 0;
	f->be.model = f->model;
	f->be.ctx = f;
}

/* After the lock: the device checks or the file size, then the record. */
static int sd_file_setup(struct sd_file *f, const struct stat *st, unsigned flags,
                         char *err, size_t errlen)
{
	uint64_t size = (uint64_t)st->st_size;
	int r = 0;

	if (f->blockdev)
		r = sd_file_setup_device(f, st, &size, err, errlen);
	else
		snprintf(f->model, sizeof(f->model), "NanoOs image file");
	if (r == 0)
		r = sd_file_set_size(f, size, err, errlen);
	if (r < 0)
		return r;
	sd_file_fill_backend(f, flags);
	sd_file_write_record(f);
	return 0;
}

int sd_file_open(struct sd_file *f, const char *path, unsigned flags,
                 char *err, size_t errlen)
{
	struct stat st;
	int r;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (strlen(path) >= sizeof(f->path) - sizeof(".lock"))
		return fail(err, errlen, -NOS_ENAMETOOLONG, "%s: path too long", path);
	r = sd_file_check_kind(path, flags, &st, err, errlen);
	if (r < 0)
		return r;
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->blockdev = S_ISBLK(st.st_mode);
	sd_file_record_path(path, f->blockdev, f->record, sizeof(f->record));
	f->fd = open(path, ((flags & SD_FILE_READ_ONLY) ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (f->fd < 0)
		return fail(err, errlen, -errno, "%s: cannot open it: %s", path,
		            strerror(errno));
	r = sd_file_lock(f, err, errlen);
	if (r == 0)
		r = sd_file_setup(f, &st, flags, err, errlen);
	if (r < 0) {
		close(f->fd);           /* releases the lock, if ours */
		f->fd = -1;
	}
	return r;
}

int sd_file_close(struct sd_file *f)
{
	int r;

	if (f->fd < 0)
		return 0;
	/* The record goes while we still hold the lock, so that it cannot be
	 * the next holder's record we remove. */
	if (f->record[0])
		unlink(f->record);
	r = close(f->fd);
	f->fd = -1;
	return r < 0 ? -NOS_EIO : 0;
}
