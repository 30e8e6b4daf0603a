/*
 * test_kproc.c: the kernel-process runtime (start/stop, addresses, the serve
 * loop, sender checks, panic), on both msg backends.
 */
#include <string.h>

#include "kproc/kproc.h"
#include "testutil.h"

enum { T_GET = 0x7101, T_SET, T_PRIV, T_DEFER, T_PANIC, T_RELEASE };

struct counter {
	uint32_t value;
	msg_t *deferred;               /* a T_DEFER held until T_RELEASE */
	int cancels;
};

struct set_req {
	uint32_t value;
};

static int32_t on_get(msg_t *m, void *state)
{
	(void)m;
	return (int32_t)((struct counter *)state)->value;
}

static int32_t on_set(msg_t *m, void *state)
{
	((struct counter *)state)->value = ((struct set_req *)m->payload)->value;
	return 0;
}

/* Privileged: only the process registered as "sched" may ask. */
static int32_t on_priv(msg_t *m, void *state)
{
	(void)state;
	return kproc_sent_by(m, "sched", 0) ? 1 : -NOS_EPERM;
}

static int32_t on_defer(msg_t *m, void *state)
{
	struct counter *c = state;

	if (c->deferred)
		return -NOS_EBUSY;
	__atomic_store_n(&c->deferred, m, __ATOMIC_RELEASE);   /* the test polls it */
	return KPROC_DEFERRED;
}

static int32_t on_release(msg_t *m, void *state)
{
	struct counter *c = state;

	(void)m;
	if (!c->deferred)
		return -NOS_EINVAL;
	msg_reply(c->deferred, 77);
	c->deferred = NULL;
	return 0;
}

static int32_t on_panic(msg_t *m, void *state)
{
	(void)m;
	(void)state;
	kproc_panic("test: asked to panic");
}

static void on_cancelled(msg_t *m, void *state)
{
	struct counter *c = state;

	if (m == c->deferred)
		c->deferred = NULL;
	c->cancels++;
	msg_reply(m, -NOS_ECANCELED);
}

static const struct kproc_handler counter_handlers[] = {
	{ T_GET, 0, on_get },
	{ T_SET, sizeof(struct set_req), on_set },
	{ T_PRIV, 0, on_priv },
	{ T_DEFER, 0, on_defer },
	{ T_RELEASE, 0, on_release },
	{ T_PANIC, 0, on_panic },
};

static void counter_main(void *arg)
{
	struct kproc_service svc = {
		.name = "counter",
		.handlers = counter_handlers,
		.nhandlers = sizeof(counter_handlers) / sizeof(counter_handlers[0]),
		.state = arg,
		.cancelled = on_cancelled,
	};

	kproc_serve(&svc);
}

static struct counter state;
static msg_pid_t counter;

static void setup(void)
{
	ck_assert_int_eq(msg_init_runtime("main"), 0);
	memset(&state, 0, sizeof(state));
	ck_assert_int_eq(kproc_start("counter", 0, counter_main, &state, 0, &counter), 0);
}

