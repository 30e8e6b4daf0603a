/*
 * sieve.c: the sieve of Eratosthenes over the odd numbers below 2^23,
 * ROUNDS times. Byte stores in a strided inner loop; checksum: the prime
 * count and the sum of the primes found.
 */
#include "bench.h"

#define LIMIT  (1u << 23)
#define ROUNDS 20

static uint8_t composite[LIMIT / 2];   /* composite[i]: 2i + 1 */

static uint32_t sieve(void)
{
	uint32_t i, j, count = 1, sum = 2;   /* 2 is prime */

	memset(composite, 0, sizeof composite);
	for (i = 1; (2 * i + 1) * (2 * i + 1) < LIMIT; i++) {
		uint32_t p = 2 * i + 1;

		if (composite[i])
			continue;
		for (j = (p * p) / 2; j < LIMIT / 2; j += p)
			composite[j] = 1;
	}
	for (i = 1; i < LIMIT / 2; i++) {
		if (!composite[i]) {
			count++;
			sum += 2 * i + 1;
		}
	}
	return bench_mix(count, sum);
}

uint32_t main(void)
{
	uint32_t sum = 0;
	int r;

	for (r = 0; r < ROUNDS; r++)
		sum = bench_mix(sum, sieve());
	return sum;
}
