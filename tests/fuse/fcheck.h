/*
 * fcheck.h: what the FUSE test programs share: counted checks that print
 * one "ok:" or "FAILED:" line each (the integration suites' format), and
 * the byte patterns they write so that a misplaced block never reads back
 * as the right one.
 */
#ifndef NOS_FCHECK_H
#define NOS_FCHECK_H

#include <stddef.h>
#include <stdint.h>

extern int fc_passed, fc_failed;

/* One check: cond true counts a pass; otherwise FAILED with the reason
 * (printf-style) on the same line. Returns cond. */
int fc_check(int cond, const char *name, const char *why_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ret must be -1 with errno == want (want 0: ret must be >= 0). */
int fc_errno(long ret, int want, const char *name);

/* The "NAME: N passed, N failed" line; the exit status (0 when none failed). */
int fc_end(const char *program);

/* The byte a pattern of seed has at offset off (never constant over a block). */
static inline uint8_t fc_byte(uint32_t seed, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 32 | seed);
	x ^= x >> 29;
	return (uint8_t)(x ^ x >> 13);
}
void fc_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t off);
/* The first offset in buf that differs from the pattern, or -1. */
long fc_verify(const uint8_t *buf, size_t len, uint32_t seed, uint64_t off);

/* NANOOS_SCALE from the environment: 1 (make test) unless it says more. */
int fc_scale(void);

#endif