static void teardown(void)
{
	if (msg_alive(counter))
		ck_assert_int_eq(kproc_stop(counter, MSG_FOREVER), 0);
	else
		msg_join(counter);
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

static int32_t ask(uint16_t type, void *payload, uint32_t size)
{
	msg_t m;

	msg_init(&m, type, payload, size);
	return msg_call(counter, &m, MSG_FOREVER);
}

START_TEST(test_ping_and_find)
{
	struct kproc_ping ping = { 41 };
	msg_pid_t found;

	ck_assert_int_eq(kproc_find("counter", 0, &found), 0);
	ck_assert_uint_eq(found, counter);
	ck_assert_int_eq(ask(KPROC_MSG_PING, &ping, sizeof(ping)), 0);
	ck_assert_uint_eq(ping.value, 42);
	ck_assert_int_eq(ask(KPROC_MSG_PING, &ping, 2), -NOS_EBADMSG);
}
END_TEST

START_TEST(test_dispatch_table)
{
	struct set_req set = { 1234 };
	char wrong[3] = { 0 };

	ck_assert_int_eq(ask(T_SET, &set, sizeof(set)), 0);
	ck_assert_int_eq(ask(T_GET, NULL, 0), 1234);
	ck_assert_int_eq(ask(T_SET, wrong, sizeof(wrong)), -NOS_EBADMSG);
	ck_assert_int_eq(ask(T_SET, NULL, sizeof(set)), -NOS_EBADMSG);
	ck_assert_int_eq(ask(0x7fff, NULL, 0), -NOS_ENOSYS);
	ck_assert_int_eq(ask(T_GET, NULL, 0), 1234);   /* unharmed */
}
END_TEST

START_TEST(test_addresses)
{
	kproc_addr_t a;
	msg_pid_t pid;

	memset(&a, 0, sizeof(a));
	strcpy(a.name, "counter");
	ck_assert_int_eq(kproc_resolve(&a, &pid), 0);
	ck_assert_uint_eq(pid, counter);
	a.index = 1;
	ck_assert_int_eq(kproc_resolve(&a, &pid), -NOS_ENOENT);
	a.index = 0;
	a.node = 7;
	ck_assert_int_eq(kproc_resolve(&a, &pid), -NOS_EHOSTUNREACH);
	a.node = KPROC_NODE_LOCAL;
	memset(a.name, 'x', sizeof(a.name));           /* no NUL */
	ck_assert_int_eq(kproc_resolve(&a, &pid), -NOS_EINVAL);
}
END_TEST

/* A process that is not the counter's parent asks it to stop. */
static void intruder_main(void *arg)
{
	msg_t m;

	msg_init(&m, KPROC_MSG_STOP, NULL, 0);
	*(int *)arg = msg_call(counter, &m, MSG_FOREVER);
}

START_TEST(test_stop_only_by_parent)
{
	msg_pid_t intruder;
	int result = 0;

	ck_assert_uint_eq(kproc_parent(), MSG_PID_NONE);
	ck_assert_int_eq(kproc_start("intruder", 0, intruder_main, &result, 0, &intruder), 0);
	ck_assert_int_eq(msg_join(intruder), 0);
	ck_assert_int_eq(result, -NOS_EPERM);
	ck_assert(msg_alive(counter));
	ck_assert_int_eq(kproc_stop(counter, MSG_FOREVER), 0);
	ck_assert(!msg_alive(counter));
}
END_TEST

static void sched_main(void *arg)
{
	*(int *)arg = ask(T_PRIV, NULL, 0);
}

START_TEST(test_privileged_sender_check)
{
	msg_pid_t sched;
	int result = 0;

	ck_assert_int_eq(ask(T_PRIV, NULL, 0), -NOS_EPERM);
	ck_assert_int_eq(kproc_start("sched", 0, sched_main, &result, 0, &sched), 0);
	ck_assert_int_eq(msg_join(sched), 0);
	ck_assert_int_eq(result, 1);
	/* A process that merely has the same name at another index is not it. */
	ck_assert_int_eq(kproc_start("sched", 1, sched_main, &result, 0, &sched), 0);
	ck_assert_int_eq(msg_join(sched), 0);
	ck_assert_int_eq(result, -NOS_EPERM);
}
END_TEST

START_TEST(test_deferred_reply_and_cancel)
{
	msg_t held;

	msg_init(&held, T_DEFER, NULL, 0);
	ck_assert_int_eq(msg_send(counter, &held), 0);
	ck_assert_int_eq(msg_wait(&held, 20 * 1000000LL), -NOS_ETIMEDOUT);
	ck_assert_int_eq(ask(T_RELEASE, NULL, 0), 0);
	ck_assert_int_eq(msg_wait(&held, MSG_FOREVER), 77);

	/* Deferred, then cancelled: the service's hook acks it. */
	msg_init(&held, T_DEFER, NULL, 0);
	ck_assert_int_eq(msg_send(counter, &held), 0);
	ck_assert_int_eq(msg_wait(&held, 20 * 1000000LL), -NOS_ETIMEDOUT);
	ck_assert_int_eq(msg_cancel(&held), 0);
	ck_assert_int_eq(msg_wait(&held, MSG_FOREVER), -NOS_ECANCELED);
	ck_assert_int_eq(state.cancels, 1);
	ck_assert_int_eq(ask(T_RELEASE, NULL, 0), -NOS_EINVAL);   /* nothing held */
}
END_TEST

/* Sits in a call to the counter while it panics. */
static void bystander_main(void *arg)
{
	msg_t m;

	msg_init(&m, T_DEFER, NULL, 0);
	*(int *)arg = msg_call(counter, &m, MSG_FOREVER);
}

START_TEST(test_panic_fails_calls_not_instance)
{
	msg_pid_t bystander, other;
	struct kproc_ping ping = { 1 };
	int result = 0;
	msg_t m;

	ck_assert_int_eq(kproc_start("bystander", 0, bystander_main, &result, 0, &bystander), 0);
	while (__atomic_load_n(&state.deferred, __ATOMIC_ACQUIRE) == NULL)
		msg_sleep_ns(1000000);
	ck_assert_int_eq(ask(T_PANIC, NULL, 0), -NOS_EPIPE);
	ck_assert_int_eq(msg_join(bystander), 0);
	ck_assert_int_eq(result, -NOS_EPIPE);             /* its held call failed */
	ck_assert_int_eq(ask(T_GET, NULL, 0), -NOS_ESRCH);
	/* The rest of the instance goes on. */
	ck_assert_int_eq(kproc_start("counter", 1, counter_main, &state, 0, &other), 0);
	msg_init(&m, KPROC_MSG_PING, &ping, sizeof(ping));
	ck_assert_int_eq(msg_call(other, &m, MSG_FOREVER), 0);
	ck_assert_uint_eq(ping.value, 2);
	ck_assert_int_eq(kproc_stop(other, MSG_FOREVER), 0);
}
END_TEST

static Suite *kproc_suite(void)
{
	Suite *s = suite_create("kproc");
	TCase *tc = tcase_create("runtime");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ping_and_find);
	tcase_add_test(tc, test_dispatch_table);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_stop_only_by_parent);
	tcase_add_test(tc, test_privileged_sender_check);
	tcase_add_test(tc, test_deferred_reply_and_cancel);
	tcase_add_test(tc, test_panic_fails_calls_not_instance);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(kproc_suite)
