/*
 * rv32_decode.c: instruction word -> struct rv32_op (portable).
 *
 * Decodes RV32I, M, the Zicsr counter reads and Zifencei; every other word
 * (compressed ones, all-zeros, all-ones, reserved fields set, writes to CSRs,
 * any other CSR) is RVK_ILLEGAL. Immediates come out sign-extended and
 * whatever the pc decides is computed here, once. Within an opcode the
 * funct3 (and funct7) fields pick the kind from the tables below.
 */
#include <string.h>

#include "vm-rv32i/rv32_op.h"

#define IL RVK_ILLEGAL

static const uint8_t op_imm_kinds[8] = {      /* by funct3; 1 and 5 checked below */
	RVK_ADDI, RVK_SLLI, RVK_SLTI, RVK_SLTIU, RVK_XORI, RVK_SRLI, RVK_ORI, RVK_ANDI,
};
static const uint8_t op_kinds[3][8] = {       /* by funct7 (0, 0x20, 1), funct3 */
	{ RVK_ADD, RVK_SLL, RVK_SLT, RVK_SLTU, RVK_XOR, RVK_SRL, RVK_OR, RVK_AND },
	{ RVK_SUB, IL, IL, IL, IL, RVK_SRA, IL, IL },
	{ RVK_MUL, RVK_MULH, RVK_MULHSU, RVK_MULHU, RVK_DIV, RVK_DIVU, RVK_REM, RVK_REMU },
};
static const uint8_t load_kinds[8] = { RVK_LB, RVK_LH, RVK_LW, IL, RVK_LBU, RVK_LHU, IL, IL };
static const uint8_t store_kinds[8] = { RVK_SB, RVK_SH, RVK_SW, IL, IL, IL, IL, IL };
static const uint8_t branch_kinds[8] = {
	RVK_BEQ, RVK_BNE, IL, IL, RVK_BLT, RVK_BGE, RVK_BLTU, RVK_BGEU,
};

#define BLOCK_END(k) [RVK_##k] = 1,
static const uint8_t ends_block[RVK_COUNT] = {
	BLOCK_END(PAGE_END) BLOCK_END(BRANCH_FAR) BLOCK_END(JAL_FAR)
	BLOCK_END(ILLEGAL) BLOCK_END(FETCH_FAULT)
	BLOCK_END(BEQ) BLOCK_END(BNE) BLOCK_END(BLT) BLOCK_END(BGE) BLOCK_END(BLTU)
	BLOCK_END(BGEU) BLOCK_END(JAL) BLOCK_END(JALR)
	BLOCK_END(FENCE_I) BLOCK_END(ECALL) BLOCK_END(EBREAK)
};

int rv32_kind_ends_block(enum rv32_kind k)
{
	return ends_block[k];
}

/* Immediates of the formats, sign-extended. */
static int32_t imm_i(uint32_t w) { return (int32_t)w >> 20; }
static int32_t imm_s(uint32_t w) { return (int32_t)(w & 0xFE000000u) >> 20 | (int32_t)((w >> 7) & 31u); }
static int32_t imm_u(uint32_t w) { return (int32_t)(w & 0xFFFFF000u); }

static int32_t imm_b(uint32_t w)
{
	uint32_t v = (w >> 7 & 0x1Eu) | (w >> 20 & 0x7E0u) | (w << 4 & 0x800u);

	return (int32_t)(w & 0x80000000u) >> 19 | (int32_t)v;
}

static int32_t imm_j(uint32_t w)
{
	uint32_t v = (w >> 20 & 0x7FEu) | (w >> 9 & 0x800u) | (w & 0xFF000u);

	return (int32_t)(w & 0x80000000u) >> 11 | (int32_t)v;
}

/* Counter CSRs a program may read: cycle, time, instret and their high
 * halves. */
static int csr_readable(uint32_t csr)
{
	return (csr >= 0xC00u && csr <= 0xC02u) || (csr >= 0xC80u && csr <= 0xC82u);
}

/* SYSTEM: ecall, ebreak, and csrrs/csrrc(i) that only read a counter
 * (rs1 or zimm = 0). csrrw(i) always writes, so it is illegal here. */
static enum rv32_kind decode_system(uint32_t w, struct rv32_op *op)
{
	uint32_t f3 = w >> 12 & 7u;

