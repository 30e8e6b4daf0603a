/*
 * test_rv32_cpu.c: the RV32IM CPU (vm-rv32i/rv32*.c) on flat and paged
 * memory -- every instruction group from encoded words (x0, sign extension,
 * shift amounts, division corner cases), misaligned accesses, faults at the
 * last bytes of the space, illegal words, fetch faults, jalr's bit 0,
 * ecall/ebreak, exact instret at budget stops, the counters, fence.i, and
 * whole programs built by riscv64-unknown-elf-gcc (compared with
 * qemu-riscv32 when it is installed). Built twice: with the decode cache
 * (test_rv32_cpu) and without it (test_rv32_cpu_nocache), as AVR runs it.
 */
#include <spawn.h>
#include <sys/wait.h>

#include "tests/unit/testutil.h"
#include "tests/unit/rv32/rvtest.h"

#define SZ (64u * 1024u)             /* the guest of the snippet tests */
#define CODE 0x1000u                 /* where snippets start */
#define DATA 0x8000u                 /* scratch memory for loads and stores */

enum { A0 = 10, A1 = 11, A2 = 12, A3 = 13, A7 = 17, T0 = 5, T1 = 6, RA = 1 };

static struct test_guest G;

/* A guest for backend i with the code at CODE, x11 = a, x12 = b; run it
 * with the budget and return the stop. */
static enum rv32_stop run_at(int backend, const uint32_t *w, unsigned n, uint32_t a,
                             uint32_t b, uint64_t budget)
{
	guest_make(&G, backend, SZ, 8);
	put_code(&G, CODE, w, n);
	G.cpu.pc = CODE;
	G.cpu.x[A1] = a;
	G.cpu.x[A2] = b;
	return rv32_run(&G.cpu, budget);
}

/* ------------------------------------------------------------ ALU */

struct alu_case {
	const char *name;
	uint32_t insn;                   /* rd = a0, rs1 = a1, rs2 = a2 */
	uint32_t a, b, want;
};

#define R(f7, f3) enc_r(f7, A2, A1, f3, A0, 0x33)
#define I(f3, imm) enc_i(imm, A1, f3, A0, 0x13)

static const struct alu_case alu_cases[] = {
	{ "add wraps", R(0, 0), 0xFFFFFFFFu, 2, 1 },
	{ "sub", R(0x20, 0), 5, 7, 0xFFFFFFFEu },
	{ "sll low 5 bits", R(0, 1), 1, 33, 2 },
	{ "sll by 31", R(0, 1), 1, 31, 0x80000000u },
	{ "slt signed", R(0, 2), 0xFFFFFFFFu, 0, 1 },
	{ "sltu unsigned", R(0, 3), 0xFFFFFFFFu, 0, 0 },
	{ "xor", R(0, 4), 0xF0F0F0F0u, 0xFF00FF00u, 0x0FF00FF0u },
	{ "srl low 5 bits", R(0, 5), 0x80000000u, 63, 1 },
	{ "sra sign", R(0x20, 5), 0x80000000u, 4, 0xF8000000u },
	{ "sra low 5 bits", R(0x20, 5), 0x80000000u, 0x21, 0xC0000000u },
	{ "or", R(0, 6), 0xF0u, 0x0Fu, 0xFFu },
	{ "and", R(0, 7), 0xF0F0u, 0xFF00u, 0xF000u },
	{ "mul low", R(1, 0), 0x12345678u, 0x9ABCDEF0u, 0x242D2080u },
	{ "mulh -1*-1", R(1, 1), 0xFFFFFFFFu, 0xFFFFFFFFu, 0 },
	{ "mulh min*min", R(1, 1), 0x80000000u, 0x80000000u, 0x40000000u },
	{ "mulhsu -1*max", R(1, 2), 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu },
	{ "mulhsu min*2^31", R(1, 2), 0x80000000u, 0x80000000u, 0xC0000000u },
	{ "mulhu", R(1, 3), 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFEu },
	{ "div", R(1, 4), (uint32_t)-7, 2, (uint32_t)-3 },
	{ "div by 0", R(1, 4), 7, 0, 0xFFFFFFFFu },
	{ "div overflow", R(1, 4), 0x80000000u, 0xFFFFFFFFu, 0x80000000u },
	{ "divu", R(1, 5), 0xFFFFFFFEu, 2, 0x7FFFFFFFu },
	{ "divu by 0", R(1, 5), 7, 0, 0xFFFFFFFFu },
	{ "rem sign of dividend", R(1, 6), (uint32_t)-7, 2, (uint32_t)-1 },
	{ "rem by 0", R(1, 6), (uint32_t)-7, 0, (uint32_t)-7 },
	{ "rem overflow", R(1, 6), 0x80000000u, 0xFFFFFFFFu, 0 },
	{ "remu", R(1, 7), 0xFFFFFFFFu, 10, 5 },
	{ "remu by 0", R(1, 7), 0xFFFFFFFFu, 0, 0xFFFFFFFFu },
	{ "addi negative", I(0, -1), 0, 0, 0xFFFFFFFFu },
	{ "addi -2048", I(0, -2048), 0, 0, 0xFFFFF800u },
	{ "addi 2047", I(0, 2047), 1, 0, 2048 },
	{ "slti", I(2, -1), 0xFFFFFFFEu, 0, 1 },
	{ "sltiu imm sign-extended", I(3, -1), 5, 0, 1 },
	{ "xori -1 is not", I(4, -1), 0x0F0F0F0Fu, 0, 0xF0F0F0F0u },
	{ "ori", I(6, 0x0F0), 0x100u, 0, 0x1F0u },
	{ "andi negative", I(7, -16), 0xFFFFFFFFu, 0, 0xFFFFFFF0u },
	{ "slli", I(1, 31), 3, 0, 0x80000000u },
	{ "srli", I(5, 31), 0xFFFFFFFFu, 0, 1 },
	{ "srai", enc_i(0x400 | 31, A1, 5, A0, 0x13), 0x80000000u, 0, 0xFFFFFFFFu },
	{ "lui", LUI(A0, 0xFFFFF), 0, 0, 0xFFFFF000u },
	{ "auipc", AUIPC(A0, 0x1), 0, 0, CODE + 0x1000u },
	{ "auipc negative", AUIPC(A0, 0xFFFFF), 0, 0, CODE - 0x1000u },
	{ "mv", ADDI(A0, A1, 0), 0xDEADBEEFu, 0, 0xDEADBEEFu },
};

