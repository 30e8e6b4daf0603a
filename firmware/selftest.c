/*
 * selftest.c: the self-test firmwares' checks and verdict (selftest.h).
 */
#include <avr/interrupt.h>
#include <avr/sleep.h>
#include <stdint.h>

#include "firmware/selftest.h"
#include "firmware/uart_avr.h"

static const char *test_name = "selftest";
static uint16_t passed, failed;

void selftest_begin(const char *name)
{
	test_name = name;
}

void check(int ok, const char *what)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	uart_puts(test_name);
	uart_puts(": FAILED: ");
	uart_puts(what);
	uart_puts("\r\n");
}

void selftest_end(void)
{
	uart_puts(test_name);
	uart_puts(": ");
	uart_put_u32(passed);
	uart_puts(" passed, ");
	uart_put_u32(failed);
	uart_puts(" failed\r\n");
	cli();
	sleep_enable();
	for (;;)
		sleep_cpu();
}