	if (w == 0x00000073u)
		return RVK_ECALL;
	if (w == 0x00100073u)
		return RVK_EBREAK;
	if ((f3 & 3u) < 2u || op->rs1 != 0 || !csr_readable(w >> 20))
		return RVK_ILLEGAL;
	op->imm = (int32_t)(w >> 20);
	return RVK_CSR;
}

/* OP-IMM: the shifts' upper bits must be 0 (0x20 for srai). */
static enum rv32_kind decode_op_imm(uint32_t w, struct rv32_op *op)
{
	uint32_t f3 = w >> 12 & 7u, f7 = w >> 25;
	enum rv32_kind k = op_imm_kinds[f3];

	op->imm = imm_i(w);
	if (f3 == 1u && f7 != 0u)
		return RVK_ILLEGAL;
	if (f3 == 5u) {
		if (f7 != 0u && f7 != 0x20u)
			return RVK_ILLEGAL;
		k = f7 ? RVK_SRAI : RVK_SRLI;
	}
	if (f3 == 1u || f3 == 5u)
		op->imm &= 31;
	if (k == RVK_ADDI && op->rs1 == 0)
		return RVK_LI;
	if (k == RVK_ADDI && op->imm == 0)
		return RVK_MV;
	return k;
}

static enum rv32_kind decode_op(uint32_t w)
{
	uint32_t f7 = w >> 25;
	int row = f7 == 0u ? 0 : f7 == 0x20u ? 1 : f7 == 1u ? 2 : -1;

	return row < 0 ? RVK_ILLEGAL : (enum rv32_kind)op_kinds[row][w >> 12 & 7u];
}

/* The kind of w, with op's immediates filled in. */
static enum rv32_kind decode_kind(uint32_t w, uint32_t pc, struct rv32_op *op)
{
	uint32_t f3 = w >> 12 & 7u;

	switch (w & 0x7Fu) {
	case 0x37:                                        /* lui */
		op->imm = imm_u(w);
		return RVK_LI;
	case 0x17:                                        /* auipc */
		op->imm = (int32_t)(pc + (uint32_t)imm_u(w));
		return RVK_LI;
	case 0x6F:                                        /* jal */
		op->imm = (int32_t)(pc + (uint32_t)imm_j(w));
		return RVK_JAL;
	case 0x67:                                        /* jalr */
		op->imm = imm_i(w);
		return f3 == 0u ? RVK_JALR : RVK_ILLEGAL;
	case 0x63:                                        /* branches */
		op->imm = (int32_t)(pc + (uint32_t)imm_b(w));
		return (enum rv32_kind)branch_kinds[f3];
	case 0x03:                                        /* loads */
		op->imm = imm_i(w);
		return (enum rv32_kind)load_kinds[f3];
	case 0x23:                                        /* stores */
		op->imm = imm_s(w);
		return (enum rv32_kind)store_kinds[f3];
	case 0x13:
		return decode_op_imm(w, op);
	case 0x33:
		return decode_op(w);
	case 0x0F:                                        /* fence, fence.i */
		return f3 == 0u ? RVK_NOP : f3 == 1u ? RVK_FENCE_I : RVK_ILLEGAL;
	case 0x73:
		return decode_system(w, op);
	default:
		return RVK_ILLEGAL;
	}
}

/* Kinds that do nothing but write rd. */
static int writes_only_rd(enum rv32_kind k)
{
	return (k >= RVK_LI && k <= RVK_REMU) || k == RVK_CSR;
}

enum rv32_kind rv32_decode(uint32_t w, uint32_t pc, struct rv32_op *op)
{
	enum rv32_kind k;

	memset(op, 0, sizeof(*op));
	op->rd = (uint8_t)(w >> 7 & 31u);
	op->rs1 = (uint8_t)(w >> 15 & 31u);
	op->rs2 = (uint8_t)(w >> 20 & 31u);
	k = decode_kind(w, pc, op);
	if (k == RVK_ILLEGAL) {
		memset(op, 0, sizeof(*op));
		op->imm = (int32_t)w;
	} else if (op->rd == 0 && writes_only_rd(k)) {
		k = RVK_NOP;
	} else if (op->rd == 0) {
		op->rd = RV32_SINK;
	}
	return k;
}
