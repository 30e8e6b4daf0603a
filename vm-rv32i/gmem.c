/*
 * gmem.c: guest memory's checked copies (portable) -- gmem_read, gmem_write,
 * gmem_fill, gmem_zero, gmem_read_str, gmem_sync, gmem_destroy -- over either
 * backend.
 *
 * Every entry point checks the whole range against the space first, so a
 * copy either happens completely or fails with -NOS_EFAULT having touched
 * nothing (a paged copy can still stop half-way on -NOS_EIO). Flat copies are
 * one memcpy; paged copies go page by page through the cache (gmem_paged.c).
 */
#include <limits.h>
#include <string.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem_paged.h"

/* One step of a paged copy: the cached bytes at addr and how many of the n
 * wanted lie in that page. */
static int paged_span(guest_mem *m, uint32_t addr, uint32_t n, int for_write,
                      uint8_t **p, uint32_t *len)
{
	uint32_t room = GMEM_PAGE_SIZE - addr % GMEM_PAGE_SIZE;
	int r = gmem_paged_at(m, addr, for_write, p);

	*len = n < room ? n : room;
	return r;
}

int gmem_read(guest_mem *m, uint32_t addr, void *dst, uint32_t n)
{
	uint8_t *out = dst, *p;
	uint32_t len;
	int r;

	if (!gmem_in_range(m, addr, n))
		return -NOS_EFAULT;
	if (m->kind == GMEM_FLAT) {
		memcpy(dst, m->flat + addr, n);
		return 0;
	}
	for (; n > 0; n -= len, addr += len, out += len) {
		if ((r = paged_span(m, addr, n, 0, &p, &len)) < 0)
			return r;
		memcpy(out, p, len);
	}
	return 0;
}

int gmem_write(guest_mem *m, uint32_t addr, const void *src, uint32_t n)
{
	const uint8_t *in = src;
	uint8_t *p;
	uint32_t len;
	int r;

	if (!gmem_in_range(m, addr, n))
		return -NOS_EFAULT;
	if (m->kind == GMEM_FLAT) {
		memcpy(m->flat + addr, src, n);
		return 0;
	}
	for (; n > 0; n -= len, addr += len, in += len) {
		if ((r = paged_span(m, addr, n, 1, &p, &len)) < 0)
			return r;
		memcpy(p, in, len);
	}
	return 0;
}

int gmem_fill(guest_mem *m, uint32_t addr, uint8_t byte, uint32_t n)
{
	uint8_t *p;
	uint32_t len;
	int r;

	if (!gmem_in_range(m, addr, n))
		return -NOS_EFAULT;
	if (m->kind == GMEM_FLAT) {
		memset(m->flat + addr, byte, n);
		return 0;
	}
	for (; n > 0; n -= len, addr += len) {
		if ((r = paged_span(m, addr, n, 1, &p, &len)) < 0)
			return r;
		memset(p, byte, len);
	}
	return 0;
}

int gmem_zero(guest_mem *m, uint32_t addr, uint32_t n)
{
	if (!gmem_in_range(m, addr, n))
		return -NOS_EFAULT;
	return m->zero != NULL ? m->zero(m, addr, n) : gmem_fill(m, addr, 0, n);
}

/* The guest bytes at addr, up to n of them but stopping at the end of the
 * space and (paged) of the page: a pointer and how many, or -NOS_EFAULT when
 * addr itself is outside. */
static int str_span(guest_mem *m, uint32_t addr, uint32_t n, const uint8_t **p,
                    uint32_t *len)
{
	uint8_t *q;
	int r;

	if (addr >= m->size)
		return -NOS_EFAULT;
	if (n > m->size - addr)
		n = m->size - addr;
	if (m->kind == GMEM_FLAT) {
		*p = m->flat + addr;
		*len = n;
		return 0;
	}
	r = paged_span(m, addr, n, 0, &q, len);
	*p = q;
	return r;
}

int gmem_read_str(guest_mem *m, uint32_t addr, char *dst, uint32_t max)
{
	uint32_t done = 0, len;
	const uint8_t *p, *nul;
	int r;

	if (max > INT_MAX)               /* the length must fit the return value */
		max = INT_MAX;
	while (done < max) {
		if ((r = str_span(m, addr + done, max - done, &p, &len)) < 0)
			return r;
		nul = memchr(p, 0, len);
		if (nul != NULL) {
			len = (uint32_t)(nul - p);
			memcpy(dst + done, p, len + 1);
			return (int)(done + len);
		}
		memcpy(dst + done, p, len);
		done += len;
	}
	return -NOS_ENAMETOOLONG;
}

int gmem_sync(guest_mem *m)
{
	return m->kind == GMEM_PAGED ? gmem_paged_sync(m) : 0;
}

void gmem_destroy(guest_mem *m)
{
	if (m->release != NULL)
		m->release(m);
	memset(m, 0, sizeof(*m));
}