START_TEST(test_alu)
{
	int backend = _i / (int)(sizeof(alu_cases) / sizeof(alu_cases[0]));
	const struct alu_case *c = &alu_cases[_i % (int)(sizeof(alu_cases) / sizeof(alu_cases[0]))];
	uint32_t w[] = { c->insn, EBREAK };

	ck_assert_int_eq(run_at(backend, w, 2, c->a, c->b, 100), RV32_STOP_EBREAK);
	ck_assert_msg(G.cpu.x[A0] == c->want, "%s (%s): got 0x%08x, want 0x%08x", c->name,
	              backend_names[backend], G.cpu.x[A0], c->want);
	ck_assert_uint_eq(G.cpu.x[A1], c->a);              /* sources untouched */
	ck_assert_uint_eq(G.cpu.pc, CODE + 4);
	ck_assert_uint_eq(G.cpu.instret, 2);
	guest_free(&G);
}
END_TEST

START_TEST(test_x0)
{
	uint32_t w[] = {
		ADDI(0, 0, 5), ADD(0, A1, A1), LUI(0, 0x12345), LW(0, 0, DATA),
		JAL(0, 8), NOP, ADD(A0, 0, 0), ADDI(A3, 0, 7), EBREAK,
	};

	guest_make(&G, _i, SZ, 8);
	put_code(&G, CODE, w, 9);
	G.cpu.pc = CODE;
	G.cpu.x[0] = 0xBAD;                 /* x0 reads as 0 whatever the caller left */
	G.cpu.x[A1] = 3;
	G.cpu.x[A0] = 99;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[0], 0);
	ck_assert_uint_eq(G.cpu.x[A0], 0);
	ck_assert_uint_eq(G.cpu.x[A3], 7);
	ck_assert_uint_eq(G.cpu.instret, 8);   /* the NOP was jumped over */
	guest_free(&G);
}
END_TEST

/* ------------------------------------------------------------ memory */

START_TEST(test_loads_stores)
{
	const uint8_t bytes[8] = { 0x80, 0x01, 0xFF, 0x7F, 0xEF, 0xBE, 0xAD, 0xDE };
	uint32_t w[] = {
		LB(A0, A1, 0), LBU(A2, A1, 0), LH(A3, A1, 0), LHU(T0, A1, 2), LW(T1, A1, 4),
		EBREAK,
	};

	guest_make(&G, _i, SZ, 8);
	ck_assert_int_eq(gmem_write(&G.mem, DATA, bytes, 8), 0);
	put_code(&G, CODE, w, 6);
	G.cpu.pc = CODE;
	G.cpu.x[A1] = DATA;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 0xFFFFFF80u);
	ck_assert_uint_eq(G.cpu.x[A2], 0x80u);
	ck_assert_uint_eq(G.cpu.x[A3], 0x00000180u);
	ck_assert_uint_eq(G.cpu.x[T0], 0x7FFFu);
	ck_assert_uint_eq(G.cpu.x[T1], 0xDEADBEEFu);
	guest_free(&G);
}
END_TEST

/* Misaligned loads and stores at every offset, across 512-byte (paged
 * page) and 4 KiB boundaries. */
START_TEST(test_misaligned)
{
	static const uint32_t bases[] = { DATA, DATA + 509, DATA + 4093, 0x3FFE };
	uint32_t w[] = {
		SW(A2, A1, 0), LW(A0, A1, 0), SH(A2, A1, 5), LHU(A3, A1, 5), LH(T0, A1, 5),
		EBREAK,
	};
	unsigned k;

	guest_make(&G, _i, SZ, 2);
	put_code(&G, CODE, w, 6);
	for (k = 0; k < 4 * 4; k++) {
		uint32_t base = bases[k / 4] + k % 4, v = 0;

		G.cpu.pc = CODE;
		G.cpu.x[A1] = base;
		G.cpu.x[A2] = 0x89ABCDEFu + k;
		ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
		ck_assert_uint_eq(G.cpu.x[A0], 0x89ABCDEFu + k);
		ck_assert_uint_eq(G.cpu.x[A3], (0xCDEFu + k) & 0xFFFFu);
		ck_assert_uint_eq(G.cpu.x[T0], (uint32_t)(int32_t)(int16_t)(0xCDEFu + k));
		ck_assert_int_eq(gmem_read(&G.mem, base, &v, 4), 0);
		ck_assert_uint_eq(v, 0x89ABCDEFu + k);
	}
	guest_free(&G);
}
END_TEST

