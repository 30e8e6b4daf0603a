/*
 * test_console.c: the console's line discipline at the message level:
 * echo and erase (^? ^H ^U ^W ^R, tabs, control characters, UTF-8, without
 * ECHOE/ECHOKE), VEOL, ^D at a line's start and in the middle, one line
 * per read, the line limit, ICRNL IGNCR INLCR, OPOST ONLCR (and a short
 * write), ^S ^Q (IXON), ^C ^\ ^Z -> the right signal to the foreground
 * group with the line flushed (and NOFLSH, ISIG off, ^V), raw mode byte by
 * byte with VMIN/VTIME, no echo with ECHO off (ECHONL), a held input
 * flowing on as reads drain it, a pipe (is_tty 0) passing 1 MiB (soak: 10)
 * of random bytes exactly both ways, window size and SIGWINCH, hangup,
 * SIGTTIN for a background group's read, the job-control ioctls, TCSETSF,
 * and who may send what.
 *
 * The test thread is the tool (the console's parent: its host side).
 * Threads attached as ("sched", 1..) play the CPU workers that reads,
 * writes and ioctls must come from; a process registered as ("sched", 0)
 * plays sched and logs the kills the console sends.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The console itself, with SIGTTIN for background reads on (see
 * CONSOLE_READ_PGID in kproc/console.c): this copy replaces the library's. */
#define CONSOLE_READ_PGID 1
#include "kproc/console.c"

#include "kproc/console.h"
#include "kproc/kproc.h"
#include "testutil.h"

#define SEC 1000000000ll

/* Linux values (asm-generic/termbits.h, ioctls.h, signal.h). */
#define TCGETS 0x5401u
#define TCSETS 0x5402u
#define TCSETSF 0x5404u
#define TIOCGPGRP 0x540fu
#define TIOCSPGRP 0x5410u
#define TIOCGWINSZ 0x5413u
#define TIOCSWINSZ 0x5414u
#define TIOCSCTTY 0x540eu
#define TIOCNOTTY 0x5422u
#define TIOCGSID 0x5429u
#define IGNCR 0000200u
#define ICRNL 0000400u
#define INLCR 0000100u
#define IXON 0002000u
#define OPOST 0000001u
#define ISIG 0000001u
#define ICANON 0000002u
#define ECHO 0000010u
#define ECHONL 0000100u
#define ECHOE 0000020u
#define ECHOKE 0004000u
#define NOFLSH 0000200u
#define VTIME 5
#define VMIN 6
enum { SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGCONT = 18, SIGTSTP = 20, SIGTTIN = 21,
       SIGWINCH = 28 };

static msg_pid_t con_pid, sched_pid;
static struct console_term term;

/* ---------------------------------------------------------------- the terminal */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static char *out_buf;
static size_t out_len, out_cap;

static uint32_t screen_max = UINT32_MAX;       /* bytes a write takes at most */

static int32_t screen_write(void *ctx, unsigned stream, const void *buf, uint32_t len)
{
	(void)ctx;
	(void)stream;
	if (len > screen_max)
		len = screen_max;
	pthread_mutex_lock(&out_lock);
	if (out_len + len > out_cap) {
		out_cap = (out_len + len) * 2;
		out_buf = realloc(out_buf, out_cap);
	}
	memcpy(out_buf + out_len, buf, len);
	out_len += len;
	pthread_mutex_unlock(&out_lock);
	return (int32_t)len;
}

/* What the terminal showed since the last call must be exactly want. */
static void expect_out_n(const char *want, size_t n)
{
	pthread_mutex_lock(&out_lock);
	ck_assert_msg(out_len == n && (!n || memcmp(out_buf, want, n) == 0),
	              "terminal showed %zu bytes \"%.*s\", wanted \"%s\"", out_len,
	              (int)out_len, out_buf ? out_buf : "", want);
	out_len = 0;
	pthread_mutex_unlock(&out_lock);
}

static void expect_out(const char *want)
{
	expect_out_n(want, strlen(want));
}

/* ---------------------------------------------------------------- the fake sched */

struct kill_rec {
	int32_t pid;
	uint32_t sig;
	uint32_t sid;                   /* the session the kill is bound to */
};

static pthread_mutex_t kill_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t kill_cond = PTHREAD_COND_INITIALIZER;
static struct kill_rec kills[64];
static unsigned nkills;

static int32_t fake_kill(msg_t *m, void *state)
{
	struct sched_kill *k = m->payload;

	(void)state;
	if (k->sender != 0 || !kproc_sent_by(m, "console", 0))
		return -NOS_EPERM;
	pthread_mutex_lock(&kill_lock);
	if (nkills < 64)
		kills[nkills++] = (struct kill_rec){ k->pid, k->sig, k->sid };
	pthread_cond_broadcast(&kill_cond);
	pthread_mutex_unlock(&kill_lock);
	return 0;
}

static const struct kproc_handler fake_handlers[] = {
	{ SCHED_MSG_KILL, sizeof(struct sched_kill), fake_kill },
};

