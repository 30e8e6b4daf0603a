/*
 * memmgr.c: the memmgr kernel process: the accounts of guest memory.
 * For each guest it keeps the program break and the anonymous mappings
 * inside its space (allocated downwards from the top of the map area,
 * first fit), and refuses what would pass the guest's limit or the
 * instance's total. It decides addresses and counts bytes; the worker that
 * runs the guest zeroes them. Portable.
 *
 * Messages (kproc/proto.h), from the CPU workers ("sched", 1..N) only:
 *   MEMMGR_MSG_NEW    memmgr_req (pid, a = brk start, b = map top, len = limit) -> 0
 *   MEMMGR_MSG_BRK    memmgr_req (pid, a = wanted)   -> the break (old one if refused)
 *   MEMMGR_MSG_MMAP   memmgr_req (pid, len)          -> 0, address in a; -ENOMEM
 *   MEMMGR_MSG_MUNMAP memmgr_req (pid, a, len)       -> 0, -EINVAL
 *   MEMMGR_MSG_FREE   memmgr_req (pid)               -> 0
 *   MEMMGR_MSG_CLONE  memmgr_req (pid, a = child)    -> 0, -ENOMEM
 *   MEMMGR_MSG_USAGE  memmgr_req (pid)               -> 0, bytes in len
 *                     (pid 0, from the tool: the total in b:a, guests in len)
 *   MEMMGR_MSG_LIMIT  memmgr_req (pid, len = limit)  -> 0 (setrlimit AS/DATA)
 *
 * Accounts are allocated per guest (cfg->alloc) and found by pid through a
 * hash of chains, so a table of thousands of guests costs what they use
 * and no request scans it.
 */
#include <string.h>

#include "kproc/kproc.h"
#include "kproc/memmgr.h"
#include "kproc/sched.h"

#ifdef __AVR__
#define ACCOUNTS 8
#define BUCKETS 4
#define MAPS 4
#else
#define ACCOUNTS 32768                 /* at least sched's process table */
#define BUCKETS 4096
#define MAPS 64
#endif

struct mapping {
	uint32_t addr, len;                /* len 0: free slot */
};

struct account {
	struct account *next;              /* in its hash chain */
	uint32_t pid;
	uint32_t brk_start, brk, map_top, limit;
	struct mapping maps[MAPS];
};

struct memmgr_state {
	struct memmgr_config *cfg;
	struct account *bucket[BUCKETS];
	unsigned accounts;
	uint64_t total;
};

static int from_worker(const msg_t *m)
{
	return kproc_sent_by_any(m, "sched", 1, SCHED_WORKERS_MAX);
}

static struct account **chain_of(struct memmgr_state *st, uint32_t pid)
{
	return &st->bucket[pid % BUCKETS];
}

static struct account *account_of(struct memmgr_state *st, uint32_t pid)
{
	struct account *a;

	for (a = *chain_of(st, pid); pid && a; a = a->next)
		if (a->pid == pid)
			return a;
	return NULL;
}

/* A zeroed account for pid, in its chain; NULL when the table is full. */
static struct account *account_new(struct memmgr_state *st, uint32_t pid)
{
	struct account *a, **chain = chain_of(st, pid);

	if (st->accounts >= ACCOUNTS || !(a = st->cfg->alloc(sizeof(*a))))
		return NULL;
	memset(a, 0, sizeof(*a));
	a->pid = pid;
	a->next = *chain;
	*chain = a;
	st->accounts++;
	return a;
}

static uint64_t usage(const struct account *a)
{
	uint64_t n = a->brk - a->brk_start;
	unsigned i;

	for (i = 0; i < MAPS; i++)
		n += a->maps[i].len;
	return n;
}

/* May a grow by `more` bytes? */
static int may_grow(const struct memmgr_state *st, const struct account *a, uint64_t more)
{
	if (usage(a) + more > a->limit)
		return 0;
	return !st->cfg->total_limit || st->total + more <= st->cfg->total_limit;
}

static uint32_t lowest_map(const struct account *a)
{
	uint32_t low = a->map_top;
	unsigned i;

	for (i = 0; i < MAPS; i++)
		if (a->maps[i].len && a->maps[i].addr < low)
			low = a->maps[i].addr;
	return low;
}

