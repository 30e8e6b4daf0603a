/*
 * sys_misc.c: uname, clocks, sleeping and random bytes (Linux port: the
 * wall clock and the entropy come from the host).
 */
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/syscall.h"

#define UTS_LEN 65

SYS(uname)
{
	static const char *const fields[6] = {
		"NanoOs", "nanoos", "0.1", "#1 NanoOs RV32 on Linux", "riscv32", "(none)",
	};
	char b[6 * UTS_LEN];
	unsigned i;

	memset(b, 0, sizeof(b));
	for (i = 0; i < 6; i++)
		strncpy(b + i * UTS_LEN, fields[i], UTS_LEN - 1);
	return gmem_write(&g->mem, a[0], b, sizeof(b)) < 0 ? -NOS_EFAULT : 0;
}

enum { CLK_REALTIME = 0, CLK_MONOTONIC = 1, CLK_PROCESS = 2, CLK_THREAD = 3,
       CLK_MONO_RAW = 4, CLK_REAL_COARSE = 5, CLK_MONO_COARSE = 6, CLK_BOOTTIME = 7 };

/* Nanoseconds on the guest's clock id, or -1 for an unknown one. The CPU
 * clocks count a guest's instructions as nanoseconds: what it has used. */
static int64_t clock_ns(const struct guest *g, uint32_t id)
{
	struct timespec ts;

	switch (id) {
	case CLK_REALTIME:
	case CLK_REAL_COARSE:
		clock_gettime(CLOCK_REALTIME, &ts);
		return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	case CLK_MONOTONIC:
	case CLK_MONO_RAW:
	case CLK_MONO_COARSE:
	case CLK_BOOTTIME:
		return (int64_t)msg_now_ns();
	case CLK_PROCESS:
	case CLK_THREAD:
		return (int64_t)g->cpu.instret;
	default:
		return -1;
	}
}

static int put_timespec(struct guest *g, uint32_t addr, int64_t ns)
{
	uint8_t b[16];

	st_64(b, (uint64_t)(ns / 1000000000));
	st_32(b + 8, (uint32_t)(ns % 1000000000));
	st_32(b + 12, 0);
	return gmem_write(&g->mem, addr, b, sizeof(b));
}

SYS(clock_gettime64)
{
	int64_t ns = clock_ns(g, a[0]);

	if (ns < 0)
		return -NOS_EINVAL;
	return put_timespec(g, a[1], ns) < 0 ? -NOS_EFAULT : 0;
}

SYS(clock_getres_time64)
{
	if (clock_ns(g, a[0]) < 0)
		return -NOS_EINVAL;
	return a[1] && put_timespec(g, a[1], 1) < 0 ? -NOS_EFAULT : 0;
}

#define L_TIMER_ABSTIME 1u

/* clock_nanosleep_time64(clock, flags, request, remain) */
SYS(clock_nanosleep_time64)
{
	int64_t now = clock_ns(g, a[0]), sec, ns, until;
	uint8_t b[16];

	if (now < 0 || a[0] == CLK_PROCESS || a[0] == CLK_THREAD)
		return -NOS_EINVAL;
	if (g->resume_wake_ns && g->resume_pc == g->cpu.pc) {
		/* Made again after a stop: sleep until the first call's end. */
		uint64_t wake = g->resume_wake_ns;

		g->resume_wake_ns = 0;
		if (wake <= msg_now_ns())
			return 0;
		guest_sleep_until(g, wake);
		return SYS_PARKED;
	}
	g->resume_wake_ns = 0;
	if (gmem_read(&g->mem, a[2], b, sizeof(b)) < 0)
		return -NOS_EFAULT;
	sec = (int64_t)ld_64(b);
	ns = (int32_t)ld_32(b + 8);
	if (sec < 0 || ns < 0 || ns >= 1000000000)
		return -NOS_EINVAL;
	if (sec > 100ll * 365 * 86400)
		sec = 100ll * 365 * 86400;
	until = sec * 1000000000 + ns;
	if (!(a[1] & L_TIMER_ABSTIME))
		until += now;
	if (until <= now)
		return 0;
	/* The sleep runs on the monotonic clock from now. */
	guest_sleep_until(g, msg_now_ns() + (uint64_t)(until - now));
	return SYS_PARKED;
}

SYS(getrandom)
{
	uint8_t b[256];
	uint32_t done = 0, len = a[1] > 65536 ? 65536 : a[1];

	while (done < len) {
		uint32_t n = len - done < sizeof(b) ? len - done : (uint32_t)sizeof(b);
		ssize_t got = getrandom(b, n, 0);

		if (got <= 0)
			return done ? (int32_t)done : -NOS_EAGAIN;
		if (gmem_write(&g->mem, a[0] + done, b, (uint32_t)got) < 0)
			return done ? (int32_t)done : -NOS_EFAULT;
		done += (uint32_t)got;
	}
	return (int32_t)done;
}

/* times(buf): clock ticks at 100 Hz; a guest's CPU time is its
 * instructions counted as nanoseconds (as CLOCK_PROCESS_CPUTIME_ID). */
SYS(times)
{
	uint8_t b[16];

	if (a[0]) {
		memset(b, 0, sizeof(b));
		st_32(b, (uint32_t)(g->cpu.instret / 10000000u));
		if (gmem_write(&g->mem, a[0], b, sizeof(b)) < 0)
			return -NOS_EFAULT;
	}
	return (int32_t)(uint32_t)(msg_now_ns() / 10000000u);
}
