/*
 * guest.c: giving a guest a program (execve, and the first start) and
 * copying one (fork).
 *
 * execve builds the new space beside the old one and swaps only when the
 * ELF loaded and its stack fit, so a bad program leaves the caller running
 * with an error, as Linux does before the point of no return.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/elf_load.h"
#include "vm-rv32i/guest_stack.h"
#include "vm-rv32i/rv32_jit.h"
#include "vm-rv32i/worker.h"

#define STACK_ARGS_MAX (256u << 10)
#define SIGRETURN_PAGE 4096u          /* the top page: the signal return code */
/* Instructions a program (or a fork) runs in the interpreter before the
 * block translator starts: most forks exec or sleep within them, and then
 * cost no translated code at all. */
#define GUEST_JIT_COLD 100000u

static void start_cold(rv32_cpu *cpu)
{
#if RV32_JIT
	rv32_jit_cold(cpu, GUEST_JIT_COLD);
#else
	(void)cpu;
#endif
}

/* li a7, 139 (rt_sigreturn); ecall: where a signal handler returns to. */
static const uint8_t sigreturn_code[8] = { 0x93, 0x08, 0xb0, 0x08, 0x73, 0, 0, 0 };

uint32_t guest_sigreturn_addr(const struct guest *g)
{
	return g->mem.size - SIGRETURN_PAGE;
}

static void random16(uint8_t out[16])
{
	uint64_t t = msg_now_ns();
	unsigned i;

	for (i = 0; i < 16; i++) {
		t ^= t << 13;
		t ^= t >> 7;
		t ^= t << 17;
		out[i] = (uint8_t)t;
	}
}

void guest_limits_default(struct guest *g)
{
	unsigned i;

	for (i = 0; i < GUEST_RLIM_MAX; i++)
		g->rlim[i].cur = g->rlim[i].max = GUEST_RLIM_INFINITY;
	g->rlim[GRLIMIT_AS].cur = g->rlim[GRLIMIT_AS].max = g->mem.size;
	g->rlim[GRLIMIT_DATA].cur = g->rlim[GRLIMIT_DATA].max = g->mem.size;
	g->rlim[GRLIMIT_STACK].cur = g->rlim[GRLIMIT_STACK].max = GUEST_STACK_MAX;
	g->rlim[GRLIMIT_NOFILE].cur = g->rlim[GRLIMIT_NOFILE].max = GUEST_FD_MAX;
}

/* memmgr counts the heap and the mappings; the image and the stack are the
 * space's own, so both AS and DATA bound what memmgr may hand out. */
uint32_t guest_mem_limit(const struct guest *g)
{
	uint64_t lim = g->mem.size;

	if (g->rlim[GRLIMIT_AS].cur < lim)
		lim = g->rlim[GRLIMIT_AS].cur;
	if (g->rlim[GRLIMIT_DATA].cur < lim)
		lim = g->rlim[GRLIMIT_DATA].cur;
	return (uint32_t)lim;
}

unsigned guest_fd_limit(const struct guest *g)
{
	uint64_t lim = g->rlim[GRLIMIT_NOFILE].cur;

	return lim < GUEST_FD_MAX ? (unsigned)lim : GUEST_FD_MAX;
}

/* Tell memmgr where the new program's heap starts, its maps end, and how
 * much its limits let it have. */
static int memmgr_new(struct guest *g, uint32_t brk_start, uint32_t size)
{
	struct memmgr_req q = { g->pid, brk_start, size - GUEST_STACK_MAX, guest_mem_limit(g) };
	msg_t m;

	msg_init(&m, MEMMGR_MSG_NEW, &q, sizeof(q));
	return msg_call(g->w->cfg.memmgr, &m, MSG_FOREVER);
}

int guest_exec(struct guest *g, const void *image, uint32_t len, const char *path,
               const char *const *argv, const char *const *envp, char *why, size_t whylen)
{
	uint32_t size = g->mem.size;
	struct guest_ids ids = { g->cred.uid, g->cred.uid, g->cred.gid, g->cred.gid };
	struct elf_image img;
	guest_mem mem;
	uint8_t rnd[16];
	uint32_t sp;
	const char *base;
	unsigned sig;
	int r;

	r = gmem_flat_init(&mem, size);
	if (r < 0) {
		snprintf(why, whylen, "no memory for a %lu MiB guest space",
		         (unsigned long)(size >> 20));
		return r;
	}
	r = elf_load(&mem, image, len, &img, why, whylen);
	if (r == 0) {
		random16(rnd);
		r = guest_stack_init(&mem, size - SIGRETURN_PAGE, STACK_ARGS_MAX, argv, envp,
		                     &img, &ids, rnd, &sp);
		if (r == 0)
			r = gmem_write(&mem, size - SIGRETURN_PAGE, sigreturn_code,
			               sizeof(sigreturn_code));
		if (r < 0)
			snprintf(why, whylen, "arguments and environment do not fit on the stack");
	}
	if (r == 0) {
		r = memmgr_new(g, img.brk_start, size);
		if (r < 0)
			snprintf(why, whylen, "the memory manager refused it");
	}
	if (r < 0) {
		gmem_destroy(&mem);
		return r;
	}
	gmem_destroy(&g->mem);          /* a vfork child's view frees nothing */
	g->mem = mem;
	g->mem_shared = 0;
	memset(g->cpu.x, 0, sizeof(g->cpu.x));
	g->cpu.x[RV_SP] = sp;
	g->cpu.pc = img.entry;
	rv32_flush_decode(&g->cpu);
	start_cold(&g->cpu);
	g->brk = img.brk_start;
	g->img_lowest = img.lowest;
	g->map_low = 0;
	for (sig = 1; sig <= GUEST_SIG_MAX; sig++)
		if (g->sigact[sig].handler > 1)
			memset(&g->sigact[sig], 0, sizeof(g->sigact[sig]));
	base = strrchr(path, '/');
	snprintf(g->cmd, sizeof(g->cmd), "%s", base ? base + 1 : path);
	return 0;
}

