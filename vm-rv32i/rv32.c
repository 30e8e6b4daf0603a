/*
 * rv32.c: the RV32IM CPU (portable) -- rv32_init/run/destroy, the helpers
 * both dispatch loops call, and the plain loop, which fetches and decodes
 * every instruction from guest memory.
 *
 * The plain loop is the CPU on AVR (no RAM for a decode cache). With the
 * cache (rv32_cache.c) it still runs the last few instructions of a budget
 * that ends inside a basic block, one at a time and exactly.
 */
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem_paged.h"
#include "vm-rv32i/rv32_exec.h"
#include "vm-rv32i/rv32_handlers.h"
#include "vm-rv32i/rv32_jit.h"

/* The budget rv32_run hands a loop at once: 32-bit counting inside. */
#define RV32_CHUNK 0x40000000u

static const char *const stop_names[] = {
	[RV32_STOP_BUDGET] = "budget used up",
	[RV32_STOP_ECALL] = "system call",
	[RV32_STOP_EBREAK] = "breakpoint",
	[RV32_STOP_LOAD_FAULT] = "load fault",
	[RV32_STOP_STORE_FAULT] = "store fault",
	[RV32_STOP_FETCH_FAULT] = "instruction fetch fault",
	[RV32_STOP_ILLEGAL] = "illegal instruction",
};

const char *rv32_stop_name(enum rv32_stop stop)
{
	if ((unsigned)stop >= sizeof(stop_names) / sizeof(stop_names[0]))
		return "unknown stop";
	return stop_names[stop];
}

int rv32_init(rv32_cpu *cpu, guest_mem *mem)
{
	memset(cpu, 0, sizeof(*cpu));
	cpu->mem = mem;
#if RV32_JIT
	int err = rv32_cache_create(cpu);

	if (err == 0 && (err = rv32_jit_create(cpu)) < 0)
		rv32_cache_destroy(cpu);
	return err;
#elif RV32_DECODE_CACHE
	return rv32_cache_create(cpu);
#else
	return 0;
#endif
}

void rv32_destroy(rv32_cpu *cpu)
{
#if RV32_JIT
	rv32_jit_destroy(cpu);
#endif
#if RV32_DECODE_CACHE
	rv32_cache_destroy(cpu);
#endif
	cpu->dc = NULL;
}

void rv32_flush_decode(rv32_cpu *cpu)
{
#if RV32_JIT
	rv32_jit_flush(cpu);
#endif
#if RV32_DECODE_CACHE
	rv32_cache_flush(cpu);
#else
	(void)cpu;
#endif
}

enum rv32_stop rv32_run(rv32_cpu *cpu, uint64_t budget)
{
	while (budget > 0) {
		uint32_t chunk = budget > RV32_CHUNK ? RV32_CHUNK : (uint32_t)budget;
		enum rv32_stop stop;

#if RV32_JIT
		if (cpu->jit != NULL && cpu->mem->kind == GMEM_FLAT)
			stop = rv32_jit_run(cpu, chunk);
		else
#endif
#if RV32_DECODE_CACHE
		stop = cpu->dc != NULL ? rv32_run_cached(cpu, chunk) : rv32_run_plain(cpu, chunk);
#else
		stop = rv32_run_plain(cpu, chunk);
#endif
		if (stop != RV32_STOP_BUDGET)
			return stop;
		budget -= chunk;
	}
	return RV32_STOP_BUDGET;
}

/* ------------------------------------------------------------ helpers */

/* Where an access of n bytes at addr lies inside one cached page: its
 * bytes in place (paged memory: the AVR's every load and store); NULL for
 * anything else, which takes gmem_read/gmem_write's general path. */
static uint8_t *in_one_page(guest_mem *m, uint32_t addr, unsigned n, int for_write)
{
	uint8_t *p;

	if (m->kind != GMEM_PAGED || addr % GMEM_PAGE_SIZE > GMEM_PAGE_SIZE - n ||
	    !gmem_in_range(m, addr, n) || gmem_paged_at(m, addr, for_write, &p) < 0)
		return NULL;
	return p;
}

uint64_t rv32_mem_load(guest_mem *m, uint32_t addr, unsigned n)
{
	uint8_t b[4] = { 0, 0, 0, 0 }, *p = in_one_page(m, addr, n, 0);

	if (p)
		memcpy(b, p, n);
	else if (gmem_read(m, addr, b, n) < 0)
		return RV32_LOAD_FAULT;
	return ld_32(b);
}

