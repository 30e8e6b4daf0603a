/* abi.c: picolibc's numbers <-> Linux's, at the system-call boundary.
 *
 * Programs see picolibc's errno codes, O_* flags, AT_* values and clock ids,
 * because picolibc's prebuilt libc.a was compiled with them (fopen makes O_*
 * flags, strerror indexes its table by errno). The kernel speaks Linux's.
 * Every translation is a table; a value with no counterpart says so (EIO for
 * an errno picolibc lacks, EINVAL for an unknown clock). */
#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include "sys.h"

/* Indexed by Linux errno (asm-generic/errno*.h); entries 1..34 coincide.
 * Linux codes picolibc has no name for, which become EIO:
 *   ENOTBLK ECHRNG EL2NSYNC EL3HLT EL3RST ELNRNG EUNATCH ENOCSI EL2HLT EBADE
 *   EBADR EXFULL ENOANO EBADRQC EBADSLT EBFONT ENONET ENOPKG EREMOTE EADV
 *   ESRMNT ECOMM EDOTDOT ENOTUNIQ EBADFD EREMCHG ELIBACC ELIBBAD ELIBSCN
 *   ELIBMAX ELIBEXEC ERESTART ESTRPIPE EUSERS ESOCKTNOSUPPORT ESHUTDOWN EUCLEAN
 *   ENOTNAM ENAVAIL EISNAM EREMOTEIO ENOMEDIUM EMEDIUMTYPE ENOKEY EKEYEXPIRED
 *   EKEYREVOKED EKEYREJECTED ERFKILL EHWPOISON
 */
static const unsigned char errno_from_linux[] = {
	[  1] = EPERM, [  2] = ENOENT, [  3] = ESRCH, [  4] = EINTR,
	[  5] = EIO, [  6] = ENXIO, [  7] = E2BIG, [  8] = ENOEXEC,
	[  9] = EBADF, [ 10] = ECHILD, [ 11] = EAGAIN, [ 12] = ENOMEM,
	[ 13] = EACCES, [ 14] = EFAULT, [ 16] = EBUSY, [ 17] = EEXIST,
	[ 18] = EXDEV, [ 19] = ENODEV, [ 20] = ENOTDIR, [ 21] = EISDIR,
	[ 22] = EINVAL, [ 23] = ENFILE, [ 24] = EMFILE, [ 25] = ENOTTY,
	[ 26] = ETXTBSY, [ 27] = EFBIG, [ 28] = ENOSPC, [ 29] = ESPIPE,
	[ 30] = EROFS, [ 31] = EMLINK, [ 32] = EPIPE, [ 33] = EDOM,
	[ 34] = ERANGE, [ 35] = EDEADLK, [ 36] = ENAMETOOLONG, [ 37] = ENOLCK,
	[ 38] = ENOSYS, [ 39] = ENOTEMPTY, [ 40] = ELOOP, [ 42] = ENOMSG,
	[ 43] = EIDRM, [ 60] = ENOSTR, [ 61] = ENODATA, [ 62] = ETIME,
	[ 63] = ENOSR, [ 67] = ENOLINK, [ 71] = EPROTO, [ 72] = EMULTIHOP,
	[ 74] = EBADMSG, [ 75] = EOVERFLOW, [ 84] = EILSEQ, [ 88] = ENOTSOCK,
	[ 89] = EDESTADDRREQ, [ 90] = EMSGSIZE, [ 91] = EPROTOTYPE, [ 92] = ENOPROTOOPT,
	[ 93] = EPROTONOSUPPORT, [ 95] = EOPNOTSUPP, [ 96] = EPFNOSUPPORT, [ 97] = EAFNOSUPPORT,
	[ 98] = EADDRINUSE, [ 99] = EADDRNOTAVAIL, [100] = ENETDOWN, [101] = ENETUNREACH,
	[102] = ENETRESET, [103] = ECONNABORTED, [104] = ECONNRESET, [105] = ENOBUFS,
	[106] = EISCONN, [107] = ENOTCONN, [109] = ETOOMANYREFS, [110] = ETIMEDOUT,
	[111] = ECONNREFUSED, [112] = EHOSTDOWN, [113] = EHOSTUNREACH, [114] = EALREADY,
	[115] = EINPROGRESS, [116] = ESTALE, [122] = EDQUOT, [125] = ECANCELED,
	[130] = EOWNERDEAD, [131] = ENOTRECOVERABLE,
};

