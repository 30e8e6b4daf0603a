/*
 * broker.c: work that only the instance's own thread may do.
 *
 * fs trusts requests from its parent and the workers; a worker takes
 * WORKER_MSG_START from the thread that booted it. That thread is nanoosd's
 * main thread, so the sessions hand such work to it: daemon_call(fn, arg)
 * sends NANOOSD_MSG_CALL, and the main thread runs fn(arg) and replies
 * with its result. Only our own session threads may ask (by name), and fn
 * is always one of our functions: the message never crosses the socket.
 *
 * Message (received by the main thread):
 *   NANOOSD_MSG_CALL  broker_call -> fn(arg)       from ("session", *)
 */
#include <string.h>

#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"

/* In-process only, never on a wire: a number in the client range that
 * the client protocol leaves alone. */
#define NANOOSD_MSG_CALL (PROTO_CLIENT + 0x400)

struct broker_call {
	int32_t (*fn)(void *arg);
	void *arg;
};

int32_t daemon_call(int32_t (*fn)(void *arg), void *arg)
{
	struct broker_call call = { fn, arg };
	msg_t m;

	msg_init(&m, NANOOSD_MSG_CALL, &call, sizeof(call));
	return msg_call(D.main_pid, &m, MSG_FOREVER);
}

static int from_session(const msg_t *m)
{
	char name[MSG_NAME_MAX];

	return msg_name(m->from, name) == 0 && strcmp(name, "session") == 0;
}

static void serve_one(int64_t timeout_ns)
{
	struct broker_call *call;
	msg_t *m;

	if (msg_receive(&m, timeout_ns) < 0)
		return;
	if (m->type != NANOOSD_MSG_CALL || m->size != sizeof(*call) || !from_session(m)) {
		msg_reply(m, -NOS_EPERM);
		return;
	}
	call = m->payload;
	msg_reply(m, call->fn(call->arg));
}

void broker_serve(void)
{
	while (!daemon_stopping())
		serve_one(100000000);
}

void broker_serve_for(int64_t ns)
{
	uint64_t end = msg_now_ns() + (uint64_t)ns;
	uint64_t now;

	while ((now = msg_now_ns()) < end)
		serve_one((int64_t)(end - now));
}
