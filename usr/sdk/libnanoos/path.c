/* path.c: names in the file tree: mkdir, rmdir, unlink, rename, access,
 * getcwd, chdir (mkdirat 34, unlinkat 35, renameat2 276, faccessat 48,
 * getcwd 17, chdir 49, fchdir 50). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys.h"

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return sys_result(sys3(SYS_mkdirat, abi_dirfd_to_linux(dirfd), path, mode));
}

int mkdir(const char *path, mode_t mode)
{
	return mkdirat(AT_FDCWD, path, mode);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	return sys_result(sys3(SYS_unlinkat, abi_dirfd_to_linux(dirfd), path,
			       abi_at_flags_to_linux(flags)));
}

int unlink(const char *path)
{
	return unlinkat(AT_FDCWD, path, 0);
}

int rmdir(const char *path)
{
	return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	return sys_result(sys5(SYS_renameat2, abi_dirfd_to_linux(olddirfd), oldpath,
			       abi_dirfd_to_linux(newdirfd), newpath, 0));
}

int rename(const char *oldpath, const char *newpath)
{
	return renameat(AT_FDCWD, oldpath, AT_FDCWD, newpath);
}

/* remove(): picolibc's calls unlink only; POSIX's also removes directories. */
int remove(const char *path)
{
	if (unlink(path) == 0)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	return rmdir(path);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	(void)flags;   /* AT_EACCESS: real and effective ids are one here */
	return sys_result(sys3(SYS_faccessat, abi_dirfd_to_linux(dirfd), path, mode));
}

int access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, 0);
}

/* A NULL buffer is allocated (size 0: as large as needed), as glibc does. */
char *getcwd(char *buf, size_t size)
{
	char local[4096];
	char *dst = buf ? buf : local;
	size_t cap = buf ? size : sizeof(local);
	if (buf && size == 0) {
		errno = EINVAL;
		return NULL;
	}
	long r = sys_result(sys2(SYS_getcwd, dst, cap));
	if (r < 0)
		return NULL;
	if (buf)
		return buf;
	if (size && (size_t)r > size) {
		errno = ERANGE;
		return NULL;
	}
	char *copy = malloc(size ? size : (size_t)r);
	if (copy)
		memcpy(copy, local, (size_t)r);
	return copy;
}

int chdir(const char *path)
{
	return sys_result(sys1(SYS_chdir, path));
}

int fchdir(int fd)
{
	return sys_result(sys1(SYS_fchdir, fd));
}
