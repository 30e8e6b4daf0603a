/*
 * rv32_jit_x86_64.c: the RV32IM CPU's block translator for x86-64 Linux
 * (Linux-only; rv32_run uses it for flat guest memory unless NANOOS_JIT=0).
 *
 * A basic block of guest code (up to JIT_BLOCK_MAX instructions, ending at
 * a jump or branch) becomes x86-64 code that works on cpu->x in memory.
 * Instructions it does not translate -- ecall, ebreak, CSR reads, fence.i,
 * illegal words -- end a block before them and run in the plain
 * interpreter, one at a time, as do the last instructions of a budget that
 * ends inside a block: stops and instret are the interpreter's, exactly.
 *
 * Host registers while guest code runs:
 *   rbx  the rv32_cpu (guest registers at [rbx + 4*i], pc, fault_addr)
 *   r12  mem->flat       r14  mem->size (an access ends at or before it)
 *   r13  instructions left in the budget (each block subtracts its length
 *        on entry; when that borrows it gives it back and returns)
 *   r15  the lookup table: JIT_TABLE entries of {pc, n, code}
 * A block leaves through a direct jump to its successor (patched in once
 * the successor is translated: chaining), through jalr's inline table
 * lookup, or back to rv32_jit_run with rax = a stop, 0 ("look up cpu->pc")
 * or the address of a jump to patch.
 */
#include "vm-rv32i/rv32_jit.h"

#if RV32_JIT

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kproc/nos_errno.h"

#define JIT_CODE_BYTES (8u << 20)    /* code per guest; flushed when full */
#define JIT_TABLE 16384u             /* lookup entries (a power of two) */
#define JIT_BLOCK_MAX 64u            /* instructions per block */
#define JIT_INSN_BYTES 160u          /* bound on one instruction's code + stubs */
#define JIT_EMPTY_PC 1u              /* never a pc: they are 4-aligned */
#define JIT_HOST_PAGE 4096u
#define JIT_TABLE_BYTES (JIT_TABLE * sizeof(struct jit_entry))
#define JIT_MAP_BYTES (JIT_TABLE_BYTES + JIT_CODE_BYTES)

struct jit_entry {
	uint32_t pc;
	uint32_t n;                      /* instructions in the block */
	uint8_t *code;
};

struct rv32_jit {
	uint8_t *code;                   /* JIT_CODE_BYTES, RWX */
	size_t used;
	size_t fixed;                    /* the enter/exit code at the start */
	uint32_t generation;             /* flushes so far: stale patch sites */
	struct jit_entry *table;         /* JIT_TABLE entries */
	uint8_t *exit;                   /* the common exit: rax = result */
	uint8_t *dispatch;               /* the exit with rax = 0 */
	/* Memory a guest: the mapping is made at the first translation
	 * (armed), and rv32_jit_cold leaves the first instructions of a
	 * program to the interpreter, so a short-lived or sleeping guest
	 * costs no mapping and no page of code or table. */
	int armed;                       /* table and code mapped, fixed code emitted */
	int unarmable;                   /* the mapping failed: interpret */
	uint32_t cold_left;              /* instructions to interpret first */
};

typedef uint64_t (*jit_enter_fn)(rv32_cpu *cpu, uint8_t *flat, uint64_t left,
                                 uint64_t *left_out, uint8_t *code, struct jit_entry *table);

/* ------------------------------------------------------------ emitter */

/* Where code goes, and which guest register eax holds (-1: none known).
 * Guest registers always live in cpu->x; within a block, a value still in
 * eax is reused instead of loaded again (a load right after the store of
 * the same register waits for the store). */
struct em {
	uint8_t *p;
	int eax;
};

enum { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
       R12 = 12, R13 = 13, R14 = 14, R15 = 15 };

#define X_OFF(i) ((int32_t)(offsetof(rv32_cpu, x) + 4u * (i)))
#define PC_OFF ((int32_t)offsetof(rv32_cpu, pc))
#define FAULT_OFF ((int32_t)offsetof(rv32_cpu, fault_addr))

static void b1(struct em *e, uint8_t v) { *e->p++ = v; }
static void b4(struct em *e, uint32_t v) { memcpy(e->p, &v, 4); e->p += 4; }
static void b8(struct em *e, uint64_t v) { memcpy(e->p, &v, 8); e->p += 8; }

