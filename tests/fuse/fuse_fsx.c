/*
 * fuse_fsx.c: a random exerciser of one file against a model in memory,
 * after Apple's/the kernel's fsx, for tests/integration/fuse-posix.sh.
 *
 *   fuse_fsx [--seed N] [--ops N] [--max-size BYTES] [--self-test] FILE
 *
 * Operations, at random offsets and sizes: read, write, truncate (shrink
 * and grow), mmap read, mmap write (MAP_SHARED + msync), fsync, close and
 * reopen, and "shrink then write past the new end" on purpose (the gap
 * must read as zeros, not the bytes the clusters held before). Every read
 * and the file's size after every change are compared with the model; the
 * first mismatch is reported with the offset, the bytes, the tail of the
 * operation log and the command that repeats the run, and the exit is 1.
 * --ops defaults to 10,000 times NANOOS_SCALE.
 *
 * --self-test corrupts one byte of the model half-way and checks the whole
 * file at once: the run must then report a mismatch (proof that it can).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuse/fcheck.h"

enum op { OP_READ, OP_WRITE, OP_TRUNCATE, OP_MAPREAD, OP_MAPWRITE, OP_FSYNC,
          OP_REOPEN, OP_SHRINK_WRITE, OP_COUNT };
static const char *const op_names[OP_COUNT] = {
	"read", "write", "truncate", "mapread", "mapwrite", "fsync", "reopen",
	"shrink+write-past-end",
};
/* How often each is drawn, out of the sum. */
static const int op_weights[OP_COUNT] = { 24, 24, 8, 10, 10, 3, 3, 6 };

#define LOG_KEEP 40

static struct fsx {
	const char *path;
	int fd;
	uint64_t seed, rng;
	long ops, op_no;
	size_t max_size, size;  /* the model's size; model[size..max_size) is 0 */
	uint8_t *model, *buf;
	long page;
	long counts[OP_COUNT];
	int self_test;
	long logged;            /* log lines so far; the last LOG_KEEP kept */
	char log[LOG_KEEP][96];
} X;

static uint64_t rnd(void)  /* xorshift64*: the same run for the same seed */
{
	X.rng ^= X.rng >> 12;
	X.rng ^= X.rng << 25;
	X.rng ^= X.rng >> 27;
	return X.rng * 2685821657736338717ull;
}

static size_t below(size_t n)   /* 0 .. n-1; 0 when n is 0 */
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* A transfer length: mostly up to 64 KiB, now and then up to 1 MiB. */
static size_t op_len(void)
{
	size_t cap = below(16) == 0 ? (1u << 20) : (1u << 16);

	return 1 + below(cap);
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	char *line = X.log[X.logged++ % LOG_KEEP];
	int n = snprintf(line, sizeof(X.log[0]), "%6ld ", X.op_no);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(X.log[0]) - n, fmt, ap);
	va_end(ap);
}

static void repeat_hint(void)
{
	printf("        repeat: fuse_fsx --seed %" PRIu64 " --ops %ld --max-size %zu%s %s\n",
	       X.seed, X.ops, X.max_size, X.self_test ? " --self-test" : "", X.path);
}

/* Report the first problem, the operations before it and how to repeat
 * the run; exit 1. kind: "MISMATCH" (the file is not the model) or
 * "FAILED" (a system call failed). */
static void vdie(const char *kind, const char *fmt, va_list ap) __attribute__((noreturn));
static void vdie(const char *kind, const char *fmt, va_list ap)
{
	long first = X.logged > LOG_KEEP ? X.logged - LOG_KEEP : 0;

	printf("fuse_fsx: %s at op %ld (seed %" PRIu64 "): ", kind, X.op_no, X.seed);
	vprintf(fmt, ap);
	printf("\n        the last operations:\n");
	for (long i = first; i < X.logged; i++)
		printf("        %s\n", X.log[i % LOG_KEEP]);
	repeat_hint();
	exit(1);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie("MISMATCH", fmt, ap);
}

static void fail_syscall_(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail_syscall_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie("FAILED", fmt, ap);
}

static void fail_syscall(const char *what)
{
	fail_syscall_("%s failed: %s", what, strerror(errno));
}