static void fake_sched_main(void *arg)
{
	struct kproc_service svc;

	(void)arg;
	memset(&svc, 0, sizeof(svc));
	svc.name = "fake sched";
	svc.handlers = fake_handlers;
	svc.nhandlers = 1;
	kproc_serve(&svc);
}

/* Wait for the n-th kill (0-based) and check it. */
static void expect_kill(unsigned n, int32_t pid, uint32_t sig)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 2;
	pthread_mutex_lock(&kill_lock);
	while (nkills <= n && pthread_cond_timedwait(&kill_cond, &kill_lock, &t) == 0)
		;
	ck_assert_msg(nkills > n, "kill %u never came (%u so far)", n, nkills);
	ck_assert_int_eq(kills[n].pid, pid);
	ck_assert_uint_eq(kills[n].sig, sig);
	ck_assert_uint_ne(kills[n].sid, 0);          /* never beyond the session */
	pthread_mutex_unlock(&kill_lock);
}

static unsigned kill_count(void)
{
	unsigned n;

	pthread_mutex_lock(&kill_lock);
	n = nkills;
	pthread_mutex_unlock(&kill_lock);
	return n;
}

/* ---------------------------------------------------------------- boot */

static void boot_with(int is_tty)
{
	memset(&term, 0, sizeof(term));
	term.write = screen_write;
	term.is_tty = is_tty;
	ck_assert_int_eq(msg_init_runtime("tool"), 0);
	ck_assert_int_eq(kproc_start("sched", 0, fake_sched_main, NULL, 0, &sched_pid), 0);
	ck_assert_int_eq(console_start(&term, &con_pid), 0);
}

static void boot(void)
{
	boot_with(1);
}

static void halt(void)
{
	ck_assert_int_eq(kproc_stop(con_pid, MSG_FOREVER), 0);
	ck_assert_int_eq(kproc_stop(sched_pid, MSG_FOREVER), 0);
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

/* ---------------------------------------------------------------- host side */

static int32_t host_call(uint16_t type, void *payload, uint32_t size)
{
	msg_t m;

	msg_init(&m, type, payload, size);
	return msg_call(con_pid, &m, 5 * SEC);
}

static void type_n(const void *s, uint32_t n)
{
	struct console_io io = { 0, (void *)s, n, 0, 0 };

	ck_assert_int_eq(host_call(CONSOLE_MSG_INPUT, &io, sizeof(io)), 0);
}

static void type(const char *s)
{
	type_n(s, (uint32_t)strlen(s));
}

static int32_t control(uint32_t op, uint16_t rows, uint16_t cols, uint32_t sig,
                       uint32_t pgid)
{
	struct console_control c = { op, rows, cols, sig, pgid };

	return host_call(CONSOLE_MSG_CONTROL, &c, sizeof(c));
}

/* ---------------------------------------------------------------- worker side */

struct wcall {
	pthread_t thread;
	unsigned index;                 /* ("sched", index) */
	uint16_t type;
	void *payload;
	uint32_t size;
	int64_t timeout;
	int32_t result;
	int done;                       /* atomic */
};

static void *wcall_main(void *arg)
{
	struct wcall *w = arg;
	msg_t m;

	if (msg_attach("sched", w->index) < 0) {
		w->result = -9999;
	} else {
		msg_init(&m, w->type, w->payload, w->size);
		w->result = msg_call(con_pid, &m, w->timeout);
		msg_detach();
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void wcall_start(struct wcall *w, unsigned index, uint16_t type, void *payload,
                        uint32_t size)
{
	w->index = index;
	w->type = type;
	w->payload = payload;
	w->size = size;
	if (!w->timeout)
		w->timeout = 5 * SEC;
	w->done = 0;
	ck_assert_int_eq(pthread_create(&w->thread, NULL, wcall_main, w), 0);
}

static int32_t wcall_finish(struct wcall *w)
{
	pthread_join(w->thread, NULL);
	return w->result;
}

static int wcall_done(struct wcall *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
}

static int32_t worker_call(uint16_t type, void *payload, uint32_t size)
{
	struct wcall w;

	memset(&w, 0, sizeof(w));
	wcall_start(&w, 1, type, payload, size);
	return wcall_finish(&w);
}

/* A read waiting in its own thread. */
struct reader {
	struct wcall w;
	struct console_io io;
	char buf[8192];
};

static void read_start(struct reader *r, unsigned index, uint32_t len, uint32_t pgid)
{
	memset(r, 0, sizeof(*r));
	r->io = (struct console_io){ 0, r->buf, len, 0, pgid };
	wcall_start(&r->w, index, CONSOLE_MSG_READ, &r->io, sizeof(r->io));
}

/* Read up to len (it must not have to wait long); the bytes in buf. */
static int32_t read_into(char *buf, uint32_t len, uint32_t nonblock)
{
	struct console_io io = { 0, buf, len, nonblock, 0 };

	return worker_call(CONSOLE_MSG_READ, &io, sizeof(io));
}

/* The next read must give exactly want (a line, or raw bytes). */
static void expect_read(uint32_t len, const char *want)
{
	char buf[8192];
	int32_t n = read_into(buf, len, 1);

	ck_assert_msg(n == (int32_t)strlen(want) && memcmp(buf, want, strlen(want)) == 0,
	              "read %d \"%.*s\", wanted \"%s\"", n, n > 0 ? n : 0, buf, want);
}

static void expect_nothing_to_read(void)
{
	char buf[16];

	ck_assert_int_eq(read_into(buf, sizeof(buf), 1), -NOS_EAGAIN);
}

static void worker_write(const char *s)
{
	struct console_io io = { 1, (void *)s, (uint32_t)strlen(s), 0, 0 };

	ck_assert_int_eq(worker_call(CONSOLE_MSG_WRITE, &io, sizeof(io)), (int32_t)strlen(s));
}

static struct console_termios tcgets(void)
{
	struct console_ioctl c;

	memset(&c, 0, sizeof(c));
	c.request = TCGETS;
	ck_assert_int_eq(worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c)), 0);
	return c.tio;
}

static void tcsets(const struct console_termios *t)
{
	struct console_ioctl c;

	memset(&c, 0, sizeof(c));
	c.request = TCSETS;
	c.tio = *t;
	ck_assert_int_eq(worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c)), 0);
}

