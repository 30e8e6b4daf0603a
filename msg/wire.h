/*
 * wire.h: messages on a wire (the control socket; later other nodes).
 *
 * A frame is a fixed 24-byte little-endian header followed by the payload,
 * encoded field by field with every bulk buffer copied inline. Bytes are
 * copied only here: in memory messages stay zero-copy (msg.h).
 *
 *   offset size  field
 *        0    2  version   WIRE_VERSION; a mismatch is -NOS_EPROTONOSUPPORT
 *        2    2  type      message type (kproc/proto.h)
 *        4    2  flags     msg flags
 *        6    2  reserved  must be 0
 *        8    4  status    reply code (signed)
 *       12    4  from      process ids
 *       16    4  to
 *       20    4  length    payload bytes that follow (<= WIRE_MAX_PAYLOAD)
 *
 * A payload is described by a layout: its fields in order, each a fixed
 * width integer (u8/u16/u32/u64, signed alike) or a buffer: a (pointer,
 * uint32_t length) pair in the struct, on the wire a u32 length then the
 * bytes. Decoding checks every length before use -- the header's length
 * before anything is allocated, each field against what is left, each
 * buffer against its layout's limit -- and refuses trailing bytes. Decoded
 * buffers point into the frame (no copy).
 */
#ifndef NOS_WIRE_H
#define NOS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "msg/msg.h"

#define WIRE_VERSION 1
#define WIRE_HEADER_SIZE 24
#define WIRE_MAX_PAYLOAD ((uint32_t)1 << 20 | 4096u)   /* 1 MiB of data plus fields */

struct wire_header {
	uint16_t version;
	uint16_t type;
	uint16_t flags;
	int32_t status;
	uint32_t from;
	uint32_t to;
	uint32_t length;
};

enum wire_kind { WIRE_U8 = 1, WIRE_U16, WIRE_U32, WIRE_U64, WIRE_BUF };

struct wire_field {
	uint16_t offset;            /* of the field (BUF: of its pointer) */
	uint8_t kind;               /* enum wire_kind */
	uint16_t len_offset;        /* BUF: offset of its uint32_t length */
	uint32_t max_len;           /* BUF: the most bytes it may carry */
};

struct wire_layout {
	uint16_t type;
	uint16_t struct_size;       /* sizeof the payload struct */
	uint8_t nfields;
	const struct wire_field *fields;
};

#define WIRE_FIELD(st, f, k) { (uint16_t)offsetof(st, f), (k), 0, 0 }
#define WIRE_BUFFER(st, ptr, len, max) \
	{ (uint16_t)offsetof(st, ptr), WIRE_BUF, (uint16_t)offsetof(st, len), (max) }

/* Header alone. encode: always WIRE_HEADER_SIZE bytes.
 * decode: 0; -NOS_EAGAIN (fewer than WIRE_HEADER_SIZE bytes yet);
 * -NOS_EPROTONOSUPPORT (version); -NOS_EBADMSG (reserved bits);
 * -NOS_EMSGSIZE (length over WIRE_MAX_PAYLOAD). */
void wire_header_encode(const struct wire_header *h, uint8_t *out);
int wire_header_decode(const uint8_t *in, size_t n, struct wire_header *h);

/* The layout for a type in a table, or NULL. */
const struct wire_layout *wire_layout_find(const struct wire_layout *table, size_t n,
                                           uint16_t type);

/* Encoded payload size of `payload` (-NOS_EMSGSIZE if a buffer is over its
 * limit or the total is over WIRE_MAX_PAYLOAD). */
int32_t wire_payload_size(const struct wire_layout *l, const void *payload);

/* Encode m (header from m, payload by l) into out. Total bytes, or
 * -NOS_EINVAL (m->type/size do not match l, a buffer with a length and no
 * pointer), -NOS_EMSGSIZE (does not fit). */
int32_t wire_encode(const struct wire_layout *l, const msg_t *m, uint8_t *out, size_t cap);

/* Decode one whole frame of n bytes into h and the payload struct (of
 * l->struct_size bytes at `payload`), choosing l from the table by type.
 * 0 or -NOS_EAGAIN/-NOS_EPROTONOSUPPORT/-NOS_EMSGSIZE (header), -NOS_EBADMSG
 * (unknown type, truncated or overlong payload, buffer over its limit),
 * -NOS_EINVAL (a broken layout table). On failure the payload struct holds
 * garbage: use nothing of it. */
int wire_decode(const struct wire_layout *table, size_t ntable, const uint8_t *frame,
                size_t n, struct wire_header *h, void *payload, size_t payload_cap);

#endif
