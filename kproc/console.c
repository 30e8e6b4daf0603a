/*
 * console.c: the console kernel process ("console", index): one terminal
 * (the invoking terminal when a tool boots an instance, a client's terminal
 * in the daemon's sessions, a UART on AVR) and its line discipline, like
 * Linux's n_tty. The host terminal is raw and passes bytes through; the
 * console edits lines, echoes, maps CR and NL, turns ^C ^\ ^Z into signals
 * for the foreground process group and post-processes output, as the
 * guests' termios says (struct console_termios: Linux's flags and cc
 * indexes). When the input is no terminal (term->is_tty 0: a pipe) there is
 * no line discipline at all: bytes pass through exactly, both ways.
 * Portable: the terminal itself is a struct console_term of the port.
 *
 * Messages (kproc/proto.h):
 *   CONSOLE_MSG_READ    console_io      -> bytes (canonical: at most one
 *                                          line), 0 at end of input or after
 *                                          a hangup; waits (VMIN/VTIME when
 *                                          not canonical). A background
 *                                          group's read sends it SIGTTIN and
 *                                          waits to be cancelled by it: -EIO
 *                                          when it is ignored   from workers,
 *                                                     ("shell", 0)
 *   CONSOLE_MSG_WRITE   console_io      -> bytes; -EIO after a hangup; waits
 *                                          while ^S stopped the output (IXON)
 *                                                     from workers, host side
 *   CONSOLE_MSG_IOCTL   console_ioctl   -> 0, -ENOTTY, -EINVAL  from workers
 *   CONSOLE_MSG_INPUT   console_io      -> 0 (len 0: end of input); waits
 *                                          while the buffer is full  host side
 *   CONSOLE_MSG_CONTROL console_control -> 0, -EINVAL            host side
 *   CONSOLE_MSG_HANGUP  none            -> 0: end of input for readers,
 *                                          SIGHUP + SIGCONT to the session
 *                                                                host side
 * The host side is the console's parent or ("conin", index). Signals go to
 * ("sched", 0) as SCHED_MSG_KILL {sender 0, pid -group}: sched trusts the
 * consoles as the tool (kproc/sched.h).
 *
 * Not done: IXOFF, TOSTOP and SIGTTOU, VDISCARD, ECHOPRT, XCASE; the echo
 * still goes out while ^S holds the guests' output.
 */
#include <string.h>

#include "kproc/console.h"
#include "kproc/kproc.h"
#include "kproc/sched.h"

#ifdef __AVR__
#define INPUT_SIZE 128                 /* readable bytes + the line being edited */
#define RECORDS_MAX 4                  /* complete lines waiting for readers */
#define HELD_MAX 2
#define ECHO_SIZE 16
#define OUT_CHUNK 16                   /* output after ONLCR, on the stack */
#define STACK_SIZE 1024                /* the state (172 bytes) and its frames */
#else
#define INPUT_SIZE 4096
#define RECORDS_MAX 64
#define HELD_MAX 64
#define ECHO_SIZE 256
#define OUT_CHUNK 2048
#define STACK_SIZE 0                   /* the backend's default */
#endif
#define EDIT_MAX (INPUT_SIZE - 1)      /* a line keeps room for its end */

/* SIGTTIN for a background group's read: the workers fill
 * console_io.caller_pgid on READ (vm-rv32i/sys_fs.c); a port whose reads
 * do not carry it builds this with CONSOLE_READ_PGID 0. */
#ifndef CONSOLE_READ_PGID
#define CONSOLE_READ_PGID 1
#endif

/* Times are in ms (msg_now_ns() >> 20: 1.05 ms units) in 32 bits, cheap on
 * AVR; differences are taken modulo 2^32. */
#define MS_SHIFT 20
#define VTIME_MS 100u                  /* VTIME's unit, and the timer tick */
#define TTIN_GRACE_MS 500u             /* SIGTTIN unheeded this long: -EIO */
#define KILL_TIMEOUT_NS 1000000000ll

/* Linux termios bits (asm-generic/termbits.h, octal as there). */
#define T_INLCR   0000100u
#define T_IGNCR   0000200u
#define T_ICRNL   0000400u
#define T_IXON    0002000u
#define T_IXANY   0004000u
#define T_IUTF8   0040000u
#define T_OPOST   0000001u
#define T_ONLCR   0000004u
#define T_ISIG    0000001u
#define T_ICANON  0000002u
#define T_ECHO    0000010u
#define T_ECHOE   0000020u
#define T_ECHOK   0000040u
#define T_ECHONL  0000100u
#define T_NOFLSH  0000200u
#define T_ECHOCTL 0001000u
#define T_ECHOKE  0004000u
#define T_IEXTEN  0100000u

