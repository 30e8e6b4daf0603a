/*
 * sim_util.h: what the simavr tools share (tests/avr/avr_harness.c, the
 * console and SD card runner; tests/avr/avr_board.c, the board with its
 * bootloader): simavr's log, quiet but for its warnings and crash reasons,
 * no sleeping in real time, and USART0 wired as a byte stream.
 */
#ifndef NOS_TESTS_AVR_SIM_UTIL_H
#define NOS_TESTS_AVR_SIM_UTIL_H

#include <stdarg.h>
#include <stdio.h>

#include <avr_uart.h>
#include <sim_avr.h>

/* The tool's name, for the lines simavr's log gives (set it in main). */
static const char *sim_tool = "avr";

static void sim_quiet_logger(avr_t *avr, const int level, const char *fmt, va_list ap)
{
	if (avr && level > avr->log)
		return;
	if (level <= LOG_WARNING) {
		fprintf(stderr, "%s: simavr: ", sim_tool);
		vfprintf(stderr, fmt, ap);
	}
}

/* simavr sleeps in wall time while the firmware sleeps (waiting for an
 * interrupt). Skip it: the cycle count still advances, so simulated time
 * stays exact and a run takes only the time the simulation needs. */
static void sim_no_sleep(avr_t *avr, avr_cycle_count_t how_long)
{
	(void)avr;
	(void)how_long;
}

/* The logger, and the core's reasons for a crash (LOG_WARNING), for avr. */
static inline void sim_quiet(avr_t *avr)
{
	avr->log = LOG_WARNING;
	avr->sleep = sim_no_sleep;
}

/* USART0 as a byte stream: simavr's own stdio and idle sleeps off, output
 * and its XON/XOFF flow control to the callbacks; the IRQ to feed input. */
static inline avr_irq_t *sim_wire_uart0(avr_t *avr, avr_irq_notify_t out,
                                        avr_irq_notify_t xon, avr_irq_notify_t xoff)
{
	uint32_t flags = 0;

	avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
	flags &= ~(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
	avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT),
	                        out, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON),
	                        xon, NULL);
	avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF),
	                        xoff, NULL);
	return avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
}

#endif