/* Give back what a holds; with `drop`, the account itself too. */
static void release(struct memmgr_state *st, struct account *a, int drop)
{
	struct account **pp;

	st->total -= usage(a);
	if (!drop) {
		a->brk = a->brk_start;
		memset(a->maps, 0, sizeof(a->maps));
		return;
	}
	for (pp = chain_of(st, a->pid); *pp; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	st->accounts--;
	st->cfg->release(a);
}

static int32_t on_new(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a = account_of(st, q->pid);

	if (!q->pid || q->a > q->b)
		return -NOS_EINVAL;
	if (a)
		release(st, a, 0);          /* execve: a new program, a new account */
	else if (!(a = account_new(st, q->pid)))
		return -NOS_EAGAIN;
	a->brk_start = a->brk = (q->a + 4095u) & ~(uint32_t)4095;
	a->map_top = q->b & ~(uint32_t)4095;
	a->limit = q->len;
	return 0;
}

static int32_t on_brk(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a = account_of(st, q->pid);
	uint32_t want;

	if (!a)
		return -NOS_ESRCH;
	want = q->a;
	if (want < a->brk_start || want > lowest_map(a))
		return (int32_t)a->brk;
	if (want > a->brk) {
		if (!may_grow(st, a, want - a->brk))
			return (int32_t)a->brk;
		st->total += want - a->brk;
	} else {
		st->total -= a->brk - want;
	}
	a->brk = want;
	return (int32_t)a->brk;
}

/* The highest gap of len bytes below map_top and above the break. */
static int find_gap(const struct account *a, uint32_t len, uint32_t *addr)
{
	uint32_t top = a->map_top;

	for (;;) {
		uint32_t cand = top - len;
		unsigned i;
		int clash = 0;

		if (len > top || cand < a->brk)
			return -NOS_ENOMEM;
		for (i = 0; i < MAPS; i++) {
			const struct mapping *mp = &a->maps[i];

			if (mp->len && mp->addr < top && mp->addr + mp->len > cand) {
				clash = 1;
				if (mp->addr < top)
					top = mp->addr;
			}
		}
		if (!clash) {
			*addr = cand;
			return 0;
		}
	}
}

static int32_t on_mmap(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a = account_of(st, q->pid);
	unsigned i;
	int r;

	if (!a)
		return -NOS_ESRCH;
	if (!q->len || (q->len & 4095u))
		return -NOS_EINVAL;
	if (!may_grow(st, a, q->len))
		return -NOS_ENOMEM;
	for (i = 0; i < MAPS && a->maps[i].len; i++)
		;
	if (i == MAPS)
		return -NOS_ENOMEM;
	r = find_gap(a, q->len, &q->a);
	if (r < 0)
		return r;
	a->maps[i].addr = q->a;
	a->maps[i].len = q->len;
	st->total += q->len;
	return 0;
}

/* Unmapping takes whole mappings or their ends; a hole in the middle
 * needs a second slot. */
static int32_t on_munmap(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a = account_of(st, q->pid);
	uint32_t lo = q->a, hi = q->a + q->len;
	unsigned i;

	if (!a)
		return -NOS_ESRCH;
	if (hi < lo)
		return -NOS_EINVAL;
	for (i = 0; i < MAPS; i++) {
		struct mapping *mp = &a->maps[i];
		uint32_t end = mp->addr + mp->len;

		if (!mp->len || end <= lo || mp->addr >= hi)
			continue;
		if (lo <= mp->addr && hi >= end) {
			st->total -= mp->len;
			mp->len = 0;
		} else if (lo <= mp->addr) {
			st->total -= hi - mp->addr;
			mp->len = end - hi;
			mp->addr = hi;
		} else if (hi >= end) {
			st->total -= end - lo;
			mp->len = lo - mp->addr;
		} else {
			unsigned j;

			for (j = 0; j < MAPS && a->maps[j].len; j++)
				;
			if (j == MAPS)
				return -NOS_ENOMEM;
			a->maps[j].addr = hi;
			a->maps[j].len = end - hi;
			mp->len = lo - mp->addr;
			st->total -= hi - lo;
		}
	}
	return 0;                          /* unmapping nothing is not an error */
}

static int32_t on_free(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a = account_of(st, q->pid);

	if (a)
		release(st, a, 1);
	return 0;
}

static int32_t on_clone(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a = account_of(st, q->pid), *c;
	unsigned i;

	if (!a || !q->a || account_of(st, q->a))
		return -NOS_EINVAL;
	if (st->cfg->total_limit && st->total + usage(a) > st->cfg->total_limit)
		return -NOS_ENOMEM;
	if (!(c = account_new(st, q->a)))
		return -NOS_EAGAIN;
	for (i = 0; i < MAPS; i++)
		c->maps[i] = a->maps[i];
	c->brk_start = a->brk_start;
	c->brk = a->brk;
	c->map_top = a->map_top;
	c->limit = a->limit;
	st->total += usage(c);
	return 0;
}

/* setrlimit: later growth is held to the new limit; what the guest holds
 * already stays (as on Linux). */
static int32_t on_limit(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a = account_of(st, q->pid);

	if (!a)
		return -NOS_ESRCH;
	a->limit = q->len;
	return 0;
}

/* Every guest's memory together (the daemon's status). */
static int32_t total_usage(struct memmgr_state *st, struct memmgr_req *q)
{
	uint64_t n = 0;
	uint32_t guests = 0;
	unsigned i;

	for (i = 0; i < BUCKETS; i++) {
		const struct account *a;

		for (a = st->bucket[i]; a; a = a->next, guests++)
			n += usage(a);
	}
	q->a = (uint32_t)n;
	q->b = (uint32_t)(n >> 32);
	q->len = guests;
	return 0;
}

static int32_t on_usage(msg_t *m, void *state)
{
	struct memmgr_state *st = state;
	struct memmgr_req *q = m->payload;
	struct account *a;

	if (q->pid == 0)
		return m->from == kproc_parent() ? total_usage(st, q) : -NOS_EPERM;
	a = account_of(st, q->pid);

	if (!a)
		return -NOS_ESRCH;
	q->len = (uint32_t)usage(a);
	return 0;
}

static int32_t memmgr_admit(const msg_t *m, void *state)
{
	(void)state;
	if (m->type == KPROC_MSG_PING || m->type == KPROC_MSG_STOP)
		return 0;
	if (m->type == MEMMGR_MSG_USAGE && m->from == kproc_parent())
		return 0;                       /* the total: on_usage */
	return from_worker(m) ? 0 : -NOS_EPERM;
}

static const struct kproc_handler memmgr_handlers[] = {
	{ MEMMGR_MSG_NEW, sizeof(struct memmgr_req), on_new },
	{ MEMMGR_MSG_BRK, sizeof(struct memmgr_req), on_brk },
	{ MEMMGR_MSG_MMAP, sizeof(struct memmgr_req), on_mmap },
	{ MEMMGR_MSG_MUNMAP, sizeof(struct memmgr_req), on_munmap },
	{ MEMMGR_MSG_FREE, sizeof(struct memmgr_req), on_free },
	{ MEMMGR_MSG_CLONE, sizeof(struct memmgr_req), on_clone },
	{ MEMMGR_MSG_USAGE, sizeof(struct memmgr_req), on_usage },
	{ MEMMGR_MSG_LIMIT, sizeof(struct memmgr_req), on_limit },
};

static void memmgr_main(void *arg)
{
	struct memmgr_config *cfg = arg;
	struct memmgr_state *st = cfg->alloc(sizeof(*st));
	struct kproc_service svc;
	unsigned i;

	if (!st)
		kproc_panic("memmgr: no memory for its accounts");
	memset(st, 0, sizeof(*st));
	st->cfg = cfg;
	memset(&svc, 0, sizeof(svc));
	svc.name = "memmgr";
	svc.handlers = memmgr_handlers;
	svc.nhandlers = sizeof(memmgr_handlers) / sizeof(memmgr_handlers[0]);
	svc.state = st;
	svc.admit = memmgr_admit;
	kproc_serve(&svc);
	for (i = 0; i < BUCKETS; i++)
		while (st->bucket[i])
			release(st, st->bucket[i], 1);
	cfg->release(st);
}

int memmgr_start(struct memmgr_config *cfg, msg_pid_t *pid)
{
	if (!cfg->alloc || !cfg->release)
		return -NOS_EINVAL;
	return kproc_start("memmgr", 0, memmgr_main, cfg, 0, pid);
}
