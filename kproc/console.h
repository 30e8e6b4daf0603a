/*
 * console.h: start the console kernel process (kproc/console.c) over a
 * terminal the port provides. Portable.
 */
#ifndef NOS_CONSOLE_H
#define NOS_CONSOLE_H

#include <stddef.h>

#include "kproc/proto.h"
#include "msg/msg.h"

struct console_term {
	/* Write to the terminal's stream 1 (stdout) or 2 (stderr): bytes
	 * written or -NOS_E*. May block (the terminal's own flow control). */
	int32_t (*write)(void *ctx, unsigned stream, const void *buf, uint32_t len);
	/* Whether the input is a terminal (else TCGETS gives -ENOTTY). */
	int is_tty;
	/* Put the terminal in the guest's mode (raw when ICANON is off). */
	void (*set_mode)(void *ctx, const struct console_termios *tio);
	void (*winsize)(void *ctx, uint16_t *rows, uint16_t *cols);
	void *ctx;
	unsigned index;                    /* registered as ("console", index) */
};

/* Start a console under the caller; input arrives as CONSOLE_MSG_INPUT
 * from the caller or from the process registered ("conin", index). */
int console_start(struct console_term *term, msg_pid_t *pid);

#endif
