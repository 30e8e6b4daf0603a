/* fib.c: naive recursive Fibonacci (calls, returns, stack traffic). */
#include "sys.h"

#ifndef FIB_N
#define FIB_N 30
#endif

static unsigned fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
	unsigned n = FIB_N + (unsigned)(argc > 1 && argv[1][0] == 'x');
	unsigned v = fib(n);

	put_hex("fib", v);
	return FIB_N != 30 || v == 832040u ? 0 : 1;
}
