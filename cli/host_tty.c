/*
 * host_tty.c: the invoking terminal for the console kernel process (see
 * host_tty.h). The input thread polls fd 0 so that it can notice the end
 * of the instance; it hands each chunk to the console by message and
 * waits while the console's buffer is full (that is the flow control).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cli/host_tty.h"
#include "kproc/nos_errno.h"

struct host_tty {
	pthread_t reader;
	int reader_started;
	int stop;                        /* set by host_tty_stop (atomic) */
	msg_pid_t console;
	struct termios saved;
	int saved_ok;
	int mode_changed;
};

static int32_t tty_write(void *ctx, unsigned stream, const void *buf, uint32_t len)
{
	const char *p = buf;
	uint32_t done = 0;

	(void)ctx;
	while (done < len) {
		ssize_t n = write(stream == 2 ? 2 : 1, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (int32_t)done : (errno == EPIPE ? -NOS_EPIPE : -NOS_EIO);
		done += (uint32_t)n;
	}
	return (int32_t)done;
}

/* The guest's ICANON, ECHO and ISIG bits (the same values on the host). */
static void tty_set_mode(void *ctx, const struct console_termios *tio)
{
	struct host_tty *t = ctx;
	struct termios now;

	if (!t->saved_ok || tcgetattr(0, &now) < 0)
		return;
	now.c_lflag = (now.c_lflag & ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN)) |
	              (tio->lflag & (ICANON | ECHO | ISIG | IEXTEN));
	now.c_iflag = (now.c_iflag & ~(tcflag_t)(ICRNL | IXON)) | (tio->iflag & (ICRNL | IXON));
	now.c_cc[VMIN] = 1;
	now.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSADRAIN, &now) == 0)
		t->mode_changed = 1;
}

static void tty_winsize(void *ctx, uint16_t *rows, uint16_t *cols)
{
	struct winsize ws;

	(void)ctx;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

struct host_tty *host_tty_new(struct console_term *term)
{
	struct host_tty *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->saved_ok = isatty(0) && tcgetattr(0, &t->saved) == 0;
	memset(term, 0, sizeof(*term));
	term->write = tty_write;
	term->is_tty = t->saved_ok;
	term->set_mode = tty_set_mode;
	term->winsize = tty_winsize;
	term->ctx = t;
	term->index = 0;
	return t;
}

static int stopping(struct host_tty *t)
{
	return __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);
}

static void send_input(struct host_tty *t, void *buf, uint32_t len)
{
	struct console_io io = { 0, buf, len, 0 };
	msg_t m;

	msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
	while (!stopping(t) && msg_call(t->console, &m, 100000000) == -NOS_ETIMEDOUT)
		msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
}

static void *reader_main(void *arg)
{
	struct host_tty *t = arg;
	char buf[4096];

	if (msg_attach("conin", 0) < 0)
		return NULL;
	while (!stopping(t)) {
		struct pollfd p = { 0, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(0, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		send_input(t, buf, n > 0 ? (uint32_t)n : 0);
		if (n <= 0)
			break;                    /* end of input, said once */
	}
	msg_detach();
	return NULL;
}

int host_tty_start(struct host_tty *t, msg_pid_t console)
{
	t->console = console;
	if (pthread_create(&t->reader, NULL, reader_main, t) != 0)
		return -NOS_EAGAIN;
	t->reader_started = 1;
	return 0;
}

void host_tty_stop(struct host_tty *t)
{
	if (!t)
		return;
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	if (t->reader_started)
		pthread_join(t->reader, NULL);
	if (t->mode_changed)
		tcsetattr(0, TCSADRAIN, &t->saved);
	free(t);
}