/* Clear (and set) termios flags: lflag, iflag and oflag bits. */
static void set_flags(uint32_t lclear, uint32_t lset, uint32_t iclear, uint32_t iset,
                      uint32_t oclear)
{
	struct console_termios t = tcgets();

	t.lflag = (t.lflag & ~lclear) | lset;
	t.iflag = (t.iflag & ~iclear) | iset;
	t.oflag &= ~oclear;
	tcsets(&t);
}

static int32_t set_pgrp(int32_t pgid)
{
	struct console_ioctl c;

	memset(&c, 0, sizeof(c));
	c.request = TIOCSPGRP;
	c.caller_sid = 5;               /* a process of the tests' session */
	c.pgid = pgid;
	return worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c));
}

static int64_t now_ns(void)
{
	return (int64_t)msg_now_ns();
}

/* ---------------------------------------------------------------- editing */

START_TEST(test_echo_and_erase)
{
	boot();
	type("helo\x7flo\r");                       /* DEL, then CR as Enter */
	expect_out("helo\b \blo\r\n");
	expect_read(100, "hello\n");
	type("ab\bc\n");                              /* ^H erases too */
	expect_out("ab\b \bc\r\n");
	expect_read(100, "ac\n");
	type("\x7fx\n");                              /* nothing to erase */
	expect_out("x\r\n");
	expect_read(100, "x\n");
	halt();
}
END_TEST

START_TEST(test_kill_line)
{
	boot();
	type("abc\x15xy\n");
	expect_out("abc\b \b\b \b\b \bxy\r\n");
	expect_read(100, "xy\n");
	halt();
}
END_TEST

START_TEST(test_word_erase)
{
	boot();
	type("echo hello world\x17there\n");
	expect_out("echo hello world\b \b\b \b\b \b\b \b\b \bthere\r\n");
	expect_read(100, "echo hello there\n");
	type("ls a/b  \x17\x17\n");                  /* spaces, then up to the '/' */
	expect_read(100, "ls \n");
	halt();
}
END_TEST

START_TEST(test_erase_tab_control_utf8)
{
	boot();
	type("a\tb\x7f\x7f\n");                      /* the tab took 7 columns */
	expect_out("a\tb\b \b\b\b\b\b\b\b\b\r\n");
	expect_read(100, "a\n");
	type("\x01\x7f\n");                           /* ^A shows as two columns */
	expect_out("^A\b \b\b \b\r\n");
	expect_read(100, "\n");
	type("\xc3\xa9\x7f\n");                       /* é goes as one */
	expect_out("\xc3\xa9\b \b\r\n");
	expect_read(100, "\n");
	worker_write("$ ");                           /* after a prompt: 6 columns */
	type("\t\x7f\n");
	expect_out("$ \t\b\b\b\b\b\b\r\n");
	expect_read(100, "\n");
	halt();
}
END_TEST

START_TEST(test_echo_variants)
{
	struct console_termios t;

	boot();
	type("abc\x12\n");                           /* ^R: the line again */
	expect_out("abc^R\r\nabc\r\n");
	expect_read(100, "abc\n");
	t = tcgets();
	t.cc[11] = '#';                               /* VEOL ends a line too */
	t.lflag &= ~(ECHOE | ECHOKE);                 /* erase and kill shown as typed */
	tcsets(&t);
	type("ab#");
	expect_out("ab#");
	expect_read(100, "ab#");
	type("xy\x7f\x15z\n");
	expect_out("xy^?^U\r\nz\r\n");
	expect_read(100, "z\n");
	halt();
}
END_TEST

START_TEST(test_eof)
{
	char buf[16];

	boot();
	type("\x04");                                 /* ^D at a line's start */
	ck_assert_int_eq(read_into(buf, sizeof(buf), 0), 0);
	expect_nothing_to_read();                     /* the EOF was for one read */
	type("abc\x04");                              /* mid-line: pushes the line */
	expect_out("abc");
	expect_read(100, "abc");
	type("x\n");
	expect_read(100, "x\n");
	halt();
}
END_TEST

