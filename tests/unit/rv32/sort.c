/* sort.c: quicksort and insertion sort of pseudo-random words. */
#include "sys.h"

#define N 60000
#ifndef REPS
#define REPS 6
#endif
static unsigned v[N];

static void isort(unsigned *p, int n)
{
	int i, j;

	for (i = 1; i < n; i++) {
		unsigned x = p[i];
		for (j = i - 1; j >= 0 && p[j] > x; j--)
			p[j + 1] = p[j];
		p[j + 1] = x;
	}
}

static void qsort_u(unsigned *p, int n)
{
	while (n > 16) {
		unsigned pivot = p[n / 2], t;
		int i = 0, j = n - 1;

		while (i <= j) {
			while (p[i] < pivot)
				i++;
			while (p[j] > pivot)
				j--;
			if (i <= j) {
				t = p[i];
				p[i] = p[j];
				p[j] = t;
				i++;
				j--;
			}
		}
		if (j + 1 < n - i) {
			qsort_u(p, j + 1);
			p += i;
			n -= i;
		} else {
			qsort_u(p + i, n - i);
			n = j + 1;
		}
	}
	isort(p, n);
}

int main(void)
{
	unsigned x = 1, sum = 0, r;
	int i;

	for (r = 0; r < REPS; r++) {
		for (i = 0; i < N; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			v[i] = x;
		}
		qsort_u(v, N);
		for (i = 1; i < N; i++)
			if (v[i - 1] > v[i])
				return 2;
		sum += v[N / 3] ^ v[N / 7];
	}
	put_hex("sort", sum);
	return 0;
}
