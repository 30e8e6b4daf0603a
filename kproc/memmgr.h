/*
 * memmgr.h: start the memmgr kernel process (kproc/memmgr.c). Portable.
 */
#ifndef NOS_MEMMGR_H
#define NOS_MEMMGR_H

#include <stddef.h>

#include "kproc/proto.h"
#include "msg/msg.h"

struct memmgr_config {
	void *(*alloc)(size_t n);          /* for its tables (the port's malloc) */
	void (*release)(void *p);
	uint64_t total_limit;              /* bytes all guests may hold; 0: no limit */
};

int memmgr_start(struct memmgr_config *cfg, msg_pid_t *pid);

#endif
