/*
 * port_linux.c: the platform under both msg backends on Linux: the monotonic
 * clock, idling, and the last words of a broken invariant.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "msg/port_platform.h"

uint64_t port_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void port_idle_until(uint64_t deadline_ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
	ts.tv_nsec = (long)(deadline_ns % 1000000000u);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

void port_fatal(const char *what)
{
	fprintf(stderr, "nanoos: fatal: %s\n", what);
	abort();
}

/* Log lines: "nanoos[level] who: what" on stderr (the journal keeps stderr
 * of a service). The daemon's logger will replace this with levels and
 * timestamps. */
#include "kproc/kproc.h"

void port_log(int level, const char *who, const char *what)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	if (level < 0 || level > KPROC_LOG_DEBUG)
		level = KPROC_LOG_ERROR;
	fprintf(stderr, "nanoos: %s: %s: %s\n", names[level], who, what);
}