/* c_cc indexes (Linux). */
enum { V_INTR = 0, V_QUIT = 1, V_ERASE = 2, V_KILL = 3, V_EOF = 4, V_TIME = 5, V_MIN = 6,
       V_START = 8, V_STOP = 9, V_SUSP = 10, V_EOL = 11, V_REPRINT = 12, V_WERASE = 14,
       V_LNEXT = 15, V_EOL2 = 16 };

enum { SIG_HUP = 1, SIG_INT = 2, SIG_QUIT = 3, SIG_CONT = 18, SIG_TSTP = 20,
       SIG_TTIN = 21, SIG_WINCH = 28, SIG_MAX = 64 };

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

struct console_state {
	struct console_term *term;
	struct console_termios tio;
	/* Input: a ring of `ready` bytes readers may take, followed by the
	 * `edit` bytes of the line being edited (canonical mode only). */
	uint8_t in[INPUT_SIZE];
	uint16_t head, ready, edit;
	/* Canonical mode: the lengths of the complete lines in `ready`, oldest
	 * first (their sum is `ready`); 0 is a ^D at a line's start, an end of
	 * input for one read. Empty when not canonical. */
	uint16_t rec[RECORDS_MAX];
	uint8_t rec_head, nrec;
	uint8_t lnext;                  /* the next byte is taken literally */
	uint8_t eof;                    /* the host's input ended */
	uint8_t hung;                   /* hung up: reads 0, writes -EIO */
	uint8_t stopped;                /* ^S: writes wait for ^Q */
	uint32_t last_input;            /* when a byte last arrived (VTIME) */
	/* Echo not yet written, and the column the output is at (erasing a
	 * tab needs it); edit_column: where the edited line began. */
	uint8_t echo[ECHO_SIZE];
	uint16_t echo_len;
	uint16_t column, edit_column;
	msg_t *held[HELD_MAX];          /* waiting reads and inputs */
	uint32_t since[HELD_MAX];       /* when each began waiting */
	int32_t fg_pgid, sid;           /* 0: none */
	uint16_t rows, cols;            /* 0: ask the port */
};

static int from_host(const msg_t *m, const struct console_state *st)
{
	return m->from == kproc_parent() || kproc_sent_by(m, "conin", st->term->index);
}

static int from_worker(const msg_t *m)
{
	return kproc_sent_by_any(m, "sched", 1, SCHED_WORKERS_MAX);
}

static int lflag(const struct console_state *st, uint32_t bit)
{
	return (st->tio.lflag & bit) != 0;
}

/* Whether c is the (enabled: 0 disables) special character cc[index]. */
static int is_cc(const struct console_state *st, unsigned index, uint8_t c)
{
	return st->tio.cc[index] != 0 && st->tio.cc[index] == c;
}

static uint32_t now_ms(void)
{
	return (uint32_t)(msg_now_ns() >> MS_SHIFT);
}

static int is_ctrl(uint8_t c)
{
	return c < 32 || c == 127;
}

/* ---------------------------------------------------------------- output */

/* The column after writing c at col (tabs every 8). */
static uint16_t advance(const struct console_state *st, uint16_t col, uint8_t c)
{
	if (c == '\r')
		return 0;
	if (c == '\n')
		return (st->tio.oflag & (T_OPOST | T_ONLCR)) == (T_OPOST | T_ONLCR) ? 0 : col;
	if (c == '\b')
		return col ? col - 1 : 0;
	if (c == '\t')
		return (col | 7) + 1;
	if (is_ctrl(c) || ((st->tio.iflag & T_IUTF8) && (c & 0xc0) == 0x80))
		return col;
	return col + 1;
}

static int32_t term_write(struct console_state *st, unsigned stream, const void *buf,
                          uint32_t len)
{
	return st->term->write(st->term->ctx, stream == 2 ? 2 : 1, buf, len);
}

/* Write with OPOST ONLCR: NL -> CR NL. Bytes of buf written or -NOS_E*. */
static int32_t write_onlcr(struct console_state *st, unsigned stream, const uint8_t *buf,
                           uint32_t len)
{
	uint8_t out[OUT_CHUNK];
	uint32_t done = 0;

	while (done < len) {
		uint32_t n = 0, used = done, went;
		int32_t r;

		while (used < len && n < OUT_CHUNK - 1) {
			if (buf[used] == '\n')
				out[n++] = '\r';
			out[n++] = buf[used++];
		}
		r = term_write(st, stream, out, n);
		if (r < 0)
			return done ? (int32_t)done : r;
		if ((uint32_t)r == n) {
			done = used;
			continue;
		}
		/* A short write: the bytes of buf whose output all went. */
		for (went = 0; done < used; done++) {
			went += buf[done] == '\n' ? 2u : 1u;
			if (went > (uint32_t)r)
				break;
		}
		return (int32_t)done;
	}
	return (int32_t)done;
}