START_TEST(test_one_line_per_read)
{
	char big[6000];
	char want[4097];
	int32_t n;

	boot();
	type("one\ntwo\npartial");
	expect_read(100, "one\n");
	expect_read(2, "tw");
	expect_read(100, "o\n");
	expect_nothing_to_read();                     /* "partial" is no line yet */
	type("\x15");
	/* A line holds 4095 bytes and its end; the rest is dropped. */
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	type_n(big, sizeof(big));
	memset(want, 'a', 4095);
	want[4095] = '\n';
	want[4096] = 0;
	n = read_into(big, sizeof(big), 1);
	ck_assert_int_eq(n, 4096);
	ck_assert(memcmp(big, want, 4096) == 0);
	halt();
}
END_TEST

START_TEST(test_input_waits_for_room)
{
	static char line[2001];
	struct console_io io;
	char buf[4096];
	msg_t m;
	int i;

	boot();
	memset(line, 'q', 2000);
	line[2000] = '\n';
	/* Three lines do not fit in 4096 bytes: the third waits for a read. */
	type_n(line, sizeof(line));
	type_n(line, sizeof(line));
	io = (struct console_io){ 0, line, sizeof(line), 0, 0 };
	msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
	ck_assert_int_eq(msg_send(con_pid, &m), 0);
	ck_assert_int_eq(msg_wait(&m, 100000000), -NOS_ETIMEDOUT);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(read_into(buf, sizeof(buf), 1), 2001);
	ck_assert_int_eq(msg_wait(&m, 5 * SEC), 0);
	expect_nothing_to_read();
	halt();
}
END_TEST

/* A ^C typed after more lines than the console keeps (a program that reads
 * nothing) still signals: it flushes the input, so it needs no room. */
START_TEST(test_sig_behind_full_records)
{
	struct console_io io;
	msg_t m;
	int i;

	boot();
	ck_assert_int_eq(control(CONSOLE_CTL_SESSION, 0, 0, 0, 5), 0);
	for (i = 0; i < 64; i++)
		type("\n");                     /* RECORDS_MAX lines nobody reads */
	io = (struct console_io){ 0, "\n\x03", 2, 0, 0 };
	msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
	ck_assert_int_eq(msg_send(con_pid, &m), 0);
	msg_wait(&m, 1000000000);
	ck_assert_msg(kill_count() == 1, "a ^C behind a full input buffer signals once (kills %u)", kill_count());
	halt();
}
END_TEST

/* ---------------------------------------------------------------- CR, NL, output */

START_TEST(test_cr_nl_mapping)
{
	boot();
	set_flags(0, 0, ICRNL, IGNCR, 0);
	type("a\rb\n");
	expect_read(100, "ab\n");
	set_flags(0, 0, IGNCR, 0, 0);                 /* CR is an ordinary byte */
	type("a\r\n");
	expect_out("ab\r\na^M\r\n");
	expect_read(100, "a\r\n");
	set_flags(0, 0, 0, INLCR, 0);                 /* NL becomes CR: no line end */
	type("z\n");
	expect_nothing_to_read();
	halt();
}
END_TEST

START_TEST(test_onlcr)
{
	boot();
	worker_write("a\nb\n");
	expect_out("a\r\nb\r\n");
	set_flags(0, 0, 0, 0, OPOST);
	worker_write("a\nb\n");
	expect_out("a\nb\n");
	{                                              /* OPOST again, 3 bytes a time */
		struct console_io io = { 1, "ab\ncd", 5, 0, 0 };
		struct console_termios t = tcgets();

		t.oflag |= OPOST;
		tcsets(&t);
		screen_max = 3;
		ck_assert_int_eq(worker_call(CONSOLE_MSG_WRITE, &io, sizeof(io)), 2);
		expect_out("ab\r");                   /* NL's CR went, the NL did not */
	}
	halt();
}
END_TEST

START_TEST(test_flow_control)
{
	struct console_io io = { 1, "late\n", 5, 0, 0 };
	struct wcall w;

	boot();
	type("\x13");                                 /* ^S: output waits */
	memset(&w, 0, sizeof(w));
	wcall_start(&w, 2, CONSOLE_MSG_WRITE, &io, sizeof(io));
	msg_sleep_ns(50000000);
	ck_assert(!wcall_done(&w));
	expect_out("");
	type("\x11");                                 /* ^Q: it goes */
	ck_assert_int_eq(wcall_finish(&w), 5);
	expect_out("late\r\n");
	type("a\n");                                  /* neither is input */
	expect_read(100, "a\n");
	type("\x13");                                 /* a hangup ends the wait */
	memset(&w, 0, sizeof(w));
	wcall_start(&w, 2, CONSOLE_MSG_WRITE, &io, sizeof(io));
	msg_sleep_ns(20000000);
	ck_assert(!wcall_done(&w));
	ck_assert_int_eq(host_call(CONSOLE_MSG_HANGUP, NULL, 0), 0);
	ck_assert_int_eq(wcall_finish(&w), -NOS_EIO);
	halt();
}
END_TEST

