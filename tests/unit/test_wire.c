/*
 * test_wire.c: the wire suite. The codec is portable and needs no runtime,
 * so frames are built with msg_init() and hand-set header fields, then
 * decoded again, cut short, rewritten and fuzzed. Frames under test are
 * copied into malloc'd buffers of exactly their size, so an over-read by
 * the decoder is an AddressSanitizer report, not a silent pass.
 */
#include <stdint.h>
#include <string.h>

#include "msg/msg.h"
#include "msg/wire.h"
#include "testutil.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { T_PAY = 0x7101, T_EMPTY, T_WIDE, T_TAIL, T_UNKNOWN = 0x7fff };

/* The test payload: every integer width, a signed value carried as a u32,
 * and one bounded buffer last (so its bytes end the frame). */
struct pay {
	uint8_t a;
	uint16_t b;
	uint32_t c;
	uint64_t d;
	int32_t e;
	const void *buf;
	uint32_t buf_len;
};

#define PAY_MAX 64u                       /* the buffer's max_len */
#define PAY_FIXED (1u + 2 + 4 + 8 + 4 + 4)  /* wire bytes before the data */
#define PAY_BUF_AT (WIRE_HEADER_SIZE + 19)  /* the buffer's length on the wire */
#define FRAME_MAX (WIRE_HEADER_SIZE + PAY_FIXED + PAY_MAX + 16)

/* A buffer whose limit is UINT32_MAX: only "what is left in the frame"
 * stands between a hostile length and an over-read. */
struct wide {
	const void *buf;
	uint32_t len;
};

/* An unbounded buffer with a field after it: were `len + 4` to wrap, the
 * parse would go on from a bogus offset and could even end exactly at the
 * frame's end, "succeeding" with a 4 GiB buffer. */
struct tail {
	const void *buf;
	uint32_t len;
	uint64_t x;
};

#define WIDE_BUF_AT WIRE_HEADER_SIZE   /* both wide and tail */

static const struct wire_field pay_fields[] = {
	WIRE_FIELD(struct pay, a, WIRE_U8),
	WIRE_FIELD(struct pay, b, WIRE_U16),
	WIRE_FIELD(struct pay, c, WIRE_U32),
	WIRE_FIELD(struct pay, d, WIRE_U64),
	WIRE_FIELD(struct pay, e, WIRE_U32),
	WIRE_BUFFER(struct pay, buf, buf_len, PAY_MAX),
};

static const struct wire_field wide_fields[] = {
	WIRE_BUFFER(struct wide, buf, len, UINT32_MAX),
};

static const struct wire_field tail_fields[] = {
	WIRE_BUFFER(struct tail, buf, len, UINT32_MAX),
	WIRE_FIELD(struct tail, x, WIRE_U64),
};

static const struct wire_layout layouts[] = {
	{ T_PAY, sizeof(struct pay), ARRAY_SIZE(pay_fields), pay_fields },
	{ T_EMPTY, 0, 0, NULL },
	{ T_WIDE, sizeof(struct wide), ARRAY_SIZE(wide_fields), wide_fields },
	{ T_TAIL, sizeof(struct tail), ARRAY_SIZE(tail_fields), tail_fields },
};

#define L_PAY (&layouts[0])
#define L_EMPTY (&layouts[1])
#define L_WIDE (&layouts[2])
#define L_TAIL (&layouts[3])

/* Known header values: every byte distinct, status negative, so a swapped,
 * shifted or sign-mangled field shows. */
#define H_FLAGS 0xa5c3u
#define H_STATUS (-2)
#define H_FROM 0x04030201u
#define H_TO 0x0c0b0a09u

/* Decoding writes at most sizeof(union any) bytes, whatever the type. */
union any {
	struct pay pay;
	struct wide wide;
	struct tail tail;
};

/* ---------------------------------------------------------------- helpers */

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void pay_fill(struct pay *p, const void *buf, uint32_t len)
{
	memset(p, 0, sizeof(*p));
	p->a = 0x11;
	p->b = 0x2233;
	p->c = 0x44556677u;
	p->d = 0x8899aabbccddeeffull;
	p->e = -123456789;          /* 0xf8a432eb on the wire */
	p->buf = buf;
	p->buf_len = len;
}

/* msg_init leaves from/to/status/flags for the runtime; set them by hand. */
static void msg_fill(msg_t *m, uint16_t type, void *payload, uint32_t size)
{
	msg_init(m, type, payload, size);
	m->flags = H_FLAGS;
	m->status = H_STATUS;
	m->from = H_FROM;
	m->to = H_TO;
}

static int32_t encode_pay(struct pay *p, uint8_t *out, size_t cap)
{
	msg_t m;

	msg_fill(&m, T_PAY, p, sizeof(*p));
	return wire_encode(L_PAY, &m, out, cap);
}

/* A valid T_PAY frame carrying `len` bytes of a fixed pattern. */
static size_t pay_frame(uint8_t *out, uint32_t len)
{
	static uint8_t data[PAY_MAX];
	struct pay p;
	int32_t n;
	unsigned i;

	for (i = 0; i < PAY_MAX; i++)
		data[i] = (uint8_t)(0x80 + i * 7);
	pay_fill(&p, data, len);
	n = encode_pay(&p, out, FRAME_MAX);
	ck_assert_int_eq(n, WIRE_HEADER_SIZE + PAY_FIXED + len);
	return (size_t)n;
}

