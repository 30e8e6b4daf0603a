/*
 * coro_arch.h: the machine-dependent half of the coroutine backend: save the
 * callee-saved registers on the current stack, store the stack pointer,
 * load another and restore its registers (coro_x86_64.S, coro_avr.S); and
 * lay out a new stack so that its first switch "returns" into
 * coro_trampoline, which calls coro_boot().
 */
#ifndef NOS_CORO_ARCH_H
#define NOS_CORO_ARCH_H

#include <stddef.h>
#include <stdint.h>

void coro_switch(void **save_sp, void *new_sp);
void coro_trampoline(void);
void coro_boot(void);    /* msg_coro.c: runs the new coroutine's body */

/* The initial stack pointer for a coroutine whose stack is [stack, stack+size). */
static inline void *coro_stack_init(void *stack, size_t size)
{
#if defined(__x86_64__)
	/* Six callee-saved registers, then the return address; after the
	 * final `ret` the stack is 16-byte aligned for the call in the
	 * trampoline. */
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *sp = (uint64_t *)top - 7;
	unsigned i;

	for (i = 0; i < 6; i++)
		sp[i] = 0;
	sp[6] = (uint64_t)(uintptr_t)coro_trampoline;
	return sp;
#elif defined(__AVR__)
	/* SP points at the next free byte. `ret` pops the return address
	 * (3 bytes on devices with a 22-bit PC, most significant first);
	 * below it the 18 call-saved registers r2-r17, r28, r29. */
	uint8_t *p = (uint8_t *)stack + size - 1;
	uint16_t pc = (uint16_t)(uintptr_t)coro_trampoline;
	unsigned i;

	*p-- = (uint8_t)(pc & 0xff);
	*p-- = (uint8_t)(pc >> 8);
#if defined(__AVR_3_BYTE_PC__)
	*p-- = 0;
#endif
	for (i = 0; i < 18; i++)
		*p-- = 0;
	return p;
#else
#error "no coroutine context switch for this machine"
#endif
}

#endif