int abi_errno_from_linux(int linux_errno)
{
	if (linux_errno <= 0 || linux_errno >= (int)sizeof(errno_from_linux))
		return EIO;
	int e = errno_from_linux[linux_errno];
	return e ? e : EIO;
}

long sys_result(long r)
{
	if (!sys_failed(r))
		return r;
	errno = abi_errno_from_linux((int)-r);
	return -1;
}

/* Every open flag picolibc's <fcntl.h> names for us (its O_TMPFILE, O_PATH
 * and O_NOATIME exist only for Cygwin); O_WRONLY, O_RDWR, O_CREAT, O_TRUNC
 * and O_APPEND happen to have Linux's values. */
static const struct {
	int pico, linux;
} open_flags[] = {
	{ O_WRONLY, 01 },          { O_RDWR, 02 },
	{ O_CREAT, 0100 },         { O_EXCL, 0200 },
	{ O_NOCTTY, 0400 },        { O_TRUNC, 01000 },
	{ O_APPEND, 02000 },       { O_NONBLOCK, 04000 },
	{ O_SYNC, 04010000 },      { O_DIRECT, 040000 },
	{ O_DIRECTORY, 0200000 },  { O_NOFOLLOW, 0400000 },
	{ O_CLOEXEC, 02000000 },
};
#define N_OPEN_FLAGS (sizeof(open_flags) / sizeof(open_flags[0]))

int abi_open_flags_to_linux(int flags)
{
	int out = 0;
	for (unsigned i = 0; i < N_OPEN_FLAGS; i++)
		if ((flags & open_flags[i].pico) == open_flags[i].pico)
			out |= open_flags[i].linux;
	return out;
}

int abi_open_flags_from_linux(int flags)
{
	int out = 0;
	for (unsigned i = 0; i < N_OPEN_FLAGS; i++)
		if ((flags & open_flags[i].linux) == open_flags[i].linux)
			out |= open_flags[i].pico;
	return out;
}

int abi_dirfd_to_linux(int dirfd)
{
	return dirfd == AT_FDCWD ? LINUX_AT_FDCWD : dirfd;
}

int abi_at_flags_to_linux(int flags)
{
	static const struct {
		int pico, linux;
	} at_flags[] = {
		{ AT_SYMLINK_NOFOLLOW, LINUX_AT_SYMLINK_NOFOLLOW },
		{ AT_REMOVEDIR, LINUX_AT_REMOVEDIR },
		{ AT_SYMLINK_FOLLOW, 0x400 },
		{ AT_EMPTY_PATH, LINUX_AT_EMPTY_PATH },
	};
	int out = 0;
	for (unsigned i = 0; i < sizeof(at_flags) / sizeof(at_flags[0]); i++)
		if (flags & at_flags[i].pico)
			out |= at_flags[i].linux;
	return out;
}

/* Indexed by picolibc's clock id; the value is Linux's. */
static const signed char clock_to_linux[] = {
	[CLOCK_REALTIME_COARSE] = 5,   [CLOCK_REALTIME] = 0,
	[CLOCK_PROCESS_CPUTIME_ID] = 2, [CLOCK_THREAD_CPUTIME_ID] = 3,
	[CLOCK_MONOTONIC] = 1,          [CLOCK_MONOTONIC_RAW] = 4,
	[CLOCK_MONOTONIC_COARSE] = 6,   [CLOCK_BOOTTIME] = 7,
	[CLOCK_REALTIME_ALARM] = 8,     [CLOCK_BOOTTIME_ALARM] = 9,
};

/* -1 for a clock Linux does not have. */
int abi_clock_to_linux(int clock_id)
{
	if (clock_id < 0 || clock_id >= (int)sizeof(clock_to_linux))
		return -1;
	return clock_to_linux[clock_id];
}
