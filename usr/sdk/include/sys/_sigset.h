/* sys/_sigset.h: a signal set as Linux's rt_sig* calls take it: 64 bits,
 * bit (n - 1) for signal n. Replaces picolibc's 32-bit one. */
#ifndef _SYS__SIGSET_H_
#define _SYS__SIGSET_H_
#pragma GCC system_header

typedef unsigned long long __sigset_t;

#endif
