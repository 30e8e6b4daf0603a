/*
 * test_elf_load.c: the ELF loader (vm-rv32i/elf_load.c) and the initial
 * stack (vm-rv32i/guest_stack.c). Real ELFs built by riscv64-unknown-elf-gcc
 * load where their headers say, bss zeroed; bad inputs -- made by mutating
 * a good one -- each give -NOS_ENOEXEC and the reason that names the
 * problem; random mutations never crash. The stack has Linux's layout,
 * checked in memory and by a program that prints what it finds, compared
 * with qemu-riscv32's when it is installed.
 */
#include <spawn.h>
#include <sys/wait.h>

#include "kproc/le.h"
#include "tests/unit/testutil.h"
#include "tests/unit/rv32/rvtest.h"

#define GUEST (64u << 20)
#include "tests/unit/rv32/elf_mutate.h"


static guest_mem M;

static int load(const void *file, size_t len, struct elf_image *img, char *why, size_t n)
{
	ck_assert_int_eq(gmem_flat_init(&M, GUEST), 0);
	return elf_load(&M, file, len, img, why, n);
}

/* ------------------------------------------------------------ good files */

static const char *const good_files[] = {
	"fib-rv32i.elf", "sort-rv32im.elf", "isa.elf", "stackdump.elf", "matmul-rv32i.elf",
};
#define NGOOD (int)(sizeof(good_files) / sizeof(good_files[0]))

/* Every PT_LOAD is at its address with its bytes, the rest of it zeros,
 * even over memory that was not clean; the image describes the file. */
START_TEST(test_load_good)
{
	const char *name = good_files[_i % NGOOD];
	int backend = _i / NGOOD;
	struct test_guest g;
	struct elf_image img;
	char why[256];
	size_t len;
	uint8_t *f = read_fixture(name, &len), *buf;
	unsigned i, phnum = ld_16(f + EH_PHNUM);
	uint32_t lowest = UINT32_MAX, highest = 0;

	guest_make(&g, backend, GUEST, 16);
	ck_assert_int_eq(gmem_fill(&g.mem, 0x10000, 0xEE, 0x100000), 0);
	ck_assert_msg(elf_load(&g.mem, f, len, &img, why, sizeof(why)) == 0, "%s: %s", name, why);
	ck_assert_str_eq(why, "");
	ck_assert_uint_eq(img.entry, ld_32(f + EH_ENTRY));
	ck_assert_uint_eq(img.phnum, phnum);
	ck_assert_uint_eq(img.phent, 32);
	for (i = 0; i < phnum; i++) {
		uint8_t *p = ph(f, i);
		uint32_t va = ld_32(p + PH_VADDR), fs = ld_32(p + PH_FILESZ), ms = ld_32(p + PH_MEMSZ);

		if (ld_32(p + PH_TYPE) != 1 || ms == 0)
			continue;
		buf = malloc(ms);
		ck_assert_int_eq(gmem_read(&g.mem, va, buf, ms), 0);
		ck_assert_mem_eq(buf, f + ld_32(p + PH_OFFSET), fs);
		for (uint32_t k = fs; k < ms; k++)
			require(buf[k] == 0);
		free(buf);
		lowest = va < lowest ? va : lowest;
		highest = va + ms > highest ? va + ms : highest;
	}
	ck_assert_uint_eq(img.lowest, lowest);
	ck_assert_uint_eq(img.highest, highest);
	ck_assert_uint_eq(img.brk_start, (highest + 4095u) & ~4095u);
	/* AT_PHDR: the program headers, in guest memory */
	ck_assert_uint_eq(img.phdr_addr, 0x10000u + ld_32(f + EH_PHOFF));
	buf = malloc(32u * phnum);
	ck_assert_int_eq(gmem_read(&g.mem, img.phdr_addr, buf, 32u * phnum), 0);
	ck_assert_mem_eq(buf, ph(f, 0), 32u * phnum);
	free(buf);
	free(f);
	guest_free(&g);
}
END_TEST

