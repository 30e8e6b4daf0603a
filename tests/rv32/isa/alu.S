/*
 * alu.S: every RV32I register-register and register-immediate ALU
 * instruction over a table of edge-case operands (0, +-1, INT_MIN/INT_MAX,
 * shift amounts of 31, 32, 33 and 63 whose low five bits are all that
 * count), the immediate forms with sign-extended immediates (-2048, 2047,
 * -1 for sltiu), lui/auipc, and writes to x0 by each kind of instruction.
 * Results go to the data area (its checksum is printed) and a few to
 * registers.
 */
	.macro RR op                /* t2 = a op b, stored */
	\op t2, a0, a1
	sw t2, 0(s1)
	addi s1, s1, 4
	.endm

	.macro RI op, imm           /* t2 = a op imm, stored */
	\op t2, a0, \imm
	sw t2, 0(s1)
	addi s1, s1, 4
	.endm

	.text
	.globl test_main
test_main:
	la s1, test_data
	la s2, operands
	la s3, operands_end

	/* Register-register: every pair (a, b) of the table. */
	mv s4, s2
1:	lw a0, 0(s4)
	mv s5, s2
2:	lw a1, 0(s5)
	RR add
	RR sub
	RR sll
	RR slt
	RR sltu
	RR xor
	RR srl
	RR sra
	RR or
	RR and
	addi s5, s5, 4
	bltu s5, s3, 2b
	addi s4, s4, 4
	bltu s4, s3, 1b

	/* Register-immediate: every a with each immediate. */
	mv s4, s2
3:	lw a0, 0(s4)
	.irp imm, 0, 1, -1, 2, 31, 32, 0x7ff, -0x800, 0x555, -0x556, 0x100, -0x101
	RI addi, \imm
	RI slti, \imm
	RI sltiu, \imm
	RI xori, \imm
	RI ori, \imm
	RI andi, \imm
	.endr
	.irp sh, 0, 1, 4, 15, 16, 30, 31
	RI slli, \sh
	RI srli, \sh
	RI srai, \sh
	.endr
	addi s4, s4, 4
	bltu s4, s3, 3b

	/* lui and auipc, including the top bit and a wrap-around. */
	lui a2, 0xfffff
	lui a3, 0x80000
	lui a4, 0x12345
	addi a4, a4, 0x678
	lui a5, 0x12345
	addi a5, a5, -0x789         /* lui + negative addi, as li does */
	auipc a6, 0
	auipc a7, 0xfffff           /* pc - 4096 */
	sub a7, a6, a7

	/* Writes to x0 are dropped, whatever writes them. */
	li t0, 0x7f
	add x0, t0, t0
	addi x0, x0, 5
	lui x0, 0x12345
	auipc x0, 1
	slli x0, t0, 3
	lw x0, 0(s2)
	jal x0, 4f
4:	la t1, 5f
	jalr x0, 0(t1)
5:	rdcycle x0
	mv s6, x0
	sw x0, 0(s1)
	addi s1, s1, 4
	add s7, x0, x0

	/* A few spot values in registers, readable in a failure's diff. */
	li t3, 0x80000000
	srai t4, t3, 31             /* 0xffffffff */
	li t5, 33
	sll t6, t5, t5              /* 33 << (33 & 31) = 66 */
	li s8, -1
	sltiu s9, s8, -1            /* 0: -1 is not below 0xffffffff */
	sltiu s10, x0, -1           /* 1 */
	slti s11, t3, 0             /* 1 */
	sra ra, t3, t5              /* shift by 33 is by 1: 0xc0000000 */
	j test_end

	.data
	.align 2
operands:
	.word 0, 1, 2, -1, -2, 0x7fffffff, 0x80000000, 0x80000001
	.word 31, 32, 33, 63, 0x12345678, 0xfedcba98, 0x0000ffff, 0xffff0000
operands_end:

	.bss
	.align 4
	.globl test_data, test_data_end
test_data:
	.space 16 * 16 * 10 * 4 + 16 * (12 * 6 + 7 * 3) * 4 + 16
test_data_end:
