/*
 * gen.c: rv32-gen, a generator of random RV32IM test programs for
 * differential testing (tests/integration/rv32-diff.sh runs each program
 * under qemu-riscv32 and under our CPU and compares what they print).
 *
 *   rv32-gen SEED [ITEMS]     writes one program's assembly to stdout
 *
 * The same SEED always gives the same program. A program:
 *   - sets every register it may write to a random value (edge cases
 *     weighted: 0, +-1, INT_MIN, INT_MAX, small numbers);
 *   - runs ITEMS (default 200-400, or 1000-3000 for one seed in ten)
 *     random items: ALU and M instructions; loads and stores of every
 *     width into a private, page-aligned 4 KiB data area (immediate
 *     offsets -2048..2047 from its middle, half of them near 512-byte
 *     boundaries, register-computed addresses masked into it, misaligned
 *     ones included); forward branches of every kind; jal and jalr (bit 0
 *     set on some targets, or through a jump table in the data area);
 *     write system calls that print part of the data area; and small
 *     loops of 1-8 rounds (never nested; no branch enters or leaves one).
 *     A third of the sources read the register written just before;
 *   - ends with `j test_end` (tests/rv32/harness.S), which prints every
 *     register but sp/gp/tp and a checksum of the data area, and exits with
 *     a status derived from them.
 * Every program terminates: the only backward branch closes a loop whose
 * counter nothing else writes. Three registers are reserved per program
 * (chosen by the seed): the data base, an address temporary and the loop
 * counter; other instructions may read them but never write them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define DATA_SIZE   4096             /* bytes; base register = middle */
#define MAX_PENDING 64               /* forward labels not yet placed */

/* ---------------------------------------------------------------- random */

static uint64_t rng_state;

static uint64_t rng_next(void)      /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(rng_next() % n);
}

static int32_t rng_range(int32_t lo, int32_t hi)   /* inclusive */
{
	return lo + (int32_t)rng_below((uint32_t)(hi - lo + 1));
}

/* A 32-bit value, edge cases weighted. */
static uint32_t rng_value(void)
{
	static const uint32_t edges[] = {
		0, 1, 2, 0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000,
		0x80000001, 31, 32, 33, 0xffff, 0x10000, 0xff, 0x100,
	};

	switch (rng_below(4)) {
	case 0:
		return edges[rng_below(sizeof edges / sizeof edges[0])];
	case 1:
		return (uint32_t)rng_range(-64, 64);
	default:
		return (uint32_t)rng_next();
	}
}

/* A 12-bit signed immediate, edge cases weighted. */
static int32_t rng_imm12(void)
{
	static const int32_t edges[] = { 0, 1, -1, 2047, -2048, 0x555, -0x556, 31, 32 };

	if (rng_below(3) == 0)
		return edges[rng_below(sizeof edges / sizeof edges[0])];
	return rng_range(-2048, 2047);
}

/* ---------------------------------------------------------------- registers */

static int reg_base, reg_addr, reg_count;   /* reserved for this program */
static int writable[32], nwritable;          /* the others, but x0 */

static void pick_registers(void)
{
	int pool[32], n = 0, i;

	pool[n++] = 1;
	for (i = 5; i < 32; i++)
		pool[n++] = i;             /* not sp, gp, tp */
	for (i = n - 1; i > 0; i--) {  /* shuffle; the first three are reserved */
		int j = (int)rng_below((uint32_t)i + 1), t = pool[i];

		pool[i] = pool[j];
		pool[j] = t;
	}
	reg_base = pool[0];
	reg_addr = pool[1];
	reg_count = pool[2];
	nwritable = 0;
	for (i = 3; i < n; i++)
		writable[nwritable++] = pool[i];
}

/* The last register an instruction wrote: the next one reads it often
 * (a third of its sources), so dependent pairs, which a CPU may fuse or
 * schedule specially, come up as often as in compiled code. */
static int last_dest;

static int dest_reg(void)           /* x0 sometimes: the write is dropped */
{
	last_dest = rng_below(24) == 0 ? 0 : writable[rng_below((uint32_t)nwritable)];
	return last_dest;
}

static int src_reg(void)            /* any register but sp, gp, tp */
{
	int r = (int)rng_below(32);

	if (last_dest != 0 && rng_below(3) == 0)
		return last_dest;
	return r >= 2 && r <= 4 ? 0 : r;
}

/* ---------------------------------------------------------------- labels */

/* Forward labels: a branch's target, placed after `left` more items. */
static struct { unsigned id; int left; } pending[MAX_PENDING];
static int npending;
static unsigned next_label;

static unsigned new_forward_label(int distance)
{
	if (npending == MAX_PENDING)
		return 0;
	pending[npending].id = ++next_label;
	pending[npending].left = distance;
	npending++;
	return next_label;
}

/* Count one item down; place the labels that are due (all when flushing). */
static void place_labels(int flush)
{
	int i = 0;

	while (i < npending) {
		if (flush || --pending[i].left <= 0) {
			printf("L%u:\n", pending[i].id);
			pending[i] = pending[--npending];
		} else {
			i++;
		}
	}
}