/* A PT_PHDR entry names where the headers are. */
START_TEST(test_pt_phdr)
{
	struct elf_image img;
	char why[256];
	size_t len;
	uint8_t *f = read_fixture("isa.elf", &len);
	uint8_t *last = ph(f, ld_16(f + EH_PHNUM) - 1u);

	st_32(last + PH_TYPE, 6);                /* the RWX segment becomes PT_PHDR */
	st_32(last + PH_VADDR, 0x10034);
	ck_assert_msg(load(f, len, &img, why, sizeof(why)) == 0, "%s", why);
	ck_assert_uint_eq(img.phdr_addr, 0x10034);
	gmem_destroy(&M);
	free(f);
}
END_TEST

/* ------------------------------------------------------------ bad files */

struct bad_case {
	const char *what;
	void (*mutate)(uint8_t *f, size_t *len);
	const char *reason;              /* printf format of the whole reason, %zu = file length */
};


/* fib-rv32i.elf: segment 0 is text at 0x10000 (from file offset 0), segment
 * 1 data and bss at 0x11000. */
static const struct bad_case bad_cases[] = {
	{ "empty", m_empty, "empty file" },
	{ "a script", m_text, "not an ELF file" },
	{ "10 bytes", m_short, "not an ELF file" },
	{ "64-bit", m_class64, "ELF class is 64-bit, NanoOs runs 32-bit RISC-V (ELFCLASS32)" },
	{ "class 0", m_class0, "ELF class 0 is invalid (want ELFCLASS32)" },
	{ "big-endian", m_msb, "ELF data is big-endian, RISC-V is little-endian (ELFDATA2LSB)" },
	{ "ident version", m_iversion, "ELF version 0 is not EV_CURRENT (1)" },
	{ "x86-64", m_x86_64, "machine is x86-64 (62), not RISC-V (243)" },
	{ "ARM", m_arm, "machine is ARM (40), not RISC-V (243)" },
	{ "odd machine", m_odd_machine, "machine is unknown (9999), not RISC-V (243)" },
	{ "ET_DYN", m_dyn, "not a static executable (ET_DYN)" },
	{ "ET_REL", m_rel, "not a static executable (ET_REL: an object file, not linked)" },
	{ "ET_CORE", m_core, "not a static executable (ET_CORE: a core dump)" },
	{ "header version", m_version, "ELF header version 0 is not EV_CURRENT (1)" },
	{ "phentsize", m_phentsize, "program header size is 40 bytes, not 32" },
	{ "no phdrs", m_phnum0, "has no program headers: nothing to load" },
	{ "100 phdrs", m_phnum100, "has 100 program headers, more than the 64 NanoOs accepts" },
	{ "phdrs past the end", m_phoff, NULL },
	{ "phoff huge", m_phoff_huge, NULL },
	{ "truncated", m_truncated, NULL },
	{ "offset huge", m_offset_huge, NULL },
	{ "outside", m_outside, "segment 1 [0x3fff000-0x4001000) lies outside the guest's 64 MiB space" },
	{ "memsz huge", m_memsz_huge, "segment 1 [0x11000-0x100010fff) lies outside the guest's 64 MiB space" },
	{ "wraps 4 GiB", m_wraps, "segment 1 [0xfffff000-0x100001000) lies outside the guest's 64 MiB space" },
	{ "page 0", m_page0, NULL },
	{ "overlap", m_overlap, "segments 0 and 1 overlap at 0x10100" },
	{ "filesz > memsz", m_filesz, "segment 1 has more file bytes (8) than memory bytes (4)" },
	{ "PT_INTERP", m_interp, "has an interpreter (PT_INTERP): dynamic programs are not supported" },
	{ "PT_DYNAMIC", m_dynamic,
	  "has dynamic linking information (PT_DYNAMIC): dynamic programs are not supported" },
	{ "entry", m_entry, "entry point 0x3000000 is not inside a loaded segment" },
};
#define NBAD (int)(sizeof(bad_cases) / sizeof(bad_cases[0]))