struct fault_case {
	uint32_t insn;                   /* accesses x11 + 0 */
	uint32_t addr;
	enum rv32_stop want;             /* EBREAK: no fault */
};

static const struct fault_case fault_cases[] = {
	{ LW(A0, A1, 0), SZ - 4, RV32_STOP_EBREAK },
	{ LW(A0, A1, 0), SZ - 3, RV32_STOP_LOAD_FAULT },
	{ LW(A0, A1, 0), SZ - 1, RV32_STOP_LOAD_FAULT },
	{ LW(A0, A1, 0), SZ, RV32_STOP_LOAD_FAULT },
	{ LW(A0, A1, 0), 0xFFFFFFFEu, RV32_STOP_LOAD_FAULT },
	{ LW(A0, A1, 0), 0x80000000u, RV32_STOP_LOAD_FAULT },
	{ LH(A0, A1, 0), SZ - 2, RV32_STOP_EBREAK },
	{ LHU(A0, A1, 0), SZ - 1, RV32_STOP_LOAD_FAULT },
	{ LB(A0, A1, 0), SZ - 1, RV32_STOP_EBREAK },
	{ LBU(A0, A1, 0), SZ, RV32_STOP_LOAD_FAULT },
	{ LBU(A0, A1, 0), 0xFFFFFFFFu, RV32_STOP_LOAD_FAULT },
	{ SW(A2, A1, 0), SZ - 4, RV32_STOP_EBREAK },
	{ SW(A2, A1, 0), SZ - 2, RV32_STOP_STORE_FAULT },
	{ SW(A2, A1, 0), 0xFFFFFFFDu, RV32_STOP_STORE_FAULT },
	{ SH(A2, A1, 0), SZ - 1, RV32_STOP_STORE_FAULT },
	{ SB(A2, A1, 0), SZ - 1, RV32_STOP_EBREAK },
	{ SB(A2, A1, 0), SZ, RV32_STOP_STORE_FAULT },
	{ LW(A0, A1, 0), 0, RV32_STOP_EBREAK },           /* page 0 is ordinary memory */
};
#define NFAULT (int)(sizeof(fault_cases) / sizeof(fault_cases[0]))

/* A fault leaves pc at the access, instret without it, rd and memory as
 * they were, fault_addr the address. */
START_TEST(test_access_faults)
{
	const struct fault_case *c = &fault_cases[_i % NFAULT];
	uint32_t w[] = { ADDI(A3, 0, 1), c->insn, EBREAK }, before = 0, after = 0;
	enum rv32_stop s;

	guest_make(&G, _i / NFAULT, SZ, 8);
	put_code(&G, CODE, w, 3);
	if (c->addr <= SZ - 4)
		gmem_read(&G.mem, c->addr, &before, 4);
	G.cpu.pc = CODE;
	G.cpu.x[A0] = 0x5A5A5A5A;
	G.cpu.x[A1] = c->addr;
	G.cpu.x[A2] = 0xA5A5A5A5u;
	s = rv32_run(&G.cpu, 100);
	ck_assert_msg(s == c->want, "insn 0x%08x at 0x%x: stop %d, want %d", c->insn, c->addr, s,
	              c->want);
	if (s == RV32_STOP_EBREAK) {
		ck_assert_uint_eq(G.cpu.instret, 3);
	} else {
		ck_assert_uint_eq(G.cpu.pc, CODE + 4);
		ck_assert_uint_eq(G.cpu.instret, 1);
		ck_assert_uint_eq(G.cpu.fault_addr, c->addr);
		ck_assert_uint_eq(G.cpu.x[A0], 0x5A5A5A5A);
		ck_assert_uint_eq(G.cpu.x[A3], 1);
		if (c->addr <= SZ - 4) {
			gmem_read(&G.mem, c->addr, &after, 4);
			ck_assert_uint_eq(after, before);
		}
	}
	guest_free(&G);
}
END_TEST

/* ------------------------------------------------------------ control */

