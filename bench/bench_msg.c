/*
 * bench_msg.c: how fast msg is, against peers measured in the same run.
 *
 * Every measurement runs between two threads: two msg processes (msg_spawn)
 * for msg, two plain pthreads for the peers.
 *
 *   Round trip (median, p99; one clock_gettime pair around each trip):
 *     msg     msg_call() to an echo process that receives and replies
 *     futex   a bare futex ping-pong: wait for one's turn, wake the other,
 *             no spinning; and one that spins first and wakes only a
 *             sleeper, the way msg does, so the comparison is fair both ways
 *     pipe    two pipes, 1 byte each way
 *
 *   One-way throughput, one producer:
 *     msg     a ring of K MSG_F_NOTIFY messages; each completion comes back
 *             into the producer's inbox (MSG_F_REPLY) and is sent again
 *     pipe    8-byte writes, the reader drains in bulk
 *
 * A benchmark, not a test: it prints numbers and ratios, and the target
 * lines are informative; it exits 0 unless msg itself fails.
 *
 * Environment:
 *   NANOOS_BENCH_QUICK=1   a tenth of the iterations and time (smoke test)
 *   NANOOS_BENCH_NOPIN=1   let the scheduler place the two threads; by
 *                          default each side is pinned to its own CPU, as
 *                          a spinning receiver assumes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "msg/msg.h"

/* Polls before parking: the same count as PORT_SPINS of the threads backend
 * (msg/msg_port.h, internal to msg/), so the spinning futex peer spins as
 * long as msg does. */
#define BENCH_SPINS 2000

#define RT_ROUNDS 200000L       /* measured round trips (full run) */
#define RT_WARMUP 20000L        /* round trips before measuring */
#define TP_SECONDS 2            /* one-way measuring time (full run) */
#define TP_WARMUP 100000L       /* one-way messages before measuring */
#define TP_CLOCK_EVERY 4096     /* messages between clock reads */

enum { T_PING = 0x7e01, T_DATA, T_STOP, T_KICK };

static int quick;               /* NANOOS_BENCH_QUICK: 10x less */
static int pin = 1;             /* each side on its own CPU */
static int cpu_a, cpu_b;        /* the two CPUs the sides are pinned to */

/* ---------------------------------------------------------------- helpers */

