/*
 * sd_ram.c: a RAM disk backend for sdcard over a caller-given buffer
 * (portable). Tests use it, and so can a diskless AVR build. Its flush has
 * nothing to do: RAM is as durable as it gets here.
 */
#include <string.h>

#include "kproc/sdcard.h"

/* sdcard has checked the range; checking again costs little and keeps a
 * direct caller from scribbling past the buffer. */
static uint8_t *sd_ram_at(struct sd_ram *ram, uint32_t block, uint32_t count)
{
	if (sd_check_range(ram->blocks, block, count) < 0)
		return NULL;
	return ram->mem + (size_t)block * SDCARD_BLOCK_SIZE;
}

static int sd_ram_read(void *ctx, uint32_t block, uint32_t count, void *buf)
{
	uint8_t *p = sd_ram_at(ctx, block, count);

	if (p == NULL)
		return -NOS_ENXIO;
	memcpy(buf, p, (size_t)count * SDCARD_BLOCK_SIZE);
	return 0;
}

static int sd_ram_write(void *ctx, uint32_t block, uint32_t count, const void *buf)
{
	uint8_t *p = sd_ram_at(ctx, block, count);

	if (p == NULL)
		return -NOS_ENXIO;
	memcpy(p, buf, (size_t)count * SDCARD_BLOCK_SIZE);
	return 0;
}

static int sd_ram_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

int sd_ram_init(struct sd_ram *ram, void *mem, size_t size, uint8_t read_only,
                struct sd_backend *be)
{
	if (ram == NULL || mem == NULL || be == NULL || size < SDCARD_BLOCK_SIZE)
		return -NOS_EINVAL;
	ram->mem = mem;
	ram->blocks = (uint32_t)(size / SDCARD_BLOCK_SIZE);
	memset(be, 0, sizeof(*be));
	be->read = sd_ram_read;
	be->write = sd_ram_write;
	be->flush = sd_ram_flush;
	be->blocks = ram->blocks;
	be->read_only = read_only;
	be->model = "NanoOs RAM disk";
	be->ctx = ram;
	return 0;
}
