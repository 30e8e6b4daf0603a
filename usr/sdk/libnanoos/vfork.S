/* vfork.S: vfork() is clone (220) with CLONE_VM | CLONE_VFORK | SIGCHLD.
 *
 * The child runs on the parent's stack, in the parent's memory, until it
 * calls execve or _exit; the parent sleeps until then. So vfork must not
 * have a stack frame of its own: in C, the child returning from vfork would
 * pop the frame and the parent would come back to a clobbered one. Here the
 * system call is issued with ra and sp untouched, and both processes return
 * straight to the caller. Errors go through sys_result (errno). (qemu-user
 * runs vfork as a plain fork; the code path is the same.) */
	.text
	.globl	vfork
	.type	vfork, @function
vfork:
	li	a0, 0x4111		/* CLONE_VM 0x100 | CLONE_VFORK 0x4000 | SIGCHLD 17 */
	li	a1, 0			/* same stack */
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a7, 220			/* clone */
	ecall
	li	t0, -4095
	bgeu	a0, t0, 1f		/* -4095..-1: an error */
	ret
1:	tail	sys_result		/* sets errno, returns -1 */
	.size	vfork, . - vfork