/* op reg, [rbx + disp32] (32-bit operand): opcode bytes then ModRM. */
static void op_cpu(struct em *e, const char *op, unsigned nop, int reg, int32_t disp)
{
	if (reg >= 8)
		b1(e, 0x44);
	for (unsigned i = 0; i < nop; i++)
		b1(e, (uint8_t)op[i]);
	b1(e, (uint8_t)(0x80 | (reg & 7) << 3 | RBX));
	b4(e, (uint32_t)disp);
}

static void ld_reg(struct em *e, int reg, unsigned i)     /* mov reg32, x[i] */
{
	if (e->eax == (int)i) {
		if (reg != RAX) {                            /* mov reg, eax */
			b1(e, 0x89);
			b1(e, (uint8_t)(0xC0 | reg));
		}
		return;
	}
	if (i == 0) {                                        /* xor reg, reg */
		b1(e, 0x31);
		b1(e, (uint8_t)(0xC0 | reg << 3 | reg));
	} else {
		op_cpu(e, "\x8B", 1, reg, X_OFF(i));
	}
	if (reg == RAX)
		e->eax = (int)i;
}

/* mov x[i], reg32: x0 and the sink are not stored. */
static void st_reg(struct em *e, int reg, unsigned i)
{
	int stored = i != 0 && i < 32;

	if (stored)
		op_cpu(e, "\x89", 1, reg, X_OFF(i));
	if (reg == RAX)
		e->eax = stored ? (int)i : -1;
	else if (e->eax == (int)i)
		e->eax = -1;
}

static void st_imm(struct em *e, int32_t disp, uint32_t v) /* mov dword [rbx+d], imm */
{
	b1(e, 0xC7);
	b1(e, 0x80 | RBX);
	b4(e, (uint32_t)disp);
	b4(e, v);
}

static void st_imm_x(struct em *e, unsigned i, uint32_t v) /* x[i] = v */
{
	if (i != 0 && i < 32)
		st_imm(e, X_OFF(i), v);
	if (e->eax == (int)i)
		e->eax = -1;
}

/* A rel32 jump or jcc (cc < 0: jmp) to be patched: returns the field. */
static uint8_t *jump_field(struct em *e, int cc)
{
	if (cc < 0) {
		b1(e, 0xE9);
	} else {
		b1(e, 0x0F);
		b1(e, (uint8_t)(0x80 | cc));
	}
	b4(e, 0);
	return e->p - 4;
}

static void patch(uint8_t *field, const uint8_t *target)
{
	int32_t rel = (int32_t)(target - (field + 4));

	memcpy(field, &rel, 4);
}

static void jump_to(struct em *e, int cc, const uint8_t *target)
{
	patch(jump_field(e, cc), target);
}

enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_A = 7, CC_L = 0xC, CC_GE = 0xD };

/* ------------------------------------------------------------ enter and exit */

/* enter(cpu, flat, left, left_out, code, table): saves the callee-saved
 * registers and left_out (keeping the stack 16-aligned for helper calls),
 * sets up the registers above and jumps to code. The exit returns rax. */
static void emit_fixed(struct rv32_jit *j)
{
	static const uint8_t enter[] = {
		0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57, /* push rbx..r15 */
		0x51,                                                       /* push rcx */
		0x48, 0x89, 0xFB,                                           /* mov rbx, rdi */
		0x49, 0x89, 0xF4,                                           /* mov r12, rsi */
		0x49, 0x89, 0xD5,                                           /* mov r13, rdx */
		0x4D, 0x89, 0xCF,                                           /* mov r15, r9 */
	};
	static const uint8_t leave[] = {
		0x59,                                                       /* pop rcx */
		0x4C, 0x89, 0x29,                                           /* mov [rcx], r13 */
		0x41, 0x5F, 0x41, 0x5E, 0x41, 0x5D, 0x41, 0x5C, 0x5D, 0x5B, /* pop r15..rbx */
		0xC3,
	};
	struct em e = { j->code, -1 };

	memcpy(e.p, enter, sizeof(enter));
	e.p += sizeof(enter);
	b1(&e, 0x48);                                               /* mov rax, [rbx+mem] */
	op_cpu(&e, "\x8B", 1, RAX, (int32_t)offsetof(rv32_cpu, mem));
	b1(&e, 0x44);                                               /* mov r14d, [rax+size] */
	b1(&e, 0x8B);
	b1(&e, 0xB0);
	b4(&e, (uint32_t)offsetof(guest_mem, size));
	b1(&e, 0x41);                                               /* jmp r8 */
	b1(&e, 0xFF);
	b1(&e, 0xE0);
	j->dispatch = e.p;
	b1(&e, 0x31);                                               /* xor eax, eax */
	b1(&e, 0xC0);
	j->exit = e.p;
	memcpy(e.p, leave, sizeof(leave));
	e.p += sizeof(leave);
	j->fixed = j->used = (size_t)(e.p - j->code);
}

