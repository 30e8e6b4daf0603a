/*
 * sched.h: start the sched kernel process (kproc/sched.c). Portable.
 */
#ifndef NOS_SCHED_H
#define NOS_SCHED_H

#include <stddef.h>

#include "kproc/proto.h"
#include "msg/msg.h"

#define SCHED_WORKERS_MAX 32           /* workers are ("sched", 1..this) */
#ifdef __AVR__
#define SCHED_PROCS_MAX 8                /* processes in the table */
#else
#define SCHED_PROCS_MAX 16384            /* 10,000 sleeping guests and room to spare */
#endif

struct sched_config {
	/* The process table and pipe buffers come from here (the port's
	 * malloc/free): sched sizes them for the platform. */
	void *(*alloc)(size_t n);
	void (*release)(void *p);
	unsigned max_procs_per_user;       /* 0: no limit below the table's size */
	uint32_t (*now)(void);             /* Unix seconds, for ps (NULL: 0) */
};

/* Who may speak for "the tool" (spawn, wait for its guests, kill as the
 * kernel, ps): sched's parent, the daemon's session threads
 * ("session", 0..SCHED_SESSIONS_MAX) and the consoles ("console", any: ^C,
 * ^Z, hangup). */
#define SCHED_SESSIONS_MAX 255     /* msg.h: indices are 0..255 */

/* Start sched as ("sched", 0) under the caller; cfg must outlive it. */
int sched_start(struct sched_config *cfg, msg_pid_t *pid);

#endif
