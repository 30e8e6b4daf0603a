/* sigtramp.S: the entry the kernel calls for every caught signal.
 *
 * sigaction() registers this trampoline with the kernel and keeps the
 * program's handler in __nanoos_sig_handlers[sig]. The kernel enters it
 * with a0 = signal, a1 = siginfo_t *, a2 = ucontext *, sp = the signal frame
 * it pushed. The trampoline calls the handler (one or three arguments: a0-a2
 * pass through), puts sp back on the frame and issues rt_sigreturn (139),
 * which restores every register and the mask from that frame. So it needs
 * no restorer from the kernel (RV32 Linux has no SA_RESTORER; the kernel's
 * own return address in ra, a vDSO or qemu trampoline, is simply unused). */
	.text
	.globl	__nanoos_sigtramp
	.type	__nanoos_sigtramp, @function
__nanoos_sigtramp:
	mv	s1, sp			/* s1 comes back from the frame anyway */
	andi	sp, sp, -16		/* qemu aligns the frame to 4 bytes only */
	la	t0, __nanoos_sig_handlers
	slli	t1, a0, 2
	add	t0, t0, t1
	lw	t0, 0(t0)
	beqz	t0, 1f
	jalr	t0
1:	mv	sp, s1
	li	a7, 139			/* rt_sigreturn */
	ecall
	ebreak				/* not reached */
	.size	__nanoos_sigtramp, . - __nanoos_sigtramp