/* Reasons that depend on the fixture's sizes, worked out from the file. */
static void expected_reason(const struct bad_case *c, const uint8_t *f, size_t len, char *out,
                            size_t n)
{
	const uint8_t *p1 = f + ld_32(f + EH_PHOFF) + 32u;

	if (c->reason != NULL)
		snprintf(out, n, "%s", c->reason);
	else if (c->mutate == m_phoff)
		snprintf(out, n, "program headers are truncated: file has %zu bytes, needs %zu", len,
		         len - 40 + 32u * ld_16(f + EH_PHNUM));
	else if (c->mutate == m_phoff_huge)
		snprintf(out, n, "program headers are truncated: file has %zu bytes, needs %llu", len,
		         0xFFFFFFF0ull + 32u * ld_16(f + EH_PHNUM));
	else if (c->mutate == m_truncated || c->mutate == m_offset_huge)
		snprintf(out, n, "segment 1 is truncated: file has %zu bytes, needs %llu", len,
		         (unsigned long long)ld_32(p1 + PH_OFFSET) + ld_32(p1 + PH_FILESZ));
	else if (c->mutate == m_page0)
		snprintf(out, n, "segment 1 [0x800-0x%x) reaches below 0x1000: page 0 stays unmapped",
		         0x800u + ld_32(p1 + PH_MEMSZ));
}

START_TEST(test_load_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	struct elf_image img;
	char why[256], want[256];
	size_t len;
	uint8_t *f = read_fixture("fib-rv32i.elf", &len);

	c->mutate(f, &len);
	expected_reason(c, f, len, want, sizeof(want));
	memset(&img, 0x77, sizeof(img));
	ck_assert_int_eq(load(f, len, &img, why, sizeof(why)), -NOS_ENOEXEC);
	ck_assert_msg(strcmp(why, want) == 0, "%s: reason \"%s\", want \"%s\"", c->what, why, want);
	ck_assert_uint_eq(img.entry, 0x77777777u);       /* *out untouched on failure */
	gmem_destroy(&M);
	free(f);
}
END_TEST

/* A real host executable: 64-bit x86-64. A short why[] still ends in NUL. */
START_TEST(test_load_host_binary)
{
	struct elf_image img;
	char why[256], tiny[8];
	size_t len;
	void *f = read_whole("/bin/true", &len);

	ck_assert_int_eq(load(f, len, &img, why, sizeof(why)), -NOS_ENOEXEC);
	ck_assert_str_eq(why, "ELF class is 64-bit, NanoOs runs 32-bit RISC-V (ELFCLASS32)");
	ck_assert_int_eq(elf_load(&M, f, len, &img, tiny, sizeof(tiny)), -NOS_ENOEXEC);
	ck_assert_str_eq(tiny, "ELF cla");
	ck_assert_int_eq(elf_load(&M, f, len, &img, NULL, 0), -NOS_ENOEXEC);
	gmem_destroy(&M);
	free(f);
}
END_TEST

/* A guest too small for the program: the reason names its size. */
START_TEST(test_load_small_guest)
{
	struct elf_image img;
	char why[256];
	size_t len;
	void *f = read_fixture("fib-rv32i.elf", &len);

	ck_assert_int_eq(gmem_flat_init(&M, 0x10000), 0);
	ck_assert_int_eq(elf_load(&M, f, len, &img, why, sizeof(why)), -NOS_ENOEXEC);
	ck_assert_msg(strstr(why, "lies outside the guest's 64 KiB space") != NULL, "%s", why);
	gmem_destroy(&M);
	free(f);
}
END_TEST

/* Random damage to the headers: a refusal with a reason, or a load whose
 * image lies inside the guest -- never a crash. */
START_TEST(test_load_random_damage)
{
	size_t len, cut;
	uint8_t *good = read_fixture("sort-rv32i.elf", &len), *f = malloc(len);
	unsigned seed = 777;
	long k, n = 300 * test_scale(), loaded = 0;

	ck_assert_int_eq(gmem_flat_init(&M, GUEST), 0);
	for (k = 0; k < n; k++) {
		struct elf_image img;
		char why[256];
		int flips, r;

		memcpy(f, good, len);
		cut = len;
		for (flips = 0; flips < 1 + (int)(k % 4); flips++) {
			seed = seed * 1103515245u + 12345u;
			f[(seed >> 8) % 160] ^= (uint8_t)(1u << ((seed >> 4) % 8));
		}
		if (k % 7 == 0)
			cut = (seed >> 3) % len;
		r = elf_load(&M, f, cut, &img, why, sizeof(why));
		if (r == 0) {
			loaded++;
			require(img.lowest >= 4096 && img.highest <= GUEST && img.lowest < img.highest);
			require(img.entry >= img.lowest && img.entry < img.highest);
		} else {
			require(r == -NOS_ENOEXEC);
			require(why[0] != '\0');
		}
	}
	ck_assert_int_lt(loaded, n);            /* the damage was noticed at least once */
	gmem_destroy(&M);
	free(f);
	free(good);
}
END_TEST

