/*
 * test_msgrace.c: the races of a receiver's death, made deterministic. This
 * binary links a build of msg_core.c with MSG_TEST_HOOKS, whose hook stops
 * a chosen sender after its alive check and before its push -- the window
 * in which the receiver may die, and its slot be reused -- until the test
 * has arranged the race. Threads backend only (coroutines cannot race).
 */
#include <sched.h>
#include <string.h>

#include "msg/msg.h"
#include "testutil.h"

enum { T_PING = 0x7201 };

static msg_pid_t hooked;        /* the sender to stop; 0: none */
static int at_hook, go;
static int release_victims;     /* victims live until the sender is stopped */

void msg_test_hook(int point, msg_pid_t to);
void msg_test_hook(int point, msg_pid_t to)
{
	(void)point;
	(void)to;
	if (msg_self() != __atomic_load_n(&hooked, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&at_hook, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void wait_at_hook(void)
{
	while (!__atomic_load_n(&at_hook, __ATOMIC_ACQUIRE))
		sched_yield();
}

static void setup(void)
{
	ck_assert_int_eq(msg_init_runtime("main"), 0);
	hooked = MSG_PID_NONE;
	at_hook = go = release_victims = 0;
}

static void teardown(void)
{
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

/* A receiver that takes `budget` messages (or waits 1 s), counting those
 * not addressed to it. */
struct victim {
	int budget;
	int foreign;
	int got;
};

static void victim_main(void *arg)
{
	struct victim *v = arg;
	msg_t *m;

	while (!__atomic_load_n(&release_victims, __ATOMIC_ACQUIRE))
		sched_yield();
	while (v->budget-- > 0 && msg_receive(&m, 1000 * 1000000LL) == 0) {
		v->got++;
		if (*(msg_pid_t *)m->payload != msg_self())
			v->foreign++;
		msg_reply(m, 0);
	}
}

/* Sends one message to *target and reports how it completed. */
struct sender {
	msg_pid_t target;
	int result;
};

static void sender_main(void *arg)
{
	struct sender *s = arg;
	msg_pid_t to = s->target;
	msg_t m;

	__atomic_store_n(&hooked, msg_self(), __ATOMIC_RELEASE);   /* stop me there */
	msg_init(&m, T_PING, &to, sizeof(to));
	s->result = msg_send(to, &m);
	if (s->result == 0)
		s->result = msg_wait(&m, 2000 * 1000000LL);
}

static msg_pid_t start_sender(struct sender *s)
{
	msg_pid_t pid;

	ck_assert_int_eq(msg_spawn("sender", 0, sender_main, s, 0, &pid), 0);
	return pid;
}

/* The receiver dies (and is not yet joined) while the sender is between its
 * alive check and its push: the sender must rescue its own message. */
START_TEST(test_push_into_dead_inbox_is_rescued)
{
	struct victim v = { 0, 0, 0 };
	struct sender s;
	msg_pid_t victim, sender;

	ck_assert_int_eq(msg_spawn("victim", 0, victim_main, &v, 0, &victim), 0);
	s.target = victim;
	s.result = 1;
	sender = start_sender(&s);
	wait_at_hook();
	/* The victim's budget is 0: let it exit. */
	__atomic_store_n(&release_victims, 1, __ATOMIC_RELEASE);
	while (msg_alive(victim))
		sched_yield();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(msg_join(sender), 0);
	ck_assert_int_eq(s.result, -NOS_EPIPE);       /* not -ETIMEDOUT: no hang */
	ck_assert_int_eq(msg_join(victim), 0);
}
END_TEST

/* The receiver dies and its slot gets a new owner while the sender is
 * between its check and its push: the new owner must never see it. */
START_TEST(test_straggler_never_reaches_successor)
{
	struct victim first = { 0, 0, 0 }, second = { 1, 0, 0 };
	struct sender s;
	msg_pid_t victim, successor, sender;

	ck_assert_int_eq(msg_spawn("victim", 0, victim_main, &first, 0, &victim), 0);
	s.target = victim;
	s.result = 1;
	sender = start_sender(&s);
	wait_at_hook();
	__atomic_store_n(&release_victims, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(msg_join(victim), 0);
	ck_assert_int_eq(msg_spawn("victim", 0, victim_main, &second, 0, &successor), 0);
	ck_assert_uint_eq(MSG_PID_SLOT(successor), MSG_PID_SLOT(victim));
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(msg_join(sender), 0);
	ck_assert_int_eq(s.result, -NOS_ESRCH);
	ck_assert_int_eq(msg_join(successor), 0);    /* it waited 1 s for mail */
	ck_assert_int_eq(second.got, 0);
	ck_assert_int_eq(second.foreign, 0);
}
END_TEST

static Suite *msgrace_suite(void)
{
	Suite *s = suite_create("msgrace");
	TCase *tc = tcase_create("death");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_push_into_dead_inbox_is_rescued);
	tcase_add_test(tc, test_straggler_never_reaches_successor);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(msgrace_suite)