/* got[0..len) must equal the model at off; say where and how not. */
static void compare(const uint8_t *got, size_t off, size_t len, const char *how)
{
	size_t i = 0;

	if (memcmp(got, X.model + off, len) == 0)
		return;
	while (got[i] == X.model[off + i])
		i++;
	{
		char want_hex[64] = "", got_hex[64] = "";

		for (size_t k = 0; k < 16 && i + k < len; k++) {
			snprintf(want_hex + 3 * k, 4, "%02x ", X.model[off + i + k]);
			snprintf(got_hex + 3 * k, 4, "%02x ", got[i + k]);
		}
		die("%s: file offset %zu (0x%zx, %zu into the %zu-byte read at %zu, size %zu):\n"
		    "        expected %s\n        got      %s",
		    how, off + i, off + i, i, len, off, X.size, want_hex, got_hex);
	}
}

static void check_size(void)
{
	struct stat st;

	if (fstat(X.fd, &st) != 0)
		fail_syscall("fstat");
	if ((size_t)st.st_size != X.size)
		die("size is %lld, the model says %zu", (long long)st.st_size, X.size);
}

/* ---------------------------------------------------------------- the operations */
static void do_read_at(size_t off, size_t len)
{
	size_t want = off >= X.size ? 0 : (len < X.size - off ? len : X.size - off);
	ssize_t got;

	logf_("read     off %8zu len %7zu (size %zu)", off, len, X.size);
	got = pread(X.fd, X.buf, len, (off_t)off);
	if (got < 0)
		fail_syscall("pread");
	if ((size_t)got != want)
		die("pread at %zu of %zu returned %zd, wanted %zu (size %zu)", off, len, got, want,
		    X.size);
	compare(X.buf, off, want, "read");
}

static void do_read(void)
{
	size_t off = below(X.size + X.size / 8 + 1);

	do_read_at(off, op_len());
}

/* Write len random bytes at off into the file and the model. */
static void write_at(size_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		X.buf[i] = (uint8_t)rnd();
	logf_("write    off %8zu len %7zu (size %zu)", off, len, X.size);
	if (pwrite(X.fd, X.buf, len, (off_t)off) != (ssize_t)len)
		fail_syscall("pwrite");
	memcpy(X.model + off, X.buf, len);
	if (off + len > X.size)
		X.size = off + len;
	check_size();
}

static void do_write(void)
{
	size_t len = op_len();

	if (len > X.max_size)
		len = X.max_size;
	write_at(below(X.max_size - len + 1), len);
}

static void truncate_to(size_t size)
{
	logf_("truncate from %zu to %zu", X.size, size);
	if (ftruncate(X.fd, (off_t)size) != 0)
		fail_syscall("ftruncate");
	if (size < X.size)
		memset(X.model + size, 0, X.size - size);
	X.size = size;
	check_size();
}

static void do_truncate(void)
{
	truncate_to(below(X.max_size + 1));
}

/* A map of [off, off+len) of the file: the mapping and where off is in it. */
static uint8_t *map_range(size_t off, size_t len, int prot, size_t *skew, size_t *maplen)
{
	size_t start = off - off % (size_t)X.page;
	uint8_t *m;

	*skew = off - start;
	*maplen = *skew + len;
	m = mmap(NULL, *maplen, prot, MAP_SHARED, X.fd, (off_t)start);
	if (m == MAP_FAILED)
		fail_syscall("mmap");
	return m;
}

static void do_mapread(void)
{
	size_t off, len, skew, maplen;
	uint8_t *m;

	if (X.size == 0)
		return;
	off = below(X.size);
	len = op_len();
	if (len > X.size - off)
		len = X.size - off;
	logf_("mapread  off %8zu len %7zu (size %zu)", off, len, X.size);
	m = map_range(off, len, PROT_READ, &skew, &maplen);
	compare(m + skew, off, len, "mmap read");
	munmap(m, maplen);
}

static void do_mapwrite(void)
{
	size_t len = op_len(), off, skew, maplen;
	uint8_t *m;

	if (len > X.max_size)
		len = X.max_size;
	off = below(X.max_size - len + 1);
	if (off + len > X.size)         /* a map cannot grow the file */
		truncate_to(off + len);
	logf_("mapwrite off %8zu len %7zu (size %zu)", off, len, X.size);
	m = map_range(off, len, PROT_READ | PROT_WRITE, &skew, &maplen);
	for (size_t i = 0; i < len; i++)
		X.model[off + i] = (uint8_t)rnd();
	memcpy(m + skew, X.model + off, len);
	if (msync(m, maplen, MS_SYNC) != 0)
		fail_syscall("msync");
	munmap(m, maplen);
	check_size();
}

