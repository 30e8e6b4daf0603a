/* sys/wait.h: picolibc's (the W* status macros match Linux's encoding)
 * plus waitid() and the options and id types Linux gives it. */
#ifndef _NANOOS_SYS_WAIT_H
#define _NANOOS_SYS_WAIT_H
#pragma GCC system_header

#include_next <sys/wait.h>
#include <signal.h>

#define WSTOPPED   2
#define WEXITED    4
#define WCONTINUED 8
#define WNOWAIT    0x01000000

#define WCOREDUMP(w)   ((w) & 0x80)
#define WIFCONTINUED(w) ((w) == 0xffff)

typedef enum { P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3 } idtype_t;

#ifdef __cplusplus
extern "C" {
#endif
int waitid(idtype_t, id_t, siginfo_t *, int);
#ifdef __cplusplus
}
#endif

#endif
