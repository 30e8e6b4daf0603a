/*
 * msgcheck.c: a firmware image that runs the message core's contracts on the
 * AVR itself -- coroutines, the AVR context switch, calls, zero-copy
 * payloads, per-sender order with async completions, timeouts, a dead
 * receiver and a stale handle -- prints "msgcheck: N passed, N failed" on
 * USART0 and halts (simavr then ends with cpu_Done).
 */
#include <avr/interrupt.h>
#include <avr/sleep.h>

#include "firmware/selftest.h"
#include "firmware/uart_avr.h"
#include "kproc/kproc.h"

#define STACK 384
enum { T_ECHO = 0x7001, T_ITEM };

void port_avr_clock_init(void);


static int32_t on_echo(msg_t *m, void *state)
{
	uint16_t *v = m->payload;

	(void)state;
	*v = (uint16_t)(*v * 2);
	return *v + 1;
}

static const struct kproc_handler echo_handlers[] = {
	{ T_ECHO, sizeof(uint16_t), on_echo },
};

/* A kernel process served by the same table-driven loop as on Linux. */
static void echo_main(void *arg)
{
	struct kproc_service svc = {
		.name = "echo",
		.handlers = echo_handlers,
		.nhandlers = 1,
		.state = arg,
	};

	kproc_serve(&svc);
}

struct item {
	uint8_t sender;
	uint16_t seq;
};

static uint16_t next_seq[3];
static uint16_t disorder, received;

static void sink_main(void *arg)
{
	uint16_t total = *(uint16_t *)arg;
	struct item *it;
	msg_t *m;

	while (received < total) {
		if (msg_receive(&m, MSG_FOREVER) < 0)
			return;
		it = m->payload;
		if (it->seq != next_seq[it->sender])
			disorder++;
		next_seq[it->sender] = it->seq + 1;
		received++;
		msg_reply(m, 0);
	}
}

struct producer {
	msg_pid_t to;
	uint8_t id;
	uint16_t count;
};

#define RING 4

static void producer_main(void *arg)
{
	struct producer *p = arg;
	struct item items[RING];
	msg_t ring[RING], *done;
	uint16_t sent = 0, completed = 0;
	uint8_t slot;

	while (completed < p->count) {
		if (sent < p->count && sent - completed < RING) {
			slot = sent % RING;
			items[slot].sender = p->id;
			items[slot].seq = sent;
			msg_init(&ring[slot], T_ITEM, &items[slot], sizeof(items[slot]));
			ring[slot].flags = MSG_F_NOTIFY;
			msg_send(p->to, &ring[slot]);
			sent++;
			continue;
		}
		if (msg_receive(&done, MSG_FOREVER) < 0)
			return;
		completed++;
	}
}

static void check_calls(void)
{
	msg_pid_t echo;
	uint16_t i, v, bad = 0;
	msg_t m;

	check(kproc_start("echo", 0, echo_main, NULL, STACK, &echo) == 0, "spawn echo");
	for (i = 0; i < 1000; i++) {
		v = i;
		msg_init(&m, T_ECHO, &v, sizeof(v));
		if (msg_call(echo, &m, MSG_FOREVER) != (int32_t)(2 * i + 1) || v != 2 * i)
			bad++;
	}
	check(bad == 0, "1000 calls answered in place");
	msg_init(&m, 0x7777, NULL, 0);
	check(msg_call(echo, &m, MSG_FOREVER) == -NOS_ENOSYS, "unknown type refused");
	check(kproc_stop(echo, MSG_FOREVER) == 0, "stop echo");
	msg_init(&m, T_ECHO, &v, sizeof(v));
	check(msg_call(echo, &m, MSG_FOREVER) == -NOS_ESRCH, "stale handle refused");
}

static void check_order(void)
{
	static struct producer prod[3];
	uint16_t total = 3 * 100;
	msg_pid_t sink, pids[3];
	uint8_t i;

	check(msg_spawn("sink", 0, sink_main, &total, STACK, &sink) == 0, "spawn sink");
	for (i = 0; i < 3; i++) {
		prod[i].to = sink;
		prod[i].id = i;
		prod[i].count = 100;
		check(msg_spawn("prod", i, producer_main, &prod[i], STACK, &pids[i]) == 0,
		      "spawn producer");
	}
	for (i = 0; i < 3; i++)
		msg_join(pids[i]);
	msg_join(sink);
	check(received == total && disorder == 0, "3 producers in order");
}

static void die_main(void *arg)
{
	msg_t *m;

	(void)arg;
	msg_receive(&m, MSG_FOREVER);
	msg_exit();
}

static void check_death_and_timeout(void)
{
	uint64_t t0 = msg_now_ns();
	msg_pid_t dier;
	uint16_t a = 0, b = 0;
	msg_t first, second, *m;

	check(msg_receive(&m, 5000000LL) == -NOS_ETIMEDOUT, "receive times out");
	check(msg_now_ns() - t0 >= 5000000ULL, "after 5 ms");
	check(msg_spawn("dier", 0, die_main, NULL, STACK, &dier) == 0, "spawn dier");
	msg_init(&first, T_ECHO, &a, sizeof(a));
	msg_init(&second, T_ECHO, &b, sizeof(b));
	msg_send(dier, &first);
	check(msg_call(dier, &second, MSG_FOREVER) == -NOS_EPIPE, "queued call fails");
	check(msg_wait(&first, MSG_FOREVER) == -NOS_EPIPE, "held call fails");
	msg_join(dier);
}

int main(void)
{
	uart_init(115200);
	selftest_begin("msgcheck");
	port_avr_clock_init();
	sei();
	uart_puts("msgcheck: NanoOs message core on AVR\r\n");
	msg_init_runtime("main");
	check_calls();
	check_order();
	check_death_and_timeout();
	msg_shutdown_runtime();
	selftest_end();
}
