/*
 * msg_core.c: the message runtime shared by both backends (see msg.h for the
 * API and msg_port.h for what a backend provides).
 *
 * Inbox: Dmitry Vyukov's intrusive multi-producer single-consumer queue. A
 * producer does one exchange and one store; it makes a system call (wakes the
 * receiver) only when the receiver has said it sleeps.
 *
 * A message's life, in m->state:
 *   QUEUED           linked into the receiver's inbox
 *   QUEUED|RECEIVED  taken by the receiver, linked into its held list
 *   DONE             complete: the sender owns its memory again
 * CANCEL may be or-ed in before DONE; WAITER says the sender sleeps on the
 * word, so whoever completes the message must wake it.
 *
 * Death of a receiver: it marks its slot DEAD, then fails everything in its
 * inbox and held list with -NOS_EPIPE. A later send sees DEAD, or a new
 * generation, and fails with -NOS_ESRCH at once. A sender that passed the
 * alive check just before the death pushes anyway, so after every push the
 * sender looks again: if the slot has no live owner now, it drains the inbox
 * itself (rescue), failing what it finds; the slot's drain lock makes the
 * rescuer the only consumer, and a slot comes alive again only under that
 * lock. If instead the slot already has a new owner, that owner fails the
 * straggler when it pops it (m->to names the predecessor). So an inbox
 * lives on across the generations of its slot and is never reset, and the
 * common send costs no locked operation besides the queue's own exchange.
 */
#include <string.h>

#include "msg/msg_port.h"

enum {
	ST_QUEUED = 0x1,
	ST_RECEIVED = 0x2,
	ST_CANCEL = 0x4,
	ST_WAITER = 0x8,
	ST_DONE = 0x10,
};

struct msg_slot msg_slots[MSG_MAX_PROCS];

/* Race tests (tests/unit/test_msgrace.c) build this file once more with
 * MSG_TEST_HOOKS to stop a sender at the racy points; the library never
 * has the hook. */
#ifdef MSG_TEST_HOOKS
enum { MSG_HOOK_BEFORE_PUSH = 1 };
void msg_test_hook(int point, msg_pid_t to);
#define TEST_HOOK(point, to) msg_test_hook(point, to)
#else
#define TEST_HOOK(point, to) ((void)0)
#endif

/* ---------------------------------------------------------------- ids */

static uint32_t slot_life(const struct msg_slot *s)
{
	return port_load_sc(&((struct msg_slot *)s)->life);
}

static msg_pid_t slot_pid(const struct msg_slot *s)
{
	return (slot_life(s) & ~(uint32_t)0xff) | (uint32_t)(s - msg_slots);
}

/* The slot a pid names if that process is alive, else NULL. */
static struct msg_slot *slot_of_live(msg_pid_t pid)
{
	struct msg_slot *s;

	if (pid == MSG_PID_NONE || MSG_PID_SLOT(pid) >= MSG_MAX_PROCS)
		return NULL;
	s = &msg_slots[MSG_PID_SLOT(pid)];
	if (slot_life(s) != ((pid & ~(uint32_t)0xff) | SLOT_ALIVE))
		return NULL;
	return s;
}

static uint64_t deadline_of(int64_t timeout_ns)
{
	if (timeout_ns < 0)
		return 0;
	return port_clock_ns() + (uint64_t)timeout_ns + (timeout_ns == 0);
}

/* ---------------------------------------------------------------- inbox */

static void inbox_init(struct msg_inbox *q)
{
	q->stub.next = NULL;
	q->head = &q->stub;
	q->tail = &q->stub;
}

static void inbox_push_node(struct msg_inbox *q, msg_t *m)
{
	msg_t *prev;

	port_store(&m->next, NULL);
	prev = port_xchg(&q->head, m);
	port_store(&prev->next, m);
}

/* Consumer only. NULL when empty or when a producer is midway (see
 * inbox_empty). */
