/*
 * msg_port.h: what the shared message core (msg_core.c) needs from a backend.
 * Internal to msg/. msg_core.c is compiled once per backend:
 *
 *   MSG_BACKEND_THREADS  msg_threads.c: a process is a pthread; words are
 *                        real atomics; waits are futexes.
 *   MSG_BACKEND_CORO     msg_coro.c: a process is a coroutine on one stack
 *                        of control; nothing runs in parallel, so words are
 *                        plain loads and stores and a wait is a yield that
 *                        the scheduler resumes when the word changes.
 */
#ifndef NOS_MSG_PORT_H
#define NOS_MSG_PORT_H

#include "msg/msg.h"
#include "msg/port_platform.h"

#if defined(MSG_BACKEND_THREADS)
#  define MSG_MAX_PROCS 256
#  define PORT_CACHE_ALIGNED __attribute__((aligned(64)))
#  define PORT_SPINS 2000          /* most polls before parking on a futex */
#  define PORT_SPINS_MIN 16        /* fewest: see spin_learn in msg_core.c */
#  define port_load(p)          __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define port_store(p, v)      __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#  define port_load_sc(p)       __atomic_load_n((p), __ATOMIC_SEQ_CST)
#  define port_store_sc(p, v)   __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)
#  define port_xchg(p, v)       __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#  define port_fetch_or(p, v)   __atomic_fetch_or((p), (v), __ATOMIC_ACQ_REL)
#  define port_fetch_add(p, v)  __atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#  define port_fetch_sub(p, v)  __atomic_fetch_sub((p), (v), __ATOMIC_SEQ_CST)
#  define port_cas(p, old, new) __atomic_compare_exchange_n((p), &(old), (new), 0, \
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#elif defined(MSG_BACKEND_CORO)
#  define PORT_CACHE_ALIGNED        /* one CPU: nothing to share; RAM is dear */
#  ifdef __AVR__
#    define MSG_MAX_PROCS 8
#  else
#    define MSG_MAX_PROCS 64
#  endif
#  define PORT_SPINS 0             /* spinning cannot help: nothing runs meanwhile */
#  define PORT_SPINS_MIN 0
#  define port_load(p)          (*(p))
#  define port_store(p, v)      (*(p) = (v))
#  define port_load_sc(p)       (*(p))
#  define port_store_sc(p, v)   (*(p) = (v))
#  define port_xchg(p, v)       port_coro_xchg_ptr_or_word((p), (v))
#  define port_fetch_or(p, v)   port_coro_fetch_or((p), (v))
#  define port_fetch_add(p, v)  port_coro_fetch_add((p), (v))
#  define port_fetch_sub(p, v)  port_coro_fetch_add((p), -(v))
#  define port_cas(p, old, new) (*(p) == (old) ? (*(p) = (new), 1) : ((old) = *(p), 0))
static inline uint32_t port_coro_fetch_or(uint32_t *p, uint32_t v)
{
	uint32_t old = *p;
	*p = old | v;
	return old;
}
static inline uint32_t port_coro_fetch_add(uint32_t *p, uint32_t v)
{
	uint32_t old = *p;
	*p = old + v;
	return old;
}
#  define port_coro_xchg_ptr_or_word(p, v) \
	__extension__({ __typeof__(*(p)) port_old_ = *(p); *(p) = (v); port_old_; })
#else
#  error "define MSG_BACKEND_THREADS or MSG_BACKEND_CORO"
#endif

/* Everything the runtime keeps about one process slot. On threads, what
 * senders write (life checks, the inbox's producer end) and what
 * only the receiver writes (the consumer end, the held list) sit on separate
 * cache lines: sharing one made every push and pop bounce it between cores. */
struct msg_inbox {
	msg_t *head;                    /* producers' end (exchanged) */
	msg_t *tail PORT_CACHE_ALIGNED; /* consumer's end */
	msg_t stub PORT_CACHE_ALIGNED;  /* Vyukov's stub node */
};

struct port_proc;                   /* the backend's per-process state */

struct msg_slot {
	uint32_t life PORT_CACHE_ALIGNED; /* generation << 8 | SLOT_* */
	uint32_t drain_lock;            /* whoever drains an ownerless inbox (msg_core.c) */
	uint32_t sleeping;              /* 1 while parked in msg_receive (futex word) */
	uint32_t cancel_pending;        /* a held message was cancelled */
	struct msg_inbox inbox;
	msg_t *held PORT_CACHE_ALIGNED; /* received and not yet replied */
	uint32_t spin;                  /* its waits' spin budget (spin_learn) */
	char name[MSG_NAME_MAX];
	uint8_t index;
	uint8_t joinable;
	msg_pid_t parent;               /* who spawned it (MSG_PID_NONE: nobody) */
	msg_entry_t entry;
	void *arg;
	struct port_proc *port;
};

enum { SLOT_FREE = 0, SLOT_ALIVE = 1, SLOT_DEAD = 2, SLOT_ZOMBIE = 3 };

extern struct msg_slot msg_slots[MSG_MAX_PROCS];

/* ---- provided by the backend ---- */
int port_runtime_init(struct msg_slot *first);
void port_runtime_fini(struct msg_slot *first);
struct msg_slot *port_current(void);         /* NULL: caller is no process */
void port_set_current(struct msg_slot *s);
/* Park until *word != expect, a wake, or the monotonic deadline (0 = none).
 * May return early (spurious): callers re-check. 0 or -NOS_ETIMEDOUT. */
int port_wait(uint32_t *word, uint32_t expect, uint64_t deadline_ns);
void port_wake(uint32_t *word);              /* wake every waiter on word */
void port_relax(void);                       /* a polite spin */
void port_lock(void);                        /* the slot table lock */
void port_unlock(void);
int port_start(struct msg_slot *s, size_t stack_size);  /* run msg_core_body(s) */
int port_join(struct msg_slot *s);           /* wait for it to become ZOMBIE */
void port_exit_current(void) __attribute__((noreturn));
void port_yield(void);

/* ---- provided by the shared core to the backend ---- */
void msg_core_body(struct msg_slot *s);      /* run the entry, then die */


#endif
