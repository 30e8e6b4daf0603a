/*
 * term_avr.h: the console's terminal on USART0 (term_avr.c): output polled,
 * input by the receive interrupt into a ring that the conin process hands
 * to the console.
 */
#ifndef NOS_TERM_AVR_H
#define NOS_TERM_AVR_H

#include "kproc/console.h"

extern struct console_term term_avr;

/* Enable the receive interrupt (after uart_init). */
void term_avr_init(void);
/* Start ("conin", 0): the bytes received go to `console`. */
int term_avr_start_conin(msg_pid_t console, msg_pid_t *pid);
/* Bytes lost because the ring was full (the console fell behind). */
uint16_t term_avr_overruns(void);

#endif
