/*
 * runtime.c: the CPU benchmark guests' whole runtime: the two system calls
 * they use (write 64, exit 93, the Linux RV32 numbers), bench_finish, and
 * memset/memcpy, which GCC may call for loops it recognises.
 */
#include "bench.h"

static long sys3(long nr, long a, long b, long c)
{
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a7 __asm__("a7") = nr;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

/* Print "result 0xXXXXXXXX\n" and exit with the low 7 bits. */
void bench_finish(uint32_t checksum)
{
	char line[] = "result 0x00000000\n";
	int i;

	for (i = 0; i < 8; i++)
		line[16 - i] = "0123456789abcdef"[(checksum >> (4 * i)) & 15];
	sys3(64, 1, (long)line, sizeof line - 1);
	for (;;)
		sys3(93, (long)(checksum & 0x7f), 0, 0);
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
