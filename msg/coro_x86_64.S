/*
 * coro_x86_64.S: coroutine context switch for x86-64 (System V ABI).
 * void coro_switch(void **save_sp, void *new_sp)
 */
	.text
	.globl	coro_switch
	.type	coro_switch, @function
coro_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	coro_switch, .-coro_switch

	.globl	coro_trampoline
	.type	coro_trampoline, @function
coro_trampoline:
	.cfi_startproc
	.cfi_undefined rip	/* the outermost frame: unwinders stop here */
	call	coro_boot@PLT
	ud2
	.cfi_endproc
	.size	coro_trampoline, .-coro_trampoline

	.section .note.GNU-stack,"",@progbits