static msg_t *inbox_pop(struct msg_inbox *q)
{
	msg_t *tail = q->tail;
	msg_t *next = port_load(&tail->next);

	if (tail == &q->stub) {
		if (next == NULL)
			return NULL;
		q->tail = next;
		tail = next;
		next = port_load(&next->next);
	}
	if (next) {
		q->tail = next;
		return tail;
	}
	if (tail != port_load_sc(&q->head))
		return NULL;            /* a producer is linking: retry */
	inbox_push_node(q, &q->stub);
	next = port_load(&tail->next);
	if (next) {
		q->tail = next;
		return tail;
	}
	return NULL;
}

/* Consumer only: nothing queued and no producer midway. */
static int inbox_empty(struct msg_inbox *q)
{
	return port_load_sc(&q->head) == q->tail && port_load(&q->tail->next) == NULL;
}

/* ---------------------------------------------------------------- delivery */

static void wake_receiver(struct msg_slot *s)
{
	if (port_load_sc(&s->sleeping) && port_xchg(&s->sleeping, 0))
		port_wake(&s->sleeping);
}

static void rescue(struct msg_slot *s);

/* Link m into the inbox of the live process `to`. 0 or -NOS_ESRCH. */
static int deliver(msg_pid_t to, msg_t *m)
{
	uint32_t alive = (to & ~(uint32_t)0xff) | SLOT_ALIVE;
	struct msg_slot *s;

	if (to == MSG_PID_NONE || MSG_PID_SLOT(to) >= MSG_MAX_PROCS)
		return -NOS_ESRCH;
	s = &msg_slots[MSG_PID_SLOT(to)];
	if (slot_life(s) != alive)
		return -NOS_ESRCH;
	TEST_HOOK(MSG_HOOK_BEFORE_PUSH, to);
	inbox_push_node(&s->inbox, m);
	wake_receiver(s);
	if (slot_life(s) != alive)
		rescue(s);      /* it died meanwhile: m must not wait forever */
	return 0;
}

/* Hand the message back to its sender: it may reuse its memory now. */
static void complete(msg_t *m, int32_t status)
{
	uint32_t old;

	m->status = status;
	if (m->flags & MSG_F_NOTIFY) {
		m->flags |= MSG_F_REPLY;
		if (deliver(m->from, m) == 0)
			return;         /* the sender's msg_receive marks it DONE */
	}
	old = port_fetch_or(&m->state, ST_DONE);
	if (old & ST_WAITER)
		port_wake(&m->state);
}

/* Fail everything queued in the inbox of a slot that has no live owner. The
 * caller holds the drain lock, so it is the inbox's only consumer. A
 * message a sender is still linking in is left: that sender rescues it. */
static void drain_dead_inbox(struct msg_slot *s)
{
	msg_t *m;

	while ((m = inbox_pop(&s->inbox)) != NULL) {
		if (m->flags & MSG_F_REPLY)
			port_store(&m->state, ST_DONE);
		else
			complete(m, -NOS_EPIPE);
	}
}

static void drain_lock(struct msg_slot *s)
{
	uint32_t zero;

	for (;;) {
		zero = 0;
		if (port_cas(&s->drain_lock, zero, 1))
			return;
		port_relax();
	}
}

static void drain_unlock(struct msg_slot *s)
{
	port_store_sc(&s->drain_lock, 0);
}

/* After a push to a slot whose owner is gone: drain it unless it has a new
 * owner (who fails stragglers itself, see take_next). */
static void rescue(struct msg_slot *s)
{
	drain_lock(s);
	if ((slot_life(s) & 0xff) != SLOT_ALIVE)
		drain_dead_inbox(s);
	drain_unlock(s);
}

/* ---------------------------------------------------------------- held list */

static void held_add(struct msg_slot *s, msg_t *m)
{
	m->prev = NULL;
	m->next = s->held;
	if (s->held)
		s->held->prev = m;
	s->held = m;
}

static void held_remove(struct msg_slot *s, msg_t *m)
{
	if (m->prev)
		m->prev->next = m->next;
	else
		s->held = m->next;
	if (m->next)
		m->next->prev = m->prev;
	m->next = m->prev = NULL;
}

/* ---------------------------------------------------------------- sending */

int msg_send(msg_pid_t to, msg_t *m)
{
	struct msg_slot *self = port_current();
	msg_pid_t me;
	int r;

	if (self == NULL || m == NULL)
		return -NOS_EINVAL;
	me = slot_pid(self);
	if (m->from != MSG_PID_NONE && m->from != me)
		return -NOS_EPERM;      /* a forged sender */
	m->from = me;
	m->to = to;
	m->status = 0;
	m->flags &= MSG_F_NOTIFY;
	m->prev = NULL;
	m->state = ST_QUEUED;
	r = deliver(to, m);
	if (r < 0) {
		m->status = r;
		m->state = ST_DONE;
	}
	return r;
}

int msg_done(const msg_t *m)
{
	return (port_load(&((msg_t *)m)->state) & ST_DONE) != 0;
}

/*
 * Spinning before parking pays when the other side runs on another core and
 * answers within the spin; when it does not (more busy processes than
 * cores, or slow work), the spin only steals the CPU the other side needs.
 * So each process adapts its budget, like an adaptive mutex: double it when
 * a spin ended in success, halve it when it ended in parking.
 */
static uint32_t spin_budget(const struct msg_slot *self)
{
	return self ? self->spin : PORT_SPINS;
}

static void spin_learn(struct msg_slot *self, int paid)
{
#if PORT_SPINS_MIN > 0
	uint32_t n;

	if (self == NULL)
		return;
	n = paid ? self->spin * 2 + 1 : self->spin / 2;
	self->spin = n > PORT_SPINS ? PORT_SPINS : n < PORT_SPINS_MIN ? PORT_SPINS_MIN : n;
#else
	(void)self;             /* coroutines never spin */
	(void)paid;
#endif
}

int msg_wait(msg_t *m, int64_t timeout_ns)
{
	struct msg_slot *self = port_current();
	uint64_t deadline = deadline_of(timeout_ns);
	uint32_t old, spins, budget = spin_budget(self);

	for (spins = 0; spins < budget; spins++) {
		if (msg_done(m)) {
			spin_learn(self, 1);
			return m->status;
		}
		port_relax();
	}
	if (budget && !msg_done(m))
		spin_learn(self, 0);
	for (;;) {
		old = port_load(&m->state);
		if (old & ST_DONE)
			return m->status;
		if (!(old & ST_WAITER)) {
			if (!port_cas(&m->state, old, old | ST_WAITER))
				continue;
			old |= ST_WAITER;
		}
		if (port_wait(&m->state, old, deadline) == -NOS_ETIMEDOUT && !msg_done(m))
			return -NOS_ETIMEDOUT;
	}
}

int msg_cancel(msg_t *m)
{
	struct msg_slot *s;
	uint32_t old;

	if (port_current() == NULL || m->from != slot_pid(port_current()))
		return -NOS_EPERM;
	do {
		old = port_load(&m->state);
		if (old & ST_DONE)
			return -NOS_EINVAL;
		if (old & ST_CANCEL)
			return 0;
	} while (!port_cas(&m->state, old, old | ST_CANCEL));
	if (old & ST_RECEIVED) {
		/* The receiver holds it: tell it to look. */
		s = &msg_slots[MSG_PID_SLOT(m->to)];
		port_store_sc(&s->cancel_pending, 1);
		wake_receiver(s);
	}
	return 0;
}

int msg_call(msg_pid_t to, msg_t *m, int64_t timeout_ns)
{
	int r;

	m->flags &= ~MSG_F_NOTIFY;
	r = msg_send(to, m);
	if (r < 0)
		return r;
	r = msg_wait(m, timeout_ns);
	if (r == -NOS_ETIMEDOUT) {
		/* The receiver may still touch m: wait for its ack. */
		msg_cancel(m);
		msg_wait(m, MSG_FOREVER);
		return -NOS_ETIMEDOUT;
	}
	return r;
}

/* ---------------------------------------------------------------- receiving */

