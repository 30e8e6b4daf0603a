/*
 * fuse_par.c: processes writing and reading back their own files at once,
 * for tests/integration/fuse-posix.sh.
 *
 *   fuse_par [--procs N] [--rounds N] DIR
 *
 * Each of N processes (default 8) writes DIR/par-I.bin, a file of its own
 * size (2 MiB + I * 517 KiB + I * 4099 bytes: several MiB, none a multiple
 * of a cluster) in chunks of changing sizes, reads it back and verifies it,
 * overwrites a stretch in the middle, closes, reopens, and verifies the
 * whole file again; then the next round (default NANOOS_SCALE) with a new
 * pattern. All of them start together (a pipe releases them). One ok or
 * FAILED line per process; the child says what went wrong on its own line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuse/fcheck.h"

static size_t file_size(int i)
{
	return (2u << 20) + (size_t)i * 517 * 1024 + (size_t)i * 4099;
}

static int child_fail(int i, const char *what, const char *path)
{
	printf("        process %d: %s %s: %s\n", i, what, path, errno ? strerror(errno) : "");
	fflush(stdout);
	return 1;
}

/* Write the whole file in chunks of 1 .. 300 KiB, pattern seed. */
static int write_all(int fd, uint8_t *buf, size_t size, uint32_t seed, unsigned *rng)
{
	size_t off = 0;

	fc_fill(buf, size, seed, 0);
	while (off < size) {
		size_t chunk = 1 + rand_r(rng) % (300 * 1024);

		if (chunk > size - off)
			chunk = size - off;
		if (write(fd, buf + off, chunk) != (ssize_t)chunk)
			return -1;
		off += chunk;
	}
	return 0;
}

/* Read the whole file back in chunks of 1 .. 200 KiB: where it differs
 * from buf (-1: it does not; -2: the read failed or was short). */
static long read_differs(int fd, uint8_t *buf, uint8_t *got, size_t size, unsigned *rng)
{
	size_t off = 0;

	while (off < size) {
		size_t chunk = 1 + rand_r(rng) % (200 * 1024);
		ssize_t n;

		if (chunk > size - off)
			chunk = size - off;
		n = pread(fd, got + off, chunk, (off_t)off);
		if (n != (ssize_t)chunk)
			return -2;
		off += chunk;
	}
	if (pread(fd, got, 1, (off_t)size) != 0)
		return -2;
	for (size_t k = 0; k < size; k++)
		if (got[k] != buf[k])
			return (long)k;
	return -1;
}

static int one_round(int i, int round, const char *path, uint8_t *buf, uint8_t *got)
{
	size_t size = file_size(i);
	uint32_t seed = (uint32_t)(i * 1000 + round);
	unsigned rng = seed;
	size_t mid = size / 3, midlen = size / 5;
	long at;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	errno = 0;
	if (fd < 0 || write_all(fd, buf, size, seed, &rng) != 0)
		return child_fail(i, "write", path);
	at = read_differs(fd, buf, got, size, &rng);
	if (at != -1) {
		printf("        process %d: %s differs at %ld after writing (-2: short read)\n",
		       i, path, at);
		return 1;
	}
	fc_fill(buf + mid, midlen, seed + 77, mid);
	if (pwrite(fd, buf + mid, midlen, (off_t)mid) != (ssize_t)midlen || close(fd) != 0)
		return child_fail(i, "overwrite the middle of", path);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return child_fail(i, "reopen", path);
	at = read_differs(fd, buf, got, size, &rng);
	close(fd);
	if (at != -1) {
		printf("        process %d: %s differs at %ld after reopening (-2: short read)\n",
		       i, path, at);
		return 1;
	}
	return 0;
}

static int child(int i, int rounds, const char *dir, int go_fd)
{
	char path[4096], c;
	uint8_t *buf = malloc(file_size(i)), *got = malloc(file_size(i));

	snprintf(path, sizeof(path), "%s/par-%d.bin", dir, i);
	if (!buf || !got)
		return 1;
	if (read(go_fd, &c, 1) < 0)     /* 0 (EOF) when the parent lets all go */
		return 1;
	for (int r = 0; r < rounds; r++)
		if (one_round(i, r, path, buf, got) != 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int procs = 8, rounds = fc_scale(), go[2];
	const char *dir = NULL;
	pid_t pids[64];
	struct timespec t0, t1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--procs") == 0 && i + 1 < argc)
			procs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else
			dir = argv[i];
	}
	if (!dir || procs < 1 || procs > 64 || rounds < 1) {
		fprintf(stderr, "usage: fuse_par [--procs N (1-64)] [--rounds N] DIR\n");
		return 2;
	}
	if (pipe(go) != 0)
		return 2;
	fflush(stdout);
	for (int i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(go[1]);
			_exit(child(i, rounds, dir, go[0]));
		}
	}
	close(go[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(go[1]);                   /* all start now */
	for (int i = 0; i < procs; i++) {
		int status;
		char name[128];

		waitpid(pids[i], &status, 0);
		snprintf(name, sizeof(name), "process %d: %zu bytes, %d round(s), written and "
		         "verified", i, file_size(i), rounds);
		fc_check(WIFEXITED(status) && WEXITSTATUS(status) == 0, name, "exit status %d",
		         status);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("fuse_par: %d processes in %.1f s\n", procs,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return fc_end("fuse_par");
}