START_TEST(test_jalr_clears_bit0)
{
	uint32_t w[] = { JALR(RA, A1, 1), EBREAK, EBREAK, ADDI(A0, 0, 42), EBREAK };

	ck_assert_int_eq(run_at(_i, w, 5, CODE + 12, 0, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 42);
	ck_assert_uint_eq(G.cpu.x[RA], CODE + 4);
	ck_assert_uint_eq(G.cpu.pc, CODE + 16);
	guest_free(&G);
}
END_TEST

START_TEST(test_jalr_rd_is_rs1)
{
	uint32_t w[] = { JALR(A1, A1, 0), EBREAK, ADDI(A0, A1, 0), EBREAK };

	ck_assert_int_eq(run_at(_i, w, 4, CODE + 8, 0, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], CODE + 4);
	guest_free(&G);
}
END_TEST

/* A jump to a misaligned target faults at the jump (not executed, rd
 * kept); one outside the space faults at the target (the jump executed). */
START_TEST(test_jump_faults)
{
	int backend = _i;
	uint32_t jalr[] = { JALR(RA, A1, 0), EBREAK };
	uint32_t jal_mis[] = { JAL(RA, 6), EBREAK, EBREAK };
	uint32_t br_mis[] = { BEQ(0, 0, 6), EBREAK, EBREAK };
	uint32_t br_not[] = { BNE(0, 0, 6), EBREAK, EBREAK };
	uint32_t beyond[] = { JAL(RA, (int32_t)(SZ - CODE)), EBREAK };

	ck_assert_int_eq(run_at(backend, jalr, 2, CODE + 2 * 4 + 2, 0, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, CODE);
	ck_assert_uint_eq(G.cpu.fault_addr, CODE + 10);
	ck_assert_uint_eq(G.cpu.x[RA], 0);
	ck_assert_uint_eq(G.cpu.instret, 0);
	guest_free(&G);

	ck_assert_int_eq(run_at(backend, jalr, 2, SZ + 64, 0, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, SZ + 64);
	ck_assert_uint_eq(G.cpu.fault_addr, SZ + 64);
	ck_assert_uint_eq(G.cpu.x[RA], CODE + 4);
	ck_assert_uint_eq(G.cpu.instret, 1);
	guest_free(&G);

	ck_assert_int_eq(run_at(backend, jal_mis, 3, 0, 0, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, CODE);
	ck_assert_uint_eq(G.cpu.fault_addr, CODE + 6);
	ck_assert_uint_eq(G.cpu.x[RA], 0);
	guest_free(&G);

	ck_assert_int_eq(run_at(backend, br_mis, 3, 0, 0, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, CODE);
	ck_assert_uint_eq(G.cpu.fault_addr, CODE + 6);
	guest_free(&G);

	ck_assert_int_eq(run_at(backend, br_not, 3, 0, 0, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.pc, CODE + 4);                   /* not taken: no fault */
	guest_free(&G);

	ck_assert_int_eq(run_at(backend, beyond, 2, 0, 0, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, SZ);
	ck_assert_uint_eq(G.cpu.fault_addr, SZ);
	ck_assert_uint_eq(G.cpu.x[RA], CODE + 4);
	guest_free(&G);
}
END_TEST

/* Running off the end of the space, and a bad starting pc. */
START_TEST(test_fetch_off_the_end)
{
	uint32_t w[] = { ADDI(A0, A0, 1), ADDI(A0, A0, 1) };

	guest_make(&G, _i, SZ, 8);
	put_code(&G, SZ - 8, w, 2);
	G.cpu.pc = SZ - 8;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, SZ);
	ck_assert_uint_eq(G.cpu.fault_addr, SZ);
	ck_assert_uint_eq(G.cpu.x[A0], 2);
	ck_assert_uint_eq(G.cpu.instret, 2);
	G.cpu.pc = CODE + 2;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, CODE + 2);
	G.cpu.pc = 0xFFFFFFFCu;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.fault_addr, 0xFFFFFFFCu);
	ck_assert_uint_eq(G.cpu.instret, 2);
	guest_free(&G);
}
END_TEST

/* A paged guest may end inside a 4 KiB decode page: the words past its
 * end are a fetch fault, as is running off it. */
START_TEST(test_partial_last_page)
{
	const uint32_t size = SZ + 512;
	uint32_t w[] = { ADDI(A0, A0, 1), ADDI(A0, A0, 1), JALR(0, A1, 0) };

	guest_make(&G, BACKEND_PAGED, size, 4);
	put_code(&G, size - 8, w, 2);
	G.cpu.pc = size - 8;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, size);
	ck_assert_uint_eq(G.cpu.x[A0], 2);
	put_code(&G, CODE, w + 2, 1);                       /* jump past the end */
	G.cpu.pc = CODE;
	G.cpu.x[A1] = size + 4;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_FETCH_FAULT);
	ck_assert_uint_eq(G.cpu.pc, size + 4);
	ck_assert_uint_eq(G.cpu.instret, 3);
	guest_free(&G);
}
END_TEST

/* Straight code and a loop across a 4 KiB page boundary. */
START_TEST(test_across_pages)
{
	uint32_t start = 0x2000 - 12, w[] = {
		ADDI(A0, 0, 0), ADDI(T0, 0, 100), ADDI(A0, A0, 3), ADDI(T0, T0, -1),
		BNE(T0, 0, -8), EBREAK,
	};

	guest_make(&G, _i, SZ, 8);
	put_code(&G, start, w, 6);
	G.cpu.pc = start;
	ck_assert_int_eq(rv32_run(&G.cpu, 10000), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 300);
	ck_assert_uint_eq(G.cpu.instret, 2 + 3 * 100 + 1);
	guest_free(&G);
}
END_TEST

/* ------------------------------------------------------------ illegal */

static const uint32_t illegal_words[] = {
	0x00000000u,                     /* all zeros */
	0xFFFFFFFFu,                     /* all ones */
	0x00004501u,                     /* c.li a0, 0 (no C extension) */
	0x0000FFFEu,                     /* compressed quadrant 2 */
	0x4000003Fu | (1u << 7),         /* a 48-bit encoding's first half */
	0x02B50533u | (0x40u << 25),     /* add with funct7 0x40 */
	0x40B50533u | (1u << 12),        /* sll with funct7 0x20 */
	0x00000013u | (1u << 12) | (0x20u << 25),  /* slli with funct7 0x20 */
	0x00000013u | (5u << 12) | (0x40u << 25),  /* srai with funct7 0x40 */
	0x02000013u | (1u << 12),        /* slli with shamt[5] (RV64 only) */
	0x00003003u,                     /* ld (RV64) */
	0x00006003u,                     /* lwu (RV64) */
	0x00007003u,                     /* load funct3 7 */
	0x00003023u,                     /* sd (RV64) */
	0x00002063u,                     /* branch funct3 2 */
	0x00003063u,                     /* branch funct3 3 */
	0x00001067u,                     /* jalr funct3 1 */
	0x0000200Fu,                     /* misc-mem funct3 2 */
	0x30200073u,                     /* mret */
	0x10500073u,                     /* wfi */
	0x10200073u,                     /* sret */
	0x00200073u,                     /* uret */
	0xC0001573u,                     /* csrrw a0, cycle, x0: a write */
	0xC0015573u,                     /* csrrwi a0, cycle, 2 */
	0xC0052573u,                     /* csrrs a0, cycle, a0: writes when rs1 != 0 */
	0xC000E573u,                     /* csrrsi a0, cycle, 1 */
	0xC0053573u,                     /* csrrc a0, cycle, a0 */
	0xC0302573u,                     /* csrr hpmcounter3 */
	0x00102573u,                     /* csrr fflags (no F) */
	0x30002573u,                     /* csrr mstatus */
	0xC0304573u,                     /* csr funct3 4 */
	0x0000000Bu,                     /* custom-0 */
	0x00000053u,                     /* OP-FP (no F) */
	0x00000007u,                     /* FLW (no F) */
	0x0200003Bu,                     /* OP-32 (RV64) */
	0x0000002Fu,                     /* AMO (no A) */
};
#define NILL (int)(sizeof(illegal_words) / sizeof(illegal_words[0]))

START_TEST(test_illegal)
{
	uint32_t word = illegal_words[_i % NILL];
	uint32_t w[] = { ADDI(A0, 0, 1), word, EBREAK };

	ck_assert_int_eq(run_at(_i / NILL, w, 3, 0, 0, 100), RV32_STOP_ILLEGAL);
	ck_assert_msg(G.cpu.fault_insn == word, "fault_insn 0x%08x", G.cpu.fault_insn);
	ck_assert_uint_eq(G.cpu.pc, CODE + 4);
	ck_assert_uint_eq(G.cpu.instret, 1);
	ck_assert_uint_eq(G.cpu.x[A0], 1);
	guest_free(&G);
}
END_TEST

/* Legal forms of the same families, as a check on the list above. */
START_TEST(test_legal_neighbours)
{
	uint32_t w[] = {
		0xC0002573u,                 /* rdcycle a0 */
		0xC0003573u,                 /* csrrc a0, cycle, x0 */
		0xC8206573u,                 /* csrrsi a0, instreth, 0 */
		0xC0107573u,                 /* csrrci a0, time, 0 */
		0x0FF0000Fu,                 /* fence iorw, iorw */
		0x8330000Fu,                 /* fence.tso */
		0x0100000Fu,                 /* pause */
		0x40B55513u,                 /* srai a0, a0, 11 */
		0xC0002073u,                 /* rdcycle x0 */
		EBREAK,
	};

	ck_assert_int_eq(run_at(_i, w, 10, 0, 0, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.instret, 10);
	guest_free(&G);
}
END_TEST

START_TEST(test_ecall_ebreak_resume)
{
	uint32_t w[] = { ADDI(A7, 0, 64), ECALL, ADDI(A0, A0, 1), EBREAK, ADDI(A0, A0, 1), EBREAK };

	ck_assert_int_eq(run_at(_i, w, 6, 0, 0, 100), RV32_STOP_ECALL);
	ck_assert_uint_eq(G.cpu.pc, CODE + 4);
	ck_assert_uint_eq(G.cpu.instret, 2);
	ck_assert_uint_eq(G.cpu.x[17], 64);
	G.cpu.x[A0] = 10;                    /* the system call's result */
	G.cpu.pc += 4;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.pc, CODE + 12);
	ck_assert_uint_eq(G.cpu.instret, 4);
	ck_assert_uint_eq(G.cpu.x[A0], 11);
	G.cpu.pc += 4;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 12);
	ck_assert_uint_eq(G.cpu.instret, 6);
	guest_free(&G);
}
END_TEST

/* ------------------------------------------------------------ budget */

/* A program with loops, calls, loads and stores: a0 = checksum, then
 * ecall. */
static const uint32_t busy_code[] = {
	ADDI(A0, 0, 0),                  /*  0: sum = 0 */
	ADDI(T0, 0, 300),                /*  4: i = 300 */
	LUI(A1, 0x8),                    /*  8: p = DATA */
	JAL(RA, 28),                     /* 12: call f at 40 */
	ADD(A0, A0, A2),                 /* 16 */
	SW(A0, A1, 0),                   /* 20 */
	LW(A3, A1, 0),                   /* 24 */
	ADDI(T0, T0, -1),                /* 28 */
	BNE(T0, 0, -20),                 /* 32: back to 12 */
	ECALL,                           /* 36 */
	SLLI(A2, T0, 1),                 /* 40: f: a2 = i * 2 */
	BLT(A2, A3, 8),                  /* 44 */
	ADDI(A2, A2, 3),                 /* 48 */
	JALR(0, RA, 0),                  /* 52: return */
};
#define NBUSY (unsigned)(sizeof(busy_code) / sizeof(busy_code[0]))

/* Budgets of every size stop exactly: instret grows by the budget each
 * time, and the final state is the one a single uninterrupted run gives. */
START_TEST(test_budget_exact)
{
	static const uint64_t budgets[] = { 1, 2, 3, 5, 7, 13, 64, 255, 256, 1000, 1023, 1024, 1025 };
	struct test_guest ref;
	uint64_t b = budgets[_i % 13];
	unsigned runs = 0;
	enum rv32_stop s;

	guest_make(&ref, _i / 13, SZ, 8);
	put_code(&ref, CODE, busy_code, NBUSY);
	ref.cpu.pc = CODE;
	ck_assert_int_eq(rv32_run(&ref.cpu, 1000000), RV32_STOP_ECALL);

	guest_make(&G, _i / 13, SZ, 8);
	put_code(&G, CODE, busy_code, NBUSY);
	G.cpu.pc = CODE;
	for (;;) {
		uint64_t before = G.cpu.instret;

		s = rv32_run(&G.cpu, b);
		runs++;
		if (s != RV32_STOP_BUDGET)
			break;
		require(G.cpu.instret == before + b);
	}
	ck_assert_int_eq(s, RV32_STOP_ECALL);
	ck_assert_uint_eq(G.cpu.instret, ref.cpu.instret);
	ck_assert_uint_eq(G.cpu.pc, ref.cpu.pc);
	ck_assert_mem_eq(G.cpu.x, ref.cpu.x, sizeof(G.cpu.x));
	ck_assert_uint_eq(runs, (ref.cpu.instret + b - 1) / b);
	guest_free(&ref);
	guest_free(&G);
}
END_TEST

/* One step at a time, the pc sequence is the program's. */
START_TEST(test_budget_single_steps)
{
	uint32_t w[] = { ADDI(A0, 0, 3), ADDI(A0, A0, -1), BNE(A0, 0, -4), EBREAK };
	static const uint32_t pcs[] = { 0, 4, 8, 4, 8, 4, 8, 12 };
	unsigned k;

	guest_make(&G, _i, SZ, 8);
	put_code(&G, CODE, w, 4);
	G.cpu.pc = CODE;
	for (k = 0; k < 7; k++) {
		ck_assert_uint_eq(G.cpu.pc, CODE + pcs[k]);
		ck_assert_int_eq(rv32_run(&G.cpu, 1), RV32_STOP_BUDGET);
		ck_assert_uint_eq(G.cpu.instret, k + 1);
	}
	ck_assert_uint_eq(G.cpu.pc, CODE + 12);
	ck_assert_int_eq(rv32_run(&G.cpu, 0), RV32_STOP_BUDGET);   /* nothing runs */
	ck_assert_uint_eq(G.cpu.instret, 7);
	ck_assert_int_eq(rv32_run(&G.cpu, 1), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.instret, 8);
	guest_free(&G);
}
END_TEST

/* A long straight block (longer than the cache's block-length hint) and
 * budgets that end inside it. */
START_TEST(test_budget_long_block)
{
	static uint32_t w[700];
	unsigned k;

	for (k = 0; k < 698; k++)
		w[k] = ADDI(A0, A0, 1);
	w[698] = JAL(0, -698 * 4);
	w[699] = EBREAK;
	guest_make(&G, _i, SZ, 8);
	put_code(&G, CODE, w, 700);
	G.cpu.pc = CODE;
	for (k = 0; k < 40; k++) {
		uint64_t before = G.cpu.instret;

		ck_assert_int_eq(rv32_run(&G.cpu, 97 + k * 31), RV32_STOP_BUDGET);
		ck_assert_uint_eq(G.cpu.instret, before + 97 + k * 31);
	}
	/* each pass is 698 addi and the jal: a0 counts the addi */
	ck_assert_uint_eq(G.cpu.x[A0], G.cpu.instret - G.cpu.instret / 699);
	ck_assert_uint_eq(G.cpu.pc, CODE + 4 * (G.cpu.instret % 699));
	guest_free(&G);
}
END_TEST

/* ------------------------------------------------------------ counters */

static uint64_t fake_time(void *ctx)
{
	return *(uint64_t *)ctx;
}

START_TEST(test_counters)
{
	uint64_t now = 0x123456789ABCull;
	uint32_t w[] = {
		CSRRS(A0, 0xC02, 0),         /* rdinstret */
		NOP,
		CSRRS(A1, 0xC02, 0),
		CSRRS(A2, 0xC00, 0),         /* rdcycle: as instret */
		CSRRS(A3, 0xC82, 0),         /* rdinstreth */
		CSRRS(T0, 0xC01, 0),         /* rdtime */
		CSRRS(T1, 0xC81, 0),         /* rdtimeh */
		EBREAK,
	};

	guest_make(&G, _i, SZ, 8);
	put_code(&G, CODE, w, 8);
	G.cpu.pc = CODE;
	G.cpu.instret = 0xFFFFFFFEull;       /* the low half wraps during the run */
	G.cpu.read_time = fake_time;
	G.cpu.time_ctx = &now;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 0xFFFFFFFEu);
	ck_assert_uint_eq(G.cpu.x[A1], 0);
	ck_assert_uint_eq(G.cpu.x[A2], 1);
	ck_assert_uint_eq(G.cpu.x[A3], 1);
	ck_assert_uint_eq(G.cpu.x[T0], 0x56789ABCu);
	ck_assert_uint_eq(G.cpu.x[T1], 0x1234u);
	ck_assert_uint_eq(G.cpu.instret, 0xFFFFFFFEull + 8);
	/* without a clock, time reads 0 */
	G.cpu.read_time = NULL;
	G.cpu.pc = CODE + 20;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[T0], 0);
	guest_free(&G);
}
END_TEST

