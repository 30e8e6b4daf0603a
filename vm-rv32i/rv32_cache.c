/*
 * rv32_cache.c: the decode cache and the fast dispatch loop (portable C
 * with GCC's labels as values; compiled when RV32_DECODE_CACHE).
 *
 * The cache holds one struct rv32_op per guest word, laid out as the guest
 * space is: decode page p (4 KiB of guest code) is ops [p * 1025, p * 1025 +
 * 1024), then a PAGE_END op that carries execution on to page p + 1. So the
 * op of pc is ops[pc/4 + pc/4096], a direct branch or jal within its page is
 * a fixed distance in ops (computed at decode), and memory that was never
 * decoded reads as zeros: a NULL handler. Entering a block from another page
 * (a computed jump, a far branch, falling into the next page) checks for
 * that and decodes the whole page first. The storage is the port's
 * (rv32_dcache_map), mapped at the first run through the cache, so a CPU
 * that the block translator runs (or that never runs) costs no mapping;
 * only pages of code that ran are ever touched. fence.i and
 * rv32_flush_decode zero what was decoded.
 *
 * Budget: a basic block is charged when it ends (a branch or jump: the ops
 * from its entry to there), so the hot path counts nothing per
 * instruction. Entering a block checks that it fits what is left: at once
 * when 1024 or more instructions are left (no block outruns its page), else
 * by the op's blen; a block that might overrun is run by the plain loop
 * (rv32.c) one instruction at a time instead, so a run stops after exactly
 * `budget` instructions. A stop inside a block counts the ops from the
 * block's entry to the stop.
 *
 * Fused pairs (rv32_op.h) halve the dispatch jumps, which on a modern host
 * cost more than the work of most instructions.
 */
#include <stdlib.h>
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/rv32_exec.h"
#include "vm-rv32i/rv32_handlers.h"

#if RV32_DECODE_CACHE

#define CODE_PAGE 4096u              /* guest bytes decoded at once */
#define PAGE_WORDS (CODE_PAGE / 4u)
#define PAGE_OPS (PAGE_WORDS + 1u)   /* and the PAGE_END */
struct rv32_decode_cache {
	struct rv32_op *ops;             /* NULL until the first cached run */
	size_t bytes;                    /* of the ops' mapping */
	uint32_t size;                   /* guest bytes covered */
	uint32_t npages;                 /* decode pages covered */
	uint32_t lo, hi;                 /* pages decoded since the last clear: [lo, hi) */
};

_Static_assert(sizeof(struct rv32_op) == 16, "an op is 16 bytes");

static inline uint32_t op_index(uint32_t pc)
{
	return (pc >> 2) + (pc >> 12);
}

static uint32_t op_pc(const struct rv32_decode_cache *dc, const struct rv32_op *op)
{
	uint32_t i = (uint32_t)(op - dc->ops), page = i / PAGE_OPS;

	return page * CODE_PAGE + (i - page * PAGE_OPS) * 4u;
}

int rv32_cache_create(rv32_cpu *cpu)
{
	uint32_t npages = cpu->mem->size / CODE_PAGE + (cpu->mem->size % CODE_PAGE != 0);
	size_t bytes = (size_t)npages * PAGE_OPS * sizeof(struct rv32_op);
	struct rv32_decode_cache *dc;

	cpu->dc = NULL;
	if (npages == 0)
		return -NOS_EINVAL;
	dc = calloc(1, sizeof(*dc));
	if (dc == NULL)
		return -NOS_ENOMEM;
	dc->ops = NULL;
	dc->bytes = bytes;
	dc->size = cpu->mem->size;
	dc->npages = npages;
	dc->lo = npages;
	dc->hi = 0;
	cpu->dc = dc;
	return 0;
}

void rv32_cache_destroy(rv32_cpu *cpu)
{
	if (cpu->dc != NULL && cpu->dc->ops != NULL)
		rv32_dcache_unmap(cpu->dc->ops, cpu->dc->bytes);
	free(cpu->dc);
	cpu->dc = NULL;
}

