/* crc32.c: bitwise and table CRC-32 over a generated buffer. */
#include "sys.h"

#define LEN 65536
#ifndef REPS
#define REPS 21
#endif
static unsigned char data[LEN];
static unsigned table[256];

static unsigned crc_bitwise(const unsigned char *p, unsigned n)
{
	unsigned c = 0xFFFFFFFFu, k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & -(c & 1u));
	}
	return ~c;
}

static unsigned crc_table(const unsigned char *p, unsigned n)
{
	unsigned c = 0xFFFFFFFFu;

	while (n--)
		c = table[(c ^ *p++) & 0xFF] ^ (c >> 8);
	return ~c;
}

int main(void)
{
	unsigned i, k, c, x = 12345, a = 0, b = 0;

	for (i = 0; i < LEN; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 16);
	}
	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
	for (i = 0; i < REPS; i++) {
		a ^= crc_bitwise(data, LEN / 4);
		b ^= crc_table(data, LEN);
	}
	put_hex("crc_bitwise", a);
	put_hex("crc_table", b);
	return 0;
}