/* rdinstret mid-block and after budget stops reads exactly the
 * instructions before it. */
START_TEST(test_instret_mid_block)
{
	uint32_t w[] = { NOP, NOP, NOP, CSRRS(A0, 0xC02, 0), NOP, CSRRS(A1, 0xC00, 0), EBREAK };
	unsigned b;

	for (b = 1; b <= 8; b++) {
		guest_make(&G, _i, SZ, 8);
		put_code(&G, CODE, w, 7);
		G.cpu.pc = CODE;
		while (rv32_run(&G.cpu, b) == RV32_STOP_BUDGET)
			;
		ck_assert_uint_eq(G.cpu.x[A0], 3);
		ck_assert_uint_eq(G.cpu.x[A1], 5);
		guest_free(&G);
	}
}
END_TEST

/* ------------------------------------------------------------ fence.i */

/* Patch an instruction that already ran (so it may be cached); after
 * fence.i the new one runs. */
START_TEST(test_fence_i)
{
	uint32_t target = CODE + 0x40;
	uint32_t w[] = {
		JAL(RA, 0x40),               /*  0: run the old code once */
		SW(A2, A1, 0),               /*  4: patch it */
		FENCE_I,                     /*  8 */
		JAL(RA, 0x40 - 12),          /* 12: run the new code */
		EBREAK,                      /* 16 */
	};
	uint32_t old_code[] = { ADDI(A0, 0, 1), JALR(0, RA, 0) };

	guest_make(&G, _i, SZ, 8);
	put_code(&G, CODE, w, 5);
	put_code(&G, target, old_code, 2);
	G.cpu.pc = CODE;
	G.cpu.x[A1] = target;
	G.cpu.x[A2] = ADDI(A0, 0, 2);
	ck_assert_int_eq(rv32_run(&G.cpu, 2), RV32_STOP_BUDGET);
	ck_assert_uint_eq(G.cpu.x[A0], 1);
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 2);
	guest_free(&G);
}
END_TEST