static uint8_t *dup_exact(const uint8_t *src, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(p);
	if (n)
		memcpy(p, src, n);
	return p;
}

/* Decode a copy of exactly n bytes: any read past n is an ASan report. */
static int decode_exact(const uint8_t *frame, size_t n)
{
	struct wire_header h;
	union any out;
	uint8_t *copy = dup_exact(frame, n);
	int r;

	r = wire_decode(layouts, ARRAY_SIZE(layouts), copy, n, &h, &out, sizeof(out));
	free(copy);
	return r;
}

/* ---------------------------------------------------------------- round trip */

/* The exact frame for pay_fill() with "xyz": the header byte by byte at the
 * offsets of wire.h, then every field little-endian in layout order. */
static const uint8_t xyz_frame[] = {
	0x01, 0x00,                         /*  0 version */
	0x01, 0x71,                         /*  2 type 0x7101 */
	0xc3, 0xa5,                         /*  4 flags */
	0x00, 0x00,                         /*  6 reserved */
	0xfe, 0xff, 0xff, 0xff,             /*  8 status -2 */
	0x01, 0x02, 0x03, 0x04,             /* 12 from */
	0x09, 0x0a, 0x0b, 0x0c,             /* 16 to */
	0x1a, 0x00, 0x00, 0x00,             /* 20 length 23 + 3 */
	0x11,                               /* a */
	0x33, 0x22,                         /* b */
	0x77, 0x66, 0x55, 0x44,             /* c */
	0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, /* d */
	0xeb, 0x32, 0xa4, 0xf8,             /* e */
	0x03, 0x00, 0x00, 0x00,             /* buffer length */
	'x', 'y', 'z',
};

START_TEST(test_encode_byte_layout)
{
	uint8_t out[FRAME_MAX];
	struct pay p;
	size_t i;

	memset(out, 0xa5, sizeof(out));
	pay_fill(&p, "xyz", 3);
	ck_assert_int_eq(encode_pay(&p, out, sizeof(out)), sizeof(xyz_frame));
	for (i = 0; i < sizeof(xyz_frame); i++)
		ck_assert_msg(out[i] == xyz_frame[i], "byte %zu: 0x%02x, want 0x%02x",
		              i, out[i], xyz_frame[i]);
	/* Nothing written past the frame it reported. */
	for (; i < sizeof(out); i++)
		ck_assert_uint_eq(out[i], 0xa5);
}
END_TEST

static void check_header(const struct wire_header *h, uint16_t type, uint32_t length)
{
	ck_assert_uint_eq(h->version, WIRE_VERSION);
	ck_assert_uint_eq(h->type, type);
	ck_assert_uint_eq(h->flags, H_FLAGS);
	ck_assert_int_eq(h->status, H_STATUS);
	ck_assert_uint_eq(h->from, H_FROM);
	ck_assert_uint_eq(h->to, H_TO);
	ck_assert_uint_eq(h->length, length);
}

static void check_pay_fields(const struct pay *got, const struct pay *want)
{
	ck_assert_uint_eq(got->a, want->a);
	ck_assert_uint_eq(got->b, want->b);
	ck_assert_uint_eq(got->c, want->c);
	ck_assert_uint_eq(got->d, want->d);
	ck_assert_int_eq(got->e, want->e);
	ck_assert_uint_eq(got->buf_len, want->buf_len);
}

/* Every buffer size from empty to the limit: fields, header and bytes come
 * back, and the buffer is read in place out of the frame. */
START_TEST(test_round_trip)
{
	static const uint32_t lens[] = { 1, 3, 17, PAY_MAX - 1, PAY_MAX };
	uint8_t data[PAY_MAX], frame[FRAME_MAX];
	struct wire_header h;
	struct pay in, out;
	unsigned i, k;
	int32_t n;

	for (i = 0; i < PAY_MAX; i++)
		data[i] = (uint8_t)(i * 13 + 5);
	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		pay_fill(&in, data, lens[k]);
		n = encode_pay(&in, frame, sizeof(frame));
		ck_assert_int_eq(n, WIRE_HEADER_SIZE + PAY_FIXED + lens[k]);
		ck_assert_int_eq(wire_payload_size(L_PAY, &in), PAY_FIXED + lens[k]);
		memset(&out, 0x5a, sizeof(out));
		ck_assert_int_eq(wire_decode(layouts, ARRAY_SIZE(layouts), frame, (size_t)n,
		                             &h, &out, sizeof(out)), 0);
		check_header(&h, T_PAY, PAY_FIXED + lens[k]);
		check_pay_fields(&out, &in);
		/* Zero copy: the buffer is the frame's own last bytes. */
		ck_assert_ptr_eq(out.buf, frame + n - lens[k]);
		ck_assert_mem_eq(out.buf, data, lens[k]);
	}
}
END_TEST

/* ---------------------------------------------------------------- empty */

