/*
 * rv32_handlers.h: what each op does -- the one copy of the instruction
 * semantics, used by both dispatch loops (rv32.c's switch, rv32_cache.c's
 * computed goto).
 *
 * SEM_k(next) is the body of kind k; an op that goes on to the next
 * instruction ends with `next` (an op that jumps, branches or stops
 * ignores it). A loop defines each handler as OP(k) SEM_k(NEXT) (see
 * RV32_DEFINE_HANDLERS); a fused pair runs SEM_a(op++) then SEM_b(NEXT).
 *
 * The including loop defines, for its own way of moving on:
 *   X(i), WR(v)        read a register; write rd (x0 goes to the sink)
 *   NEXT               go on with the next instruction
 *   BRANCH(c)          a direct branch, taken when c
 *   NEXT_BLOCK         go on after a branch that was not taken
 *   JAL_DIRECT         jal: link into rd, go to its target
 *   JUMP(t), JUMP_LINK(t, link)  a jump to a computed target t (checked)
 *   FAULT(stop, addr)  stop at this op, not executed
 *   STOP_RETIRED(stop) stop at this op, executed (ecall, ebreak)
 *   INSTRET_NOW, PC_NOW  instructions retired before this op; its pc
 * and the locals cpu, mem, op, fb (flat base) and lim (the flat fast-path
 * bound: an access at a < lim is inside the space; 0 for paged memory).
 */
#ifndef NOS_RV32_HANDLERS_H
#define NOS_RV32_HANDLERS_H

#define EA (X(op->rs1) + (uint32_t)op->imm)

/* v = the n zero-extended bytes at the effective address, or a fault. */
#define LOAD(n, ld, v)                                                         \
	do {                                                                   \
		uint32_t a_ = EA;                                              \
		if (RV_LIKELY(a_ < lim)) {                                  \
			v = ld(fb + a_);                                       \
		} else {                                                       \
			uint64_t s_ = rv32_mem_load(mem, a_, n);               \
			if (s_ == RV32_LOAD_FAULT)                             \
				FAULT(RV32_STOP_LOAD_FAULT, a_);               \
			v = (uint32_t)s_;                                      \
		}                                                              \
	} while (0)

#define STORE(n, st, next)                                                     \
	{                                                                      \
		uint32_t a_ = EA, v_ = X(op->rs2);                             \
		if (RV_LIKELY(a_ < lim))                                    \
			st(fb + a_, v_);                                       \
		else if (rv32_mem_store(mem, a_, n, v_) < 0)                   \
			FAULT(RV32_STOP_STORE_FAULT, a_);                      \
		next;                                                          \
	}

#define ALU_I(expr, next) { uint32_t a = X(op->rs1), i = (uint32_t)op->imm; (void)i; WR(expr); next; }
#define ALU_R(expr, next) { uint32_t a = X(op->rs1), b = X(op->rs2); WR(expr); next; }
#define LOAD_OP(n, ld, ext, next) { uint32_t v; LOAD(n, ld, v); WR(ext); next; }

#define SEM_NOP(next)    { next; }
#define SEM_LI(next)     { WR((uint32_t)op->imm); next; }
#define SEM_MV(next)     { WR(X(op->rs1)); next; }

#define SEM_ADDI(next)   ALU_I(a + i, next)
#define SEM_SLTI(next)   ALU_I((int32_t)a < (int32_t)i, next)
#define SEM_SLTIU(next)  ALU_I(a < i, next)
#define SEM_XORI(next)   ALU_I(a ^ i, next)
#define SEM_ORI(next)    ALU_I(a | i, next)
#define SEM_ANDI(next)   ALU_I(a & i, next)
#define SEM_SLLI(next)   ALU_I(a << i, next)
#define SEM_SRLI(next)   ALU_I(a >> i, next)
#define SEM_SRAI(next)   ALU_I((uint32_t)((int32_t)a >> i), next)

