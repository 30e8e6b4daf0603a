/* fork.c: fork() is clone (220) with only SIGCHLD as the exit signal: a new
 * process with a copy of the address space. (vfork is in vfork.S.) */
#include <unistd.h>

#include "sys.h"

pid_t fork(void)
{
	return sys_result(sys5(SYS_clone, LINUX_SIGCHLD, 0, 0, 0, 0));
}