/* An empty buffer decodes to (NULL, 0) whatever pointer it was sent with. */
START_TEST(test_empty_buffer)
{
	static const char *const ptrs[] = { NULL, "unused" };
	uint8_t frame[FRAME_MAX];
	struct wire_header h;
	struct pay in, out;
	unsigned k;
	int32_t n;

	for (k = 0; k < ARRAY_SIZE(ptrs); k++) {
		pay_fill(&in, ptrs[k], 0);
		n = encode_pay(&in, frame, sizeof(frame));
		ck_assert_int_eq(n, WIRE_HEADER_SIZE + PAY_FIXED);
		ck_assert_uint_eq(get_le32(frame + PAY_BUF_AT), 0);
		memset(&out, 0x5a, sizeof(out));
		ck_assert_int_eq(wire_decode(layouts, ARRAY_SIZE(layouts), frame, (size_t)n,
		                             &h, &out, sizeof(out)), 0);
		check_header(&h, T_PAY, PAY_FIXED);
		check_pay_fields(&out, &in);
		ck_assert_ptr_null(out.buf);
	}
}
END_TEST

/* A type without payload: a bare header, decoded with no payload space. */
START_TEST(test_no_payload)
{
	uint8_t frame[WIRE_HEADER_SIZE + 8];
	struct wire_header h;
	msg_t m;

	memset(frame, 0xa5, sizeof(frame));
	msg_fill(&m, T_EMPTY, NULL, 0);
	ck_assert_int_eq(wire_encode(L_EMPTY, &m, frame, WIRE_HEADER_SIZE), WIRE_HEADER_SIZE);
	ck_assert_uint_eq(frame[WIRE_HEADER_SIZE], 0xa5);
	ck_assert_int_eq(wire_decode(layouts, ARRAY_SIZE(layouts), frame, WIRE_HEADER_SIZE,
	                             &h, NULL, 0), 0);
	check_header(&h, T_EMPTY, 0);
	ck_assert_int_eq(decode_exact(frame, WIRE_HEADER_SIZE), 0);
}
END_TEST

/* ---------------------------------------------------------------- header */

START_TEST(test_header_short)
{
	uint8_t frame[FRAME_MAX], *copy;
	struct wire_header h;
	size_t n;

	pay_frame(frame, 3);
	for (n = 0; n < WIRE_HEADER_SIZE; n++) {
		copy = dup_exact(frame, n);
		ck_assert_int_eq(wire_header_decode(copy, n, &h), -NOS_EAGAIN);
		free(copy);
		ck_assert_int_eq(decode_exact(frame, n), -NOS_EAGAIN);
	}
}
END_TEST

/* One header field rewritten: what the header decoder and the whole frame
 * decoder must say. The first row is the control: the limit itself. */
static const struct {
	unsigned off, width;
	uint32_t value;
	int header_err;             /* wire_header_decode */
	int frame_err;              /* wire_decode: the bytes no longer match */
} header_cases[] = {
	{ 20, 4, WIRE_MAX_PAYLOAD, 0, -NOS_EBADMSG },
	{ 0, 2, 0, -NOS_EPROTONOSUPPORT, -NOS_EPROTONOSUPPORT },
	{ 0, 2, WIRE_VERSION + 1, -NOS_EPROTONOSUPPORT, -NOS_EPROTONOSUPPORT },
	{ 0, 2, 0x0100 | WIRE_VERSION, -NOS_EPROTONOSUPPORT, -NOS_EPROTONOSUPPORT },
	{ 0, 2, 0xffff, -NOS_EPROTONOSUPPORT, -NOS_EPROTONOSUPPORT },
	{ 6, 2, 0x0001, -NOS_EBADMSG, -NOS_EBADMSG },
	{ 6, 2, 0x0100, -NOS_EBADMSG, -NOS_EBADMSG },
	{ 6, 2, 0x8000, -NOS_EBADMSG, -NOS_EBADMSG },
	{ 20, 4, WIRE_MAX_PAYLOAD + 1, -NOS_EMSGSIZE, -NOS_EMSGSIZE },
	{ 20, 4, 0x80000000u, -NOS_EMSGSIZE, -NOS_EMSGSIZE },
	{ 20, 4, 0xffffffffu, -NOS_EMSGSIZE, -NOS_EMSGSIZE },
};

START_TEST(test_header_errors)
{
	uint8_t frame[FRAME_MAX];
	struct wire_header h;
	unsigned k;
	size_t n;

	for (k = 0; k < ARRAY_SIZE(header_cases); k++) {
		n = pay_frame(frame, 3);
		if (header_cases[k].width == 2)
			put_le16(frame + header_cases[k].off, (uint16_t)header_cases[k].value);
		else
			put_le32(frame + header_cases[k].off, header_cases[k].value);
		ck_assert_msg(wire_header_decode(frame, n, &h) == header_cases[k].header_err,
		              "case %u: header", k);
		ck_assert_msg(decode_exact(frame, n) == header_cases[k].frame_err,
		              "case %u: frame", k);
	}
}
END_TEST

/* ---------------------------------------------------------------- truncation */

/* Every prefix of a valid frame fails: short of a header it is "more to
 * come", past it the header's length no longer matches. */
