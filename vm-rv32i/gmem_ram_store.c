/*
 * gmem_ram_store.c: a paged-memory backing store over a RAM buffer
 * (portable). Tests run the paged backend over it; a diskless build could
 * too. fail_after lets a test make the store fail from a given I/O on, to
 * see that errors reach the guest's caller as -NOS_EIO.
 */
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem.h"

/* The page's bytes, or NULL when it lies outside the buffer or the
 * injected failure point has been reached. */
static uint8_t *ram_page(struct gmem_ram_store *ram, uint32_t page)
{
	if (page >= ram->size / GMEM_PAGE_SIZE)
		return NULL;
	ram->ios++;
	if (ram->fail_after != 0 && ram->ios > ram->fail_after)
		return NULL;
	return ram->mem + page * GMEM_PAGE_SIZE;
}

static int ram_read_page(void *ctx, uint32_t page, void *buf)
{
	uint8_t *p = ram_page(ctx, page);

	if (p == NULL)
		return -NOS_EIO;
	memcpy(buf, p, GMEM_PAGE_SIZE);
	return 0;
}

static int ram_write_page(void *ctx, uint32_t page, const void *buf)
{
	uint8_t *p = ram_page(ctx, page);

	if (p == NULL)
		return -NOS_EIO;
	memcpy(p, buf, GMEM_PAGE_SIZE);
	return 0;
}

int gmem_ram_store_init(struct gmem_ram_store *ram, void *mem, uint32_t size,
                        struct gmem_store *out)
{
	if (ram == NULL || mem == NULL || out == NULL || size == 0 ||
	    size % GMEM_PAGE_SIZE != 0)
		return -NOS_EINVAL;
	ram->mem = mem;
	ram->size = size;
	ram->fail_after = 0;
	ram->ios = 0;
	out->read_page = ram_read_page;
	out->write_page = ram_write_page;
	out->ctx = ram;
	return 0;
}
