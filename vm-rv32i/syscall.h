/*
 * syscall.h: the Linux RV32 system-call layer (vm-rv32i/syscall.c and the
 * sys_*.c files beside it). Numbers are the asm-generic table for 32-bit
 * with 64-bit time, exactly what qemu-riscv32 accepts.
 *
 * A handler gets the guest and a0..a5 and returns the result (>= 0 or
 * -errno) or SYS_PARKED when it sent a message and parked the guest (the
 * message's completion finishes the call with guest_return).
 */
#ifndef NOS_SYSCALL_H
#define NOS_SYSCALL_H

#include "vm-rv32i/worker.h"

typedef int32_t (*syscall_fn)(struct guest *g, const uint32_t a[6]);

struct syscall_entry {
	const char *name;
	syscall_fn fn;
	uint8_t nargs;                 /* for --trace */
};

#define SYSCALL_MAX 512
extern const struct syscall_entry syscall_table[SYSCALL_MAX];

/* Handle the ecall g stopped at. */
void syscall_dispatch(struct guest *g);
void syscall_trace_result(struct guest *g, int32_t value);

/* Handlers, by file. */
#define SYS(name) int32_t sys_##name(struct guest *g, const uint32_t a[6])
/* sys_fs.c */
SYS(openat); SYS(close); SYS(read); SYS(write); SYS(readv); SYS(writev);
SYS(llseek); SYS(getdents64); SYS(mkdirat); SYS(unlinkat); SYS(renameat2);
SYS(statx); SYS(ftruncate64); SYS(fsync); SYS(fcntl64); SYS(getcwd); SYS(chdir);
SYS(dup); SYS(dup3); SYS(pipe2); SYS(ioctl); SYS(faccessat); SYS(utimensat);
SYS(statfs64); SYS(fstatfs64); SYS(fchdir); SYS(pread64); SYS(pwrite64);
/* sys_proc.c */
SYS(exit); SYS(exit_group); SYS(getpid); SYS(getppid); SYS(gettid); SYS(getuid);
SYS(geteuid); SYS(getgid); SYS(getegid); SYS(kill); SYS(tgkill); SYS(setpgid);
SYS(getpgid); SYS(setsid); SYS(getsid); SYS(waitid); SYS(clone); SYS(execve);
SYS(prlimit64); SYS(set_tid_address); SYS(sched_yield); SYS(umask);
/* sys_mem.c */
SYS(brk); SYS(mmap2); SYS(munmap); SYS(mprotect); SYS(madvise);
/* sys_misc.c */
SYS(uname); SYS(clock_gettime64); SYS(clock_nanosleep_time64); SYS(clock_getres_time64);
SYS(getrandom); SYS(times);
/* sys_signal.c */
SYS(rt_sigaction); SYS(rt_sigprocmask); SYS(rt_sigreturn); SYS(rt_sigpending);
SYS(rt_sigsuspend);

/* sys_users.c: ids (one uid and one gid per guest), and the NanoOs-private
 * calls, numbered above the Linux table (500..511 are NanoOs's own; the
 * guest side is usr/sdk/include/nanoos.h, documented in usr/README.md):
 *   500 nanoos_login(name, password) -> 0: the (root) caller becomes it
 *   501 nanoos_passwd(name or NULL, old or NULL, new) -> 0
 *   502 nanoos_getpw(name or NULL, uid, struct nanoos_account *) -> 0
 *   503 nanoos_ps(struct nanoos_ps_entry *, max) -> entries */
#define SYS_NANOOS_LOGIN 500
#define SYS_NANOOS_PASSWD 501
#define SYS_NANOOS_GETPW 502
#define SYS_NANOOS_PS 503
SYS(setuid); SYS(setgid); SYS(setreuid); SYS(setregid); SYS(setresuid); SYS(setresgid);
SYS(getresuid); SYS(getresgid); SYS(getgroups); SYS(setgroups);
SYS(nanoos_login); SYS(nanoos_passwd); SYS(nanoos_getpw); SYS(nanoos_ps);

/* sys_signal.c: push a handler frame for sig (0, or -1: no room). */
int signal_frame_push(struct guest *g, unsigned sig);
/* sys_fs.c: the canonical form of a guest path relative to dirfd. */
int guest_path(struct guest *g, int32_t dirfd, uint32_t addr, char *out);

/* Linux values the handlers use. */
#define L_AT_FDCWD (-100)
#define L_AT_REMOVEDIR 0x200
#define L_O_ACCMODE 03
#define L_O_CREAT 0100
#define L_O_EXCL 0200
#define L_O_NOCTTY 0400
#define L_O_TRUNC 01000
#define L_O_APPEND 02000
#define L_O_NONBLOCK 04000
#define L_O_DIRECTORY 0200000
#define L_O_CLOEXEC 02000000

#endif
