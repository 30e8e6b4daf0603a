/*
 * host_tty.h: the invoking terminal as a console_term (Linux port): writes
 * go to fds 1 and 2, input is read from fd 0 by a thread attached to the
 * runtime as ("conin", 0) that feeds the console, TCSETS switches the host
 * terminal's mode (restored when the tool ends).
 */
#ifndef NOS_HOST_TTY_H
#define NOS_HOST_TTY_H

#include "kproc/console.h"

struct host_tty;

/* Fill term with the host terminal; start its input thread once the
 * console runs (host_tty_start). */
struct host_tty *host_tty_new(struct console_term *term);
int host_tty_start(struct host_tty *t, msg_pid_t console);
/* Stop the input thread, restore the terminal's mode, free. */
void host_tty_stop(struct host_tty *t);

#endif