/* rv32_flush_decode: the caller rewrites code (execve) and the CPU runs
 * the new code. */
START_TEST(test_flush_decode)
{
	uint32_t a[] = { ADDI(A0, 0, 1), EBREAK }, b[] = { ADDI(A0, 0, 2), EBREAK };

	guest_make(&G, _i, SZ, 8);
	put_code(&G, CODE, a, 2);
	G.cpu.pc = CODE;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 1);
	put_code(&G, CODE, b, 2);
	rv32_flush_decode(&G.cpu);
	G.cpu.pc = CODE;
	ck_assert_int_eq(rv32_run(&G.cpu, 100), RV32_STOP_EBREAK);
	ck_assert_uint_eq(G.cpu.x[A0], 2);
	guest_free(&G);
}
END_TEST

START_TEST(test_stop_names)
{
	ck_assert_str_eq(rv32_stop_name(RV32_STOP_ILLEGAL), "illegal instruction");
	ck_assert_str_eq(rv32_stop_name(RV32_STOP_LOAD_FAULT), "load fault");
	ck_assert_str_eq(rv32_stop_name((enum rv32_stop)99), "unknown stop");
}
END_TEST

/* ------------------------------------------------------------ programs */

struct program {
	const char *file;
	const char *out;                 /* what it prints */
};