START_TEST(test_truncated_prefixes)
{
	static const uint32_t lens[] = { 0, 5, PAY_MAX };
	uint8_t frame[FRAME_MAX];
	size_t n, cut;
	unsigned k;
	int r;

	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		n = pay_frame(frame, lens[k]);
		for (cut = 0; cut < n; cut++) {
			r = decode_exact(frame, cut);
			ck_assert_msg(r == (cut < WIRE_HEADER_SIZE ? -NOS_EAGAIN : -NOS_EBADMSG),
			              "len %u cut %zu: %d", lens[k], cut, r);
		}
		ck_assert_int_eq(decode_exact(frame, n), 0);
	}
}
END_TEST

/* The same prefixes with the header's length made to agree: now the field
 * decoder itself must notice that a field or the buffer runs off the end. */
START_TEST(test_truncated_payload_consistent_length)
{
	uint8_t frame[FRAME_MAX];
	size_t n, cut;

	n = pay_frame(frame, 9);
	for (cut = WIRE_HEADER_SIZE; cut < n; cut++) {
		put_le32(frame + 20, (uint32_t)(cut - WIRE_HEADER_SIZE));
		ck_assert_msg(decode_exact(frame, cut) == -NOS_EBADMSG, "cut %zu", cut);
	}
}
END_TEST

/* ---------------------------------------------------------------- lengths */

START_TEST(test_length_mismatch)
{
	static const int64_t deltas[] = { -1, 1, -2, 2, -(int64_t)PAY_FIXED, 100 };
	uint8_t frame[FRAME_MAX];
	unsigned k;
	size_t n;

	for (k = 0; k < ARRAY_SIZE(deltas); k++) {
		n = pay_frame(frame, 4);
		put_le32(frame + 20, (uint32_t)((int64_t)(n - WIRE_HEADER_SIZE) + deltas[k]));
		ck_assert_msg(decode_exact(frame, n) == -NOS_EBADMSG, "delta %lld",
		              (long long)deltas[k]);
	}
	/* A zero length over a frame that has a payload. */
	n = pay_frame(frame, 4);
	put_le32(frame + 20, 0);
	ck_assert_int_eq(decode_exact(frame, n), -NOS_EBADMSG);
	/* And the other way: a payload-less type with bytes after its header. */
	n = pay_frame(frame, 4);
	put_le16(frame + 2, T_EMPTY);
	ck_assert_int_eq(decode_exact(frame, n), -NOS_EBADMSG);
}
END_TEST

/* A byte after the last field, counted by the header: refused, not ignored. */
START_TEST(test_trailing_bytes)
{
	static const uint32_t lens[] = { 0, 4, PAY_MAX };
	uint8_t frame[FRAME_MAX];
	unsigned k;
	size_t n;

	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		n = pay_frame(frame, lens[k]);
		frame[n] = 0;
		put_le32(frame + 20, (uint32_t)(n + 1 - WIRE_HEADER_SIZE));
		ck_assert_msg(decode_exact(frame, n + 1) == -NOS_EBADMSG, "len %u", lens[k]);
	}
}
END_TEST

/* ---------------------------------------------------------------- buffers */

/* Buffer length fields that disagree with the frame, relative to what is
 * left after the length (`left`) or absolute. Every one is refused: too
 * short leaves trailing bytes, too long runs off the frame. */
static void check_buf_lengths(uint8_t *frame, size_t n, size_t len_at, uint32_t left)
{
	static const int64_t rel[] = { -3, -1, 1, 2, 4096 };
	static const uint32_t abs_[] = { PAY_MAX + 1, 0x7fffffffu, 0x80000000u,
	                                 0xfffffffbu, 0xfffffffcu, 0xffffffffu };
	unsigned k;

	for (k = 0; k < ARRAY_SIZE(rel); k++) {
		if ((int64_t)left + rel[k] < 0)
			continue;
		put_le32(frame + len_at, (uint32_t)((int64_t)left + rel[k]));
		ck_assert_msg(decode_exact(frame, n) == -NOS_EBADMSG, "left %u%+lld", left,
		              (long long)rel[k]);
	}
	for (k = 0; k < ARRAY_SIZE(abs_); k++) {
		put_le32(frame + len_at, abs_[k]);
		ck_assert_msg(decode_exact(frame, n) == -NOS_EBADMSG, "length 0x%x", abs_[k]);
	}
	put_le32(frame + len_at, left);
	ck_assert_int_eq(decode_exact(frame, n), 0);
}

START_TEST(test_buffer_length_past_frame)
{
	uint8_t frame[FRAME_MAX];
	size_t n;

	n = pay_frame(frame, 3);
	check_buf_lengths(frame, n, PAY_BUF_AT, 3);
}
END_TEST

/* Where max_len cannot help (UINT32_MAX), the frame's end alone must stop
 * 0xffffffff and friends, without `len + 4` wrapping around. */
