/*
 * stack.S: the initial stack the loader builds, as Linux (and qemu-riscv32)
 * lays it out: argc, argv[] and its NULL, envp[] and its NULL, then the
 * auxiliary vector. Prints argv[0]; leaves in registers argc, sp's
 * alignment, the argv and envp terminators, and the auxv entries a static
 * program can rely on and both machines must agree on (AT_PHDR, AT_PHENT,
 * AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID,
 * AT_GID, AT_EGID, AT_SECURE, AT_CLKTCK), whether AT_RANDOM points at 16
 * readable bytes and whether AT_EXECFN names argv[0]. Addresses that differ
 * (sp, the strings) are never printed.
 */
	.text
	.globl test_main
test_main:
	lw s0, 0(sp)                /* argc */
	addi s1, sp, 4              /* argv */
	andi s5, sp, 15             /* 0: sp is 16-byte aligned */

	/* Print argv[0] and a newline. */
	lw a1, 0(s1)
	mv t0, a1
1:	lbu t1, 0(t0)
	beqz t1, 2f
	addi t0, t0, 1
	j 1b
2:	sub s7, t0, a1              /* strlen(argv[0]) */
	li a0, 1
	mv a2, s7
	li a7, 64
	ecall
	li a0, 1
	la a1, newline
	li a2, 1
	li a7, 64
	ecall

	slli t0, s0, 2
	add t0, s1, t0
	lw s6, 0(t0)                /* argv[argc]: 0 */
	addi t0, t0, 4              /* envp */
	li s9, 0                    /* environment entries */
3:	lw t1, 0(t0)
	addi t0, t0, 4
	beqz t1, 4f
	addi s9, s9, 1
	j 3b
4:	snez s9, s9                 /* qemu passes on the host's environment */

	/* The auxv: each (type, value) with type < 64 into aux[type]. */
	la s2, aux
5:	lw t1, 0(t0)
	lw t2, 4(t0)
	addi t0, t0, 8
	beqz t1, 6f
	li t3, 64
	bgeu t1, t3, 5b
	slli t1, t1, 2
	add t1, t1, s2
	sw t2, 0(t1)
	j 5b
6:
	/* AT_RANDOM (25): 16 readable bytes; AT_EXECFN (31) equals argv[0]. */
	lw t0, 25 * 4(s2)
	snez s10, t0
	beqz t0, 7f
	lw t1, 0(t0)
	lw t1, 12(t0)
7:	lw t0, 31 * 4(s2)
	lw t1, 0(s1)
	li s11, 0
	beqz t0, 9f
8:	lbu t2, 0(t0)
	lbu t3, 0(t1)
	bne t2, t3, 9f
	addi t0, t0, 1
	addi t1, t1, 1
	bnez t2, 8b
	li s11, 1
9:
	mv a0, s0
	lw a1, 6 * 4(s2)            /* AT_PAGESZ */
	lw a2, 3 * 4(s2)            /* AT_PHDR */
	lw a3, 4 * 4(s2)            /* AT_PHENT */
	lw a4, 5 * 4(s2)            /* AT_PHNUM */
	lw a5, 9 * 4(s2)            /* AT_ENTRY */
	lw a6, 11 * 4(s2)           /* AT_UID */
	lw a7, 12 * 4(s2)           /* AT_EUID */
	lw t3, 13 * 4(s2)           /* AT_GID */
	lw t4, 14 * 4(s2)           /* AT_EGID */
	lw t5, 23 * 4(s2)           /* AT_SECURE */
	lw t6, 17 * 4(s2)           /* AT_CLKTCK */
	lw s3, 7 * 4(s2)            /* AT_BASE */
	lw s4, 8 * 4(s2)            /* AT_FLAGS */
	lw s8, 0(s1)                /* argv[0]'s address: not printed */
	li s8, 0
	li s1, 0
	li s2, 0
	li t0, 0
	li t1, 0
	li t2, 0
	li ra, 0
	j test_end

	.section .rodata
newline: .ascii "\n"

	.bss
	.align 2
aux:	.space 64 * 4
	.globl test_data, test_data_end
test_data:
test_data_end:
