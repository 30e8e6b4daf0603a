/* t-time: clocks and sleeping (64-bit time): clock_gettime on the realtime,
 * monotonic and CPU-time clocks, clock_getres, nanosleep/usleep/sleep
 * sleeping at least as long as asked, time(), gettimeofday, clock(), and
 * the errors for a bad clock or a bad interval. */
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long monotonic_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ns_of(&t);
}

static void test_clocks(void)
{
	struct timespec rt;
	ok(clock_gettime(CLOCK_REALTIME, &rt) == 0 && rt.tv_sec > 1600000000LL &&
	   rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000L, "CLOCK_REALTIME is after 2020 (%lld)",
	   (long long)rt.tv_sec);
	long long last = monotonic_ns(), backwards = 0;
	for (int i = 0; i < 1000; i++) {
		long long now = monotonic_ns();
		backwards += now < last;
		last = now;
	}
	ok(backwards == 0, "CLOCK_MONOTONIC never goes backwards over 1000 reads");
	struct timespec res;
	ok(clock_getres(CLOCK_MONOTONIC, &res) == 0 && ns_of(&res) > 0 && ns_of(&res) <= 10000000,
	   "clock_getres(CLOCK_MONOTONIC) is at most 10 ms (%lld ns)", ns_of(&res));
	struct timespec cpu0, cpu1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu0);
	volatile unsigned spin = 0;
	for (unsigned i = 0; i < 20000000u; i++)
		spin += i;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu1);
	ok(ns_of(&cpu1) > ns_of(&cpu0), "CLOCK_PROCESS_CPUTIME_ID grows while computing");
	ok(clock_gettime((clockid_t)99, &rt) == -1 && errno == EINVAL, "an unknown clock: EINVAL");

	time_t t = time(NULL);
	struct timeval tv;
	ok(t > 1600000000LL && gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= t &&
	   tv.tv_usec >= 0 && tv.tv_usec < 1000000, "time() and gettimeofday agree");
	ok(clock() > 0, "clock() counts CPU time (%ld)", (long)clock());
}

static void test_sleeps(void)
{
	struct timespec want = { 0, 120 * 1000 * 1000 };
	long long t0 = monotonic_ns();
	int r = nanosleep(&want, NULL);
	long long slept = monotonic_ns() - t0;
	ok(r == 0 && slept >= ns_of(&want), "nanosleep 120 ms sleeps at least that (%lld ms)",
	   slept / 1000000);
	ok(slept < 2000000000LL, "... and not absurdly longer");
	t0 = monotonic_ns();
	r = usleep(50000);
	slept = monotonic_ns() - t0;
	ok(r == 0 && slept >= 50000000LL, "usleep 50 ms (%lld ms)", slept / 1000000);
	t0 = monotonic_ns();
	unsigned left = sleep(1);
	slept = monotonic_ns() - t0;
	ok(left == 0 && slept >= 1000000000LL, "sleep 1 s (%lld ms)", slept / 1000000);
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 30 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000L) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000L;
	}
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL);
	ok(r == 0 && monotonic_ns() >= ns_of(&abs), "clock_nanosleep to an absolute time");
	struct timespec bad = { 0, 1000000000L };
	ok(nanosleep(&bad, NULL) == -1 && errno == EINVAL, "nanosleep with tv_nsec 1e9: EINVAL");
}

int main(void)
{
	test_clocks();
	test_sleeps();
	return tap_done();
}
