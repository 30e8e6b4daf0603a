/*
 * test_sched.c: sched and memmgr at the message level: the process table
 * (spawn, fork, exit, wait with and without WNOHANG, orphans), who may ask
 * for what, kill permissions, pipes (EOF, EPIPE, non-blocking, a held read
 * finished by a later write, a cancelled wait), and memmgr's accounts
 * (brk, mmap, munmap, limits, clone, free).
 *
 * The test thread is the tool that boots the instance; a process started
 * as ("sched", 1) plays the CPU worker the requests must come from.
 */
#include <stdlib.h>
#include <string.h>

#include "kproc/kproc.h"
#include "kproc/memmgr.h"
#include "kproc/sched.h"
#include "testutil.h"

static struct sched_config scfg;
static struct memmgr_config mcfg;
static msg_pid_t sched_pid, mem_pid;

static void boot(void)
{
	ck_assert_int_eq(msg_init_runtime("tool"), 0);
	memset(&scfg, 0, sizeof(scfg));
	scfg.alloc = malloc;
	scfg.release = free;
	scfg.max_procs_per_user = 8;
	ck_assert_int_eq(sched_start(&scfg, &sched_pid), 0);
	memset(&mcfg, 0, sizeof(mcfg));
	mcfg.alloc = malloc;
	mcfg.release = free;
	mcfg.total_limit = 64u << 20;
	ck_assert_int_eq(memmgr_start(&mcfg, &mem_pid), 0);
}

