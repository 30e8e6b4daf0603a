/*
 * gmem_paged_linux.c: gmem_paged_init for the Linux port -- the paged
 * backend's slots come from calloc and go back to free in gmem_destroy.
 */
#include <stdlib.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem.h"

static void paged_release(guest_mem *m)
{
	free(m->pages);
}

int gmem_paged_init(guest_mem *m, uint32_t size, const struct gmem_store *store,
                    unsigned cache_pages)
{
	void *slots;
	int r;

	if (cache_pages == 0 || cache_pages > UINT32_MAX / GMEM_SLOT_BYTES)
		return -NOS_EINVAL;
	slots = calloc(cache_pages, GMEM_SLOT_BYTES);
	if (slots == NULL)
		return -NOS_ENOMEM;
	r = gmem_paged_init_mem(m, size, store, slots, cache_pages * GMEM_SLOT_BYTES);
	if (r < 0) {
		free(slots);
		return r;
	}
	m->release = paged_release;
	return 0;
}
