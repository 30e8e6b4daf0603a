/*
 * test_msg.c: the msg suite. The same file is linked against both backends
 * (test_msg_threads, test_msg_coro), so every contract of msg.h is checked
 * on threads and on coroutines alike.
 */
#include <stdint.h>
#include <string.h>

#include "msg/msg.h"
#include "testutil.h"

enum { T_ECHO = 0x7001, T_STOP, T_HOLD, T_SLOW, T_ADD };

/* ---------------------------------------------------------------- fixture */

static void setup(void)
{
	ck_assert_int_eq(msg_init_runtime("main"), 0);
}

static void teardown(void)
{
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

static void stop(msg_pid_t pid)
{
	msg_t m;

	msg_init(&m, T_STOP, NULL, 0);
	ck_assert_int_eq(msg_call(pid, &m, MSG_FOREVER), 0);
	ck_assert_int_eq(msg_join(pid), 0);
}

/* An echo server: T_ECHO doubles a uint32_t in place and replies its value
 * + 1; T_ADD adds into a counter; T_STOP ends it. */
static void echo_main(void *arg)
{
	msg_t *m;
	uint32_t *v;

	(void)arg;
	for (;;) {
		require(msg_receive(&m, MSG_FOREVER) == 0);
		if (m->type == T_STOP) {
			msg_reply(m, 0);
			return;
		}
		v = m->payload;
		*v *= 2;
		msg_reply(m, (int32_t)(*v + 1));
	}
}

static msg_pid_t start(const char *name, msg_entry_t entry, void *arg)
{
	msg_pid_t pid;

	ck_assert_int_eq(msg_spawn(name, 0, entry, arg, 0, &pid), 0);
	return pid;
}

/* Wait until every counter reaches its target; fail the test (instead of
 * hanging it) when none moves for 10 seconds: a lost wake-up. */
static void watchdog_wait(uint32_t *const *counter, const uint32_t *target, unsigned n)
{
	uint32_t last[16] = { 0 }, now;
	uint64_t last_progress = msg_now_ns();
	unsigned i, finished = 0;

	ck_assert_uint_le(n, 16);
	while (finished < n) {
		msg_sleep_ns(20 * 1000000LL);
		finished = 0;
		for (i = 0; i < n; i++) {
			now = __atomic_load_n(counter[i], __ATOMIC_RELAXED);
			if (now != last[i])
				last_progress = msg_now_ns();
			last[i] = now;
			finished += now == target[i];
		}
		ck_assert_msg(msg_now_ns() - last_progress < 10000000000ULL,
		              "no progress for 10 s: a lost wake-up");
	}
}

/* ---------------------------------------------------------------- basics */

START_TEST(test_call_is_zero_copy)
{
	msg_pid_t echo = start("echo", echo_main, NULL);
	uint32_t value = 21;
	msg_t m;

	msg_init(&m, T_ECHO, &value, sizeof(value));
	ck_assert_int_eq(msg_call(echo, &m, MSG_FOREVER), 43);
	ck_assert_uint_eq(value, 42);              /* written in place */
	ck_assert_uint_eq(m.from, msg_self());     /* stamped */
	ck_assert_uint_eq(m.to, echo);
	ck_assert(msg_done(&m));
	stop(echo);
}
END_TEST

struct seen {
	void *payload;
	msg_pid_t from;
	uint16_t type;
	uint32_t size;
};

static void record_main(void *arg)
{
	struct seen *seen = arg;
	msg_t *m;

	ck_assert_int_eq(msg_receive(&m, MSG_FOREVER), 0);
	seen->payload = m->payload;
	seen->from = m->from;
	seen->type = m->type;
	seen->size = m->size;
	msg_reply(m, 7);
}

START_TEST(test_receiver_sees_sender_memory)
{
	struct seen seen;
	char buffer[64] = "payload";
	msg_pid_t pid = start("rec", record_main, &seen);
	msg_t m;

	msg_init(&m, 0x1234, buffer, sizeof(buffer));
	ck_assert_int_eq(msg_call(pid, &m, MSG_FOREVER), 7);
	ck_assert_ptr_eq(seen.payload, buffer);
	ck_assert_uint_eq(seen.from, msg_self());
	ck_assert_uint_eq(seen.type, 0x1234);
	ck_assert_uint_eq(seen.size, sizeof(buffer));
	ck_assert_int_eq(msg_join(pid), 0);
}
END_TEST

/* ---------------------------------------------------------------- ordering */

struct order {
	unsigned senders;
	unsigned per_sender;
	uint32_t received;          /* progress, read by the watchdog */
	uint32_t next[8];
	unsigned out_of_order;
	uint64_t checksum;
};

struct item {
	uint32_t sender;
	uint32_t seq;
	uint32_t check;
};

static uint32_t item_check(uint32_t sender, uint32_t seq)
{
	uint32_t x = sender * 0x9e3779b9u ^ seq * 0x85ebca6bu;

	x ^= x >> 15;
	return x * 0xc2b2ae35u;
}

/* Receives senders * per_sender items; checks per-sender order and sums the
 * checksums it verified. */
static void order_receiver(void *arg)
{
	struct order *o = arg;
	unsigned total = o->senders * o->per_sender, i;
	struct item *it;
	msg_t *m;

	for (i = 0; i < total; i++) {
		require(msg_receive(&m, MSG_FOREVER) == 0);
		it = m->payload;
		if (it->seq != o->next[it->sender])
			o->out_of_order++;
		o->next[it->sender] = it->seq + 1;
		if (it->check == item_check(it->sender, it->seq))
			o->checksum += it->check;
		msg_reply(m, 0);
		__atomic_store_n(&o->received, i + 1, __ATOMIC_RELAXED);
	}
}

struct producer {
	msg_pid_t to;
	uint32_t id;
	uint32_t count;
	int failures;
};

#define RING 64

/* Keeps RING messages in flight (MSG_F_NOTIFY), reusing each one when its
 * completion comes back. */
static void producer_main(void *arg)
{
	struct producer *p = arg;
	struct item items[RING];
	msg_t ring[RING], *done;
	uint32_t sent = 0, completed = 0, slot;

	while (completed < p->count) {
		if (sent < p->count && sent - completed < RING) {
			slot = sent % RING;
			items[slot].sender = p->id;
			items[slot].seq = sent;
			items[slot].check = item_check(p->id, sent);
			msg_init(&ring[slot], T_ADD, &items[slot], sizeof(items[slot]));
			ring[slot].flags = MSG_F_NOTIFY;
			if (msg_send(p->to, &ring[slot]) < 0)
				p->failures++;
			sent++;
			continue;
		}
		require(msg_receive(&done, MSG_FOREVER) == 0);
		require(done->flags & MSG_F_REPLY);
		require(msg_done(done));
		if (done->status != 0)
			p->failures++;
		completed++;
	}
}

static void run_producers(unsigned senders, uint32_t per_sender)
{
	struct order o;
	struct producer prod[8];
	msg_pid_t receiver, pids[8];
	uint64_t expect = 0;
	unsigned i;
	uint32_t s;

	memset(&o, 0, sizeof(o));
	o.senders = senders;
	o.per_sender = per_sender;
	receiver = start("sink", order_receiver, &o);
	for (i = 0; i < senders; i++) {
		prod[i].to = receiver;
		prod[i].id = i;
		prod[i].count = per_sender;
		prod[i].failures = 0;
		ck_assert_int_eq(msg_spawn("producer", i, producer_main, &prod[i], 0, &pids[i]), 0);
	}
	{
		uint32_t *progress = &o.received, target = senders * per_sender;

		watchdog_wait(&progress, &target, 1);
	}
	for (i = 0; i < senders; i++) {
		ck_assert_int_eq(msg_join(pids[i]), 0);
		ck_assert_int_eq(prod[i].failures, 0);
	}
	ck_assert_int_eq(msg_join(receiver), 0);
	for (i = 0; i < senders; i++)
		for (s = 0; s < per_sender; s++)
			expect += item_check(i, s);
	ck_assert_uint_eq(o.out_of_order, 0);
	ck_assert_uint_eq(o.checksum, expect);
}

START_TEST(test_order_per_sender)
{
	run_producers(1, 10000);
	run_producers(3, 5000);
}
END_TEST

/* The stress: 8 producers x 1,000,000 messages (soak); a tenth in
 * make test. */
START_TEST(test_stress_8_producers)
{
	run_producers(8, (uint32_t)(100000 * test_scale()));
}
END_TEST

/* ---------------------------------------------------------------- call/reply under load */

struct caller {
	msg_pid_t to;
	unsigned calls;
	unsigned wrong;
};

static void caller_main(void *arg)
{
	struct caller *c = arg;
	uint32_t value;
	unsigned i;
	msg_t m;

	for (i = 0; i < c->calls; i++) {
		value = i;
		msg_init(&m, T_ECHO, &value, sizeof(value));
		if (msg_call(c->to, &m, MSG_FOREVER) != (int32_t)(2 * i + 1) || value != 2 * i)
			c->wrong++;
	}
}

START_TEST(test_call_reply_under_load)
{
	msg_pid_t echo = start("echo", echo_main, NULL), pids[6];
	struct caller callers[6];
	unsigned i;

	for (i = 0; i < 6; i++) {
		callers[i].to = echo;
		callers[i].calls = (unsigned)(5000 * test_scale());
		callers[i].wrong = 0;
		ck_assert_int_eq(msg_spawn("caller", i, caller_main, &callers[i], 0, &pids[i]), 0);
	}
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(msg_join(pids[i]), 0);
		ck_assert_uint_eq(callers[i].wrong, 0);
	}
	stop(echo);
}
END_TEST