/* Whether the 4 KiB at p are all zero. */
static int page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	unsigned i;

	for (i = 0; i < 4096 / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

/* A flat copy of [at, end) that skips pages of zeros: the child's space
 * reads as zeros already, and an untouched page costs the host nothing. */
static void copy_flat(guest_mem *dst, const guest_mem *src, uint32_t at, uint32_t end)
{
	while (at < end) {
		uint32_t next = (at & ~4095u) + 4096u;
		uint32_t n = (next < end ? next : end) - at;

		if (n < 4096u || !page_is_zero(src->flat + at))
			memcpy(dst->flat + at, src->flat + at, n);
		at += n;
	}
}

/* The parts of the parent's space in use: program and heap, mappings,
 * and the stack from the page below sp to the top. */
static int copy_space(guest_mem *dst, guest_mem *src, const struct guest *g)
{
	uint32_t map_top = src->size - GUEST_STACK_MAX;
	uint32_t sp = g->cpu.x[RV_SP] & ~4095u;
	uint32_t ranges[3][2] = {
		{ g->img_lowest, g->brk },
		{ g->map_low ? g->map_low : map_top, map_top },
		{ sp > 4096 ? sp - 4096 : 0, src->size },
	};
	uint8_t buf[4096];
	unsigned i;

	for (i = 0; i < 3; i++) {
		uint32_t at = ranges[i][0], end = ranges[i][1];

		if (src->kind == GMEM_FLAT && dst->kind == GMEM_FLAT) {
			copy_flat(dst, src, at, end);
			continue;
		}
		while (at < end) {
			uint32_t n = end - at < sizeof(buf) ? end - at : (uint32_t)sizeof(buf);

			if (gmem_read(src, at, buf, n) < 0 || gmem_write(dst, at, buf, n) < 0)
				return -NOS_EIO;
			at += n;
		}
	}
	return 0;
}

static int memmgr_clone(struct guest *parent, uint32_t child)
{
	struct memmgr_req q = { parent->pid, child, 0, 0 };
	msg_t m;

	msg_init(&m, MEMMGR_MSG_CLONE, &q, sizeof(q));
	return msg_call(parent->w->cfg.memmgr, &m, MSG_FOREVER);
}

/* A vfork child (flat memory) runs in its parent's space, as on Linux:
 * the parent waits until the child execs or ends, so nothing is copied.
 * The child's guest_mem is a view that frees nothing (release NULL). */
static void share_space(guest_mem *child, const guest_mem *parent)
{
	*child = *parent;
	child->release = NULL;
}

int guest_unshare(struct guest *c)
{
	guest_mem own;

	if (!c->mem_shared)
		return 0;
	if (gmem_flat_init(&own, c->mem.size) < 0)
		return -NOS_ENOMEM;
	if (copy_space(&own, &c->mem, c) < 0) {
		gmem_destroy(&own);
		return -NOS_ENOMEM;
	}
	c->mem = own;                   /* cpu.mem points at c->mem: still right */
	c->mem_shared = 0;
	rv32_flush_decode(&c->cpu);
	return 0;
}

struct guest *guest_clone(struct guest *g, uint32_t child_pid, int share)
{
	struct guest *c = calloc(1, sizeof(*c));
	unsigned fd;

	if (!c)
		return NULL;
	*c = *g;
	c->next = NULL;
	memset(&c->pend, 0, sizeof(c->pend));
	c->in_flight = 0;
	c->syscalls = 0;
	c->cpu.instret = 0;
	c->cpu.dc = NULL;
	c->cpu.jit = NULL;
	c->pid = child_pid;
	c->ppid = g->pid;
	c->sig_pending = 0;
	/* A vfork inside a vfork child copies: one level of sharing keeps
	 * guest_unshare simple. */
	c->mem_shared = share && g->mem.kind == GMEM_FLAT && !g->mem_shared;
	if (c->mem_shared)
		share_space(&c->mem, &g->mem);
	else if (gmem_flat_init(&c->mem, g->mem.size) < 0) {
		free(c);
		return NULL;
	}
	if ((!c->mem_shared && copy_space(&c->mem, &g->mem, g) < 0) ||
	    rv32_init(&c->cpu, &c->mem) < 0 || memmgr_clone(g, child_pid) < 0) {
		rv32_destroy(&c->cpu);
		gmem_destroy(&c->mem);
		free(c);
		return NULL;
	}
	start_cold(&c->cpu);
	memcpy(c->cpu.x, g->cpu.x, sizeof(c->cpu.x));
	c->cpu.pc = g->cpu.pc;
	c->cpu.read_time = g->cpu.read_time;
	for (fd = 0; fd < GUEST_FD_MAX; fd++)
		if (c->fd[fd])
			c->fd[fd]->refs++;
	c->all_next = g->w->all;
	g->w->all = c;
	g->w->nguests++;
	return c;
}
