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

#endif