/* ---------------------------------------------------------------- timeouts */

START_TEST(test_receive_timeout)
{
	uint64_t t0 = msg_now_ns(), waited;
	msg_t *m;

	ck_assert_int_eq(msg_receive(&m, 50 * 1000000LL), -NOS_ETIMEDOUT);
	waited = msg_now_ns() - t0;
	ck_assert_uint_ge(waited, 50 * 1000000ULL);
	ck_assert_uint_lt(waited, 5000 * 1000000ULL);
	ck_assert_int_eq(msg_receive(&m, 0), -NOS_ETIMEDOUT);   /* a poll */
}
END_TEST

/* Holds one message for `hold_ns`, writes into it, then replies; records
 * whether it saw the cancel. */
struct slow {
	int64_t hold_ns;
	int saw_cancel;
	int wrote;
};

static void slow_main(void *arg)
{
	struct slow *s = arg;
	msg_t *m;

	ck_assert_int_eq(msg_receive(&m, MSG_FOREVER), 0);
	msg_sleep_ns(s->hold_ns);
	s->saw_cancel = msg_cancelled(m);
	*(uint32_t *)m->payload = 0xdeadbeef;     /* still the sender's memory */
	s->wrote = 1;
	msg_reply(m, 5);
}

START_TEST(test_call_timeout_keeps_buffer_pinned)
{
	struct slow s = { 200 * 1000000LL, 0, 0 };
	msg_pid_t pid = start("slow", slow_main, &s);
	uint32_t value = 1;
	uint64_t t0 = msg_now_ns();
	msg_t m;

	msg_init(&m, T_SLOW, &value, sizeof(value));
	ck_assert_int_eq(msg_call(pid, &m, 20 * 1000000LL), -NOS_ETIMEDOUT);
	/* msg_call returned only after the receiver let go of the buffer. */
	ck_assert_int_eq(s.wrote, 1);
	ck_assert_int_eq(s.saw_cancel, 1);
	ck_assert_uint_eq(value, 0xdeadbeef);
	ck_assert(msg_done(&m));
	ck_assert_uint_ge(msg_now_ns() - t0, 200 * 1000000ULL);
	ck_assert_int_eq(msg_join(pid), 0);
}
END_TEST

