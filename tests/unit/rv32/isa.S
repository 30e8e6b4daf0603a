/*
 * isa.S: a self-checking RV32IM + Zicsr + Zifencei test (riscv-tests
 * style). Each case computes a value and compares it with the answer the
 * ISA manual gives; the first mismatch exits with its case number (a0 =
 * 1000 + n), all passing exits 0. test_rv32_cpu runs it on our CPU (flat and
 * paged memory) and, when installed, under qemu-riscv32 to prove the
 * answers themselves.
 */
	.option norvc
	.section .text.start
	.globl _start
_start:
	j	main

/* TEST_RR n, op, result, a, b: rd = a op b */
.macro TEST_RR n, op, res, a, b
	li	gp, \n
	li	a1, \a
	li	a2, \b
	\op	a3, a1, a2
	li	t6, \res
	bne	a3, t6, fail
.endm
/* TEST_RI n, op, result, a, imm */
.macro TEST_RI n, op, res, a, imm
	li	gp, \n
	li	a1, \a
	\op	a3, a1, \imm
	li	t6, \res
	bne	a3, t6, fail
.endm
/* TEST_EQ n: a3 must equal res */
.macro TEST_EQ n, res
	li	gp, \n
	li	t6, \res
	bne	a3, t6, fail
.endm
/* TEST_BR n, branch, a, b, taken(0/1) */
.macro TEST_BR n, br, a, b, taken
	li	gp, \n
	li	a1, \a
	li	a2, \b
	li	a3, 0
	\br	a1, a2, 1f
	j	2f
1:	li	a3, 1
2:	li	t6, \taken
	bne	a3, t6, fail
.endm

main:
	/* ---- lui, auipc, addi and li forms */
	lui	a3, 0x12345
	TEST_EQ 1, 0x12345000
	lui	a3, 0xfffff
	TEST_EQ 2, 0xfffff000
1:	auipc	a3, 0
	la	t5, 1b
	li	gp, 3
	bne	a3, t5, fail
