/*
 * fatimg.h: what the FAT suites share (test_fat, test_fatcheck,
 * test_powercut): a scratch directory per test holding the image file, and
 * shell commands run there -- mkfs.fat, fsck.fat and mtools, the
 * independent judges -- with their output kept for failure messages.
 * Each suite includes it once; its names are the suite's own.
 */
#ifndef NOS_FATIMG_H
#define NOS_FATIMG_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define FATIMG_UNUSED __attribute__((unused))

static char dir[64], img[128], out[128];

/* A fresh scratch directory /tmp/nanoos-NAME-XXXXXX with fat.img's path. */
static FATIMG_UNUSED void scratch_open(const char *name)
{
	snprintf(dir, sizeof(dir), "/tmp/nanoos-%s-XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/fat.img", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
}

static FATIMG_UNUSED void scratch_close(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run a shell command in the scratch directory, its output in `out`; its
 * exit status. */
static FATIMG_UNUSED int sh(const char *fmt, ...)
{
	char cmd[2048], full[2600];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full),
	         "export MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8; cd '%s' && ( %s ) >'%s' 2>&1",
	         dir, cmd, out);
	st = system(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What the last command printed. */
static FATIMG_UNUSED char *out_text(void)
{
	static char buf[1 << 17];
	FILE *f = fopen(out, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static FATIMG_UNUSED void sh_ok(const char *what, int st)
{
	ck_assert_msg(st == 0, "%s failed (%d):\n%s", what, st, out_text());
}

/* The image file's bytes, malloc'ed; its size in *size. */
static FATIMG_UNUSED uint8_t *image_read(size_t *size)
{
	struct stat st;
	uint8_t *bytes;
	int fd = open(img, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	*size = (size_t)st.st_size;
	bytes = malloc(*size);
	ck_assert_ptr_nonnull(bytes);
	ck_assert_int_eq(pread(fd, bytes, *size, 0), (ssize_t)*size);
	close(fd);
	return bytes;
}

/* Put bytes back as the image file, for the judges. */
static FATIMG_UNUSED void image_write(const uint8_t *bytes, size_t size)
{
	int fd = open(img, O_WRONLY | O_TRUNC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, bytes, size, 0), (ssize_t)size);
	close(fd);
}

#endif