/* ---------------------------------------------------------------- cancel */

/* Holds the first message until it comes back flagged MSG_F_CANCELLED. */
static void hold_main(void *arg)
{
	int *saw = arg;
	msg_t *held, *again;

	ck_assert_int_eq(msg_receive(&held, MSG_FOREVER), 0);
	ck_assert_int_eq(msg_receive(&again, MSG_FOREVER), 0);
	ck_assert_ptr_eq(again, held);
	ck_assert(again->flags & MSG_F_CANCELLED);
	ck_assert(msg_cancelled(again));
	*saw = 1;
	msg_sleep_ns(30 * 1000000LL);   /* the sender must still wait */
	msg_reply(again, -NOS_ECANCELED);
}

START_TEST(test_cancel_seen_and_pinned_until_ack)
{
	int saw = 0;
	msg_pid_t pid = start("hold", hold_main, &saw);
	uint32_t value = 3;
	msg_t m;

	msg_init(&m, T_HOLD, &value, sizeof(value));
	ck_assert_int_eq(msg_send(pid, &m), 0);
	ck_assert_int_eq(msg_wait(&m, 20 * 1000000LL), -NOS_ETIMEDOUT);
	ck_assert(!msg_done(&m));
	ck_assert_int_eq(msg_cancel(&m), 0);
	ck_assert_int_eq(msg_cancel(&m), 0);            /* idempotent */
	ck_assert(!msg_done(&m));                        /* not released early */
	ck_assert_int_eq(msg_wait(&m, MSG_FOREVER), -NOS_ECANCELED);
	ck_assert_int_eq(saw, 1);
	ck_assert_int_eq(msg_cancel(&m), -NOS_EINVAL);  /* already complete */
	ck_assert_int_eq(msg_join(pid), 0);
}
END_TEST

