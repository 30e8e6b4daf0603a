/*
 * sort.c: merge sort (top-down, with an insertion sort below 16 elements)
 * of N pseudo-random 32-bit keys, ROUNDS times with fresh keys. Compares,
 * unpredictable branches, loads and stores; checksum: a hash of sampled
 * sorted keys, or 0xbad if the output is not in order.
 */
#include "bench.h"

#define N      (1u << 20)
#define ROUNDS 3

static uint32_t keys[N], tmp[N];

static void insertion_sort(uint32_t *v, uint32_t n)
{
	uint32_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void merge_sort(uint32_t *v, uint32_t *scratch, uint32_t n)
{
	uint32_t half = n / 2, i = 0, j = half, k = 0;

	if (n < 16) {
		insertion_sort(v, n);
		return;
	}
	merge_sort(v, scratch, half);
	merge_sort(v + half, scratch, n - half);
	while (i < half && j < n)
		scratch[k++] = v[j] < v[i] ? v[j++] : v[i++];
	while (i < half)
		scratch[k++] = v[i++];
	while (j < n)
		scratch[k++] = v[j++];
	memcpy(v, scratch, n * sizeof v[0]);
}

uint32_t main(void)
{
	uint32_t seed = 0xdecade, sum = 0, i;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < N; i++)
			keys[i] = bench_rand(&seed);
		merge_sort(keys, tmp, N);
		for (i = 1; i < N; i++)
			if (keys[i - 1] > keys[i])
				return 0xbad;
		for (i = 0; i < N; i += 997)
			sum = bench_mix(sum, keys[i]);
	}
	return sum;
}