/* ------------------------------------------------------------ the stack */

static const struct elf_image stack_img = {
	.entry = 0x10094, .lowest = 0x10000, .highest = 0x12000, .brk_start = 0x12000,
	.phdr_addr = 0x10034, .phnum = 3, .phent = 32,
};
static const struct guest_ids stack_ids = { 1000, 1001, 100, 101 };
static const uint8_t rnd16[16] = {
	0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
	0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF,
};

static uint32_t word_at(guest_mem *m, uint32_t a)
{
	uint8_t b[4];

	ck_assert_int_eq(gmem_read(m, a, b, 4), 0);
	return ld_32(b);
}

static void string_at(guest_mem *m, uint32_t a, char *out, uint32_t n)
{
	ck_assert_int_ge(gmem_read_str(m, a, out, n), 0);
}

/* The value of auxv entry `type`, or -1 when absent. */
static int64_t auxv_get(guest_mem *m, uint32_t auxv, uint32_t type)
{
	for (;; auxv += 8) {
		uint32_t t = word_at(m, auxv);

		if (t == type)
			return word_at(m, auxv + 4);
		if (t == 0)
			return -1;
	}
}

START_TEST(test_stack_layout)
{
	static const char *const argv[] = { "/bin/prog", "-x", "", "a b", NULL };
	static const char *const envp[] = { "HOME=/home/user", "A=1", NULL };
	const uint32_t top = GUEST - 4096 + 8;  /* not 16-aligned */
	uint32_t sp, p, auxv;
	uint8_t r[16];
	char s[64];
	unsigned i;

	ck_assert_int_eq(gmem_flat_init(&M, GUEST), 0);
	ck_assert_int_eq(guest_stack_init(&M, top, 65536, argv, envp, &stack_img, &stack_ids,
	                                  rnd16, &sp), 0);
	ck_assert_uint_eq(sp % 16, 0);
	ck_assert_uint_lt(sp, top);
	ck_assert_uint_eq(word_at(&M, sp), 4);                      /* argc */
	for (i = 0; i < 4; i++) {
		p = word_at(&M, sp + 4 + 4 * i);
		ck_assert_uint_gt(p, sp);
		ck_assert_uint_lt(p, top);
		string_at(&M, p, s, sizeof(s));
		ck_assert_str_eq(s, argv[i]);
	}
	ck_assert_uint_eq(word_at(&M, sp + 4 + 16), 0);             /* argv NULL */
	for (i = 0; i < 2; i++) {
		string_at(&M, word_at(&M, sp + 24 + 4 * i), s, sizeof(s));
		ck_assert_str_eq(s, envp[i]);
	}
	ck_assert_uint_eq(word_at(&M, sp + 32), 0);                 /* envp NULL */
	auxv = sp + 36;
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_PAGESZ), 4096);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_PHDR), 0x10034);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_PHENT), 32);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_PHNUM), 3);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_ENTRY), 0x10094);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_UID), 1000);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_EUID), 1001);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_GID), 100);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_EGID), 101);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_SECURE), 0);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_BASE), 0);
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_HWCAP), (1 << 8) | (1 << 12));
	p = (uint32_t)auxv_get(&M, auxv, GUEST_AT_RANDOM);
	ck_assert_int_eq(gmem_read(&M, p, r, 16), 0);
	ck_assert_mem_eq(r, rnd16, 16);
	ck_assert_uint_gt(p, auxv);
	string_at(&M, (uint32_t)auxv_get(&M, auxv, GUEST_AT_EXECFN), s, sizeof(s));
	ck_assert_str_eq(s, "/bin/prog");
	ck_assert_int_eq(auxv_get(&M, auxv, 999), -1);
	gmem_destroy(&M);
}
END_TEST

