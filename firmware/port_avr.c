/*
 * port_avr.c: the platform under msg on AVR (see msg/port_platform.h): a
 * monotonic clock from timer 0, idling in sleep mode, fatal errors and log
 * lines on USART0.
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <util/atomic.h>

#include "firmware/uart_avr.h"
#include "kproc/kproc.h"
#include "msg/port_platform.h"

/* Timer 0, clk/64: one tick is 4 us at 16 MHz, an overflow 1024 us. */
#define TICK_NS (64ULL * 1000000000ULL / F_CPU)
static volatile uint32_t overflows;

ISR(TIMER0_OVF_vect)
{
	overflows++;
}

void port_avr_clock_init(void)
{
	TCCR0A = 0;
	TCCR0B = _BV(CS01) | _BV(CS00);
	TIMSK0 = _BV(TOIE0);
}

uint64_t port_clock_ns(void)
{
	uint32_t ovf;
	uint8_t count;

	ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
		ovf = overflows;
		count = TCNT0;
		if ((TIFR0 & _BV(TOV0)) && count < 255)
			ovf++;          /* an overflow not yet serviced */
	}
	return ((uint64_t)ovf * 256 + count) * TICK_NS;
}

void port_idle_until(uint64_t deadline_ns)
{
	set_sleep_mode(SLEEP_MODE_IDLE);
	while (port_clock_ns() < deadline_ns) {
		sleep_enable();
		sleep_cpu();        /* the timer interrupt wakes us */
		sleep_disable();
	}
}

void port_fatal(const char *what)
{
	uart_puts("nanoos: fatal: ");
	uart_puts(what);
	uart_puts("\r\n");
	cli();
	for (;;)
		sleep_cpu();
}

void port_log(int level, const char *who, const char *what)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	if (level < 0 || level > KPROC_LOG_DEBUG)
		level = KPROC_LOG_ERROR;
	uart_puts("nanoos: ");
	uart_puts(names[level]);
	uart_puts(": ");
	uart_puts(who);
	uart_puts(": ");
	uart_puts(what);
	uart_puts("\r\n");
}
