/*
 * test_rv32_jit.c: the RV32 block translator (vm-rv32i/rv32_jit_x86_64.c)
 * against the interpreter, in lockstep: the same code on two guests, one
 * made with NANOOS_JIT=1 and one with NANOOS_JIT=0, run with the same
 * budgets; after every stop the two must agree on the stop, pc, instret,
 * every register, fault_addr/fault_insn and all of guest memory.
 *
 * Random RV32IM programs (ALU, M, loads and stores in and outside the
 * space and across its end, branches and jumps with good, misaligned and
 * outside targets, ecall, ebreak, counter reads, fence.i, illegal words)
 * run in budgets from 1 instruction up; the fixture programs run to their
 * exit in slices of many sizes.
 */
#include <stdlib.h>

#include "tests/unit/testutil.h"
#include "tests/unit/rv32/rvtest.h"

#define SZ (64u * 1024u)
#define CODE 0x100u                  /* within jalr's reach from x0 */
#define NWORDS 240u                  /* program length */
#define DATA 0x8000u                 /* x2 points here; never written */
#define END_BASE (SZ - 8u)           /* x4: accesses across the end */

static struct test_guest J, I;       /* translated, interpreted */

#if defined(__x86_64__) && defined(__linux__)
#define HAVE_JIT 1
#else
#define HAVE_JIT 0
#endif

static void make_pair(uint32_t size)
{
	setenv("NANOOS_JIT", "1", 1);
	guest_make(&J, BACKEND_FLAT, size, 8);
	setenv("NANOOS_JIT", "0", 1);
	guest_make(&I, BACKEND_FLAT, size, 8);
	unsetenv("NANOOS_JIT");
	ck_assert_ptr_null(I.cpu.jit);
	if (HAVE_JIT)
		ck_assert_ptr_nonnull(J.cpu.jit);
}

static void free_pair(void)
{
	guest_free(&J);
	guest_free(&I);
}

/* The two machines agree on everything a program can see. */
static void same_state(enum rv32_stop sj, enum rv32_stop si, const char *what, unsigned step)
{
	ck_assert_msg(sj == si, "%s step %u: stop %s vs %s at pc 0x%x/0x%x", what, step,
	              rv32_stop_name(sj), rv32_stop_name(si), J.cpu.pc, I.cpu.pc);
	ck_assert_msg(J.cpu.pc == I.cpu.pc, "%s step %u: pc 0x%x vs 0x%x (%s)", what, step,
	              J.cpu.pc, I.cpu.pc, rv32_stop_name(sj));
	ck_assert_msg(J.cpu.instret == I.cpu.instret, "%s step %u: instret %llu vs %llu", what,
	              step, (unsigned long long)J.cpu.instret, (unsigned long long)I.cpu.instret);
	for (int r = 0; r < 32; r++)
		ck_assert_msg(J.cpu.x[r] == I.cpu.x[r], "%s step %u: x%d 0x%x vs 0x%x (pc 0x%x)",
		              what, step, r, J.cpu.x[r], I.cpu.x[r], J.cpu.pc);
	if (sj >= RV32_STOP_LOAD_FAULT && sj <= RV32_STOP_FETCH_FAULT)
		ck_assert_msg(J.cpu.fault_addr == I.cpu.fault_addr, "%s step %u: fault_addr 0x%x vs 0x%x",
		              what, step, J.cpu.fault_addr, I.cpu.fault_addr);
	if (sj == RV32_STOP_ILLEGAL)
		ck_assert_uint_eq(J.cpu.fault_insn, I.cpu.fault_insn);
}

static void same_memory(const char *what)
{
	ck_assert_msg(memcmp(J.mem.flat, I.mem.flat, J.mem.size) == 0, "%s: memories differ", what);
}

/* ------------------------------------------------------------ random programs */

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static uint32_t pick(uint32_t n) { return rnd() % n; }

