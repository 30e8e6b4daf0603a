/*
 * uart_avr.c: USART0 of the ATmega2560 (the Mega 2560's USB serial), polled.
 * Port code: the console's bytes on AVR.
 */
#include <avr/io.h>

#include "firmware/uart_avr.h"

void uart_init(uint32_t baud)
{
	uint16_t ubrr = (uint16_t)((F_CPU / (8UL * baud)) - 1);   /* double speed */

	UBRR0H = (uint8_t)(ubrr >> 8);
	UBRR0L = (uint8_t)ubrr;
	UCSR0A = _BV(U2X0);
	UCSR0B = _BV(TXEN0) | _BV(RXEN0);
	UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);                        /* 8N1 */
}

void uart_putc(char c)
{
	while (!(UCSR0A & _BV(UDRE0)))
		;
	UDR0 = (uint8_t)c;
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void uart_put_u32(uint32_t v)
{
	char digits[11];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		uart_putc(digits[--n]);
}
