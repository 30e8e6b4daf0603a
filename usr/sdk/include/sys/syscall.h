/* sys/syscall.h: the Linux RV32 system-call numbers NanoOs guests use.
 *
 * The asm-generic table as it stands for 32-bit machines with 64-bit time
 * (checked against /usr/include/asm-generic/unistd.h; qemu-riscv32 accepts
 * exactly these). a7 = number, a0..a5 = arguments, a0 = result or -errno.
 * syscall() issues any of them by number and returns -1 with errno set on
 * failure, as glibc's does (arguments are passed as the kernel takes them:
 * Linux flag values, 64-bit values as (low, high) register pairs). */
#ifndef _NANOOS_SYS_SYSCALL_H
#define _NANOOS_SYS_SYSCALL_H
#pragma GCC system_header

#define SYS_getcwd                  17
#define SYS_dup                     23
#define SYS_dup3                    24
#define SYS_fcntl64                 25
#define SYS_ioctl                   29
#define SYS_mkdirat                 34
#define SYS_unlinkat                35
#define SYS_ftruncate64             46
#define SYS_faccessat               48
#define SYS_chdir                   49
#define SYS_fchdir                  50
#define SYS_openat                  56
#define SYS_close                   57
#define SYS_pipe2                   59
#define SYS_getdents64              61
#define SYS_llseek                  62
#define SYS_read                    63
#define SYS_write                   64
#define SYS_readv                   65
#define SYS_writev                  66
#define SYS_pread64                 67
#define SYS_pwrite64                68
#define SYS_fsync                   82
#define SYS_exit                    93
#define SYS_exit_group              94
#define SYS_waitid                  95
#define SYS_kill                   129
#define SYS_tgkill                 131
#define SYS_rt_sigsuspend          133
#define SYS_rt_sigaction           134
#define SYS_rt_sigprocmask         135
#define SYS_rt_sigpending          136
#define SYS_rt_sigreturn           139
#define SYS_times                  153
#define SYS_setpgid                154
#define SYS_getpgid                155
#define SYS_setsid                 157
#define SYS_uname                  160
#define SYS_getpid                 172
#define SYS_getppid                173
#define SYS_getuid                 174
#define SYS_geteuid                175
#define SYS_getgid                 176
#define SYS_getegid                177
#define SYS_gettid                 178
#define SYS_brk                    214
#define SYS_munmap                 215
#define SYS_clone                  220
#define SYS_execve                 221
#define SYS_mmap2                  222
#define SYS_prlimit64              261
#define SYS_renameat2              276
#define SYS_getrandom              278
#define SYS_statx                  291
#define SYS_clock_gettime64        403
#define SYS_clock_getres_time64    406
#define SYS_clock_nanosleep_time64 407

long syscall(long number, ...);

#endif