static void halt(void)
{
	ck_assert_int_eq(kproc_stop(mem_pid, MSG_FOREVER), 0);
	ck_assert_int_eq(kproc_stop(sched_pid, MSG_FOREVER), 0);
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

static int32_t call(msg_pid_t to, uint16_t type, void *payload, uint32_t size)
{
	msg_t m;

	msg_init(&m, type, payload, size);
	return msg_call(to, &m, 5000000000ll);
}

#define TEST_MSG_GO 0x7777

/* A worker waits for the tool's go (after the tool spawned its guests). */
static void *await_go(void)
{
	msg_t *m;
	void *p;

	ck_assert_int_eq(msg_receive(&m, 5000000000ll), 0);
	ck_assert_int_eq(m->type, TEST_MSG_GO);
	p = m->payload;
	msg_reply(m, 0);
	return p;
}

/* Run fn as the worker ("sched", 1) and wait for it to finish. */
static void as_worker(void (*fn)(void *), void *arg)
{
	msg_pid_t pid;

	ck_assert_int_eq(kproc_start("sched", 1, fn, arg, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
}

static int32_t spawn_guest(uint32_t uid)
{
	struct sched_spawn s;

	memset(&s, 0, sizeof(s));
	s.cred.uid = uid;
	s.cmd = "test";
	return call(sched_pid, SCHED_MSG_SPAWN, &s, sizeof(s));
}

static int32_t exited(uint32_t pid, int32_t wstatus)
{
	struct sched_exited e = { pid, wstatus, 1234, 5 };

	return call(sched_pid, SCHED_MSG_EXITED, &e, sizeof(e));
}

static int32_t forked(uint32_t ppid)
{
	struct sched_spawn s;

	memset(&s, 0, sizeof(s));
	s.ppid = ppid;
	return call(sched_pid, SCHED_MSG_FORKED, &s, sizeof(s));
}

static int32_t wait_for(uint32_t waiter, int32_t pid, uint32_t options, int32_t *ws)
{
	struct sched_wait w;
	int32_t r;

	memset(&w, 0, sizeof(w));
	w.waiter = waiter;
	w.pid = pid;
	w.options = options;
	r = call(sched_pid, SCHED_MSG_WAIT, &w, sizeof(w));
	if (ws)
		*ws = w.wstatus;
	return r;
}

/* ---------------------------------------------------------------- the table */

struct fork_case {
	int32_t parent;
	int32_t result;
};

static void worker_fork_exit_wait(void *arg)
{
	struct fork_case *c = arg;
	int32_t child, ws = 0, r;

	await_go();
	child = forked((uint32_t)c->parent);
	ck_assert_int_gt(child, 0);
	ck_assert_int_eq(wait_for((uint32_t)c->parent, child, SCHED_WNOHANG, NULL), 0);
	ck_assert_int_eq(exited((uint32_t)child, 7 << 8), 0);
	ck_assert_int_eq(exited((uint32_t)child, 0), -NOS_ESRCH);   /* only once */
	r = wait_for((uint32_t)c->parent, -1, 0, &ws);
	ck_assert_int_eq(r, child);
	ck_assert_int_eq(ws, 7 << 8);
	ck_assert_int_eq(wait_for((uint32_t)c->parent, -1, 0, NULL), -NOS_ECHILD);
	/* A request naming a guest of this worker that does not exist. */
	ck_assert_int_eq(forked(999), -NOS_EPERM);
	c->result = 1;
}

START_TEST(fork_exit_wait)
{
	struct fork_case c = { 0, 0 };
	msg_pid_t w;

	boot();
	ck_assert_int_eq(kproc_start("sched", 1, worker_fork_exit_wait, &c, 0, &w), 0);
	/* The tool spawns a guest; sched picks the only worker. */
	c.parent = spawn_guest(1000);
	ck_assert_int_gt(c.parent, 1);
	ck_assert_int_eq(call(w, TEST_MSG_GO, NULL, 0), 0);
	ck_assert_int_eq(msg_join(w), 0);
	ck_assert_int_eq(c.result, 1);
	halt();
}
END_TEST

static void worker_idle(void *arg)
{
	(void)arg;
	await_go();
}

START_TEST(tool_spawns_and_reaps)
{
	int32_t pid, ws = 0;

	boot();
	ck_assert_int_eq(spawn_guest(0), -NOS_EAGAIN);           /* no worker yet */
	{
		msg_pid_t w;
		struct sched_exited e;

		ck_assert_int_eq(kproc_start("sched", 1, worker_idle, NULL, 0, &w), 0);
		pid = spawn_guest(0);
		ck_assert_int_gt(pid, 0);
		ck_assert_int_eq(call(w, TEST_MSG_GO, NULL, 0), 0);
		ck_assert_int_eq(msg_join(w), 0);
		/* The tool reports a guest its worker never started. */
		e.pid = (uint32_t)pid;
		e.wstatus = 127 << 8;
		e.instret = 0;
		e.syscalls = 0;
		ck_assert_int_eq(call(sched_pid, SCHED_MSG_EXITED, &e, sizeof(e)), 0);
	}
	ck_assert_int_eq(wait_for(0, pid, 0, &ws), pid);
	ck_assert_int_eq(ws, 127 << 8);
	ck_assert_int_eq(wait_for(0, -1, SCHED_WNOHANG, NULL), -NOS_ECHILD);
	halt();
}
END_TEST

START_TEST(only_workers_speak_for_guests)
{
	struct sched_pipe_io io;
	struct sched_pgid pg = { 2, 0, 0 };
	char b[4];

	boot();
	ck_assert_int_eq(forked(2), -NOS_EPERM);
	ck_assert_int_eq(wait_for(2, -1, 0, NULL), -NOS_EPERM);
	ck_assert_int_eq(call(sched_pid, SCHED_MSG_PIPE, NULL, 0), -NOS_EPERM);
	memset(&io, 0, sizeof(io));
	io.buf = b;
	io.len = sizeof(b);
	ck_assert_int_eq(call(sched_pid, SCHED_MSG_PIPE_IO, &io, sizeof(io)), -NOS_EPERM);
	ck_assert_int_eq(call(sched_pid, SCHED_MSG_PGID, &pg, sizeof(pg)), -NOS_EPERM);
	{
		struct memmgr_req q = { 2, 4096, 8192, 1u << 20 };

		ck_assert_int_eq(call(mem_pid, MEMMGR_MSG_NEW, &q, sizeof(q)), -NOS_EPERM);
	}
	halt();
}
END_TEST

/* ---------------------------------------------------------------- kill */

struct kill_case {
	int32_t a, b;                      /* guests of uid 1000 and 1001 */
};

static int32_t kill_from(uint32_t sender, int32_t pid, uint32_t sig)
{
	struct sched_kill k = { sender, pid, sig, 0 };

	return call(sched_pid, SCHED_MSG_KILL, &k, sizeof(k));
}

static void worker_kill(void *arg)
{
	struct kill_case *c;
	msg_t *m;
	int got = 0;

	(void)arg;
	c = await_go();

	ck_assert_int_eq(kill_from((uint32_t)c->a, c->b, 15), -NOS_EPERM);  /* other user */
	ck_assert_int_eq(kill_from((uint32_t)c->a, 4242, 15), -NOS_ESRCH);
	ck_assert_int_eq(kill_from((uint32_t)c->a, c->a, 0), 0);            /* probe */
	ck_assert_int_eq(kill_from((uint32_t)c->a, c->a, 10), 0);
	/* The signal arrives as a notice for this worker. */
	while (!got && msg_receive(&m, 2000000000) == 0) {
		if (m->type == WORKER_MSG_SIGNAL) {
			struct worker_signal *s = m->payload;

			ck_assert_int_eq(s->pid, c->a);
			ck_assert_int_eq(s->sig, 10);
			got = 1;
		}
		msg_reply(m, 0);
	}
	ck_assert_int_eq(got, 1);
	ck_assert_int_eq(kill_from((uint32_t)c->a, c->a, 65), -NOS_EINVAL);
}

START_TEST(kill_checks_users)
{
	struct kill_case c;
	msg_pid_t w;

	boot();
	ck_assert_int_eq(kproc_start("sched", 1, worker_kill, NULL, 0, &w), 0);
	c.a = spawn_guest(1000);
	c.b = spawn_guest(1001);
	ck_assert_int_gt(c.a, 0);
	ck_assert_int_gt(c.b, 0);
	ck_assert_int_eq(kill_from(0, c.b, 0), 0);            /* the tool may */
	{
		/* A console's kill reaches only its own session (each spawned
		 * guest leads one): b is out of a's. */
		struct sched_kill k = { 0, c.b, 0, (uint32_t)c.a };

		ck_assert_int_eq(call(sched_pid, SCHED_MSG_KILL, &k, sizeof(k)), -NOS_ESRCH);
		k.sid = (uint32_t)c.b;
		ck_assert_int_eq(call(sched_pid, SCHED_MSG_KILL, &k, sizeof(k)), 0);
	}
	ck_assert_int_eq(call(w, TEST_MSG_GO, &c, sizeof(c)), 0);
	ck_assert_int_eq(msg_join(w), 0);
	halt();
}
END_TEST

/* ---------------------------------------------------------------- pipes */

static int32_t pipe_io(uint32_t id, uint32_t dir, void *buf, uint32_t len, uint32_t nonblock)
{
	struct sched_pipe_io io = { id, dir, buf, len, nonblock };

	return call(sched_pid, SCHED_MSG_PIPE_IO, &io, sizeof(io));
}

static int32_t pipe_ref(uint32_t id, uint32_t end, int32_t delta)
{
	struct sched_pipe_ref q = { id, end, delta };

	return call(sched_pid, SCHED_MSG_PIPE_REF, &q, sizeof(q));
}

static void worker_pipes(void *arg)
{
	char buf[100];
	int32_t id = call(sched_pid, SCHED_MSG_PIPE, NULL, 0);
	struct sched_pipe_io held = { 0, SCHED_PIPE_READ, buf, sizeof(buf), 0 };
	msg_t m;

	(void)arg;
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_READ, buf, 10, 1), -NOS_EAGAIN);
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_WRITE, "hello", 5, 0), 5);
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_READ, buf, 3, 0), 3);
	ck_assert_int_eq(memcmp(buf, "hel", 3), 0);
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_READ, buf, 10, 0), 2);
	/* A read of an empty pipe is held until a write comes. */
	held.pipe = (uint32_t)id;
	msg_init(&m, SCHED_MSG_PIPE_IO, &held, sizeof(held));
	m.flags = 0;
	ck_assert_int_eq(msg_send(sched_pid, &m), 0);
	ck_assert_int_eq(msg_wait(&m, 50000000), -NOS_ETIMEDOUT);
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_WRITE, "world", 5, 0), 5);
	ck_assert_int_eq(msg_wait(&m, 2000000000), 5);
	ck_assert_int_eq(memcmp(buf, "world", 5), 0);
	/* A held read is cancelled by its sender. */
	msg_init(&m, SCHED_MSG_PIPE_IO, &held, sizeof(held));
	ck_assert_int_eq(msg_send(sched_pid, &m), 0);
	ck_assert_int_eq(msg_wait(&m, 20000000), -NOS_ETIMEDOUT);
	ck_assert_int_eq(msg_cancel(&m), 0);
	ck_assert_int_eq(msg_wait(&m, 2000000000), -NOS_ECANCELED);
	/* Writers gone: EOF; readers gone: EPIPE. */
	ck_assert_int_eq(pipe_ref((uint32_t)id, SCHED_PIPE_WRITE, -1), 0);
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_READ, buf, 10, 0), 0);
	ck_assert_int_eq(pipe_ref((uint32_t)id, SCHED_PIPE_WRITE, -1), -NOS_EINVAL);
	ck_assert_int_eq(pipe_ref((uint32_t)id, SCHED_PIPE_WRITE, 1), 0);
	ck_assert_int_eq(pipe_ref((uint32_t)id, SCHED_PIPE_READ, -1), 0);
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_WRITE, "x", 1, 0), -NOS_EPIPE);
	ck_assert_int_eq(pipe_ref((uint32_t)id, SCHED_PIPE_WRITE, -1), 0);
	/* Both ends closed: the pipe is gone. */
	ck_assert_int_eq(pipe_io((uint32_t)id, SCHED_PIPE_READ, buf, 1, 0), -NOS_EBADF);
	ck_assert_int_eq(pipe_io(99999, SCHED_PIPE_READ, buf, 1, 0), -NOS_EBADF);
}

START_TEST(pipes)
{
	boot();
	as_worker(worker_pipes, NULL);
	halt();
}
END_TEST

static void worker_pipe_fill(void *arg)
{
	static char big[70000];
	int32_t id = call(sched_pid, SCHED_MSG_PIPE, NULL, 0);
	int32_t n, total = 0;

	(void)arg;
	ck_assert_int_ge(id, 0);
	/* A full pipe takes what fits, then refuses a non-blocking write. */
	while ((n = pipe_io((uint32_t)id, SCHED_PIPE_WRITE, big, sizeof(big), 1)) > 0)
		total += n;
	ck_assert_int_eq(n, -NOS_EAGAIN);
	ck_assert_int_gt(total, 0);
	while ((n = pipe_io((uint32_t)id, SCHED_PIPE_READ, big, sizeof(big), 1)) > 0)
		total -= n;
	ck_assert_int_eq(total, 0);
}

START_TEST(pipe_fills_up)
{
	boot();
	as_worker(worker_pipe_fill, NULL);
	halt();
}
END_TEST

/* ---------------------------------------------------------------- memmgr */

static int32_t mem(uint16_t type, uint32_t pid, uint32_t a, uint32_t b, uint32_t len,
                   struct memmgr_req *out)
{
	struct memmgr_req q = { pid, a, b, len };
	int32_t r = call(mem_pid, type, &q, sizeof(q));

