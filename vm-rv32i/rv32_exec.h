/*
 * rv32_exec.h: what the CPU's two dispatch loops share (private to
 * vm-rv32i/): guest-memory access for the handlers (an inline flat fast path,
 * out-of-line slow paths), counter reads, and the loops' entry points.
 *
 *   rv32_run_plain   fetches and decodes every instruction from guest memory
 *                    (rv32.c; the only loop on AVR, and the decode-cache
 *                    loop's way to finish a budget exactly);
 *   rv32_run_cached  runs pre-decoded ops from the decode cache
 *                    (rv32_cache.c, when RV32_DECODE_CACHE).
 */
#ifndef NOS_RV32_EXEC_H
#define NOS_RV32_EXEC_H

#include <stddef.h>
#include <string.h>

#include "kproc/le.h"
#include "vm-rv32i/rv32_op.h"

#if defined(__GNUC__)
#define RV_LIKELY(x) __builtin_expect(!!(x), 1)
#define RV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RV_LIKELY(x) (x)
#define RV_UNLIKELY(x) (x)
#endif

/* Guest memory is little-endian; on a little-endian host an unaligned
 * memcpy is one load or store. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint32_t rv32_ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t rv32_ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline void rv32_st16(uint8_t *p, uint32_t v) { uint16_t h = (uint16_t)v; memcpy(p, &h, 2); }
static inline void rv32_st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
#else
static inline uint32_t rv32_ld16(const uint8_t *p) { return ld_16(p); }
static inline uint32_t rv32_ld32(const uint8_t *p) { return ld_32(p); }
static inline void rv32_st16(uint8_t *p, uint32_t v) { st_16(p, (uint16_t)v); }
static inline void rv32_st32(uint8_t *p, uint32_t v) { st_32(p, v); }
#endif
static inline uint32_t rv32_ld8(const uint8_t *p) { return *p; }
static inline void rv32_st8(uint8_t *p, uint32_t v) { *p = (uint8_t)v; }

/* The slow paths of a load or store of n (1, 2, 4) bytes: paged memory,
 * and flat accesses the fast path refused (near the end of the space, or
 * outside it). A load gives the bytes zero-extended, or RV32_LOAD_FAULT
 * (a value, not a pointer out-parameter, so the fast path's result stays in
 * a host register); a store gives 0, or -1 for a fault. */
#define RV32_LOAD_FAULT ((uint64_t)1 << 32)
uint64_t rv32_mem_load(guest_mem *m, uint32_t addr, unsigned n);
int rv32_mem_store(guest_mem *m, uint32_t addr, unsigned n, uint32_t v);

/* The value of a readable counter CSR when `instret` instructions have
 * retired. */
uint32_t rv32_csr_read(const rv32_cpu *cpu, uint32_t csr, uint64_t instret);

/* Whether a branch of this funct3 is taken: beq/bne, blt/bge, bltu/bgeu
 * are a test and its negation. */
static inline int rv32_branch_taken(unsigned funct3, uint32_t a, uint32_t b)
{
	int t = funct3 < 4u ? a == b : funct3 < 6u ? (int32_t)a < (int32_t)b : a < b;

	return t ^ (int)(funct3 & 1u);
}

/* The 32-bit divisions with RISC-V's answers for /0 and overflow. */
uint32_t rv32_div(uint32_t a, uint32_t b);
uint32_t rv32_rem(uint32_t a, uint32_t b);

/* The flat fast path's bound: an access of up to 4 bytes at a < limit lies
 * inside the space (the last 3 bytes take the slow path); 0 for paged
 * memory, which always takes the slow path. */
static inline uint32_t rv32_fast_limit(const guest_mem *m)
{
	return m->kind == GMEM_FLAT ? m->size - 3u : 0;
}

enum rv32_stop rv32_run_plain(rv32_cpu *cpu, uint32_t budget);

#if RV32_DECODE_CACHE
enum rv32_stop rv32_run_cached(rv32_cpu *cpu, uint32_t budget);
int rv32_cache_create(rv32_cpu *cpu);          /* 0 or -NOS_ENOMEM */
void rv32_cache_destroy(rv32_cpu *cpu);
void rv32_cache_flush(rv32_cpu *cpu);

/* The port's storage for the decode cache: zero-filled memory of `bytes`,
 * released by unmap; zero() makes a range read as zeros again (and may give
 * its pages back). Linux: rv32_dcache_linux.c. */
void *rv32_dcache_map(size_t bytes);
void rv32_dcache_unmap(void *p, size_t bytes);
void rv32_dcache_zero(void *p, size_t bytes);
#endif

#endif