START_TEST(test_buffer_length_unbounded_layout)
{
	static const uint32_t lens[] = { 0, 1, 50 };
	uint8_t frame[FRAME_MAX], data[50] = { 0 };
	struct wide w;
	unsigned k;
	int32_t n;
	msg_t m;

	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		w.buf = data;
		w.len = lens[k];
		msg_fill(&m, T_WIDE, &w, sizeof(w));
		n = wire_encode(L_WIDE, &m, frame, sizeof(frame));
		ck_assert_int_eq(n, WIRE_HEADER_SIZE + 4 + lens[k]);
		check_buf_lengths(frame, (size_t)n, WIDE_BUF_AT, lens[k]);
	}
}
END_TEST

/* A buffer in the middle round-trips: the field after it is read past the
 * buffer's bytes, and the buffer still points into the frame. */
START_TEST(test_buffer_then_field)
{
	uint8_t frame[FRAME_MAX], data[5] = "abcd";
	struct wire_header h;
	struct tail in = { data, 5, 0x0123456789abcdefull }, out;
	int32_t n;
	msg_t m;

	msg_fill(&m, T_TAIL, &in, sizeof(in));
	n = wire_encode(L_TAIL, &m, frame, sizeof(frame));
	ck_assert_int_eq(n, WIRE_HEADER_SIZE + 4 + 5 + 8);
	ck_assert_int_eq(wire_decode(layouts, ARRAY_SIZE(layouts), frame, (size_t)n, &h,
	                             &out, sizeof(out)), 0);
	check_header(&h, T_TAIL, 4 + 5 + 8);
	ck_assert_ptr_eq(out.buf, frame + WIRE_HEADER_SIZE + 4);
	ck_assert_uint_eq(out.len, 5);
	ck_assert_mem_eq(out.buf, data, 5);
	ck_assert_uint_eq(out.x, in.x);
}
END_TEST

/* Buffer lengths near UINT32_MAX over every short payload, header length
 * consistent: whatever offset a wrapped `len + 4` would resume at, the
 * frame is refused. */
START_TEST(test_buffer_length_wraps)
{
	static const uint32_t lens[] = { 0xfffffff8u, 0xfffffffbu, 0xfffffffcu,
	                                 0xfffffffdu, 0xfffffffeu, 0xffffffffu };
	uint8_t frame[WIRE_HEADER_SIZE + 32];
	uint32_t plen;
	unsigned k;
	msg_t m;

	msg_fill(&m, T_EMPTY, NULL, 0);
	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		for (plen = 4; plen <= 32; plen++) {
			ck_assert_int_eq(wire_encode(L_EMPTY, &m, frame, sizeof(frame)),
			                 WIRE_HEADER_SIZE);
			memset(frame + WIRE_HEADER_SIZE, 0, plen);
			put_le16(frame + 2, T_TAIL);
			put_le32(frame + 20, plen);
			put_le32(frame + WIRE_HEADER_SIZE, lens[k]);
			ck_assert_msg(decode_exact(frame, WIRE_HEADER_SIZE + plen) == -NOS_EBADMSG,
			              "length 0x%x, payload %u", lens[k], plen);
		}
	}
}
END_TEST

/* Over max_len with the bytes really there: only the limit can refuse it.
 * The frame is a full PAY_MAX buffer, one byte longer, with both lengths
 * bumped to match. */
START_TEST(test_buffer_over_max_len)
{
	uint8_t frame[FRAME_MAX];
	size_t n;

	n = pay_frame(frame, PAY_MAX);
	frame[n] = 0x42;
	put_le32(frame + 20, (uint32_t)(n + 1 - WIRE_HEADER_SIZE));
	put_le32(frame + PAY_BUF_AT, PAY_MAX + 1);
	ck_assert_int_eq(decode_exact(frame, n + 1), -NOS_EBADMSG);
}
END_TEST

/* ---------------------------------------------------------------- layouts */

START_TEST(test_unknown_type)
{
	static const uint16_t types[] = { 0, T_UNKNOWN, 0xffff, T_PAY + 0x100 };
	struct wire_header h;
	uint8_t frame[FRAME_MAX];
	union any out;
	unsigned k;
	size_t n;

	for (k = 0; k < ARRAY_SIZE(types); k++) {
		n = pay_frame(frame, 3);
		put_le16(frame + 2, types[k]);
		ck_assert_msg(decode_exact(frame, n) == -NOS_EBADMSG, "type 0x%x", types[k]);
	}
	/* A known type, but not in the table given. */
	n = pay_frame(frame, 3);
	ck_assert_int_eq(wire_decode(layouts + 1, 1, frame, n, &h, &out, sizeof(out)),
	                 -NOS_EBADMSG);
	ck_assert_int_eq(wire_decode(layouts, 0, frame, n, &h, &out, sizeof(out)),
	                 -NOS_EBADMSG);
	ck_assert_ptr_eq(wire_layout_find(layouts, ARRAY_SIZE(layouts), T_WIDE), L_WIDE);
	ck_assert_ptr_null(wire_layout_find(layouts, ARRAY_SIZE(layouts), T_UNKNOWN));
}
END_TEST

/* payload_cap below struct_size: refused before anything is written (the
 * destination is exactly cap bytes, so a write past it is an ASan report). */