/* A held message whose sender cancelled it, not yet shown as such. */
static msg_t *take_cancelled(struct msg_slot *s)
{
	msg_t *m;

	if (!port_load_sc(&s->cancel_pending) || !port_xchg(&s->cancel_pending, 0))
		return NULL;
	for (m = s->held; m; m = m->next)
		if ((port_load(&m->state) & ST_CANCEL) && !(m->flags & MSG_F_CANCELLED)) {
			m->flags |= MSG_F_CANCELLED;
			port_store_sc(&s->cancel_pending, 1);  /* there may be more */
			return m;
		}
	return NULL;
}

/* Take the next message to deliver, or NULL. Cancelled ones are acked here. */
static msg_t *take_next(struct msg_slot *s)
{
	msg_t *m;
	uint32_t old;

	msg_pid_t me = slot_pid(s);

	while ((m = inbox_pop(&s->inbox)) != NULL) {
		if (m->flags & MSG_F_REPLY) {
			port_store(&m->state, ST_DONE);   /* our own, back from a receiver */
			if (m->from == me)
				return m;
			continue;       /* a predecessor's: nobody waits for it */
		}
		if (m->to != me) {
			complete(m, -NOS_ESRCH);          /* meant for a predecessor */
			continue;
		}
		old = port_load(&m->state);
		for (;;) {
			if (old & ST_CANCEL) {
				complete(m, -NOS_ECANCELED);
				break;
			}
			if (port_cas(&m->state, old, old | ST_RECEIVED)) {
				held_add(s, m);
				return m;
			}
		}
	}
	return take_cancelled(s);
}

int msg_receive(msg_t **out, int64_t timeout_ns)
{
	struct msg_slot *s = port_current();
	uint64_t deadline = deadline_of(timeout_ns);
	uint32_t spins = 0, budget;
	int timed_out = 0, parked = 0;
	msg_t *m;

	if (s == NULL || out == NULL)
		return -NOS_EINVAL;
	budget = timeout_ns != 0 ? s->spin : 0;
	for (;;) {
		m = take_next(s);
		if (m) {
			if (spins && !parked)
				spin_learn(s, 1);
			*out = m;
			return 0;
		}
		if (!inbox_empty(&s->inbox)) {
			port_relax();   /* a producer is midway through its push */
			continue;
		}
		if (timed_out)
			return -NOS_ETIMEDOUT;
		if (spins++ < budget) {
			port_relax();
			continue;
		}
		if (budget && !parked)
			spin_learn(s, 0);
		parked = 1;
		port_store_sc(&s->sleeping, 1);
		if (inbox_empty(&s->inbox) && !port_load_sc(&s->cancel_pending))
			timed_out = port_wait(&s->sleeping, 1, deadline) == -NOS_ETIMEDOUT;
		port_store_sc(&s->sleeping, 0);
	}
}

int msg_reply(msg_t *m, int32_t status)
{
	struct msg_slot *s = port_current();

	if (s == NULL || m == NULL || m->to != slot_pid(s))
		return -NOS_EPERM;
	if (!(port_load(&m->state) & ST_RECEIVED))
		return -NOS_EINVAL;
	held_remove(s, m);
	complete(m, status);
	return 0;
}

int msg_cancelled(const msg_t *m)
{
	return (port_load(&((msg_t *)m)->state) & ST_CANCEL) != 0;
}

/* ---------------------------------------------------------------- processes */

msg_pid_t msg_self(void)
{
	struct msg_slot *s = port_current();

	return s ? slot_pid(s) : MSG_PID_NONE;
}

msg_pid_t msg_parent(void)
{
	struct msg_slot *s = port_current();

	return s ? s->parent : MSG_PID_NONE;
}

int msg_alive(msg_pid_t pid)
{
	return slot_of_live(pid) != NULL;
}

static int name_taken(const char *name, unsigned index)
{
	unsigned i;

	for (i = 0; i < MSG_MAX_PROCS; i++)
		if ((slot_life(&msg_slots[i]) & 0xff) == SLOT_ALIVE &&
		    msg_slots[i].index == index &&
		    strncmp(msg_slots[i].name, name, MSG_NAME_MAX) == 0)
			return 1;
	return 0;
}

static int name_valid(const char *name, unsigned index)
{
	return name && name[0] && strlen(name) < MSG_NAME_MAX && index <= 0xff;
}

