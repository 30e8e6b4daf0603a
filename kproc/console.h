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
	/* Whether the input is a terminal: then the console is its line
	 * discipline (the port keeps its own terminal raw and passes bytes
	 * through). Else ioctls give -ENOTTY and bytes pass through exactly. */
	int is_tty;
	/* The terminal's size until the host side tells one with
	 * CONSOLE_MSG_CONTROL (WINSIZE); NULL: 24 x 80. */
	void (*winsize)(void *ctx, uint16_t *rows, uint16_t *cols);
	void *ctx;
	unsigned index;                    /* registered as ("console", index) */
};

/* Start a console under the caller; input arrives as CONSOLE_MSG_INPUT
 * from the caller or from the process registered ("conin", index), which
 * may also send CONSOLE_MSG_CONTROL and CONSOLE_MSG_HANGUP. Signals the
 * console raises go to ("sched", 0). */
int console_start(struct console_term *term, msg_pid_t *pid);

#endif
