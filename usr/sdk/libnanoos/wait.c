/* wait.c: waitid (95), the only wait call RV32 Linux has, and waitpid/wait
 * on top of it: the child's siginfo becomes the classic status word
 * (exit code << 8, signal number, 0x80 for a core, 0x7f for stopped). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "sys.h"

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	return sys_result(sys5(SYS_waitid, idtype, id, info, options, NULL));
}

static int status_of(const siginfo_t *si)
{
	switch (si->si_code) {
	case CLD_EXITED:
		return (si->si_status & 0xff) << 8;
	case CLD_KILLED:
		return si->si_status & 0x7f;
	case CLD_DUMPED:
		return (si->si_status & 0x7f) | 0x80;
	case CLD_STOPPED:
	case CLD_TRAPPED:
		return ((si->si_status & 0xff) << 8) | 0x7f;
	case CLD_CONTINUED:
		return 0xffff;
	default:
		return 0;
	}
}

/* pid > 0: that child; -1: any; 0: my process group; < -1: group -pid. */
pid_t waitpid(pid_t pid, int *status, int options)
{
	idtype_t type = P_PID;
	id_t id = (id_t)pid;
	if (pid == -1) {
		type = P_ALL;
		id = 0;
	} else if (pid == 0) {
		type = P_PGID;
		id = 0;
	} else if (pid < -1) {
		type = P_PGID;
		id = (id_t)-pid;
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid(type, id, &si, options | WEXITED) < 0)
		return -1;
	if (si.si_pid == 0)   /* WNOHANG and nothing has changed */
		return 0;
	if (status)
		*status = status_of(&si);
	return si.si_pid;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}
