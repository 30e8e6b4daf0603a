/* crt0.S: the entry point of every NanoOs program (_start, the ELF entry).
 *
 * The kernel enters with sp at the Linux initial stack (argc, argv, envp,
 * auxv) and every other register undefined. Set gp to __global_pointer$
 * (with relaxation off, or the linker would make this load gp-relative to
 * itself), clear the frame pointer so backtraces end here, align sp to 16 and call __nanoos_start (libnanoos/start.c) with the
 * original sp. It never returns. */
	.section .text.init.enter, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	.option	push
	.option	norelax
	la	gp, __global_pointer$
	.option	pop
	mv	a0, sp
	li	s0, 0
	andi	sp, sp, -16
	call	__nanoos_start
	ebreak				/* not reached */
	.size	_start, . - _start
