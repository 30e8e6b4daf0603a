/* mini.c: memset and memcpy, which GCC calls for plain loops even under
 * -nostdlib (built with -fno-tree-loop-distribute-patterns so they do not
 * call themselves). */
#include <stddef.h>

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}
