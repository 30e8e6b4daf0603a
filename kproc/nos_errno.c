/*
 * nos_strerror: text for NanoOs error numbers. Portable (Linux and AVR).
 */
#include "nos_errno.h"

struct nos_error_text {
	unsigned char number;
	const char *text;
};

static const struct nos_error_text nos_error_texts[] = {
	{ NOS_EPERM, "operation not permitted" },
	{ NOS_ENOENT, "no such file or directory" },
	{ NOS_ESRCH, "no such process" },
	{ NOS_EINTR, "interrupted" },
	{ NOS_EIO, "input/output error" },
	{ NOS_ENXIO, "no such device or address" },
	{ NOS_E2BIG, "argument list too long" },
	{ NOS_ENOEXEC, "exec format error" },
	{ NOS_EBADF, "bad file descriptor" },
	{ NOS_ECHILD, "no child processes" },
	{ NOS_EAGAIN, "resource temporarily unavailable" },
	{ NOS_ENOMEM, "out of memory" },
	{ NOS_EACCES, "permission denied" },
	{ NOS_EFAULT, "bad address" },
	{ NOS_EBUSY, "device or resource busy" },
	{ NOS_EEXIST, "file exists" },
	{ NOS_EXDEV, "cross-device link" },
	{ NOS_ENODEV, "no such device" },
	{ NOS_ENOTDIR, "not a directory" },
	{ NOS_EISDIR, "is a directory" },
	{ NOS_EINVAL, "invalid argument" },
	{ NOS_ENFILE, "too many open files in system" },
	{ NOS_EMFILE, "too many open files" },
	{ NOS_ENOTTY, "not a terminal" },
	{ NOS_EFBIG, "file too large" },
	{ NOS_ENOSPC, "no space left on device" },
	{ NOS_ESPIPE, "illegal seek" },
	{ NOS_EROFS, "read-only file system" },
	{ NOS_EMLINK, "too many links" },
	{ NOS_EPIPE, "broken pipe (the receiver has exited)" },
	{ NOS_ERANGE, "result out of range" },
	{ NOS_EDEADLK, "resource deadlock would occur" },
	{ NOS_ENAMETOOLONG, "file name too long" },
	{ NOS_ENOSYS, "function not implemented" },
	{ NOS_ENOTEMPTY, "directory not empty" },
	{ NOS_ELOOP, "too many levels of symbolic links" },
	{ NOS_EPROTO, "protocol error" },
	{ NOS_EBADMSG, "malformed message" },
	{ NOS_EOVERFLOW, "value too large" },
	{ NOS_EMSGSIZE, "message too long" },
	{ NOS_EPROTONOSUPPORT, "protocol version not supported" },
	{ NOS_EOPNOTSUPP, "operation not supported" },
	{ NOS_ECONNRESET, "connection reset by peer" },
	{ NOS_ENOTCONN, "not connected" },
	{ NOS_ETIMEDOUT, "timed out" },
	{ NOS_EHOSTUNREACH, "no route to host" },
	{ NOS_ECANCELED, "operation canceled" },
};

const char *nos_strerror(int err)
{
	unsigned i;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	for (i = 0; i < sizeof(nos_error_texts) / sizeof(nos_error_texts[0]); i++)
		if (nos_error_texts[i].number == err)
			return nos_error_texts[i].text;
	return "unknown error";
}
