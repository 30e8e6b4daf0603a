/* start.S: the fixtures' entry -- main(argc, argv, sp) from the Linux
 * initial stack, then exit(main's result) with ecall 93. */
	.section .text.start
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	lw	a0, 0(sp)
	addi	a1, sp, 4
	mv	a2, sp
	call	main
	li	a7, 93
	ecall
1:	j	1b
