/*
 * msg: the one message-passing API of NanoOs.
 *
 * Kernel processes share nothing but messages. A process is a thread (Linux
 * backend, msg_threads.c) or a coroutine (coroutine backend, msg_coro.c: AVR,
 * and built and tested on Linux too); this header is the same for both.
 *
 * Zero copy. A message (msg_t) lives in the sender's memory, usually on its
 * stack, and so does its payload. Sending links the message into the
 * receiver's inbox (intrusive, no allocation); the receiver reads and writes
 * the payload in place and answers with msg_reply(). From msg_send() until the
 * message is *complete* the sender must not touch, free or reuse it. A message
 * completes when
 *   - the receiver replies (status = what it said),
 *   - the receiver exits or dies first (status = -NOS_EPIPE),
 *   - it was cancelled and the receiver acknowledged the cancel (by replying,
 *     or by the runtime when it dequeues an already cancelled message:
 *     status = -NOS_ECANCELED).
 * So after msg_cancel() the sender's memory stays pinned until the ack.
 *
 *   msg_call()    send and wait for the reply to that very message; on timeout
 *                 it cancels and waits for the ack, so a message on the
 *                 caller's stack is always safe to drop when it returns.
 *   msg_send()    asynchronous; see msg_wait(), msg_done(), MSG_F_NOTIFY.
 *   msg_receive() take the next message from one's own inbox (monotonic
 *                 timeout). Messages from one sender arrive in send order.
 *   msg_reply()   answer (and release) a received message.
 *
 * The runtime stamps `from` and `to`: a process cannot claim another sender
 * (a message whose `from` names anyone but the sender is refused, -NOS_EPERM).
 * Process ids carry a generation: a reused slot never receives a message
 * meant for its predecessor (-NOS_ESRCH).
 *
 * Timeouts are in nanoseconds, relative, on the monotonic clock:
 * MSG_FOREVER waits without limit, 0 only polls.
 */
#ifndef NOS_MSG_H
#define NOS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/nos_errno.h"

/* A process id: slot in the low 8 bits, generation above; 0 is no process. */
typedef uint32_t msg_pid_t;
#define MSG_PID_NONE ((msg_pid_t)0)
#define MSG_PID_SLOT(pid) ((unsigned)((pid) & 0xffu))

#define MSG_FOREVER ((int64_t)-1)
#define MSG_NAME_MAX 16             /* with the NUL */

/* m->flags: set by the sender (NOTIFY) or by the runtime (the rest). */
#define MSG_F_NOTIFY    0x0001u     /* on completion, deliver the message back
                                     * into the sender's inbox (MSG_F_REPLY)
                                     * instead of waking a waiter: lets one
                                     * process keep many requests in flight */
#define MSG_F_REPLY     0x0002u     /* runtime: this is a completed message
                                     * coming back to its sender */
#define MSG_F_CANCELLED 0x0004u     /* runtime: handed to the receiver again
                                     * because its sender cancelled it */

typedef struct msg {
	/* Header: the same on threads and coroutines. */
	uint16_t type;              /* numbered in ranges per receiver (kproc/proto.h) */
	uint16_t flags;             /* MSG_F_* */
	int32_t status;             /* the reply: >= 0 or -NOS_Exxx */
	msg_pid_t from;             /* stamped by the runtime */
	msg_pid_t to;               /* stamped by the runtime */
	uint32_t size;              /* payload bytes */
	void *payload;              /* flat struct in the sender's memory */

	/* Runtime bookkeeping: do not touch. */
	struct msg *next;           /* inbox link, then held-list link */
	struct msg *prev;           /* held-list link */
	uint32_t state;             /* MSG_ST_* in msg_core.c; a futex word */
} msg_t;