START_TEST(test_flow_control_off)
{
	boot();
	set_flags(0, 0, IXON, 0, 0);
	type("\x13\x11\n");
	expect_out("^S^Q\r\n");
	expect_read(100, "\x13\x11\n");
	halt();
}
END_TEST

/* ---------------------------------------------------------------- signals */

START_TEST(test_signal_chars)
{
	boot();
	ck_assert_int_eq(control(CONSOLE_CTL_SESSION, 0, 0, 0, 5), 0);
	type("partial\x03");
	expect_kill(0, -5, SIGINT);
	expect_out("partial^C");
	type("x\n");
	expect_out("x\r\n");
	expect_read(100, "x\n");                      /* the line was flushed */
	type("a\n" "b\x1a");                          /* a ready line goes too */
	expect_kill(1, -5, SIGTSTP);
	expect_nothing_to_read();
	ck_assert_int_eq(set_pgrp(9), 0);             /* the foreground changes */
	type("\x1c");
	expect_kill(2, -9, SIGQUIT);
	expect_out("a\r\nb^Z^\\");
	ck_assert_int_eq(control(CONSOLE_CTL_SIGNAL, 0, 0, SIGINT, 0), 0);
	expect_kill(3, -9, SIGINT);
	ck_assert_int_eq(control(CONSOLE_CTL_SIGNAL, 0, 0, 99, 0), -NOS_EINVAL);
	halt();
}
END_TEST

START_TEST(test_noflsh_isig_off_lnext)
{
	boot();
	ck_assert_int_eq(control(CONSOLE_CTL_SESSION, 0, 0, 0, 5), 0);
	set_flags(0, NOFLSH, 0, 0, 0);
	type("keep\x03\n");
	expect_kill(0, -5, SIGINT);
	expect_read(100, "keep\n");
	type("\x16\x03\n");                           /* ^V: ^C taken literally */
	expect_read(100, "\x03\n");
	set_flags(ISIG, 0, 0, 0, 0);
	type("\x03\x1a\n");
	expect_read(100, "\x03\x1a\n");
	ck_assert_uint_eq(kill_count(), 1);
	halt();
}
END_TEST

/* ---------------------------------------------------------------- modes */

START_TEST(test_raw_mode)
{
	struct console_termios t;
	struct reader r;
	char buf[16];
	int64_t t0;

	boot();
	type("half");                                 /* a line being edited ... */
	t = tcgets();
	t.lflag &= ~(ICANON | ECHO);
	t.cc[VMIN] = 1;
	t.cc[VTIME] = 0;
	tcsets(&t);
	expect_read(100, "half");                     /* ... is readable raw */
	expect_out("half");
	type("a\x7f\x04\x15x");                       /* no editing, no echo */
	expect_out("");
	expect_read(1, "a");
	expect_read(1, "\x7f");
	expect_read(1, "\x04");
	expect_read(100, "\x15x");
	/* VMIN 1: a read waits for one byte and takes what came. */
	read_start(&r, 2, 100, 0);
	msg_sleep_ns(50000000);
	ck_assert(!wcall_done(&r.w));
	type("q");
	ck_assert_int_eq(wcall_finish(&r.w), 1);
	ck_assert_int_eq(r.buf[0], 'q');
	/* VMIN 0, VTIME 0: a poll. VMIN 0, VTIME 2: 0 after 0.2 s. */
	t.cc[VMIN] = 0;
	tcsets(&t);
	ck_assert_int_eq(read_into(buf, sizeof(buf), 0), 0);
	t.cc[VTIME] = 2;
	tcsets(&t);
	t0 = now_ns();
	ck_assert_int_eq(read_into(buf, sizeof(buf), 0), 0);
	ck_assert_int_ge(now_ns() - t0, 190000000);
	ck_assert_int_lt(now_ns() - t0, 2 * SEC);
	/* VMIN 3: waits for three. */
	t.cc[VMIN] = 3;
	t.cc[VTIME] = 0;
	tcsets(&t);
	read_start(&r, 2, 100, 0);
	type("12");
	msg_sleep_ns(50000000);
	ck_assert(!wcall_done(&r.w));
	type("3");
	ck_assert_int_eq(wcall_finish(&r.w), 3);
	ck_assert(memcmp(r.buf, "123", 3) == 0);
	/* Back to canonical: what was there is one line. */
	type("zz");
	t.lflag |= ICANON | ECHO;
	tcsets(&t);
	expect_read(100, "zz");
	halt();
}
END_TEST

START_TEST(test_no_echo)
{
	boot();
	set_flags(ECHO, 0, 0, 0, 0);
	type("secret\x7fT\n");
	expect_out("");
	expect_read(100, "secreT\n");
	set_flags(0, ECHONL, 0, 0, 0);
	type("pw\n");
	expect_out("\r\n");
	expect_read(100, "pw\n");
	halt();
}
END_TEST

/* ---------------------------------------------------------------- no terminal */

/* 1 MiB (10 MiB for make soak) */
#define STREAM_SIZE ((uint32_t)test_scale() << 20)