static void cache_clear(struct rv32_decode_cache *dc)
{
	if (dc->ops != NULL && dc->lo < dc->hi)
		rv32_dcache_zero(dc->ops + (size_t)dc->lo * PAGE_OPS,
		                 (size_t)(dc->hi - dc->lo) * PAGE_OPS * sizeof(struct rv32_op));
	dc->lo = dc->npages;
	dc->hi = 0;
}

/* Drop every decoded op; a cache made for another guest size is made anew
 * (without one, if that fails, the plain loop runs). */
void rv32_cache_flush(rv32_cpu *cpu)
{
	if (cpu->dc == NULL)
		return;
	if (cpu->dc->size == cpu->mem->size) {
		cache_clear(cpu->dc);
		return;
	}
	rv32_cache_destroy(cpu);
	(void)rv32_cache_create(cpu);
}

/* ------------------------------------------------------------ decoding */

/* A direct branch or jal to an op in its own page (decoded with it) keeps
 * the distance to it; others -- to another page, misaligned or outside the
 * space -- take the checked path (BRANCH_FAR, JAL_FAR). */
static enum rv32_kind link_target(enum rv32_kind k, struct rv32_op *op, uint32_t pc)
{
	uint32_t t = (uint32_t)op->imm;

	if (k != RVK_JAL && !(k >= RVK_BEQ && k <= RVK_BGEU))
		return k;
	if ((t & 3u) == 0 && t / CODE_PAGE == pc / CODE_PAGE) {
		op->imm = (int32_t)(op_index(t) - op_index(pc));
		return k;
	}
	if (k == RVK_JAL)
		return RVK_JAL_FAR;
	op->rd = (uint8_t)(k == RVK_BEQ ? 0 : k == RVK_BNE ? 1 : 4 + (k - RVK_BLT));
	return RVK_BRANCH_FAR;
}

#define PAIR_FUSE(a, b) [RVK_##a][RVK_##b] = RVK_##a##_##b,
static const uint8_t fused_kind[RVK_FUSED_FIRST][RVK_FUSED_FIRST] = {
	RV32_FUSED_PAIRS(PAIR_FUSE)
};
_Static_assert(RVK_COUNT <= 256, "kinds fit the fusion table's bytes");
_Static_assert(RVK_BGE == RVK_BLT + 1 && RVK_BLTU == RVK_BLT + 2 && RVK_BGEU == RVK_BLT + 3,
               "branch kinds in funct3 order");

/* The instruction word at pc (inside the space): straight from a flat
 * mapping, else through gmem. 0, or -1 on a paged I/O error. */
static int code_word(guest_mem *mem, uint32_t pc, uint32_t *w)
{
	uint8_t b[4];

	if (mem->flat != NULL) {
		*w = ld_32(mem->flat + pc);
		return 0;
	}
	if (gmem_read(mem, pc, b, 4) < 0)
		return -1;
	*w = ld_32(b);
	return 0;
}

/* The kinds and fields of a page's ops, from guest memory: words beyond
 * the space are FETCH_FAULT. 0, or -1 on a paged I/O error. */
static int decode_words(guest_mem *mem, struct rv32_op *ops, uint8_t *kinds, uint32_t base,
                        uint32_t size)
{
	uint32_t i, w;

	for (i = 0; i < PAGE_WORDS; i++) {
		uint32_t pc = base + i * 4u;
		enum rv32_kind k = RVK_FETCH_FAULT;

		memset(&ops[i], 0, sizeof(ops[i]));
		if (pc < size) {
			if (code_word(mem, pc, &w) < 0)
				return -1;
			k = link_target(rv32_decode(w, pc, &ops[i]), &ops[i], pc);
		}
		kinds[i] = (uint8_t)k;
	}
	return 0;
}

/* Block lengths (from the kinds, before fusion), then fusions. */
static void mark_blocks_and_fuse(struct rv32_op *ops, uint8_t *kinds)
{
	uint32_t i, blen = 0;

	for (i = PAGE_WORDS; i-- > 0;) {
		blen = rv32_kind_ends_block((enum rv32_kind)kinds[i]) ? 1 : blen + 1;
		ops[i].blen = (uint8_t)(blen < RV32_BLEN_MAX ? blen : RV32_BLEN_MAX);
	}
	for (i = 0; i + 1 < PAGE_WORDS; i++) {
		uint8_t f = fused_kind[kinds[i]][kinds[i + 1]];

		if (f != 0)
			kinds[i] = f;
	}
}

