/*
 * sys_mem.c: memory system calls. memmgr decides addresses and counts
 * bytes against the guest's quota; the worker zeroes what it hands out
 * (a region may have been used and released before) and gives the host
 * memory behind what the guest releases back at once (gmem_zero).
 */
#include "kproc/nos_errno.h"
#include "vm-rv32i/syscall.h"

static void brk_done(struct guest *g, int32_t st)
{
	uint32_t now = (uint32_t)st;

	if (st < 0) {
		guest_return(g, (int32_t)g->brk);
		return;
	}
	if (now > g->brk && gmem_zero(&g->mem, g->brk, now - g->brk) < 0)
		now = g->brk;
	if (now < g->brk)
		(void)gmem_zero(&g->mem, now, g->brk - now);
	g->brk = now;
	guest_return(g, (int32_t)now);
}

/* brk(addr): the new break, or the old one when refused (Linux's way). */
SYS(brk)
{
	if (a[0] == 0 || a[0] == g->brk)
		return (int32_t)g->brk;
	g->pend.u.mem.pid = g->pid;
	g->pend.u.mem.a = a[0];
	g->pend.u.mem.b = 0;
	g->pend.u.mem.len = 0;
	return guest_request(g, g->w->cfg.memmgr, MEMMGR_MSG_BRK, sizeof(g->pend.u.mem),
	                     brk_done);
}

#define L_MAP_SHARED 0x01u
#define L_MAP_PRIVATE 0x02u
#define L_MAP_FIXED 0x10u
#define L_MAP_ANONYMOUS 0x20u

static void mmap_done(struct guest *g, int32_t st)
{
	uint32_t addr = g->pend.u.mem.a, len = g->pend.u.mem.len;

	if (st < 0) {
		guest_return(g, st);
		return;
	}
	if (gmem_zero(&g->mem, addr, len) < 0) {
		guest_return(g, -NOS_ENOMEM);
		return;
	}
	if (!g->map_low || addr < g->map_low)
		g->map_low = addr;
	guest_return(g, (int32_t)addr);
}

/* mmap2(addr, len, prot, flags, fd, pgoff): private anonymous memory. */
SYS(mmap2)
{
	if (!(a[3] & L_MAP_ANONYMOUS))
		return -NOS_ENODEV;        /* no mapped files on NanoOs */
	if ((a[3] & L_MAP_SHARED) || (a[3] & L_MAP_FIXED))
		return -NOS_EINVAL;
	if (a[1] == 0)
		return -NOS_EINVAL;
	if (a[1] > g->mem.size)
		return -NOS_ENOMEM;
	g->pend.u.mem.pid = g->pid;
	g->pend.u.mem.a = 0;
	g->pend.u.mem.b = 0;
	g->pend.u.mem.len = (a[1] + 4095u) & ~4095u;
	return guest_request(g, g->w->cfg.memmgr, MEMMGR_MSG_MMAP, sizeof(g->pend.u.mem),
	                     mmap_done);
}

/* What was unmapped in the map area (between the break and the stack's
 * share) reads as zeros again and costs the host nothing. */
static void munmap_done(struct guest *g, int32_t st)
{
	uint32_t lo = g->pend.u.mem.a, hi = lo + g->pend.u.mem.len;
	uint32_t top = g->mem.size - GUEST_STACK_MAX;

	if (lo < g->brk)
		lo = g->brk;
	if (hi > top || hi < g->pend.u.mem.a)
		hi = top;
	if (st >= 0 && lo < hi)
		(void)gmem_zero(&g->mem, lo, hi - lo);
	guest_return(g, st < 0 ? st : 0);
}

SYS(munmap)
{
	if (a[0] & 4095u || a[1] == 0)
		return -NOS_EINVAL;
	g->pend.u.mem.pid = g->pid;
	g->pend.u.mem.a = a[0];
	g->pend.u.mem.b = 0;
	g->pend.u.mem.len = (a[1] + 4095u) & ~4095u;
	return guest_request(g, g->w->cfg.memmgr, MEMMGR_MSG_MUNMAP, sizeof(g->pend.u.mem),
	                     munmap_done);
}

/* Guest memory has no per-page protection: every byte of the space is
 * readable, writable and executable, so these only check their arguments. */
SYS(mprotect)
{
	if (a[0] & 4095u)
		return -NOS_EINVAL;
	return gmem_in_range(&g->mem, a[0], a[1]) ? 0 : -NOS_ENOMEM;
}

SYS(madvise)
{
	if (a[0] & 4095u)
		return -NOS_EINVAL;
	return gmem_in_range(&g->mem, a[0], a[1]) ? 0 : -NOS_ENOMEM;
}
