/*
 * gmem_paged.c: the paged guest-memory backend (portable) -- a cache of
 * GMEM_PAGE_SIZE slots over a struct gmem_store (a swap file on the SD card
 * on AVR; a host file or RAM in tests).
 *
 * Eviction is the clock algorithm: each slot has a referenced bit that a hit
 * sets; on a miss the hand sweeps, clearing bits, and takes the first slot
 * whose bit is clear. A dirty victim is written back before it is reused; if
 * that write fails the slot keeps its page (still dirty) and the access is
 * -NOS_EIO, so nothing a guest wrote is lost silently. Lookup checks the
 * last slot hit first, then scans: AVR builds have a handful of slots.
 *
 * Slot memory comes from the caller (gmem_paged_init_mem) or, on Linux, from
 * calloc (gmem_paged_init in gmem_paged_linux.c).
 */
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem_paged.h"

enum { SLOT_VALID = 1, SLOT_DIRTY = 2, SLOT_REF = 4 };

struct gmem_cache_page {
	uint32_t page;                   /* guest page number, if SLOT_VALID */
	uint8_t flags;
	uint8_t pad[3];
	uint8_t data[GMEM_PAGE_SIZE];
};

_Static_assert(sizeof(struct gmem_cache_page) == GMEM_SLOT_BYTES,
               "GMEM_SLOT_BYTES must match the slot layout");

int gmem_paged_init_mem(guest_mem *m, uint32_t size, const struct gmem_store *store,
                        void *slots, uint32_t bytes)
{
	uint32_t n = bytes / GMEM_SLOT_BYTES;

	if (m == NULL || store == NULL || store->read_page == NULL ||
	    store->write_page == NULL || slots == NULL || n == 0 ||
	    size == 0 || size % GMEM_PAGE_SIZE != 0)
		return -NOS_EINVAL;
	memset(m, 0, sizeof(*m));
	memset(slots, 0, (size_t)n * GMEM_SLOT_BYTES);
	m->kind = GMEM_PAGED;
	m->size = size;
	m->store = *store;
	m->pages = slots;
	m->npages = (unsigned)n;
	return 0;
}

static int write_back(guest_mem *m, struct gmem_cache_page *s)
{
	int r = m->store.write_page(m->store.ctx, s->page, s->data);

	if (r < 0)
		return -NOS_EIO;
	s->flags &= (uint8_t)~SLOT_DIRTY;
	m->writebacks++;
	return 0;
}

/* The clock hand's choice: the first slot with its referenced bit clear. */
static struct gmem_cache_page *victim(guest_mem *m)
{
	for (;;) {
		struct gmem_cache_page *s = &m->pages[m->clock_hand];

		m->clock_hand = (m->clock_hand + 1) % m->npages;
		if (!(s->flags & SLOT_REF))
			return s;
		s->flags &= (uint8_t)~SLOT_REF;
	}
}

static int load(guest_mem *m, uint32_t page, struct gmem_cache_page **out)
{
	struct gmem_cache_page *s = victim(m);
	int r;

	if ((s->flags & SLOT_DIRTY) && (r = write_back(m, s)) < 0)
		return r;
	s->flags = 0;
	if (m->store.read_page(m->store.ctx, page, s->data) < 0)
		return -NOS_EIO;
	s->page = page;
	s->flags = SLOT_VALID;
	m->misses++;
	*out = s;
	return 0;
}

static struct gmem_cache_page *find(guest_mem *m, uint32_t page)
{
	struct gmem_cache_page *s = &m->pages[m->mru];
	unsigned i;

	if ((s->flags & SLOT_VALID) && s->page == page)
		return s;
	for (i = 0; i < m->npages; i++) {
		s = &m->pages[i];
		if ((s->flags & SLOT_VALID) && s->page == page)
			return s;
	}
	return NULL;
}

int gmem_paged_at(guest_mem *m, uint32_t addr, int for_write, uint8_t **p)
{
	uint32_t page = addr / GMEM_PAGE_SIZE;
	struct gmem_cache_page *s = find(m, page);
	int r;

	if (s != NULL) {
		m->hits++;
	} else if ((r = load(m, page, &s)) < 0) {
		return r;
	}
	s->flags |= SLOT_REF | (for_write ? SLOT_DIRTY : 0);
	m->mru = (unsigned)(s - m->pages);
	*p = s->data + addr % GMEM_PAGE_SIZE;
	return 0;
}

int gmem_paged_sync(guest_mem *m)
{
	int err = 0;
	unsigned i;

	for (i = 0; i < m->npages; i++) {
		struct gmem_cache_page *s = &m->pages[i];
		int r;

		if ((s->flags & SLOT_DIRTY) && (r = write_back(m, s)) < 0)
			err = r;
	}
	return err;
}
