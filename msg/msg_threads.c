/*
 * msg_threads.c: the Linux backend of msg. A process is a pthread; a parked
 * receiver or caller sleeps on a private futex, and the other side makes the
 * futex_wake system call only when the sleeper announced itself (msg_core.c).
 * This is port code: the only file of msg/ that uses pthreads and futexes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "msg/msg_port.h"

#define DEFAULT_STACK_SIZE (256u * 1024u)

struct port_proc {
	pthread_t thread;
};

static struct port_proc procs[MSG_MAX_PROCS];
static __thread struct msg_slot *current;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

int port_runtime_init(struct msg_slot *first)
{
	unsigned i;

	(void)first;
	for (i = 0; i < MSG_MAX_PROCS; i++)
		msg_slots[i].port = &procs[i];
	return 0;
}

void port_runtime_fini(struct msg_slot *first)
{
	(void)first;
}

struct msg_slot *port_current(void)
{
	return current;
}

void port_set_current(struct msg_slot *s)
{
	current = s;
}

int port_wait(uint32_t *word, uint32_t expect, uint64_t deadline_ns)
{
	struct timespec ts, *tsp = NULL;
	long r;

	if (deadline_ns) {
		if (port_clock_ns() >= deadline_ns)
			return -NOS_ETIMEDOUT;
		ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
		ts.tv_nsec = (long)(deadline_ns % 1000000000u);
		tsp = &ts;
	}
	/* FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. */
	r = syscall(SYS_futex, word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expect,
	            tsp, NULL, FUTEX_BITSET_MATCH_ANY);
	if (r < 0 && errno == ETIMEDOUT)
		return -NOS_ETIMEDOUT;
	return 0;
}

void port_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
}

void port_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

void port_lock(void)
{
	pthread_mutex_lock(&table_lock);
}

void port_unlock(void)
{
	pthread_mutex_unlock(&table_lock);
}

static void *thread_main(void *arg)
{
	msg_core_body(arg);
	return NULL;
}

int port_start(struct msg_slot *s, size_t stack_size)
{
	pthread_attr_t attr;
	int r;

	if (stack_size == 0)
		stack_size = DEFAULT_STACK_SIZE;
	if (stack_size < (size_t)PTHREAD_STACK_MIN)
		stack_size = (size_t)PTHREAD_STACK_MIN;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, stack_size);
	r = pthread_create(&s->port->thread, &attr, thread_main, s);
	pthread_attr_destroy(&attr);
	if (r == EAGAIN)
		return -NOS_EAGAIN;
	return r ? -NOS_ENOMEM : 0;
}

int port_join(struct msg_slot *s)
{
	return pthread_join(s->port->thread, NULL) ? -NOS_ESRCH : 0;
}

void port_exit_current(void)
{
	current = NULL;
	pthread_exit(NULL);
}

void port_yield(void)
{
	sched_yield();
}