/* Exactly the bytes it needs fit; one fewer is E2BIG and writes nothing. */
START_TEST(test_stack_limits)
{
	static const char *const argv[] = { "prog", "arg", NULL };
	uint32_t sp, need, k, v;

	ck_assert_int_eq(gmem_flat_init(&M, GUEST), 0);
	ck_assert_int_eq(guest_stack_init(&M, GUEST, 1u << 20, argv, NULL, &stack_img, &stack_ids,
	                                  rnd16, &sp), 0);
	need = GUEST - sp;
	gmem_destroy(&M);
	ck_assert_int_eq(gmem_flat_init(&M, GUEST), 0);
	ck_assert_int_eq(guest_stack_init(&M, GUEST, need - 1, argv, NULL, &stack_img, &stack_ids,
	                                  rnd16, &sp), -NOS_E2BIG);
	for (k = GUEST - 4096; k < GUEST; k += 4) {
		ck_assert_int_eq(gmem_read(&M, k, &v, 4), 0);
		require(v == 0);
	}
	ck_assert_int_eq(guest_stack_init(&M, GUEST, need, argv, NULL, &stack_img, &stack_ids,
	                                  rnd16, &sp), 0);
	ck_assert_uint_eq(GUEST - sp, need);
	/* a stack that does not fit the space */
	ck_assert_int_eq(guest_stack_init(&M, GUEST + 4096, need + 4096, argv, NULL, &stack_img,
	                                  &stack_ids, rnd16, &sp), -NOS_EFAULT);
	ck_assert_int_eq(guest_stack_init(&M, 64, 1u << 20, argv, NULL, &stack_img, &stack_ids,
	                                  rnd16, &sp), -NOS_EFAULT);
	ck_assert_int_eq(guest_stack_init(&M, GUEST, 1u << 20, argv, NULL, NULL, &stack_ids, rnd16,
	                                  &sp), -NOS_EINVAL);
	gmem_destroy(&M);
}
END_TEST

/* A huge argument is E2BIG, not an overflow. */
START_TEST(test_stack_huge_argument)
{
	char *big = malloc(200000);
	const char *argv[] = { "prog", big, NULL };
	uint32_t sp;

	memset(big, 'x', 199999);
	big[199999] = '\0';
	ck_assert_int_eq(gmem_flat_init(&M, GUEST), 0);
	ck_assert_int_eq(guest_stack_init(&M, GUEST, 131072, argv, NULL, &stack_img, &stack_ids,
	                                  rnd16, &sp), -NOS_E2BIG);
	ck_assert_int_eq(guest_stack_init(&M, GUEST, 0xFFFFFFFFu, argv, NULL, &stack_img,
	                                  &stack_ids, rnd16, &sp), 0);
	gmem_destroy(&M);
	free(big);
}
END_TEST

/* No arguments at all: argc 0, AT_EXECFN an empty string; no program
 * headers loaded: no AT_PHDR. */
START_TEST(test_stack_empty)
{
	struct elf_image img = stack_img;
	uint32_t sp, auxv;
	char s[8];

	img.phdr_addr = 0;
	ck_assert_int_eq(gmem_flat_init(&M, GUEST), 0);
	ck_assert_int_eq(guest_stack_init(&M, GUEST, 4096, NULL, NULL, &img, &stack_ids, rnd16, &sp),
	                 0);
	ck_assert_uint_eq(word_at(&M, sp), 0);
	ck_assert_uint_eq(word_at(&M, sp + 4), 0);
	ck_assert_uint_eq(word_at(&M, sp + 8), 0);
	auxv = sp + 12;
	ck_assert_int_eq(auxv_get(&M, auxv, GUEST_AT_PHDR), -1);
	string_at(&M, (uint32_t)auxv_get(&M, auxv, GUEST_AT_EXECFN), s, sizeof(s));
	ck_assert_str_eq(s, "");
	gmem_destroy(&M);
}
END_TEST

/* What stackdump.elf prints on our loader, stack and CPU, on both
 * backends: the facts a C runtime relies on. */
static const char *const dump_envp[] = { "A=1", "B=hello", NULL };

static void our_dump(int backend, const char *argv0, char *out, size_t n)
{
	const char *const argv[] = { argv0, "one", "two words", NULL };
	struct test_guest g;
	struct run_result res;

	guest_load(&g, backend, "stackdump.elf", argv, dump_envp);
	run_program(&g, 100000, 10000000, &res);
	ck_assert(res.exited);
	ck_assert_uint_eq(res.status, 0);
	snprintf(out, n, "%s", res.out);
	guest_free(&g);
}