1:	auipc	a3, 1
	la	t5, 1b
	li	t4, 4096
	add	t5, t5, t4
	li	gp, 4
	bne	a3, t5, fail
	TEST_RI 5, addi, 0x00000800, 0x00000fff, -0x7ff
	TEST_RI 6, addi, 0x80000000, 0x7fffffff, 1
	TEST_RI 7, addi, 0xffffffff, 0, -1
	TEST_RI 8, slti, 1, -1, 0
	TEST_RI 9, slti, 0, 0, -1
	TEST_RI 10, sltiu, 1, 0, -1          /* -1 is 0xffffffff unsigned */
	TEST_RI 11, sltiu, 0, -1, 1
	TEST_RI 12, xori, 0xff00f00f, 0x00ff0ff0, -0x1
	TEST_RI 13, ori, 0xff0000ff, 0xff000000, 0x0ff
	TEST_RI 14, andi, 0x000000f0, 0xff00fff0, 0x0f0
	TEST_RI 15, andi, 0xff00ff00, 0xff00ff00, -0x100
	TEST_RI 16, slli, 0x80000000, 1, 31
	TEST_RI 17, srli, 0x00000001, 0x80000000, 31
	TEST_RI 18, srai, 0xffffffff, 0x80000000, 31
	TEST_RI 19, srai, 0x00000003, 0x0000000f, 2
	/* ---- register-register */
	TEST_RR 20, add, 0x00000000, 0xffffffff, 1
	TEST_RR 21, sub, 0x80000000, 0x7fffffff, 0xffffffff
	TEST_RR 22, sll, 0x80000000, 1, 31
	TEST_RR 23, sll, 0x00000002, 1, 33          /* only the low 5 bits */
	TEST_RR 24, srl, 0x00000001, 0x80000000, 63
	TEST_RR 25, sra, 0xc0000000, 0x80000000, 0xffffffe1
	TEST_RR 26, slt, 1, 0x80000000, 0x7fffffff
	TEST_RR 27, sltu, 0, 0x80000000, 0x7fffffff
	TEST_RR 28, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f
	TEST_RR 29, or, 0xff0fff0f, 0xff00ff00, 0x0f0f0f0f
	TEST_RR 30, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f
	/* ---- M: multiply */
	TEST_RR 40, mul, 0x00001200, 0x00000024, 0x00000080
	TEST_RR 41, mul, 0xfffffffe, 0xffffffff, 2
	TEST_RR 42, mul, 0x00000001, 0xffffffff, 0xffffffff
	TEST_RR 43, mulh, 0xffffffff, 0xffffffff, 1
	TEST_RR 44, mulh, 0x00000000, 0xffffffff, 0xffffffff
	TEST_RR 45, mulh, 0x40000000, 0x80000000, 0x80000000
	TEST_RR 46, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff
	TEST_RR 47, mulhu, 0x00000000, 0xffffffff, 1
	TEST_RR 48, mulhsu, 0xffffffff, 0xffffffff, 0xffffffff
	TEST_RR 49, mulhsu, 0x7ffffffe, 0x7fffffff, 0xffffffff
	TEST_RR 50, mulhsu, 0xc0000000, 0x80000000, 0x80000000
	/* ---- M: divide, with the ISA's answers for /0 and overflow */
	TEST_RR 51, div, 0xfffffffd, 20, -6
	TEST_RR 52, div, 0xfffffffd, -20, 6
	TEST_RR 53, div, 0xffffffff, 20, 0
	TEST_RR 54, div, 0x80000000, 0x80000000, -1
	TEST_RR 55, divu, 0x2aaaaaa7, -20, 6
	TEST_RR 56, divu, 0xffffffff, 20, 0
	TEST_RR 57, rem, 2, 20, -6
	TEST_RR 58, rem, -2, -20, 6
	TEST_RR 59, rem, 20, 20, 0
	TEST_RR 60, rem, 0, 0x80000000, -1
	TEST_RR 61, remu, 2, -20, 6
	TEST_RR 62, remu, -20, -20, 0
	/* ---- x0 reads 0, writes vanish */
	li	gp, 70
	li	t0, 5
	add	x0, t0, t0
	addi	x0, x0, 7
	lui	x0, 0x12345
	mv	a3, x0
	bnez	a3, fail
	add	a3, x0, x0
	bnez	a3, fail
	/* ---- loads and stores: sign and zero extension, sizes */
	la	s0, data
	li	gp, 80
	lb	a3, 0(s0)
	li	t6, 0xffffff80
	bne	a3, t6, fail
	li	gp, 81
	lbu	a3, 0(s0)
	li	t6, 0x80
	bne	a3, t6, fail
	li	gp, 82
	lh	a3, 2(s0)
	li	t6, 0xffff8001
	bne	a3, t6, fail
	li	gp, 83
	lhu	a3, 2(s0)
	li	t6, 0x8001
	bne	a3, t6, fail
	li	gp, 84
	lw	a3, 4(s0)
	li	t6, 0xdeadbeef
	bne	a3, t6, fail
	li	gp, 85
	li	t0, 0x11223344
	sw	t0, 8(s0)
	sb	t0, 12(s0)
	sh	t0, 14(s0)
	lw	a3, 8(s0)
	bne	a3, t0, fail
	li	gp, 86
	lw	a3, 12(s0)
	li	t6, 0x33440044
	bne	a3, t6, fail
	li	gp, 87                   /* negative offsets */
	addi	s1, s0, 16
	lw	a3, -12(s1)
	li	t6, 0xdeadbeef
	bne	a3, t6, fail
	li	gp, 88                   /* misaligned word and halfword */
	lw	a3, 1(s0)
	li	t6, 0xef800101
	bne	a3, t6, fail
	li	gp, 89
	li	t0, 0xcafef00d
	sw	t0, 17(s0)
	lw	a3, 17(s0)
	bne	a3, t0, fail
	li	gp, 90
	lhu	a3, 19(s0)
	li	t6, 0xcafe
	bne	a3, t6, fail
	li	gp, 91
	sh	t0, 23(s0)
	lh	a3, 23(s0)
	li	t6, 0xfffff00d
	bne	a3, t6, fail
	li	gp, 92                   /* a load into x0 still loads nothing */
	lw	x0, 4(s0)
	bnez	x0, fail
	/* ---- branches */
	TEST_BR 100, beq, 1, 1, 1
	TEST_BR 101, beq, 1, 2, 0
	TEST_BR 102, bne, 1, 2, 1
	TEST_BR 103, bne, 3, 3, 0
	TEST_BR 104, blt, -1, 0, 1
	TEST_BR 105, blt, 0, -1, 0
	TEST_BR 106, bge, 0, -1, 1
	TEST_BR 107, bge, -1, -1, 1
	TEST_BR 108, bge, -2, -1, 0
	TEST_BR 109, bltu, 0, -1, 1
	TEST_BR 110, bltu, -1, 0, 0
	TEST_BR 111, bgeu, -1, 0, 1
	TEST_BR 112, bgeu, 0, -1, 0
	TEST_BR 113, bgeu, 7, 7, 1
	/* ---- jal, jalr: links, bit 0 of the target cleared */
	li	gp, 120
	jal	ra, 1f