#define SEM_ADD(next)    ALU_R(a + b, next)
#define SEM_SUB(next)    ALU_R(a - b, next)
#define SEM_SLL(next)    ALU_R(a << (b & 31u), next)
#define SEM_SLT(next)    ALU_R((int32_t)a < (int32_t)b, next)
#define SEM_SLTU(next)   ALU_R(a < b, next)
#define SEM_XOR(next)    ALU_R(a ^ b, next)
#define SEM_SRL(next)    ALU_R(a >> (b & 31u), next)
#define SEM_SRA(next)    ALU_R((uint32_t)((int32_t)a >> (b & 31u)), next)
#define SEM_OR(next)     ALU_R(a | b, next)
#define SEM_AND(next)    ALU_R(a & b, next)

#define SEM_MUL(next)    ALU_R(a * b, next)
#define SEM_MULH(next)   ALU_R((uint32_t)((uint64_t)((int64_t)(int32_t)a * (int32_t)b) >> 32), next)
#define SEM_MULHSU(next) ALU_R((uint32_t)((uint64_t)((int64_t)(int32_t)a * (int64_t)b) >> 32), next)
#define SEM_MULHU(next)  ALU_R((uint32_t)((uint64_t)a * b >> 32), next)
#define SEM_DIV(next)    ALU_R(rv32_div(a, b), next)
#define SEM_DIVU(next)   ALU_R(b ? a / b : 0xFFFFFFFFu, next)
#define SEM_REM(next)    ALU_R(rv32_rem(a, b), next)
#define SEM_REMU(next)   ALU_R(b ? a % b : a, next)

#define SEM_LB(next)     LOAD_OP(1, rv32_ld8, (uint32_t)(int32_t)(int8_t)v, next)
#define SEM_LH(next)     LOAD_OP(2, rv32_ld16, (uint32_t)(int32_t)(int16_t)v, next)
#define SEM_LW(next)     LOAD_OP(4, rv32_ld32, v, next)
#define SEM_LBU(next)    LOAD_OP(1, rv32_ld8, v, next)
#define SEM_LHU(next)    LOAD_OP(2, rv32_ld16, v, next)
#define SEM_SB(next)     STORE(1, rv32_st8, next)
#define SEM_SH(next)     STORE(2, rv32_st16, next)
#define SEM_SW(next)     STORE(4, rv32_st32, next)

#define SEM_BEQ(next)    { BRANCH(X(op->rs1) == X(op->rs2)); }
#define SEM_BNE(next)    { BRANCH(X(op->rs1) != X(op->rs2)); }
#define SEM_BLT(next)    { BRANCH((int32_t)X(op->rs1) < (int32_t)X(op->rs2)); }
#define SEM_BGE(next)    { BRANCH((int32_t)X(op->rs1) >= (int32_t)X(op->rs2)); }
#define SEM_BLTU(next)   { BRANCH(X(op->rs1) < X(op->rs2)); }
#define SEM_BGEU(next)   { BRANCH(X(op->rs1) >= X(op->rs2)); }
#define SEM_JAL(next)    { JAL_DIRECT; }
#define SEM_JALR(next)   { JUMP_LINK(EA & ~(uint32_t)1, PC_NOW + 4u); }

/* Direct jumps whose target is misaligned or outside the space. */
#define SEM_BRANCH_FAR(next)                                                   \
	{                                                                      \
		if (rv32_branch_taken(op->rd, X(op->rs1), X(op->rs2)))         \
			JUMP((uint32_t)op->imm);                               \
		NEXT_BLOCK;                                                    \
	}
#define SEM_JAL_FAR(next) { JUMP_LINK((uint32_t)op->imm, PC_NOW + 4u); }

#define SEM_CSR(next)    { WR(rv32_csr_read(cpu, (uint32_t)op->imm, INSTRET_NOW)); next; }
#define SEM_ECALL(next)  { STOP_RETIRED(RV32_STOP_ECALL); }
#define SEM_EBREAK(next) { STOP_RETIRED(RV32_STOP_EBREAK); }
#define SEM_ILLEGAL(next)                                                      \
	{                                                                      \
		cpu->fault_insn = (uint32_t)op->imm;                           \
		FAULT(RV32_STOP_ILLEGAL, PC_NOW);                              \
	}

/* Every kind of RV32_HANDLER_KINDS as a handler of the including loop. */
#define RV32_HANDLER(k) OP(k) SEM_##k(NEXT)
#define RV32_DEFINE_HANDLERS RV32_HANDLER_KINDS(RV32_HANDLER)

#endif
