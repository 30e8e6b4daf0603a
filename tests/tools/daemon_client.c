/*
 * daemon_client.c: a small client of nanoosd's control socket for
 * tests/integration/daemon.sh. It speaks frames itself (msg/wire.c with
 * nanoosd/ctl.c), so the daemon's tests need no `nanoos` command, and it
 * can send what no good client would (the `raw` verb).
 *
 *   daemon_client SOCK hello [VERSION]     HELLO; prints the daemon's answer
 *   daemon_client SOCK run [--tty] [--shell] [--login] [--cwd DIR]
 *                 [--env NAME=VALUE]... [--host FILE] PROG [ARGS...]
 *                                          a session: stdin -> INPUT, OUTPUT ->
 *                                          stdout/stderr; exits like a shell
 *                                          (code, or 128 + signal); SIGINT
 *                                          and SIGTERM go as SIGNAL frames
 *   daemon_client SOCK ps [SKIP]           one line a guest; "total N" on stderr
 *   daemon_client SOCK kill PID SIG
 *   daemon_client SOCK status
 *   daemon_client SOCK stop
 *   daemon_client SOCK raw KIND            a malformed frame (badversion,
 *                                          oversized, unknowntype, truncated,
 *                                          garbage, badpayload, bigforits,
 *                                          nohello); exits 0 when
 *                                          the daemon closed the connection
 *   daemon_client SOCK bench N             N times connect + HELLO + RUN
 *                                          /bin/true + EXIT: latency in ms
 * An ERROR frame is printed as "error STATUS: TEXT" (exit 125).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "nanoosd/ctl.h"

static const char *sock_path;
static int conn_fd = -1;
static volatile sig_atomic_t pending_signal;   /* to send as SIGNAL (run) */

static void on_signal(int sig)
{
	pending_signal = sig;
}

/* ---------------------------------------------------------------- framing */

static int dial(void)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "daemon_client: %s: %s\n", sock_path, strerror(errno));
		exit(4);
	}
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);     /* SIGPIPE is ignored: main */

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Encode a frame into a malloc'd buffer: its length, or -1. */
static int32_t encode(uint16_t type, uint32_t tag, void *payload, uint32_t size, uint8_t **out)
{
	const struct wire_layout *l = wire_layout_find(ctl_layouts, ctl_nlayouts, type);
	int32_t need = l ? wire_payload_size(l, payload) : -1;
	msg_t m;

	if (need < 0)
		return -1;
	*out = malloc((size_t)need + WIRE_HEADER_SIZE);
	msg_init(&m, type, payload, size);
	m.from = tag;
	return wire_encode(l, &m, *out, (size_t)need + WIRE_HEADER_SIZE);
}

static void send_frame(uint16_t type, uint32_t tag, void *payload, uint32_t size)
{
	uint8_t *buf;
	int32_t n = encode(type, tag, payload, size, &buf);

	if (n < 0 || write_all(conn_fd, buf, (size_t)n) < 0) {
		fprintf(stderr, "daemon_client: cannot send a frame: %s\n", strerror(errno));
		exit(4);
	}
	free(buf);
}

static int read_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

struct reply {
	struct wire_header h;
	union {
		struct ctl_hello hello;
		struct ctl_text text;
		struct ctl_data data;
		struct ctl_exit exit;
		struct ctl_ps ps;
		struct ctl_status status;
		struct ctl_run run;
		struct ctl_kill kill;
		struct ctl_upload upload;
	} u;
	uint8_t *bytes;
};

/* The next frame: 0, or -1 when the daemon closed the connection. */
static int recv_frame(struct reply *r)
{
	uint8_t hdr[WIRE_HEADER_SIZE];

	free(r->bytes);
	r->bytes = NULL;
	if (read_all(conn_fd, hdr, sizeof(hdr)) < 0 ||
	    wire_header_decode(hdr, sizeof(hdr), &r->h) < 0)
		return -1;
	r->bytes = malloc(WIRE_HEADER_SIZE + (size_t)r->h.length);
	memcpy(r->bytes, hdr, sizeof(hdr));
	if (read_all(conn_fd, r->bytes + WIRE_HEADER_SIZE, r->h.length) < 0 ||
	    wire_decode(ctl_layouts, ctl_nlayouts, r->bytes, WIRE_HEADER_SIZE + r->h.length,
	                &r->h, &r->u, sizeof(r->u)) < 0)
		return -1;
	return 0;
}

