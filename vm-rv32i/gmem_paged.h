/*
 * gmem_paged.h: what gmem.c needs of the paged backend (private to
 * vm-rv32i/): the cache slot holding a guest page, loaded on a miss.
 */
#ifndef NOS_GMEM_PAGED_H
#define NOS_GMEM_PAGED_H

#include "vm-rv32i/gmem.h"

/* The cached bytes of the page holding `addr` (inside the space), from addr
 * to the page's end, in *p; marks the page dirty when `for_write`. Valid
 * until the next call. 0 or -NOS_EIO. */
int gmem_paged_at(guest_mem *m, uint32_t addr, int for_write, uint8_t **p);
int gmem_paged_sync(guest_mem *m);

#endif
