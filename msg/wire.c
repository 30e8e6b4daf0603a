/*
 * wire.c: encode and decode wire frames (format in wire.h). Portable: no
 * host calls, no allocation; every length is checked before it is used.
 */
#include <string.h>

#include "kproc/le.h"
#include "msg/wire.h"

static const uint8_t kind_width[] = {
	[WIRE_U8] = 1, [WIRE_U16] = 2, [WIRE_U32] = 4, [WIRE_U64] = 8, [WIRE_BUF] = 4,
};

void wire_header_encode(const struct wire_header *h, uint8_t *out)
{
	st_16(out + 0, WIRE_VERSION);
	st_16(out + 2, h->type);
	st_16(out + 4, h->flags);
	st_16(out + 6, 0);
	st_32(out + 8, (uint32_t)h->status);
	st_32(out + 12, h->from);
	st_32(out + 16, h->to);
	st_32(out + 20, h->length);
}

int wire_header_decode(const uint8_t *in, size_t n, struct wire_header *h)
{
	if (n < WIRE_HEADER_SIZE)
		return -NOS_EAGAIN;
	h->version = ld_16(in + 0);
	if (h->version != WIRE_VERSION)
		return -NOS_EPROTONOSUPPORT;
	if (ld_16(in + 6) != 0)
		return -NOS_EBADMSG;
	h->type = ld_16(in + 2);
	h->flags = ld_16(in + 4);
	h->status = (int32_t)ld_32(in + 8);
	h->from = ld_32(in + 12);
	h->to = ld_32(in + 16);
	h->length = ld_32(in + 20);
	if (h->length > WIRE_MAX_PAYLOAD)
		return -NOS_EMSGSIZE;
	return 0;
}

const struct wire_layout *wire_layout_find(const struct wire_layout *table, size_t n,
                                           uint16_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (table[i].type == type)
			return &table[i];
	return NULL;
}

static uint32_t buf_len(const void *payload, const struct wire_field *f)
{
	uint32_t len;

	memcpy(&len, (const uint8_t *)payload + f->len_offset, sizeof(len));
	return len;
}

static const void *buf_ptr(const void *payload, const struct wire_field *f)
{
	const void *p;

	memcpy(&p, (const uint8_t *)payload + f->offset, sizeof(p));
	return p;
}

static int field_valid(const struct wire_field *f)
{
	return f->kind >= WIRE_U8 && f->kind <= WIRE_BUF;
}

int32_t wire_payload_size(const struct wire_layout *l, const void *payload)
{
	uint32_t total = 0, len;
	unsigned i;

	for (i = 0; i < l->nfields; i++) {
		const struct wire_field *f = &l->fields[i];

		if (!field_valid(f))
			return -NOS_EINVAL;
		total += kind_width[f->kind];
		if (f->kind == WIRE_BUF) {
			len = buf_len(payload, f);
			if (len > f->max_len || len > WIRE_MAX_PAYLOAD)
				return -NOS_EMSGSIZE;
			if (len && buf_ptr(payload, f) == NULL)
				return -NOS_EINVAL;
			total += len;
		}
		if (total > WIRE_MAX_PAYLOAD)
			return -NOS_EMSGSIZE;
	}
	return (int32_t)total;
}

static void put_field(uint8_t *out, const struct wire_field *f, const uint8_t *src)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (f->kind) {
	case WIRE_U8:
		memcpy(&v8, src + f->offset, 1);
		out[0] = v8;
		break;
	case WIRE_U16:
		memcpy(&v16, src + f->offset, 2);
		st_16(out, v16);
		break;
	case WIRE_U32:
		memcpy(&v32, src + f->offset, 4);
		st_32(out, v32);
		break;
	case WIRE_U64:
		memcpy(&v64, src + f->offset, 8);
		st_64(out, v64);
		break;
	case WIRE_BUF:
		v32 = buf_len(src, f);
		st_32(out, v32);
		if (v32)
			memcpy(out + 4, buf_ptr(src, f), v32);
		break;
	}
}

int32_t wire_encode(const struct wire_layout *l, const msg_t *m, uint8_t *out, size_t cap)
{
	struct wire_header h;
	int32_t size = 0;
	uint32_t at = WIRE_HEADER_SIZE;
	unsigned i;

	if (l == NULL || m->type != l->type || m->size != l->struct_size ||
	    ((l->struct_size || l->nfields) && m->payload == NULL))
		return -NOS_EINVAL;
	if (l->nfields)
		size = wire_payload_size(l, m->payload);
	if (size < 0)
		return size;
	if ((size_t)size + WIRE_HEADER_SIZE > cap)
		return -NOS_EMSGSIZE;
	h.type = m->type;
	h.flags = m->flags;
	h.status = m->status;
	h.from = m->from;
	h.to = m->to;
	h.length = (uint32_t)size;
	wire_header_encode(&h, out);
	for (i = 0; i < l->nfields; i++) {
		const struct wire_field *f = &l->fields[i];

		put_field(out + at, f, m->payload);
		at += kind_width[f->kind];
		if (f->kind == WIRE_BUF)
			at += buf_len(m->payload, f);
	}
	return (int32_t)at;
}

/* Decode one field from in[0..left); bytes used or -NOS_EBADMSG. */
static int32_t get_field(const struct wire_field *f, const uint8_t *in, uint32_t left,
                         uint8_t *dst)
{
	uint32_t width = kind_width[f->kind];
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;
	const void *p;

	if (left < width)
		return -NOS_EBADMSG;
	switch (f->kind) {
	case WIRE_U8:
		dst[f->offset] = in[0];
		break;
	case WIRE_U16:
		v16 = ld_16(in);
		memcpy(dst + f->offset, &v16, 2);
		break;
	case WIRE_U32:
		v32 = ld_32(in);
		memcpy(dst + f->offset, &v32, 4);
		break;
	case WIRE_U64:
		v64 = ld_64(in);
		memcpy(dst + f->offset, &v64, 8);
		break;
	case WIRE_BUF:
		v32 = ld_32(in);
		if (v32 > f->max_len || v32 > left - width)
			return -NOS_EBADMSG;
		p = v32 ? in + width : NULL;
		memcpy(dst + f->offset, &p, sizeof(p));
		memcpy(dst + f->len_offset, &v32, 4);
		return (int32_t)(width + v32);
	}
	return (int32_t)width;
}

int wire_decode(const struct wire_layout *table, size_t ntable, const uint8_t *frame,
                size_t n, struct wire_header *h, void *payload, size_t payload_cap)
{
	const struct wire_layout *l;
	uint32_t at = 0;
	int32_t used;
	unsigned i;
	int r;

	r = wire_header_decode(frame, n, h);
	if (r < 0)
		return r;
	if (n - WIRE_HEADER_SIZE != h->length)
		return -NOS_EBADMSG;
	l = wire_layout_find(table, ntable, h->type);
	if (l == NULL || l->struct_size > payload_cap)
		return -NOS_EBADMSG;
	if (l->struct_size)
		memset(payload, 0, l->struct_size);
	for (i = 0; i < l->nfields; i++) {
		if (!field_valid(&l->fields[i]))
			return -NOS_EINVAL;
		used = get_field(&l->fields[i], frame + WIRE_HEADER_SIZE + at, h->length - at,
		                 payload);
		if (used < 0)
			return (int)used;
		at += (uint32_t)used;
	}
	return at == h->length ? 0 : -NOS_EBADMSG;
}
