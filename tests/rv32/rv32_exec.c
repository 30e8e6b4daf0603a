/*
 * rv32_exec.c: rv32-exec, a bare runner for RV32 test programs.
 *
 *   rv32-exec [--paged] [--cache-pages N] [--slice N] [--stats] PROG.elf [ARGS...]
 *
 * Runs one static RV32 ELF on the real CPU (vm-rv32i/rv32.c), the real
 * guest memory (flat, or paged over an unlinked temporary file with N cache
 * pages) and the real ELF loader and initial stack, in rv32_run calls of
 * --slice instructions (default 4 Mi; a small one makes budget stops fall
 * anywhere, which must not change the result), with only the system
 * calls a bare test program needs: write (64) to fd 1 and 2, exit (93) and
 * exit_group (94). It is what tests/integration/rv32-isa.sh, rv32-diff.sh
 * and bench/bench_cpu.sh compare against qemu-riscv32; the full system call
 * table lives in `nanoos run`.
 *
 * Exit status: the guest's; 139 after a memory fault ("Segmentation fault
 * at ADDR (pc PC)"), 132 after an illegal instruction, 133 after ebreak
 * (as a shell reports qemu-riscv32 killed by SIGSEGV, SIGILL, SIGTRAP);
 * 127 for any other system call; 126 when the program cannot be loaded.
 * --stats prints the instruction count and MIPS to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/elf_load.h"
#include "vm-rv32i/gmem.h"
#include "vm-rv32i/guest_stack.h"
#include "vm-rv32i/rv32.h"

#define GUEST_SPACE      (64u << 20)  /* bytes of guest address space */
#define STACK_MAX        (256u << 10) /* arguments, environment and auxv */
#define DEFAULT_SLICE    (1u << 22)   /* instructions per rv32_run call */
#define DEFAULT_CACHE_PAGES 64u       /* paged: small, so pages get evicted */
#define EXIT_UNSUPPORTED 127
#define EXIT_NOLOAD      126
#define EXIT_SEGV        139
#define EXIT_ILL         132
#define EXIT_TRAP        133

extern char **environ;

struct options {
	int paged, stats;
	unsigned cache_pages;
	uint32_t slice;
	const char *prog;
	char **argv;                     /* the guest's argv: PROG ARGS... */
};

struct exec_state {
	rv32_cpu cpu;
	guest_mem mem;
	int exited, status;
};

/* ---------------------------------------------------------------- options */

static void usage(void)
{
	fprintf(stderr, "usage: rv32-exec [--paged] [--cache-pages N] [--slice N] [--stats] PROG.elf [ARGS...]\n");
	exit(2);
}

static struct options parse_options(int argc, char **argv)
{
	struct options o = { .cache_pages = DEFAULT_CACHE_PAGES, .slice = DEFAULT_SLICE };
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--paged") == 0)
			o.paged = 1;
		else if (strcmp(argv[i], "--stats") == 0)
			o.stats = 1;
		else if (strcmp(argv[i], "--cache-pages") == 0 && i + 1 < argc)
			o.cache_pages = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--slice") == 0 && i + 1 < argc)
			o.slice = (uint32_t)strtoul(argv[++i], NULL, 0);
		else
			usage();
	}
	if (i >= argc || o.cache_pages == 0 || o.slice == 0)
		usage();
	o.prog = argv[i];
	o.argv = argv + i;
	return o;
}

/* ---------------------------------------------------------------- memory */

/* The paged backend's store: a sparse, unlinked temporary file. Pages never
 * written read as zeros (a short read past the end). */
static int file_read_page(void *ctx, uint32_t page, void *buf)
{
	int fd = *(int *)ctx;
	ssize_t n = pread(fd, buf, GMEM_PAGE_SIZE, (off_t)page * GMEM_PAGE_SIZE);

	if (n < 0)
		return -NOS_EIO;
	memset((uint8_t *)buf + n, 0, GMEM_PAGE_SIZE - (size_t)n);
	return 0;
}

