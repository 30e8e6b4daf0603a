/*
 * NanoOs error numbers.
 *
 * NanoOs has its own error constants, numbered as Linux numbers them
 * (asm-generic/errno-base.h and errno.h), so a guest's -errno and a host's
 * errno agree. avr-libc gives most errno names one shared value, so nothing
 * outside the Linux port uses the C library's errno names: use these.
 *
 * Functions return 0 (or a count) on success and -NOS_Exxx on failure.
 */
#ifndef NOS_ERRNO_H
#define NOS_ERRNO_H

#define NOS_EPERM         1   /* operation not permitted */
#define NOS_ENOENT        2   /* no such file or directory */
#define NOS_ESRCH         3   /* no such process */
#define NOS_EINTR         4   /* interrupted */
#define NOS_EIO           5   /* input/output error */
#define NOS_ENXIO         6   /* no such device or address */
#define NOS_E2BIG         7   /* argument list too long */
#define NOS_ENOEXEC       8   /* exec format error */
#define NOS_EBADF         9   /* bad file descriptor */
#define NOS_ECHILD       10   /* no child processes */
#define NOS_EAGAIN       11   /* try again */
#define NOS_ENOMEM       12   /* out of memory */
#define NOS_EACCES       13   /* permission denied */
#define NOS_EFAULT       14   /* bad address */
#define NOS_EBUSY        16   /* device or resource busy */
#define NOS_EEXIST       17   /* file exists */
#define NOS_EXDEV        18   /* cross-device link */
#define NOS_ENODEV       19   /* no such device */
#define NOS_ENOTDIR      20   /* not a directory */
#define NOS_EISDIR       21   /* is a directory */
#define NOS_EINVAL       22   /* invalid argument */
#define NOS_ENFILE       23   /* file table overflow */
#define NOS_EMFILE       24   /* too many open files */
#define NOS_ENOTTY       25   /* not a terminal */
#define NOS_EFBIG        27   /* file too large */
#define NOS_ENOSPC       28   /* no space left on device */
#define NOS_ESPIPE       29   /* illegal seek */
#define NOS_EROFS        30   /* read-only file system */
#define NOS_EMLINK       31   /* too many links */
#define NOS_EPIPE        32   /* broken pipe */
#define NOS_ERANGE       34   /* result out of range */
#define NOS_EDEADLK      35   /* resource deadlock would occur */
#define NOS_ENAMETOOLONG 36   /* file name too long */
#define NOS_ENOSYS       38   /* function not implemented */
#define NOS_ENOTEMPTY    39   /* directory not empty */
#define NOS_ELOOP        40   /* too many symbolic links */
#define NOS_EPROTO       71   /* protocol error */
#define NOS_EBADMSG      74   /* not a data message */
#define NOS_EOVERFLOW    75   /* value too large for defined data type */
#define NOS_EMSGSIZE     90   /* message too long */
#define NOS_EPROTONOSUPPORT 93 /* protocol not supported */
#define NOS_EOPNOTSUPP   95   /* operation not supported */
#define NOS_ECONNRESET  104   /* connection reset by peer */
#define NOS_ENOTCONN    107   /* not connected */
#define NOS_ETIMEDOUT   110   /* timed out */
#define NOS_EHOSTUNREACH 113  /* no route to host */
#define NOS_ECANCELED   125   /* operation canceled */

/* A short English text for -err or err; "unknown error N" style for others. */
const char *nos_strerror(int err);

#endif