/* Sleeps, then counts what reaches it before a T_STOP. */
static void late_main(void *arg)
{
	int *delivered = arg;
	msg_t *m;

	msg_sleep_ns(50 * 1000000LL);
	for (;;) {
		ck_assert_int_eq(msg_receive(&m, MSG_FOREVER), 0);
		if (m->type == T_STOP) {
			msg_reply(m, 0);
			return;
		}
		(*delivered)++;
		msg_reply(m, 0);
	}
}

START_TEST(test_cancel_before_receive_is_acked_by_runtime)
{
	int delivered = 0;
	msg_pid_t pid = start("late", late_main, &delivered);
	uint32_t value = 0;
	msg_t m;

	msg_init(&m, T_ECHO, &value, sizeof(value));
	ck_assert_int_eq(msg_send(pid, &m), 0);
	ck_assert_int_eq(msg_cancel(&m), 0);
	ck_assert_int_eq(msg_wait(&m, MSG_FOREVER), -NOS_ECANCELED);
	stop(pid);
	ck_assert_int_eq(delivered, 0);
}
END_TEST

/* ---------------------------------------------------------------- death */

/* Receives one message, keeps it, and exits with more queued. */
static void die_main(void *arg)
{
	msg_t *m;

	(void)arg;
	ck_assert_int_eq(msg_receive(&m, MSG_FOREVER), 0);
	msg_sleep_ns(30 * 1000000LL);
	msg_exit();
}

START_TEST(test_dead_receiver_fails_calls)
{
	msg_pid_t pid = start("dier", die_main, NULL);
	uint32_t v[4] = { 0 };
	msg_t m[4];
	unsigned i;

	for (i = 0; i < 4; i++) {
		msg_init(&m[i], T_ECHO, &v[i], sizeof(v[i]));
		ck_assert_int_eq(msg_send(pid, &m[i]), 0);
	}
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(msg_wait(&m[i], 5000 * 1000000LL), -NOS_EPIPE);
	ck_assert_int_eq(msg_join(pid), 0);
	/* Future calls fail at once. */
	msg_init(&m[0], T_ECHO, &v[0], sizeof(v[0]));
	ck_assert_int_eq(msg_call(pid, &m[0], MSG_FOREVER), -NOS_ESRCH);
	ck_assert(!msg_alive(pid));
}
END_TEST

START_TEST(test_call_to_exiting_receiver_fails_not_hangs)
{
	msg_pid_t pid = start("dier", die_main, NULL);
	uint32_t a = 0, b = 0;
	msg_t first, second;

	msg_init(&first, T_ECHO, &a, sizeof(a));
	ck_assert_int_eq(msg_send(pid, &first), 0);
	msg_init(&second, T_ECHO, &b, sizeof(b));
	/* Blocks in the call while the receiver dies holding `first`. */
	ck_assert_int_eq(msg_call(pid, &second, MSG_FOREVER), -NOS_EPIPE);
	ck_assert_int_eq(msg_wait(&first, MSG_FOREVER), -NOS_EPIPE);
	ck_assert_int_eq(msg_join(pid), 0);
}
END_TEST

