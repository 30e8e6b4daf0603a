/*
 * cli_util.h: small helpers shared by the `nanoos` verbs: sizes as people
 * write them ("64M") and read them (df -h style), the one error line, and
 * where the userland tree is.
 */
#ifndef NOS_CLI_UTIL_H
#define NOS_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* "4096", "512K", "64M", "2G" (K/M/G/T: powers of 1024, any case, an
 * optional trailing "iB"/"B"). 0, or -1 for anything else or an overflow. */
int cli_parse_size(const char *s, uint64_t *out);

/* bytes as df -h shows them: "0", "512", "3.5K", "64M", "1.9G" (powers of
 * 1024; one decimal under 10, rounded up as df does). */
void cli_human(uint64_t bytes, char *buf, size_t n);

/* "nanoos CMD: OBJECT: what is wrong; what to do" on stderr (OBJECT may be
 * NULL: then "nanoos CMD: ..."). */
void cli_error(const char *cmd, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "DIR/rel" where DIR is the directory of the running program: 0, or -1. */
int cli_beside_self(const char *rel, char *out, size_t n);

/* The userland tree (rootfs) nanoos came with, into out[n]: NANOOS_ROOTFS,
 * else rootfs/ beside a built nanoos (BUILD/bin/../rootfs), else the one
 * of an installed nanoos (PREFIX/bin/../lib/nanoos/rootfs), else the
 * package's /usr/lib/nanoos/rootfs. 0, or -1 when there is none. The
 * default image is made from it (`nanoos run`), and `nanoos sdimage
 * update-rootfs` refreshes an image from it. */
int cli_find_rootfs(char *out, size_t n);

#endif
