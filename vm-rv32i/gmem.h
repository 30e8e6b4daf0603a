/*
 * gmem.h: guest memory, one interface over two backends (portable).
 *
 * A guest sees a flat 32-bit space [0, size). Every access the CPU or a
 * system call makes goes through this interface, and every one is checked:
 * nothing outside [0, size) ever reaches host memory.
 *
 * flat  : one host mapping per guest (Linux: mmap in gmem_flat_linux.c);
 *         the CPU's fast path is a single bounds check against `size`.
 * paged : a cache of GMEM_PAGE_SIZE pages in RAM over a backing store (a
 *         swap file on the SD card on AVR; a host file or RAM in tests).
 *
 * Functions return 0 or a negative NOS_E* (nos_errno.h): -NOS_EFAULT for an
 * address outside the space, -NOS_EIO when the backing store fails.
 * A guest_mem is used by one thread at a time: the paged cache changes even
 * when it is only read.
 */
#ifndef NOS_GMEM_H
#define NOS_GMEM_H

#include <stddef.h>
#include <stdint.h>

#define GMEM_PAGE_SIZE 512u          /* paged backend: one SD block */

/* Backing store of the paged backend: read/write whole pages by number. */
struct gmem_store {
	int (*read_page)(void *ctx, uint32_t page, void *buf);
	int (*write_page)(void *ctx, uint32_t page, const void *buf);
	void *ctx;
};

enum gmem_kind { GMEM_FLAT = 1, GMEM_PAGED = 2 };

struct gmem_cache_page;              /* private to gmem_paged.c */

typedef struct guest_mem {
	enum gmem_kind kind;
	uint32_t size;                   /* bytes; addresses are [0, size) */
	uint8_t *flat;                   /* GMEM_FLAT: the mapping, else NULL */
	/* GMEM_PAGED */
	struct gmem_store store;
	struct gmem_cache_page *pages;   /* cache slots */
	unsigned npages;
	uint32_t clock_hand;
	uint64_t hits, misses, writebacks;
	/* Added by the implementation (gmem.c, gmem_paged.c): */
	unsigned mru;                    /* GMEM_PAGED: slot of the last hit */
	/* Frees what the init function allocated (the mapping, the slots);
	 * NULL when the caller owns every buffer. gmem_destroy calls it. */
	void (*release)(struct guest_mem *m);
	/* Added (limits): makes a range read as zeros, giving whole host pages
	 * back (flat on Linux: MADV_DONTNEED); NULL: gmem_zero writes zeros. */
	int (*zero)(struct guest_mem *m, uint32_t addr, uint32_t n);
} guest_mem;

/* Paged backend slots: GMEM_SLOT_BYTES of RAM each (the page and its
 * bookkeeping), 4-byte aligned. */
#define GMEM_SLOT_BYTES (GMEM_PAGE_SIZE + 8u)

/* Flat backend (Linux port: anonymous mapping, zero-filled, no host
 * pages committed until touched). size must be a multiple of 4096. */
int gmem_flat_init(guest_mem *m, uint32_t size);
/* Paged backend: `cache_pages` slots of GMEM_PAGE_SIZE in RAM over `store`.
 * The store must return zeros for pages never written. size must be a
 * multiple of GMEM_PAGE_SIZE. Linux port: the slots come from calloc
 * (gmem_paged_linux.c). */
int gmem_paged_init(guest_mem *m, uint32_t size, const struct gmem_store *store,
                    unsigned cache_pages);
/* The same over caller-owned slot memory (portable; AVR: a static array):
 * `bytes` / GMEM_SLOT_BYTES slots, at least 1, at `slots` (4-byte aligned).
 * The memory must outlive the guest; gmem_destroy does not free it. */
int gmem_paged_init_mem(guest_mem *m, uint32_t size, const struct gmem_store *store,
                        void *slots, uint32_t bytes);

/* A store over a caller-given RAM buffer of `size` bytes (a multiple of
 * GMEM_PAGE_SIZE; zero it first, since a store returns zeros for pages never
 * written): for tests and for diskless builds. Fills *out with ctx = ram. */
struct gmem_ram_store {
	uint8_t *mem;
	uint32_t size;
	unsigned fail_after;             /* tests: page I/Os to allow; 0 = never fail */
	unsigned ios;                    /* page reads and writes done so far */
};
int gmem_ram_store_init(struct gmem_ram_store *ram, void *mem, uint32_t size,
                        struct gmem_store *out);
/* Write every dirty page back (paged); 0 for flat. */
int gmem_sync(guest_mem *m);
/* Frees the backend (release hook) without writing dirty pages back: a
 * guest's memory dies with it. Call gmem_sync first to keep the store. */
void gmem_destroy(guest_mem *m);

/* Checked copies between host buffers and guest memory. */
int gmem_read(guest_mem *m, uint32_t addr, void *dst, uint32_t n);
int gmem_write(guest_mem *m, uint32_t addr, const void *src, uint32_t n);
int gmem_fill(guest_mem *m, uint32_t addr, uint8_t byte, uint32_t n);
/* Make [addr, addr+n) read as zeros, releasing the host memory behind whole
 * pages where the backend can: for memory handed out (mmap, brk) or given
 * back (munmap, a lower brk). 0 or -NOS_EFAULT. */
int gmem_zero(guest_mem *m, uint32_t addr, uint32_t n);
/* Copy a NUL-terminated guest string of at most max-1 bytes into dst:
 * its length, -NOS_EFAULT, or -NOS_ENAMETOOLONG when no NUL within max. */
int gmem_read_str(guest_mem *m, uint32_t addr, char *dst, uint32_t max);
/* Whether [addr, addr+n) lies inside the space (no overflow). */
static inline int gmem_in_range(const guest_mem *m, uint32_t addr, uint32_t n)
{
	return addr <= m->size && n <= m->size - addr;
}

#endif