static uint32_t rnd(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

struct stream_reader {
	uint8_t *got;
	uint32_t len;
	int32_t error;
	uint32_t rnd;                   /* read sizes */
};

static void *stream_read_main(void *arg)
{
	struct stream_reader *s = arg;

	if (msg_attach("sched", 3) < 0) {
		s->error = -9999;
		return NULL;
	}
	while (s->len < STREAM_SIZE) {
		uint32_t want = 1 + rnd(&s->rnd) % 9000;
		struct console_io io = { 0, s->got + s->len, want, 0, 0 };
		msg_t m;
		int32_t n;

		if (want > STREAM_SIZE - s->len)
			io.len = STREAM_SIZE - s->len;
		msg_init(&m, CONSOLE_MSG_READ, &io, sizeof(io));
		n = msg_call(con_pid, &m, 5 * SEC);
		if (n <= 0) {
			s->error = n ? n : -1;
			break;
		}
		s->len += (uint32_t)n;
	}
	msg_detach();
	return NULL;
}

/* A held input keeps filling as reads drain it, without waiting for the
 * console's 0.1 s timer: 20 rounds where a reader empties the buffer
 * before the rest of an input is in take far less than 20 ticks (~0.1 s). */
START_TEST(test_input_flows_without_the_timer)
{
	static char big[5000], got[4096];
	struct console_io io;
	struct reader r;
	int64_t t0 = now_ns();
	msg_t m;
	int i;

	boot_with(0);
	memset(big, 'z', sizeof(big));
	for (i = 0; i < 20; i++) {
		read_start(&r, 2, 4096, 0);           /* waits on an empty buffer */
		msg_sleep_ns(2000000);
		io = (struct console_io){ 0, big, sizeof(big), 0, 0 };
		msg_init(&m, CONSOLE_MSG_INPUT, &io, sizeof(io));
		ck_assert_int_eq(msg_send(con_pid, &m), 0);
		ck_assert_int_eq(wcall_finish(&r.w), 4096);  /* the input waits, 904 left */
		ck_assert_int_eq(read_into(got, sizeof(got), 0), 904);
		ck_assert_int_eq(msg_wait(&m, 5 * SEC), 0);
	}
	ck_assert_int_lt(now_ns() - t0, 3 * SEC / 2);   /* the timer alone: > 2.1 s */
	halt();
}
END_TEST

START_TEST(test_pipe_passes_bytes_exactly)
{
	uint8_t *data = malloc(STREAM_SIZE);
	struct stream_reader s = { malloc(STREAM_SIZE), 0, 0, 777 };
	struct console_ioctl c;
	struct console_io io;
	pthread_t t;
	uint32_t i, sent = 0, seed = 12345;
	char buf[4];

	boot_with(0);
	for (i = 0; i < STREAM_SIZE; i++)
		data[i] = (uint8_t)rnd(&seed);
	ck_assert_int_eq(pthread_create(&t, NULL, stream_read_main, &s), 0);
	while (sent < STREAM_SIZE) {
		uint32_t n = 1 + rnd(&seed) % 9000;

		if (n > STREAM_SIZE - sent)
			n = STREAM_SIZE - sent;
		type_n(data + sent, n);
		sent += n;
	}
	pthread_join(t, NULL);
	ck_assert_int_eq(s.error, 0);
	ck_assert_uint_eq(s.len, STREAM_SIZE);
	ck_assert(memcmp(s.got, data, STREAM_SIZE) == 0);
	/* Output: no NL -> CR NL either. */
	io = (struct console_io){ 1, data, STREAM_SIZE, 0, 0 };
	ck_assert_int_eq(worker_call(CONSOLE_MSG_WRITE, &io, sizeof(io)), STREAM_SIZE);
	expect_out_n((const char *)data, STREAM_SIZE);
	/* No terminal: no termios; the end of input reads 0. */
	memset(&c, 0, sizeof(c));
	c.request = TCGETS;
	ck_assert_int_eq(worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c)), -NOS_ENOTTY);
	type_n("", 0);
	ck_assert_int_eq(read_into(buf, sizeof(buf), 0), 0);
	free(data);
	free(s.got);
	halt();
}
END_TEST

/* ------------------------------------------------------------ window, hangup, jobs */

static void winsize_of(uint16_t *rows, uint16_t *cols)
{
	struct console_ioctl c;

	memset(&c, 0, sizeof(c));
	c.request = TIOCGWINSZ;
	ck_assert_int_eq(worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c)), 0);
	*rows = c.rows;
	*cols = c.cols;
}

