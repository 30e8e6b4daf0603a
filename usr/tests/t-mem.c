/* t-mem: memory: the program break (brk/sbrk, which picolibc's malloc
 * grows), malloc/calloc/realloc/free over many sizes, and anonymous
 * mmap/munmap. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tap.h"

extern char _end[];   /* the end of .bss (nanoos.ld) */

static void test_break(void)
{
	char *start = sbrk(0);
	ok(start != (void *)-1 && start >= _end, "sbrk(0) %p is at or after the end of bss %p",
	   (void *)start, (void *)_end);
	char *got = sbrk(8192);
	int writable = got == start;
	for (int i = 0; i < 8192 && writable; i += 512)
		got[i] = (char)i;
	ok(writable && sbrk(0) == start + 8192,
	   "sbrk(8192) returns the old break; the memory is writable");
	ok(sbrk(-4096) == start + 8192 && sbrk(0) == start + 4096, "sbrk(-4096) gives memory back");
	ok(brk(start + 65536) == 0 && sbrk(0) == start + 65536, "brk to a higher address");
	start[65535] = 1;
	ok(brk((void *)0xF0000000) == -1 && errno == ENOMEM && sbrk(0) == start + 65536,
	   "brk far beyond memory: ENOMEM, the break stays");
	ok(brk(start) == 0 && sbrk(0) == start, "brk back down to where it started");
}

static uint32_t next_random(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static void test_malloc(void)
{
	enum { N = 400 };
	static unsigned char *block[N];
	static size_t size[N];
	uint32_t seed = 12345;
	int allocated = 0, intact = 1;
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < N; i++) {
			if (block[i] && (next_random(&seed) & 1)) {
				for (size_t j = 0; j < size[i]; j++)
					intact &= block[i][j] == (unsigned char)(i + j);
				free(block[i]);
				block[i] = NULL;
			}
			if (!block[i]) {
				size[i] = 1 + next_random(&seed) % (next_random(&seed) % 8 ? 256 : 32768);
				block[i] = malloc(size[i]);
				if (!block[i])
					continue;
				allocated++;
				for (size_t j = 0; j < size[i]; j++)
					block[i][j] = (unsigned char)(i + j);
			}
		}
	}
	for (int i = 0; i < N; i++) {
		for (size_t j = 0; block[i] && j < size[i]; j++)
			intact &= block[i][j] == (unsigned char)(i + j);
		free(block[i]);
	}
	ok(allocated > N && intact, "%d mallocs of 1 B..32 KiB, filled, checked and freed", allocated);

	char *big = malloc(4 << 20);
	ok(big != NULL, "malloc of 4 MiB");
	if (big) {
		for (int i = 0; i < (4 << 20); i += 4096)
			big[i] = 'x';
		free(big);
	}
	int *zeros = calloc(10000, sizeof(int));
	int all_zero = zeros != NULL;
	for (int i = 0; i < 10000 && all_zero; i++)
		all_zero = zeros[i] == 0;
	ok(all_zero, "calloc gives zeroed memory");
	free(zeros);
	char *grow = malloc(16);
	strcpy(grow, "keep me");
	for (size_t n = 32; n <= 65536 && grow; n *= 2)
		grow = realloc(grow, n);
	ok(grow && strcmp(grow, "keep me") == 0, "realloc up to 64 KiB keeps the contents");
	free(grow);
	errno = 0;
	ok(malloc(0x7ffff000) == NULL && errno == ENOMEM, "malloc of 2 GiB fails with ENOMEM");
}

static void test_mmap(void)
{
	size_t len = 1 << 20;
	unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(m != MAP_FAILED && ((uintptr_t)m & 4095) == 0, "mmap 1 MiB anonymous, page aligned");
	if (m == MAP_FAILED)
		return;
	int zero = 1;
	for (size_t i = 0; i < len; i += 4096)
		zero &= m[i] == 0 && m[i + 4095] == 0;
	ok(zero, "anonymous pages read as zeros");
	for (size_t i = 0; i < len; i++)
		m[i] = (unsigned char)(i >> 12);
	int kept = 1;
	for (size_t i = 0; i < len; i += 777)
		kept &= m[i] == (unsigned char)(i >> 12);
	ok(kept, "every byte writable and kept");
	ok(munmap(m, len) == 0, "munmap");
	ok(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	   "mmap of length 0: EINVAL");
	int maps = 0;
	for (int i = 0; i < 64; i++) {
		void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			break;
		((char *)p)[100] = 1;
		maps += munmap(p, 65536) == 0;
	}
	ok(maps == 64, "64 rounds of mmap/munmap of 64 KiB");
}

int main(void)
{
	test_break();
	test_malloc();
	test_mmap();
	return tap_done();
}
