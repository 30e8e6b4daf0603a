/*
 * msg_coro.c: the coroutine backend of msg (AVR; also built and tested on
 * Linux). Every process is a coroutine with its own stack; the one that
 * called msg_init_runtime() runs on the original stack. Nothing preempts:
 * a coroutine runs until it waits (msg_receive, msg_wait, msg_join,
 * msg_sleep_ns) or yields.
 *
 * A wait is (word, expected value, deadline). The scheduler resumes, round
 * robin, the next coroutine whose word changed or whose deadline passed, so
 * no wake-up can be lost. When none can run it idles until the earliest
 * deadline; when none can run and none has a deadline, every process waits
 * for another: that is a deadlock, reported as a fatal error, not a hang.
 *
 * Switches are announced to AddressSanitizer and ThreadSanitizer, which
 * otherwise take a stack switch for stack corruption.
 */
#include <stdlib.h>
#include <string.h>

#include "msg/coro_arch.h"
#include "msg/msg_coro.h"
#include "msg/msg_port.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define CORO_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define CORO_TSAN 1
#endif

#ifdef __AVR__
#define DEFAULT_STACK_SIZE 512u
#elif defined(CORO_ASAN) || defined(CORO_TSAN)
#define DEFAULT_STACK_SIZE (512u * 1024u)
#else
#define DEFAULT_STACK_SIZE (128u * 1024u)
#endif

struct port_proc {
	void *sp;                   /* saved stack pointer while switched out */
	void *stack;                /* NULL: the original stack */
	size_t stack_size;
	uint32_t *wait_word;
	uint32_t wait_expect;
	uint64_t deadline;          /* 0: none */
	uint8_t waiting;
	uint8_t started;
	uint8_t finished;
#ifdef CORO_ASAN
	void *fake_stack;
	const void *asan_bottom;
	size_t asan_size;
#endif
#ifdef CORO_TSAN
	void *fiber;
#endif
};

static struct port_proc procs[MSG_MAX_PROCS];
static struct msg_slot *current;

#ifdef CORO_ASAN
static struct port_proc *switched_from;

/* After a switch: the original stack has no allocation of ours to take its
 * bounds from, so learn them when we first leave it. */
static void asan_arrived(void *fake_stack)
{
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(fake_stack, &bottom, &size);
	if (switched_from && switched_from->stack == NULL && switched_from->asan_bottom == NULL) {
		switched_from->asan_bottom = bottom;
		switched_from->asan_size = size;
	}
}
#endif

int port_runtime_init(struct msg_slot *first)
{
	unsigned i;

	for (i = 0; i < MSG_MAX_PROCS; i++)
		msg_slots[i].port = &procs[i];
	procs[first - msg_slots].started = 1;
#ifdef CORO_TSAN
	procs[first - msg_slots].fiber = __tsan_get_current_fiber();
#endif
	return 0;
}

void port_runtime_fini(struct msg_slot *first)
{
	struct port_proc *p = first->port;

	p->started = 0;
	p->finished = 0;
}

struct msg_slot *port_current(void)
{
	return current;
}

void port_set_current(struct msg_slot *s)
{
	current = s;
}

/* ---------------------------------------------------------------- switching */

static void switch_to(struct msg_slot *next)
{
	struct port_proc *from = current->port;
	struct port_proc *to = next->port;

	current = next;
#ifdef CORO_ASAN
	switched_from = from;
	__sanitizer_start_switch_fiber(from->finished ? NULL : &from->fake_stack,
	                               to->asan_bottom, to->asan_size);
#endif
#ifdef CORO_TSAN
	__tsan_switch_to_fiber(to->fiber, 0);
#endif
	coro_switch(&from->sp, to->sp);
	/* Back in `from`: someone switched to us. */
#ifdef CORO_ASAN
	asan_arrived(from->fake_stack);
#endif
}

/* A new coroutine's first instructions (called by coro_trampoline). */
void coro_boot(void)
{
#ifdef CORO_ASAN
	asan_arrived(NULL);
#endif
	msg_core_body(current);
}

static int schedulable(struct msg_slot *s)
{
	struct port_proc *p = s->port;

	return p->started && !p->finished && (s->life & 0xff) != SLOT_FREE &&
	       (s->life & 0xff) != SLOT_ZOMBIE;
}

