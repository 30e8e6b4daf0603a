/*
 * run_remote.c: running a program through the daemon (DESIGN.md section
 * 7): a session on the control socket (nanoosd/ctl.h). A host program goes
 * up first as UPLOAD pieces, then RUN; our stdin goes as INPUT (its end as
 * an empty INPUT), OUTPUT comes back to fds 1 and 2, EXIT ends it. A
 * terminal is raw for the session (the NanoOs console edits lines and turns
 * ^C into a signal) and restored on every way out; SIGWINCH sends WINSIZE;
 * SIGINT, SIGTERM and SIGHUP send SIGNAL when stdin is not a terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/host_tty.h"
#include "cli/run_cmd.h"
#include "kproc/nos_errno.h"

#define CMD run_verb

/* ---------------------------------------------------------------- through the daemon */

static int same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!realpath(a, ra) || !realpath(b, rb))
		return strcmp(a, b) == 0;
	return strcmp(ra, rb) == 0;
}

int run_connect(struct client *c, const struct run_opts *o)
{
	int rc = client_connect(c, o->cmd);

	if (rc < 0)
		return rc;
	if (o->image && !same_file(o->image, c->image)) {
		client_close(c);                /* that daemon serves another image */
		return -NOS_ENOENT;
	}
	return 0;
}

/* Send a host program up in pieces. 0 or -1 (said why). */
static int upload(struct client *c, const uint8_t *img, uint32_t len)
{
	union ctl_payload r;
	uint32_t off = 0;

	do {
		struct ctl_upload u;

		u.offset = off;
		u.total = len;
		u.data = img + off;
		u.data_len = len - off < CTL_DATA_MAX ? len - off : CTL_DATA_MAX;
		if (client_call(c, CMD, CTL_MSG_UPLOAD, &u, sizeof(u), &r) < 0)
			return -1;
		off += u.data_len;
	} while (off < len);
	return 0;
}

/* argv as the protocol carries it: each string NUL-terminated, back to back. */
static char *pack_args(char **argv, uint32_t *len)
{
	size_t n = 0, i;
	char *out, *p;

	for (i = 0; argv[i]; i++)
		n += strlen(argv[i]) + 1;
	if (n > CTL_ARGS_MAX || !(out = malloc(n ? n : 1)))
		return NULL;
	for (p = out, i = 0; argv[i]; i++)
		p = stpcpy(p, argv[i]) + 1;
	*len = (uint32_t)n;
	return out;
}

/* One session's pump: stdin -> INPUT, OUTPUT -> fds 1 and 2, signals. */
struct session {
	struct client *c;
	uint32_t run_tag;
	int tty;                        /* stdin is a terminal we made raw */
	int stdin_open;
	int stream_closed[3];           /* our fd 1 or 2 refused a write */
	int done, code;
};

static int sig_pipe[2] = { -1, -1 };

static void on_session_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int e = errno;

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* full: the loop has signals to read already */
	}
	errno = e;
}

static int catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };
	struct sigaction sa;
	size_t i;

	if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_session_signal;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void queue_signal(struct session *s, int sig)
{
	struct ctl_signal k = { (uint32_t)sig };

	client_queue(s->c, CTL_MSG_SIGNAL, 0, &k, sizeof(k));
}

static void take_signals(struct session *s)
{
	unsigned char b[16];
	ssize_t n, i;

	while ((n = read(sig_pipe[0], b, sizeof(b))) > 0) {
		for (i = 0; i < n; i++) {
			struct ctl_winsize w;

			if (b[i] == SIGWINCH) {
				if (s->tty && host_tty_size(&w.rows, &w.cols) == 0)
					client_queue(s->c, CTL_MSG_WINSIZE, 0, &w, sizeof(w));
			} else if (b[i] == SIGHUP && s->tty) {
				s->done = 1;            /* our terminal is gone: hang up */
				s->code = 128 + SIGHUP;
			} else {
				queue_signal(s, b[i]);
			}
		}
	}
}

static void take_stdin(struct session *s)
{
	static char buf[CTL_DATA_MAX];
	ssize_t n = read(0, buf, s->tty ? 4096 : sizeof(buf));
	struct ctl_data d = { 0, buf, 0 };

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0 && s->tty) {
		s->done = 1;                    /* our terminal is gone: hang up */
		s->code = 128 + SIGHUP;
		return;
	}
	if (n > 0)
		d.data_len = (uint32_t)n;
	else
		s->stdin_open = 0;              /* the end of input, sent as an empty INPUT */
	client_queue(s->c, CTL_MSG_INPUT, 0, &d, sizeof(d));
}

static void write_out(struct session *s, const struct ctl_data *d)
{
	unsigned fd = d->stream == 2 ? 2 : 1;
	const char *p = d->data;
	uint32_t done = 0;

	while (!s->stream_closed[fd] && done < d->data_len) {
		ssize_t n = write((int)fd, p + done, d->data_len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s->stream_closed[fd] = 1;   /* like a closed pipe: the writer gets SIGPIPE */
			if (fd == 1)
				queue_signal(s, SIGPIPE);
			break;
		}
		done += (uint32_t)n;
	}
}

/* The answer to RUN: an ERROR says why the program did not start. */
static void run_refused(struct session *s, const struct wire_header *h, const struct ctl_text *t)
{
	cli_error(CMD, NULL, "%s", client_text(t));
	s->done = 1;
	s->code = h->status == -NOS_ENOENT ? 127 :
	          h->status == -NOS_ENOEXEC || h->status == -NOS_EACCES ? 126 : 1;
}

