/* sys/uio.h: scatter/gather I/O (Linux's struct iovec). */
#ifndef _NANOOS_SYS_UIO_H
#define _NANOOS_SYS_UIO_H
#pragma GCC system_header

#include <sys/types.h>

#define IOV_MAX 1024

struct iovec {
	void *iov_base;
	size_t iov_len;
};

#ifdef __cplusplus
extern "C" {
#endif
ssize_t readv(int, const struct iovec *, int);
ssize_t writev(int, const struct iovec *, int);
#ifdef __cplusplus
}
#endif

#endif