START_TEST(test_payload_cap_too_small)
{
	static const size_t caps[] = { 0, 1, sizeof(struct pay) / 2, sizeof(struct pay) - 1 };
	uint8_t frame[FRAME_MAX], *dst;
	struct wire_header h;
	unsigned k;
	size_t n;

	n = pay_frame(frame, 3);
	for (k = 0; k < ARRAY_SIZE(caps); k++) {
		dst = malloc(caps[k] ? caps[k] : 1);
		ck_assert_ptr_nonnull(dst);
		ck_assert_msg(wire_decode(layouts, ARRAY_SIZE(layouts), frame, n, &h, dst,
		                          caps[k]) == -NOS_EBADMSG, "cap %zu", caps[k]);
		free(dst);
	}
}
END_TEST

/* ---------------------------------------------------------------- encode */

/* Every cap short of the frame: -NOS_EMSGSIZE and not one byte written. */
START_TEST(test_encode_cap_too_small)
{
	static const uint32_t lens[] = { 0, 3, PAY_MAX };
	uint8_t data[PAY_MAX] = { 0 }, *out;
	struct pay p;
	size_t cap, need, i;
	unsigned k;

	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		pay_fill(&p, data, lens[k]);
		need = WIRE_HEADER_SIZE + PAY_FIXED + lens[k];
		for (cap = 0; cap < need; cap++) {
			out = malloc(cap ? cap : 1);
			ck_assert_ptr_nonnull(out);
			memset(out, 0xa5, cap ? cap : 1);
			ck_assert_msg(encode_pay(&p, out, cap) == -NOS_EMSGSIZE, "cap %zu", cap);
			for (i = 0; i < cap; i++)
				ck_assert_uint_eq(out[i], 0xa5);
			free(out);
		}
		out = malloc(need);
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(encode_pay(&p, out, need), (int32_t)need);
		free(out);
	}
}
END_TEST

/* A buffer over its max_len is refused by size and by encode. The pointer
 * is to a short array: reading it for the bad length would be an ASan
 * report, so the check must come before the copy. */
START_TEST(test_encode_buffer_over_max_len)
{
	static const uint32_t lens[] = { PAY_MAX + 1, WIRE_MAX_PAYLOAD, 0xffffffffu };
	uint8_t data[4] = { 0 }, frame[FRAME_MAX];
	struct pay p;
	unsigned k;

	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		pay_fill(&p, data, lens[k]);
		ck_assert_int_eq(wire_payload_size(L_PAY, &p), -NOS_EMSGSIZE);
		ck_assert_int_eq(encode_pay(&p, frame, sizeof(frame)), -NOS_EMSGSIZE);
	}
}
END_TEST

/* The unbounded layout is still bounded by WIRE_MAX_PAYLOAD in total: one
 * byte over is refused, the limit itself round-trips. */
START_TEST(test_encode_max_payload)
{
	uint32_t max_data = WIRE_MAX_PAYLOAD - 4;
	size_t n = WIRE_HEADER_SIZE + WIRE_MAX_PAYLOAD;
	uint8_t *data = malloc(max_data), *frame = malloc(n), small[4] = { 0 };
	struct wire_header h;
	struct wide w, out;
	msg_t m;

	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(frame);
	memset(data, 0x3c, max_data);
	w.buf = small;
	w.len = max_data + 1;
	msg_fill(&m, T_WIDE, &w, sizeof(w));
	ck_assert_int_eq(wire_payload_size(L_WIDE, &w), -NOS_EMSGSIZE);
	ck_assert_int_eq(wire_encode(L_WIDE, &m, frame, n + 1), -NOS_EMSGSIZE);
	w.buf = data;
	w.len = max_data;
	ck_assert_int_eq(wire_encode(L_WIDE, &m, frame, n), (int32_t)n);
	ck_assert_int_eq(wire_decode(layouts, ARRAY_SIZE(layouts), frame, n, &h, &out,
	                             sizeof(out)), 0);
	check_header(&h, T_WIDE, WIRE_MAX_PAYLOAD);
	ck_assert_ptr_eq(out.buf, frame + WIRE_HEADER_SIZE + 4);
	ck_assert_uint_eq(out.len, max_data);
	ck_assert_mem_eq(out.buf, data, max_data);
	free(frame);
	free(data);
}
END_TEST

/* A message that does not match its layout is a caller's error. */
START_TEST(test_encode_mismatch)
{
	static const struct {
		uint16_t type;
		uint32_t size;
		int null_payload;
	} cases[] = {
		{ T_EMPTY, sizeof(struct pay), 0 },
		{ T_UNKNOWN, sizeof(struct pay), 0 },
		{ T_PAY, sizeof(struct pay) - 1, 0 },
		{ T_PAY, sizeof(struct pay) + 1, 0 },
		{ T_PAY, 0, 0 },
		{ T_PAY, sizeof(struct pay), 1 },
	};
	uint8_t frame[FRAME_MAX];
	struct pay p;
	unsigned k;
	msg_t m;

	pay_fill(&p, "xyz", 3);
	for (k = 0; k < ARRAY_SIZE(cases); k++) {
		msg_fill(&m, cases[k].type, cases[k].null_payload ? NULL : &p, cases[k].size);
		ck_assert_msg(wire_encode(L_PAY, &m, frame, sizeof(frame)) == -NOS_EINVAL,
		              "case %u", k);
	}
	msg_fill(&m, T_PAY, &p, sizeof(p));
	ck_assert_int_eq(wire_encode(NULL, &m, frame, sizeof(frame)), -NOS_EINVAL);
	msg_fill(&m, T_EMPTY, &p, sizeof(p));
	ck_assert_int_eq(wire_encode(L_EMPTY, &m, frame, sizeof(frame)), -NOS_EINVAL);
}
END_TEST

