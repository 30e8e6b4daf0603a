/*
 * muldiv.S: the M extension. mul, mulh, mulhsu, mulhu, div, divu, rem and
 * remu over every pair of a table with the cases the spec defines apart:
 * division by zero (quotient all ones, remainder the dividend), INT_MIN / -1
 * (quotient INT_MIN, remainder 0), and the signs of the high products
 * (mulhsu treats only rs1 as signed). Results go to the data area; the
 * special cases also to registers.
 */
	.macro RR op
	\op t2, a0, a1
	sw t2, 0(s1)
	addi s1, s1, 4
	.endm

	.text
	.globl test_main
test_main:
	la s1, test_data
	la s2, operands
	la s3, operands_end

	mv s4, s2
1:	lw a0, 0(s4)
	mv s5, s2
2:	lw a1, 0(s5)
	RR mul
	RR mulh
	RR mulhsu
	RR mulhu
	RR div
	RR divu
	RR rem
	RR remu
	addi s5, s5, 4
	bltu s5, s3, 2b
	addi s4, s4, 4
	bltu s4, s3, 1b

	/* The defined special cases, readable in a diff. */
	li t0, 0x80000000
	li t1, -1
	div a2, t0, t1              /* 0x80000000 */
	rem a3, t0, t1              /* 0 */
	li t3, 1234
	div a4, t3, x0              /* -1 */
	divu a5, t3, x0             /* 0xffffffff */
	rem a6, t3, x0              /* 1234 */
	remu a7, t3, x0             /* 1234 */
	li t4, -7
	li t5, 2
	div s6, t4, t5              /* -3: rounds toward zero */
	rem s7, t4, t5              /* -1: the sign of the dividend */
	mulhsu s8, t1, t1           /* -1 * 0xffffffff: high word 0xffffffff */
	mulhu s9, t1, t1            /* 0xfffffffe */
	mulh s10, t1, t1            /* 0 */
	mulh s11, t0, t0            /* 0x40000000 */
	mul ra, t0, t1              /* 0x80000000 */
	mul x0, t0, t1              /* x0 stays 0 */
	div t6, x0, x0
	j test_end

	.data
	.align 2
operands:
	.word 0, 1, -1, 2, -2, 3, 7, -7, 0x7fffffff, 0x80000000, 0x80000001
	.word 0xffff, 0x10000, 0x12345678, 0xdeadbeef, 0x55555555
operands_end:

	.bss
	.align 4
	.globl test_data, test_data_end
test_data:
	.space 16 * 16 * 8 * 4
test_data_end:
