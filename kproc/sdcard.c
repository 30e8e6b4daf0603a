/*
 * sdcard.c: the sdcard kernel process, owner of the block device.
 * Portable: it speaks only msg and calls its backend (kproc/sdcard.h).
 *
 * Messages it accepts (kproc/proto.h), from fs ("fs", 0) or its parent only:
 *   SDCARD_MSG_READ   struct sdcard_io   -> 0, -NOS_EPERM/EINVAL/ENXIO/EIO
 *   SDCARD_MSG_WRITE  struct sdcard_io   -> 0, -NOS_EPERM/EROFS/EINVAL/ENXIO/EIO
 *   SDCARD_MSG_FLUSH  (none)             -> 0, -NOS_EPERM/EIO
 *   SDCARD_MSG_INFO   struct sdcard_info -> 0 (filled in), -NOS_EPERM
 * and, through kproc_serve, KPROC_MSG_PING and KPROC_MSG_STOP (parent only).
 *
 * The data moves once: the backend reads into / writes from the sender's
 * buffer in place (zero copy), pinned until the reply.
 */
#include <string.h>

#include "kproc/kproc.h"
#include "kproc/sdcard.h"

int sd_check_range(uint32_t blocks, uint32_t block, uint32_t count)
{
	if (count == 0)
		return -NOS_EINVAL;
	/* Written so that block + count cannot overflow. */
	if (block >= blocks || count > blocks - block)
		return -NOS_ENXIO;
	return 0;
}

/* Only fs talks to the card; the tool or test that booted sdcard may too. */
static int sdcard_allowed(const msg_t *m)
{
	return m->from == kproc_parent() || kproc_sent_by(m, "fs", 0);
}

/* The checks READ and WRITE share: 0 or -NOS_E* (see sdcard.h's order). */
static int sdcard_check_io(const msg_t *m, const struct sd_backend *be, int write)
{
	const struct sdcard_io *io = m->payload;

	if (!sdcard_allowed(m))
		return -NOS_EPERM;
	if (write && be->read_only)
		return -NOS_EROFS;
	if (io->count == 0 || io->buf == NULL)
		return -NOS_EINVAL;
	/* count * 512 must not wrap around to a matching len. */
	if (io->count > UINT32_MAX / SDCARD_BLOCK_SIZE ||
	    io->len != io->count * SDCARD_BLOCK_SIZE)
		return -NOS_EINVAL;
	return sd_check_range(be->blocks, io->block, io->count);
}

/* A backend's failure as the reply: its -NOS_E*, anything else is EIO. */
static int32_t sdcard_result(int r)
{
	return r > 0 ? -NOS_EIO : r;
}

static int32_t sdcard_on_read(msg_t *m, void *state)
{
	const struct sd_backend *be = state;
	struct sdcard_io *io = m->payload;
	int r = sdcard_check_io(m, be, 0);

	if (r < 0)
		return r;
	return sdcard_result(be->read(be->ctx, io->block, io->count, io->buf));
}

static int32_t sdcard_on_write(msg_t *m, void *state)
{
	const struct sd_backend *be = state;
	struct sdcard_io *io = m->payload;
	int r = sdcard_check_io(m, be, 1);

	if (r < 0)
		return r;
	return sdcard_result(be->write(be->ctx, io->block, io->count, io->buf));
}

static int32_t sdcard_on_flush(msg_t *m, void *state)
{
	const struct sd_backend *be = state;

	if (!sdcard_allowed(m))
		return -NOS_EPERM;
	return sdcard_result(be->flush(be->ctx));
}

static int32_t sdcard_on_info(msg_t *m, void *state)
{
	const struct sd_backend *be = state;
	struct sdcard_info *info = m->payload;

	if (!sdcard_allowed(m))
		return -NOS_EPERM;
	memset(info, 0, sizeof(*info));
	info->blocks = be->blocks;
	info->block_size = SDCARD_BLOCK_SIZE;
	info->read_only = be->read_only;
	if (be->model)
		strncpy(info->model, be->model, sizeof(info->model) - 1);
	return 0;
}

static const struct kproc_handler sdcard_handlers[] = {
	{ SDCARD_MSG_READ, sizeof(struct sdcard_io), sdcard_on_read },
	{ SDCARD_MSG_WRITE, sizeof(struct sdcard_io), sdcard_on_write },
	{ SDCARD_MSG_FLUSH, 0, sdcard_on_flush },
	{ SDCARD_MSG_INFO, sizeof(struct sdcard_info), sdcard_on_info },
};

static void sdcard_main(void *arg)
{
	const struct kproc_service svc = {
		.name = "sdcard",
		.handlers = sdcard_handlers,
		.nhandlers = sizeof(sdcard_handlers) / sizeof(sdcard_handlers[0]),
		.state = arg,
	};

	kproc_serve(&svc);
}

int sdcard_start(const struct sd_backend *be, msg_pid_t *pid)
{
	if (be == NULL || be->read == NULL || be->write == NULL ||
	    be->flush == NULL || be->blocks == 0)
		return -NOS_EINVAL;
	/* sdcard never changes the backend; the cast is for msg_entry_t. */
	return kproc_start("sdcard", 0, sdcard_main, (void *)be, 0, pid);
}

/* ---------------------------------------------------------------- clients */

static int sdcard_call(msg_pid_t sd, uint16_t type, void *payload, uint32_t size)
{
	msg_t m;

	msg_init(&m, type, payload, size);
	return msg_call(sd, &m, MSG_FOREVER);
}

/* len may wrap for a huge count: sdcard refuses that (-NOS_EINVAL). */
static int sdcard_io_call(msg_pid_t sd, uint16_t type, uint32_t block,
                          uint32_t count, void *buf)
{
	struct sdcard_io io = { block, count, buf, count * SDCARD_BLOCK_SIZE };

	return sdcard_call(sd, type, &io, sizeof(io));
}

int sdcard_read(msg_pid_t sd, uint32_t block, uint32_t count, void *buf)
{
	return sdcard_io_call(sd, SDCARD_MSG_READ, block, count, buf);
}

int sdcard_write(msg_pid_t sd, uint32_t block, uint32_t count, const void *buf)
{
	/* sdcard only reads buf for a write; the payload type is shared. */
	return sdcard_io_call(sd, SDCARD_MSG_WRITE, block, count, (void *)buf);
}

int sdcard_flush(msg_pid_t sd)
{
	return sdcard_call(sd, SDCARD_MSG_FLUSH, NULL, 0);
}

int sdcard_info(msg_pid_t sd, struct sdcard_info *info)
{
	return sdcard_call(sd, SDCARD_MSG_INFO, info, sizeof(*info));
}
