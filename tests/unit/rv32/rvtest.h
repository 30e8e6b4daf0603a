/*
 * rvtest.h: what the vm-rv32i suites share -- fixture files built by
 * vm-rv32i/rules.mk (in rv32/ next to the test binary), guests on either
 * memory backend, an RV32 instruction encoder, and a tiny system-call layer
 * (write, exit) to run whole programs.
 */
#ifndef NOS_RVTEST_H
#define NOS_RVTEST_H

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kproc/nos_errno.h"
#include "vm-rv32i/elf_load.h"
#include "vm-rv32i/gmem.h"
#include "vm-rv32i/guest_stack.h"
#include "vm-rv32i/rv32.h"

/* ------------------------------------------------------------ fixtures */

/* BUILD/tests/rv32/NAME, found from this binary's own path. */
static inline void fixture_path(const char *name, char *out, size_t n)
{
	char exe[PATH_MAX / 2];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int w;

	ck_assert_int_gt(len, 0);
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	w = snprintf(out, n, "%s/rv32/%.200s", exe, name);
	ck_assert(w > 0 && (size_t)w < n);
}

static inline void *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static inline void *read_fixture(const char *name, size_t *len)
{
	char path[PATH_MAX];

	fixture_path(name, path, sizeof(path));
	return read_whole(path, len);
}

/* ------------------------------------------------------------ guests */

enum { BACKEND_FLAT, BACKEND_PAGED, BACKENDS };
static const char *const backend_names[] = { "flat", "paged" };

struct test_guest {
	guest_mem mem;
	rv32_cpu cpu;
	struct gmem_ram_store ram;
	struct gmem_store store;
	uint8_t *ram_buf;
};

/* A guest of `size` bytes on the backend, its CPU ready (pc 0). */
static inline void guest_make(struct test_guest *g, int backend, uint32_t size, unsigned slots)
{
	memset(g, 0, sizeof(*g));
	if (backend == BACKEND_FLAT) {
		ck_assert_int_eq(gmem_flat_init(&g->mem, size), 0);
	} else {
		g->ram_buf = calloc(1, size);
		ck_assert_ptr_nonnull(g->ram_buf);
		ck_assert_int_eq(gmem_ram_store_init(&g->ram, g->ram_buf, size, &g->store), 0);
		ck_assert_int_eq(gmem_paged_init(&g->mem, size, &g->store, slots), 0);
	}
	ck_assert_int_eq(rv32_init(&g->cpu, &g->mem), 0);
}

static inline void guest_free(struct test_guest *g)
{
	rv32_destroy(&g->cpu);
	gmem_destroy(&g->mem);
	free(g->ram_buf);
}

/* ------------------------------------------------------------ encoder */

/* Macros, so tables of instructions can be static initializers. */
#define ENC_U32(x) ((uint32_t)(x))
#define enc_r(f7, rs2, rs1, f3, rd, opc)                                       \
	(ENC_U32(f7) << 25 | ENC_U32(rs2) << 20 | ENC_U32(rs1) << 15 |        \
	 ENC_U32(f3) << 12 | ENC_U32(rd) << 7 | ENC_U32(opc))
#define enc_i(imm, rs1, f3, rd, opc)                                           \
	((ENC_U32(imm) & 0xFFFu) << 20 | ENC_U32(rs1) << 15 | ENC_U32(f3) << 12 | \
	 ENC_U32(rd) << 7 | ENC_U32(opc))
#define enc_s(imm, rs2, rs1, f3)                                               \
	((ENC_U32(imm) >> 5 & 0x7Fu) << 25 | ENC_U32(rs2) << 20 | ENC_U32(rs1) << 15 | \
	 ENC_U32(f3) << 12 | (ENC_U32(imm) & 31u) << 7 | 0x23u)
#define enc_b(off, rs2, rs1, f3)                                               \
	((ENC_U32(off) >> 12 & 1u) << 31 | (ENC_U32(off) >> 5 & 0x3Fu) << 25 |   \
	 ENC_U32(rs2) << 20 | ENC_U32(rs1) << 15 | ENC_U32(f3) << 12 |          \
	 (ENC_U32(off) >> 1 & 0xFu) << 8 | (ENC_U32(off) >> 11 & 1u) << 7 | 0x63u)
#define enc_j(off, rd)                                                         \
	((ENC_U32(off) >> 20 & 1u) << 31 | (ENC_U32(off) >> 1 & 0x3FFu) << 21 |  \
	 (ENC_U32(off) >> 11 & 1u) << 20 | (ENC_U32(off) >> 12 & 0xFFu) << 12 |  \
	 ENC_U32(rd) << 7 | 0x6Fu)

