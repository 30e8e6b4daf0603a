/*
 * sd_fault.c: a fault-injection backend for sdcard around another backend
 * (portable), after SQLite's crash tests: fail the Nth read or write with
 * -NOS_EIO, or cut the power after the Nth write (kproc/sdcard.h).
 *
 * How a power cut loses data: writes go to a write-back journal of whole
 * blocks (one slot per block, the newest copy of each) and reach the inner
 * backend only on flush -- the journal is the card's volatile cache. A read
 * takes the inner backend's blocks and lays the journal's over them, so the
 * host sees its own writes. The cut empties the journal: what was not
 * flushed is gone, and the inner backend holds exactly the flushed state.
 */
#include <string.h>

#include "kproc/sdcard.h"

static struct sd_fault_slot *sd_fault_find(struct sd_fault *f, uint32_t block)
{
	uint32_t i;

	for (i = 0; i < f->used; i++)
		if (f->journal[i].block == block)
			return &f->journal[i];
	return NULL;
}

/* Write every journalled block to the inner backend, oldest first. On a
 * failure the journal stays whole: writing a block again is harmless. */
static int sd_fault_writeback(struct sd_fault *f)
{
	const struct sd_backend *in = f->inner;
	uint32_t i;
	int r;

	for (i = 0; i < f->used; i++) {
		r = in->write(in->ctx, f->journal[i].block, 1, f->journal[i].data);
		if (r < 0)
			return r;
	}
	f->used = 0;
	return 0;
}

/* Put one block in the journal; a full journal is written back first. */
static int sd_fault_journal(struct sd_fault *f, uint32_t block, const uint8_t *data)
{
	struct sd_fault_slot *s = sd_fault_find(f, block);
	int r;

	if (s == NULL && f->used == f->nslots) {
		r = sd_fault_writeback(f);
		if (r < 0)
			return r;
	}
	if (s == NULL) {
		s = &f->journal[f->used++];
		s->block = block;
	}
	memcpy(s->data, data, SDCARD_BLOCK_SIZE);
	return 0;
}

static int sd_fault_store(struct sd_fault *f, uint32_t block, uint32_t count,
                          const uint8_t *buf)
{
	const struct sd_backend *in = f->inner;
	uint32_t i;
	int r;

	if (f->nslots == 0)
		return in->write(in->ctx, block, count, buf);
	for (i = 0; i < count; i++) {
		r = sd_fault_journal(f, block + i, buf + (size_t)i * SDCARD_BLOCK_SIZE);
		if (r < 0)
			return r;
	}
	return 0;
}

static int sd_fault_read(void *ctx, uint32_t block, uint32_t count, void *buf)
{
	struct sd_fault *f = ctx;
	const struct sd_backend *in = f->inner;
	uint8_t *out = buf;
	uint32_t i, b;
	int r;

	if (++f->reads == f->plan.fail_read)
		return -NOS_EIO;
	r = in->read(in->ctx, block, count, buf);
	if (r < 0)
		return r;
	for (i = 0; i < f->used; i++) {
		b = f->journal[i].block;
		if (b >= block && b - block < count)
			memcpy(out + (size_t)(b - block) * SDCARD_BLOCK_SIZE,
			       f->journal[i].data, SDCARD_BLOCK_SIZE);
	}
	return 0;
}

static int sd_fault_write(void *ctx, uint32_t block, uint32_t count, const void *buf)
{
	struct sd_fault *f = ctx;
	int r;

	if (f->cut)
		return 0;               /* power is off: the write goes nowhere */
	if (++f->writes == f->plan.fail_write)
		r = -NOS_EIO;
	else
		r = sd_fault_store(f, block, count, buf);
	if (f->writes == f->plan.cut_after_write) {
		f->used = 0;            /* the cut: the volatile cache is lost */
		f->cut = 1;
	}
	return r;
}

static int sd_fault_flush(void *ctx)
{
	struct sd_fault *f = ctx;
	const struct sd_backend *in = f->inner;
	int r;

	if (f->cut)
		return 0;
	r = sd_fault_writeback(f);
	if (r < 0)
		return r;
	return in->flush(in->ctx);
}

int sd_fault_init(struct sd_fault *f, const struct sd_backend *inner,
                  const struct sd_fault_plan *plan, struct sd_fault_slot *journal,
                  uint32_t nslots, struct sd_backend *be)
{
	if (f == NULL || inner == NULL || plan == NULL || be == NULL ||
	    (nslots > 0 && journal == NULL))
		return -NOS_EINVAL;
	memset(f, 0, sizeof(*f));
	f->inner = inner;
	f->plan = *plan;
	f->journal = journal;
	f->nslots = nslots;
	memset(be, 0, sizeof(*be));
	be->read = sd_fault_read;
	be->write = sd_fault_write;
	be->flush = sd_fault_flush;
	be->blocks = inner->blocks;
	be->read_only = inner->read_only;
	be->model = inner->model;
	be->ctx = f;
	return 0;
}
