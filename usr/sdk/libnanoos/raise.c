/* raise.c: raise() sends the signal to the calling thread (tgkill 131), as
 * Linux libcs do. Alone in its file: every program links it (nanoos.ld asks
 * for it, so picolibc's abort() uses this one, not picolibc's own). */
#include <signal.h>

#include "sys.h"

int raise(int sig)
{
	return sys_result(sys3(SYS_tgkill, sys0(SYS_getpid), sys0(SYS_gettid), sig));
}
