/*
 * fuzz_driver.c: runs a libFuzzer-style target without libFuzzer (gcc
 * builds, `make test`): every seed file given, then `iterations` seeded
 * mutations of them -- byte flips and random bytes, most of them in the
 * first sectors where the boot sector, FATs and root directory live. A
 * target that takes more than 10 s on one input is taken for a hang.
 *
 *   fuzz_driver ITERATIONS SEED...
 * Prints "SUITE fuzz-NAME: N passed, 0 failed" when every input ran.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned long current;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "fuzz: input %lu took over 10 s: a hang\n", current);
	abort();
}

static uint8_t *load(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "fuzz: cannot read seed %s\n", path);
		exit(2);
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fuzz: cannot read seed %s\n", path);
		exit(2);
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void mutate(uint8_t *buf, size_t size)
{
	unsigned n = 1 + (unsigned)(next_random() % 8), i;
	size_t at, hot = size < 16384 ? size : 16384;

	for (i = 0; i < n && size; i++) {
		at = (size_t)(next_random() % (next_random() % 4 ? hot : size));
		if (next_random() % 2)
			buf[at] ^= (uint8_t)(1u << (next_random() % 8));
		else
			buf[at] = (uint8_t)next_random();
	}
}

static void run(const uint8_t *data, size_t size)
{
	alarm(10);
	LLVMFuzzerTestOneInput(data, size);
	alarm(0);
	current++;
}

int main(int argc, char **argv)
{
	unsigned long iterations, i;
	uint8_t **seeds, *work;
	size_t *sizes, k;
	int n = argc - 2, s;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ITERATIONS SEED...\n", argv[0]);
		return 2;
	}
	signal(SIGALRM, on_alarm);
	iterations = strtoul(argv[1], NULL, 10);
	seeds = calloc((size_t)n, sizeof(*seeds));
	sizes = calloc((size_t)n, sizeof(*sizes));
	for (s = 0; s < n; s++) {
		seeds[s] = load(argv[s + 2], &sizes[s]);
		run(seeds[s], sizes[s]);
	}
	for (i = 0; i < iterations; i++) {
		k = (size_t)(next_random() % (uint64_t)n);
		work = malloc(sizes[k] ? sizes[k] : 1);
		memcpy(work, seeds[k], sizes[k]);
		mutate(work, sizes[k]);
		run(work, sizes[k]);
		free(work);
	}
	printf("fuzz: %lu inputs, no crash and no hang\n", current);
	for (s = 0; s < n; s++)
		free(seeds[s]);
	free(seeds);
	free(sizes);
	return 0;
}
