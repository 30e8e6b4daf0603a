/*
 * nos_strerror: text for NanoOs error numbers. Portable (Linux and AVR).
 *
 * On AVR the texts stay in flash (PROGMEM): strings in RAM would take 1 KiB
 * of the board's 8; the one asked for is copied out to a static buffer,
 * valid until the next call (coroutines: until the caller next waits).
 */
#include "nos_errno.h"

#define NOS_ERROR_LIST(X) \
	X(NOS_EPERM, "operation not permitted") \
	X(NOS_ENOENT, "no such file or directory") \
	X(NOS_ESRCH, "no such process") \
	X(NOS_EINTR, "interrupted") \
	X(NOS_EIO, "input/output error") \
	X(NOS_ENXIO, "no such device or address") \
	X(NOS_E2BIG, "argument list too long") \
	X(NOS_ENOEXEC, "exec format error") \
	X(NOS_EBADF, "bad file descriptor") \
	X(NOS_ECHILD, "no child processes") \
	X(NOS_EAGAIN, "resource temporarily unavailable") \
	X(NOS_ENOMEM, "out of memory") \
	X(NOS_EACCES, "permission denied") \
	X(NOS_EFAULT, "bad address") \
	X(NOS_EBUSY, "device or resource busy") \
	X(NOS_EEXIST, "file exists") \
	X(NOS_EXDEV, "cross-device link") \
	X(NOS_ENODEV, "no such device") \
	X(NOS_ENOTDIR, "not a directory") \
	X(NOS_EISDIR, "is a directory") \
	X(NOS_EINVAL, "invalid argument") \
	X(NOS_ENFILE, "too many open files in system") \
	X(NOS_EMFILE, "too many open files") \
	X(NOS_ENOTTY, "not a terminal") \
	X(NOS_EFBIG, "file too large") \
	X(NOS_ENOSPC, "no space left on device") \
	X(NOS_ESPIPE, "illegal seek") \
	X(NOS_EROFS, "read-only file system") \
	X(NOS_EMLINK, "too many links") \
	X(NOS_EPIPE, "broken pipe (the receiver has exited)") \
	X(NOS_ERANGE, "result out of range") \
	X(NOS_EDEADLK, "resource deadlock would occur") \
	X(NOS_ENAMETOOLONG, "file name too long") \
	X(NOS_ENOSYS, "function not implemented") \
	X(NOS_ENOTEMPTY, "directory not empty") \
	X(NOS_ELOOP, "too many levels of symbolic links") \
	X(NOS_EPROTO, "protocol error") \
	X(NOS_EBADMSG, "malformed message") \
	X(NOS_EOVERFLOW, "value too large") \
	X(NOS_EMSGSIZE, "message too long") \
	X(NOS_EPROTONOSUPPORT, "protocol version not supported") \
	X(NOS_EOPNOTSUPP, "operation not supported") \
	X(NOS_ECONNRESET, "connection reset by peer") \
	X(NOS_ENOTCONN, "not connected") \
	X(NOS_ETIMEDOUT, "timed out") \
	X(NOS_EHOSTUNREACH, "no route to host") \
	X(NOS_ECANCELED, "operation canceled")

#ifdef __AVR__
#include <avr/pgmspace.h>

#define TEXT(n, t) static const char text_##n[] PROGMEM = t;
NOS_ERROR_LIST(TEXT)

struct nos_error_text {
	unsigned char number;
	const char *text;               /* in flash */
};

#define ROW(n, t) { n, text_##n },
static const struct nos_error_text nos_error_texts[] PROGMEM = { NOS_ERROR_LIST(ROW) };

const char *nos_strerror(int err)
{
	static char text[40];
	unsigned i;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "success";
	for (i = 0; i < sizeof(nos_error_texts) / sizeof(nos_error_texts[0]); i++) {
		if (pgm_read_byte(&nos_error_texts[i].number) == err) {
			strncpy_P(text, (const char *)pgm_read_word(&nos_error_texts[i].text),
			          sizeof(text) - 1);
			return text;
		}
	}
	return "unknown error";
}

#else

struct nos_error_text {
	unsigned char number;
	const char *text;
};

#define ROW(n, t) { n, t },
static const struct nos_error_text nos_error_texts[] = { NOS_ERROR_LIST(ROW) };

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

#endif
