/*
 * matmul.c: integer matrix multiply C = A x B of N x N 32-bit matrices
 * (the i-k-j order, so the inner loop walks rows), ROUNDS times with A
 * changed between rounds. Multiplies (libgcc's __mulsi3 in the rv32i
 * build), loads and stores; checksum: a hash of C. Without M each multiply
 * is a call of ~40 instructions, so the rv32i build does 1/48 of the work.
 */
#include "bench.h"

#ifdef __riscv_mul
#define N      384
#define ROUNDS 6
#else
#define N      192
#define ROUNDS 1
#endif

static int32_t a[N][N], b[N][N], c[N][N];

static void multiply(void)
{
	int i, j, k;

	memset(c, 0, sizeof c);
	for (i = 0; i < N; i++)
		for (k = 0; k < N; k++) {
			int32_t aik = a[i][k];

			for (j = 0; j < N; j++)
				c[i][j] += aik * b[k][j];
		}
}

uint32_t main(void)
{
	uint32_t seed = 0xc0ffee, sum = 0;
	int i, j, r;

	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++) {
			a[i][j] = (int32_t)(bench_rand(&seed) % 2001) - 1000;
			b[i][j] = (int32_t)(bench_rand(&seed) % 2001) - 1000;
		}
	for (r = 0; r < ROUNDS; r++) {
		a[r][r] += 7;
		multiply();
		for (i = 0; i < N; i++)
			for (j = 0; j < N; j++)
				sum = bench_mix(sum, (uint32_t)c[i][j]);
	}
	return sum;
}