static int ready(struct msg_slot *s, uint64_t now)
{
	struct port_proc *p = s->port;

	if (!p->waiting)
		return 1;
	if (*p->wait_word != p->wait_expect)
		return 1;
	return p->deadline != 0 && now >= p->deadline;
}

/* Run the next ready coroutine after the current one (the current one last);
 * return when the current one is ready again. */
static void schedule(void)
{
	unsigned first = (unsigned)(current - msg_slots);
	unsigned n, i;
	uint64_t now, earliest;
	struct msg_slot *s;

	for (;;) {
		now = port_clock_ns();
		earliest = 0;
		for (n = 1; n <= MSG_MAX_PROCS; n++) {
			i = (first + n) % MSG_MAX_PROCS;
			s = &msg_slots[i];
			if (!schedulable(s))
				continue;
			if (ready(s, now)) {
				if (s != current)
					switch_to(s);
				return;
			}
			if (s->port->deadline && (earliest == 0 || s->port->deadline < earliest))
				earliest = s->port->deadline;
		}
		if (earliest == 0)
			port_fatal("deadlock: every NanoOs process waits for another and none has a timeout");
		port_idle_until(earliest);
	}
}

int port_wait(uint32_t *word, uint32_t expect, uint64_t deadline_ns)
{
	struct port_proc *p = current->port;

	p->wait_word = word;
	p->wait_expect = expect;
	p->deadline = deadline_ns;
	p->waiting = 1;
	schedule();
	p->waiting = 0;
	if (*word == expect && deadline_ns && port_clock_ns() >= deadline_ns)
		return -NOS_ETIMEDOUT;
	return 0;
}

void port_wake(uint32_t *word)
{
	(void)word;             /* the scheduler sees the changed word itself */
}

void port_relax(void)
{
}

void port_lock(void)
{
}

void port_unlock(void)
{
}

void port_yield(void)
{
	schedule();
}

/* ---------------------------------------------------------------- lifetimes */

int port_start(struct msg_slot *s, size_t stack_size)
{
	struct port_proc *p = s->port;

	if (stack_size == 0)
		stack_size = DEFAULT_STACK_SIZE;
	p->stack = malloc(stack_size);
	if (p->stack == NULL)
		return -NOS_ENOMEM;
	p->stack_size = stack_size;
#ifdef __AVR__
	memset(p->stack, MSG_CORO_STACK_PAINT, stack_size);   /* for msg_coro_stack_use */
#endif
	p->sp = coro_stack_init(p->stack, stack_size);
	p->waiting = 0;
	p->finished = 0;
	p->deadline = 0;
#ifdef CORO_ASAN
	p->asan_bottom = p->stack;
	p->asan_size = stack_size;
	p->fake_stack = NULL;
#endif
#ifdef CORO_TSAN
	p->fiber = __tsan_create_fiber(0);
#endif
	p->started = 1;
	return 0;
}

int port_join(struct msg_slot *s)
{
	struct port_proc *p = s->port;
	uint32_t life;

	while (((life = s->life) & 0xff) != SLOT_ZOMBIE)
		port_wait(&s->life, life, 0);
#ifdef CORO_TSAN
	__tsan_destroy_fiber(p->fiber);
	p->fiber = NULL;
#endif
	free(p->stack);
	p->stack = NULL;
	p->started = 0;
	p->finished = 0;
	return 0;
}

void port_exit_current(void)
{
	current->port->finished = 1;
	schedule();
	port_fatal("a finished coroutine was resumed");
}

/* ---------------------------------------------------------------- measures */

int msg_coro_stack_use(unsigned slot, char *name, unsigned *index, size_t *size, size_t *used)
{
	struct msg_slot *s;
	struct port_proc *p;
	const uint8_t *b;
	size_t untouched = 0;

	if (slot >= MSG_MAX_PROCS)
		return -NOS_EINVAL;
	s = &msg_slots[slot];
	p = &procs[slot];
	if (!schedulable(s) || p->stack == NULL)
		return -NOS_ESRCH;
	b = p->stack;
	while (untouched < p->stack_size && b[untouched] == MSG_CORO_STACK_PAINT)
		untouched++;
	memcpy(name, s->name, MSG_NAME_MAX);
	*index = s->index;
	*size = p->stack_size;
	*used = p->stack_size - untouched;
	return 0;
}