2:	j	fail
1:	la	t6, 2b
	bne	ra, t6, fail
	li	gp, 121
	la	t0, 3f
	addi	t0, t0, 1                /* jalr clears bit 0 */
	jalr	t1, t0, 0
4:	j	fail
3:	la	t6, 4b
	bne	t1, t6, fail
	li	gp, 122                  /* jalr with rd == rs1 */
	la	t0, 5f
	jalr	t0, t0, 0
6:	j	fail
5:	la	t6, 6b
	bne	t0, t6, fail
	li	gp, 123                  /* jalr with an offset */
	la	t0, 7f - 8
	jalr	x0, 8(t0)
	j	fail
7:
	/* ---- a loop across many branches */
	li	gp, 130
	li	t0, 0
	li	t1, 0
	li	t2, 1000
8:	add	t1, t1, t0
	addi	t0, t0, 1
	blt	t0, t2, 8b
	li	t6, 499500
	bne	t1, t6, fail
	/* ---- counters: instret and cycle advance, time readable (the exact
	 * counts are test_rv32_cpu's: qemu-user counts host ticks here) */
	li	gp, 140
	rdinstret a4
	nop
	nop
	rdinstret a5
	bgeu	a4, a5, fail
	li	gp, 141
	rdcycle	a4
	rdcycle	a5
	bgeu	a4, a5, fail
	li	gp, 142
	rdinstreth a3
	rdcycleh a3
	rdtime	a3
	rdtimeh	a3
	csrrc	a3, instret, x0
	csrrsi	a3, cycle, 0
	csrrci	a3, time, 0
	/* ---- fence is a no-op; fence.i makes a patched instruction run */
	li	gp, 150
	fence
	fence	rw, rw
	li	gp, 151
	la	t0, patch
	lw	t1, patch_word
	li	a3, 0
	jal	ra, patch                /* run it once: a3 = 1 */
	li	t6, 1
	bne	a3, t6, fail
	sw	t1, 0(t0)                /* now "li a3, 2" */
	fence.i
	jal	ra, patch
	li	t6, 2
	bne	a3, t6, fail
	/* ---- all passed */
	li	a0, 0
	li	a7, 93
	ecall
fail:
	addi	a0, gp, 1000
	li	a7, 93
	ecall

	.section .data
	.align	4
data:
	.byte	0x80, 0x01, 0x01, 0x80
	.word	0xdeadbeef
	.space	24

	.section .smc, "awx"
patch_word:
	li	a3, 2
	.align	4
patch:
	li	a3, 1
	ret