static const struct program programs[] = {
	{ "isa.elf", "" },
	{ "fib-rv32i.elf", "fib: 0x000cb228\n" },
	{ "crc32-rv32im.elf", "crc_bitwise: 0x9bf86749\ncrc_table: 0x0ab738c9\n" },
	{ "sieve-rv32im.elf", "primes: 0x00004640\n" },
	{ "sieve-rv32i.elf", "primes: 0x00004640\n" },
	{ "crc32-rv32i.elf", "crc_bitwise: 0x9bf86749\ncrc_table: 0x0ab738c9\n" },
	{ "fib-rv32im.elf", "fib: 0x000cb228\n" },
	{ "matmul-rv32im.elf", "matmul: 0x7944090b\n" },
	{ "matmul-rv32i.elf", "matmul: 0x7944090b\n" },
	{ "sort-rv32im.elf", "sort: 0xac61fec8\n" },
	{ "sort-rv32i.elf", "sort: 0xac61fec8\n" },
};
#define NPROG (int)(sizeof(programs) / sizeof(programs[0]))
/* Without the decode cache every instruction is decoded again: the first
 * three programs (every instruction group, calls, M and libgcc) suffice. */
#if RV32_DECODE_CACHE
#define NPROG_RUN NPROG
#else
#define NPROG_RUN 3
#endif

/* Each program on flat memory, on paged memory with a small cache, and in
 * odd-sized slices: it exits 0 having printed the known answer. */
