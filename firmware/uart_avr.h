/* uart_avr.h: USART0, polled (see uart_avr.c). */
#ifndef NOS_UART_AVR_H
#define NOS_UART_AVR_H

#include <stdint.h>

void uart_init(uint32_t baud);
void uart_putc(char c);
void uart_puts(const char *s);
void uart_put_u32(uint32_t v);

#endif
