/* tap.h: the Test Anything Protocol for the t-* programs.
 *
 *   ok(cond, "what")          prints "ok N - what" or "not ok N - what"
 *   skip("what", "why")       prints "ok N # SKIP what: why"
 *   return tap_done();        prints "1..N" and exits 0 only if all passed
 *
 * on_nanoos() tells NanoOs (uname -s "NanoOs") from the reference machine,
 * qemu-riscv32 on Linux, for the few checks only NanoOs can run (execve of
 * an RV32 program: qemu-user has no binfmt for it). */
#ifndef NANOOS_TAP_H
#define NANOOS_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

static int tap_count, tap_failed;

#define TAP_UNUSED __attribute__((unused))

__attribute__((format(printf, 2, 3))) static int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

TAP_UNUSED static void skip(const char *what, const char *why)
{
	printf("ok %d # SKIP %s: %s\n", ++tap_count, what, why);
	fflush(stdout);
}

static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

TAP_UNUSED static int on_nanoos(void)
{
	struct utsname u;
	return uname(&u) == 0 && strcmp(u.sysname, "NanoOs") == 0;
}

#endif
