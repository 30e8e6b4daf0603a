/*
 * mem.S: loads and stores. Every load width at every alignment (lb/lh
 * sign-extend, lbu/lhu do not), misaligned loads and stores, accesses that
 * straddle a 512-byte boundary (a page of the paged guest memory) and a
 * 4096-byte one, the sign-extended offsets -2048 and 2047, and a load into
 * x0. Results go to the data area; a few stay in registers.
 */
	.macro KEEP reg             /* store a result and advance */
	sw \reg, 0(s1)
	addi s1, s1, 4
	.endm

	.text
	.globl test_main
test_main:
	la s1, results
	la s2, pattern

	/* Every load at offsets 0..7 of a pattern with high bits set. */
	li s3, 0
1:	add t0, s2, s3
	lb t1, 0(t0)
	KEEP t1
	lbu t1, 0(t0)
	KEEP t1
	lh t1, 0(t0)
	KEEP t1
	lhu t1, 0(t0)
	KEEP t1
	lw t1, 0(t0)
	KEEP t1
	addi s3, s3, 1
	li t2, 8
	blt s3, t2, 1b

	/* Misaligned stores of each width into a scratch line, read back. */
	la s4, scratch
	li t1, 0x89abcdef
	sw t1, 1(s4)
	sw t1, 6(s4)
	sw t1, 11(s4)
	sh t1, 17(s4)
	sh t1, 19(s4)
	sb t1, 23(s4)
	li t1, -1
	sh t1, 25(s4)
	lw t2, 0(s4)
	lw t3, 4(s4)
	lw t4, 8(s4)
	lw t5, 12(s4)
	lw t6, 16(s4)
	lw a0, 20(s4)
	lw a1, 24(s4)
	lhu a2, 3(s4)
	lh a3, 7(s4)

	/* Straddling a 512-byte and a 4096-byte boundary of guest memory. */
	la s5, page2                /* 4096-aligned; page1 is just before it */
	li t1, 0x11223344
	sw t1, -2(s5)
	sw t1, -512 - 1(s5)
	sh t1, 512 - 1(s5)
	lw a4, -2(s5)
	lw a5, -512 - 1(s5)
	lhu a6, 512 - 1(s5)
	lh a7, -3(s5)
	lbu t0, -1(s5)
	KEEP a4
	KEEP a5
	KEEP a6
	KEEP a7
	KEEP t0

	/* The largest offsets either way. */
	addi s6, s5, 2047
	li t1, 0x5a5a5a5a
	sw t1, -2047(s6)
	sb t1, 2047 - 2047 + 100(s5)
	addi s7, s5, 2047
	addi s7, s7, 1              /* s5 + 2048 */
	lw s8, -2048(s7)
	sw s8, 2047(s5)
	lw s9, 2047(s5)
	lb s10, 2048 - 2048 + 0(s5)

	/* A load into x0 loads nothing that shows. */
	lw x0, 0(s2)
	lbu x0, 3(s2)
	mv s11, x0
	j test_end

	.data
	.align 4
pattern:
	.byte 0x80, 0x81, 0x7f, 0xff, 0x00, 0xfe, 0x01, 0x92
	.byte 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09, 0x1a

	.bss
	.align 12
	.globl test_data, test_data_end
test_data:
results:
	.space 256
scratch:
	.space 64
	.space 4096 - 256 - 64
page2:
	.space 4096
test_data_end:
