/*
 * harness.S: start and end of every RV32 differential test program (the ISA
 * programs in tests/rv32/isa/ and the random ones tests/rv32/gen.c writes).
 *
 * A program defines `test_main` (its code), which begins with the registers
 * the loader left and ends with `j test_end`, and the labels `test_data` and
 * `test_data_end` around the memory it writes. test_end prints, one line
 * each, every register except sp, gp and tp (sp differs between machines;
 * gp is the harness's base register; tp belongs to the C library), then a
 * checksum of the data area:
 *     x01 0001002c
 *     ...
 *     sum 9e3779b9
 * and exits with the XOR of all the printed words folded to 7 bits (0-127,
 * never a status a shell gives a signal's death), so the exit status too
 * tells machines apart. Only RV32I instructions (and one write, one exit),
 * so the harness itself leans on as little as possible of what it tests.
 */
	.option norelax            /* gp is no global pointer here */
	.section .text.start, "ax"
	.globl _start
_start:
	j test_main

	.text
	.globl test_end
test_end:
	la gp, regs
	sw x1, 4(gp)
	sw x5, 20(gp)
	sw x6, 24(gp)
	sw x7, 28(gp)
	sw x8, 32(gp)
	sw x9, 36(gp)
	sw x10, 40(gp)
	sw x11, 44(gp)
	sw x12, 48(gp)
	sw x13, 52(gp)
	sw x14, 56(gp)
	sw x15, 60(gp)
	sw x16, 64(gp)
	sw x17, 68(gp)
	sw x18, 72(gp)
	sw x19, 76(gp)
	sw x20, 80(gp)
	sw x21, 84(gp)
	sw x22, 88(gp)
	sw x23, 92(gp)
	sw x24, 96(gp)
	sw x25, 100(gp)
	sw x26, 104(gp)
	sw x27, 108(gp)
	sw x28, 112(gp)
	sw x29, 116(gp)
	sw x30, 120(gp)
	sw x31, 124(gp)

	/* Checksum: h = rotl(h, 5) ^ byte, + golden ratio, per byte. Every
	 * step is a bijection of h, so any one changed byte changes h. */
	li s0, 0x811c9dc5
	la s1, test_data
	la s2, test_data_end
	li s3, 0x9e3779b9
1:	bgeu s1, s2, 2f
	lbu t0, 0(s1)
	slli t1, s0, 5
	srli t2, s0, 27
	or s0, t1, t2
	xor s0, s0, t0
	add s0, s0, s3
	addi s1, s1, 1
	j 1b
2:	sw s0, 128(gp)             /* regs[32] = the checksum */

	/* One line per saved word into `text`: "xNN hhhhhhhh\n". */
	la s4, text                /* output cursor */
	li s5, 1                   /* register number */
	li s6, 0                   /* XOR of everything printed: the exit status */
3:	li t0, 2
	blt s5, t0, 4f
	li t0, 4
	ble s5, t0, 7f             /* skip sp, gp, tp */
4:	li t0, 32
	beq s5, t0, 5f
	li t0, 'x'
	sb t0, 0(s4)
	li t1, 10                  /* two decimal digits without div */
	li t2, '0'
	mv t3, s5
6:	blt t3, t1, 8f
	addi t3, t3, -10
	addi t2, t2, 1
	j 6b
8:	sb t2, 1(s4)
	addi t3, t3, '0'
	sb t3, 2(s4)
	j 9f
5:	li t0, 's'                 /* the checksum's line */
	sb t0, 0(s4)
	li t0, 'u'
	sb t0, 1(s4)
	li t0, 'm'
	sb t0, 2(s4)
9:	li t0, ' '
	sb t0, 3(s4)
	slli t0, s5, 2
	add t0, t0, gp
	lw a0, 0(t0)
	xor s6, s6, a0
	addi a1, s4, 4
	jal ra, hex8
	li t0, '\n'
	sb t0, 12(s4)
	addi s4, s4, 13
7:	addi s5, s5, 1
	li t0, 32
	ble s5, t0, 3b

	li a0, 1                   /* write(1, text, len) */
	la a1, text
	sub a2, s4, a1
	li a7, 64
	ecall

	srli t0, s6, 16            /* fold the XOR to 7 bits */
	xor s6, s6, t0
	srli t0, s6, 8
	xor s6, s6, t0
	srli t0, s6, 7
	xor s6, s6, t0
	andi a0, s6, 0x7f
	li a7, 93                  /* exit */
	ecall
	unimp

/* hex8: write a0 as 8 lowercase hex digits at a1. Clobbers t0-t2, a0. */
hex8:
	addi t0, a1, 7
1:	andi t1, a0, 15
	li t2, 10
	blt t1, t2, 2f
	addi t1, t1, 'a' - 10 - '0'
2:	addi t1, t1, '0'
	sb t1, 0(t0)
	srli a0, a0, 4
	addi t0, t0, -1
	bgeu t0, a1, 1b
	ret

	.bss
	.align 2
regs:	.space 33 * 4
text:	.space 33 * 13