static void die(const char *what, long r)
{
	fprintf(stderr, "bench_msg: %s failed (%ld)\n", what, r);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static long rt_rounds(void)
{
	return quick ? RT_ROUNDS / 10 : RT_ROUNDS;
}

static long rt_warmup(void)
{
	return quick ? RT_WARMUP / 10 : RT_WARMUP;
}

static uint64_t tp_ns(void)
{
	return (quick ? 100000000ull : 1000000000ull) * TP_SECONDS;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Pick the first two CPUs we may run on; with fewer, pinning is pointless. */
static void pick_cpus(void)
{
	cpu_set_t set;
	int i, n = 0;

	if (getenv("NANOOS_BENCH_NOPIN") || sched_getaffinity(0, sizeof(set), &set)) {
		pin = 0;
		return;
	}
	for (i = 0; i < CPU_SETSIZE && n < 2; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (n++ == 0)
			cpu_a = i;
		else
			cpu_b = i;
	}
	if (n < 2)
		pin = 0;
}

/* Pin the calling thread (a pthread or a msg process) to cpu. */
static void pin_self(int cpu)
{
	cpu_set_t set;

	if (!pin)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static uint64_t *samples_alloc(void)
{
	uint64_t *s = calloc((size_t)rt_rounds(), sizeof(*s));

	if (s == NULL)
		die("calloc", 0);
	return s;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

struct latency {
	double median_us;
	double p99_us;
};

/* Sort the samples and keep the median and the 99th percentile. */
static struct latency summarize(uint64_t *s, long n)
{
	struct latency l;

	qsort(s, (size_t)n, sizeof(*s), cmp_u64);
	l.median_us = (double)s[n / 2] / 1e3;
	l.p99_us = (double)s[(n * 99) / 100] / 1e3;
	return l;
}

/* What one clock_gettime costs: it is inside every sample. */
static double clock_overhead_ns(void)
{
	uint64_t t0 = now_ns(), t1;
	int i;

	for (i = 0; i < 100000; i++)
		now_ns();
	t1 = now_ns();
	return (double)(t1 - t0) / 100000.0;
}

static pthread_t start_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int r = pthread_create(&t, NULL, fn, arg);

	if (r)
		die("pthread_create", r);
	return t;
}

/* ---------------------------------------------------------------- msg server */

/* The receiving side of every msg measurement: the echo process of the
 * round trip and the consumer of the one-way run. Replies to everything;
 * T_STOP ends it, T_KICK (the watchdog's) is only answered. */
static void server_main(void *arg)
{
	msg_t *m;
	int r, stop;

	(void)arg;
	pin_self(cpu_b);
	for (;;) {
		r = msg_receive(&m, MSG_FOREVER);
		if (r)
			die("msg_receive (server)", r);
		/* m is its sender's again once replied: look first. */
		stop = m->type == T_STOP;
		msg_reply(m, 0);
		if (stop)
			return;
	}
}

/*
 * The watchdog. The measuring process publishes its progress; the main
 * process (process 0, idle otherwise) looks every 100 ms. A second without
 * progress means a wakeup was lost (both sides parked with work queued):
 * it sends the server a T_KICK, whose delivery wakes it, and counts the
 * stall, so the run ends and the report says so instead of hanging.
 */
#define WATCH_TICK_NS 100000000L
#define WATCH_STALL_TICKS 10
#define WATCH_MAX_KICKS 5

struct watch {
	uint64_t progress;      /* bumped by the measuring process */
	int finished;           /* set by it when it is done */
	unsigned stalls;        /* kicks that were needed */
};

static void watch_bump(struct watch *w, uint64_t v)
{
	__atomic_store_n(&w->progress, v, __ATOMIC_RELAXED);
}

static void watch_finish(struct watch *w)
{
	__atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
}

static void watch_kick(struct watch *w, msg_pid_t server, uint64_t at)
{
	msg_t kick;

	w->stalls++;
	fprintf(stderr, "bench_msg: no progress for %d ms at %llu: lost wakeup? "
	        "kicking the receiver\n", WATCH_STALL_TICKS * 100,
	        (unsigned long long)at);
	if (w->stalls > WATCH_MAX_KICKS) {
		fprintf(stderr, "bench_msg: still stalled after %d kicks, giving up\n",
		        WATCH_MAX_KICKS);
		exit(1);
	}
	msg_init(&kick, T_KICK, NULL, 0);
	msg_call(server, &kick, MSG_FOREVER);
}

/* Run by the main process until the measuring process finishes. */
static void watch_run(struct watch *w, msg_pid_t server)
{
	struct timespec tick = { 0, WATCH_TICK_NS };
	uint64_t last = UINT64_MAX, p;
	int still = 0;

	while (!__atomic_load_n(&w->finished, __ATOMIC_ACQUIRE)) {
		nanosleep(&tick, NULL);
		p = __atomic_load_n(&w->progress, __ATOMIC_RELAXED);
		if (p != last) {
			last = p;
			still = 0;
		} else if (++still >= WATCH_STALL_TICKS) {
			watch_kick(w, server, p);
			still = 0;
		}
	}
}

/* ---------------------------------------------------------------- msg round trip */

struct msg_rt {
	msg_pid_t echo;
	uint64_t *samples;
	struct watch watch;
};

static void rt_client_main(void *arg)
{
	struct msg_rt *c = arg;
	long i, warm = rt_warmup(), n = rt_rounds();
	uint64_t t0;
	msg_t m;
	int r;

	pin_self(cpu_a);
	/* A message is reusable once msg_call returns: init it once. */
	msg_init(&m, T_PING, NULL, 0);
	for (i = 0; i < warm + n; i++) {
		t0 = now_ns();
		r = msg_call(c->echo, &m, MSG_FOREVER);
		if (i >= warm)
			c->samples[i - warm] = now_ns() - t0;
		if (r)
			die("msg_call", r);
		watch_bump(&c->watch, (uint64_t)i);
	}
	watch_finish(&c->watch);
	msg_init(&m, T_STOP, NULL, 0);
	msg_call(c->echo, &m, MSG_FOREVER);
}

static struct latency bench_msg_rt(unsigned *stalls)
{
	struct msg_rt c = { .samples = samples_alloc() };
	msg_pid_t client;
	struct latency l;
	int r;

	if ((r = msg_spawn("echo", 0, server_main, NULL, 0, &c.echo)) ||
	    (r = msg_spawn("client", 0, rt_client_main, &c, 0, &client)))
		die("msg_spawn", r);
	watch_run(&c.watch, c.echo);
	msg_join(client);
	msg_join(c.echo);
	*stalls = c.watch.stalls;
	l = summarize(c.samples, rt_rounds());
	free(c.samples);
	return l;
}

/* ---------------------------------------------------------------- futex round trip */

static long futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/*
 * The word holds whose turn it is (bit 0). The bare hand-off waits and wakes
 * unconditionally. The spinning one polls BENCH_SPINS times, then sets
 * FX_WAITER before it sleeps, so that the passer makes the wake system call
 * only for a sleeper: what msg does with ST_WAITER and slot->sleeping.
 */
#define FX_TURN 0x1u
#define FX_WAITER 0x2u

struct fx_rt {
	uint32_t word;
	int spin;
	uint64_t *samples;
};

static void fx_pass(struct fx_rt *f, uint32_t to)
{
	uint32_t old;

	if (!f->spin) {
		__atomic_store_n(&f->word, to, __ATOMIC_SEQ_CST);
		futex(&f->word, FUTEX_WAKE_PRIVATE, 1);
		return;
	}
	old = __atomic_exchange_n(&f->word, to, __ATOMIC_SEQ_CST);
	if (old & FX_WAITER)
		futex(&f->word, FUTEX_WAKE_PRIVATE, 1);
}

static void fx_await_bare(struct fx_rt *f, uint32_t me)
{
	uint32_t v;

	while ((v = __atomic_load_n(&f->word, __ATOMIC_ACQUIRE)) != me)
		futex(&f->word, FUTEX_WAIT_PRIVATE, v);
}

static int fx_cas(uint32_t *word, uint32_t old, uint32_t new)
{
	return __atomic_compare_exchange_n(word, &old, new, 0, __ATOMIC_ACQ_REL,
	                                   __ATOMIC_ACQUIRE);
}

static void fx_await_spin(struct fx_rt *f, uint32_t me)
{
	uint32_t old;
	int i;

	for (i = 0; i < BENCH_SPINS; i++) {
		if ((__atomic_load_n(&f->word, __ATOMIC_ACQUIRE) & FX_TURN) == me)
			return;
		cpu_relax();
	}
	for (;;) {
		old = __atomic_load_n(&f->word, __ATOMIC_ACQUIRE);
		if ((old & FX_TURN) == me)
			return;
		if (!(old & FX_WAITER)) {
			if (!fx_cas(&f->word, old, old | FX_WAITER))
				continue;
			old |= FX_WAITER;
		}
		futex(&f->word, FUTEX_WAIT_PRIVATE, old);
	}
}

static void fx_await(struct fx_rt *f, uint32_t me)
{
	if (f->spin)
		fx_await_spin(f, me);
	else
		fx_await_bare(f, me);
}

/* Side 0 starts each round and times it. */
static void *fx_ping(void *arg)
{
	struct fx_rt *f = arg;
	long i, warm = rt_warmup(), n = rt_rounds();
	uint64_t t0;

	pin_self(cpu_a);
	for (i = 0; i < warm + n; i++) {
		t0 = now_ns();
		fx_pass(f, 1);
		fx_await(f, 0);
		if (i >= warm)
			f->samples[i - warm] = now_ns() - t0;
	}
	return NULL;
}

static void *fx_pong(void *arg)
{
	struct fx_rt *f = arg;
	long i, total = rt_warmup() + rt_rounds();

	pin_self(cpu_b);
	for (i = 0; i < total; i++) {
		fx_await(f, 1);
		fx_pass(f, 0);
	}
	return NULL;
}

static struct latency bench_futex_rt(int spin)
{
	struct fx_rt f = { .word = 0, .spin = spin, .samples = samples_alloc() };
	pthread_t a, b;
	struct latency l;

	b = start_thread(fx_pong, &f);
	a = start_thread(fx_ping, &f);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	l = summarize(f.samples, rt_rounds());
	free(f.samples);
	return l;
}

/* ---------------------------------------------------------------- pipe round trip */

struct pipe_rt {
	int ping[2];            /* side 0 -> side 1 */
	int pong[2];            /* side 1 -> side 0 */
	uint64_t *samples;
};

static void xfer(ssize_t (*op)(int, void *, size_t), int fd, void *buf, size_t len)
{
	ssize_t r = op(fd, buf, len);

	if (r != (ssize_t)len)
		die("pipe read/write", r < 0 ? -errno : r);
}

static ssize_t do_write(int fd, void *buf, size_t len)
{
	return write(fd, buf, len);
}

static void *pipe_ping(void *arg)
{
	struct pipe_rt *p = arg;
	long i, warm = rt_warmup(), n = rt_rounds();
	uint64_t t0;
	char c = 'x';

	pin_self(cpu_a);
	for (i = 0; i < warm + n; i++) {
		t0 = now_ns();
		xfer(do_write, p->ping[1], &c, 1);
		xfer(read, p->pong[0], &c, 1);
		if (i >= warm)
			p->samples[i - warm] = now_ns() - t0;
	}
	return NULL;
}

static void *pipe_pong(void *arg)
{
	struct pipe_rt *p = arg;
	long i, total = rt_warmup() + rt_rounds();
	char c;

	pin_self(cpu_b);
	for (i = 0; i < total; i++) {
		xfer(read, p->ping[0], &c, 1);
		xfer(do_write, p->pong[1], &c, 1);
	}
	return NULL;
}

static void close_pipe(int fd[2])
{
	close(fd[0]);
	close(fd[1]);
}

static struct latency bench_pipe_rt(void)
{
	struct pipe_rt p = { .samples = samples_alloc() };
	pthread_t a, b;
	struct latency l;

	if (pipe(p.ping) || pipe(p.pong))
		die("pipe", -errno);
	b = start_thread(pipe_pong, &p);
	a = start_thread(pipe_ping, &p);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	close_pipe(p.ping);
	close_pipe(p.pong);
	l = summarize(p.samples, rt_rounds());
	free(p.samples);
	return l;
}

/* ---------------------------------------------------------------- msg one-way */

struct msg_tp {
	msg_pid_t consumer;
	unsigned ring;
	uint64_t msgs;          /* completed while measuring */
	uint64_t ns;            /* measuring time */
	struct watch watch;
};

/* Send (or send again) one ring message; counts what is in flight. */
static int tp_send(struct msg_tp *t, msg_t *m)
{
	int r = msg_send(t->consumer, m);

	if (r)
		die("msg_send", r);
	return 1;
}

/* One ring entry per cache line: a msg_t is 56 bytes, and packed entries
 * would let the producer re-arming one message and the consumer completing
 * its neighbour fight over a line, which measures the ring, not msg. */
struct ring_msg {
	msg_t m;
} __attribute__((aligned(64)));

static void producer_main(void *arg)
{
	struct msg_tp *t = arg;
	uint64_t done = 0, t0 = 0, stop_at = 0, end = tp_ns();
	unsigned i, inflight = 0;
	int sending = 1;
	struct ring_msg *ring;
	msg_t *m, stop;
	int r;

	pin_self(cpu_a);
	ring = aligned_alloc(64, t->ring * sizeof(*ring));
	if (ring == NULL)
		die("aligned_alloc", 0);
	for (i = 0; i < t->ring; i++) {
		msg_init(&ring[i].m, T_DATA, NULL, 0);
		ring[i].m.flags = MSG_F_NOTIFY;
		inflight += tp_send(t, &ring[i].m);
	}
	while (inflight) {
		r = msg_receive(&m, MSG_FOREVER);
		if (r || !(m->flags & MSG_F_REPLY))
			die("msg_receive (producer)", r);
		inflight--;
		done++;
		watch_bump(&t->watch, done);
		/* Start the clock after the warm-up, read it only now and then. */
		if (done == (uint64_t)TP_WARMUP) {
			t0 = now_ns();
			stop_at = done;
		} else if (t0 && done % TP_CLOCK_EVERY == 0 && now_ns() - t0 >= end) {
			sending = 0;
		}
		if (sending)
			inflight += tp_send(t, m);
	}
	t->ns = now_ns() - t0;
	t->msgs = done - stop_at;
	free(ring);
	watch_finish(&t->watch);
	msg_init(&stop, T_STOP, NULL, 0);
	msg_call(t->consumer, &stop, MSG_FOREVER);
}

struct rate {
	double mps;             /* M messages per second */
	uint64_t msgs;
	double secs;
	unsigned stalls;        /* watchdog kicks (msg only) */
};

static struct rate rate_of(uint64_t msgs, uint64_t ns, unsigned stalls)
{
	struct rate r = { .msgs = msgs, .secs = (double)ns / 1e9, .stalls = stalls };

	r.mps = (double)msgs / ((double)ns / 1e3);
	return r;
}

static struct rate bench_msg_tp(unsigned ring)
{
	struct msg_tp t = { .ring = ring };
	msg_pid_t producer;
	int r;

	if ((r = msg_spawn("consumer", 0, server_main, NULL, 0, &t.consumer)) ||
	    (r = msg_spawn("producer", 0, producer_main, &t, 0, &producer)))
		die("msg_spawn", r);
	watch_run(&t.watch, t.consumer);
	msg_join(producer);
	msg_join(t.consumer);
	return rate_of(t.msgs, t.ns, t.watch.stalls);
}

/* ---------------------------------------------------------------- pipe one-way */

struct pipe_tp {
	int fd[2];
	uint64_t t0;            /* writer's first write */
	uint64_t t1;            /* reader's end of file */
	uint64_t bytes;
};

/* One write system call per 8-byte message: what a pipe costs per message. */
static void *pipe_writer(void *arg)
{
	struct pipe_tp *p = arg;
	uint64_t v = 0, end = tp_ns();

	pin_self(cpu_a);
	p->t0 = now_ns();
	for (;;) {
		xfer(do_write, p->fd[1], &v, sizeof(v));
		if (++v % TP_CLOCK_EVERY == 0 && now_ns() - p->t0 >= end)
			break;
	}
	close(p->fd[1]);
	return NULL;
}

/* The reader drains in bulk: the kindest reading of a pipe's throughput. */
static void *pipe_reader(void *arg)
{
	struct pipe_tp *p = arg;
	static char buf[65536];
	ssize_t r;

	pin_self(cpu_b);
	while ((r = read(p->fd[0], buf, sizeof(buf))) > 0)
		p->bytes += (uint64_t)r;
	if (r < 0)
		die("pipe read", -errno);
	p->t1 = now_ns();
	return NULL;
}

static struct rate bench_pipe_tp(void)
{
	struct pipe_tp p = { .bytes = 0 };
	pthread_t w, rd;

	if (pipe(p.fd))
		die("pipe", -errno);
	rd = start_thread(pipe_reader, &p);
	w = start_thread(pipe_writer, &p);
	pthread_join(w, NULL);
	pthread_join(rd, NULL);
	close(p.fd[0]);
	return rate_of(p.bytes / 8, p.t1 - p.t0, 0);
}

/* ---------------------------------------------------------------- report */

static void print_rt(const char *name, struct latency l)
{
	printf("  %-42s %10.3f %10.3f\n", name, l.median_us, l.p99_us);
}

static void print_ratio(const char *name, struct latency a, struct latency b)
{
	printf("  %-42s %10.2f %10.2f\n", name, a.median_us / b.median_us,
	       a.p99_us / b.p99_us);
}

static void print_tp(const char *name, struct rate r)
{
	printf("  %-42s %10.2f   (%llu msgs in %.2f s)\n", name, r.mps,
	       (unsigned long long)r.msgs, r.secs);
}

static void print_stalls(const char *what, unsigned stalls)
{
	if (stalls)
		printf("  ^ %s: %u stall(s) of >= 1 s without progress (lost wakeup?), "
		       "kicked by the watchdog\n",
		       what, stalls);
}

static void print_header(void)
{
	printf("bench_msg: %ld CPUs online, %s; %ld round trips after %ld warm-up%s\n",
	       sysconf(_SC_NPROCESSORS_ONLN),
	       pin ? "each side pinned to its own CPU" : "unpinned",
	       rt_rounds(), rt_warmup(), quick ? " (NANOOS_BENCH_QUICK)" : "");
	printf("  clock_gettime costs %.0f ns; about one is inside each round-trip "
	       "sample\n\n", clock_overhead_ns());
}

/* The round trips; returns msg's and the bare futex's for the target line. */
static void round_trips(struct latency *msg, struct latency *futex)
{
	struct latency spin, pipe;
	unsigned stalls;

	printf("Round trip, two threads                    median µs     p99 µs\n");
	*msg = bench_msg_rt(&stalls);
	print_rt("msg: msg_call -> msg_receive/msg_reply", *msg);
	print_stalls("msg round trip", stalls);
	*futex = bench_futex_rt(0);
	print_rt("futex, bare (wait/wake, no spin)", *futex);
	spin = bench_futex_rt(1);
	print_rt("futex, spin 2000 then wait (waiter bit)", spin);
	pipe = bench_pipe_rt();
	print_rt("pipe, 1 byte each way", pipe);
	print_ratio("ratio msg/futex (bare)", *msg, *futex);
	print_ratio("ratio msg/futex (spin)", *msg, spin);
	print_ratio("ratio msg/pipe", *msg, pipe);
}

/* The one-way runs; returns msg's best. */
static struct rate one_way(unsigned *best_ring)
{
	static const unsigned rings[] = { 256, 1024 };
	struct rate r, best = { .mps = 0 }, pipe;
	char name[64];
	unsigned i;

	printf("\nOne-way throughput, one producer           M msgs/s\n");
	for (i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		r = bench_msg_tp(rings[i]);
		snprintf(name, sizeof(name), "msg, MSG_F_NOTIFY ring K=%u", rings[i]);
		print_tp(name, r);
		print_stalls("msg one-way", r.stalls);
		if (r.mps > best.mps) {
			best = r;
			*best_ring = rings[i];
		}
	}
	pipe = bench_pipe_tp();
	print_tp("pipe, 8-byte writes, bulk reads", pipe);
	printf("  %-42s %10.2f\n", "ratio msg (best K)/pipe", best.mps / pipe.mps);
	return best;
}

int main(void)
{
	const char *q = getenv("NANOOS_BENCH_QUICK");
	struct latency msg, futex;
	struct rate best;
	unsigned ring = 0;
	int r;

	quick = q && q[0] && strcmp(q, "0") != 0;
	pick_cpus();
	setvbuf(stdout, NULL, _IOLBF, 0);
	r = msg_init_runtime("bench");
	if (r)
		die("msg_init_runtime", r);
	print_header();
	round_trips(&msg, &futex);
	best = one_way(&ring);

	printf("\ntarget: msg round trip <= bare futex round trip: %s "
	       "(median %.3f vs %.3f µs)\n",
	       msg.median_us <= futex.median_us ? "MET" : "NOT MET",
	       msg.median_us, futex.median_us);
	printf("target: one-way >= 20 M msgs/s: %s (best %.2f M msgs/s, K=%u)\n",
	       best.mps >= 20.0 ? "MET" : "NOT MET", best.mps, ring);
	msg_shutdown_runtime();
	return 0;
}
