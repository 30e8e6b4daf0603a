/* sys/signal.h: signals with Linux's numbers and structures (NanoOs guests).
 *
 * Replaces picolibc's version, whose numbers are BSD's (SIGCHLD 20, SIGUSR1
 * 30) and whose struct sigaction cannot carry SA_SIGINFO or SA_RESTART.
 * Here every number is the one the kernel (Linux RV32, NanoOs) uses, so a
 * signal number, a mask or a siginfo_t crosses the system call unchanged.
 * <signal.h> (picolibc's) includes this file and adds SIG_DFL, SIG_IGN,
 * SIG_ERR, signal(), raise() and psignal(). */
#ifndef _SYS_SIGNAL_H
#define _SYS_SIGNAL_H
#pragma GCC system_header

#include <sys/cdefs.h>
#include <sys/features.h>
#include <sys/types.h>
#include <sys/_sigset.h>
#include <sys/_timespec.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if !defined(_SIGSET_T_DECLARED)
#define _SIGSET_T_DECLARED
typedef __sigset_t sigset_t;
#endif

#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGIOT     SIGABRT
#define SIGBUS     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGSTKFLT 16
#define SIGCHLD   17
#define SIGCLD    SIGCHLD
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGXCPU   24
#define SIGXFSZ   25
#define SIGVTALRM 26
#define SIGPROF   27
#define SIGWINCH  28
#define SIGIO     29
#define SIGPOLL   SIGIO
#define SIGPWR    30
#define SIGSYS    31
#define SIGRTMIN  32
#define SIGRTMAX  64
#define NSIG      65      /* signals are 1..64 */
#define _NSIG     NSIG

/* sigprocmask's how */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sa_flags */
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOMASK    SA_NODEFER
#define SA_ONESHOT   SA_RESETHAND

#define MINSIGSTKSZ 2048
#define SIGSTKSZ    8192

typedef void (*_sig_func_ptr)(int);

union sigval {
	int sival_int;
	void *sival_ptr;
};

#define SIGEV_SIGNAL 0
#define SIGEV_NONE   1
#define SIGEV_THREAD 2

struct sigevent {
	union sigval sigev_value;
	int sigev_signo;
	int sigev_notify;
	void (*sigev_notify_function)(union sigval);
	void *sigev_notify_attributes;
};

/* Linux's siginfo_t on a 32-bit machine: 128 bytes. */
typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	union {
		int __pad[29];
		struct {
			int __pid;
			unsigned int __uid;
			union {
				struct {
					int __status;
					long __utime;
					long __stime;
				} __chld;
				union sigval __value;
			} __u;
		} __proc;
		struct {
			void *__addr;
		} __fault;
	} __si;
} siginfo_t;

#define si_pid    __si.__proc.__pid
#define si_uid    __si.__proc.__uid
#define si_status __si.__proc.__u.__chld.__status
#define si_utime  __si.__proc.__u.__chld.__utime
#define si_stime  __si.__proc.__u.__chld.__stime
#define si_value  __si.__proc.__u.__value
#define si_addr   __si.__fault.__addr

/* si_code */
#define SI_USER    0
#define SI_KERNEL  0x80
#define SI_QUEUE   (-1)
#define SI_TIMER   (-2)
#define SI_MESGQ   (-3)
#define SI_ASYNCIO (-4)
#define SI_TKILL   (-6)
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_TRAPPED   4
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

struct sigaction {
	union {
		_sig_func_ptr __handler;
		void (*__sigaction)(int, siginfo_t *, void *);
	} __sa_handler;
	sigset_t sa_mask;
	int sa_flags;
	void (*sa_restorer)(void);   /* unused: see usr/sdk/libnanoos/sigtramp.S */
};
#define sa_handler   __sa_handler.__handler
#define sa_sigaction __sa_handler.__sigaction

typedef struct sigaltstack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

int sigaction(int, const struct sigaction *__restrict, struct sigaction *__restrict);
int sigprocmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int sigemptyset(sigset_t *);
int sigfillset(sigset_t *);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
int sigpending(sigset_t *);
int sigsuspend(const sigset_t *);
int kill(pid_t, int);
int killpg(pid_t, int);

#ifdef __cplusplus
}
#endif

#endif