/* Decode guest page `page` into its ops, each given its kind's handler.
 * 0, or -1 when guest memory cannot be read (paged I/O error). */
static int fill_page(struct rv32_decode_cache *dc, guest_mem *mem, uint32_t page,
                     const void *const *handlers)
{
	struct rv32_op *ops = dc->ops + (size_t)page * PAGE_OPS;
	uint8_t kinds[PAGE_WORDS];
	uint32_t i;

	if (decode_words(mem, ops, kinds, page * CODE_PAGE, dc->size) < 0) {
		memset(ops, 0, PAGE_WORDS * sizeof(*ops));      /* still not decoded */
		return -1;
	}
	mark_blocks_and_fuse(ops, kinds);
	for (i = 0; i < PAGE_WORDS; i++)
		ops[i].h = handlers[kinds[i]];
	memset(&ops[PAGE_WORDS], 0, sizeof(struct rv32_op));
	ops[PAGE_WORDS].h = handlers[RVK_PAGE_END];
	if (page < dc->lo)
		dc->lo = page;
	if (page >= dc->hi)
		dc->hi = page + 1;
	return 0;
}

/* ------------------------------------------------------------ the loop */

#define OP(k) L_##k:
#define X(i) r[i]
#define WR(v) (r[op->rd] = (v))
#define DISPATCH() goto *op->h
/* Start a block at op. The fast path picks its jump without a branch of
 * its own, so GCC keeps one dispatch jump per block end instead of folding
 * them all into one (which the host could not predict); enter_slow checks
 * the budget near its end. ENTER_CHECKED first decodes op's page if that
 * was not done yet: for entries that may come from another page. */
#define ENTER()                                                                \
	do {                                                                   \
		entry = op;                                                    \
		goto *(RV_LIKELY(left >= 1024u) ? op->h : &&enter_slow);      \
	} while (0)
#define ENTER_CHECKED()                                                        \
	do {                                                                   \
		if (RV_UNLIKELY(op->h == NULL))                                \
			goto decode;                                           \
		ENTER();                                                       \
	} while (0)
/* Charge the block that ends with this op. */
#define CHARGE() (left -= (uint32_t)(op - entry) + 1u)
#define NEXT do { op++; DISPATCH(); } while (0)
#define NEXT_BLOCK do { CHARGE(); op++; ENTER(); } while (0)
#define BRANCH(c) do { CHARGE(); op += (c) ? op->imm : 1; ENTER(); } while (0)
#define JAL_DIRECT do { WR(PC_NOW + 4u); CHARGE(); op += op->imm; ENTER(); } while (0)
#define GOTO_PC(t)                                                             \
	do {                                                                   \
		if (RV_UNLIKELY((t) >= size))                                  \
			FETCH_AT(t);                                           \
		op = ops + op_index(t);                                        \
		ENTER_CHECKED();                                               \
	} while (0)
#define JUMP(t)                                                                \
	do {                                                                   \
		uint32_t t_ = (t);                                             \
		if (RV_UNLIKELY(t_ & 3u))                                      \
			FAULT(RV32_STOP_FETCH_FAULT, t_);                      \
		CHARGE();                                                      \
		GOTO_PC(t_);                                                   \
	} while (0)
#define JUMP_LINK(t, link)                                                     \
	do {                                                                   \
		uint32_t t_ = (t);                                             \
		if (RV_UNLIKELY(t_ & 3u))                                      \
			FAULT(RV32_STOP_FETCH_FAULT, t_);                      \
		WR(link);                                                      \
		CHARGE();                                                      \
		GOTO_PC(t_);                                                   \
	} while (0)
/* Stops: at this op, not executed; at this op, executed; fetching at t
 * (everything before charged). `done` counts this block's ops that ran. */