int rv32_mem_store(guest_mem *m, uint32_t addr, unsigned n, uint32_t v)
{
	uint8_t b[4], *p = in_one_page(m, addr, n, 1);

	st_32(b, v);
	if (p) {
		memcpy(p, b, n);
		return 0;
	}
	return gmem_write(m, addr, b, n) < 0 ? -1 : 0;
}

uint32_t rv32_csr_read(const rv32_cpu *cpu, uint32_t csr, uint64_t instret)
{
	uint64_t v = instret;                       /* cycle and instret */

	if ((csr & 0x7Fu) == 1u)                    /* time, timeh */
		v = cpu->read_time != NULL ? cpu->read_time(cpu->time_ctx) : 0;
	return csr & 0x80u ? (uint32_t)(v >> 32) : (uint32_t)v;
}

uint32_t rv32_div(uint32_t a, uint32_t b)
{
	if (b == 0)
		return 0xFFFFFFFFu;
	if (a == 0x80000000u && b == 0xFFFFFFFFu)
		return a;                           /* overflow: the dividend */
	return (uint32_t)((int32_t)a / (int32_t)b);
}

uint32_t rv32_rem(uint32_t a, uint32_t b)
{
	if (b == 0)
		return a;
	if (a == 0x80000000u && b == 0xFFFFFFFFu)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* ------------------------------------------------------------ plain loop */

/* The word at pc, or -1 when pc is misaligned or outside the space. An
 * aligned word never crosses a page: paged memory hands out its bytes
 * in place (the AVR's every instruction comes this way). */
static int fetch(guest_mem *m, uint32_t pc, uint32_t *w)
{
	uint8_t *p;

	if ((pc & 3u) != 0 || m->size < 4u || pc > m->size - 4u)
		return -1;
	if (m->kind == GMEM_FLAT)
		p = m->flat + pc;
	else if (gmem_paged_at(m, pc, 0, &p) < 0)
		return -1;
	*w = ld_32(p);
	return 0;
}

#define OP(k) case RVK_##k:
#define X(i) r[i]
#define WR(v) (r[op->rd] = (v))
#define NEXT do { pc += 4; goto retired; } while (0)
#define NEXT_BLOCK NEXT
#define BRANCH(c) do { if (c) JUMP((uint32_t)op->imm); NEXT; } while (0)
#define JAL_DIRECT JUMP_LINK((uint32_t)op->imm, pc + 4u)
/* A jump to a misaligned target faults at the jump; one to a target
 * outside the space faults at the fetch there, after the jump. */
#define JUMP_LINK(t, link)                                                     \
	do {                                                                   \
		uint32_t t_ = (t);                                             \
		if (t_ & 3u)                                                   \
			FAULT(RV32_STOP_FETCH_FAULT, t_);                      \
		WR(link);                                                      \
		pc = t_;                                                       \
		goto retired;                                                  \
	} while (0)
#define JUMP(t)                                                                \
	do {                                                                   \
		uint32_t t_ = (t);                                             \
		if (t_ & 3u)                                                   \
			FAULT(RV32_STOP_FETCH_FAULT, t_);                      \
		pc = t_;                                                       \
		goto retired;                                                  \
	} while (0)
#define FAULT(s, addr) do { stop = (s); cpu->fault_addr = (addr); goto out; } while (0)
#define STOP_RETIRED(s) do { stop = (s); left--; goto out; } while (0)
#define INSTRET_NOW (cpu->instret + (budget - left))
#define PC_NOW pc

enum rv32_stop rv32_run_plain(rv32_cpu *cpu, uint32_t budget)
{
	guest_mem *mem = cpu->mem;
	uint8_t *fb = mem->flat;
	uint32_t lim = rv32_fast_limit(mem);
	uint32_t r[RV32_SINK + 1], pc = cpu->pc, left = budget, w;
	struct rv32_op o, *op = &o;
	enum rv32_stop stop = RV32_STOP_BUDGET;

	memcpy(r, cpu->x, sizeof(cpu->x));
	r[0] = 0;
	while (left > 0) {
		if (fetch(mem, pc, &w) < 0)
			FAULT(RV32_STOP_FETCH_FAULT, pc);
		switch (rv32_decode(w, pc, op)) {
		RV32_DEFINE_HANDLERS
		OP(FENCE_I) {
			rv32_flush_decode(cpu);
			NEXT;
		}
		default:                            /* only in the decode cache */
			FAULT(RV32_STOP_FETCH_FAULT, pc);
		}
retired:
		left--;
	}
out:
	cpu->pc = pc;
	cpu->instret += budget - left;
	memcpy(cpu->x, r, sizeof(cpu->x));
	cpu->x[0] = 0;
	return stop;
}
