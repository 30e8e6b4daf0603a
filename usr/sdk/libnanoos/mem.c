/* mem.c: memory: brk/sbrk (214; picolibc's malloc grows its heap with
 * sbrk) and mmap/munmap (mmap2 222, offset in 4096-byte pages; munmap 215).
 * The kernel places the first break after the loaded segments (the linker
 * script's _end marks the end of bss); brk(0) asks where it is. Memory
 * sbrk gives back stays with the process until an explicit brk(). */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys.h"

/* The program's break (what sbrk reports) and the kernel's (how far memory
 * really goes). sbrk asks the kernel for HEAP_STEP-sized steps, so malloc's
 * many small sbrk calls cost a system call only now and then. */
#define HEAP_STEP 65536

static uintptr_t program_break, kernel_break;

/* Linux's brk returns the new break, or the old one when it refuses. */
static uintptr_t kernel_brk(uintptr_t want)
{
	return (uintptr_t)sys1(SYS_brk, want);
}

static void find_break(void)
{
	if (!kernel_break)
		program_break = kernel_break = kernel_brk(0);
}

int brk(void *addr)
{
	find_break();
	uintptr_t got = kernel_brk((uintptr_t)addr);
	kernel_break = got;
	if (got != (uintptr_t)addr) {
		errno = ENOMEM;
		return -1;
	}
	program_break = got;
	return 0;
}

/* Make the kernel's break at least want: a whole step if it can, else
 * exactly want. 0: done; -1: no memory. */
static int reach(uintptr_t want)
{
	uintptr_t step = (want + HEAP_STEP - 1) & ~(uintptr_t)(HEAP_STEP - 1);
	if (step >= want) {
		kernel_break = kernel_brk(step);
		if (kernel_break >= want)
			return 0;
	}
	kernel_break = kernel_brk(want);
	return kernel_break >= want ? 0 : -1;
}

void *sbrk(ptrdiff_t increment)
{
	find_break();
	uintptr_t old = program_break, want = old + (uintptr_t)increment;
	if ((increment > 0 && want < old) || (increment < 0 && want > old)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	if (want > kernel_break && reach(want) < 0) {
		errno = ENOMEM;
		return (void *)-1;
	}
	program_break = want;
	return (void *)old;
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	if (offset & 4095) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	long r = sys6(SYS_mmap2, (long)addr, (long)length, prot, flags, fd,
		      (long)((unsigned long)offset >> 12));
	if (sys_failed(r)) {
		sys_result(r);
		return MAP_FAILED;
	}
	return (void *)r;
}

int munmap(void *addr, size_t length)
{
	return sys_result(sys2(SYS_munmap, addr, length));
}