#define FAULT(s, addr)                                                         \
	do {                                                                   \
		stop = (s);                                                    \
		cpu->fault_addr = (addr);                                      \
		stop_pc = op_pc(dc, op);                                       \
		done = (uint32_t)(op - entry);                                 \
		goto out;                                                      \
	} while (0)
#define STOP_RETIRED(s)                                                        \
	do {                                                                   \
		stop = (s);                                                    \
		stop_pc = op_pc(dc, op);                                       \
		done = (uint32_t)(op - entry) + 1u;                            \
		goto out;                                                      \
	} while (0)
#define FETCH_AT(t)                                                            \
	do {                                                                   \
		stop = RV32_STOP_FETCH_FAULT;                                  \
		cpu->fault_addr = stop_pc = (t);                               \
		goto out;                                                      \
	} while (0)
#define INSTRET_NOW (cpu->instret + (budget - left) + (uint32_t)(op - entry))
#define PC_NOW op_pc(dc, op)

#define FUSED_HANDLER(a, b) OP(a##_##b) { SEM_##a(op++) SEM_##b(NEXT) }
#define HANDLER_AT(k) [RVK_##k] = &&L_##k,
#define PAIR_AT(a, b) [RVK_##a##_##b] = &&L_##a##_##b,

enum rv32_stop rv32_run_cached(rv32_cpu *cpu, uint32_t budget)
{
	static const void *const handlers[RVK_COUNT] = {
		RV32_KINDS(HANDLER_AT) RV32_FUSED_PAIRS(PAIR_AT)
	};
	struct rv32_decode_cache *dc = cpu->dc;
	guest_mem *mem = cpu->mem;
	uint8_t *fb = mem->flat;
	uint32_t r[RV32_SINK + 1], size = mem->size, lim = rv32_fast_limit(mem), left = budget;
	uint32_t stop_pc = cpu->pc, done = 0;
	struct rv32_op *ops, *op, *entry;
	enum rv32_stop stop;

	if (dc->size != size) {                     /* cpu->mem changed */
		rv32_cache_flush(cpu);
		if (cpu->dc == NULL)
			return rv32_run_plain(cpu, budget);
		dc = cpu->dc;
	}
	if (dc->ops == NULL && (dc->ops = rv32_dcache_map(dc->bytes)) == NULL)
		return rv32_run_plain(cpu, budget);
	ops = dc->ops;
	op = entry = ops;
	memcpy(r, cpu->x, sizeof(cpu->x));
	r[0] = 0;
	if (stop_pc & 3u)
		FETCH_AT(stop_pc);
	GOTO_PC(stop_pc);

	RV32_DEFINE_HANDLERS
	RV32_FUSED_PAIRS(FUSED_HANDLER)

	OP(PAGE_END) {                              /* the next page's first pc */
		uint32_t t = op_pc(dc, op);

		left -= (uint32_t)(op - entry);
		if (t >= size)
			FETCH_AT(t);
		op++;
		ENTER_CHECKED();
	}
	OP(FETCH_FAULT) {
		FAULT(RV32_STOP_FETCH_FAULT, PC_NOW);
	}
	OP(FENCE_I) {                               /* clearing zeroes op itself */
		uint32_t t = op_pc(dc, op) + 4u;

		CHARGE();
		cache_clear(dc);
		GOTO_PC(t);
	}

decode:                                             /* entered at op, not decoded */
	if (fill_page(dc, mem, (uint32_t)(op - ops) / PAGE_OPS, handlers) < 0)
		FETCH_AT(op_pc(dc, op));
	ENTER();
enter_slow:                                         /* fewer than 1024 left */
	if (op->blen != RV32_BLEN_MAX && op->blen <= left)
		DISPATCH();
	/* The block at op might overrun: the plain loop runs what is left. */
	cpu->pc = op_pc(dc, op);
	cpu->instret += budget - left;
	memcpy(cpu->x, r, sizeof(cpu->x));
	cpu->x[0] = 0;
	return rv32_run_plain(cpu, left);
out:
	cpu->pc = stop_pc;
	cpu->instret += budget - left + done;
	memcpy(cpu->x, r, sizeof(cpu->x));
	cpu->x[0] = 0;
	return stop;
}

#endif /* RV32_DECODE_CACHE */
