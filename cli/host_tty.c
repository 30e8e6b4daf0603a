/*
 * host_tty.c: the invoking terminal (see host_tty.h). The input thread
 * polls fd 0 so that it notices the end of the instance and a window size
 * change; it hands each chunk to the console by message and waits while
 * the console's buffer is full (that is the flow control).
 *
 * Raw mode here is cfmakeraw's, like ssh's or tmux's client: no echo, no
 * line editing, no signal keys, no CR/NL mapping either way, no flow
 * control keys. Every byte goes to the NanoOs console, which does all
 * that (and NL -> CR NL on output while its guest has OPOST ONLCR on).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/host_tty.h"
#include "kproc/nos_errno.h"

struct host_tty {
	pthread_t reader;
	int reader_started;
	int stop;                        /* set by host_tty_stop (atomic) */
	msg_pid_t console;
	struct termios saved;
	int raw;                         /* fd 0 is a terminal we made raw */
};

/* Set by the handler (in whatever thread the signal lands), taken by the
 * reader thread: an atomic, not just a sig_atomic_t. */
static int winch_seen;

static void on_winch(int sig)
{
	int saved = errno;

	(void)sig;
	__atomic_store_n(&winch_seen, 1, __ATOMIC_RELEASE);
	errno = saved;
}

int host_tty_interactive(void)
{
	return isatty(0) && isatty(1);
}

int host_tty_raw(int fd, struct termios *saved)
{
	struct termios raw;

	if (!isatty(fd) || tcgetattr(fd, saved) < 0)
		return 0;
	raw = *saved;
	raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
	                           IXON | IXOFF);
	raw.c_oflag &= ~(tcflag_t)OPOST;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag = (raw.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSADRAIN, &raw) == 0;
}

void host_tty_restore(int fd, const struct termios *saved)
{
	tcsetattr(fd, TCSADRAIN, saved);
}

int host_tty_size(uint16_t *rows, uint16_t *cols)
{
	struct winsize ws;

	if ((ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0) &&
	    ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
		return 0;
	}
	return -1;
}

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

static void tty_winsize(void *ctx, uint16_t *rows, uint16_t *cols)
{
	(void)ctx;
	host_tty_size(rows, cols);
}

struct host_tty *host_tty_new(struct console_term *term)
{
	struct host_tty *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->raw = host_tty_interactive() && host_tty_raw(0, &t->saved);
	memset(term, 0, sizeof(*term));
	term->write = tty_write;
	term->is_tty = t->raw;
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
	struct console_io io;
	msg_t m;

	memset(&io, 0, sizeof(io));
	io.buf = buf;
	io.len = len;
	msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
	while (!stopping(t) && msg_call(t->console, &m, 100000000) == -NOS_ETIMEDOUT)
		msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
}

/* End of input, and SIGHUP (then SIGCONT) to the session, like a modem
 * hanging up: the guest hears it even when it does not read. */
static void hang_up(struct host_tty *t)
{
	msg_t m;

	msg_init(&m, CONSOLE_MSG_HANGUP, NULL, 0);
	msg_call(t->console, &m, 1000000000);
}

static int send_control(struct host_tty *t, struct console_control *c)
{
	msg_t m;

	msg_init(&m, CONSOLE_MSG_CONTROL, c, sizeof(*c));
	return msg_call(t->console, &m, 1000000000);
}

static void send_winsize(struct host_tty *t)
{
	struct console_control c;

	memset(&c, 0, sizeof(c));
	c.op = CONSOLE_CTL_WINSIZE;
	if (host_tty_size(&c.rows, &c.cols) == 0)
		send_control(t, &c);
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

		if (__atomic_exchange_n(&winch_seen, 0, __ATOMIC_ACQ_REL))
			send_winsize(t);
		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(0, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && t->raw) {
			hang_up(t);               /* the terminal went away (EIO) */
			break;
		}
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
	if (t->raw) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_winch;
		sigaction(SIGWINCH, &sa, NULL);
	}
	if (pthread_create(&t->reader, NULL, reader_main, t) != 0)
		return -NOS_EAGAIN;
	t->reader_started = 1;
	return 0;
}

int host_tty_session(struct host_tty *t, uint32_t pgid)
{
	struct console_control c;

	if (!t)
		return -NOS_EINVAL;
	memset(&c, 0, sizeof(c));
	c.op = CONSOLE_CTL_SESSION;
	c.pgid = pgid;
	return send_control(t, &c);
}

void host_tty_stop(struct host_tty *t)
{
	if (!t)
		return;
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	if (t->reader_started)
		pthread_join(t->reader, NULL);
	if (t->raw) {
		signal(SIGWINCH, SIG_DFL);
		host_tty_restore(0, &t->saved);
	}
	free(t);
}