static void quit_main(void *arg)
{
	(void)arg;
}

START_TEST(test_stale_handle)
{
	msg_pid_t old = start("first", quit_main, NULL), fresh;
	int delivered = 0;
	uint32_t v = 0;
	msg_t m;

	ck_assert_int_eq(msg_join(old), 0);
	/* The slot is reused by a new process with a new generation. */
	fresh = start("second", late_main, &delivered);
	ck_assert_uint_eq(MSG_PID_SLOT(fresh), MSG_PID_SLOT(old));
	ck_assert_uint_ne(fresh, old);
	msg_init(&m, T_ECHO, &v, sizeof(v));
	ck_assert_int_eq(msg_send(old, &m), -NOS_ESRCH);
	ck_assert(msg_done(&m));
	ck_assert_int_eq(m.status, -NOS_ESRCH);
	stop(fresh);
	ck_assert_int_eq(delivered, 0);
	ck_assert_int_eq(msg_join(old), -NOS_ESRCH);
}
END_TEST

/* ---------------------------------------------------------------- identity */

START_TEST(test_forged_sender_refused)
{
	struct seen seen;
	msg_pid_t pid = start("rec", record_main, &seen), echo = start("echo", echo_main, NULL);
	uint32_t v = 0;
	msg_t m;

	msg_init(&m, T_ECHO, &v, sizeof(v));
	m.from = echo;                                   /* claims to be echo */
	ck_assert_int_eq(msg_send(pid, &m), -NOS_EPERM);
	msg_init(&m, T_ECHO, &v, sizeof(v));
	m.from = msg_self();                             /* the truth is fine */
	ck_assert_int_eq(msg_call(pid, &m, MSG_FOREVER), 7);
	ck_assert_uint_eq(seen.from, msg_self());
	ck_assert_int_eq(msg_join(pid), 0);
	stop(echo);
}
END_TEST

/* Tries to answer a message that was sent to someone else. */
static void thief_main(void *arg)
{
	msg_t *victim = arg;

	*(int *)victim->payload = msg_reply(victim, 99);
}

static void hold_then_reply_main(void *arg)
{
	msg_t *m;

	(void)arg;
	ck_assert_int_eq(msg_receive(&m, MSG_FOREVER), 0);
	msg_sleep_ns(20 * 1000000LL);
	msg_reply(m, 1);
}

START_TEST(test_only_the_receiver_replies)
{
	msg_pid_t holder = start("holder", hold_then_reply_main, NULL), thief;
	int result = 0;
	msg_t m;

	msg_init(&m, T_HOLD, &result, sizeof(result));
	ck_assert_int_eq(msg_send(holder, &m), 0);
	thief = start("thief", thief_main, &m);
	ck_assert_int_eq(msg_join(thief), 0);
	ck_assert_int_eq(msg_wait(&m, MSG_FOREVER), 1);
	ck_assert_int_eq(result, -NOS_EPERM);
	ck_assert_int_eq(msg_reply(&m, 0), -NOS_EPERM);   /* nor the sender */
	ck_assert_int_eq(msg_join(holder), 0);
}
END_TEST

START_TEST(test_registry)
{
	msg_pid_t a = start("fs", echo_main, NULL), b, found;

	ck_assert_int_eq(msg_lookup("fs", 0, &found), 0);
	ck_assert_uint_eq(found, a);
	ck_assert_int_eq(msg_spawn("fs", 0, echo_main, NULL, 0, &b), -NOS_EEXIST);
	ck_assert_int_eq(msg_spawn("fs", 1, echo_main, NULL, 0, &b), 0);
	ck_assert_int_eq(msg_lookup("fs", 1, &found), 0);
	ck_assert_uint_eq(found, b);
	ck_assert_int_eq(msg_lookup("console", 0, &found), -NOS_ENOENT);
	ck_assert_int_eq(msg_lookup("", 0, &found), -NOS_EINVAL);
	ck_assert_int_eq(msg_lookup("a-name-far-too-long-for-it", 0, &found), -NOS_EINVAL);
	ck_assert_int_eq(msg_register("fs", 0), -NOS_EEXIST);
	ck_assert_int_eq(msg_register("tester", 3), 0);
	ck_assert_int_eq(msg_lookup("tester", 3, &found), 0);
	ck_assert_uint_eq(found, msg_self());
	stop(a);
	ck_assert_int_eq(msg_lookup("fs", 0, &found), -NOS_ENOENT);
	stop(b);
}
END_TEST

