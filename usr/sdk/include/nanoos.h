/* nanoos.h: the NanoOs-private system calls (500..511, above the Linux
 * table; vm-rv32i/syscall.h is the kernel's side, usr/README.md lists
 * them). Each returns 0 (or a count) on success and -1 with errno set on
 * failure, like the POSIX calls. Under qemu-riscv32 (Linux) they fail
 * with ENOSYS. */
#ifndef _NANOOS_NANOOS_H
#define _NANOOS_NANOOS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NANOOS_SYS_LOGIN  500
#define NANOOS_SYS_PASSWD 501
#define NANOOS_SYS_GETPW  502
#define NANOOS_SYS_PS     503

#define NANOOS_NAME_MAX 32              /* account names, with the NUL */
#define NANOOS_PATH_MAX 64              /* home and shell, with the NUL */

/* An account of /etc/passwd (the kernel's struct users_account). */
struct nanoos_account {
	uint32_t uid, gid;
	char name[NANOOS_NAME_MAX];
	char home[NANOOS_PATH_MAX];
	char shell[NANOOS_PATH_MAX];
};

/* A process of the table (the kernel's struct sched_ps_entry). */
struct nanoos_ps_entry {
	uint32_t pid, ppid, pgid, uid;
	char state;                     /* R running, S sleeping, T stopped, Z zombie */
	char cmd[47];
	uint32_t sid;
	uint32_t start;                 /* Unix seconds (0: unknown) */
	uint64_t instret;               /* instructions run so far */
	char user[32];
};

/* The calling process (root only: EPERM otherwise) becomes the account
 * `name` if `password` is its password: uid, gid and name change, as
 * login(1) does after setuid. EACCES: wrong password or no such account
 * (the same answer, after a delay). */
int nanoos_login(const char *name, const char *password);

/* Set the password of `name` (NULL: the caller's own account) to
 * `new_password`. Root needs no old password (old may be NULL); others
 * only change their own, with the right old one. EACCES: wrong old
 * password; EPERM: not yours; EINVAL: empty new password. */
int nanoos_passwd(const char *name, const char *old_password, const char *new_password);

/* The account `name`, or with `uid` when name is NULL. ENOENT: none. */
int nanoos_getpw(const char *name, uint32_t uid, struct nanoos_account *out);

/* Up to max processes into ents: how many, or -1. */
int nanoos_ps(struct nanoos_ps_entry *ents, unsigned max);

/* Print prompt on stdout, then read one line from fd 0 into buf[n]
 * without its newline, byte by byte (nothing past the newline is taken
 * from a pipe, so a program may prompt several times). With secret set and
 * a terminal on fd 0, echo is off while the line is typed. Its length, or
 * -1 at end of input or on an error (errno). A longer line is cut. */
int nanoos_prompt(const char *prompt, char *buf, unsigned n, int secret);

/* Linux id calls picolibc does not declare (glibc has them with
 * _GNU_SOURCE). A process has one uid and one gid: these set or report it
 * three times. */
#include <sys/types.h>
int setresuid(uid_t ruid, uid_t euid, uid_t suid);
int setresgid(gid_t rgid, gid_t egid, gid_t sgid);
int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid);
int getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid);

#ifdef __cplusplus
}
#endif

#endif