/* What the terminal shows: guests' writes and the echo. */
static int32_t output(struct console_state *st, unsigned stream, const uint8_t *buf,
                      uint32_t len)
{
	const uint32_t onlcr = T_OPOST | T_ONLCR;

	if (!st->term->is_tty || (st->tio.oflag & onlcr) != onlcr)
		return term_write(st, stream, buf, len);
	return write_onlcr(st, stream, buf, len);
}

static void echo_flush(struct console_state *st)
{
	if (st->echo_len)
		output(st, 1, st->echo, st->echo_len);
	st->echo_len = 0;
}

static void echo_raw(struct console_state *st, uint8_t c)
{
	if (st->echo_len == ECHO_SIZE)
		echo_flush(st);
	st->echo[st->echo_len++] = c;
	st->column = advance(st, st->column, c);
}

static void echo_str(struct console_state *st, const char *s)
{
	while (*s)
		echo_raw(st, (uint8_t)*s++);
}

/* A byte as the user sees it: control characters as ^X with ECHOCTL. */
static void echo_char(struct console_state *st, uint8_t c)
{
	if (lflag(st, T_ECHOCTL) && is_ctrl(c) && c != '\t') {
		echo_raw(st, '^');
		echo_raw(st, c ^ 0x40);
	} else {
		echo_raw(st, c);
	}
}

/* ---------------------------------------------------------------- signals */

/* Signal a process group through sched (pgid 0 or 1: nobody to tell). */
static void signal_group(struct console_state *st, int32_t pgid, uint32_t sig)
{
	struct sched_kill k;
	msg_pid_t sched;
	msg_t m;

	echo_flush(st);
	if (pgid <= 1 || kproc_find("sched", 0, &sched) < 0)
		return;
	k.sender = 0;
	k.pid = -pgid;
	k.sig = sig;
	k.sid = (uint32_t)st->sid;      /* never a group of another session */
	msg_init(&m, SCHED_MSG_KILL, &k, sizeof(k));
	msg_call(sched, &m, KILL_TIMEOUT_NS);
}

/* SIGHUP then SIGCONT to the foreground group and the session's group. */
static void hangup_session(struct console_state *st)
{
	signal_group(st, st->fg_pgid, SIG_HUP);
	signal_group(st, st->fg_pgid, SIG_CONT);
	if (st->sid != st->fg_pgid) {
		signal_group(st, st->sid, SIG_HUP);
		signal_group(st, st->sid, SIG_CONT);
	}
}

/* ---------------------------------------------------------------- the input ring */

static uint8_t *at(struct console_state *st, uint32_t i)
{
	return &st->in[(st->head + i) % INPUT_SIZE];
}

static uint32_t room(const struct console_state *st)
{
	return INPUT_SIZE - st->ready - st->edit;
}

static void flush_input(struct console_state *st)
{
	st->ready = st->edit = 0;
	st->nrec = 0;
	st->lnext = 0;
}

/* Move n readable bytes to out. */
static int32_t take(struct console_state *st, uint8_t *out, uint32_t n)
{
	uint32_t first = INPUT_SIZE - st->head;

	if (first > n)
		first = n;
	memcpy(out, st->in + st->head, first);
	memcpy(out + first, st->in, n - first);
	st->head = (uint16_t)((st->head + n) % INPUT_SIZE);
	st->ready -= (uint16_t)n;
	return (int32_t)n;
}

/* Append n bytes to the readable ones (no line discipline). */
static void give(struct console_state *st, const uint8_t *p, uint32_t n)
{
	uint32_t tail = (st->head + st->ready) % INPUT_SIZE;
	uint32_t first = INPUT_SIZE - tail;

	if (first > n)
		first = n;
	memcpy(st->in + tail, p, first);
	memcpy(st->in, p + first, n - first);
	st->ready += (uint16_t)n;
}

static uint16_t *rec_front(struct console_state *st)
{
	return &st->rec[st->rec_head];
}

static void rec_pop(struct console_state *st)
{
	st->rec_head = (uint8_t)((st->rec_head + 1) % RECORDS_MAX);
	st->nrec--;
}

static void rec_push(struct console_state *st, uint16_t len)
{
	st->rec[(st->rec_head + st->nrec) % RECORDS_MAX] = len;
	st->nrec++;
}

/* ---------------------------------------------------------------- line editing */

/* The column byte i of the edited line was echoed at. */
static uint16_t column_at(struct console_state *st, uint32_t i)
{
	uint16_t col = st->edit_column;
	uint32_t j;

	for (j = 0; j < i; j++) {
		uint8_t c = *at(st, st->ready + j);

		if (lflag(st, T_ECHOCTL) && is_ctrl(c) && c != '\t')
			col += 2;
		else
			col = advance(st, col, c);
	}
	return col;
}