	if (out)
		*out = q;
	return r;
}

static void worker_memory(void *arg)
{
	struct memmgr_req q;
	uint32_t a1, a2;

	(void)arg;
	/* Guest 5: program ends at 0x20000, maps below 0x3800000, 16 MiB. */
	ck_assert_int_eq(mem(MEMMGR_MSG_NEW, 5, 0x20000, 0x3800000, 16u << 20, NULL), 0);
	ck_assert_int_eq(mem(MEMMGR_MSG_BRK, 5, 0, 0, 0, NULL), 0x20000);    /* below start */
	ck_assert_int_eq(mem(MEMMGR_MSG_BRK, 5, 0x30000, 0, 0, NULL), 0x30000);
	ck_assert_int_eq(mem(MEMMGR_MSG_BRK, 5, 0x20000 + (17u << 20), 0, 0, NULL),
	                 0x30000);                                           /* over the limit */
	ck_assert_int_eq(mem(MEMMGR_MSG_MMAP, 5, 0, 0, 1u << 20, &q), 0);
	a1 = q.a;
	ck_assert_uint_eq(a1, 0x3800000 - (1u << 20));
	ck_assert_int_eq(mem(MEMMGR_MSG_MMAP, 5, 0, 0, 4096, &q), 0);
	a2 = q.a;
	ck_assert_uint_eq(a2, a1 - 4096);
	ck_assert_int_eq(mem(MEMMGR_MSG_MMAP, 5, 0, 0, 100, NULL), -NOS_EINVAL);
	ck_assert_int_eq(mem(MEMMGR_MSG_USAGE, 5, 0, 0, 0, &q), 0);
	ck_assert_uint_eq(q.len, 0x10000 + (1u << 20) + 4096);
	/* Unmapping the middle of a mapping splits it; the hole is reused. */
	ck_assert_int_eq(mem(MEMMGR_MSG_MUNMAP, 5, a1 + 4096, 0, 4096, NULL), 0);
	ck_assert_int_eq(mem(MEMMGR_MSG_USAGE, 5, 0, 0, 0, &q), 0);
	ck_assert_uint_eq(q.len, 0x10000 + (1u << 20));
	ck_assert_int_eq(mem(MEMMGR_MSG_MMAP, 5, 0, 0, 4096, &q), 0);
	ck_assert_uint_eq(q.a, a1 + 4096);
	/* brk cannot grow into a mapping. */
	ck_assert_int_eq(mem(MEMMGR_MSG_BRK, 5, a2 + 4096, 0, 0, NULL), 0x30000);
	/* A fork copies the account; the instance total (64 MiB) counts both. */
	ck_assert_int_eq(mem(MEMMGR_MSG_CLONE, 5, 6, 0, 0, NULL), 0);
	ck_assert_int_eq(mem(MEMMGR_MSG_USAGE, 6, 0, 0, 0, &q), 0);
	ck_assert_uint_eq(q.len, 0x10000 + (1u << 20) + 4096);
	ck_assert_int_eq(mem(MEMMGR_MSG_CLONE, 5, 6, 0, 0, NULL), -NOS_EINVAL);
	ck_assert_int_eq(mem(MEMMGR_MSG_NEW, 7, 0x20000, 0x3800000, 60u << 20, NULL), 0);
	ck_assert_int_eq(mem(MEMMGR_MSG_MMAP, 7, 0, 0, 60u << 20, NULL), -NOS_ENOMEM);
	ck_assert_int_eq(mem(MEMMGR_MSG_FREE, 5, 0, 0, 0, NULL), 0);
	ck_assert_int_eq(mem(MEMMGR_MSG_USAGE, 5, 0, 0, 0, NULL), -NOS_ESRCH);
	ck_assert_int_eq(mem(MEMMGR_MSG_FREE, 6, 0, 0, 0, NULL), 0);
	ck_assert_int_eq(mem(MEMMGR_MSG_MMAP, 7, 0, 0, 40u << 20, NULL), 0);
}

START_TEST(memory_accounts)
{
	boot();
	as_worker(worker_memory, NULL);
	halt();
}
END_TEST

static Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, fork_exit_wait);
	tcase_add_test(tc, tool_spawns_and_reaps);
	tcase_add_test(tc, only_workers_speak_for_guests);
	tcase_add_test(tc, kill_checks_users);
	tcase_add_test(tc, pipes);
	tcase_add_test(tc, pipe_fills_up);
	tcase_add_test(tc, memory_accounts);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(sched_suite)
