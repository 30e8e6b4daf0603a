/*
 * kproc.c: the kernel-process runtime: start and stop, addresses, the
 * serve loop, panic. Portable: it speaks only msg.
 *
 * Messages every kernel process accepts (through kproc_serve):
 *   KPROC_MSG_PING  struct kproc_ping -> reply: value + 1
 *   KPROC_MSG_STOP  (none), from the parent only -> reply 0, then the loop ends;
 *                   from anyone else -> -NOS_EPERM
 */
#include <string.h>

#include "kproc/kproc.h"

int kproc_resolve(const kproc_addr_t *addr, msg_pid_t *pid)
{
	if (addr == NULL || pid == NULL)
		return -NOS_EINVAL;
	if (addr->node != KPROC_NODE_LOCAL || addr->port != 0)
		return -NOS_EHOSTUNREACH;
	if (memchr(addr->name, 0, sizeof(addr->name)) == NULL)
		return -NOS_EINVAL;
	return msg_lookup(addr->name, addr->index, pid);
}

int kproc_find(const char *name, unsigned index, msg_pid_t *pid)
{
	return msg_lookup(name, index, pid);
}

int kproc_start(const char *name, unsigned index, msg_entry_t main, void *arg,
                size_t stack_size, msg_pid_t *pid)
{
	if (name == NULL || name[0] == 0)
		return -NOS_EINVAL;
	return msg_spawn(name, index, main, arg, stack_size, pid);
}

msg_pid_t kproc_parent(void)
{
	return msg_parent();
}

int kproc_stop(msg_pid_t pid, int64_t timeout_ns)
{
	msg_t m;
	int r;

	msg_init(&m, KPROC_MSG_STOP, NULL, 0);
	r = msg_call(pid, &m, timeout_ns);
	if (r < 0 && r != -NOS_EPIPE)
		return r;
	return msg_join(pid);
}

void kproc_exit(void)
{
	msg_exit();
}

void kproc_panic(const char *why)
{
	char who[MSG_NAME_MAX] = "kernel process";
	char line[96] = "panic: ";

	msg_name(msg_self(), who);
	strncat(line, why, sizeof(line) - strlen(line) - 1);
	port_log(KPROC_LOG_ERROR, who, line);
	msg_exit();
}

int kproc_sent_by(const msg_t *m, const char *name, unsigned index)
{
	msg_pid_t pid;

	return msg_lookup(name, index, &pid) == 0 && pid == m->from;
}

int kproc_sent_by_any(const msg_t *m, const char *name, unsigned first, unsigned last)
{
	char from[MSG_NAME_MAX];
	unsigned index;

	/* The sender's own registration, looked up once. */
	return msg_name_index(m->from, from, &index) == 0 && strcmp(from, name) == 0 &&
	       index >= first && index <= last;
}

int32_t kproc_hold(msg_t **slots, unsigned n, msg_t *m)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!slots[i]) {
			slots[i] = m;
			return KPROC_DEFERRED;
		}
	return -NOS_EAGAIN;
}

void kproc_drop(msg_t **slots, unsigned n, const msg_t *m)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (slots[i] == m)
			slots[i] = NULL;
}

/* ---------------------------------------------------------------- serving */

static const struct kproc_handler *handler_for(const struct kproc_service *svc, uint16_t type)
{
	size_t i;

	for (i = 0; i < svc->nhandlers; i++)
		if (svc->handlers[i].type == type)
			return &svc->handlers[i];
	return NULL;
}

/* Messages the loop answers itself. 1: handled (*stop set for STOP). */
int kproc_serve_common(msg_t *m, int *stop)
{
	struct kproc_ping *ping;

	switch (m->type) {
	case KPROC_MSG_PING:
		if (m->size != sizeof(*ping)) {
			msg_reply(m, -NOS_EBADMSG);
			return 1;
		}
		ping = m->payload;
		ping->value++;
		msg_reply(m, 0);
		return 1;
	case KPROC_MSG_STOP:
		if (m->from != kproc_parent()) {
			msg_reply(m, -NOS_EPERM);
			return 1;
		}
		*stop = 1;
		msg_reply(m, 0);
		return 1;
	}
	return 0;
}

static void serve_one(const struct kproc_service *svc, msg_t *m)
{
	const struct kproc_handler *h;
	int32_t r;

	if (m->flags & MSG_F_CANCELLED) {
		if (svc->cancelled)
			svc->cancelled(m, svc->state);
		else
			msg_reply(m, -NOS_ECANCELED);
		return;
	}
	h = handler_for(svc, m->type);
	if (h == NULL) {
		msg_reply(m, -NOS_ENOSYS);
		return;
	}
	if (m->size != h->payload_size || (m->size && m->payload == NULL)) {
		msg_reply(m, -NOS_EBADMSG);
		return;
	}
	if (svc->admit && (r = svc->admit(m, svc->state)) < 0) {
		msg_reply(m, r);
		return;
	}
	r = h->handle(m, svc->state);
	if (r != KPROC_DEFERRED)
		msg_reply(m, r);
}

int kproc_serve(const struct kproc_service *svc)
{
	int64_t timeout = svc->idle_ns > 0 ? svc->idle_ns : MSG_FOREVER;
	int stop = 0;
	msg_t *m;

	while (!stop) {
		if (msg_receive(&m, timeout) < 0) {
			if (svc->idle)
				svc->idle(svc->state);
			continue;
		}
		if (m->flags & MSG_F_REPLY) {
			/* A completion of a message the service sent with MSG_F_NOTIFY. */
			if (svc->returned)
				svc->returned(m, svc->state);
			continue;
		}
		if (!kproc_serve_common(m, &stop))
			serve_one(svc, m);
	}
	return 0;
}
