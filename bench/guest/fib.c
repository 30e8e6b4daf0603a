/*
 * fib.c: naive recursive Fibonacci, fib(N): calls, returns and the stack
 * (sp-relative loads and stores). Checksum: the result.
 */
#include "bench.h"

#define N 37

static uint32_t __attribute__((noinline)) fib(uint32_t n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

uint32_t main(void)
{
	return fib(N);
}