static int file_write_page(void *ctx, uint32_t page, const void *buf)
{
	int fd = *(int *)ctx;
	ssize_t n = pwrite(fd, buf, GMEM_PAGE_SIZE, (off_t)page * GMEM_PAGE_SIZE);

	return n == GMEM_PAGE_SIZE ? 0 : -NOS_EIO;
}

static int store_fd = -1;

static int open_memory(guest_mem *m, const struct options *o)
{
	struct gmem_store store = { file_read_page, file_write_page, &store_fd };
	const char *dir = getenv("TMPDIR");

	if (!o->paged)
		return gmem_flat_init(m, GUEST_SPACE);
	store_fd = open(dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (store_fd < 0) {
		perror("rv32-exec: temporary file for the paged memory");
		return -NOS_EIO;
	}
	return gmem_paged_init(m, GUEST_SPACE, &store, o->cache_pages);
}

/* ---------------------------------------------------------------- loading */

static void *read_whole_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		goto out;
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Load PROG and build its initial stack: 0, or a message was printed. */
static int load_program(struct exec_state *s, const struct options *o)
{
	struct elf_image img;
	struct guest_ids ids = { getuid(), geteuid(), getgid(), getegid() };
	uint8_t random16[16] = { 0 };
	char why[160] = "";
	size_t len = 0;
	uint32_t sp;
	void *file = read_whole_file(o->prog, &len);
	int err;

	if (!file) {
		fprintf(stderr, "rv32-exec: cannot read %s: %s\n", o->prog, strerror(errno));
		return -1;
	}
	err = elf_load(&s->mem, file, len, &img, why, sizeof why);
	free(file);
	if (err < 0) {
		fprintf(stderr, "rv32-exec: %s: %s\n", o->prog, why[0] ? why : nos_strerror(err));
		return -1;
	}
	if (getrandom(random16, sizeof random16, 0) != sizeof random16)
		perror("rv32-exec: getrandom (AT_RANDOM stays zero)");
	err = guest_stack_init(&s->mem, GUEST_SPACE, STACK_MAX, (const char *const *)o->argv,
	                       (const char *const *)environ, &img, &ids, random16, &sp);
	if (err < 0) {
		fprintf(stderr, "rv32-exec: %s: initial stack: %s\n", o->prog, nos_strerror(err));
		return -1;
	}
	s->cpu.pc = img.entry;
	s->cpu.x[RV_SP] = sp;
	return 0;
}

/* ---------------------------------------------------------------- syscalls */

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t read_time_us(void *ctx)
{
	(void)ctx;
	return monotonic_ns() / (1000000000u / RV32_TIME_HZ);
}

/* write(fd, buf, len): fd 1 and 2 only; the whole buffer must be guest
 * memory (-EFAULT otherwise, as Linux checks before writing). */
static void sys_write(struct exec_state *s)
{
	uint32_t fd = s->cpu.x[RV_A0], addr = s->cpu.x[RV_A1], len = s->cpu.x[RV_A2];
	uint8_t buf[4096];
	uint32_t done = 0;

	if (fd != 1 && fd != 2) {
		s->cpu.x[RV_A0] = (uint32_t)-NOS_EBADF;
		return;
	}
	if (!gmem_in_range(&s->mem, addr, len)) {
		s->cpu.x[RV_A0] = (uint32_t)-NOS_EFAULT;
		return;
	}
	while (done < len) {
		uint32_t n = len - done < sizeof buf ? len - done : (uint32_t)sizeof buf;
		ssize_t w;

		if (gmem_read(&s->mem, addr + done, buf, n) < 0)
			break;
		w = write((int)fd, buf, n);
		if (w <= 0)
			break;
		done += (uint32_t)w;
	}
	s->cpu.x[RV_A0] = done || !len ? done : (uint32_t)-NOS_EIO;
}

static void sys_exit(struct exec_state *s)
{
	s->exited = 1;
	s->status = (int)(s->cpu.x[RV_A0] & 0xff);
}

typedef void syscall_fn(struct exec_state *s);

static syscall_fn *const syscalls[] = {
	[64] = sys_write,
	[93] = sys_exit,
	[94] = sys_exit,                 /* exit_group */
};

static void do_syscall(struct exec_state *s)
{
	uint32_t nr = s->cpu.x[RV_A7];

	if (nr >= sizeof syscalls / sizeof syscalls[0] || !syscalls[nr]) {
		fprintf(stderr, "rv32-exec: unsupported syscall %u at pc 0x%08x\n", nr, s->cpu.pc);
		s->exited = 1;
		s->status = EXIT_UNSUPPORTED;
		return;
	}
	syscalls[nr](s);
	s->cpu.pc += 4;
}

/* ---------------------------------------------------------------- running */

/* A stop that ends the program: print what a shell would, set the status. */
static void report_trap(struct exec_state *s, enum rv32_stop why)
{
	s->exited = 1;
	switch (why) {
	case RV32_STOP_LOAD_FAULT:
	case RV32_STOP_STORE_FAULT:
	case RV32_STOP_FETCH_FAULT:     /* fault_addr: the jump's target */
		fprintf(stderr, "Segmentation fault at 0x%08x (pc 0x%08x)\n", s->cpu.fault_addr, s->cpu.pc);
		s->status = EXIT_SEGV;
		break;
	case RV32_STOP_ILLEGAL:
		fprintf(stderr, "Illegal instruction 0x%08x at pc 0x%08x\n", s->cpu.fault_insn, s->cpu.pc);
		s->status = EXIT_ILL;
		break;
	case RV32_STOP_EBREAK:
		fprintf(stderr, "Breakpoint at pc 0x%08x\n", s->cpu.pc);
		s->status = EXIT_TRAP;
		break;
	default:
		fprintf(stderr, "rv32-exec: the CPU stopped for an unknown reason %d at pc 0x%08x\n",
		        (int)why, s->cpu.pc);
		s->status = EXIT_UNSUPPORTED;
	}
}

static void run(struct exec_state *s, uint32_t slice)
{
	while (!s->exited) {
		enum rv32_stop why = rv32_run(&s->cpu, slice);

		if (why == RV32_STOP_BUDGET)
			continue;
		if (why == RV32_STOP_ECALL)
			do_syscall(s);
		else
			report_trap(s, why);
	}
}

static void print_stats(const struct exec_state *s, uint64_t ns)
{
	double secs = (double)ns / 1e9;

	fprintf(stderr, "rv32-exec: %llu instructions in %.3f s: %.1f MIPS\n",
	        (unsigned long long)s->cpu.instret, secs,
	        secs > 0 ? (double)s->cpu.instret / secs / 1e6 : 0.0);
	if (s->mem.kind == GMEM_PAGED)
		fprintf(stderr, "rv32-exec: paged memory: %llu hits, %llu misses, %llu writebacks\n",
		        (unsigned long long)s->mem.hits, (unsigned long long)s->mem.misses,
		        (unsigned long long)s->mem.writebacks);
}

int main(int argc, char **argv)
{
	struct options o = parse_options(argc, argv);
	static struct exec_state s;
	uint64_t start;
	int err;

	err = open_memory(&s.mem, &o);
	if (err < 0) {
		fprintf(stderr, "rv32-exec: guest memory: %s\n", nos_strerror(err));
		return EXIT_NOLOAD;
	}
	err = rv32_init(&s.cpu, &s.mem);
	if (err < 0) {
		fprintf(stderr, "rv32-exec: CPU: %s\n", nos_strerror(err));
		return EXIT_NOLOAD;
	}
	s.cpu.read_time = read_time_us;
	if (load_program(&s, &o) < 0)
		return EXIT_NOLOAD;
	start = monotonic_ns();
	run(&s, o.slice);
	if (o.stats)
		print_stats(&s, monotonic_ns() - start);
	rv32_destroy(&s.cpu);
	gmem_destroy(&s.mem);
	if (store_fd >= 0)
		close(store_fd);
	return s.status;
}
