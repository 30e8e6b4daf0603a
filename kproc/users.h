/*
 * users.h: start the users kernel process (kproc/users.c): the accounts of
 * /etc/passwd and the password hashes of /etc/shadow on the volume
 * (messages: kproc/proto.h, PROTO_USERS). Portable; the port supplies the
 * password hashing (libcrypt on Linux, kproc/users_crypt_linux.c).
 */
#ifndef NOS_USERS_H
#define NOS_USERS_H

#include <stddef.h>

#include "kproc/proto.h"
#include "msg/msg.h"

struct users_config {
	msg_pid_t fs;                       /* the volume, read and written as root */
	/* A new hash of password with a fresh salt into out[n]: 0, or -NOS_E*. */
	int (*hash)(const char *password, char *out, size_t n);
	/* 1 when password matches hash, else 0. */
	int (*verify)(const char *password, const char *hash);
	/* Wait this long after a failed login (ns; 0: none). */
	int64_t fail_delay_ns;
};

/* Start users as ("users", 0) under the caller; cfg must outlive it. */
int users_start(struct users_config *cfg, msg_pid_t *pid);

/* The Linux port's hashing (kproc/users_crypt_linux.c, libcrypt). */
int users_crypt_hash(const char *password, char *out, size_t n);
int users_crypt_verify(const char *password, const char *hash);

#endif
