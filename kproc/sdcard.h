/*
 * sdcard.h: the sdcard kernel process and its block backends (portable).
 *
 * sdcard owns one block device -- a backend: an image file or block device
 * (sdimage/sd_file.h, Linux), a RAM disk (sd_ram), a fault injector around
 * another backend (sd_fault), later an SPI card on AVR -- and serves four
 * messages (kproc/proto.h), the same four FatFs asks of its diskio layer:
 *
 *   SDCARD_MSG_READ   struct sdcard_io   -> 0: count blocks from `block` in buf
 *   SDCARD_MSG_WRITE  struct sdcard_io   -> 0: count blocks from buf written
 *   SDCARD_MSG_FLUSH  (none)             -> 0: every earlier write is durable
 *   SDCARD_MSG_INFO   struct sdcard_info -> 0: filled in
 *
 * Errors, checked in this order:
 *   -NOS_EPERM    the sender is neither fs ("fs", 0) nor sdcard's parent
 *   -NOS_EROFS    a write to a read-only device
 *   -NOS_EINVAL   count is 0, len != count * 512, or buf is NULL
 *   -NOS_ENXIO    a block past the end (block + count > blocks, overflow
 *                 included): "no such device address", as Linux's block
 *                 layer says for I/O beyond the end of a device
 *   -NOS_EIO      the backend failed (or what else it returned)
 *   -NOS_EBADMSG / -NOS_ENOSYS: a wrong payload size / an unknown type
 *                 (kproc_serve)
 */
#ifndef NOS_SDCARD_H
#define NOS_SDCARD_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/proto.h"
#include "msg/msg.h"

/*
 * A block backend. sdcard checks every request (range, length, read-only)
 * before it calls one, so backends see only in-range, well-formed I/O.
 * Each function returns 0 or -NOS_Exxx (-NOS_EIO for a failed transfer).
 */
struct sd_backend {
	int (*read)(void *ctx, uint32_t block, uint32_t count, void *buf);
	int (*write)(void *ctx, uint32_t block, uint32_t count, const void *buf);
	int (*flush)(void *ctx);        /* earlier writes durable when it returns */
	uint32_t blocks;                /* size in SDCARD_BLOCK_SIZE blocks */
	uint8_t read_only;
	const char *model;              /* for SDCARD_MSG_INFO; may be NULL */
	void *ctx;
};

/* 0 if blocks [block, block + count) lie on a device of `blocks` blocks,
 * else -NOS_ENXIO; count 0 is -NOS_EINVAL. */
int sd_check_range(uint32_t blocks, uint32_t block, uint32_t count);

/* ---- the kernel process ---- */

/* Start sdcard (registered as "sdcard", 0) serving *be, which must stay
 * valid until sdcard is stopped (kproc_stop by the caller, its parent).
 * 0, -NOS_EINVAL (a backend without read/write/flush or blocks), or what
 * kproc_start returns (-NOS_EEXIST: an sdcard runs already). */
int sdcard_start(const struct sd_backend *be, msg_pid_t *pid);

/* Client side: build the message and call sdcard. Return its reply. */
int sdcard_read(msg_pid_t sd, uint32_t block, uint32_t count, void *buf);
int sdcard_write(msg_pid_t sd, uint32_t block, uint32_t count, const void *buf);
int sdcard_flush(msg_pid_t sd);
int sdcard_info(msg_pid_t sd, struct sdcard_info *info);

/* ---- the sdcard process as a backend (sd_msg.c) ---- */
/* A client's view of sdcard: every call is a message to it. Used by fs. */
struct sd_msg {
	msg_pid_t sdcard;
	struct sdcard_info info;
};

/* Ask sdcard for its geometry and make *be forward to it. c must outlive
 * be. 0, or sdcard's reply (-NOS_EPERM unless the caller is fs or sdcard's
 * parent, -NOS_ESRCH if it is gone). */
int sd_msg_init(struct sd_msg *c, msg_pid_t sdcard, struct sd_backend *be);

/* ---- RAM disk (sd_ram.c): blocks in a caller-given buffer ---- */

struct sd_ram {
	uint8_t *mem;
	uint32_t blocks;
};

/* Make *be a RAM disk over mem (size bytes; a trailing partial block is not
 * used). ram and mem must outlive be. 0 or -NOS_EINVAL (under one block). */
int sd_ram_init(struct sd_ram *ram, void *mem, size_t size, uint8_t read_only,
                struct sd_backend *be);

/* ---- fault injection (sd_fault.c) ---- */

/*
 * A backend around another one that fails on a plan, like SQLite's crash
 * tests: the Nth read or write (calls, counted from 1 since init) fails with
 * -NOS_EIO and transfers nothing; or power is cut right after the Nth write.
 *
 * Power cut: writes are held in a write-back journal (caller-given slots, one
 * block each) and reach the inner backend only on flush, as in a card's
 * cache. The cut throws the journal away, so every write since the last
 * flush is lost; from then on writes and flushes are dropped (and return 0:
 * the host does not see a power cut), and reads see only what reached the
 * inner backend. A full journal is written back early, as a card may do, so
 * a cut loses at most the journal's last `nslots` blocks; give it room for
 * all writes between two flushes to lose them all. nslots 0: write through.
 */
struct sd_fault_slot {
	uint32_t block;
	uint8_t data[SDCARD_BLOCK_SIZE];
};

struct sd_fault_plan {
	uint32_t fail_read;             /* fail the Nth read; 0: never */
	uint32_t fail_write;            /* fail the Nth write; 0: never */
	uint32_t cut_after_write;       /* cut power after the Nth write; 0: never */
};

struct sd_fault {
	const struct sd_backend *inner;
	struct sd_fault_plan plan;
	uint32_t reads, writes;         /* calls so far */
	uint8_t cut;                    /* power is off */
	struct sd_fault_slot *journal;
	uint32_t nslots, used;          /* slots given, slots holding a block */
};

/* Make *be the fault injector over inner. f, inner, journal outlive be.
 * 0 or -NOS_EINVAL. */
int sd_fault_init(struct sd_fault *f, const struct sd_backend *inner,
                  const struct sd_fault_plan *plan, struct sd_fault_slot *journal,
                  uint32_t nslots, struct sd_backend *be);

#endif