static void print_error(const struct reply *r)
{
	printf("error %d: %.*s\n", (int)r->h.status, (int)r->u.text.text_len, r->u.text.text);
	fflush(stdout);
}

/* A reply of type `type`, or exit on ERROR/close. */
static void expect(struct reply *r, uint16_t type)
{
	if (recv_frame(r) < 0) {
		fprintf(stderr, "daemon_client: the daemon closed the connection\n");
		exit(4);
	}
	if (r->h.type == CTL_MSG_ERROR) {
		print_error(r);
		exit(125);
	}
	if (r->h.type != type) {
		fprintf(stderr, "daemon_client: got frame type 0x%x, wanted 0x%x\n",
		        (unsigned)r->h.type, (unsigned)type);
		exit(4);
	}
}

static void hello(struct reply *r, uint32_t version)
{
	struct ctl_hello h;

	memset(&h, 0, sizeof(h));
	h.version = version;
	send_frame(CTL_MSG_HELLO, 1, &h, sizeof(h));
	expect(r, CTL_MSG_HELLO);
}

/* ---------------------------------------------------------------- verbs */

static int do_hello(int argc, char **argv)
{
	struct reply r = { 0 };

	hello(&r, argc > 0 ? (uint32_t)strtoul(argv[0], NULL, 0) : CTL_VERSION);
	printf("pid %u uid %u image %.*s account %.*s\n", r.u.hello.pid, r.u.hello.uid,
	       (int)r.u.hello.image_len, r.u.hello.image, (int)r.u.hello.account_len,
	       r.u.hello.account);
	return 0;
}

static int do_ps(int argc, char **argv)
{
	struct reply r = { 0 };
	struct ctl_ps q;
	uint32_t i;

	hello(&r, CTL_VERSION);
	memset(&q, 0, sizeof(q));
	q.skip = argc > 0 ? (uint32_t)strtoul(argv[0], NULL, 0) : 0;
	send_frame(CTL_MSG_PS, 2, &q, sizeof(q));
	expect(&r, CTL_MSG_PS);
	fprintf(stderr, "total %u\n", r.u.ps.total);
	for (i = 0; i + CTL_PS_REC <= r.u.ps.recs_len; i += CTL_PS_REC) {
		const uint8_t *p = (const uint8_t *)r.u.ps.recs + i;

		printf("%u %u %u %u %c %.32s %.47s\n", ld_32(p + CTL_PS_PID), ld_32(p + CTL_PS_PPID),
		       ld_32(p + CTL_PS_PGID), ld_32(p + CTL_PS_UID), p[CTL_PS_STATE],
		       (const char *)p + CTL_PS_USER, (const char *)p + CTL_PS_CMD);
	}
	return 0;
}

static int do_kill(int argc, char **argv)
{
	struct reply r = { 0 };
	struct ctl_kill k;

	if (argc < 2)
		return 2;
	hello(&r, CTL_VERSION);
	k.pid = (int32_t)strtol(argv[0], NULL, 0);
	k.sig = (uint32_t)strtoul(argv[1], NULL, 0);
	send_frame(CTL_MSG_KILL, 2, &k, sizeof(k));
	expect(&r, CTL_MSG_KILL);
	return 0;
}

static int do_status(void)
{
	struct reply r = { 0 };
	struct ctl_status s;

	hello(&r, CTL_VERSION);
	memset(&s, 0, sizeof(s));
	send_frame(CTL_MSG_STATUS, 2, &s, sizeof(s));
	expect(&r, CTL_MSG_STATUS);
	printf("pid %u procs %u sessions %u workers %u rss %llu vol_total %llu vol_free %llu "
	       "image %.*s version %.*s\n", r.u.status.pid, r.u.status.procs, r.u.status.sessions,
	       r.u.status.workers, (unsigned long long)r.u.status.rss,
	       (unsigned long long)r.u.status.vol_total, (unsigned long long)r.u.status.vol_free,
	       (int)r.u.status.image_len, r.u.status.image, (int)r.u.status.version_len,
	       r.u.status.version);
	return 0;
}

static int do_stop(void)
{
	struct reply r = { 0 };
	struct ctl_text t = { "", 0 };

	hello(&r, CTL_VERSION);
	send_frame(CTL_MSG_STOP, 2, &t, sizeof(t));
	expect(&r, CTL_MSG_STOP);
	return 0;
}

/* ---------------------------------------------------------------- run */

struct run_args {
	uint32_t flags;
	const char *cwd, *host;
	char env[CTL_ARGS_MAX], argv[CTL_ARGS_MAX];
	uint32_t env_len, argv_len;
	const char *prog;
};

static void append(char *buf, uint32_t *len, const char *s)
{
	size_t n = strlen(s) + 1;

	if (*len + n > CTL_ARGS_MAX) {
		fprintf(stderr, "daemon_client: arguments too long\n");
		exit(2);
	}
	memcpy(buf + *len, s, n);
	*len += (uint32_t)n;
}

static int parse_run(int argc, char **argv, struct run_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--tty") == 0)
			a->flags |= CTL_RUN_TTY;
		else if (strcmp(argv[i], "--shell") == 0)
			a->flags |= CTL_RUN_SHELL;
		else if (strcmp(argv[i], "--login") == 0)
			a->flags |= CTL_RUN_LOGIN;
		else if (strcmp(argv[i], "--cwd") == 0 && i + 1 < argc)
			a->cwd = argv[++i];
		else if (strcmp(argv[i], "--env") == 0 && i + 1 < argc)
			append(a->env, &a->env_len, argv[++i]);
		else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
			a->host = argv[++i];
			a->flags |= CTL_RUN_HOST;
		} else
			return -1;
	}
	if (a->host) {
		a->prog = a->host;
		append(a->argv, &a->argv_len, a->host);
	} else if (i < argc)
		a->prog = argv[i];
	else if (!(a->flags & (CTL_RUN_SHELL | CTL_RUN_LOGIN)))
		return -1;
	for (; i < argc; i++)
		append(a->argv, &a->argv_len, argv[i]);
	return 0;
}

static void upload(const char *host)
{
	FILE *f = fopen(host, "rb");
	static uint8_t buf[CTL_DATA_MAX];
	struct reply r = { 0 };
	long total;
	uint32_t at = 0;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (total = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "daemon_client: %s: cannot read it\n", host);
		exit(2);
	}
	while (at < (uint32_t)total) {
		struct ctl_upload u;
		size_t n = fread(buf, 1, sizeof(buf), f);

		if (!n)
			break;
		u.offset = at;
		u.total = (uint32_t)total;
		u.data = buf;
		u.data_len = (uint32_t)n;
		send_frame(CTL_MSG_UPLOAD, 3, &u, sizeof(u));
		expect(&r, CTL_MSG_UPLOAD);
		at += (uint32_t)n;
	}
	fclose(f);
}

static void send_run(struct run_args *a)
{
	struct ctl_run run;

	memset(&run, 0, sizeof(run));
	run.flags = a->flags;
	run.rows = 24;
	run.cols = 80;
	run.prog = a->prog;
	run.prog_len = a->prog ? (uint32_t)strlen(a->prog) : 0;
	run.argv = a->argv;
	run.argv_len = a->argv_len;
	run.envp = a->env;
	run.envp_len = a->env_len;
	run.cwd = a->cwd;
	run.cwd_len = a->cwd ? (uint32_t)strlen(a->cwd) : 0;
	send_frame(CTL_MSG_RUN, 4, &run, sizeof(run));
}