START_TEST(test_join_errors)
{
	ck_assert_int_eq(msg_join(msg_self()), -NOS_EDEADLK);
	ck_assert_int_eq(msg_join(MSG_PID_NONE), -NOS_ESRCH);
	ck_assert_int_eq(msg_join(0xabcdef07u), -NOS_ESRCH);
	ck_assert_int_eq(msg_spawn("x", 0, NULL, NULL, 0, NULL), -NOS_EINVAL);
}
END_TEST

/* ---------------------------------------------------------------- ping-pong stress */

#define PAIRS 10

struct pong_pair {
	msg_pid_t echo;
	uint32_t rounds;
	uint32_t done_rounds;          /* progress, read by the watchdog */
	int bad;
};

static void pinger_main(void *arg)
{
	struct pong_pair *p = arg;
	uint32_t i, v;
	msg_t m;

	for (i = 0; i < p->rounds; i++) {
		v = i;
		msg_init(&m, T_ECHO, &v, sizeof(v));
		if (msg_call(p->echo, &m, MSG_FOREVER) != (int32_t)(2 * i + 1))
			p->bad++;
		__atomic_store_n(&p->done_rounds, i + 1, __ATOMIC_RELAXED);
	}
}

/* The ping-pong: 10 pairs x 1,000,000 round trips (soak), a tenth in
 * make test, under the watchdog. */
START_TEST(test_stress_ping_pong_watchdog)
{
	struct pong_pair pairs[PAIRS];
	msg_pid_t pingers[PAIRS];
	uint32_t *progress[PAIRS], target[PAIRS];
	unsigned i;

	for (i = 0; i < PAIRS; i++) {
		pairs[i].rounds = (uint32_t)(10000 * test_scale());
		pairs[i].done_rounds = 0;
		pairs[i].bad = 0;
		progress[i] = &pairs[i].done_rounds;
		target[i] = pairs[i].rounds;
		ck_assert_int_eq(msg_spawn("pong", i, echo_main, NULL, 0, &pairs[i].echo), 0);
		ck_assert_int_eq(msg_spawn("ping", i, pinger_main, &pairs[i], 0, &pingers[i]), 0);
	}
	watchdog_wait(progress, target, PAIRS);
	for (i = 0; i < PAIRS; i++) {
		ck_assert_int_eq(msg_join(pingers[i]), 0);
		ck_assert_int_eq(pairs[i].bad, 0);
		stop(pairs[i].echo);
	}
}
END_TEST

/* ---------------------------------------------------------------- death races */

/* Receivers die over and over while senders keep sending to whichever is
 * current; their slots are reused at once. Every message must complete
 * (a reply, -NOS_EPIPE or -NOS_ESRCH: never a hang), and none may reach a
 * successor: each names the pid it was sent to. */
struct race {
	msg_pid_t victim;              /* the current receiver (atomic) */
	uint32_t stop;
	uint32_t senders_done;
	uint32_t sent;                 /* progress for the watchdog */
	uint32_t misdelivered;
	uint32_t bad_status;
	uint32_t rounds;
};

static struct race race;

static void victim_main(void *arg)
{
	uint32_t budget = (uint32_t)(uintptr_t)arg;
	msg_t *m;

	while (budget-- && msg_receive(&m, 2 * 1000000LL) == 0) {
		if (*(msg_pid_t *)m->payload != msg_self())
			__atomic_add_fetch(&race.misdelivered, 1, __ATOMIC_RELAXED);
		msg_reply(m, 0);
	}
	/* Exits with whatever is still queued or arriving. */
}

