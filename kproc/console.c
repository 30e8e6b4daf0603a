/*
 * console.c: the console kernel process: one terminal (the invoking
 * terminal when an instance boots in a tool; the daemon's sessions later).
 * Portable: the terminal itself is a struct console_term of the port.
 *
 * Messages (kproc/proto.h):
 *   CONSOLE_MSG_READ   console_io    -> bytes, 0 at end of input; waits   from workers
 *   CONSOLE_MSG_WRITE  console_io    -> bytes                             from workers
 *   CONSOLE_MSG_IOCTL  console_ioctl -> 0, -ENOTTY, -EINVAL               from workers
 *   CONSOLE_MSG_INPUT  console_io    -> 0 (len 0: end of input); waits
 *                                       while the buffer is full         from the host side
 *   CONSOLE_MSG_HANGUP none          -> 0: end of input                  from the host side
 * The terminal's own line editing stays the host's: input is passed
 * through as it comes, and TCSETS changes the host terminal's mode.
 */
#include <string.h>

#include "kproc/console.h"
#include "kproc/kproc.h"
#include "kproc/sched.h"

#ifdef __AVR__
#define INPUT_SIZE 64
#define HELD_MAX 2
#else
#define INPUT_SIZE 4096
#define HELD_MAX 64
#endif

struct console_state {
	struct console_term *term;
	uint8_t in[INPUT_SIZE];
	uint32_t head, len;
	uint8_t eof;
	msg_t *held[HELD_MAX];             /* waiting reads and inputs */
	struct console_termios tio;
	int32_t fg_pgid;
};

static int from_host(const msg_t *m, const struct console_state *st)
{
	return m->from == kproc_parent() || kproc_sent_by(m, "conin", st->term->index);
}

static int from_worker(const msg_t *m)
{
	return kproc_sent_by_any(m, "sched", 1, SCHED_WORKERS_MAX);
}

static int32_t hold(struct console_state *st, msg_t *m)
{
	return kproc_hold(st->held, HELD_MAX, m);
}

static int32_t try_read(struct console_state *st, struct console_io *io)
{
	uint32_t n = 0;
	uint8_t *out = io->buf;

	while (n < io->len && st->len) {
		out[n++] = st->in[st->head];
		st->head = (st->head + 1) % INPUT_SIZE;
		st->len--;
	}
	if (n || st->eof || !io->len)
		return (int32_t)n;
	return io->nonblock ? -NOS_EAGAIN : KPROC_DEFERRED;
}

/* Take what fits of an input message; it finishes when all of it is in. */
static int32_t try_input(struct console_state *st, struct console_io *io)
{
	const uint8_t *p = io->buf;

	if (!io->len) {
		st->eof = 1;
		return 0;
	}
	while (io->len && st->len < INPUT_SIZE) {
		st->in[(st->head + st->len) % INPUT_SIZE] = *p++;
		st->len++;
		io->len--;
	}
	io->buf = (void *)p;
	return io->len ? KPROC_DEFERRED : 0;
}

static void retry_held(struct console_state *st)
{
	int progress = 1;

	while (progress) {
		unsigned i;

		progress = 0;
		for (i = 0; i < HELD_MAX; i++) {
			msg_t *m = st->held[i];
			int32_t r;

			if (!m)
				continue;
			r = m->type == CONSOLE_MSG_READ ? try_read(st, m->payload) :
			    try_input(st, m->payload);
			if (r != KPROC_DEFERRED) {
				st->held[i] = NULL;
				msg_reply(m, r);
				progress = 1;
			}
		}
	}
}

static int32_t on_read(msg_t *m, void *state)
{
	struct console_state *st = state;
	int32_t r;

	if (!from_worker(m))
		return -NOS_EPERM;
	r = try_read(st, m->payload);
	return r == KPROC_DEFERRED ? hold(st, m) : r;
}

static int32_t on_write(msg_t *m, void *state)
{
	struct console_state *st = state;
	struct console_io *io = m->payload;

	if (!from_worker(m) && !from_host(m, st))
		return -NOS_EPERM;
	return st->term->write(st->term->ctx, io->stream == 2 ? 2 : 1, io->buf, io->len);
}