/* Take back the echo of c, byte i of the line (as Linux's eraser does). */
static void unecho(struct console_state *st, uint8_t c, uint32_t i, enum erase_kind kind)
{
	if (kind == ERASE_CHAR && !lflag(st, T_ECHOE)) {
		echo_char(st, st->tio.cc[V_ERASE]);
	} else if (c == '\t') {
		uint16_t n = st->column - column_at(st, i);

		while (n--)
			echo_raw(st, '\b');
	} else {
		if (is_ctrl(c) && lflag(st, T_ECHOCTL))
			echo_str(st, "\b \b");
		if (!is_ctrl(c) || lflag(st, T_ECHOCTL))
			echo_str(st, "\b \b");
	}
}

static int is_word(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_' || c >= 0x80;
}

/* Erase the last character, word (Linux's ALTWERASE: letters, digits,
 * '_', and here any non-ASCII byte) or the whole line. */
static void erase(struct console_state *st, enum erase_kind kind)
{
	int seen_word = 0;

	if (kind == ERASE_LINE && lflag(st, T_ECHO) &&
	    !(lflag(st, T_ECHOK) && lflag(st, T_ECHOKE) && lflag(st, T_ECHOE))) {
		st->edit = 0;
		echo_char(st, st->tio.cc[V_KILL]);
		if (lflag(st, T_ECHOK))
			echo_raw(st, '\n');
		return;
	}
	while (st->edit) {
		uint32_t i = st->edit - 1u;
		uint8_t c = *at(st, st->ready + i);

		/* A UTF-8 character goes as a whole. */
		while ((st->tio.iflag & T_IUTF8) && (c & 0xc0) == 0x80 && i > 0)
			c = *at(st, st->ready + --i);
		if (kind == ERASE_WORD) {
			if (is_word(c))
				seen_word = 1;
			else if (seen_word)
				break;
		}
		if (lflag(st, T_ECHO))
			unecho(st, c, i, kind);
		st->edit = (uint16_t)i;
		if (kind == ERASE_CHAR)
			break;
	}
}

/* ^R: the line again, on a new one. */
static void reprint(struct console_state *st, uint8_t c)
{
	uint32_t i;

	if (!lflag(st, T_ECHO))
		return;
	echo_char(st, c);
	echo_raw(st, '\n');
	st->edit_column = st->column;
	for (i = 0; i < st->edit; i++)
		echo_char(st, *at(st, st->ready + i));
}

/* An ordinary byte into the line (dropped when the line is full). */
static int edit_byte(struct console_state *st, uint8_t c)
{
	if (st->edit >= EDIT_MAX)
		return 1;
	if (!room(st))
		return 0;
	if (!st->edit)
		st->edit_column = st->column;
	*at(st, st->ready + st->edit) = c;
	st->edit++;
	if (lflag(st, T_ECHO))
		echo_char(st, c);
	return 1;
}

/* The line is complete: with its end c (NL, EOL), or without (end < 0: ^D). */
static int end_line(struct console_state *st, int end)
{
	if (st->nrec == RECORDS_MAX || room(st) < (end >= 0 ? 1u : 0u))
		return 0;
	if (end >= 0) {
		*at(st, st->ready + st->edit) = (uint8_t)end;
		st->edit++;
		if (end == '\n' && (lflag(st, T_ECHO) || lflag(st, T_ECHONL)))
			echo_raw(st, '\n');
		else if (end != '\n' && lflag(st, T_ECHO))
			echo_char(st, (uint8_t)end);          /* VEOL, VEOL2 */
	}
	rec_push(st, st->edit);
	st->ready += st->edit;
	st->edit = 0;
	return 1;
}

/* Canonical mode: 1 when c was taken, 0 when it must wait for room. */
static int canon_byte(struct console_state *st, uint8_t c)
{
	int ext = lflag(st, T_IEXTEN);

	if (is_cc(st, V_ERASE, c) || c == '\b')
		erase(st, ERASE_CHAR);
	else if (is_cc(st, V_KILL, c))
		erase(st, ERASE_LINE);
	else if (ext && is_cc(st, V_WERASE, c))
		erase(st, ERASE_WORD);
	else if (ext && is_cc(st, V_REPRINT, c))
		reprint(st, c);
	else if (ext && is_cc(st, V_LNEXT, c)) {
		st->lnext = 1;
		if (lflag(st, T_ECHO) && lflag(st, T_ECHOCTL))
			echo_str(st, "^\b");
	} else if (is_cc(st, V_EOF, c))
		return end_line(st, -1);
	else if (c == '\n' || is_cc(st, V_EOL, c) || (ext && is_cc(st, V_EOL2, c)))
		return end_line(st, c);
	else
		return edit_byte(st, c);
	return 1;
}

