/*
 * rv32_op.h: the CPU's decoded instruction (private to vm-rv32i/).
 *
 * rv32_decode turns one instruction word at a given pc into a struct
 * rv32_op: what to do (kind), its registers and its immediates, with
 * everything the pc decides computed once (auipc's result, jal's link and
 * target). Both dispatch loops run these ops: the decode cache keeps them
 * (rv32_cache.c), the plain loop decodes each fetch afresh (rv32.c).
 *
 * Writes to x0 go to register 32, a sink nobody reads, so no handler has to
 * test for rd == 0; ops that only compute a value into x0 become NOP.
 */
#ifndef NOS_RV32_OP_H
#define NOS_RV32_OP_H

#include <stdint.h>

#include "vm-rv32i/rv32.h"

#define RV32_SINK 32                 /* where writes to x0 go */

/* Every kind of op, in one list so the tables that follow it stay in step.
 * PAGE_END, FETCH_FAULT, BRANCH_FAR and JAL_FAR exist only in the decode
 * cache. */
#define RV32_KINDS(X)                                                          \
	X(PAGE_END)    /* after a cached page's last op: continue on the next page */ \
	X(FETCH_FAULT) /* the word lies outside the space */                    \
	X(FENCE_I)                                                              \
	RV32_HANDLER_KINDS(X)

/* The kinds whose handlers are in rv32_handlers.h. */
#define RV32_HANDLER_KINDS(X)                                                  \
	X(BRANCH_FAR)  /* cached branch whose target is not a plain op: rd = funct3 */ \
	X(JAL_FAR)     /* cached jal likewise */    \
	X(ILLEGAL)     /* imm = the word */                                     \
	X(NOP) X(LI) X(MV)                                                      \
	X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI) \
	X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)   \
	X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)         \
	X(LB) X(LH) X(LW) X(LBU) X(LHU) X(SB) X(SH) X(SW)                       \
	X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)                             \
	X(JAL)                  \
	X(JALR)                           \
	X(CSR)         /* counter read: imm = CSR number */                     \
	X(ECALL) X(EBREAK)

/*
 * Fused pairs: an op of kind a followed, in the same page, by one of kind b
 * becomes kind a_b, which runs both (the second with op advanced to it, so a
 * fault there reports the right pc) without a dispatch in between. The
 * second op keeps its own kind for when a jump lands on it. Chosen from the
 * pairs that ran most often in CPU-bound programs built by GCC -O2
 * (rv32i and rv32im); the first of a pair is never a jump, branch or stop.
 */
#define RV32_FUSED_PAIRS(P)                                                    \
	P(ADDI, ADDI) P(ADDI, ADD) P(ADDI, MV) P(ADDI, LW) P(ADDI, SW)         \
	P(ADDI, XOR) P(ADDI, ANDI) P(ADDI, SLLI) P(ADDI, MUL) P(ADDI, LBU)     \
	P(ADDI, BEQ) P(ADDI, BNE) P(ADDI, BLT) P(ADDI, BGE) P(ADDI, BLTU)      \
	P(ADDI, BGEU) P(ADDI, JAL) P(ADDI, JALR)                               \
	P(ADD, ADD) P(ADD, ADDI) P(ADD, MV) P(ADD, LW) P(ADD, LBU) P(ADD, SRLI) \
	P(ADD, SW) P(ADD, BEQ) P(ADD, BNE) P(ADD, BLT) P(ADD, BGE) P(ADD, BLTU) \
	P(ADD, BGEU) P(ADD, JAL)                                               \
	P(MV, MV) P(MV, ADDI) P(MV, ADD) P(MV, LI) P(MV, LW) P(MV, SW)         \
	P(MV, BEQ) P(MV, BNE) P(MV, BLT) P(MV, BLTU) P(MV, JAL)                \
	P(LI, MV) P(LI, ADDI) P(LI, SW) P(LI, BEQ) P(LI, BNE) P(LI, JAL)       \
	P(LW, LW) P(LW, MV) P(LW, ADDI) P(LW, ADD) P(LW, XOR) P(LW, SLLI)      \
	P(LW, SW) P(LW, BEQ) P(LW, BNE) P(LW, BLTU) P(LW, JALR)                \
	P(SW, SW) P(SW, ADDI) P(SW, LI) P(SW, MV) P(SW, LW) P(SW, JAL)         \
	P(SLLI, ADD) P(SLLI, XOR) P(SLLI, BNE) P(SRLI, AND) P(SRLI, SLLI)      \
	P(SRLI, ADDI) P(ANDI, SUB) P(ANDI, SLLI) P(ANDI, BEQ) P(ANDI, BNE)     \
	P(AND, ADDI) P(XOR, BNE) P(XOR, ANDI) P(XOR, BEQ) P(SUB, SRLI)         \
	P(SUB, MV) P(MUL, ADD) P(LBU, BEQ) P(LBU, BNE) P(LBU, SRLI) P(LBU, LI) \
	P(SB, ADD) P(SB, ADDI)

#define RV32_KIND_ENUM(k) RVK_##k,
#define RV32_PAIR_ENUM(a, b) RVK_##a##_##b,
enum rv32_kind {
	RV32_KINDS(RV32_KIND_ENUM)
	RVK_FUSED_FIRST,                 /* not a kind: where the fused ones start */
	RVK_FUSED_BEFORE = RVK_FUSED_FIRST - 1,
	RV32_FUSED_PAIRS(RV32_PAIR_ENUM)
	RVK_COUNT
};
#undef RV32_KIND_ENUM
#undef RV32_PAIR_ENUM

/*
 * One op: 16 bytes. rv32_decode returns the kind and fills the fields it
 * uses: rd, rs1, rs2, and imm -- the immediate (sign-extended), a value
 * (LI), an absolute target (branches, jal: the decode cache turns it into
 * the distance to the target op), the CSR number or the illegal word. Links
 * (pc + 4) are not stored: the loops know each op's pc. In the decode cache
 * `h` is the handler's address (NULL: not decoded yet) and `blen` the
 * number of instructions from this op to the end of its basic block, capped
 * at RV32_BLEN_MAX (what may run before the next budget check).
 */
struct rv32_op {
	const void *h;
	int32_t imm;
	uint8_t rd, rs1, rs2;
	uint8_t blen;
};

#define RV32_BLEN_MAX 255u

enum rv32_kind rv32_decode(uint32_t insn, uint32_t pc, struct rv32_op *op);

/* Whether an op of this kind ends a basic block: control may leave it other
 * than to the next op (jumps, branches, stops). */
int rv32_kind_ends_block(enum rv32_kind k);

#endif
