/*
 * fcheck.c: counted checks and byte patterns for the FUSE test programs
 * (see fcheck.h).
 */
#include "tests/fuse/fcheck.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fc_passed, fc_failed;

int fc_check(int cond, const char *name, const char *why_fmt, ...)
{
	va_list ap;

	if (cond) {
		fc_passed++;
		printf("ok:     %s\n", name);
	} else {
		fc_failed++;
		printf("FAILED: %s: ", name);
		va_start(ap, why_fmt);
		vprintf(why_fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
	return cond;
}

static const char *errno_name(int e)
{
	static char other[32];

	switch (e) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case EMLINK: return "EMLINK";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ENOTSUP: return "ENOTSUP";
	case ENOTCONN: return "ENOTCONN";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

int fc_errno(long ret, int want, const char *name)
{
	int got = ret < 0 ? errno : 0;

	if (want == 0)
		return fc_check(ret >= 0, name, "wanted success, got %s (%s)",
		                errno_name(got), strerror(got));
	return fc_check(ret == -1 && got == want, name, "wanted %s, got %s",
	                errno_name(want), ret == -1 ? errno_name(got) : "success");
}

int fc_end(const char *program)
{
	printf("%s: %d passed, %d failed\n", program, fc_passed, fc_failed);
	return fc_failed ? 1 : 0;
}

void fc_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = fc_byte(seed, off + i);
}

long fc_verify(const uint8_t *buf, size_t len, uint32_t seed, uint64_t off)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != fc_byte(seed, off + i))
			return (long)i;
	return -1;
}

int fc_scale(void)
{
	const char *s = getenv("NANOOS_SCALE");
	int n = s ? atoi(s) : 1;

	return n > 0 ? n : 1;
}