/* ---------------------------------------------------------------- items */

static const char *const rr_ops[] = {
	"add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
	"mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
};
static const char *const ri_ops[] = { "addi", "slti", "sltiu", "xori", "ori", "andi" };
static const char *const shift_ops[] = { "slli", "srli", "srai" };
static const char *const branch_ops[] = { "beq", "bne", "blt", "bge", "bltu", "bgeu" };

static const struct mem_op { const char *name; int width, store; } mem_ops[] = {
	{ "lb", 1, 0 }, { "lbu", 1, 0 }, { "lh", 2, 0 }, { "lhu", 2, 0 }, { "lw", 4, 0 },
	{ "sb", 1, 1 }, { "sh", 2, 1 }, { "sw", 4, 1 },
};

#define PICK(table) (table[rng_below(sizeof table / sizeof table[0])])

/* Each item draws its sources before its destination (statements, not
 * arguments of one call, whose order C leaves open): a program depends on
 * the seed alone. */
static void item_rr(void)
{
	const char *name = PICK(rr_ops);
	int a = src_reg(), b = src_reg(), d = dest_reg();

	printf("\t%s x%d, x%d, x%d\n", name, d, a, b);
}

static void item_ri(void)
{
	const char *name = PICK(ri_ops);
	int a = src_reg(), d = dest_reg();

	printf("\t%s x%d, x%d, %d\n", name, d, a, rng_imm12());
}

static void item_shift(void)
{
	const char *name = PICK(shift_ops);
	int a = src_reg(), d = dest_reg();

	printf("\t%s x%d, x%d, %d\n", name, d, a, rng_range(0, 31));
}

static void item_upper(void)
{
	const char *name = rng_below(2) ? "lui" : "auipc";
	int d = dest_reg();

	printf("\t%s x%d, 0x%x\n", name, d, rng_value() & 0xfffff);
}

/* The load or store op at off(base): a store's value is a source, a load's
 * target the destination. */
static void mem_access(const struct mem_op *op, int32_t off, int base)
{
	int r = op->store ? src_reg() : dest_reg();

	printf("\t%s x%d, %d(x%d)\n", op->name, r, off, base);
}

/* A load or store at base + imm: anywhere in the data area, or (half of
 * them) within a few bytes of a 512-byte boundary, where misaligned
 * accesses straddle two pages of the paged guest memory. */
static void item_mem_imm(void)
{
	const struct mem_op *op = &PICK(mem_ops);
	int32_t lo = -DATA_SIZE / 2, hi = DATA_SIZE / 2 - op->width, off;

	if (rng_below(2))
		off = rng_range(lo, hi);
	else
		off = lo + 512 * (int32_t)rng_below(DATA_SIZE / 512) + rng_range(-4, 3);
	off = off < lo ? lo : off > hi ? hi : off;
	mem_access(op, off, reg_base);
}

/* A load or store at an address computed from a random register, masked
 * into [base, base + 2047] and then offset by -2048..-4. */
static void item_mem_reg(void)
{
	const struct mem_op *op = &PICK(mem_ops);
	int32_t off = rng_range(-DATA_SIZE / 2, -4);
	int src = src_reg();

	printf("\tandi x%d, x%d, 0x7ff\n", reg_addr, src);
	printf("\tadd x%d, x%d, x%d\n", reg_addr, reg_addr, reg_base);
	mem_access(op, off, reg_addr);
}

/* A load or store through an address made by addi just before it (a
 * dependent pair): base + k + off stays inside the data area. */
static void item_mem_addi(void)
{
	const struct mem_op *op = &PICK(mem_ops);
	int32_t k = rng_range(-1024, 1024);
	int32_t off = rng_range(-DATA_SIZE / 2 - k, DATA_SIZE / 2 - op->width - k);

	off = off < -2048 ? -2048 : off > 2047 ? 2047 : off;
	printf("\taddi x%d, x%d, %d\n", reg_addr, reg_base, k);
	mem_access(op, off, reg_addr);
}

static void item_branch(void)
{
	const char *name = PICK(branch_ops);
	unsigned l = new_forward_label(rng_range(1, 8));
	int a = src_reg(), b = src_reg();

	if (l)
		printf("\t%s x%d, x%d, L%u\n", name, a, b, l);
}

static void item_jal(void)
{
	unsigned l = new_forward_label(rng_range(1, 6));
	int d = dest_reg();

	if (l)
		printf("\tjal x%d, L%u\n", d, l);
}

/* jalr to a forward label through the address register: with bit 0 set
 * (cleared by jalr), with the distance in the offset, or through a jump
 * table entry stored into the data area and loaded back (lw then jalr on
 * the loaded value, as a switch statement compiles). */
