/*
 * fs_policy.h: who may do what where on a NanoOs volume (DESIGN.md section 4).
 *
 * FAT stores no owners, so fs applies a fixed policy by path and caller:
 *   /bin /sbin /lib /usr /etc   readable by all, writable by root only
 *   /etc/shadow (and shadow+, shadow-)  readable and writable by root only
 *   /home/NAME                  belongs to NAME: NAME and root write, all read
 *   /tmp                        open to all
 *   everything else             owned by root, readable by all
 * Two rights are judged: FS_WRITE, to change an entry itself (its data, its
 * times, its attributes; removing or renaming it too), and FS_WRITE_IN, to
 * add or remove entries in a directory. Creating, removing or renaming an
 * entry needs FS_WRITE on it and FS_WRITE_IN on its directory (fs asks for
 * both): so anyone may create in /tmp, but only root may remove /tmp.
 *
 * Paths are judged in canonical form: absolute, "." and ".." resolved,
 * repeated slashes folded (fs_path_canon), and compared case-blind, as FAT
 * looks names up: "/ETC/Shadow" is /etc/shadow. Portable (Linux and AVR).
 */
#ifndef NOS_FS_POLICY_H
#define NOS_FS_POLICY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __AVR__
#define FS_PATH_MAX 128             /* bytes, with the NUL: RAM is 8 KiB */
#else
#define FS_PATH_MAX 1024            /* bytes, with the NUL */
#endif
#define FS_USER_NAME_MAX 32
#define FS_UID_ROOT 0

/* The caller as fs sees it: stamped by a trusted kernel process (sched,
 * the syscall layer), never taken from a guest's own word. */
struct fs_cred {
	uint32_t uid;
	char name[FS_USER_NAME_MAX];    /* account name, for /home/NAME */
};

enum fs_access { FS_READ = 1, FS_WRITE = 2, FS_WRITE_IN = 4 };

/* Canonicalise `path` (absolute, or relative to `cwd`, which must itself be
 * canonical) into out[FS_PATH_MAX]. 0, -NOS_ENOENT (empty path),
 * -NOS_ENAMETOOLONG, -NOS_EINVAL (relative without a cwd; a name ending in
 * a dot or a space, which FAT tools would read as another name). ".." at
 * the root stays at the root, as in POSIX. */
int fs_path_canon(const char *cwd, const char *path, char *out);

/* 0 if cred may access the canonical path as asked, else -NOS_EACCES. */
int fs_policy_check(const struct fs_cred *cred, const char *canon_path, unsigned access);

#endif
