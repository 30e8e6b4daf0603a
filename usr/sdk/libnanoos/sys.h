/* sys.h: how the glue library talks to the kernel (private to libnanoos).
 *
 * sys0..sys6 issue one `ecall` with the Linux RV32 convention (a7 = number,
 * a0..a5 = arguments, a0 = result or -errno). sys_result() turns a raw
 * result into the C convention: -1 with errno set, the value otherwise.
 *
 * Picolibc's headers keep their own numbers for errno codes, open flags,
 * AT_* values and clock ids (its prebuilt libc.a uses them internally, e.g.
 * fopen builds O_* flags, strerror indexes by errno), so the glue translates
 * at this boundary: abi_*() below. Signals, termios, mmap, rlimit and wait
 * use Linux's numbers directly (usr/sdk/include overrides those headers). */
#ifndef NANOOS_LIBNANOOS_SYS_H
#define NANOOS_LIBNANOOS_SYS_H

#include <stdint.h>
#include <sys/syscall.h>

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;
	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) \
	sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* A raw result in [-4095, -1] is a Linux -errno. */
static inline int sys_failed(long r)
{
	return (unsigned long)r > -4096UL;
}

/* -1 with errno set (picolibc's number for Linux's -r), or r itself. */
long sys_result(long r);

/* For a result known to be an error: errno set, -1. */
static inline int sys_error(long r)
{
	sys_result(r);
	return -1;
}

/* Linux values the glue passes to the kernel. */
#define LINUX_AT_FDCWD             (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW  0x100
#define LINUX_AT_REMOVEDIR         0x200
#define LINUX_AT_EMPTY_PATH        0x1000
#define LINUX_O_CLOEXEC            02000000
#define LINUX_F_DUPFD_CLOEXEC      1030
#define LINUX_SIGCHLD              17
#define LINUX_CLONE_VM             0x00000100
#define LINUX_CLONE_VFORK          0x00004000

/* Translations between picolibc's numbers and Linux's (abi.c). */
int abi_errno_from_linux(int linux_errno);
int abi_open_flags_to_linux(int flags);
int abi_open_flags_from_linux(int flags);
int abi_dirfd_to_linux(int dirfd);
int abi_at_flags_to_linux(int flags);
int abi_clock_to_linux(int clock_id);

/* A Linux struct timespec with 64-bit time (__kernel_timespec). */
struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

#endif