static int exit_code(int32_t wstatus)
{
	return (wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff;
}

/* Move stdin to the daemon and its output to ours, without ever blocking
 * on one direction while the other is stuck. The guest's exit code. */
static int pump(void)
{
	static uint8_t in[CTL_DATA_MAX];
	uint8_t *pend = NULL;
	size_t pend_len = 0, pend_at = 0;
	int stdin_open = 1;
	struct reply r = { 0 };

	for (;;) {
		struct pollfd p[2] = { { conn_fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
		int np = stdin_open && !pend ? 2 : 1;

		if (pend)
			p[0].events |= POLLOUT;
		if (pending_signal) {
			struct ctl_signal sg = { (uint32_t)pending_signal };

			pending_signal = 0;
			send_frame(CTL_MSG_SIGNAL, 0, &sg, sizeof(sg));
		}
		if (poll(p, (nfds_t)np, -1) < 0)
			continue;
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (recv_frame(&r) < 0) {
				fprintf(stderr, "daemon_client: the daemon closed the session\n");
				return 4;
			}
			if (r.h.type == CTL_MSG_OUTPUT) {
				int fd = r.u.data.stream == 2 ? 2 : 1;

				if (write_all(fd, r.u.data.data, r.u.data.data_len) < 0)
					return 4;
			} else if (r.h.type == CTL_MSG_EXIT) {
				return exit_code(r.u.exit.wstatus);
			} else if (r.h.type == CTL_MSG_ERROR) {
				print_error(&r);
				return 125;
			}
		}
		if (pend && (p[0].revents & POLLOUT)) {
			ssize_t w = send(conn_fd, pend + pend_at, pend_len - pend_at,
			                 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (w < 0 && errno != EAGAIN && errno != EINTR)
				return 4;
			if (w > 0)
				pend_at += (size_t)w;
			if (pend_at == pend_len) {
				free(pend);
				pend = NULL;
			}
		}
		if (np == 2 && (p[1].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(0, in, sizeof(in));
			struct ctl_data d = { 0, in, n > 0 ? (uint32_t)n : 0 };
			int32_t len;

			if (n < 0 && errno == EINTR)
				continue;
			len = encode(CTL_MSG_INPUT, 0, &d, sizeof(d), &pend);
			pend_len = (size_t)len;
			pend_at = 0;
			if (n <= 0)
				stdin_open = 0;
		}
	}
}

static int do_run(int argc, char **argv)
{
	struct run_args a;
	struct reply r = { 0 };

	if (parse_run(argc, argv, &a) < 0) {
		fprintf(stderr, "daemon_client: run [--tty] [--shell] [--login] [--cwd DIR] "
		        "[--env N=V] [--host FILE] PROG [ARGS...]\n");
		return 2;
	}
	hello(&r, CTL_VERSION);
	if (a.host)
		upload(a.host);
	send_run(&a);
	expect(&r, CTL_MSG_RUN);
	if (getenv("DAEMON_CLIENT_PID"))
		fprintf(stderr, "guest pid %d\n", (int)r.h.status);
	{
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;     /* no SA_RESTART: poll returns */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	return pump();
}

/* ---------------------------------------------------------------- raw */

/* After a bad frame: 0 when the daemon closes the connection (having
 * said why or not), 1 if it stays open. */
static int closed_soon(void)
{
	uint8_t buf[4096];
	struct pollfd p = { conn_fd, POLLIN, 0 };
	int ms = 5000;

	while (poll(&p, 1, ms) > 0) {
		ssize_t n = read(conn_fd, buf, sizeof(buf));

		if (n <= 0)
			return 0;
		if (n >= WIRE_HEADER_SIZE && ld_16(buf + 2) == CTL_MSG_ERROR)
			printf("error frame: %.*s\n", (int)(n - WIRE_HEADER_SIZE - 4),
			       (const char *)buf + WIRE_HEADER_SIZE + 4);
	}
	return 1;
}

static void header(uint8_t *h, uint16_t version, uint16_t type, uint32_t len)
{
	memset(h, 0, WIRE_HEADER_SIZE);
	st_16(h, version);
	st_16(h + 2, type);
	st_32(h + 20, len);
}

static int do_raw(const char *kind)
{
	uint8_t f[WIRE_HEADER_SIZE + 64];
	struct reply r = { 0 };
	size_t n = WIRE_HEADER_SIZE;

	if (strcmp(kind, "nohello") == 0) {
		struct ctl_ps q;

		memset(&q, 0, sizeof(q));
		send_frame(CTL_MSG_PS, 2, &q, sizeof(q));
		return closed_soon();
	}
	hello(&r, CTL_VERSION);
	if (strcmp(kind, "badversion") == 0)
		header(f, WIRE_VERSION + 7, CTL_MSG_PS, 0);
	else if (strcmp(kind, "oversized") == 0)
		header(f, WIRE_VERSION, CTL_MSG_INPUT, 0x7fffffffu);
	else if (strcmp(kind, "bigforits") == 0)
		header(f, WIRE_VERSION, CTL_MSG_KILL, 1u << 20);  /* legal size, not for KILL */
	else if (strcmp(kind, "unknowntype") == 0)
		header(f, WIRE_VERSION, 0x7777, 0);
	else if (strcmp(kind, "truncated") == 0) {
		header(f, WIRE_VERSION, CTL_MSG_KILL, 8);
		memset(f + n, 0, 3);
		n += 3;      /* then the end of the stream */
	} else if (strcmp(kind, "badpayload") == 0) {
		header(f, WIRE_VERSION, CTL_MSG_PS, 12);
		st_32(f + n, 0);
		st_32(f + n + 4, 0);
		st_32(f + n + 8, 0xffffffu);   /* a buffer longer than what follows */
		n += 12;
	} else if (strcmp(kind, "garbage") == 0) {
		size_t i;

		for (i = 0; i < sizeof(f); i++)
			f[i] = (uint8_t)(i * 37 + 11);
		n = sizeof(f);
	} else {
		fprintf(stderr, "daemon_client: raw: unknown kind %s\n", kind);
		return 2;
	}
	if (write_all(conn_fd, f, n) < 0)
		return 0;
	if (strcmp(kind, "truncated") == 0)
		shutdown(conn_fd, SHUT_WR);
	return closed_soon();
}

/* ---------------------------------------------------------------- bench */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int do_bench(int n)
{
	double *ms = calloc((size_t)n, sizeof(double)), sum = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct run_args a;
		struct reply r = { 0 };
		char *args[] = { "/bin/true" };
		double t0 = now_ms();
		int code;

		conn_fd = dial();
		parse_run(1, args, &a);
		hello(&r, CTL_VERSION);
		send_run(&a);
		expect(&r, CTL_MSG_RUN);
		code = pump();
		close(conn_fd);
		ms[i] = now_ms() - t0;
		sum += ms[i];
		if (code != 0) {
			fprintf(stderr, "daemon_client: /bin/true exited %d\n", code);
			return 1;
		}
	}
	qsort(ms, (size_t)n, sizeof(double), cmp_double);
	printf("connect+HELLO+RUN /bin/true+EXIT: %d runs, mean %.2f ms, median %.2f ms, "
	       "p95 %.2f ms\n", n, sum / n, ms[n / 2], ms[(n * 95) / 100]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *verb;

	signal(SIGPIPE, SIG_IGN);       /* a closed peer is an error from write, not a death */
	if (argc < 3) {
		fprintf(stderr, "usage: daemon_client SOCK hello|run|ps|kill|status|stop|raw|bench ...\n");
		return 2;
	}
	sock_path = argv[1];
	verb = argv[2];
	if (strcmp(verb, "bench") == 0)
		return do_bench(argc > 3 ? atoi(argv[3]) : 100);
	conn_fd = dial();
	if (strcmp(verb, "hello") == 0)
		return do_hello(argc - 3, argv + 3);
	if (strcmp(verb, "run") == 0)
		return do_run(argc - 3, argv + 3);
	if (strcmp(verb, "ps") == 0)
		return do_ps(argc - 3, argv + 3);
	if (strcmp(verb, "kill") == 0)
		return do_kill(argc - 3, argv + 3);
	if (strcmp(verb, "status") == 0)
		return do_status();
	if (strcmp(verb, "stop") == 0)
		return do_stop();
	if (strcmp(verb, "raw") == 0 && argc > 3)
		return do_raw(argv[3]);
	fprintf(stderr, "daemon_client: unknown verb %s\n", verb);
	return 2;
}
