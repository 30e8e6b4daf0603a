/* unistd.h: picolibc's, plus the calls it does not declare that NanoOs
 * guests have (brk, gettid). */
#ifndef _NANOOS_UNISTD_H
#define _NANOOS_UNISTD_H
#pragma GCC system_header

#include_next <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif
int brk(void *);
pid_t gettid(void);
#ifdef __cplusplus
}
#endif

#endif
