/*
 * kproc.h: the kernel-process runtime over msg (portable: Linux and AVR).
 *
 * A kernel process is started with kproc_start() under a registered name
 * and index ("fs", 0) and usually runs kproc_serve(): a loop that takes
 * messages from its inbox and dispatches them through a table of handlers
 * indexed by type, checking payload sizes (-NOS_EBADMSG) and unknown types
 * (-NOS_ENOSYS) for it. Every kernel process answers KPROC_MSG_PING and
 * KPROC_MSG_STOP (from its parent only).
 *
 * kproc_panic() ends only the calling kernel process: the runtime fails every
 * pending and future call to it with an error (-NOS_EPIPE, then -NOS_ESRCH).
 */
#ifndef NOS_KPROC_H
#define NOS_KPROC_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/proto.h"
#include "msg/msg.h"

/* A process address: (node, port, name, index). node 0 is this machine,
 * the only node today; port selects a service of a node (0: the kernel). */
typedef struct kproc_addr {
	uint16_t node;
	uint16_t port;
	char name[MSG_NAME_MAX];
	uint8_t index;
} kproc_addr_t;

#define KPROC_NODE_LOCAL 0

/* Resolve an address to a pid: 0, -NOS_ENOENT (no such process),
 * -NOS_EHOSTUNREACH (another node), -NOS_EINVAL. */
int kproc_resolve(const kproc_addr_t *addr, msg_pid_t *pid);
/* Shorthand for the local kernel: kproc_find("fs", 0, &pid). */
int kproc_find(const char *name, unsigned index, msg_pid_t *pid);

/* Start a kernel process (name and index registered before it runs). */
int kproc_start(const char *name, unsigned index, msg_entry_t main, void *arg,
                size_t stack_size, msg_pid_t *pid);
/* Ask it to stop (KPROC_MSG_STOP) and join it. Only its parent may. */
int kproc_stop(msg_pid_t pid, int64_t timeout_ns);
/* The process that started the caller (MSG_PID_NONE for the first). */
msg_pid_t kproc_parent(void);

void kproc_exit(void) __attribute__((noreturn));
/* Log why, then end the calling kernel process (never the instance). */
void kproc_panic(const char *why) __attribute__((noreturn));

/* Whether m was sent by the process registered as (name, index): the check
 * a kernel process makes before privileged work. */
int kproc_sent_by(const msg_t *m, const char *name, unsigned index);

/* Whether m was sent by any process registered as (name, first..last). */
int kproc_sent_by_any(const msg_t *m, const char *name, unsigned first, unsigned last);

/* ---- the serve loop ---- */

#define KPROC_DEFERRED 0x7fffffff   /* handler keeps m and replies later */

struct kproc_handler {
	uint16_t type;
	uint16_t payload_size;          /* exact size the payload must have */
	int32_t (*handle)(msg_t *m, void *state);   /* the reply, or KPROC_DEFERRED */
};

struct kproc_service {
	const char *name;               /* for log lines */
	const struct kproc_handler *handlers;
	size_t nhandlers;
	void *state;
	/* A deferred message was cancelled by its sender: the service must
	 * reply to it (that is the ack). NULL: the loop replies -NOS_ECANCELED,
	 * which is right only for services that never defer. */
	void (*cancelled)(msg_t *m, void *state);
	/* Who may ask: called before any handler (after the size check); a
	 * negative result is the reply. NULL: everyone may. */
	int32_t (*admit)(const msg_t *m, void *state);
	/* A message the service sent with MSG_F_NOTIFY came back complete.
	 * NULL: the service sends none. */
	void (*returned)(msg_t *m, void *state);
	/* Called between messages when receive times out (idle_ns > 0). */
	void (*idle)(void *state);
	int64_t idle_ns;
};

/* Requests a service holds (KPROC_DEFERRED) until it can answer them:
 * a fixed table of slots. hold returns KPROC_DEFERRED, or -NOS_EAGAIN
 * when every slot is taken; drop forgets m (after a cancel). */
int32_t kproc_hold(msg_t **slots, unsigned n, msg_t *m);
void kproc_drop(msg_t **slots, unsigned n, const msg_t *m);

/* For a process with a loop of its own: answer KPROC_MSG_PING and
 * KPROC_MSG_STOP as kproc_serve does. 1 when m was one of them (then *stop
 * is set for a STOP from the parent), 0 when m is left to the caller. */
int kproc_serve_common(msg_t *m, int *stop);

/* Serve until KPROC_MSG_STOP from the parent; returns 0 then. */
int kproc_serve(const struct kproc_service *svc);

/* ---- logging (the port layer writes it: stderr/journal, or a UART) ---- */
enum { KPROC_LOG_ERROR = 0, KPROC_LOG_WARN, KPROC_LOG_INFO, KPROC_LOG_DEBUG };
void port_log(int level, const char *who, const char *what);

#endif