START_TEST(test_window_size)
{
	struct console_ioctl c;
	uint16_t rows, cols;

	boot();
	winsize_of(&rows, &cols);
	ck_assert_uint_eq(rows, 24);
	ck_assert_uint_eq(cols, 80);
	ck_assert_int_eq(control(CONSOLE_CTL_SESSION, 0, 0, 0, 7), 0);
	ck_assert_int_eq(control(CONSOLE_CTL_WINSIZE, 50, 132, 0, 0), 0);
	expect_kill(0, -7, SIGWINCH);
	winsize_of(&rows, &cols);
	ck_assert_uint_eq(rows, 50);
	ck_assert_uint_eq(cols, 132);
	ck_assert_int_eq(control(CONSOLE_CTL_WINSIZE, 50, 132, 0, 0), 0);
	ck_assert_uint_eq(kill_count(), 1);           /* not one for the same size */
	memset(&c, 0, sizeof(c));                     /* a guest sets it */
	c.request = TIOCSWINSZ;
	c.rows = 30;
	c.cols = 100;
	ck_assert_int_eq(worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c)), 0);
	expect_kill(1, -7, SIGWINCH);
	winsize_of(&rows, &cols);
	ck_assert_uint_eq(rows, 30);
	ck_assert_uint_eq(cols, 100);
	halt();
}
END_TEST

START_TEST(test_hangup)
{
	struct console_io io = { 1, "x", 1, 0, 0 };
	struct reader r;
	char buf[4];

	boot();
	ck_assert_int_eq(control(CONSOLE_CTL_SESSION, 0, 0, 0, 5), 0);
	ck_assert_int_eq(set_pgrp(6), 0);
	read_start(&r, 2, 100, 6);
	msg_sleep_ns(20000000);
	ck_assert(!wcall_done(&r.w));
	ck_assert_int_eq(host_call(CONSOLE_MSG_HANGUP, NULL, 0), 0);
	ck_assert_int_eq(wcall_finish(&r.w), 0);
	expect_kill(0, -6, SIGHUP);
	expect_kill(1, -6, SIGCONT);
	expect_kill(2, -5, SIGHUP);
	expect_kill(3, -5, SIGCONT);
	ck_assert_int_eq(worker_call(CONSOLE_MSG_WRITE, &io, sizeof(io)), -NOS_EIO);
	ck_assert_int_eq(read_into(buf, sizeof(buf), 0), 0);
	halt();
}
END_TEST

/* A background read its worker cancels after 0.1 s (as a stop does). */
struct cancelled_read {
	int32_t first_wait, status;
};

static void *cancelled_read_main(void *arg)
{
	struct cancelled_read *c = arg;
	char buf[8];
	struct console_io io = { 0, buf, sizeof(buf), 0, 8 };
	msg_t m;

	c->first_wait = c->status = -9999;
	if (msg_attach("sched", 4) < 0)
		return NULL;
	msg_init(&m, CONSOLE_MSG_READ, &io, sizeof(io));
	if (msg_send(con_pid, &m) == 0) {
		c->first_wait = msg_wait(&m, 100000000);
		msg_cancel(&m);
		msg_wait(&m, MSG_FOREVER);
		c->status = m.status;
	}
	msg_detach();
	return NULL;
}

START_TEST(test_background_read)
{
	struct reader r;
	int64_t t0;

	boot();
	ck_assert_int_eq(control(CONSOLE_CTL_SESSION, 0, 0, 0, 5), 0);
	/* A group that ignores SIGTTIN: -EIO once the grace is over. */
	t0 = now_ns();
	read_start(&r, 2, 100, 8);
	expect_kill(0, -8, SIGTTIN);
	ck_assert_int_eq(wcall_finish(&r.w), -NOS_EIO);
	ck_assert_int_ge(now_ns() - t0, 400000000);
	/* Brought to the foreground before that, it reads. */
	read_start(&r, 2, 100, 8);
	expect_kill(1, -8, SIGTTIN);
	ck_assert_int_eq(set_pgrp(8), 0);
	type("hi\n");
	ck_assert_int_eq(wcall_finish(&r.w), 3);
	ck_assert(memcmp(r.buf, "hi\n", 3) == 0);
	/* Stopped by the signal: its worker cancels the read. */
	ck_assert_int_eq(set_pgrp(5), 0);
	{
		struct cancelled_read c;
		pthread_t t;

		ck_assert_int_eq(pthread_create(&t, NULL, cancelled_read_main, &c), 0);
		pthread_join(t, NULL);
		ck_assert_int_eq(c.first_wait, -NOS_ETIMEDOUT);
		ck_assert_int_eq(c.status, -NOS_ECANCELED);
	}
	expect_kill(2, -8, SIGTTIN);
	halt();
}
END_TEST

START_TEST(test_foreground_reads_without_signal)
{
	boot();
	ck_assert_int_eq(control(CONSOLE_CTL_SESSION, 0, 0, 0, 5), 0);
	type("ok\n");
	{
		struct reader r;

		read_start(&r, 2, 100, 5);
		ck_assert_int_eq(wcall_finish(&r.w), 3);
	}
	ck_assert_uint_eq(kill_count(), 0);
	halt();
}
END_TEST

static int32_t ioctl_as(uint32_t request, uint32_t caller_pgid, int32_t *pgid)
{
	struct console_ioctl c;
	int32_t r;

	memset(&c, 0, sizeof(c));
	c.request = request;
	c.caller_pgid = caller_pgid;
	c.caller_sid = caller_pgid;     /* each caller leads its own session */
	c.pgid = *pgid;
	r = worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c));
	*pgid = c.pgid;
	return r;
}