/* Claim a free slot (table locked) and make it ALIVE with a new generation. */
static int slot_claim(const char *name, unsigned index, struct msg_slot **out)
{
	struct msg_slot *s;
	uint32_t gen;
	unsigned i;

	if (name && name[0] && name_taken(name, index))
		return -NOS_EEXIST;
	for (i = 0; i < MSG_MAX_PROCS; i++) {
		s = &msg_slots[i];
		if ((slot_life(s) & 0xff) != SLOT_FREE)
			continue;
		gen = ((slot_life(s) >> 8) + 1) & 0xffffffu;
		if (gen == 0)
			gen = 1;
		/* Late senders to the predecessor may still look at these (a
		 * wake-up they cause is only a spurious one): atomic stores. */
		port_store_sc(&s->sleeping, 0);
		port_store_sc(&s->cancel_pending, 0);
		s->spin = PORT_SPINS;
		s->held = NULL;
		memset(s->name, 0, sizeof(s->name));
		if (name)
			strncpy(s->name, name, MSG_NAME_MAX - 1);
		s->index = (uint8_t)index;
		drain_lock(s);          /* no rescuer may be consuming now */
		drain_dead_inbox(s);
		port_store_sc(&s->life, gen << 8 | SLOT_ALIVE);
		drain_unlock(s);
		*out = s;
		return 0;
	}
	return -NOS_EAGAIN;
}

/* Claim a slot under the table lock for a new process. */
static int slot_new(const char *name, unsigned index, int joinable, struct msg_slot **out)
{
	msg_pid_t parent = msg_self();
	int r;

	port_lock();
	r = slot_claim(name, index, out);
	port_unlock();
	if (r < 0)
		return r;
	(*out)->joinable = (uint8_t)joinable;
	(*out)->parent = joinable ? parent : MSG_PID_NONE;
	return 0;
}

/* Fail whatever the dying process still has. The caller is that process. */
static void slot_die(struct msg_slot *s)
{
	uint32_t gen = slot_life(s) & ~(uint32_t)0xff;
	msg_t *m;

	port_store_sc(&s->life, gen | SLOT_DEAD);
	drain_lock(s);
	drain_dead_inbox(s);
	drain_unlock(s);
	while ((m = s->held) != NULL) {
		held_remove(s, m);
		complete(m, -NOS_EPIPE);
	}
}

static void slot_release(struct msg_slot *s, int state)
{
	port_lock();
	port_store_sc(&s->life, (slot_life(s) & ~(uint32_t)0xff) | (uint32_t)state);
	port_unlock();
}

int msg_register(const char *name, unsigned index)
{
	struct msg_slot *s = port_current();
	int r = 0;

	if (s == NULL || !name_valid(name, index))
		return -NOS_EINVAL;
	port_lock();
	if (name_taken(name, index))
		r = -NOS_EEXIST;
	else {
		memset(s->name, 0, sizeof(s->name));
		strncpy(s->name, name, MSG_NAME_MAX - 1);
		s->index = (uint8_t)index;
	}
	port_unlock();
	return r;
}

int msg_name_index(msg_pid_t pid, char *buf, unsigned *index)
{
	struct msg_slot *s;
	int r = -NOS_ESRCH;

	port_lock();
	s = slot_of_live(pid);
	if (s) {
		memcpy(buf, s->name, MSG_NAME_MAX);
		buf[MSG_NAME_MAX - 1] = 0;
		*index = s->index;
		r = 0;
	}
	port_unlock();
	return r;
}

int msg_name(msg_pid_t pid, char *buf)
{
	unsigned index;

	return msg_name_index(pid, buf, &index);
}

int msg_lookup(const char *name, unsigned index, msg_pid_t *pid)
{
	unsigned i;
	int r = -NOS_ENOENT;

	if (!name_valid(name, index) || pid == NULL)
		return -NOS_EINVAL;
	port_lock();
	for (i = 0; i < MSG_MAX_PROCS; i++) {
		struct msg_slot *s = &msg_slots[i];

		if ((slot_life(s) & 0xff) == SLOT_ALIVE && s->index == index &&
		    strncmp(s->name, name, MSG_NAME_MAX) == 0) {
			*pid = slot_pid(s);
			r = 0;
			break;
		}
	}
	port_unlock();
	return r;
}