static void item_jalr(void)
{
	unsigned l = new_forward_label(rng_range(1, 6));
	int32_t off = rng_range(-16, 16), slot = rng_range(-DATA_SIZE / 2, DATA_SIZE / 2 - 4);
	int d = dest_reg();

	if (!l)
		return;
	switch (rng_below(3)) {
	case 0:
		printf("\tla x%d, L%u + 1\n\tjalr x%d, 0(x%d)\n", reg_addr, l, d, reg_addr);
		break;
	case 1:
		printf("\tla x%d, L%u + %d\n\tjalr x%d, %d(x%d)\n", reg_addr, l, -off, d, off,
		       reg_addr);
		break;
	default:
		printf("\tla x%d, L%u\n\tsw x%d, %d(x%d)\n\tlw x%d, %d(x%d)\n\tjalr x%d, 0(x%d)\n",
		       reg_addr, l, reg_addr, slot, reg_base, reg_addr, slot, reg_base, d, reg_addr);
	}
}

/* write(1, data + off, n) in mid-program: n bytes of the data area join
 * the output, and the CPU resumes after an ecall inside a block. Uses a0,
 * a1, a2 and a7, so not when one of them is reserved. */
static void item_write(void)
{
	int32_t n = rng_range(0, 16), off = rng_range(-DATA_SIZE / 2, DATA_SIZE / 2 - 16);

	if (reg_base == 10 || reg_base == 11 || reg_base == 12 || reg_base == 17 ||
	    reg_addr == 10 || reg_addr == 11 || reg_addr == 12 || reg_addr == 17 ||
	    reg_count == 10 || reg_count == 11 || reg_count == 12 || reg_count == 17)
		return;
	printf("\tli a0, 1\n\taddi a1, x%d, %d\n\tli a2, %d\n\tli a7, 64\n\tecall\n",
	       reg_base, off, n);
	last_dest = 10;
}

static void item_fence(void)
{
	printf("\t%s\n", rng_below(2) ? "fence" : "fence.i");
}

typedef void item_fn(void);

/* The straight-line and forward-branching items, with their weights. */
static const struct item { item_fn *emit; unsigned weight; } items[] = {
	{ item_rr, 30 }, { item_ri, 16 }, { item_shift, 8 }, { item_upper, 3 },
	{ item_mem_imm, 14 }, { item_mem_reg, 6 }, { item_mem_addi, 4 }, { item_branch, 8 },
	{ item_jal, 2 }, { item_jalr, 3 }, { item_fence, 1 }, { item_write, 1 },
};

static void random_item(void)
{
	unsigned total = 0, pick;
	size_t i;

	for (i = 0; i < sizeof items / sizeof items[0]; i++)
		total += items[i].weight;
	pick = rng_below(total);
	for (i = 0; pick >= items[i].weight; i++)
		pick -= items[i].weight;
	items[i].emit();
	place_labels(0);
}

/* A loop of 1-8 rounds over a few items. Labels still pending are placed
 * before it and at its end, so no branch jumps into or out of it. */
static void loop(void)
{
	unsigned top = ++next_label;
	int rounds = rng_range(1, 8), body = rng_range(2, 10), i;

	place_labels(1);
	printf("\tli x%d, %d\nL%u:\n", reg_count, rounds, top);
	for (i = 0; i < body; i++)
		random_item();
	place_labels(1);
	printf("\taddi x%d, x%d, -1\n", reg_count, reg_count);
	if (rng_below(2))
		printf("\tbnez x%d, L%u\n", reg_count, top);
	else
		printf("\tblt x0, x%d, L%u\n", reg_count, top);
}

/* ---------------------------------------------------------------- program */

static void prologue(uint64_t seed)
{
	int i;

	printf("# rv32-gen %" PRIu64 ": reserved x%d (data base), x%d (address), x%d (loop)\n",
	       seed, reg_base, reg_addr, reg_count);
	printf("\t.option norelax\n\t.text\n\t.globl test_main\ntest_main:\n");
	printf("\tla x%d, test_data + %d\n", reg_base, DATA_SIZE / 2);
	for (i = 0; i < nwritable; i++)
		printf("\tli x%d, 0x%08" PRIx32 "\n", writable[i], rng_value());
}

static void epilogue(void)
{
	int i;

	place_labels(1);
	printf("\tj test_end\n\n\t.data\n\t.align 12\n\t.globl test_data, test_data_end\ntest_data:\n");
	for (i = 0; i < DATA_SIZE / 4; i++)
		printf("%s0x%08" PRIx32 "%s", i % 8 ? ", " : "\t.word ", (uint32_t)rng_next(),
		       i % 8 == 7 ? "\n" : "");
	printf("test_data_end:\n");
}

int main(int argc, char **argv)
{
	uint64_t seed;
	long n, i;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: rv32-gen SEED [ITEMS]\n");
		return 2;
	}
	seed = strtoull(argv[1], &end, 0);
	if (*end) {
		fprintf(stderr, "rv32-gen: SEED must be a number, not '%s'\n", argv[1]);
		return 2;
	}
	rng_state = seed;
	pick_registers();
	/* A few hundred items; one program in ten a few thousand, so that code
	 * spans several pages of the CPU's decode cache. */
	if (argc == 3)
		n = strtol(argv[2], NULL, 0);
	else
		n = rng_below(10) == 0 ? rng_range(1000, 3000) : rng_range(200, 400);
	prologue(seed);
	for (i = 0; i < n; i++) {
		if (rng_below(25) == 0)
			loop();
		else
			random_item();
	}
	epilogue();
	return 0;
}