START_TEST(test_job_control_ioctls)
{
	int32_t pg = 0;

	boot();
	ck_assert_int_eq(ioctl_as(TIOCGPGRP, 12, &pg), 0);
	ck_assert_int_eq(pg, 0);                       /* no foreground yet */
	ck_assert_int_eq(ioctl_as(TIOCGSID, 12, &pg), -NOS_ENOTTY);
	ck_assert_int_eq(ioctl_as(TIOCSCTTY, 12, &pg), 0);
	ck_assert_int_eq(ioctl_as(TIOCGPGRP, 12, &pg), 0);
	ck_assert_int_eq(pg, 12);
	ck_assert_int_eq(ioctl_as(TIOCGSID, 12, &pg), 0);
	ck_assert_int_eq(pg, 12);
	pg = 0;
	ck_assert_int_eq(ioctl_as(TIOCSPGRP, 12, &pg), -NOS_EINVAL);
	pg = 14;
	ck_assert_int_eq(ioctl_as(TIOCSPGRP, 13, &pg), -NOS_ENOTTY);  /* another session */
	ck_assert_int_eq(ioctl_as(TIOCSCTTY, 13, &pg), -NOS_EPERM);   /* it is taken */
	ck_assert_int_eq(ioctl_as(TIOCGPGRP, 12, &pg), 0);
	ck_assert_int_eq(pg, 12);
	pg = 14;
	ck_assert_int_eq(ioctl_as(TIOCSPGRP, 12, &pg), 0);
	ck_assert_int_eq(ioctl_as(TIOCNOTTY, 13, &pg), 0);   /* not the leader */
	ck_assert_uint_eq(kill_count(), 0);
	ck_assert_int_eq(ioctl_as(TIOCNOTTY, 12, &pg), 0);   /* the leader lets go */
	expect_kill(0, -14, SIGHUP);
	expect_kill(1, -14, SIGCONT);
	expect_kill(2, -12, SIGHUP);
	expect_kill(3, -12, SIGCONT);
	ck_assert_int_eq(ioctl_as(TIOCGSID, 12, &pg), -NOS_ENOTTY);
	halt();
}
END_TEST

START_TEST(test_tcsetsf_flushes)
{
	struct console_ioctl c;

	boot();
	type("line\npart");
	memset(&c, 0, sizeof(c));
	c.request = TCSETSF;
	c.tio = tcgets();
	ck_assert_int_eq(worker_call(CONSOLE_MSG_IOCTL, &c, sizeof(c)), 0);
	expect_nothing_to_read();
	type("new\n");
	expect_read(100, "new\n");
	halt();
}
END_TEST

/* ---------------------------------------------------------------- who may ask */

START_TEST(test_senders)
{
	struct console_io io = { 0, "x", 1, 0, 0 };
	struct console_control ctl = { CONSOLE_CTL_SESSION, 0, 0, 0, 5 };
	char buf[4];
	msg_t m;

	boot();
	io.buf = buf;
	msg_init(&m, CONSOLE_MSG_READ, &io, sizeof(io));    /* the tool is no worker */
	ck_assert_int_eq(msg_call(con_pid, &m, SEC), -NOS_EPERM);
	io.buf = "x";
	ck_assert_int_eq(worker_call(CONSOLE_MSG_INPUT, &io, sizeof(io)), -NOS_EPERM);
	ck_assert_int_eq(worker_call(CONSOLE_MSG_CONTROL, &ctl, sizeof(ctl)), -NOS_EPERM);
	ck_assert_int_eq(worker_call(CONSOLE_MSG_HANGUP, NULL, 0), -NOS_EPERM);
	halt();
}
END_TEST

static Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *t = tcase_create("console");

	tcase_set_timeout(t, 20);
	tcase_add_test(t, test_echo_and_erase);
	tcase_add_test(t, test_kill_line);
	tcase_add_test(t, test_word_erase);
	tcase_add_test(t, test_erase_tab_control_utf8);
	tcase_add_test(t, test_echo_variants);
	tcase_add_test(t, test_eof);
	tcase_add_test(t, test_one_line_per_read);
	tcase_add_test(t, test_input_waits_for_room);
	tcase_add_test(t, test_cr_nl_mapping);
	tcase_add_test(t, test_onlcr);
	tcase_add_test(t, test_flow_control);
	tcase_add_test(t, test_flow_control_off);
	tcase_add_test(t, test_signal_chars);
	tcase_add_test(t, test_noflsh_isig_off_lnext);
	tcase_add_test(t, test_raw_mode);
	tcase_add_test(t, test_no_echo);
	tcase_add_test(t, test_input_flows_without_the_timer);
	tcase_add_test(t, test_pipe_passes_bytes_exactly);
	tcase_add_test(t, test_window_size);
	tcase_add_test(t, test_hangup);
	tcase_add_test(t, test_background_read);
	tcase_add_test(t, test_foreground_reads_without_signal);
	tcase_add_test(t, test_job_control_ioctls);
	tcase_add_test(t, test_tcsetsf_flushes);
	tcase_add_test(t, test_senders);
	tcase_add_test(t, test_sig_behind_full_records);
	suite_add_tcase(s, t);
	return s;
}

TEST_MAIN(console_suite)
