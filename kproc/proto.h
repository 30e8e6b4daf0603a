/*
 * proto.h: every message type of NanoOs, numbered in ranges per receiver,
 * with one payload struct per type (flat, fixed-width fields; bulk data as a
 * pointer + uint32_t length into the sender's memory). Later issues fill in
 * the ranges; a number, once given, is never reused for something else.
 */
#ifndef NOS_PROTO_H
#define NOS_PROTO_H

#include <stdint.h>

enum proto_range {
	PROTO_ANY     = 0x0000,   /* understood by every kernel process */
	PROTO_SCHED   = 0x0100,
	PROTO_CONSOLE = 0x0200,
	PROTO_MEMMGR  = 0x0300,
	PROTO_SDCARD  = 0x0400,
	PROTO_FS      = 0x0500,
	PROTO_USERS   = 0x0600,
	PROTO_CLIENT  = 0x1000,   /* control-socket client protocol */
};

/* PROTO_ANY: every kernel process answers these (kproc_serve does). */
enum {
	KPROC_MSG_STOP = PROTO_ANY + 1,   /* no payload; only the parent may ask */
	KPROC_MSG_PING = PROTO_ANY + 2,   /* struct kproc_ping; answered with value + 1 */
};

struct kproc_ping {
	uint32_t value;
};

/* PROTO_SDCARD: the block device (kproc/sdcard.c). Only fs ("fs", 0) and
 * the process that started sdcard may ask. Blocks are SDCARD_BLOCK_SIZE
 * bytes; replies are 0 or -NOS_Exxx (see kproc/sdcard.h). */
#define SDCARD_BLOCK_SIZE 512u

enum {
	SDCARD_MSG_READ  = PROTO_SDCARD + 1,  /* struct sdcard_io: blocks into buf */
	SDCARD_MSG_WRITE = PROTO_SDCARD + 2,  /* struct sdcard_io: blocks from buf */
	SDCARD_MSG_FLUSH = PROTO_SDCARD + 3,  /* no payload: make writes durable */
	SDCARD_MSG_INFO  = PROTO_SDCARD + 4,  /* struct sdcard_info, filled in */
};

struct sdcard_io {
	uint32_t block;                 /* first block */
	uint32_t count;                 /* blocks, at least 1 */
	void *buf;                      /* in the sender's memory */
	uint32_t len;                   /* bytes at buf: must be count * 512 */
};

struct sdcard_info {
	uint32_t blocks;
	uint32_t block_size;            /* SDCARD_BLOCK_SIZE */
	uint8_t read_only;
	char model[32];                 /* NUL-terminated */
};

#endif
