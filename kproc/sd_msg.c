/*
 * sd_msg.c: a block backend that is the sdcard process seen from a client:
 * each read, write and flush is a message to sdcard (kproc/sdcard.c). The fs
 * process mounts its FAT volume through this, so every byte on the card goes
 * through the one kernel process that owns it. Portable.
 */
#include <string.h>

#include "kproc/sdcard.h"

static int sd_msg_read(void *ctx, uint32_t block, uint32_t count, void *buf)
{
	return sdcard_read(((struct sd_msg *)ctx)->sdcard, block, count, buf);
}

static int sd_msg_write(void *ctx, uint32_t block, uint32_t count, const void *buf)
{
	return sdcard_write(((struct sd_msg *)ctx)->sdcard, block, count, buf);
}

static int sd_msg_flush(void *ctx)
{
	return sdcard_flush(((struct sd_msg *)ctx)->sdcard);
}

int sd_msg_init(struct sd_msg *c, msg_pid_t sdcard, struct sd_backend *be)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->sdcard = sdcard;
	r = sdcard_info(sdcard, &c->info);
	if (r < 0)
		return r;
	memset(be, 0, sizeof(*be));
	be->read = sd_msg_read;
	be->write = sd_msg_write;
	be->flush = sd_msg_flush;
	be->blocks = c->info.blocks;
	be->read_only = c->info.read_only;
	be->model = c->info.model;
	be->ctx = c;
	return 0;
}
