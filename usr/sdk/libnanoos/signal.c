/* signal.c: signals with Linux's numbers: sigaction (rt_sigaction 134),
 * sigprocmask (rt_sigprocmask 135), sigpending (136), sigsuspend (133),
 * kill (129), killpg, signal(), and the sigset_t operations (raise is in
 * raise.c).
 * Caught signals enter through __nanoos_sigtramp (sigtramp.S), which calls
 * the handler kept in __nanoos_sig_handlers and then rt_sigreturn. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "sys.h"

/* The kernel's struct sigaction for RV32 (no sa_restorer field). */
struct linux_sigaction {
	void *handler;
	unsigned long flags;
	uint64_t mask;
};

#define SIGSET_BYTES 8

void (*__nanoos_sig_handlers[NSIG])(int, siginfo_t *, void *);
void __nanoos_sigtramp(int, siginfo_t *, void *);

static int valid_signal(int sig)
{
	return sig >= 1 && sig < NSIG;
}

static int is_function(_sig_func_ptr h)
{
	return h != SIG_DFL && h != SIG_IGN;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!valid_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	void (*before)(int, siginfo_t *, void *) = __nanoos_sig_handlers[sig];
	struct linux_sigaction kact, kold;
	if (act) {
		kact.flags = (unsigned long)act->sa_flags;
		kact.mask = act->sa_mask;
		kact.handler = (void *)act->sa_handler;
		if (is_function(act->sa_handler)) {
			__nanoos_sig_handlers[sig] = act->sa_sigaction;
			kact.handler = (void *)__nanoos_sigtramp;
		}
	}
	long r = sys4(SYS_rt_sigaction, sig, act ? &kact : NULL, old ? &kold : NULL, SIGSET_BYTES);
	if (sys_failed(r)) {
		__nanoos_sig_handlers[sig] = before;
		return sys_error(r);
	}
	if (old) {
		old->sa_handler = (_sig_func_ptr)kold.handler;
		if (kold.handler == (void *)__nanoos_sigtramp)
			old->sa_sigaction = before;
		old->sa_mask = kold.mask;
		old->sa_flags = (int)kold.flags;
		old->sa_restorer = 0;
	}
	return 0;
}

/* BSD semantics, as glibc's: the handler stays, interrupted calls restart. */
_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;
	sigemptyset(&act.sa_mask);
	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return sys_result(sys4(SYS_rt_sigprocmask, how, set, old, SIGSET_BYTES));
}

int sigpending(sigset_t *set)
{
	return sys_result(sys2(SYS_rt_sigpending, set, SIGSET_BYTES));
}

int sigsuspend(const sigset_t *mask)
{
	return sys_result(sys2(SYS_rt_sigsuspend, mask, SIGSET_BYTES));
}

int kill(pid_t pid, int sig)
{
	return sys_result(sys2(SYS_kill, pid, sig));
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pgrp, sig);
}

static sigset_t bit_of(int sig)
{
	return 1ULL << (sig - 1);
}

int sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	*set = ~0ULL;
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (!valid_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	*set |= bit_of(sig);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (!valid_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	*set &= ~bit_of(sig);
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (!valid_signal(sig)) {
		errno = EINVAL;
		return -1;
	}
	return (*set & bit_of(sig)) != 0;
}
