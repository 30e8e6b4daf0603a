/* sys/stat.h: picolibc's struct stat and mode bits (the same as Linux's),
 * plus lstat(), which it declares only for some systems. The glue fills
 * struct stat from Linux's statx. */
#ifndef _NANOOS_SYS_STAT_H
#define _NANOOS_SYS_STAT_H
#pragma GCC system_header

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif
int lstat(const char *__restrict, struct stat *__restrict);
#ifdef __cplusplus
}
#endif

#endif
