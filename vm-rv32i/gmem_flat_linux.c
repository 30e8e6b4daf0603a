/*
 * gmem_flat_linux.c: the flat guest-memory backend for the Linux port --
 * one anonymous private mapping of exactly `size` bytes per guest. It reads
 * as zeros and, mapped MAP_NORESERVE, commits no host memory until touched,
 * so a 64 MiB guest that uses 100 KiB costs 100 KiB. Memory a guest gets
 * or gives back (gmem_zero) is zeroed by MADV_DONTNEED page by page, so it
 * costs nothing until touched again.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem.h"

static void flat_release(guest_mem *m)
{
	munmap(m->flat, m->size);
}

/* Zeros at the partial pages of either end, whole pages given back. */
static int flat_zero(guest_mem *m, uint32_t addr, uint32_t n)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)m->flat + addr, end = start + n;
	uintptr_t lo = (start + page - 1) & ~(page - 1), hi = end & ~(page - 1);

	if (lo >= hi) {
		memset((void *)start, 0, n);
		return 0;
	}
	memset((void *)start, 0, lo - start);
	if (madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0)
		memset((void *)lo, 0, hi - lo);
	memset((void *)hi, 0, end - hi);
	return 0;
}

int gmem_flat_init(guest_mem *m, uint32_t size)
{
	void *p;

	if (m == NULL || size == 0 || size % 4096 != 0)
		return -NOS_EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -NOS_ENOMEM;
	memset(m, 0, sizeof(*m));
	m->kind = GMEM_FLAT;
	m->size = size;
	m->flat = p;
	m->release = flat_release;
	m->zero = flat_zero;
	return 0;
}