/* Not canonical: straight to the readers. */
static int raw_byte(struct console_state *st, uint8_t c)
{
	if (!room(st))
		return 0;
	*at(st, st->ready) = c;
	st->ready++;
	if (lflag(st, T_ECHO))
		c == '\n' ? echo_raw(st, c) : echo_char(st, c);
	else if (c == '\n' && lflag(st, T_ECHONL))
		echo_raw(st, c);
	return 1;
}

static const struct { uint8_t cc, sig; } signal_chars[] = {
	{ V_INTR, SIG_INT }, { V_QUIT, SIG_QUIT }, { V_SUSP, SIG_TSTP },
};

/* ISIG: ^C ^\ ^Z signal the foreground group and flush the input. */
static int signal_char(struct console_state *st, uint8_t c)
{
	unsigned i;

	for (i = 0; i < sizeof(signal_chars) / sizeof(signal_chars[0]); i++) {
		if (!is_cc(st, signal_chars[i].cc, c))
			continue;
		if (!lflag(st, T_NOFLSH))
			flush_input(st);
		if (lflag(st, T_ECHO))
			echo_char(st, c);
		signal_group(st, st->fg_pgid, signal_chars[i].sig);
		return 1;
	}
	return 0;
}

/* IXON: ^S stops the output, ^Q (with IXANY any byte) starts it again.
 * 1: c was one of them. */
static int flow_char(struct console_state *st, uint8_t c)
{
	if (is_cc(st, V_STOP, c)) {
		st->stopped = 1;
		return 1;
	}
	if (is_cc(st, V_START, c) || (st->tio.iflag & T_IXANY))
		st->stopped = 0;
	return is_cc(st, V_START, c);
}

/* One byte of a terminal's input: 1 taken, 0 no room yet. */
static int input_byte(struct console_state *st, uint8_t c)
{
	int canon = lflag(st, T_ICANON);
	int r;

	if (st->lnext) {
		r = canon ? edit_byte(st, c) : raw_byte(st, c);
		st->lnext = !r;
		return r;
	}
	if ((st->tio.iflag & T_IXON) && flow_char(st, c))
		return 1;
	if (lflag(st, T_ISIG) && signal_char(st, c))
		return 1;
	if (c == '\r') {
		if (st->tio.iflag & T_IGNCR)
			return 1;
		if (st->tio.iflag & T_ICRNL)
			c = '\n';
	} else if (c == '\n' && (st->tio.iflag & T_INLCR)) {
		c = '\r';
	}
	return canon ? canon_byte(st, c) : raw_byte(st, c);
}

/* ---------------------------------------------------------------- reads and inputs */

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static int is_background(const struct console_state *st, const struct console_io *io)
{
	return CONSOLE_READ_PGID && st->term->is_tty && io->caller_pgid &&
	       st->fg_pgid > 0 && io->caller_pgid != (uint32_t)st->fg_pgid;
}

/* Canonical: the next line, or as much of it as fits (a ^D at a line's
 * start is a line of 0 bytes: that read gives 0). */
static int32_t read_line(struct console_state *st, struct console_io *io)
{
	uint16_t *len = rec_front(st);
	uint32_t n;

	if (!st->nrec)
		return st->eof ? 0 : KPROC_DEFERRED;
	n = min_u32(*len, io->len);
	*len -= (uint16_t)n;
	if (!*len)
		rec_pop(st);
	return take(st, io->buf, n);
}

/* Not canonical: VMIN bytes, or what came before VTIME tenths ran out
 * (from the read's start when VMIN is 0, else from the last byte). */
static int32_t read_raw(struct console_state *st, struct console_io *io, uint32_t since)
{
	uint32_t vmin = st->tio.cc[V_MIN], need = min_u32(vmin, io->len);
	uint32_t wait = st->tio.cc[V_TIME] * VTIME_MS, now = now_ms();

	if ((st->ready && st->ready >= need) || st->eof)
		return take(st, io->buf, min_u32(st->ready, io->len));
	if (!wait)
		return vmin ? KPROC_DEFERRED : 0;
	if (!vmin)
		return now - since >= wait ? 0 : KPROC_DEFERRED;
	if (st->ready && now - st->last_input >= wait)
		return take(st, io->buf, min_u32(st->ready, io->len));
	return KPROC_DEFERRED;
}