int msg_spawn(const char *name, unsigned index, msg_entry_t entry, void *arg,
              size_t stack_size, msg_pid_t *pid)
{
	struct msg_slot *s;
	int r;

	if (entry == NULL || (name && name[0] && !name_valid(name, index)))
		return -NOS_EINVAL;
	r = slot_new(name, index, 1, &s);
	if (r < 0)
		return r;
	s->entry = entry;
	s->arg = arg;
	if (pid)
		*pid = slot_pid(s);
	r = port_start(s, stack_size);
	if (r < 0) {
		slot_die(s);
		slot_release(s, SLOT_FREE);
	}
	return r;
}

void msg_core_body(struct msg_slot *s)
{
	port_set_current(s);
	s->entry(s->arg);
	msg_exit();
}

void msg_exit(void)
{
	struct msg_slot *s = port_current();

	if (s == NULL)
		port_fatal("msg_exit called outside a process");
	slot_die(s);
	slot_release(s, s->joinable ? SLOT_ZOMBIE : SLOT_FREE);
	port_exit_current();
}

int msg_join(msg_pid_t pid)
{
	struct msg_slot *s;
	uint32_t life;
	int r;

	if (pid == MSG_PID_NONE || MSG_PID_SLOT(pid) >= MSG_MAX_PROCS)
		return -NOS_ESRCH;
	s = &msg_slots[MSG_PID_SLOT(pid)];
	if (s == port_current())
		return -NOS_EDEADLK;
	life = slot_life(s);
	if ((life & ~(uint32_t)0xff) != (pid & ~(uint32_t)0xff) || (life & 0xff) == SLOT_FREE || !s->joinable)
		return -NOS_ESRCH;
	r = port_join(s);
	if (r < 0)
		return r;
	slot_release(s, SLOT_FREE);
	return 0;
}

int msg_attach(const char *name, unsigned index)
{
	struct msg_slot *s;
	int r;

	if (port_current() != NULL)
		return -NOS_EBUSY;
	if (name && name[0] && !name_valid(name, index))
		return -NOS_EINVAL;
	r = slot_new(name, index, 0, &s);
	if (r < 0)
		return r;
	port_set_current(s);
	return 0;
}

int msg_detach(void)
{
	struct msg_slot *s = port_current();

	if (s == NULL)
		return -NOS_EINVAL;
	slot_die(s);
	slot_release(s, SLOT_FREE);
	port_set_current(NULL);
	return 0;
}

static int runtime_started;

int msg_init_runtime(const char *name)
{
	struct msg_slot *s;
	unsigned i;
	int r;

	if (runtime_started)
		return -NOS_EBUSY;
	memset(msg_slots, 0, sizeof(msg_slots));
	for (i = 0; i < MSG_MAX_PROCS; i++)
		inbox_init(&msg_slots[i].inbox);
	r = slot_new(name, 0, 0, &s);
	if (r < 0)
		return r;
	r = port_runtime_init(s);
	if (r < 0)
		return r;
	port_set_current(s);
	runtime_started = 1;
	return 0;
}

int msg_shutdown_runtime(void)
{
	struct msg_slot *s = port_current();
	unsigned i;

	if (!runtime_started || s == NULL)
		return -NOS_EINVAL;
	for (i = 0; i < MSG_MAX_PROCS; i++)
		if (&msg_slots[i] != s && (slot_life(&msg_slots[i]) & 0xff) != SLOT_FREE)
			return -NOS_EBUSY;
	slot_die(s);
	slot_release(s, SLOT_FREE);
	port_set_current(NULL);
	port_runtime_fini(s);
	runtime_started = 0;
	return 0;
}

void msg_yield(void)
{
	port_yield();
}

uint64_t msg_now_ns(void)
{
	return port_clock_ns();
}

void msg_sleep_ns(int64_t ns)
{
	uint32_t never = 0;
	uint64_t deadline = deadline_of(ns);

	while (port_clock_ns() < deadline)
		port_wait(&never, 0, deadline);
}
