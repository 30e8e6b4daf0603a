/* file.c: file descriptors: open, read, write, seek, truncate, sync, close,
 * dup, pipe, fcntl. Each is one Linux system call (read 63, write 64,
 * openat 56, close 57, llseek 62, readv 65, writev 66, pread64 67, pwrite64
 * 68, ftruncate64 46, fsync 82, fcntl64 25, dup 23, dup3 24, pipe2 59);
 * open flags and AT_FDCWD are translated from picolibc's values (abi.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sys.h"

/* The mode argument exists only when the flags create a file. */
static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return sys_result(sys4(SYS_openat, abi_dirfd_to_linux(dirfd), path,
			       abi_open_flags_to_linux(flags), mode));
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_arg(flags, ap);
	va_end(ap);
	return openat(AT_FDCWD, path, flags, mode);
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

ssize_t read(int fd, void *buf, size_t count)
{
	return sys_result(sys3(SYS_read, fd, buf, count));
}

ssize_t write(int fd, const void *buf, size_t count)
{
	return sys_result(sys3(SYS_write, fd, buf, count));
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	return sys_result(sys3(SYS_readv, fd, iov, iovcnt));
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	return sys_result(sys3(SYS_writev, fd, iov, iovcnt));
}

/* 64-bit offsets travel as (low, high) register pairs on RV32. */
ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
	long long off = offset;
	return sys_result(sys5(SYS_pread64, fd, buf, count, (unsigned long)off,
			       (long)(off >> 32)));
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	long long off = offset;
	return sys_result(sys5(SYS_pwrite64, fd, buf, count, (unsigned long)off,
			       (long)(off >> 32)));
}

int close(int fd)
{
	return sys_result(sys1(SYS_close, fd));
}

/* off_t is 32-bit here: a position past 2 GiB cannot be returned. */
off_t lseek(int fd, off_t offset, int whence)
{
	long long off = offset, result = 0;
	long r = sys5(SYS_llseek, fd, (long)(off >> 32), (unsigned long)off, &result, whence);
	if (sys_failed(r))
		return sys_error(r);
	if (result != (off_t)result) {
		errno = EOVERFLOW;
		return -1;
	}
	return (off_t)result;
}

int ftruncate(int fd, off_t length)
{
	long long len = length;
	return sys_result(sys3(SYS_ftruncate64, fd, (unsigned long)len, (long)(len >> 32)));
}

int truncate(const char *path, off_t length)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int r = ftruncate(fd, length);
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int fsync(int fd)
{
	return sys_result(sys1(SYS_fsync, fd));
}

int fdatasync(int fd)
{
	return fsync(fd);
}

int dup(int fd)
{
	return sys_result(sys1(SYS_dup, fd));
}

int dup3(int oldfd, int newfd, int flags)
{
	return sys_result(sys3(SYS_dup3, oldfd, newfd, abi_open_flags_to_linux(flags)));
}

/* dup3 refuses oldfd == newfd; dup2 returns it if it is open. */
int dup2(int oldfd, int newfd)
{
	if (oldfd == newfd)
		return fcntl(oldfd, F_GETFD) < 0 ? -1 : newfd;
	return dup3(oldfd, newfd, 0);
}

int pipe2(int fds[2], int flags)
{
	return sys_result(sys2(SYS_pipe2, fds, abi_open_flags_to_linux(flags)));
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

/* F_DUPFD, F_GETFD/F_SETFD (FD_CLOEXEC is 1 in both) and F_GETFL/F_SETFL
 * (flags translated) are supported; record locks are not (EINVAL). */
int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	switch (cmd) {
	case F_DUPFD:
	case F_GETFD:
	case F_SETFD:
		return sys_result(sys3(SYS_fcntl64, fd, cmd, arg));
	case F_DUPFD_CLOEXEC:
		return sys_result(sys3(SYS_fcntl64, fd, LINUX_F_DUPFD_CLOEXEC, arg));
	case F_GETFL: {
		long r = sys_result(sys2(SYS_fcntl64, fd, F_GETFL));
		return r < 0 ? -1 : abi_open_flags_from_linux((int)r);
	}
	case F_SETFL:
		return sys_result(sys3(SYS_fcntl64, fd, F_SETFL,
				       abi_open_flags_to_linux((int)arg)));
	default:
		errno = EINVAL;
		return -1;
	}
}
