/*
 * blink_banner.c: a small atmega2560 application for the flash test
 * (tests/integration/flash-sim.sh): it says who it is on USART0 (115200,
 * U2X, 8N1, as a Mega's sketches do), then echoes what it receives until a
 * 'q', when it says goodbye and halts (cli; sleep ends the simulation).
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>

static void put(char c)
{
	while (!(UCSR0A & _BV(UDRE0)))
		;
	UDR0 = c;
}

static void puts0(const char *s)
{
	while (*s)
		put(*s++);
}

int main(void)
{
	char c;

	UCSR0A = _BV(U2X0);
	UBRR0 = 16;                     /* 16 MHz / (8 * (16 + 1)) = 117647 baud, 2% off 115200 */
	UCSR0B = _BV(RXEN0) | _BV(TXEN0);
	puts0("flashed firmware: hello\r\n> ");
	do {
		while (!(UCSR0A & _BV(RXC0)))
			;
		c = UDR0;
		put(c);
	} while (c != 'q');
	puts0("\r\nbye\r\n");
	while (!(UCSR0A & _BV(TXC0)))   /* the last byte is out before the chip stops */
		;
	cli();
	sleep_enable();
	sleep_cpu();
	return 0;
}
