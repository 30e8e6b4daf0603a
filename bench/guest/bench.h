/*
 * bench.h: what the CPU benchmark's guest programs share (runtime.c).
 *
 * Each program is CPU-bound, sized to run about a second under
 * qemu-riscv32, and returns from main() a checksum of everything it
 * computed; the start code prints it ("result 0x1234abcd") and exits with
 * its low 7 bits, so bench/bench_cpu.sh can require that every machine
 * computed the same thing. No C library: the few helpers below are ours.
 */
#ifndef BENCH_GUEST_H
#define BENCH_GUEST_H

#include <stddef.h>
#include <stdint.h>

/* A reproducible pseudo-random sequence (xorshift32); state must not be 0. */
static inline uint32_t bench_rand(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Mix a value into a running checksum. */
static inline uint32_t bench_mix(uint32_t sum, uint32_t v)
{
	sum ^= v + 0x9e3779b9u + (sum << 6) + (sum >> 2);
	return sum;
}

void bench_finish(uint32_t checksum) __attribute__((noreturn));
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