#define ADDI(rd, rs, imm)  enc_i(imm, rs, 0, rd, 0x13)
#define SLLI(rd, rs, sh)   enc_i(sh, rs, 1, rd, 0x13)
#define LUI(rd, imm20)     (ENC_U32(imm20) << 12 | ENC_U32(rd) << 7 | 0x37u)
#define AUIPC(rd, imm20)   (ENC_U32(imm20) << 12 | ENC_U32(rd) << 7 | 0x17u)
#define ADD(rd, a, b)      enc_r(0, b, a, 0, rd, 0x33)
#define SUB(rd, a, b)      enc_r(0x20, b, a, 0, rd, 0x33)
#define LB(rd, rs, imm)    enc_i(imm, rs, 0, rd, 0x03)
#define LH(rd, rs, imm)    enc_i(imm, rs, 1, rd, 0x03)
#define LW(rd, rs, imm)    enc_i(imm, rs, 2, rd, 0x03)
#define LBU(rd, rs, imm)   enc_i(imm, rs, 4, rd, 0x03)
#define LHU(rd, rs, imm)   enc_i(imm, rs, 5, rd, 0x03)
#define SB(rs2, rs1, imm)  enc_s(imm, rs2, rs1, 0)
#define SH(rs2, rs1, imm)  enc_s(imm, rs2, rs1, 1)
#define SW(rs2, rs1, imm)  enc_s(imm, rs2, rs1, 2)
#define BEQ(a, b, off)     enc_b(off, b, a, 0)
#define BNE(a, b, off)     enc_b(off, b, a, 1)
#define BLT(a, b, off)     enc_b(off, b, a, 4)
#define BGEU(a, b, off)    enc_b(off, b, a, 7)
#define JAL(rd, off)       enc_j(off, rd)
#define JALR(rd, rs, imm)  enc_i(imm, rs, 0, rd, 0x67)
#define CSRRS(rd, csr, rs) enc_i((int32_t)(csr), rs, 2, rd, 0x73)
#define ECALL              0x00000073u
#define EBREAK             0x00100073u
#define NOP                ADDI(0, 0, 0)
#define FENCE_I            0x0000100Fu

/* Write words at addr in guest memory. */
static inline void put_code(struct test_guest *g, uint32_t addr, const uint32_t *w, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint8_t b[4] = { (uint8_t)w[i], (uint8_t)(w[i] >> 8), (uint8_t)(w[i] >> 16),
		                 (uint8_t)(w[i] >> 24) };

		ck_assert_int_eq(gmem_write(&g->mem, addr + 4u * i, b, 4), 0);
	}
}

/* ------------------------------------------------------------ programs */

struct run_result {
	int exited;                      /* exit or exit_group was called */
	uint32_t status;
	enum rv32_stop stop;             /* the stop that ended the run otherwise */
	char out[8192];                  /* what the program wrote to fds 1 and 2 */
	size_t outlen;
};

/* Serve ecalls (write, exit, exit_group; others -ENOSYS) until the program
 * exits, faults, or `limit` instructions have run, in slices of `slice`. */
static inline void run_program(struct test_guest *g, uint64_t slice, uint64_t limit,
                               struct run_result *res)
{
	rv32_cpu *cpu = &g->cpu;

	memset(res, 0, sizeof(*res));
	while (cpu->instret < limit) {
		enum rv32_stop s = rv32_run(cpu, slice);

		if (s == RV32_STOP_BUDGET)
			continue;
		if (s != RV32_STOP_ECALL) {
			res->stop = s;
			return;
		}
		if (cpu->x[RV_A7] == 93 || cpu->x[RV_A7] == 94) {
			res->exited = 1;
			res->status = cpu->x[RV_A0];
			return;
		}
		if (cpu->x[RV_A7] == 64) {
			uint32_t n = cpu->x[RV_A2];

			if (n > sizeof(res->out) - 1 - res->outlen)
				n = (uint32_t)(sizeof(res->out) - 1 - res->outlen);
			cpu->x[RV_A0] = gmem_read(&g->mem, cpu->x[RV_A1], res->out + res->outlen, n) < 0
			                ? (uint32_t)-NOS_EFAULT : n;
			res->outlen += n;
			res->out[res->outlen] = '\0';
		} else {
			cpu->x[RV_A0] = (uint32_t)-NOS_ENOSYS;
		}
		cpu->pc += 4;
	}
	res->stop = RV32_STOP_BUDGET;
}

/* Load an ELF fixture into a fresh guest with the Linux initial stack. */
static inline void guest_load(struct test_guest *g, int backend, const char *name,
                              const char *const argv[], const char *const envp[])
{
	static const uint8_t rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	const struct guest_ids ids = { 1000, 1000, 100, 100 };
	struct elf_image img;
	char why[256];
	size_t len;
	void *file = read_fixture(name, &len);
	uint32_t sp;

	guest_make(g, backend, 64u << 20, 64);
	ck_assert_msg(elf_load(&g->mem, file, len, &img, why, sizeof(why)) == 0, "%s: %s", name, why);
	free(file);
	ck_assert_int_eq(guest_stack_init(&g->mem, 64u << 20, 1u << 20, argv, envp, &img, &ids,
	                                  rnd, &sp), 0);
	g->cpu.pc = img.entry;
	g->cpu.x[RV_SP] = sp;
}

#endif