static int32_t on_input(msg_t *m, void *state)
{
	struct console_state *st = state;
	int32_t r;

	if (!from_host(m, st))
		return -NOS_EPERM;
	r = try_input(st, m->payload);
	retry_held(st);
	return r == KPROC_DEFERRED ? hold(st, m) : r;
}

static int32_t on_hangup(msg_t *m, void *state)
{
	struct console_state *st = state;

	if (!from_host(m, st))
		return -NOS_EPERM;
	st->eof = 1;
	retry_held(st);
	return 0;
}

enum { L_TCGETS = 0x5401, L_TCSETS = 0x5402, L_TCSETSW = 0x5403, L_TCSETSF = 0x5404,
       L_TIOCGPGRP = 0x540f, L_TIOCSPGRP = 0x5410, L_TIOCGWINSZ = 0x5413 };

static int32_t on_ioctl(msg_t *m, void *state)
{
	struct console_state *st = state;
	struct console_ioctl *c = m->payload;

	if (!from_worker(m))
		return -NOS_EPERM;
	if (!st->term->is_tty)
		return -NOS_ENOTTY;
	switch (c->request) {
	case L_TCGETS:
		c->tio = st->tio;
		return 0;
	case L_TCSETS:
	case L_TCSETSW:
	case L_TCSETSF:
		st->tio = c->tio;
		if (c->request == L_TCSETSF)
			st->head = st->len = 0;
		if (st->term->set_mode)
			st->term->set_mode(st->term->ctx, &st->tio);
		return 0;
	case L_TIOCGWINSZ:
		c->rows = 24;
		c->cols = 80;
		if (st->term->winsize)
			st->term->winsize(st->term->ctx, &c->rows, &c->cols);
		return 0;
	case L_TIOCGPGRP:
		c->pgid = st->fg_pgid;
		return 0;
	case L_TIOCSPGRP:
		if (c->pgid <= 0)
			return -NOS_EINVAL;
		st->fg_pgid = c->pgid;
		return 0;
	default:
		return -NOS_ENOTTY;
	}
}

static void console_cancelled(msg_t *m, void *state)
{
	struct console_state *st = state;

	kproc_drop(st->held, HELD_MAX, m);
	msg_reply(m, -NOS_ECANCELED);
}

static const struct kproc_handler console_handlers[] = {
	{ CONSOLE_MSG_READ, sizeof(struct console_io), on_read },
	{ CONSOLE_MSG_WRITE, sizeof(struct console_io), on_write },
	{ CONSOLE_MSG_INPUT, sizeof(struct console_io), on_input },
	{ CONSOLE_MSG_IOCTL, sizeof(struct console_ioctl), on_ioctl },
	{ CONSOLE_MSG_HANGUP, 0, on_hangup },
};

/* Linux's defaults for a cooked terminal: ICRNL IXON, OPOST ONLCR, B38400
 * CS8 CREAD, ISIG ICANON ECHO ECHOE ECHOK IEXTEN ECHOCTL ECHOKE. */
static void default_termios(struct console_termios *t)
{
	static const uint8_t cc[CONSOLE_NCCS] = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0,
	                                          18, 15, 23, 22, 0, 0, 0 };

	t->iflag = 0x500;
	t->oflag = 0x5;
	t->cflag = 0xbf;
	t->lflag = 0x8a3b;
	t->line = 0;
	memcpy(t->cc, cc, sizeof(cc));
}

static void console_main(void *arg)
{
	struct console_state st;
	struct kproc_service svc;

	memset(&st, 0, sizeof(st));
	st.term = arg;
	default_termios(&st.tio);
	memset(&svc, 0, sizeof(svc));
	svc.name = "console";
	svc.handlers = console_handlers;
	svc.nhandlers = sizeof(console_handlers) / sizeof(console_handlers[0]);
	svc.state = &st;
	svc.cancelled = console_cancelled;
	kproc_serve(&svc);
	/* Whoever still waits hears the end of input. */
	st.eof = 1;
	retry_held(&st);
}

int console_start(struct console_term *term, msg_pid_t *pid)
{
	return kproc_start("console", term->index, console_main, term, 0, pid);
}
