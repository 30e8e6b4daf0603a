/*
 * term_avr.c: the console's terminal on USART0 (see term_avr.h).
 *
 * ("conin", 0) takes what the receive interrupt put in the ring and sends
 * it to the console as CONSOLE_MSG_INPUT; the console is the line
 * discipline (echo, erase, ^C). The USART keeps 2 bytes: at 115200 baud a
 * byte comes every 87 us, so the interrupt, not a process, must take them.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>

#include "firmware/config.h"
#include "firmware/term_avr.h"
#include "firmware/uart_avr.h"
#include "kproc/kproc.h"

#define RING 256u                        /* uint8_t indexes wrap at its end */
#define CONIN_POLL_NS 2000000LL          /* 2 ms: 23 bytes at 115200 baud */

static volatile uint8_t ring[RING];
static volatile uint8_t ring_head, ring_tail;
static volatile uint16_t overruns;

ISR(USART0_RX_vect)
{
	uint8_t c = UDR0;
	uint8_t next = (uint8_t)(ring_head + 1);

	if (next == ring_tail) {
		overruns++;
		return;
	}
	ring[ring_head] = c;
	ring_head = next;
}

void term_avr_init(void)
{
	UCSR0B |= _BV(RXCIE0);
}

uint16_t term_avr_overruns(void)
{
	uint16_t n;

	ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
		n = overruns;
	}
	return n;
}

static int32_t term_write(void *ctx, unsigned stream, const void *buf, uint32_t len)
{
	const char *p = buf;
	uint32_t i;

	(void)ctx;
	(void)stream;
	for (i = 0; i < len; i++)
		uart_putc(p[i]);
	return (int32_t)len;
}

struct console_term term_avr = { term_write, 1, NULL, NULL, 0 };

static uint8_t ring_take(uint8_t *buf, uint8_t max)
{
	uint8_t n = 0;

	while (n < max && ring_tail != ring_head) {
		buf[n++] = ring[ring_tail];
		ring_tail = (uint8_t)(ring_tail + 1);
	}
	return n;
}

static void conin_main(void *arg)
{
	msg_pid_t console = *(msg_pid_t *)arg;
	struct console_io io;
	uint8_t buf[16];
	msg_t m, *in;

	for (;;) {
		uint8_t n = ring_take(buf, sizeof(buf));

		if (n == 0) {
			/* Idle: wait on the inbox, for KPROC_MSG_STOP. */
			if (msg_receive(&in, CONIN_POLL_NS) == 0) {
				int stop = in->type == KPROC_MSG_STOP && in->from == kproc_parent();

				msg_reply(in, stop ? 0 : -NOS_ENOSYS);
				if (stop)
					return;
			}
			continue;
		}
		io = (struct console_io){ 0, buf, n, 0, 0 };
		msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
		if (msg_call(console, &m, MSG_FOREVER) == -NOS_ESRCH)
			return;
	}
}

int term_avr_start_conin(msg_pid_t console, msg_pid_t *pid)
{
	static msg_pid_t to;

	to = console;
	return kproc_start("conin", 0, conin_main, &to, CFG_STACK_CONIN, pid);
}