/* A read, first tried when it came (first) or again later. */
static int32_t try_read(struct console_state *st, struct console_io *io, uint32_t since,
                        int first)
{
	int32_t r;

	if (st->hung)
		return 0;
	if (is_background(st, io)) {
		if (first)
			signal_group(st, (int32_t)io->caller_pgid, SIG_TTIN);
		return now_ms() - since >= TTIN_GRACE_MS ? -NOS_EIO : KPROC_DEFERRED;
	}
	if (!io->len)
		return 0;
	if (!st->term->is_tty)
		r = st->ready ? take(st, io->buf, min_u32(st->ready, io->len)) :
		    st->eof ? 0 : KPROC_DEFERRED;
	else if (lflag(st, T_ICANON))
		r = read_line(st, io);
	else
		r = read_raw(st, io, since);
	return r == KPROC_DEFERRED && io->nonblock ? -NOS_EAGAIN : r;
}

/* Output from a guest (or the host side); it waits while ^S holds it. */
static int32_t try_write(struct console_state *st, struct console_io *io)
{
	const uint8_t *p = io->buf;
	uint32_t i;
	int32_t r;

	if (st->hung)
		return -NOS_EIO;
	if (!st->term->is_tty)
		return term_write(st, io->stream, p, io->len);
	if (st->stopped)
		return io->nonblock ? -NOS_EAGAIN : KPROC_DEFERRED;
	r = output(st, io->stream, p, io->len);
	for (i = 0; r > 0 && i < (uint32_t)r; i++)
		st->column = advance(st, st->column, p[i]);
	return r;
}

/* No room for p[*n]: a signal character further on must act all the same
 * (a user who typed ahead of a program that reads nothing can still ^C
 * it). It flushes the input, so the bytes before it go as they would have
 * once taken: move *n to it. 0 when there is none, or NOFLSH keeps them. */
static int skip_to_signal(struct console_state *st, const uint8_t *p, uint32_t len,
                          uint32_t *n)
{
	uint32_t k;
	unsigned i;

	if (!lflag(st, T_ISIG) || lflag(st, T_NOFLSH))
		return 0;
	for (k = *n + 1; k < len; k++)
		for (i = 0; i < sizeof(signal_chars) / sizeof(signal_chars[0]); i++)
			if (is_cc(st, signal_chars[i].cc, p[k])) {
				*n = k;
				return 1;
			}
	return 0;
}

/* Take what fits of an input message; it finishes when all of it is in. */
static int32_t try_input(struct console_state *st, struct console_io *io)
{
	const uint8_t *p = io->buf;
	uint32_t n = 0;

	if (!io->len) {
		st->eof = 1;
		return 0;
	}
	if (st->hung)
		return 0;                       /* nobody listens any more */
	if (!st->term->is_tty) {
		n = min_u32(io->len, room(st));
		give(st, p, n);
	} else {
		while (n < io->len) {
			if (input_byte(st, p[n]))
				n++;
			else if (!skip_to_signal(st, p, io->len, &n))
				break;
		}
		echo_flush(st);
	}
	if (n)
		st->last_input = now_ms();
	io->buf = (void *)(p + n);
	io->len -= n;
	return io->len ? KPROC_DEFERRED : 0;
}

static int32_t hold(struct console_state *st, msg_t *m, uint32_t since)
{
	int32_t r = kproc_hold(st->held, HELD_MAX, m);
	unsigned i;

	for (i = 0; i < HELD_MAX; i++)
		if (st->held[i] == m)
			st->since[i] = since;
	return r;
}

static int32_t retry_one(struct console_state *st, msg_t *m, uint32_t since)
{
	if (m->type == CONSOLE_MSG_READ)
		return try_read(st, m->payload, since, 0);
	if (m->type == CONSOLE_MSG_WRITE)
		return try_write(st, m->payload);
	return try_input(st, m->payload);
}

/* Answer whatever waits and can now finish (input made room, a line
 * came, ^Q, time passed, the foreground changed). */
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
			r = retry_one(st, m, st->since[i]);
			if (r != KPROC_DEFERRED) {
				st->held[i] = NULL;
				msg_reply(m, r);
				progress = 1;
			}
		}
	}
}

/* ---------------------------------------------------------------- terminal settings */

/* New termios: a line being edited becomes readable when ICANON goes off;
 * what is readable becomes one line when it comes on. */
static void set_termios(struct console_state *st, const struct console_termios *t,
                        int flush)
{
	int was_canon = lflag(st, T_ICANON);

	st->tio = *t;
	if (!(t->iflag & T_IXON))
		st->stopped = 0;
	if (flush) {
		flush_input(st);
	} else if (was_canon && !lflag(st, T_ICANON)) {
		st->ready += st->edit;
		st->edit = 0;
		st->nrec = 0;
		st->lnext = 0;
	} else if (!was_canon && lflag(st, T_ICANON)) {
		st->nrec = 0;
		if (st->ready)
			rec_push(st, st->ready);
	}
}