/* Fill a message before sending; `payload` may be NULL with size 0. */
static inline void msg_init(msg_t *m, uint16_t type, void *payload, uint32_t size)
{
	m->type = type;
	m->flags = 0;
	m->status = 0;
	m->from = MSG_PID_NONE;
	m->to = MSG_PID_NONE;
	m->size = size;
	m->payload = payload;
	m->next = 0;
	m->prev = 0;
	m->state = 0;
}

/* ---- processes ---- */

typedef void (*msg_entry_t)(void *arg);

/* Start the runtime; the calling thread becomes process `name` (index 0).
 * 0, -NOS_EBUSY if already started. */
int msg_init_runtime(const char *name);
/* Stop it: the caller must be the process that started it, and every other
 * process must have exited and been joined. 0 or -NOS_EBUSY. */
int msg_shutdown_runtime(void);

/* Start a process running entry(arg) with its own inbox; stack_size 0 picks
 * the backend's default. Its id is in *pid. 0 or -NOS_EAGAIN (no slot),
 * -NOS_ENOMEM. */
int msg_spawn(const char *name, unsigned index, msg_entry_t entry, void *arg,
              size_t stack_size, msg_pid_t *pid);
/* Wait for a process started by msg_spawn to end and free its slot. 0 or
 * -NOS_ESRCH (no such process), -NOS_EDEADLK (joining oneself). */
int msg_join(msg_pid_t pid);
/* End the calling process now (a kernel process's exit or panic): every
 * message queued to it or held by it fails with -NOS_EPIPE. Does not return.
 * Returning from the entry function does the same. */
void msg_exit(void) __attribute__((noreturn));

/* The calling process's id (MSG_PID_NONE if the thread is no process). */
msg_pid_t msg_self(void);
/* The process that spawned the caller (MSG_PID_NONE for attached ones). */
msg_pid_t msg_parent(void);
/* Let the calling thread (not started by msg_spawn) become / stop being a
 * process. Threads backend only. 0, -NOS_EBUSY, -NOS_EAGAIN, -NOS_EINVAL. */
int msg_attach(const char *name, unsigned index);
int msg_detach(void);

/* Name registry: processes are found by (name, index). */
int msg_register(const char *name, unsigned index);   /* 0, -NOS_EEXIST, -NOS_EINVAL */
int msg_lookup(const char *name, unsigned index, msg_pid_t *pid); /* 0 or -NOS_ENOENT */
/* The registered name of a live process, copied into buf (at least
 * MSG_NAME_MAX bytes). 0 or -NOS_ESRCH. */
int msg_name(msg_pid_t pid, char *buf);
/* The same, with the index it registered under. 0 or -NOS_ESRCH. */
int msg_name_index(msg_pid_t pid, char *buf, unsigned *index);
/* Whether pid names a live process (generation included). */
int msg_alive(msg_pid_t pid);

/* Give up the CPU: a coroutine lets the others run; a thread yields. */
void msg_yield(void);
/* Sleep on the monotonic clock (coroutines keep running the others). */
void msg_sleep_ns(int64_t ns);
/* Monotonic nanoseconds. */
uint64_t msg_now_ns(void);

/* ---- messages ---- */

int msg_send(msg_pid_t to, msg_t *m);                  /* 0, -NOS_ESRCH, -NOS_EPERM, -NOS_EINVAL */
int msg_call(msg_pid_t to, msg_t *m, int64_t timeout_ns); /* the reply status, or -errno */
int msg_wait(msg_t *m, int64_t timeout_ns);            /* m->status, or -NOS_ETIMEDOUT (still pinned) */
int msg_done(const msg_t *m);                          /* 1 when complete */
int msg_cancel(msg_t *m);                              /* 0, or -NOS_EINVAL when already complete */

int msg_receive(msg_t **m, int64_t timeout_ns);        /* 0 or -NOS_ETIMEDOUT */
int msg_reply(msg_t *m, int32_t status);               /* 0, -NOS_EPERM (not yours) */
int msg_cancelled(const msg_t *m);                     /* 1 once its sender cancelled it */

#endif
