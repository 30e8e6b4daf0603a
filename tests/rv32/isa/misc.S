/*
 * misc.S: instructions with no result of their own and the write system
 * call's return values. fence (all forms), fence.i with nothing changed
 * and nop leave every register alone; write returns the count written, 0
 * for an empty write, -EFAULT (-14) for a buffer outside guest memory and
 * -EBADF (-9) for a descriptor that is not open.
 */
	.text
	.globl test_main
test_main:
	li s2, 0x13579bdf
	fence
	fence rw, rw
	fence r, w
	fence iorw, iorw
	fence.tso
	fence.i
	nop
	addi s2, s2, 1

	li a0, 1                    /* write(1, line, 6): returns 6 */
	la a1, line
	li a2, 6
	li a7, 64
	ecall
	mv s3, a0

	li a0, 1                    /* write(1, line, 0): returns 0 */
	la a1, line
	li a2, 0
	li a7, 64
	ecall
	mv s4, a0

	li a0, 1                    /* a buffer beyond guest memory */
	li a1, 0xf0000000
	li a2, 4
	li a7, 64
	ecall
	mv s5, a0

	li a0, 1000                 /* a descriptor that is not open */
	la a1, line
	li a2, 6
	li a7, 64
	ecall
	mv s6, a0

	li a0, 2                    /* stderr works too (not compared) */
	la a1, line
	li a2, 6
	li a7, 64
	ecall
	mv s7, a0
	li a0, 0
	li a1, 0
	j test_end

	.section .rodata
line:	.ascii "hello\n"

	.bss
	.globl test_data, test_data_end
test_data:
test_data_end:
