/*
 * smc.S: self-modifying code with fence.i. A routine in a writable and
 * executable section runs once (so a CPU that pre-decodes has it cached),
 * then its `addi a0, x0, imm` is rewritten with a new immediate, fence.i
 * makes the store visible to fetch, and the routine runs again; eight
 * rounds, each result stored. A second routine is rewritten to a different
 * instruction (addi to xori), a store writes a whole new instruction
 * into a slot that held a nop, and a routine rewrites the instruction
 * right after its own fence.i (same page, same block) and runs it.
 */
	.text
	.globl test_main
test_main:
	la s1, test_data
	la s2, patch_addi
	lw s3, 0(s2)                /* the original instruction word */
	li s4, 0                    /* round */
1:	jal ra, patch_addi          /* a0 = the current immediate */
	sw a0, 0(s1)
	addi s1, s1, 4
	addi s4, s4, 1
	slli t0, s4, 20 + 4         /* new immediate: round * 16, in bits 31:20 */
	li t1, 0x000fffff
	and t2, s3, t1              /* keep rd, rs1, funct3, opcode */
	or t2, t2, t0
	sw t2, 0(s2)
	fence.i
	li t0, 8
	blt s4, t0, 1b

	/* Turn addi into xori (funct3 4) after running it. */
	la s5, patch_op
	li a1, 0x0ff0
	jal ra, patch_op            /* a1 + 0x55 */
	mv a2, a0
	lw t0, 0(s5)
	li t1, 4 << 12
	or t0, t0, t1
	sw t0, 0(s5)
	fence.i
	li a1, 0x0ff0
	jal ra, patch_op            /* a1 ^ 0x55 */
	mv a3, a0

	/* Replace a nop by "addi a4, a4, 7" and run it. */
	li a4, 1
	jal ra, patch_nop
	la t0, patch_nop
	li t1, 0x00770713           /* addi a4, a4, 7 */
	sw t1, 0(t0)
	fence.i
	jal ra, patch_nop
	jal ra, patch_nop           /* a4 = 1 + 7 + 7 */

	/* Rewrite the instruction just after the fence.i, in the page that
	 * is running: each call runs what it has just written. */
	li a5, 0
	li a1, 0x00178793           /* addi a5, a5, 1 */
	jal ra, patch_inline
	jal ra, patch_inline
	li a1, 0x01078793           /* addi a5, a5, 16 */
	jal ra, patch_inline        /* a5 = 1 + 1 + 16 */
	j test_end

	.section .smc, "awx"
	.align 2
patch_addi:
	addi a0, x0, 1
	ret
patch_op:
	addi a0, a1, 0x55
	ret
patch_nop:
	nop
	ret
patch_inline:                   /* store a1 as the instruction at 1f */
	la t0, 1f
	sw a1, 0(t0)
	fence.i
1:	nop
	ret

	.bss
	.align 4
	.globl test_data, test_data_end
test_data:
	.space 8 * 4
test_data_end:
