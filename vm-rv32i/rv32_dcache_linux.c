/*
 * rv32_dcache_linux.c: the decode cache's storage on Linux (mapped at a CPU's
 * first cached run, see rv32_cache.c) -- one private
 * anonymous mapping, reserved (MAP_NORESERVE) rather than committed: a
 * 64 MiB guest reserves 256 MiB of address space for it, but only the 16 KiB
 * of ops behind each 4 KiB page of code that ran are ever touched.
 * Clearing gives whole pages back with MADV_DONTNEED (they read as zeros
 * again) and zeroes the partial pages at either end.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm-rv32i/rv32_exec.h"

void *rv32_dcache_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void rv32_dcache_unmap(void *p, size_t bytes)
{
	munmap(p, bytes);
}

void rv32_dcache_zero(void *p, size_t bytes)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p, end = start + bytes;
	uintptr_t lo = (start + page - 1) & ~(page - 1), hi = end & ~(page - 1);

	if (lo >= hi) {
		memset(p, 0, bytes);
		return;
	}
	memset(p, 0, lo - start);
	if (madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0)
		memset((void *)lo, 0, hi - lo);
	memset((void *)hi, 0, end - hi);
}
