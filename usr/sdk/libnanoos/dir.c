/* dir.c: directory streams (opendir, readdir, closedir ...) over Linux's
 * getdents64 (61). A DIR holds the descriptor and one buffer of records. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

struct __nanoos_dir {
	int fd;
	int pos;    /* next record in buf */
	int len;    /* bytes of records in buf */
	struct dirent entry;
	char buf[2048];
};

/* A linux_dirent64 as getdents64 writes it. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

DIR *fdopendir(int fd)
{
	DIR *d = malloc(sizeof(*d));
	if (!d)
		return NULL;
	d->fd = fd;
	d->pos = d->len = 0;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int closedir(DIR *d)
{
	int r = close(d->fd);
	free(d);
	return r;
}

int dirfd(DIR *d)
{
	return d->fd;
}

/* NULL at the end (errno untouched) or on an error (errno set). */
struct dirent *readdir(DIR *d)
{
	if (d->pos >= d->len) {
		long r = sys3(SYS_getdents64, d->fd, d->buf, sizeof(d->buf));
		if (sys_failed(r)) {
			sys_result(r);
			return NULL;
		}
		if (r == 0)
			return NULL;
		d->len = (int)r;
		d->pos = 0;
	}
	const struct linux_dirent64 *rec = (const void *)(d->buf + d->pos);
	d->pos += rec->d_reclen;
	d->entry.d_ino = rec->d_ino;
	d->entry.d_off = rec->d_off;
	d->entry.d_reclen = sizeof(d->entry);
	d->entry.d_type = rec->d_type;
	size_t n = strnlen(rec->d_name, MAXNAMLEN);
	memcpy(d->entry.d_name, rec->d_name, n);
	d->entry.d_name[n] = '\0';
	return &d->entry;
}

void rewinddir(DIR *d)
{
	lseek(d->fd, 0, SEEK_SET);
	d->pos = d->len = 0;
}