START_TEST(test_programs)
{
	static const char *const argv[] = { "prog", NULL };
	const struct program *p = &programs[_i % NPROG_RUN];
	int mode = _i / NPROG_RUN;           /* 0 flat, 1 paged, 2 flat in slices of 997 */
	struct run_result res;

	guest_load(&G, mode == 1 ? BACKEND_PAGED : BACKEND_FLAT, p->file, argv, NULL);
	run_program(&G, mode == 2 ? 997 : 1000000, 2000000000ull, &res);
	ck_assert_msg(res.exited, "%s: stopped: %s at pc 0x%x", p->file, rv32_stop_name(res.stop),
	              G.cpu.pc);
	ck_assert_msg(res.status == 0, "%s: exit status %u (isa.elf: 1000 + failed case)",
	              p->file, res.status);
	ck_assert_str_eq(res.out, p->out);
	guest_free(&G);
}
END_TEST

/* The fixtures' answers are the reference machine's too. */
START_TEST(test_programs_match_qemu)
{
	const struct program *p = &programs[_i];
	char path[PATH_MAX], out[8192];
	char *args[] = { "qemu-riscv32", path, NULL };
	posix_spawn_file_actions_t fa;
	int pipefd[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	if (access("/usr/bin/qemu-riscv32", X_OK) != 0)
		return;                      /* not installed: nothing to compare */
	fixture_path(p->file, path, sizeof(path));
	ck_assert_int_eq(pipe(pipefd), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	ck_assert_int_eq(posix_spawn(&pid, "/usr/bin/qemu-riscv32", &fa, NULL, args, NULL), 0);
	close(pipefd[1]);
	while ((n = read(pipefd[0], out + len, sizeof(out) - 1 - (size_t)len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	posix_spawn_file_actions_destroy(&fa);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s under qemu: status %d",
	              p->file, status);
	ck_assert_str_eq(out, p->out);
}
END_TEST

/* A paged guest with only three cache slots runs a program correctly. */
START_TEST(test_program_tiny_cache)
{
	static const char *const argv[] = { "fib", NULL };
	static const uint8_t rnd[16];
	const struct guest_ids ids = { 0, 0, 0, 0 };
	struct elf_image img;
	struct run_result res;
	char why[200];
	size_t len;
	void *file = read_fixture("fib-rv32i.elf", &len);
	uint32_t sp;

	guest_make(&G, BACKEND_PAGED, 1u << 20, 3);
	ck_assert_int_eq(elf_load(&G.mem, file, len, &img, why, sizeof(why)), 0);
	ck_assert_int_eq(guest_stack_init(&G.mem, 1u << 20, 8192, argv, NULL, &img, &ids, rnd, &sp), 0);
	G.cpu.pc = img.entry;
	G.cpu.x[RV_SP] = sp;
	run_program(&G, 100000, 2000000000ull, &res);
	ck_assert(res.exited);
	ck_assert_str_eq(res.out, "fib: 0x000cb228\n");
	ck_assert_uint_gt(G.mem.misses, 10);
	free(file);
	guest_free(&G);
}
END_TEST

static Suite *rv32_cpu_suite(void)
{
	Suite *s = suite_create("rv32_cpu");
	TCase *tc = tcase_create("isa");
	TCase *tp = tcase_create("programs");
	int nalu = (int)(sizeof(alu_cases) / sizeof(alu_cases[0]));

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_alu, 0, nalu * BACKENDS);
	tcase_add_loop_test(tc, test_x0, 0, BACKENDS);
	tcase_add_loop_test(tc, test_loads_stores, 0, BACKENDS);
	tcase_add_loop_test(tc, test_misaligned, 0, BACKENDS);
	tcase_add_loop_test(tc, test_access_faults, 0, NFAULT * BACKENDS);
	tcase_add_loop_test(tc, test_jalr_clears_bit0, 0, BACKENDS);
	tcase_add_loop_test(tc, test_jalr_rd_is_rs1, 0, BACKENDS);
	tcase_add_loop_test(tc, test_jump_faults, 0, BACKENDS);
	tcase_add_loop_test(tc, test_fetch_off_the_end, 0, BACKENDS);
	tcase_add_loop_test(tc, test_across_pages, 0, BACKENDS);
	tcase_add_test(tc, test_partial_last_page);
	tcase_add_loop_test(tc, test_illegal, 0, NILL * BACKENDS);
	tcase_add_loop_test(tc, test_legal_neighbours, 0, BACKENDS);
	tcase_add_loop_test(tc, test_ecall_ebreak_resume, 0, BACKENDS);
	tcase_add_loop_test(tc, test_budget_exact, 0, 13 * BACKENDS);
	tcase_add_loop_test(tc, test_budget_single_steps, 0, BACKENDS);
	tcase_add_loop_test(tc, test_budget_long_block, 0, BACKENDS);
	tcase_add_loop_test(tc, test_counters, 0, BACKENDS);
	tcase_add_loop_test(tc, test_instret_mid_block, 0, BACKENDS);
	tcase_add_loop_test(tc, test_fence_i, 0, BACKENDS);
	tcase_add_loop_test(tc, test_flush_decode, 0, BACKENDS);
	tcase_add_test(tc, test_stop_names);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tp, 120);
	tcase_add_loop_test(tp, test_programs, 0, NPROG_RUN * 3);
	tcase_add_loop_test(tp, test_programs_match_qemu, 0, NPROG);
	tcase_add_test(tp, test_program_tiny_cache);
	suite_add_tcase(s, tp);
	return s;
}

TEST_MAIN(rv32_cpu_suite)
