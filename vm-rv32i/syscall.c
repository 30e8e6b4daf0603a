/*
 * syscall.c: the system-call table, indexed by a7 (Linux RV32 numbers, the
 * asm-generic table with 64-bit time), and the dispatch from an ecall.
 * Unknown numbers return -ENOSYS and are logged once per number.
 */
#include <stdio.h>
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/syscall.h"

#define E(nr, name, n) [nr] = { #name, sys_##name, n }

const struct syscall_entry syscall_table[SYSCALL_MAX] = {
	E(17, getcwd, 2),
	E(23, dup, 1),
	E(24, dup3, 3),
	E(25, fcntl64, 3),
	E(29, ioctl, 3),
	E(34, mkdirat, 3),
	E(35, unlinkat, 3),
	E(43, statfs64, 3),
	E(44, fstatfs64, 3),
	E(46, ftruncate64, 3),
	E(48, faccessat, 3),
	E(49, chdir, 1),
	E(50, fchdir, 1),
	E(56, openat, 4),
	E(57, close, 1),
	E(59, pipe2, 2),
	E(61, getdents64, 3),
	E(62, llseek, 5),
	E(63, read, 3),
	E(64, write, 3),
	E(65, readv, 3),
	E(66, writev, 3),
	E(67, pread64, 5),
	E(68, pwrite64, 5),
	E(82, fsync, 1),
	E(93, exit, 1),
	E(94, exit_group, 1),
	E(95, waitid, 5),
	E(96, set_tid_address, 1),
	E(124, sched_yield, 0),
	E(129, kill, 2),
	E(131, tgkill, 3),
	E(133, rt_sigsuspend, 2),
	E(134, rt_sigaction, 4),
	E(135, rt_sigprocmask, 4),
	E(136, rt_sigpending, 2),
	E(139, rt_sigreturn, 0),
	E(153, times, 1),
	E(154, setpgid, 2),
	E(155, getpgid, 1),
	E(156, getsid, 1),
	E(157, setsid, 0),
	E(160, uname, 1),
	E(166, umask, 1),
	E(172, getpid, 0),
	E(173, getppid, 0),
	E(174, getuid, 0),
	E(175, geteuid, 0),
	E(176, getgid, 0),
	E(177, getegid, 0),
	E(178, gettid, 0),
	E(214, brk, 1),
	E(215, munmap, 2),
	E(220, clone, 5),
	E(221, execve, 3),
	E(222, mmap2, 6),
	E(226, mprotect, 3),
	E(233, madvise, 3),
	E(261, prlimit64, 4),
	E(276, renameat2, 5),
	E(278, getrandom, 3),
	E(291, statx, 5),
	E(403, clock_gettime64, 2),
	E(406, clock_getres_time64, 2),
	E(407, clock_nanosleep_time64, 4),
	E(412, utimensat, 4),
	/* sys_users.c: ids, and the NanoOs-private calls (syscall.h) */
	E(143, setregid, 2),
	E(144, setgid, 1),
	E(145, setreuid, 2),
	E(146, setuid, 1),
	E(147, setresuid, 3),
	E(148, getresuid, 3),
	E(149, setresgid, 3),
	E(150, getresgid, 3),
	E(158, getgroups, 2),
	E(159, setgroups, 2),
	E(SYS_NANOOS_LOGIN, nanoos_login, 2),
	E(SYS_NANOOS_PASSWD, nanoos_passwd, 3),
	E(SYS_NANOOS_GETPW, nanoos_getpw, 3),
	E(SYS_NANOOS_PS, nanoos_ps, 2),
};

static uint8_t unknown_logged[SYSCALL_MAX / 8];

/* One strace-like line, printed when the call completes (so that the
 * lines of several guests never interleave). */
void syscall_trace_result(struct guest *g, int32_t value)
{
	uint32_t nr = g->trace_nr;
	const struct syscall_entry *e = nr < SYSCALL_MAX && syscall_table[nr].fn ?
	                                &syscall_table[nr] : NULL;
	char line[256];
	int n;
	unsigned i;

	n = snprintf(line, sizeof(line), "[%lu] %s(", (unsigned long)g->pid, e ? e->name : "syscall");
	if (!e)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%lu, ", (unsigned long)nr);
	for (i = 0; i < (e ? e->nargs : 6u) && n < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s0x%lx", i ? ", " : "",
		              (unsigned long)g->trace_a[i]);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	if (value == SYS_PARKED)
		fprintf(stderr, "%.*s) = ?\n", n, line);
	else if (value < 0 && value >= -4095)
		fprintf(stderr, "%.*s) = -%ld (%s)\n", n, line, (long)-value, nos_strerror(-value));
	else
		fprintf(stderr, "%.*s) = %ld\n", n, line, (long)value);
}

void syscall_dispatch(struct guest *g)
{
	uint32_t nr = g->cpu.x[RV_A7];
	const struct syscall_entry *e = nr < SYSCALL_MAX && syscall_table[nr].fn ?
	                                &syscall_table[nr] : NULL;
	uint32_t a[6];
	int32_t r;
	unsigned i;

	for (i = 0; i < 6; i++)
		a[i] = g->cpu.x[RV_A0 + i];
	g->syscalls++;
	if (g->trace) {
		g->trace_nr = nr;
		memcpy(g->trace_a, a, sizeof(a));
		if (nr == 93 || nr == 94)          /* exit: no return to print */
			syscall_trace_result(g, SYS_PARKED);
	}
	if (!e) {
		if (nr >= SYSCALL_MAX || !(unknown_logged[nr / 8] & (1u << (nr % 8)))) {
			if (nr < SYSCALL_MAX)
				__atomic_fetch_or(&unknown_logged[nr / 8], (uint8_t)(1u << (nr % 8)),
				                  __ATOMIC_RELAXED);
			fprintf(stderr, "nanoos: %s (pid %lu) made unknown system call %lu: -ENOSYS\n",
			        g->cmd, (unsigned long)g->pid, (unsigned long)nr);
		}
		guest_return(g, -NOS_ENOSYS);
		return;
	}
	r = e->fn(g, a);
	if (r != SYS_PARKED)
		guest_return(g, r);
}