/* ---------------------------------------------------------------- fuzz */

struct frame {
	uint8_t b[FRAME_MAX];
	size_t n;
};

/* xorshift64: a fixed seed makes every failure replayable. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t rnd_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rnd(s) % n);
}

static void mut_flip(struct frame *f, uint64_t *s)
{
	if (f->n)
		f->b[rnd_below(s, (uint32_t)f->n)] ^= (uint8_t)(1u << rnd_below(s, 8));
}

static void mut_set(struct frame *f, uint64_t *s)
{
	if (f->n)
		f->b[rnd_below(s, (uint32_t)f->n)] = (uint8_t)rnd(s);
}

static void mut_truncate(struct frame *f, uint64_t *s)
{
	if (f->n)
		f->n = rnd_below(s, (uint32_t)f->n);
}

static void mut_extend(struct frame *f, uint64_t *s)
{
	uint32_t add = 1 + rnd_below(s, 8);

	while (add-- && f->n < FRAME_MAX)
		f->b[f->n++] = (uint8_t)rnd(s);
}

/* A length near the truth, at a limit, or anything at all. */
static uint32_t pick_length(uint64_t *s, uint32_t truth)
{
	switch (rnd_below(s, 6)) {
	case 0:
		return truth;
	case 1:
		return truth + 1 + rnd_below(s, 4);
	case 2:
		return truth - 1 - rnd_below(s, 4);
	case 3:
		return WIRE_MAX_PAYLOAD + rnd_below(s, 2);
	case 4:
		return 0xffffffffu - rnd_below(s, 8);
	default:
		return (uint32_t)rnd(s);
	}
}

static void mut_header_length(struct frame *f, uint64_t *s)
{
	if (f->n >= WIRE_HEADER_SIZE)
		put_le32(f->b + 20, pick_length(s, (uint32_t)(f->n - WIRE_HEADER_SIZE)));
}

/* Rewrite whichever buffer length the frame's type would be parsed with. */
static void mut_buffer_length(struct frame *f, uint64_t *s)
{
	size_t at;

	if (f->n < 4)
		return;
	at = (f->b[2] | f->b[3] << 8) == T_PAY ? PAY_BUF_AT : WIDE_BUF_AT;
	if (f->n >= at + 4)
		put_le32(f->b + at, pick_length(s, (uint32_t)(f->n - at - 4)));
}

/* Decode one frame as another type, or as none. */
static void mut_type(struct frame *f, uint64_t *s)
{
	static const uint16_t types[] = { T_PAY, T_EMPTY, T_WIDE, T_TAIL, T_UNKNOWN };

	if (f->n >= 4)
		put_le16(f->b + 2, types[rnd_below(s, ARRAY_SIZE(types))]);
}

/* Make the header agree with the bytes, so the payload parser is reached. */
static void mut_fix_length(struct frame *f, uint64_t *s)
{
	(void)s;
	if (f->n >= WIRE_HEADER_SIZE)
		put_le32(f->b + 20, (uint32_t)(f->n - WIRE_HEADER_SIZE));
}

static void (*const mutators[])(struct frame *, uint64_t *) = {
	mut_flip, mut_set, mut_truncate, mut_extend, mut_header_length,
	mut_buffer_length, mut_type, mut_fix_length, mut_fix_length,
};

static void fuzz_base(struct frame *f, uint64_t *s)
{
	static const uint32_t lens[] = { 0, 1, 7, PAY_MAX };
	uint8_t data[8] = "abcdefg";
	struct wide w = { data, 0 };
	struct tail t = { data, 0, 0x1122334455667788ull };
	msg_t m;

	switch (rnd_below(s, 4)) {
	case 0:
		f->n = pay_frame(f->b, lens[rnd_below(s, ARRAY_SIZE(lens))]);
		break;
	case 1:
		msg_fill(&m, T_EMPTY, NULL, 0);
		f->n = (size_t)wire_encode(L_EMPTY, &m, f->b, sizeof(f->b));
		break;
	case 2:
		t.len = rnd_below(s, sizeof(data) + 1);
		msg_fill(&m, T_TAIL, &t, sizeof(t));
		f->n = (size_t)wire_encode(L_TAIL, &m, f->b, sizeof(f->b));
		break;
	default:
		w.len = rnd_below(s, sizeof(data) + 1);
		msg_fill(&m, T_WIDE, &w, sizeof(w));
		f->n = (size_t)wire_encode(L_WIDE, &m, f->b, sizeof(f->b));
		break;
	}
}

static int decode_error(int r)
{
	return r == -NOS_EAGAIN || r == -NOS_EPROTONOSUPPORT || r == -NOS_EBADMSG ||
	       r == -NOS_EMSGSIZE;
}

