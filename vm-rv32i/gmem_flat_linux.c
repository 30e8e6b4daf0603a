/*
 * gmem_flat_linux.c: the flat guest-memory backend for the Linux port --
 * one anonymous private mapping of exactly `size` bytes per guest. It reads
 * as zeros and, mapped MAP_NORESERVE, commits no host memory until touched,
 * so a 64 MiB guest that uses 100 KiB costs 100 KiB.
 */
#include <string.h>
#include <sys/mman.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem.h"

static void flat_release(guest_mem *m)
{
	munmap(m->flat, m->size);
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
	return 0;
}