static void take_frame(struct session *s, const struct wire_header *h, union ctl_payload *p)
{
	if (h->type == CTL_MSG_ERROR && h->from == s->run_tag)
		run_refused(s, h, &p->text);
	else if (h->type == CTL_MSG_ERROR)
		cli_error(CMD, NULL, "%s", client_text(&p->text));
	else if (h->type == CTL_MSG_OUTPUT)
		write_out(s, &p->data);
	else if (h->type == CTL_MSG_EXIT) {
		s->done = 1;
		s->code = run_exit_code(p->exit.wstatus);
	}
	/* The RUN reply (the guest's pid) needs nothing more. */
}

static void take_socket(struct session *s)
{
	struct wire_header h;
	union ctl_payload p;
	int rc = client_fill(s->c);

	while (rc >= 0 && !s->done && (rc = client_next(s->c, &h, &p)) > 0)
		take_frame(s, &h, &p);
	if (s->done)
		return;
	if (rc < 0 || s->c->eof) {
		cli_error(CMD, s->c->path, "the daemon ended the session before the program "
		          "did (%s); see the daemon's log", rc < 0 ? nos_strerror(rc) :
		          "connection closed");
		s->done = 1;
		s->code = 1;
	}
}

#define QUEUE_HIGH (256u * 1024u)     /* read no more stdin while this much waits */

static void pump(struct session *s)
{
	while (!s->done) {
		struct pollfd p[3] = {
			{ s->c->fd, (short)(POLLIN | (s->c->out_len ? POLLOUT : 0)), 0 },
			{ sig_pipe[0], POLLIN, 0 },
			{ 0, POLLIN, 0 },
		};
		int n = s->stdin_open && s->c->out_len < QUEUE_HIGH ? 3 : 2;

		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			take_signals(s);
		if (n == 3 && p[2].revents)
			take_stdin(s);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			take_socket(s);
		if (!s->done && client_flush(s->c, 0) < 0) {
			/* It takes no more (the program may have ended without
			 * reading it all): drop our input, read what it said. */
			s->c->out_len = 0;
			s->stdin_open = 0;
		}
	}
}

/* The RUN request for what o asks. 0 or an exit status (said why). */
static int prepare_run(struct client *c, const struct run_opts *o, char **argv,
                       struct ctl_run *r, char *prog, size_t prog_n)
{
	const char *arg = o->host ? o->host : argv[0];
	static char *none[] = { NULL };

	memset(r, 0, sizeof(*r));
	r->mem = (uint32_t)o->mem;
	r->flags = o->what == RUN_SHELL ? CTL_RUN_SHELL : o->what == RUN_LOGIN ? CTL_RUN_LOGIN : 0;
	if (o->what == RUN_PROG && (o->host || run_is_host_path(arg))) {
		struct run_program hp;

		memset(&hp, 0, sizeof(hp));
		if (run_read_host(arg, &hp) < 0)
			return 127;
		if (run_check_rv32_elf(arg, hp.image, hp.len) < 0 || upload(c, hp.image, hp.len) < 0) {
			free(hp.image);
			return 126;
		}
		free(hp.image);
		r->flags |= CTL_RUN_HOST;
		snprintf(prog, prog_n, "%s", arg);
	} else if (o->what == RUN_PROG) {
		run_volume_path(arg, prog, prog_n);
	} else {
		prog[0] = 0;
		argv = none;
	}
	if (o->host)
		argv--;                 /* the slot of --host PATH: argv[0] */
	if (o->host || (o->argv0 && o->what == RUN_PROG))
		argv[0] = (char *)(o->argv0 ? o->argv0 : o->host);
	r->prog = prog;
	r->prog_len = (uint32_t)strlen(prog);
	r->argv = pack_args(argv, &r->argv_len);
	if (!r->argv) {
		cli_error(CMD, NULL, "the arguments are over %u KiB; pass fewer", CTL_ARGS_MAX >> 10);
		return 2;
	}
	if (host_tty_interactive()) {
		static char term[128];
		const char *t = getenv("TERM");

		r->flags |= CTL_RUN_TTY;
		host_tty_size(&r->rows, &r->cols);
		/* Our terminal's kind, over the daemon's default (its other
		 * variables stay the account's). */
		if (t && *t && strlen(t) < sizeof(term) - 6) {
			r->envp = term;
			r->envp_len = (uint32_t)snprintf(term, sizeof(term), "TERM=%s", t) + 1;
		}
	}
	return 0;
}

int run_remote(struct client *c, const struct run_opts *o, char **argv)
{
	struct session s;
	struct ctl_run r;
	struct termios saved;
	char prog[4096];
	int rc;

	run_verb = o->cmd;
	if (o->stats || o->trace)
		fprintf(stderr, "nanoos %s: --stats and --trace work without a daemon only; "
		        "running through the daemon on %s without them\n", CMD, c->image);
	rc = prepare_run(c, o, argv, &r, prog, sizeof(prog));
	if (rc)
		return rc;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.stdin_open = 1;
	s.run_tag = c->next_tag++;
	rc = client_queue(c, CTL_MSG_RUN, s.run_tag, &r, sizeof(r));
	free((char *)r.argv);
	if (rc < 0 || catch_signals() < 0) {
		cli_error(CMD, NULL, "cannot start the session: %s", nos_strerror(rc < 0 ? rc :
		          -NOS_EMFILE));
		return 1;
	}
	s.tty = host_tty_interactive() && host_tty_raw(0, &saved);
	pump(&s);
	if (s.tty)
		host_tty_restore(0, &saved);
	return s.code;
}
