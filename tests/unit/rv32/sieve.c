/* sieve.c: primes below N by the sieve of Eratosthenes, REPS times. */
#include "sys.h"

#define N 200000
#ifndef REPS
#define REPS 30
#endif
static unsigned char composite[N];

int main(void)
{
	unsigned count = 0, r, i, j;

	for (r = 0; r < REPS; r++) {
		for (i = 0; i < N; i++)
			composite[i] = 0;
		count = 0;
		for (i = 2; i < N; i++) {
			if (composite[i])
				continue;
			count++;
			for (j = i * 2; j < N; j += i)
				composite[j] = 1;
		}
	}
	put_hex("primes", count);
	return count == 17984 ? 0 : 1;
}