static void check_inside(const void *buf, uint32_t len, const uint8_t *frame, size_t n)
{
	const uint8_t *p = buf;

	if (len == 0) {
		ck_assert_ptr_null(buf);
		return;
	}
	ck_assert_msg(p >= frame + WIRE_HEADER_SIZE && p <= frame + n &&
	              len <= (size_t)(frame + n - p), "buffer outside the frame");
}

/* A frame that decoded is canonical: encoding what came out gives back the
 * very same bytes. */
static void check_reencode(const struct wire_header *h, union any *out,
                           const uint8_t *frame, size_t n)
{
	const struct wire_layout *l = wire_layout_find(layouts, ARRAY_SIZE(layouts), h->type);
	uint8_t again[FRAME_MAX];
	msg_t m;

	ck_assert_ptr_nonnull(l);
	msg_init(&m, h->type, l->struct_size ? out : NULL, l->struct_size);
	m.flags = h->flags;
	m.status = h->status;
	m.from = h->from;
	m.to = h->to;
	ck_assert_int_eq(wire_encode(l, &m, again, sizeof(again)), (int32_t)n);
	ck_assert_mem_eq(again, frame, n);
}

static void check_decoded(const struct wire_header *h, union any *out,
                          const uint8_t *frame, size_t n)
{
	ck_assert_uint_eq(h->length, n - WIRE_HEADER_SIZE);
	if (h->type == T_PAY)
		check_inside(out->pay.buf, out->pay.buf_len, frame, n);
	else if (h->type == T_WIDE)
		check_inside(out->wide.buf, out->wide.len, frame, n);
	else if (h->type == T_TAIL)
		check_inside(out->tail.buf, out->tail.len, frame, n);
	check_reencode(h, out, frame, n);
}

/* Index in `seen` of each decode result: 0 and the four errors. */
static unsigned result_slot(int r)
{
	static const int results[] = { 0, -NOS_EAGAIN, -NOS_EPROTONOSUPPORT,
	                               -NOS_EBADMSG, -NOS_EMSGSIZE };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(results); i++)
		if (results[i] == r)
			return i;
	return 0;
}

START_TEST(test_fuzz_mutations)
{
	long iters = 20000 * test_scale(), it;
	unsigned long seen[5] = { 0 };
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct wire_header h;
	union any out;
	struct frame f;
	uint8_t *copy;
	unsigned k, nmut;
	int r;

	for (it = 0; it < iters; it++) {
		fuzz_base(&f, &seed);
		nmut = 1 + rnd_below(&seed, 4);
		for (k = 0; k < nmut; k++)
			mutators[rnd_below(&seed, ARRAY_SIZE(mutators))](&f, &seed);
		copy = dup_exact(f.b, f.n);
		r = wire_decode(layouts, ARRAY_SIZE(layouts), copy, f.n, &h, &out, sizeof(out));
		ck_assert_msg(r == 0 || decode_error(r), "iteration %ld: returned %d", it, r);
		if (r == 0)
			check_decoded(&h, &out, copy, f.n);
		seen[result_slot(r)]++;
		free(copy);
	}
	/* The mutations must reach every outcome, or the loop tests little. */
	for (k = 0; k < ARRAY_SIZE(seen); k++)
		ck_assert_msg(seen[k] > 0, "outcome %u never seen", k);
}
END_TEST

/* ---------------------------------------------------------------- suite */

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *codec = tcase_create("codec");
	TCase *hostile = tcase_create("hostile");
	TCase *fuzz = tcase_create("fuzz");

	tcase_set_timeout(codec, 60);
	tcase_add_test(codec, test_encode_byte_layout);
	tcase_add_test(codec, test_round_trip);
	tcase_add_test(codec, test_empty_buffer);
	tcase_add_test(codec, test_no_payload);
	tcase_add_test(codec, test_encode_cap_too_small);
	tcase_add_test(codec, test_encode_buffer_over_max_len);
	tcase_add_test(codec, test_encode_max_payload);
	tcase_add_test(codec, test_encode_mismatch);
	suite_add_tcase(s, codec);

	tcase_set_timeout(hostile, 60);
	tcase_add_test(hostile, test_header_short);
	tcase_add_test(hostile, test_header_errors);
	tcase_add_test(hostile, test_truncated_prefixes);
	tcase_add_test(hostile, test_truncated_payload_consistent_length);
	tcase_add_test(hostile, test_length_mismatch);
	tcase_add_test(hostile, test_trailing_bytes);
	tcase_add_test(hostile, test_buffer_length_past_frame);
	tcase_add_test(hostile, test_buffer_length_unbounded_layout);
	tcase_add_test(hostile, test_buffer_then_field);
	tcase_add_test(hostile, test_buffer_length_wraps);
	tcase_add_test(hostile, test_buffer_over_max_len);
	tcase_add_test(hostile, test_unknown_type);
	tcase_add_test(hostile, test_payload_cap_too_small);
	suite_add_tcase(s, hostile);

	tcase_set_timeout(fuzz, 60);
	tcase_add_test(fuzz, test_fuzz_mutations);
	suite_add_tcase(s, fuzz);
	return s;
}

TEST_MAIN(wire_suite)