/* A destination: never x2 or x4 (the bases); sometimes x0. */
static uint32_t rd_any(void)
{
	static const uint8_t regs[] = { 0, 1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

	return regs[pick(sizeof(regs))];
}

static uint32_t rs_any(void) { return pick(16); }

static const uint8_t r_ops[][2] = {                 /* funct7, funct3 */
	{ 0, 0 }, { 0x20, 0 }, { 0, 1 }, { 0, 2 }, { 0, 3 }, { 0, 4 }, { 0, 5 }, { 0x20, 5 },
	{ 0, 6 }, { 0, 7 }, { 1, 0 }, { 1, 1 }, { 1, 2 }, { 1, 3 }, { 1, 4 }, { 1, 5 }, { 1, 6 },
	{ 1, 7 },
};

/* A branch or jump offset from word i: mostly to a word of the program,
 * sometimes misaligned (bit 1) or far outside it. */
static int32_t jump_offset(uint32_t i)
{
	uint32_t c = pick(20);
	int32_t off = ((int32_t)pick(NWORDS) - (int32_t)i) * 4;

	if (c == 0)
		off += 2;
	else if (c == 1)
		off = (int32_t)(0x800u - CODE - 4u * i) + 0x100;   /* zeros: illegal */
	return off;
}

static uint32_t mem_insn(void)
{
	uint32_t c = pick(10), f3 = pick(8), load = pick(2);
	uint32_t base = c < 7 ? 2u : c < 9 ? 4u : rs_any();
	int32_t imm;

	/* Stores go near x2 or x4 only: code written without fence.i may
	 * run in either form, so the two machines could differ. */
	if (!load && base != 2u && base != 4u)
		base = 2u;
	imm = base == 4u ? (int32_t)pick(16) : (int32_t)pick(4096) - 2048;
	if (load) {
		static const uint8_t lf3[] = { 0, 1, 2, 4, 5 };
		return enc_i(imm, base, lf3[f3 % 5], rd_any(), 0x03);
	}
	return enc_s(imm, rs_any(), base, f3 % 3);
}

static uint32_t random_insn(uint32_t i)
{
	uint32_t c = pick(100);

	if (c < 25) {
		const uint8_t *o = r_ops[pick(sizeof(r_ops) / 2)];
		return enc_r(o[0], rs_any(), rs_any(), o[1], rd_any(), 0x33);
	}
	if (c < 40) {
		uint32_t f3 = pick(8), imm = pick(4096);
		if (f3 == 1)
			imm &= 31;
		if (f3 == 5)
			imm = (imm & 31) | (pick(2) ? 0x400u : 0);
		return enc_i(imm, rs_any(), f3, rd_any(), 0x13);
	}
	if (c < 44)
		return (rnd() & 0xFFFFF000u) | rd_any() << 7 | (pick(2) ? 0x37u : 0x17u);
	if (c < 64)
		return mem_insn();
	if (c < 76) {
		static const uint8_t bf3[] = { 0, 1, 4, 5, 6, 7 };
		return enc_b(jump_offset(i), rs_any(), rs_any(), bf3[pick(6)]);
	}
	if (c < 80)
		return JAL(rd_any(), jump_offset(i));
	if (c < 85) {
		uint32_t t = CODE + 4u * pick(NWORDS) + (pick(4) == 0 ? pick(4) : 0);
		return pick(4) ? JALR(rd_any(), 0, t) : JALR(rd_any(), rs_any(), pick(64));
	}
	if (c < 88)
		return CSRRS(rd_any(), pick(2) ? 0xC02u : 0xC80u, 0);
	if (c < 90)
		return pick(2) ? ECALL : EBREAK;
	if (c < 91)
		return FENCE_I;
	if (c < 92)
		return rnd();                            /* mostly illegal */
	return enc_i(pick(4096), rs_any(), 0, rd_any(), 0x13);
}

/* Both guests: the same program, data and registers. */
static void random_setup(uint32_t seed)
{
	uint32_t prog[NWORDS];

	rnd_state = seed * 2654435761u + 1u;
	for (uint32_t i = 0; i < NWORDS; i++)
		prog[i] = random_insn(i);
	make_pair(SZ);
	put_code(&J, CODE, prog, NWORDS);
	put_code(&I, CODE, prog, NWORDS);
	for (uint32_t a = DATA - 2048; a < DATA + 2048; a += 4) {
		uint32_t v = rnd();
		ck_assert_int_eq(gmem_write(&J.mem, a, &v, 4), 0);
		ck_assert_int_eq(gmem_write(&I.mem, a, &v, 4), 0);
	}
	for (int r = 1; r < 32; r++) {
		uint32_t v = pick(3) == 0 ? pick(64) : rnd();
		J.cpu.x[r] = I.cpu.x[r] = v;
	}
	J.cpu.x[2] = I.cpu.x[2] = DATA;
	J.cpu.x[4] = I.cpu.x[4] = END_BASE;
	J.cpu.pc = I.cpu.pc = CODE;
}

/* A budget: often tiny, sometimes a block or two, sometimes long. */
static uint64_t random_budget(void)
{
	uint32_t c = pick(4);

	return c == 0 ? 1u + pick(3) : c == 1 ? 1u + pick(20) : c == 2 ? 1u + pick(200) : 5000u;
}

/* Where both resume after a stop: past the instruction, or at `restart`
 * after a fetch outside the space. */
static void resume_both(enum rv32_stop s, uint32_t restart)
{
	uint32_t pc = J.cpu.pc + 4u;

	if (s == RV32_STOP_FETCH_FAULT && J.cpu.pc == J.cpu.fault_addr)
		pc = restart;
	J.cpu.pc = I.cpu.pc = pc;
	if (s == RV32_STOP_ECALL)
		J.cpu.x[10] = I.cpu.x[10] = J.cpu.x[10] + 1u;
}

START_TEST(test_random_programs)
{
	long n = 40 * test_scale();

	for (long p = 0; p < n; p++) {
		uint32_t seed = (uint32_t)(_i * 100000 + p);
		char what[64];

		snprintf(what, sizeof(what), "seed %u", seed);
		random_setup(seed);
		for (unsigned step = 0; step < 300 && J.cpu.instret < 30000; step++) {
			uint64_t budget = random_budget();
			enum rv32_stop sj = rv32_run(&J.cpu, budget), si = rv32_run(&I.cpu, budget);

			same_state(sj, si, what, step);
			if (sj == RV32_STOP_BUDGET)
				continue;
			same_memory(what);
			resume_both(sj, CODE);
		}
		same_memory(what);
		free_pair();
	}
}
END_TEST

/* ------------------------------------------------------------ snippets */

enum { A0 = 10, A1 = 11, A2 = 12, T0 = 5, T1 = 6 };

/* A loop of a few blocks with a load, a store and a call: every budget
 * from 1 to 300 stops both at the same instruction. */
static const uint32_t loop_code[] = {
	ADDI(A0, 0, 0),                  /* 0x100 */
	ADDI(T0, 0, 50),
	LUI(A2, 8),                      /* a2 = 0x8000 */
	ADD(A0, A0, T0),                 /* 0x10c loop: */
	SW(A0, A2, 0),
	LW(T1, A2, 0),
	JAL(1, 16),                      /* call 0x128 */
	ADDI(T0, T0, -1),
	BNE(T0, 0, -20),
	EBREAK,
	ADDI(T1, T1, 3),                 /* 0x128 */
	SB(T1, A2, 5),
	JALR(0, 1, 0),
};

START_TEST(test_every_budget)
{
	uint64_t budget = (uint64_t)_i + 1u;
	unsigned step = 0;
	enum rv32_stop sj, si;

	make_pair(SZ);
	put_code(&J, CODE, loop_code, sizeof(loop_code) / 4);
	put_code(&I, CODE, loop_code, sizeof(loop_code) / 4);
	J.cpu.pc = I.cpu.pc = CODE;
	do {
		sj = rv32_run(&J.cpu, budget);
		si = rv32_run(&I.cpu, budget);
		same_state(sj, si, "loop", step++);
	} while (sj == RV32_STOP_BUDGET && step < 2000);
	ck_assert_int_eq(sj, RV32_STOP_EBREAK);
	ck_assert_uint_eq(J.cpu.x[A0], 50u * 51u / 2u);
	same_memory("loop");
	free_pair();
}
END_TEST

/* Faults in the middle of a block: the instructions before it retired,
 * it did not, and pc and fault_addr name it. */
static const uint32_t fault_code[][4] = {
	{ ADDI(A0, 0, 1), LW(A1, T0, 0), ADDI(A0, 0, 2), EBREAK },     /* t0 = size - 3 */
	{ ADDI(A0, 0, 1), SH(A1, T0, 2), ADDI(A0, 0, 2), EBREAK },     /* last byte + 1 */
	{ ADDI(A0, 0, 1), SB(A1, T0, 3), ADDI(A0, 0, 2), EBREAK },     /* size */
	{ ADDI(A0, 0, 1), LBU(A1, T0, 2), ADDI(A0, 0, 2), EBREAK },    /* ok: the last byte */
	{ ADDI(A0, 0, 1), LW(0, T1, 0), ADDI(A0, 0, 2), EBREAK },      /* t1 = 0xFFFFFFFE */
	{ ADDI(A0, 0, 1), JALR(A1, T0, 1), ADDI(A0, 0, 2), EBREAK },   /* misaligned */
	{ ADDI(A0, 0, 1), JALR(A1, T1, 0), ADDI(A0, 0, 2), EBREAK },   /* misaligned, wraps */
	{ ADDI(A0, 0, 1), BEQ(0, 0, 6), ADDI(A0, 0, 2), EBREAK },      /* misaligned target */
	{ ADDI(A0, 0, 1), JAL(A1, 10), ADDI(A0, 0, 2), EBREAK },       /* likewise */
	{ ADDI(A0, 0, 1), JALR(A1, A2, 0), ADDI(A0, 0, 2), EBREAK },   /* outside: a2 = size */
	{ ADDI(A0, 0, 1), 0xFFFFFFFFu, ADDI(A0, 0, 2), EBREAK },       /* illegal */
	{ ADDI(A0, 0, 1), CSRRS(A1, 0xC02, 0), ADDI(A0, 0, 2), EBREAK }, /* rdinstret */
	{ ADDI(A0, 0, 1), SW(A1, T0, -1), LW(A2, T0, -1), EBREAK },    /* ok: the last word */
};
#define NFAULT (int)(sizeof(fault_code) / sizeof(fault_code[0]))

START_TEST(test_faults_mid_block)
{
	unsigned step = 0;
	enum rv32_stop sj, si;

	make_pair(SZ);
	put_code(&J, CODE, fault_code[_i], 4);
	put_code(&I, CODE, fault_code[_i], 4);
	J.cpu.pc = I.cpu.pc = CODE;
	J.cpu.x[T0] = I.cpu.x[T0] = SZ - 3u;
	J.cpu.x[T1] = I.cpu.x[T1] = 0xFFFFFFFEu;
	J.cpu.x[A1] = I.cpu.x[A1] = 0x11223344u;
	J.cpu.x[A2] = I.cpu.x[A2] = SZ;
	do {
		sj = rv32_run(&J.cpu, 100);
		si = rv32_run(&I.cpu, 100);
		same_state(sj, si, "fault", step++);
		same_memory("fault");
		if (sj != RV32_STOP_BUDGET && sj != RV32_STOP_EBREAK)
			resume_both(sj, CODE + 8u);
	} while (sj != RV32_STOP_EBREAK && step < 10);
	ck_assert_int_eq(sj, RV32_STOP_EBREAK);
	free_pair();
}
END_TEST

/* Code rewritten and announced with fence.i runs in its new form, in a
 * loop the translator has already translated and chained. */
START_TEST(test_self_modifying)
{
	static const uint32_t code[] = {
		ADDI(T0, 0, 20),             /* 0x100 */
		LUI(A2, 0),                  /* a2 = 0 (patched below) */
		ADDI(A0, A0, 1),             /* 0x108 loop: the word rewritten */
		SW(A1, 0, 0x108),            /* store a1 over it */
		FENCE_I,
		ADDI(T0, T0, -1),
		BNE(T0, 0, -16),
		EBREAK,
	};
	unsigned step = 0;
	enum rv32_stop sj, si;

	make_pair(SZ);
	put_code(&J, CODE, code, sizeof(code) / 4);
	put_code(&I, CODE, code, sizeof(code) / 4);
	J.cpu.pc = I.cpu.pc = CODE;
	J.cpu.x[A1] = I.cpu.x[A1] = ADDI(A0, A0, 100);
	do {
		sj = rv32_run(&J.cpu, 7);
		si = rv32_run(&I.cpu, 7);
		same_state(sj, si, "smc", step++);
	} while (sj == RV32_STOP_BUDGET && step < 1000);
	ck_assert_int_eq(sj, RV32_STOP_EBREAK);
	ck_assert_uint_eq(J.cpu.x[A0], 1u + 19u * 100u);
	same_memory("smc");
	free_pair();
}
END_TEST

/* ------------------------------------------------------------ programs */

static const char *const fixtures[] = {
	"fib-rv32im.elf", "crc32-rv32i.elf", "sort-rv32im.elf", "matmul-rv32i.elf", "isa.elf",
};
#define NFIX (int)(sizeof(fixtures) / sizeof(fixtures[0]))

/* Serve write/exit the same way on both; 1 when the program exited. */
static int serve_ecall(struct test_guest *g)
{
	uint32_t a7 = g->cpu.x[RV_A7];

	g->cpu.pc += 4;
	if (a7 == 93 || a7 == 94)
		return 1;
	g->cpu.x[RV_A0] = a7 == 64 ? g->cpu.x[RV_A2] : (uint32_t)-NOS_ENOSYS;
	return 0;
}

/* Whole programs in lockstep, in slices of sizes that cycle through many
 * values (1 up to about a thousand), to their exit. */
START_TEST(test_programs_lockstep)
{
	static const char *const argv[] = { "prog", NULL };
	const char *name = fixtures[_i];
	unsigned step = 0;
	int exited = 0;

	setenv("NANOOS_JIT", "1", 1);
	guest_load(&J, BACKEND_FLAT, name, argv, NULL);
	setenv("NANOOS_JIT", "0", 1);
	guest_load(&I, BACKEND_FLAT, name, argv, NULL);
	unsetenv("NANOOS_JIT");
	rnd_state = 12345u + (uint32_t)_i;
	while (!exited && J.cpu.instret < 400000000ull) {
		uint64_t budget = step % 3 == 0 ? 1u + pick(1000) : 50000u;
		enum rv32_stop sj = rv32_run(&J.cpu, budget), si = rv32_run(&I.cpu, budget);

		same_state(sj, si, name, step++);
		if (sj == RV32_STOP_BUDGET)
			continue;
		ck_assert_int_eq(sj, RV32_STOP_ECALL);
		exited = serve_ecall(&J);
		serve_ecall(&I);
	}
	ck_assert_msg(exited, "%s did not exit", name);
	ck_assert_uint_eq(J.cpu.x[RV_A0], 0);
	same_memory(name);
	free_pair();
}
END_TEST

static Suite *rv32_jit_suite(void)
{
	Suite *s = suite_create("rv32_jit");
	TCase *tc = tcase_create("lockstep");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_random_programs, 0, 8);
	tcase_add_loop_test(tc, test_every_budget, 0, 300);
	tcase_add_loop_test(tc, test_faults_mid_block, 0, NFAULT);
	tcase_add_test(tc, test_self_modifying);
	tcase_add_loop_test(tc, test_programs_lockstep, 0, NFIX);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(rv32_jit_suite)