static void race_sender_main(void *arg)
{
	msg_pid_t target;
	msg_t m[4];
	unsigned i;
	int r;

	(void)arg;
	while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE)) {
		target = __atomic_load_n(&race.victim, __ATOMIC_ACQUIRE);
		msg_pid_t targets[4] = { target, target, target, target };

		for (i = 0; i < 4; i++) {
			msg_init(&m[i], T_ECHO, &targets[i], sizeof(targets[i]));
			msg_send(target, &m[i]);
		}
		for (i = 0; i < 4; i++) {
			r = msg_wait(&m[i], MSG_FOREVER);
			if (r != 0 && r != -NOS_EPIPE && r != -NOS_ESRCH)
				__atomic_add_fetch(&race.bad_status, 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&race.sent, 4, __ATOMIC_RELAXED);
		msg_yield();
	}
	__atomic_add_fetch(&race.senders_done, 1, __ATOMIC_RELEASE);
}

START_TEST(test_stress_death_races)
{
	msg_pid_t senders[3], victim;
	uint32_t *progress[2] = { &race.senders_done, &race.sent };
	uint32_t target[2] = { 3, 0 };
	uint32_t round, seed = 12345;
	unsigned i;

	memset(&race, 0, sizeof(race));
	race.rounds = (uint32_t)(300 * test_scale());
	ck_assert_int_eq(msg_spawn("victim", 0, victim_main, (void *)(uintptr_t)5, 0, &victim), 0);
	__atomic_store_n(&race.victim, victim, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(msg_spawn("racer", i, race_sender_main, NULL, 0, &senders[i]), 0);
	for (round = 0; round < race.rounds; round++) {
		ck_assert_int_eq(msg_join(victim), 0);
		seed = seed * 1103515245u + 12345u;
		ck_assert_int_eq(msg_spawn("victim", 0, victim_main,
		                           (void *)(uintptr_t)(seed >> 16 & 15), 0, &victim), 0);
		__atomic_store_n(&race.victim, victim, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	/* Senders end once their last messages complete; the watchdog fails the
	 * test if one never does. sent's target is whatever it reaches. */
	target[1] = 0xffffffffu;
	watchdog_wait(progress, target, 1);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(msg_join(senders[i]), 0);
	ck_assert_int_eq(msg_join(victim), 0);
	ck_assert_uint_eq(race.misdelivered, 0);
	ck_assert_uint_eq(race.bad_status, 0);
	ck_assert_uint_gt(race.sent, 0);
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *msg_suite(void)
{
	Suite *s = suite_create("msg");
	TCase *api = tcase_create("api");
	TCase *stress = tcase_create("stress");

	tcase_add_checked_fixture(api, setup, teardown);
	tcase_set_timeout(api, 30);
	tcase_add_test(api, test_call_is_zero_copy);
	tcase_add_test(api, test_receiver_sees_sender_memory);
	tcase_add_test(api, test_order_per_sender);
	tcase_add_test(api, test_call_reply_under_load);
	tcase_add_test(api, test_receive_timeout);
	tcase_add_test(api, test_call_timeout_keeps_buffer_pinned);
	tcase_add_test(api, test_cancel_seen_and_pinned_until_ack);
	tcase_add_test(api, test_cancel_before_receive_is_acked_by_runtime);
	tcase_add_test(api, test_dead_receiver_fails_calls);
	tcase_add_test(api, test_call_to_exiting_receiver_fails_not_hangs);
	tcase_add_test(api, test_stale_handle);
	tcase_add_test(api, test_forged_sender_refused);
	tcase_add_test(api, test_only_the_receiver_replies);
	tcase_add_test(api, test_registry);
	tcase_add_test(api, test_join_errors);
	suite_add_tcase(s, api);

	tcase_add_checked_fixture(stress, setup, teardown);
	tcase_set_timeout(stress, 600);
	tcase_add_test(stress, test_stress_8_producers);
	tcase_add_test(stress, test_stress_ping_pong_watchdog);
	tcase_add_test(stress, test_stress_death_races);
	suite_add_tcase(s, stress);
	return s;
}

TEST_MAIN(msg_suite)
