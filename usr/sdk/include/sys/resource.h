/* sys/resource.h: picolibc's (struct rusage) plus resource limits with
 * Linux's numbers; limits are 64-bit as prlimit64 takes them. */
#ifndef _NANOOS_SYS_RESOURCE_H
#define _NANOOS_SYS_RESOURCE_H
#pragma GCC system_header

#include_next <sys/resource.h>
#include <sys/types.h>

typedef unsigned long long rlim_t;

#define RLIM_INFINITY  (~0ULL)
#define RLIM_SAVED_MAX RLIM_INFINITY
#define RLIM_SAVED_CUR RLIM_INFINITY

#define RLIMIT_CPU     0
#define RLIMIT_FSIZE   1
#define RLIMIT_DATA    2
#define RLIMIT_STACK   3
#define RLIMIT_CORE    4
#define RLIMIT_RSS     5
#define RLIMIT_NPROC   6
#define RLIMIT_NOFILE  7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS      9
#define RLIM_NLIMITS   16

struct rlimit {
	rlim_t rlim_cur;
	rlim_t rlim_max;
};

#ifdef __cplusplus
extern "C" {
#endif
int getrlimit(int, struct rlimit *);
int setrlimit(int, const struct rlimit *);
int prlimit(pid_t, int, const struct rlimit *, struct rlimit *);
#ifdef __cplusplus
}
#endif

#endif
