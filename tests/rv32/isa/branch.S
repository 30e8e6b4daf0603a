/*
 * branch.S: control transfer. Each conditional branch, taken and not
 * taken, over every pair of a table of signed/unsigned edge cases; backward
 * branches (countdown loops closed by each branch kind); jal with rd = ra,
 * another register and x0; jalr clearing bit 0 of the target, with an
 * offset, and with rd == rs1 (the link is written after the target is
 * read). Outcomes go to the data area; links and counts to registers.
 */
	.macro BR op                /* store 1 if `op a0, a1` is taken, else 0 */
	li t2, 1
	\op a0, a1, 9f
	li t2, 0
9:	sw t2, 0(s1)
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
	BR beq
	BR bne
	BR blt
	BR bge
	BR bltu
	BR bgeu
	addi s5, s5, 4
	bltu s5, s3, 2b
	addi s4, s4, 4
	bltu s4, s3, 1b

	/* Backward branches: loops closed by each kind. */
	li a2, 0
	li t0, 10
3:	addi a2, a2, 1
	addi t0, t0, -1
	bne t0, x0, 3b              /* 10 rounds */
	li t0, -5
4:	addi a2, a2, 1
	addi t0, t0, 1
	blt t0, x0, 4b              /* 5 rounds */
	li t0, 7
5:	addi a2, a2, 1
	addi t0, t0, -1
	bge t0, x0, 5b              /* 8 rounds */
	li t0, -8
	li t1, -2
6:	addi a2, a2, 1
	addi t0, t0, 1
	bltu t0, t1, 6b             /* 6 rounds, all above INT_MAX */
	li t0, 0
	li t1, 4
7:	addi a2, a2, 1
	addi t0, t0, 1
	bgeu t1, t0, 7b             /* 5 rounds */
	li t0, 2
8:	addi a2, a2, 1
	addi t0, t0, -1
	beq t0, x0, 10f
	j 8b
10:
	/* jal: link registers and skipping. */
	jal ra, 11f
	li a3, 0xbad                /* skipped */
11:	mv a3, ra                   /* address of the skipped li */
	jal t3, 12f
	li a4, 0xbad
12:	sub a4, t3, a3              /* distance between the two links */
	jal x0, 13f
	li a5, 0xbad
13:	li a5, 1
	/* A call and its return, forward and backward. */
	jal ra, sub1
	jal ra, 14f
	j 15f
14:	addi a5, a5, 100
	ret
15:
	/* jalr clears bit 0, adds a sign-extended offset, links pc + 4. */
	la t0, 16f + 1
	jalr a6, 0(t0)
	li a6, 0xbad
16:	la t0, 17f + 8
	jalr t4, -7(t0)             /* 17f + 1, bit 0 cleared */
	li t4, 0xbad
17:	la t5, 18f
	jalr t5, 0(t5)              /* rd == rs1: jumps to the old t5 */
	li t5, 0xbad
18:	la t6, 18b
	sub a7, t5, t6              /* the link: the li after the jalr */
	j test_end

sub1:	addi a5, a5, 10
	ret

	.data
	.align 2
operands:
	.word 0, 1, -1, 2, -2, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe
operands_end:

	.bss
	.align 4
	.globl test_data, test_data_end
test_data:
	.space 9 * 9 * 6 * 4
test_data_end:
