/* sys/features.h: picolibc's, plus the POSIX options NanoOs has that it
 * announces only for RTEMS and Cygwin: with them <time.h> declares
 * clock_gettime, nanosleep and clock_nanosleep and defines CLOCK_MONOTONIC
 * and the CPU-time clocks. (It then also declares the timer_* calls, which
 * the glue library does not have yet.) */
#ifndef _NANOOS_SYS_FEATURES_H
#define _NANOOS_SYS_FEATURES_H
#pragma GCC system_header

#include_next <sys/features.h>

#ifndef _POSIX_TIMERS
#define _POSIX_TIMERS 200809L
#endif
#ifndef _POSIX_CLOCK_SELECTION
#define _POSIX_CLOCK_SELECTION 200809L
#endif
#ifndef _POSIX_MONOTONIC_CLOCK
#define _POSIX_MONOTONIC_CLOCK 200809L
#endif
#ifndef _POSIX_CPUTIME
#define _POSIX_CPUTIME 200809L
#endif
#ifndef _POSIX_THREAD_CPUTIME
#define _POSIX_THREAD_CPUTIME 200809L
#endif

#endif
