/*
 * host_tty.h: the invoking terminal (Linux port).
 *
 * As a console_term for an instance booted in this process: writes go to
 * fds 1 and 2; input is read from fd 0 by a thread attached to the runtime
 * as ("conin", 0) that feeds the console byte for byte. When fds 0 and 1
 * are terminals (host_tty_interactive), fd 0 is raw for the whole run --
 * the NanoOs console does echo, erase and ^C itself -- and restored when
 * the tool ends; a SIGWINCH becomes CONSOLE_MSG_CONTROL (WINSIZE).
 *
 * The raw-mode helpers serve the daemon's sessions too (cli/run_cmd.c).
 */
#ifndef NOS_HOST_TTY_H
#define NOS_HOST_TTY_H

#include <stdint.h>
#include <termios.h>

#include "kproc/console.h"

struct host_tty;

/* Fill term with the host terminal (fd 0 made raw when interactive);
 * start its input thread once the console runs (host_tty_start). */
struct host_tty *host_tty_new(struct console_term *term);
int host_tty_start(struct host_tty *t, msg_pid_t console);
/* Tell the console the session's first process group (the guest just
 * spawned): it becomes the foreground group. 0 or -NOS_E*. */
int host_tty_session(struct host_tty *t, uint32_t pgid);
/* Stop the input thread, restore the terminal's mode, free. */
void host_tty_stop(struct host_tty *t);

/* Whether to be a terminal for the guest: stdin and stdout both are
 * terminals. (With stdout redirected, `nanoos run prog > file` stays a
 * plain pipe: no CR NL in the file, and the host terminal edits lines and
 * turns ^C into our SIGINT, which we pass on.) */
int host_tty_interactive(void);
/* Put terminal fd in raw mode, its old mode into saved: 1 (changed), 0
 * (not a terminal). */
int host_tty_raw(int fd, struct termios *saved);
void host_tty_restore(int fd, const struct termios *saved);
/* The size of the terminal on fd 0 or 1: 0, or -1 (not a terminal). */
int host_tty_size(uint16_t *rows, uint16_t *cols);

#endif
