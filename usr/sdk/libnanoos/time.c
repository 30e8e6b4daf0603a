/* time.c: clocks and sleeping with 64-bit time, the only kind RV32 Linux
 * has: clock_gettime64 (403), clock_getres_time64 (406),
 * clock_nanosleep_time64 (407) and times (153). gettimeofday serves
 * picolibc's time(); clock() reads the process CPU-time clock; nanosleep,
 * sleep and usleep sleep on CLOCK_MONOTONIC. Clock ids are translated
 * from picolibc's (abi.c). */
#include <errno.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

static struct linux_timespec to_linux(const struct timespec *ts)
{
	struct linux_timespec k = { .tv_sec = ts->tv_sec, .tv_nsec = ts->tv_nsec };
	return k;
}

static struct timespec from_linux(const struct linux_timespec *k)
{
	struct timespec ts = { .tv_sec = k->tv_sec, .tv_nsec = (long)k->tv_nsec };
	return ts;
}

/* -1 with errno EINVAL for a clock Linux does not have. */
static int linux_clock(clockid_t clock_id)
{
	int id = abi_clock_to_linux(clock_id);
	if (id < 0)
		errno = EINVAL;
	return id;
}

int clock_gettime(clockid_t clock_id, struct timespec *ts)
{
	int id = linux_clock(clock_id);
	if (id < 0)
		return -1;
	struct linux_timespec k;
	long r = sys2(SYS_clock_gettime64, id, &k);
	if (sys_failed(r))
		return sys_error(r);
	*ts = from_linux(&k);
	return 0;
}

int clock_getres(clockid_t clock_id, struct timespec *res)
{
	int id = linux_clock(clock_id);
	if (id < 0)
		return -1;
	struct linux_timespec k;
	long r = sys2(SYS_clock_getres_time64, id, &k);
	if (sys_failed(r))
		return sys_error(r);
	if (res)
		*res = from_linux(&k);
	return 0;
}

/* POSIX: returns the error number itself, not -1. */
int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *req,
		    struct timespec *rem)
{
	int id = abi_clock_to_linux(clock_id);
	if (id < 0)
		return EINVAL;
	struct linux_timespec kreq = to_linux(req), krem = { 0, 0 };
	int linux_flags = (flags & TIMER_ABSTIME) ? 1 : 0;   /* Linux's TIMER_ABSTIME is 1 */
	long r = sys4(SYS_clock_nanosleep_time64, id, linux_flags, &kreq, rem ? &krem : NULL);
	if (sys_failed(r)) {
		if (rem && r == -4 /* EINTR */)
			*rem = from_linux(&krem);
		return abi_errno_from_linux((int)-r);
	}
	return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int err = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

unsigned sleep(unsigned seconds)
{
	struct timespec req = { .tv_sec = seconds, .tv_nsec = 0 }, rem = { 0, 0 };
	if (nanosleep(&req, &rem) == 0)
		return 0;
	return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
}

int usleep(useconds_t usec)
{
	struct timespec req = { .tv_sec = usec / 1000000, .tv_nsec = (long)(usec % 1000000) * 1000 };
	return nanosleep(&req, NULL);
}

int gettimeofday(struct timeval *__restrict tv, void *__restrict tz)
{
	(void)tz;
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	if (tv) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return 0;
}

/* In the kernel's clock ticks (USER_HZ, 100 a second). */
clock_t times(struct tms *buf)
{
	return (clock_t)sys_result(sys1(SYS_times, buf));
}

/* picolibc's clock() would count times()' ticks against CLOCKS_PER_SEC
 * (1000000): the process CPU clock gives the right unit. */
clock_t clock(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0)
		return (clock_t)-1;
	return (clock_t)(ts.tv_sec * CLOCKS_PER_SEC + ts.tv_nsec / (1000000000 / CLOCKS_PER_SEC));
}
