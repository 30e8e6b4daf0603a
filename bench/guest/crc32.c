/*
 * crc32.c: CRC-32 (IEEE 802.3, reflected, table-driven a byte at a time)
 * over 16 MiB of pseudo-random data, PASSES times (the data changes a
 * little between passes). Byte loads, table lookups, shifts and XORs;
 * checksum: the CRCs.
 */
#include "bench.h"

#define SIZE   (16u << 20)
#define PASSES 16

static uint8_t data[SIZE];
static uint32_t table[256];

static void make_table(void)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--)
		c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

uint32_t main(void)
{
	uint32_t seed = 0x12345678, sum = 0, i;
	int pass;

	make_table();
	for (i = 0; i < SIZE; i += 4) {
		uint32_t r = bench_rand(&seed);

		data[i] = (uint8_t)r;
		data[i + 1] = (uint8_t)(r >> 8);
		data[i + 2] = (uint8_t)(r >> 16);
		data[i + 3] = (uint8_t)(r >> 24);
	}
	for (pass = 0; pass < PASSES; pass++) {
		data[bench_rand(&seed) % SIZE] ^= (uint8_t)pass + 1;
		sum = bench_mix(sum, crc32(data, SIZE));
	}
	return sum;
}
