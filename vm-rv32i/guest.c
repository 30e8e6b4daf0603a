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
#include "vm-rv32i/worker.h"

#define STACK_ARGS_MAX (256u << 10)
#define SIGRETURN_PAGE 4096u          /* the top page: the signal return code */

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

/* Tell memmgr where the new program's heap starts and its maps end. */
static int memmgr_new(struct guest *g, uint32_t brk_start, uint32_t size)
{
	struct memmgr_req q = { g->pid, brk_start, size - GUEST_STACK_MAX, size };
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
	gmem_destroy(&g->mem);
	g->mem = mem;
	memset(g->cpu.x, 0, sizeof(g->cpu.x));
	g->cpu.x[RV_SP] = sp;
	g->cpu.pc = img.entry;
	rv32_flush_decode(&g->cpu);
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
			if (end > at)
				memcpy(dst->flat + at, src->flat + at, end - at);
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

struct guest *guest_clone(struct guest *g, uint32_t child_pid)
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
	c->pid = child_pid;
	c->ppid = g->pid;
	c->sig_pending = 0;
	if (gmem_flat_init(&c->mem, g->mem.size) < 0) {
		free(c);
		return NULL;
	}
	if (copy_space(&c->mem, &g->mem, g) < 0 || rv32_init(&c->cpu, &c->mem) < 0 ||
	    memmgr_clone(g, child_pid) < 0) {
		gmem_destroy(&c->mem);
		free(c);
		return NULL;
	}
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
