/*
 * coro_avr.S: coroutine context switch for AVR (avr-gcc ABI: r2-r17, r28,
 * r29 are call-saved; r1 is the zero register).
 * void coro_switch(void **save_sp  -- r25:r24,
 *                  void *new_sp    -- r23:r22)
 */
#include <avr/io.h>

	.text
	.global	coro_switch
	.type	coro_switch, @function
coro_switch:
	push	r2
	push	r3
	push	r4
	push	r5
	push	r6
	push	r7
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
	push	r16
	push	r17
	push	r28
	push	r29
	in	r18, _SFR_IO_ADDR(SPL)
	in	r19, _SFR_IO_ADDR(SPH)
	movw	r30, r24
	st	Z, r18
	std	Z+1, r19
	/* Load the new SP with interrupts off: SREG is restored between the
	 * two writes, and the instruction after it runs before any interrupt. */
	in	r0, _SFR_IO_ADDR(SREG)
	cli
	out	_SFR_IO_ADDR(SPH), r23
	out	_SFR_IO_ADDR(SREG), r0
	out	_SFR_IO_ADDR(SPL), r22
	pop	r29
	pop	r28
	pop	r17
	pop	r16
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	r7
	pop	r6
	pop	r5
	pop	r4
	pop	r3
	pop	r2
	ret
	.size	coro_switch, .-coro_switch

	.global	coro_trampoline
	.type	coro_trampoline, @function
coro_trampoline:
	clr	r1
#if defined(__AVR_HAVE_JMP_CALL__)
	call	coro_boot
#else
	rcall	coro_boot
#endif
1:	rjmp	1b
	.size	coro_trampoline, .-coro_trampoline