static void do_fsync(void)
{
	logf_("fsync");
	if (fsync(X.fd) != 0)
		fail_syscall("fsync");
}

static void do_reopen(void)
{
	logf_("close and reopen");
	if (close(X.fd) != 0)
		fail_syscall("close");
	X.fd = open(X.path, O_RDWR);
	if (X.fd < 0)
		fail_syscall("open");
	check_size();
}

/* The classic FAT bug: the clusters past a shrunk end still hold the old
 * bytes; a write past the new end must not bring them back. */
static void do_shrink_write(void)
{
	size_t cut, off, len = 1 + below(4096);

	if (X.size < 2) {
		do_write();
		return;
	}
	cut = below(X.size < X.max_size - 8192 ? X.size : X.max_size - 8192);
	truncate_to(cut);
	off = cut + 1 + below(X.max_size - cut - len);
	write_at(off, len);
	do_read_at(cut, off - cut);     /* the gap: zeros in the model */
}

static void (*const op_fns[OP_COUNT])(void) = {
	do_read, do_write, do_truncate, do_mapread, do_mapwrite, do_fsync, do_reopen,
	do_shrink_write,
};

static enum op pick_op(void)
{
	int total = 0, r;

	for (int i = 0; i < OP_COUNT; i++)
		total += op_weights[i];
	r = (int)below((size_t)total);
	for (int i = 0; i < OP_COUNT; i++) {
		if (r < op_weights[i])
			return (enum op)i;
		r -= op_weights[i];
	}
	return OP_READ;
}

static void check_whole_file(const char *why)
{
	logf_("read the whole file (%s)", why);
	do_read_at(0, X.size + 1);
}

/* ---------------------------------------------------------------- main */
static int parse_args(int argc, char **argv)
{
	X.seed = 1;
	X.ops = 10000L * fc_scale();
	X.max_size = 3u << 20;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--self-test") == 0)
			X.self_test = 1;
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			X.seed = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc)
			X.ops = strtol(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--max-size") == 0 && i + 1 < argc)
			X.max_size = strtoul(argv[++i], NULL, 0);
		else if (argv[i][0] != '-' && !X.path)
			X.path = argv[i];
		else
			return -1;
	}
	return X.path && X.ops > 0 && X.max_size >= 8192 ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv) != 0) {
		fprintf(stderr, "usage: fuse_fsx [--seed N] [--ops N] [--max-size BYTES (>= 8192)] "
		        "[--self-test] FILE\n");
		return 2;
	}
	X.rng = X.seed * 0x9E3779B97F4A7C15ull + 1;
	X.page = sysconf(_SC_PAGESIZE);
	X.model = calloc(1, X.max_size + 1);
	X.buf = malloc(X.max_size + (1u << 20) + 1);
	X.fd = open(X.path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!X.model || !X.buf || X.fd < 0) {
		fprintf(stderr, "fuse_fsx: %s: %s\n", X.path, strerror(errno));
		return 2;
	}
	for (X.op_no = 1; X.op_no <= X.ops; X.op_no++) {
		enum op op = pick_op();

		X.counts[op]++;
		op_fns[op]();
		if (X.self_test && X.op_no == X.ops / 2 && X.size > 0) {
			size_t at = below(X.size);

			X.model[at] ^= 0x5A;
			printf("fuse_fsx: self-test: changed the model's byte at %zu\n", at);
			check_whole_file("self-test");
		}
	}
	X.op_no--;
	check_whole_file("end");
	do_reopen();
	check_whole_file("end, reopened");
	close(X.fd);
	printf("fuse_fsx: seed %" PRIu64 ": %ld operations, no mismatch (final size %zu)\n        ",
	       X.seed, X.ops, X.size);
	for (int i = 0; i < OP_COUNT; i++)
		printf("%s %ld%s", op_names[i], X.counts[i], i + 1 < OP_COUNT ? ", " : "\n");
	if (X.self_test) {
		printf("fuse_fsx: self-test: the corrupted model was never noticed: the checks "
		       "are blind\n");
		return 1;
	}
	return 0;
}