START_TEST(test_stack_as_a_program_sees_it)
{
	char out[8192];

	our_dump(_i, "stackdump", out, sizeof(out));
	ck_assert_str_eq(out,
		"sp_aligned_16: 0x00000001\n"
		"argc: 0x00000003\n"
		"argv_null: 0x00000001\n"
		"argv: stackdump\n"
		"argv: one\n"
		"argv: two words\n"
		"env: A=1\n"
		"env: B=hello\n"
		"AT_PAGESZ: 0x00001000\n"
		"AT_PHDR: 0x00010034\n"
		"AT_PHENT: 0x00000020\n"
		"AT_PHNUM: 0x00000003\n"
		"AT_ENTRY: 0x00010094\n"
		"AT_UID: 0x000003e8\n"
		"AT_EUID: 0x000003e8\n"
		"AT_GID: 0x00000064\n"
		"AT_EGID: 0x00000064\n"
		"AT_SECURE: 0x00000000\n"
		"AT_RANDOM_above_auxv: 0x00000001\n"
		"AT_RANDOM_below_argv0: 0x00000001\n"
		"AT_EXECFN_is_argv0: 0x00000001\n"
		"strings_above_table: 0x00000001\n");
}
END_TEST

/* The lines of text, sorted, without the ones qemu 7.2 is known to give
 * differently: AT_PHDR (it reports the file offset, 0x34, where Linux gives
 * the address) and the ids (qemu's are the host user's). */
static void comparable(char *text, char *out, size_t n)
{
	char *lines[64], *save = NULL, *l;
	int count = 0, i, j;

	for (l = strtok_r(text, "\n", &save); l != NULL && count < 64; l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "AT_PHDR", 7) != 0 && strncmp(l, "AT_UID", 6) != 0 &&
		    strncmp(l, "AT_EUID", 7) != 0 && strncmp(l, "AT_GID", 6) != 0 &&
		    strncmp(l, "AT_EGID", 7) != 0)
			lines[count++] = l;
	for (i = 1; i < count; i++)
		for (j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
			char *t = lines[j];

			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < count; i++) {
		strncat(out, lines[i], n - strlen(out) - 2);
		strcat(out, "\n");
	}
}

START_TEST(test_stack_matches_qemu)
{
	char path[PATH_MAX], ours[8192], theirs[8192], a[8192], b[8192];
	char *args[] = { "qemu-riscv32", path, "one", "two words", NULL };
	char *env[] = { "A=1", "B=hello", NULL };
	posix_spawn_file_actions_t fa;
	int pipefd[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	if (access("/usr/bin/qemu-riscv32", X_OK) != 0)
		return;                      /* not installed: nothing to compare */
	fixture_path("stackdump.elf", path, sizeof(path));
	ck_assert_int_eq(pipe(pipefd), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	ck_assert_int_eq(posix_spawn(&pid, "/usr/bin/qemu-riscv32", &fa, NULL, args, env), 0);
	close(pipefd[1]);
	while ((n = read(pipefd[0], theirs + len, sizeof(theirs) - 1 - (size_t)len)) > 0)
		len += n;
	theirs[len] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	posix_spawn_file_actions_destroy(&fa);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	our_dump(BACKEND_FLAT, path, ours, sizeof(ours));
	comparable(ours, a, sizeof(a));
	comparable(theirs, b, sizeof(b));
	ck_assert_str_eq(a, b);
}
END_TEST

static Suite *elf_load_suite(void)
{
	Suite *s = suite_create("elf_load");
	TCase *tl = tcase_create("loader");
	TCase *ts = tcase_create("stack");

	tcase_set_timeout(tl, 60);
	tcase_add_loop_test(tl, test_load_good, 0, NGOOD * BACKENDS);
	tcase_add_test(tl, test_pt_phdr);
	tcase_add_loop_test(tl, test_load_bad, 0, NBAD);
	tcase_add_test(tl, test_load_host_binary);
	tcase_add_test(tl, test_load_small_guest);
	tcase_add_test(tl, test_load_random_damage);
	suite_add_tcase(s, tl);
	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, test_stack_layout);
	tcase_add_test(ts, test_stack_limits);
	tcase_add_test(ts, test_stack_huge_argument);
	tcase_add_test(ts, test_stack_empty);
	tcase_add_loop_test(ts, test_stack_as_a_program_sees_it, 0, BACKENDS);
	tcase_add_test(ts, test_stack_matches_qemu);
	suite_add_tcase(s, ts);
	return s;
}

TEST_MAIN(elf_load_suite)