/* Linux sends SIGWINCH only when the size changes. */
static void set_winsize(struct console_state *st, uint16_t rows, uint16_t cols)
{
	if (rows == st->rows && cols == st->cols)
		return;
	st->rows = rows;
	st->cols = cols;
	signal_group(st, st->fg_pgid, SIG_WINCH);
}

static void get_winsize(struct console_state *st, uint16_t *rows, uint16_t *cols)
{
	*rows = 24;
	*cols = 80;
	if (st->rows && st->cols) {
		*rows = st->rows;
		*cols = st->cols;
	} else if (st->term->winsize) {
		st->term->winsize(st->term->ctx, rows, cols);
	}
}

/* ---------------------------------------------------------------- ioctls */

static int32_t ioc_tcgets(struct console_state *st, struct console_ioctl *c)
{
	c->tio = st->tio;
	return 0;
}

static int32_t ioc_tcsets(struct console_state *st, struct console_ioctl *c)
{
	set_termios(st, &c->tio, 0);
	return 0;
}

static int32_t ioc_tcsetsf(struct console_state *st, struct console_ioctl *c)
{
	set_termios(st, &c->tio, 1);
	return 0;
}

static int32_t ioc_tiocgwinsz(struct console_state *st, struct console_ioctl *c)
{
	get_winsize(st, &c->rows, &c->cols);
	return 0;
}

static int32_t ioc_tiocswinsz(struct console_state *st, struct console_ioctl *c)
{
	set_winsize(st, c->rows, c->cols);
	return 0;
}

static int32_t ioc_tiocgpgrp(struct console_state *st, struct console_ioctl *c)
{
	c->pgid = st->fg_pgid;
	return 0;
}

/* Only a process of the terminal's own session may choose its foreground
 * (as on Linux: ENOTTY for anyone else); signals to the foreground are
 * bound to the session anyway (signal_group). */
static int32_t ioc_tiocspgrp(struct console_state *st, struct console_ioctl *c)
{
	if (!st->sid || c->caller_sid != (uint32_t)st->sid)
		return -NOS_ENOTTY;
	if (c->pgid <= 0)
		return -NOS_EINVAL;
	st->fg_pgid = c->pgid;
	return 0;
}

/* The caller's session takes this terminal, if no other session has it. */
static int32_t ioc_tiocsctty(struct console_state *st, struct console_ioctl *c)
{
	if (c->caller_sid <= 1 || c->caller_pgid <= 1)
		return -NOS_EINVAL;
	if (st->sid && (uint32_t)st->sid != c->caller_sid)
		return -NOS_EPERM;
	st->sid = (int32_t)c->caller_sid;
	st->fg_pgid = (int32_t)c->caller_pgid;
	return 0;
}

/* The session leader gives the terminal up: its session hears a hangup. */
static int32_t ioc_tiocnotty(struct console_state *st, struct console_ioctl *c)
{
	if (st->sid && c->caller_pgid == (uint32_t)st->sid) {
		hangup_session(st);
		st->sid = st->fg_pgid = 0;
	}
	return 0;
}

static int32_t ioc_tiocgsid(struct console_state *st, struct console_ioctl *c)
{
	if (!st->sid)
		return -NOS_ENOTTY;
	c->pgid = st->sid;
	return 0;
}

static const struct {
	uint32_t request;               /* Linux's number */
	int32_t (*fn)(struct console_state *st, struct console_ioctl *c);
} ioctls[] = {
	{ 0x5401, ioc_tcgets },         /* TCGETS */
	{ 0x5402, ioc_tcsets },         /* TCSETS */
	{ 0x5403, ioc_tcsets },         /* TCSETSW: output is never queued */
	{ 0x5404, ioc_tcsetsf },        /* TCSETSF: and flush the input */
	{ 0x540e, ioc_tiocsctty },      /* TIOCSCTTY */
	{ 0x540f, ioc_tiocgpgrp },      /* TIOCGPGRP */
	{ 0x5410, ioc_tiocspgrp },      /* TIOCSPGRP */
	{ 0x5413, ioc_tiocgwinsz },     /* TIOCGWINSZ */
	{ 0x5414, ioc_tiocswinsz },     /* TIOCSWINSZ */
	{ 0x5422, ioc_tiocnotty },      /* TIOCNOTTY */
	{ 0x5429, ioc_tiocgsid },       /* TIOCGSID */
};

/* ---------------------------------------------------------------- handlers */

/* After a read, write or input was tried: keep it if it must wait, then
 * let everything that waits move on (a read made room for an input, an
 * input brought a line; a held input must go on filling as reads drain). */
