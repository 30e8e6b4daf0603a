/* matmul.c: integer matrix multiply (multiplies, indexed loads). */
#include "sys.h"

#define N 96
#ifndef REPS
#define REPS 4
#endif
static int a[N][N], b[N][N], c[N][N];

int main(void)
{
	unsigned i, j, k, r, sum = 0;

	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++) {
			a[i][j] = (int)(i * 7 + j * 3) % 17 - 8;
			b[i][j] = (int)(i * 5 + j * 11) % 13 - 6;
		}
	for (r = 0; r < REPS; r++)
		for (i = 0; i < N; i++)
			for (j = 0; j < N; j++) {
				int s = 0;
				for (k = 0; k < N; k++)
					s += a[i][k] * b[k][j];
				c[i][j] = s + (int)r;
			}
	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++)
			sum = sum * 31u + (unsigned)c[i][j];
	put_hex("matmul", sum);
	return 0;
}
