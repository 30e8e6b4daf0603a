/* sys.h: the fixtures' two system calls (Linux RV32 ABI) and a hex printer. */
#ifndef RV32_FIXTURE_SYS_H
#define RV32_FIXTURE_SYS_H

static inline long sys_write(int fd, const void *buf, unsigned long n)
{
	register long a0 asm("a0") = fd;
	register long a1 asm("a1") = (long)buf;
	register long a2 asm("a2") = (long)n;
	register long a7 asm("a7") = 64;

	asm volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
	return a0;
}

/* Print "name: 0x%08x\n" without a C library. */
static inline void put_hex(const char *name, unsigned v)
{
	char buf[64];
	int n = 0, i;

	while (name[n] && n < 40) {
		buf[n] = name[n];
		n++;
	}
	buf[n++] = ':';
	buf[n++] = ' ';
	buf[n++] = '0';
	buf[n++] = 'x';
	for (i = 7; i >= 0; i--)
		buf[n++] = "0123456789abcdef"[(v >> (i * 4)) & 15];
	buf[n++] = '\n';
	sys_write(1, buf, (unsigned long)n);
}

#endif