/* ------------------------------------------------------------ lifecycle */

int rv32_jit_create(rv32_cpu *cpu)
{
	const char *env = getenv("NANOOS_JIT");
	struct rv32_jit *j;

	cpu->jit = NULL;
	if (env != NULL && strcmp(env, "0") == 0)
		return 0;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -NOS_ENOMEM;
	cpu->jit = j;
	return 0;
}

/* Map the table and the code (one mapping a guest: max_map_count counts
 * them) and emit the enter/exit code: 0, or -1 when there is no memory. */
static int jit_arm(struct rv32_jit *j)
{
	j->table = mmap(NULL, JIT_MAP_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (j->table == MAP_FAILED) {
		j->table = NULL;
		j->unarmable = 1;
		return -1;
	}
	j->code = (uint8_t *)j->table + JIT_TABLE_BYTES;
	emit_fixed(j);
	j->table[0] = (struct jit_entry){ JIT_EMPTY_PC, 0, NULL };
	j->armed = 1;
	return 0;
}

void rv32_jit_destroy(rv32_cpu *cpu)
{
	struct rv32_jit *j = cpu->jit;

	if (j == NULL)
		return;
	if (j->armed)
		munmap(j->table, JIT_MAP_BYTES);
	free(j);
	cpu->jit = NULL;
}

void rv32_jit_cold(rv32_cpu *cpu, uint32_t n)
{
	if (cpu->jit != NULL)
		cpu->jit->cold_left = n;
}

void rv32_jit_flush(rv32_cpu *cpu)
{
	struct rv32_jit *j = cpu->jit;

	if (j == NULL || !j->armed)
		return;
	/* Memory per guest: the table and the code are given back to the host
	 * (they read as zeros again) rather than rewritten, so a guest costs
	 * only the pages of blocks it translated. A zero entry has pc 0, and
	 * only pc 0 looks an entry up at index 0: that one alone is marked
	 * empty. */
	if (j->used > j->fixed) {
		size_t keep = (j->fixed + JIT_HOST_PAGE - 1) & ~(size_t)(JIT_HOST_PAGE - 1);

		if (madvise(j->table, JIT_TABLE_BYTES, MADV_DONTNEED) != 0)
			memset(j->table, 0, JIT_TABLE_BYTES);
		if (j->used > keep)
			(void)madvise(j->code + keep, JIT_CODE_BYTES - keep, MADV_DONTNEED);
	}
	j->table[0] = (struct jit_entry){ JIT_EMPTY_PC, 0, NULL };
	j->used = j->fixed;
	j->generation++;
}

/* ------------------------------------------------------------ translation */

/* Exits of a block that need code after its body. */
struct stub {
	uint8_t *field;                  /* the jcc to point at it */
	uint32_t pc;                     /* the faulting instruction */
	uint32_t undo;                   /* budget to give back: n - index */
	uint8_t stop;
	uint8_t addr_in_eax;             /* fault_addr: eax, else `addr` */
	uint32_t addr;
};

struct block {
	struct em e;
	struct rv32_jit *j;
	uint32_t n;                      /* instructions */
	struct stub stubs[JIT_BLOCK_MAX + 1];
	unsigned nstubs;
};

static void add_stub(struct block *b, int cc, uint32_t pc, uint32_t index, enum rv32_stop stop,
                     int in_eax, uint32_t addr)
{
	struct stub *s = &b->stubs[b->nstubs++];

	s->field = jump_field(&b->e, cc);
	s->pc = pc;
	s->undo = b->n - index;
	s->stop = (uint8_t)stop;
	s->addr_in_eax = (uint8_t)in_eax;
	s->addr = addr;
}

static void emit_stubs(struct block *b)
{
	struct em *e = &b->e;

	for (unsigned i = 0; i < b->nstubs; i++) {
		struct stub *s = &b->stubs[i];

		patch(s->field, e->p);
		if (s->addr_in_eax)
			op_cpu(e, "\x89", 1, RAX, FAULT_OFF);
		else
			st_imm(e, FAULT_OFF, s->addr);
		st_imm(e, PC_OFF, s->pc);
		b1(e, 0x49);                                        /* add r13, undo */
		b1(e, 0x81);
		b1(e, 0xC5);
		b4(e, s->undo);
		b1(e, 0xB8);                                        /* mov eax, stop */
		b4(e, s->stop);
		jump_to(e, -1, b->j->exit);
	}
}

/* Leave for guest pc `target`: a jump that rv32_jit_run patches to the
 * target's block; until then it goes to a stub that stores the pc and
 * returns the jump's address. (A chained block stores its own pc only
 * when the budget stops it at its entry.) */
static void emit_chain_exit(struct em *e, struct rv32_jit *j, uint32_t target)
{
	uint8_t *field = jump_field(e, -1);

	patch(field, e->p);
	st_imm(e, PC_OFF, target);
	b1(e, 0x48);                                                /* lea rax, [rip+d] */
	b1(e, 0x8D);
	b1(e, 0x05);
	b4(e, (uint32_t)(int32_t)(field - (e->p + 4)));
	jump_to(e, -1, j->exit);
}

static void emit_dispatch_exit(struct em *e, struct rv32_jit *j)
{
	jump_to(e, -1, j->dispatch);
}

/* eax = x[rs1] + imm; fault unless [eax, eax + n) lies inside the space;
 * leaves the address in rax. */
static void emit_address(struct block *b, const struct rv32_op *op, unsigned n, uint32_t pc,
                         uint32_t index, enum rv32_stop stop)
{
	struct em *e = &b->e;

	ld_reg(e, RAX, op->rs1);
	if (op->imm != 0) {
		b1(e, 0x05);                                        /* add eax, imm */
		b4(e, (uint32_t)op->imm);
		e->eax = -1;
	}
	b1(e, 0x48);                                                /* lea rdx, [rax+n] */
	b1(e, 0x8D);
	b1(e, 0x50);
	b1(e, (uint8_t)n);
	b1(e, 0x4C);                                                /* cmp rdx, r14 */
	b1(e, 0x39);
	b1(e, 0xF2);
	add_stub(b, CC_A, pc, index, stop, 1, 0);
}

/* The loads: the opcode bytes of "mov ecx, [r12+rax]" for each. */
static void emit_load(struct block *b, const struct rv32_op *op, const char *opc, unsigned nopc,
                      unsigned n, uint32_t pc, uint32_t index)
{
	struct em *e = &b->e;

	emit_address(b, op, n, pc, index, RV32_STOP_LOAD_FAULT);
	b1(e, 0x41);                                                /* REX.B: r12 */
	for (unsigned i = 0; i < nopc; i++)
		b1(e, (uint8_t)opc[i]);
	b1(e, 0x0C);                                                /* ecx, [sib] */
	b1(e, 0x04);                                                /* r12 + rax */
	st_reg(e, RCX, op->rd);
}

static void emit_store(struct block *b, const struct rv32_op *op, unsigned n, uint32_t pc,
                       uint32_t index)
{
	struct em *e = &b->e;

	emit_address(b, op, n, pc, index, RV32_STOP_STORE_FAULT);
	ld_reg(e, RCX, op->rs2);
	if (n == 2)
		b1(e, 0x66);
	b1(e, 0x41);
	b1(e, n == 1 ? 0x88 : 0x89);
	b1(e, 0x0C);
	b1(e, 0x04);
}

/* ALU ops of the form "op eax, r/m32" and "op r/m32, imm32" (/digit). */
struct alu {
	uint8_t rm_op;                   /* op eax, [mem] */
	uint8_t digit;                   /* 81 /digit */
};
static const struct alu alu_add = { 0x03, 0 }, alu_or = { 0x0B, 1 }, alu_and = { 0x23, 4 },
                        alu_sub = { 0x2B, 5 }, alu_xor = { 0x33, 6 };

static void emit_alu_r(struct em *e, const struct rv32_op *op, struct alu a)
{
	ld_reg(e, RAX, op->rs1);
	if (op->rs2 == 0) {
		b1(e, 0x81);                                        /* op eax, 0 */
		b1(e, (uint8_t)(0xC0 | a.digit << 3));
		b4(e, 0);
	} else {
		op_cpu(e, (const char *)&a.rm_op, 1, RAX, X_OFF(op->rs2));
	}
	st_reg(e, RAX, op->rd);
}

static void emit_alu_i(struct em *e, const struct rv32_op *op, struct alu a)
{
	ld_reg(e, RAX, op->rs1);
	b1(e, 0x81);
	b1(e, (uint8_t)(0xC0 | a.digit << 3));
	b4(e, (uint32_t)op->imm);
	st_reg(e, RAX, op->rd);
}

/* Shifts: C1 /digit ib (by imm), D3 /digit (by cl). */
static void emit_shift(struct em *e, const struct rv32_op *op, unsigned digit, int by_imm)
{
	ld_reg(e, RAX, op->rs1);
	if (by_imm) {
		b1(e, 0xC1);
		b1(e, (uint8_t)(0xC0 | digit << 3));
		b1(e, (uint8_t)op->imm);
	} else {
		ld_reg(e, RCX, op->rs2);
		b1(e, 0xD3);
		b1(e, (uint8_t)(0xC0 | digit << 3));
	}
	st_reg(e, RAX, op->rd);
}

/* rd = (x[rs1] cmp b) as 0/1, b = x[rs2] or the immediate. */
static void emit_set(struct em *e, const struct rv32_op *op, int cc, int by_imm)
{
	b1(e, 0x31);                                                /* xor edx, edx */
	b1(e, 0xD2);
	ld_reg(e, RAX, op->rs1);
	if (by_imm) {
		b1(e, 0x3D);                                        /* cmp eax, imm */
		b4(e, (uint32_t)op->imm);
	} else {
		ld_reg(e, RCX, op->rs2);
		b1(e, 0x39);                                        /* cmp eax, ecx */
		b1(e, 0xC8);
	}
	b1(e, 0x0F);                                                /* setcc dl */
	b1(e, (uint8_t)(0x90 | cc));
	b1(e, 0xC2);
	st_reg(e, RDX, op->rd);
}

/* The high words: 64-bit products of sign- or zero-extended operands. */
static void emit_mulh(struct em *e, const struct rv32_op *op, int a_signed, int b_signed)
{
	if (a_signed) {                                             /* movsxd rax, x */
		op_cpu(e, "\x48\x63", 2, RAX, X_OFF(op->rs1));
		e->eax = -1;
	} else
		ld_reg(e, RAX, op->rs1);
	if (b_signed)
		op_cpu(e, "\x48\x63", 2, RCX, X_OFF(op->rs2));
	else
		ld_reg(e, RCX, op->rs2);
	b1(e, 0x48);                                                /* imul rax, rcx */
	b1(e, 0x0F);
	b1(e, 0xAF);
	b1(e, 0xC1);
	b1(e, 0x48);                                                /* shr rax, 32 */
	b1(e, 0xC1);
	b1(e, 0xE8);
	b1(e, 32);
	st_reg(e, RAX, op->rd);
}

static uint32_t jit_divu(uint32_t a, uint32_t b) { return b ? a / b : 0xFFFFFFFFu; }
static uint32_t jit_remu(uint32_t a, uint32_t b) { return b ? a % b : a; }

static void emit_call2(struct em *e, const struct rv32_op *op, uint32_t (*fn)(uint32_t, uint32_t))
{
	ld_reg(e, RDI, op->rs1);
	ld_reg(e, RSI, op->rs2);
	b1(e, 0x48);                                                /* mov rax, fn */
	b1(e, 0xB8);
	b8(e, (uint64_t)(uintptr_t)fn);
	b1(e, 0xFF);                                                /* call rax */
	b1(e, 0xD0);
	b1(e, 0x89);                                                /* mov eax, eax: */
	b1(e, 0xC0);                                                /* rax's top is junk */
	st_reg(e, RAX, op->rd);
}

static const int branch_cc[] = {
	[RVK_BEQ - RVK_BEQ] = CC_E, [RVK_BNE - RVK_BEQ] = CC_NE, [RVK_BLT - RVK_BEQ] = CC_L,
	[RVK_BGE - RVK_BEQ] = CC_GE, [RVK_BLTU - RVK_BEQ] = CC_B, [RVK_BGEU - RVK_BEQ] = CC_AE,
};

static void emit_branch(struct block *b, enum rv32_kind k, const struct rv32_op *op, uint32_t pc,
                        uint32_t index)
{
	struct em *e = &b->e;
	uint32_t target = (uint32_t)op->imm;
	uint8_t *taken;

	ld_reg(e, RAX, op->rs1);
	ld_reg(e, RCX, op->rs2);
	b1(e, 0x39);                                                /* cmp eax, ecx */
	b1(e, 0xC8);
	if (target & 3u) {                                          /* taken: a fault */
		add_stub(b, branch_cc[k - RVK_BEQ], pc, index, RV32_STOP_FETCH_FAULT, 0, target);
		emit_chain_exit(e, b->j, pc + 4u);
		return;
	}
	taken = jump_field(e, branch_cc[k - RVK_BEQ]);
	emit_chain_exit(e, b->j, pc + 4u);
	patch(taken, e->p);
	emit_chain_exit(e, b->j, target);
}

/* jalr: the target (bit 0 cleared) must be 4-aligned, else a fault at the
 * jalr; then the link, and the target's block from the table if it is
 * there, else back to rv32_jit_run. */
static void emit_jalr(struct block *b, const struct rv32_op *op, uint32_t pc, uint32_t index)
{
	static const uint8_t lookup[] = {
		0x89, 0xC1,                                         /* mov ecx, eax */
		0xC1, 0xE1, 0x02,                                   /* shl ecx, 2 */
		0x81, 0xE1,                                         /* and ecx, mask (follows) */
	};
	struct em *e = &b->e;

	ld_reg(e, RAX, op->rs1);
	if (op->imm != 0) {
		b1(e, 0x05);
		b4(e, (uint32_t)op->imm);
	}
	b1(e, 0x83);                                                /* and eax, -2 */
	b1(e, 0xE0);
	b1(e, 0xFE);
	b1(e, 0xA8);                                                /* test al, 2 */
	b1(e, 0x02);
	add_stub(b, CC_NE, pc, index, RV32_STOP_FETCH_FAULT, 1, 0);
	st_imm_x(e, op->rd, pc + 4u);
	op_cpu(e, "\x89", 1, RAX, PC_OFF);
	memcpy(e->p, lookup, sizeof(lookup));
	e->p += sizeof(lookup);
	b4(e, (JIT_TABLE - 1u) << 4);
	b1(e, 0x41);                                                /* cmp [r15+rcx], eax */
	b1(e, 0x39);
	b1(e, 0x04);
	b1(e, 0x0F);
	b1(e, 0x75);                                                /* jne +5 */
	b1(e, 0x05);
	b1(e, 0x41);                                                /* jmp [r15+rcx+8] */
	b1(e, 0xFF);
	b1(e, 0x64);
	b1(e, 0x0F);
	b1(e, 0x08);
	emit_dispatch_exit(e, b->j);
}

/* One instruction; returns 1 when it ended the block. */
static int emit_insn(struct block *b, enum rv32_kind k, const struct rv32_op *op, uint32_t pc,
                     uint32_t index)
{
	struct em *e = &b->e;

	switch (k) {
	case RVK_NOP: break;
	case RVK_LI: st_imm_x(e, op->rd, (uint32_t)op->imm); break;
	case RVK_MV: ld_reg(e, RAX, op->rs1); st_reg(e, RAX, op->rd); break;
	case RVK_ADDI: emit_alu_i(e, op, alu_add); break;
	case RVK_XORI: emit_alu_i(e, op, alu_xor); break;
	case RVK_ORI: emit_alu_i(e, op, alu_or); break;
	case RVK_ANDI: emit_alu_i(e, op, alu_and); break;
	case RVK_SLTI: emit_set(e, op, CC_L, 1); break;
	case RVK_SLTIU: emit_set(e, op, CC_B, 1); break;
	case RVK_SLLI: emit_shift(e, op, 4, 1); break;
	case RVK_SRLI: emit_shift(e, op, 5, 1); break;
	case RVK_SRAI: emit_shift(e, op, 7, 1); break;
	case RVK_ADD: emit_alu_r(e, op, alu_add); break;
	case RVK_SUB: emit_alu_r(e, op, alu_sub); break;
	case RVK_XOR: emit_alu_r(e, op, alu_xor); break;
	case RVK_OR: emit_alu_r(e, op, alu_or); break;
	case RVK_AND: emit_alu_r(e, op, alu_and); break;
	case RVK_SLT: emit_set(e, op, CC_L, 0); break;
	case RVK_SLTU: emit_set(e, op, CC_B, 0); break;
	case RVK_SLL: emit_shift(e, op, 4, 0); break;
	case RVK_SRL: emit_shift(e, op, 5, 0); break;
	case RVK_SRA: emit_shift(e, op, 7, 0); break;
	case RVK_MUL:
		ld_reg(e, RAX, op->rs1);
		ld_reg(e, RCX, op->rs2);
		b1(e, 0x0F);                                        /* imul eax, ecx */
		b1(e, 0xAF);
		b1(e, 0xC1);
		st_reg(e, RAX, op->rd);
		break;
	case RVK_MULH: emit_mulh(e, op, 1, 1); break;
	case RVK_MULHSU: emit_mulh(e, op, 1, 0); break;
	case RVK_MULHU: emit_mulh(e, op, 0, 0); break;
	case RVK_DIV: emit_call2(e, op, rv32_div); break;
	case RVK_DIVU: emit_call2(e, op, jit_divu); break;
	case RVK_REM: emit_call2(e, op, rv32_rem); break;
	case RVK_REMU: emit_call2(e, op, jit_remu); break;
	case RVK_LB: emit_load(b, op, "\x0F\xBE", 2, 1, pc, index); break;
	case RVK_LBU: emit_load(b, op, "\x0F\xB6", 2, 1, pc, index); break;
	case RVK_LH: emit_load(b, op, "\x0F\xBF", 2, 2, pc, index); break;
	case RVK_LHU: emit_load(b, op, "\x0F\xB7", 2, 2, pc, index); break;
	case RVK_LW: emit_load(b, op, "\x8B", 1, 4, pc, index); break;
	case RVK_SB: emit_store(b, op, 1, pc, index); break;
	case RVK_SH: emit_store(b, op, 2, pc, index); break;
	case RVK_SW: emit_store(b, op, 4, pc, index); break;
	case RVK_BEQ: case RVK_BNE: case RVK_BLT: case RVK_BGE: case RVK_BLTU: case RVK_BGEU:
		emit_branch(b, k, op, pc, index);
		return 1;
	case RVK_JAL:
		if ((uint32_t)op->imm & 3u) {
			add_stub(b, -1, pc, index, RV32_STOP_FETCH_FAULT, 0, (uint32_t)op->imm);
			return 1;
		}
		st_imm_x(e, op->rd, pc + 4u);
		emit_chain_exit(e, b->j, (uint32_t)op->imm);
		return 1;
	case RVK_JALR:
		emit_jalr(b, op, pc, index);
		return 1;
	default:
		break;
	}
	return 0;
}

/* Kinds the translator leaves to the interpreter. */
static int translatable(enum rv32_kind k)
{
	return k >= RVK_NOP && k <= RVK_JALR;
}

/* The block at pc: its instructions, decoded afresh from guest memory. */
static uint32_t block_length(const guest_mem *m, uint32_t pc)
{
	uint32_t n = 0;

	while (n < JIT_BLOCK_MAX && (uint64_t)pc + 4u * n + 4u <= m->size) {
		struct rv32_op op;
		uint32_t w;
		enum rv32_kind k;

		memcpy(&w, m->flat + pc + 4u * n, 4);
		k = rv32_decode(w, pc + 4u * n, &op);
		if (!translatable(k))
			break;
		n++;
		if (rv32_kind_ends_block(k))
			break;
	}
	return n;
}

/* Translates the block at pc into the table; NULL when its first
 * instruction is one the interpreter runs (or lies outside the space). */
static struct jit_entry *translate(rv32_cpu *cpu, uint32_t pc)
{
	struct rv32_jit *j = cpu->jit;
	const guest_mem *m = cpu->mem;
	struct jit_entry *ent = &j->table[(pc >> 2) & (JIT_TABLE - 1u)];
	struct block b;
	uint8_t *no_budget;
	uint32_t n, i;
	int ended = 0;

	if ((pc & 3u) != 0 || (n = block_length(m, pc)) == 0)
		return NULL;
	if (JIT_CODE_BYTES - j->used < (size_t)(n + 2u) * JIT_INSN_BYTES)
		rv32_jit_flush(cpu);
	b.e.p = j->code + j->used;
	b.e.eax = -1;
	b.j = j;
	b.n = n;
	b.nstubs = 0;
	ent->pc = pc;
	ent->n = n;
	ent->code = b.e.p;
	b1(&b.e, 0x49);                                             /* sub r13, n */
	b1(&b.e, 0x81);
	b1(&b.e, 0xED);
	b4(&b.e, n);
	no_budget = jump_field(&b.e, CC_B);
	for (i = 0; i < n && !ended; i++) {
		struct rv32_op op;
		uint32_t w, ipc = pc + 4u * i;

		memcpy(&w, m->flat + ipc, 4);
		ended = emit_insn(&b, rv32_decode(w, ipc, &op), &op, ipc, i);
	}
	if (!ended)
		emit_chain_exit(&b.e, j, pc + 4u * n);
	patch(no_budget, b.e.p);                                    /* fewer than n left */
	b1(&b.e, 0x49);                                             /* add r13, n */
	b1(&b.e, 0x81);
	b1(&b.e, 0xC5);
	b4(&b.e, n);
	st_imm(&b.e, PC_OFF, pc);
	jump_to(&b.e, -1, j->dispatch);
	emit_stubs(&b);
	j->used = (size_t)(b.e.p - j->code);
	return ent;
}

/* ------------------------------------------------------------ running */

static struct jit_entry *lookup(rv32_cpu *cpu, uint32_t pc)
{
	struct jit_entry *ent = &cpu->jit->table[(pc >> 2) & (JIT_TABLE - 1u)];

	return ent->pc == pc ? ent : translate(cpu, pc);
}

/* The interpreter for `n` instructions from cpu->pc; *left drops by those
 * that retired. */
static enum rv32_stop interpret(rv32_cpu *cpu, uint32_t n, uint32_t *left)
{
	uint64_t before = cpu->instret;
	enum rv32_stop stop = rv32_run_plain(cpu, n);

	*left -= (uint32_t)(cpu->instret - before);
	return stop;
}

/* The budget is used up. Like the decode-cache loop, a last jump (or a
 * fall) out of the space reports the fetch fault there at once. */
static enum rv32_stop budget_end(rv32_cpu *cpu)
{
	if (cpu->pc < cpu->mem->size)
		return RV32_STOP_BUDGET;
	cpu->fault_addr = cpu->pc;
	return RV32_STOP_FETCH_FAULT;
}

/* The cold start: up to `*left` of the instructions still to interpret,
 * one by one (no decode cache either: its pages would cost as much). */
static enum rv32_stop run_cold(rv32_cpu *cpu, uint32_t *left)
{
	struct rv32_jit *j = cpu->jit;
	uint32_t n = *left < j->cold_left ? *left : j->cold_left;
	uint32_t before = *left;
	enum rv32_stop stop = interpret(cpu, n, left);

	j->cold_left -= before - *left < j->cold_left ? before - *left : j->cold_left;
	return stop;
}

enum rv32_stop rv32_jit_run(rv32_cpu *cpu, uint32_t budget)
{
	struct rv32_jit *j = cpu->jit;
	jit_enter_fn enter;
	uint32_t left = budget;

	if (j->cold_left > 0) {
		enum rv32_stop stop = run_cold(cpu, &left);

		if (stop != RV32_STOP_BUDGET || left == 0)
			return stop == RV32_STOP_BUDGET ? budget_end(cpu) : stop;
	}
	if (!j->armed && (j->unarmable || jit_arm(j) < 0))
		return cpu->dc != NULL ? rv32_run_cached(cpu, left) : rv32_run_plain(cpu, left);
	enter = (jit_enter_fn)(void *)j->code;

	while (left > 0) {
		struct jit_entry *ent = lookup(cpu, cpu->pc);
		uint64_t rest, rc;
		uint32_t gen;

		if (ent == NULL || ent->n > left) {
			enum rv32_stop stop = interpret(cpu, ent == NULL ? 1u : left, &left);

			if (stop != RV32_STOP_BUDGET || left == 0)
				return stop == RV32_STOP_BUDGET ? budget_end(cpu) : stop;
			j = cpu->jit;                /* fence.i flushed, never freed */
			continue;
		}
		rc = enter(cpu, cpu->mem->flat, left, &rest, ent->code, j->table);
		cpu->instret += left - rest;
		left = (uint32_t)rest;
		if (rc == 0)
			continue;
		if (rc < 256)
			return (enum rv32_stop)rc;
		gen = j->generation;                 /* a jump to chain to cpu->pc */
		ent = lookup(cpu, cpu->pc);
		if (ent != NULL && gen == j->generation)
			patch((uint8_t *)(uintptr_t)rc, ent->code);
	}
	return budget_end(cpu);
}

#endif
