/* guest_edge.c: RV32 programs for the firmware tests' edge cases, picked by
 * argv[1]:
 *   raw  put the terminal in raw mode (no ICANON, ECHO, ISIG) and exit
 *        without restoring it: the worker must set it back;
 *   gap  write one byte at 4 GiB - 16 of a new file: the gap cannot fit,
 *        the write must fail at once (ENOSPC), not fill the card;
 *   brk  grow the break by 64 KiB, write its ends, shrink and grow it
 *        again: the new memory must read as zeros. */
#include "sys.h"

static long sys6(long n, long a, long b, long c, long d, long e)
{
	register long a0 asm("a0") = a;
	register long a1 asm("a1") = b;
	register long a2 asm("a2") = c;
	register long a3 asm("a3") = d;
	register long a4 asm("a4") = e;
	register long a7 asm("a7") = n;

	asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7) : "memory");
	return a0;
}

static int raw(void)
{
	unsigned char tio[36];

	if (sys6(29, 0, 0x5401, (long)tio, 0, 0) != 0)             /* TCGETS */
		return 1;
	tio[12] &= (unsigned char)~(0x2u | 0x8u | 0x1u);           /* c_lflag: ICANON ECHO ISIG */
	if (sys6(29, 0, 0x5402, (long)tio, 0, 0) != 0)             /* TCSETS */
		return 2;
	put_hex("raw", 1);
	return 0;
}

static int gap(void)
{
	long fd = sys6(56, -100, (long)"/far", 0101, 0644, 0);     /* openat O_WRONLY|O_CREAT */
	unsigned long long pos = 0;
	long r;

	if (fd < 0)
		return 1;
	r = sys6(62, fd, 0, (long)0xfffffff0u, (long)&pos, 0);     /* _llseek */
	put_hex("seek", (unsigned)r);
	r = sys6(64, fd, (long)"x", 1, 0, 0);                      /* write */
	put_hex("write", (unsigned)r);
	sys6(57, fd, 0, 0, 0, 0);
	return 0;
}

static int brk_test(void)
{
	unsigned long b0 = (unsigned long)sys6(214, 0, 0, 0, 0, 0), b1;
	volatile unsigned char *p;
	unsigned i, bad = 0;

	b1 = (unsigned long)sys6(214, (long)(b0 + 65536), 0, 0, 0, 0);
	put_hex("grown", b1 - b0);
	if (b1 != b0 + 65536)
		return 1;
	p = (volatile unsigned char *)b0;
	p[0] = 1;
	p[65535] = 2;
	sys6(214, (long)b0, 0, 0, 0, 0);
	sys6(214, (long)(b0 + 65536), 0, 0, 0, 0);
	for (i = 0; i < 65536; i += 4096)
		bad += p[i] != 0;
	bad += p[65535] != 0;
	put_hex("nonzero", bad);
	return bad != 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (what[0] == 'r')
		return raw();
	if (what[0] == 'g')
		return gap();
	if (what[0] == 'b')
		return brk_test();
	return 9;
}