static int32_t settle(struct console_state *st, msg_t *m, int32_t r, uint32_t since)
{
	if (r == KPROC_DEFERRED)
		r = hold(st, m, since);
	retry_held(st);
	return r;
}

static int32_t on_read(msg_t *m, void *state)
{
	struct console_state *st = state;
	uint32_t now = now_ms();

	/* ("shell", 0) reads too: the AVR firmware's shell is a kernel
	 * process (firmware/shell.c), not a guest. */
	if (!from_worker(m) && !kproc_sent_by(m, "shell", 0))
		return -NOS_EPERM;
	return settle(st, m, try_read(st, m->payload, now, 1), now);
}

static int32_t on_write(msg_t *m, void *state)
{
	struct console_state *st = state;

	if (!from_worker(m) && !from_host(m, st))
		return -NOS_EPERM;
	return settle(st, m, try_write(st, m->payload), now_ms());
}

static int32_t on_input(msg_t *m, void *state)
{
	struct console_state *st = state;

	if (!from_host(m, st))
		return -NOS_EPERM;
	return settle(st, m, try_input(st, m->payload), now_ms());
}

static int32_t on_ioctl(msg_t *m, void *state)
{
	struct console_state *st = state;
	struct console_ioctl *c = m->payload;
	unsigned i;

	if (!from_worker(m))
		return -NOS_EPERM;
	if (!st->term->is_tty)
		return -NOS_ENOTTY;
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		if (ioctls[i].request == c->request) {
			int32_t r = ioctls[i].fn(st, c);

			retry_held(st);
			return r;
		}
	}
	return -NOS_ENOTTY;
}

static int32_t on_control(msg_t *m, void *state)
{
	struct console_state *st = state;
	struct console_control *c = m->payload;

	if (!from_host(m, st))
		return -NOS_EPERM;
	switch (c->op) {
	case CONSOLE_CTL_WINSIZE:
		set_winsize(st, c->rows, c->cols);
		return 0;
	case CONSOLE_CTL_SIGNAL:
		if (c->sig == 0 || c->sig > SIG_MAX)
			return -NOS_EINVAL;
		signal_group(st, st->fg_pgid, c->sig);
		return 0;
	case CONSOLE_CTL_SESSION:
		if (c->pgid <= 1)
			return -NOS_EINVAL;
		st->sid = st->fg_pgid = (int32_t)c->pgid;
		retry_held(st);
		return 0;
	default:
		return -NOS_EINVAL;
	}
}

static int32_t on_hangup(msg_t *m, void *state)
{
	struct console_state *st = state;

	if (!from_host(m, st))
		return -NOS_EPERM;
	st->eof = st->hung = 1;
	flush_input(st);
	retry_held(st);
	hangup_session(st);
	return 0;
}

static void console_cancelled(msg_t *m, void *state)
{
	struct console_state *st = state;

	kproc_drop(st->held, HELD_MAX, m);
	msg_reply(m, -NOS_ECANCELED);
}

/* The timer: VTIME and SIGTTIN's grace run out even when nothing comes. */
static void console_tick(void *state)
{
	retry_held(state);
}

static const struct kproc_handler console_handlers[] = {
	{ CONSOLE_MSG_READ, sizeof(struct console_io), on_read },
	{ CONSOLE_MSG_WRITE, sizeof(struct console_io), on_write },
	{ CONSOLE_MSG_INPUT, sizeof(struct console_io), on_input },
	{ CONSOLE_MSG_IOCTL, sizeof(struct console_ioctl), on_ioctl },
	{ CONSOLE_MSG_HANGUP, 0, on_hangup },
	{ CONSOLE_MSG_CONTROL, sizeof(struct console_control), on_control },
};

/* Linux's defaults for a cooked terminal: ICRNL IXON IUTF8, OPOST ONLCR,
 * B38400 CS8 CREAD, ISIG ICANON ECHO ECHOE ECHOK IEXTEN ECHOCTL ECHOKE. */
static void default_termios(struct console_termios *t)
{
	static const uint8_t cc[CONSOLE_NCCS] = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0,
	                                          18, 15, 23, 22, 0, 0, 0 };

	t->iflag = T_ICRNL | T_IXON | T_IUTF8;
	t->oflag = T_OPOST | T_ONLCR;
	t->cflag = 0xbf;
	t->lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK | T_IEXTEN | T_ECHOCTL |
	           T_ECHOKE;
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
	svc.idle = console_tick;
	svc.idle_ns = (int64_t)VTIME_MS << MS_SHIFT;
	kproc_serve(&svc);
	/* Whoever still waits hears the end of input. */
	st.eof = st.hung = 1;
	retry_held(&st);
}

int console_start(struct console_term *term, msg_pid_t *pid)
{
	return kproc_start("console", term->index, console_main, term, STACK_SIZE, pid);
}
