/*
 * test_elf_stream.c: the streaming ELF loader (vm-rv32i/elf_stream.c, the
 * AVR firmware's) against elf_load (libelf, the Linux port's), on the same
 * bytes: the same return value, the same reason, the same image and the
 * same guest memory --
 *   - on every fixture test_elf_load uses and every program of the
 *     userland (BUILD/rootfs/bin), read in random short pieces, in flat
 *     guests of 64 MiB, 1 MiB and 68 KiB and a paged guest over a RAM store
 *     with a 4-page cache;
 *   - on every bad file of test_elf_load (its table, copied), the
 *     refusals elf_load owes to libelf, and the edges of the checks (64
 *     and 65 program headers, segments that touch or overlap by a byte,
 *     the entry point at a segment's first, last and past-the-end byte);
 *   - on thousands of random mutations of the headers.
 * And a reader that fails at its k-th call, for every k, gives that error
 * with a reason, never a crash; a file shorter than its stated length is
 * -NOS_EIO; a failing paged store is reported as a failed copy.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "kproc/le.h"
#include "tests/unit/testutil.h"
#include "tests/unit/rv32/rvtest.h"
#include "vm-rv32i/elf_stream.h"

#define GUEST (64u << 20)
#include "tests/unit/rv32/elf_mutate.h"
#define PAGED_GUEST (4u << 20)
#define PAGED_SLOTS 4u


/* ------------------------------------------------------------ the reader */

/* A file in memory, served in pieces of 1..max_piece bytes (0: as asked),
 * failing with fail_err at call number fail_at (0: never). `ends_at`
 * makes the file end early, as a card that lost its tail would. */
struct source {
	const uint8_t *bytes;
	uint32_t len, ends_at;
	uint32_t max_piece;
	unsigned seed;
	long calls, fail_at;
	int32_t fail_err;
};

static int32_t source_read(void *ctx, uint32_t off, void *buf, uint32_t n)
{
	struct source *s = ctx;
	uint32_t end = s->ends_at ? s->ends_at : s->len;

	s->calls++;
	if (s->fail_at != 0 && s->calls == s->fail_at)
		return s->fail_err;
	require(n > 0 && n <= ELF_STREAM_CHUNK);
	if (off >= end)
		return 0;
	if (n > end - off)
		n = end - off;
	if (s->max_piece != 0) {
		s->seed = s->seed * 1103515245u + 12345u;
		uint32_t piece = 1 + (s->seed >> 8) % s->max_piece;

		n = piece < n ? piece : n;
	}
	memcpy(buf, s->bytes + off, n);
	return (int32_t)n;
}

static struct source source_of(const uint8_t *bytes, size_t len, unsigned seed)
{
	struct source s = { .bytes = bytes, .len = (uint32_t)len, .seed = seed,
	                    .max_piece = seed % 3 == 0 ? 0 : 1 + seed % 70 };

	return s;
}

/* ------------------------------------------------------------ comparing */

struct outcome {
	int r;
	char why[256];
	struct elf_image img;
};

static void load_both(guest_mem *a, guest_mem *b, const uint8_t *f, size_t len, unsigned seed,
                      struct outcome *lib, struct outcome *str)
{
	struct source s = source_of(f, len, seed);

	memset(lib, 0, sizeof(*lib));
	memset(str, 0, sizeof(*str));
	memset(&lib->img, 0x77, sizeof(lib->img));
	memset(&str->img, 0x77, sizeof(str->img));
	lib->r = elf_load(a, f, len, &lib->img, lib->why, sizeof(lib->why));
	str->r = elf_stream_load(b, source_read, &s, (uint32_t)len, &str->img, str->why,
	                         sizeof(str->why));
}

/* (Like require: in the loops, only a failure talks to Check.) */
static void require_same_outcome(const char *what, const struct outcome *lib,
                                 const struct outcome *str)
{
	if (lib->r != str->r || strcmp(lib->why, str->why) != 0)
		ck_abort_msg("%s: elf_load %d \"%s\", elf_stream_load %d \"%s\"", what, lib->r,
		             lib->why, str->r, str->why);
	if (lib->img.entry != str->img.entry || lib->img.lowest != str->img.lowest ||
	    lib->img.highest != str->img.highest || lib->img.brk_start != str->img.brk_start ||
	    lib->img.phdr_addr != str->img.phdr_addr || lib->img.phnum != str->img.phnum ||
	    lib->img.phent != str->img.phent)
		ck_abort_msg("%s: the images differ (entry %x/%x lowest %x/%x highest %x/%x "
		             "phdr %x/%x)", what, lib->img.entry, str->img.entry, lib->img.lowest,
		             str->img.lowest, lib->img.highest, str->img.highest, lib->img.phdr_addr,
		             str->img.phdr_addr);
}

/* The same bytes in [lo, hi) of two flat guests. */
static void require_same_memory(const char *what, const guest_mem *a, const guest_mem *b,
                                uint32_t lo, uint32_t hi)
{
	if (memcmp(a->flat + lo, b->flat + lo, hi - lo) != 0)
		ck_abort_msg("%s: guest memory differs in [0x%x, 0x%x)", what, lo, hi);
}

/* ------------------------------------------------------------ the files */

/* test_elf_load's fixtures, then the userland's programs. */
static const char *const fixtures[] = {
	"fib-rv32i.elf", "sort-rv32im.elf", "isa.elf", "stackdump.elf", "matmul-rv32i.elf",
};
#define NFIXTURES (int)(sizeof(fixtures) / sizeof(fixtures[0]))
#define MAX_PROGRAMS 128

static char program_paths[MAX_PROGRAMS][PATH_MAX];
static int nprograms;

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The fixtures (BUILD/tests/rv32/) and every file of BUILD/rootfs/bin,
 * found from this binary's path (BUILD/tests/test_elf_stream); the
 * programs sorted, so a test number is always the same file. Runs before
 * the tests fork (no ck_assert here): 0, or -1 with the problem in err. */
static int find_programs(char *err, size_t n)
{
	char exe[PATH_MAX / 2], dir[PATH_MAX], path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct dirent *e;
	struct stat st;
	DIR *d;
	int i;

	if (len <= 0 || strrchr(exe, '/') == NULL)
		return snprintf(err, n, "cannot find this test's own path"), -1;
	exe[len] = '\0';
	*strrchr(exe, '/') = '\0';
	for (i = 0; i < NFIXTURES; i++)
		snprintf(program_paths[nprograms++], PATH_MAX, "%s/rv32/%s", exe, fixtures[i]);
	snprintf(dir, sizeof(dir), "%s/../rootfs/bin", exe);
	if ((d = opendir(dir)) == NULL)
		return snprintf(err, n, "%s is missing: build the userland (make rootfs)", dir), -1;
	while ((e = readdir(d)) != NULL && nprograms < MAX_PROGRAMS) {
		snprintf(path, sizeof(path), "%.2000s/%.200s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			snprintf(program_paths[nprograms++], PATH_MAX, "%s", path);
	}
	closedir(d);
	qsort(program_paths + NFIXTURES, (size_t)(nprograms - NFIXTURES), PATH_MAX, by_name);
	return 0;
}

static char programs_err[PATH_MAX + 64];

/* The userland was there to compare on (at least a dozen programs). */
START_TEST(test_programs_found)
{
	ck_assert_msg(programs_err[0] == '\0', "%s", programs_err);
	ck_assert_msg(nprograms >= NFIXTURES + 12, "only %d programs in the rootfs",
	              nprograms - NFIXTURES);
}
END_TEST

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Every program, in each flat guest size, read in random pieces: the same
 * outcome and the same whole guest memory, over memory that was not clean. */
START_TEST(test_programs_flat)
{
	static const uint32_t sizes[] = { GUEST, 1u << 20, 0x11000 };
	struct outcome lib, str;
	guest_mem a, b;
	size_t len;
	unsigned k;
	uint8_t *f;

	f = read_whole(program_paths[_i], &len);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		uint32_t dirty = sizes[k] - 0x10000 < 0x100000 ? sizes[k] - 0x10000 : 0x100000;

		ck_assert_int_eq(gmem_flat_init(&a, sizes[k]), 0);
		ck_assert_int_eq(gmem_flat_init(&b, sizes[k]), 0);
		ck_assert_int_eq(gmem_fill(&a, 0x10000, 0xEE, dirty), 0);
		ck_assert_int_eq(gmem_fill(&b, 0x10000, 0xEE, dirty), 0);
		load_both(&a, &b, f, len, 100u * (unsigned)_i + k, &lib, &str);
		require_same_outcome(base_name(program_paths[_i]), &lib, &str);
		if (k == 0)
			ck_assert_msg(lib.r == 0, "%s: %s", program_paths[_i], lib.why);
		require_same_memory(base_name(program_paths[_i]), &a, &b, 0, sizes[k]);
		gmem_destroy(&a);
		gmem_destroy(&b);
	}
	free(f);
}
END_TEST

/* Every program streamed into a paged guest (a 4-slot cache, as small as
 * a board's) equals elf_load's flat guest, byte for byte, once synced. */
START_TEST(test_programs_paged)
{
	static uint8_t slots[PAGED_SLOTS * GMEM_SLOT_BYTES] __attribute__((aligned(4)));
	struct gmem_ram_store ram;
	struct gmem_store store;
	struct outcome lib, str;
	guest_mem a, b;
	uint8_t *f, *ram_buf = calloc(1, PAGED_GUEST);
	size_t len;

	f = read_whole(program_paths[_i], &len);
	ck_assert_int_eq(gmem_flat_init(&a, PAGED_GUEST), 0);
	ck_assert_int_eq(gmem_ram_store_init(&ram, ram_buf, PAGED_GUEST, &store), 0);
	ck_assert_int_eq(gmem_paged_init_mem(&b, PAGED_GUEST, &store, slots, sizeof(slots)), 0);
	load_both(&a, &b, f, len, 7u * (unsigned)_i, &lib, &str);
	require_same_outcome(base_name(program_paths[_i]), &lib, &str);
	ck_assert_msg(lib.r == 0, "%s: %s", program_paths[_i], lib.why);
	ck_assert_int_eq(gmem_sync(&b), 0);
	ck_assert_msg(memcmp(a.flat, ram_buf, PAGED_GUEST) == 0, "%s: the paged guest differs",
	              program_paths[_i]);
	gmem_destroy(&a);
	gmem_destroy(&b);
	free(ram_buf);
	free(f);
}
END_TEST

/* ------------------------------------------------------------ bad files */

/* test_elf_load's table of bad files (copied: that suite is its own). */
struct bad_case {
	const char *what;
	void (*mutate)(uint8_t *f, size_t *len);
	int loads;                   /* an edge that is not bad after all */
};

/* The limit's edges: 64 headers (the 61 past fib's 3 are its code bytes) load as libelf reads
 * them; 65 do not. */
static void m_phnum64(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_PHNUM, 64); }
static void m_phnum65(uint8_t *f, size_t *len) { (void)len; st_16(f + EH_PHNUM, 65); }
static void m_interp0(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 0) + PH_TYPE, 3); }
/* Edges of "overlap" and "inside": fib's segment 0 is [0x10000-0x10621). */
static void m_overlap1(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 1) + PH_VADDR, 0x10620); }
static void m_touch(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 1) + PH_VADDR, 0x10621); }
static void m_entry_end(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_ENTRY, 0x10621); }
static void m_entry_last(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_ENTRY, 0x10620); }
static void m_entry_first(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_ENTRY, 0x10000); }
static void m_entry_below(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_ENTRY, 0xFFFF); }
/* Segment 0's file bytes end just where the program headers (52 + 3 * 32)
 * do, so it holds them (AT_PHDR 0x10034); or a byte short of that, so
 * nothing does (0). */
static void m_phdrs_end(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 0) + PH_FILESZ, 148); }
static void m_phdrs_cut(uint8_t *f, size_t *len) { (void)len; st_32(ph(f, 0) + PH_FILESZ, 147); }
/* What elf_load refuses through libelf: a header cut short, e_phoff 0. */
static void m_header_cut(uint8_t *f, size_t *len) { (void)f; *len = 40; }
static void m_phoff0(uint8_t *f, size_t *len) { (void)len; st_32(f + EH_PHOFF, 0); }
/* A PT_PHDR entry names where the program headers are (test_pt_phdr),
 * even where a loaded segment holds them elsewhere. */
static void m_pt_phdr(uint8_t *f, size_t *len)
{
	(void)len;
	st_32(ph(f, 2) + PH_TYPE, 6);           /* fib's empty third segment */
	st_32(ph(f, 2) + PH_VADDR, 0x10200);    /* not where segment 0 has them */
}

static const struct bad_case bad_cases[] = {
	{ "empty", m_empty, 0 },
	{ "a script", m_text, 0 },
	{ "10 bytes", m_short, 0 },
	{ "64-bit", m_class64, 0 },
	{ "class 0", m_class0, 0 },
	{ "big-endian", m_msb, 0 },
	{ "ident version", m_iversion, 0 },
	{ "x86-64", m_x86_64, 0 },
	{ "ARM", m_arm, 0 },
	{ "odd machine", m_odd_machine, 0 },
	{ "ET_DYN", m_dyn, 0 },
	{ "ET_REL", m_rel, 0 },
	{ "ET_CORE", m_core, 0 },
	{ "header version", m_version, 0 },
	{ "phentsize", m_phentsize, 0 },
	{ "no phdrs", m_phnum0, 0 },
	{ "100 phdrs", m_phnum100, 0 },
	{ "phdrs past the end", m_phoff, 0 },
	{ "phoff huge", m_phoff_huge, 0 },
	{ "truncated", m_truncated, 0 },
	{ "offset huge", m_offset_huge, 0 },
	{ "outside", m_outside, 0 },
	{ "memsz huge", m_memsz_huge, 0 },
	{ "wraps 4 GiB", m_wraps, 0 },
	{ "page 0", m_page0, 0 },
	{ "overlap", m_overlap, 0 },
	{ "filesz > memsz", m_filesz, 0 },
	{ "PT_INTERP", m_interp, 0 },
	{ "PT_DYNAMIC", m_dynamic, 0 },
	{ "entry", m_entry, 0 },
	{ "header cut at 40 bytes", m_header_cut, 0 },
	{ "e_phoff 0", m_phoff0, 0 },
	{ "PT_PHDR", m_pt_phdr, 1 },
	{ "64 phdrs", m_phnum64, 1 },
	{ "65 phdrs", m_phnum65, 0 },
	{ "PT_INTERP first", m_interp0, 0 },
	{ "overlap by a byte", m_overlap1, 0 },
	{ "segments touch", m_touch, 1 },
	{ "entry at the end", m_entry_end, 0 },
	{ "entry at the last byte", m_entry_last, 1 },
	{ "entry at the start", m_entry_first, 1 },
	{ "entry just below", m_entry_below, 0 },
	{ "phdrs end segment 0's file bytes", m_phdrs_end, 1 },
	{ "phdrs pass segment 0's file bytes", m_phdrs_cut, 1 },
};
#define NBAD (int)(sizeof(bad_cases) / sizeof(bad_cases[0]))

/* Each bad file: the same error and reason from both, *out untouched;
 * each refused but the two that load the same image. */
START_TEST(test_bad_files)
{
	const struct bad_case *c = &bad_cases[_i];
	struct outcome lib, str;
	guest_mem a, b;
	size_t len;
	uint8_t *f = read_fixture("fib-rv32i.elf", &len);

	c->mutate(f, &len);
	ck_assert_int_eq(gmem_flat_init(&a, GUEST), 0);
	ck_assert_int_eq(gmem_flat_init(&b, GUEST), 0);
	load_both(&a, &b, f, len, (unsigned)_i, &lib, &str);
	require_same_outcome(c->what, &lib, &str);
	if (c->loads) {
		ck_assert_int_eq(str.r, 0);
		require_same_memory(c->what, &a, &b, 0, 0x20000);
		if (c->mutate == m_pt_phdr)
			ck_assert_uint_eq(str.img.phdr_addr, 0x10200);
		if (c->mutate == m_phnum64)
			ck_assert_uint_eq(str.img.phnum, 64);
		if (c->mutate == m_phdrs_end || c->mutate == m_phdrs_cut)
			ck_assert_uint_eq(str.img.phdr_addr, c->mutate == m_phdrs_end ? 0x10034 : 0);
	} else {
		ck_assert_int_eq(str.r, -NOS_ENOEXEC);
		ck_assert_uint_eq(str.img.entry, 0x77777777u);
		ck_assert(str.why[0] != '\0');
	}
	gmem_destroy(&a);
	gmem_destroy(&b);
	free(f);
}
END_TEST

/* A paged guest of 129 pages (66048 bytes): "66048-byte" in the reason. */
static void paged_guest_too_small(const uint8_t *fib, size_t len)
{
	static uint8_t slots[2][2 * GMEM_SLOT_BYTES] __attribute__((aligned(4)));
	const uint32_t size = 129 * GMEM_PAGE_SIZE;
	struct gmem_ram_store ram[2];
	struct gmem_store store[2];
	struct outcome lib, str;
	uint8_t *bufs[2];
	guest_mem g[2];
	int k;

	for (k = 0; k < 2; k++) {
		bufs[k] = calloc(1, size);
		ck_assert_int_eq(gmem_ram_store_init(&ram[k], bufs[k], size, &store[k]), 0);
		ck_assert_int_eq(gmem_paged_init_mem(&g[k], size, &store[k], slots[k], sizeof(slots[k])),
		                 0);
	}
	load_both(&g[0], &g[1], fib, len, 3, &lib, &str);
	require_same_outcome("paged 66048 bytes", &lib, &str);
	ck_assert_msg(strstr(str.why, "lies outside the guest's 66048-byte space") != NULL, "%s",
	              str.why);
	for (k = 0; k < 2; k++) {
		gmem_destroy(&g[k]);
		free(bufs[k]);
	}
}

/* A host binary; guests whose size reads as MiB, KiB and bytes in the
 * reason; a short why[] cut as vsnprintf cuts; no why[] at all. */
START_TEST(test_reason_texts)
{
	static const uint32_t sizes[] = { 0x10000, 0x8000, 12288 };
	struct elf_image img;
	char why[256], tiny[8];
	size_t len;
	uint8_t *host = read_whole("/bin/true", &len), *fib;
	struct source s = source_of(host, len, 1);
	guest_mem m;
	unsigned k;

	ck_assert_int_eq(gmem_flat_init(&m, GUEST), 0);
	ck_assert_int_eq(elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, why, sizeof(why)),
	                 -NOS_ENOEXEC);
	ck_assert_str_eq(why, "ELF class is 64-bit, NanoOs runs 32-bit RISC-V (ELFCLASS32)");
	ck_assert_int_eq(elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, tiny,
	                                 sizeof(tiny)), -NOS_ENOEXEC);
	ck_assert_str_eq(tiny, "ELF cla");
	ck_assert_int_eq(elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, NULL, 0),
	                 -NOS_ENOEXEC);
	ck_assert_int_eq(elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, tiny, 0),
	                 -NOS_ENOEXEC);
	gmem_destroy(&m);
	free(host);

	fib = read_fixture("fib-rv32i.elf", &len);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct outcome lib, str;
		guest_mem a, b;

		ck_assert_int_eq(gmem_flat_init(&a, sizes[k]), 0);
		ck_assert_int_eq(gmem_flat_init(&b, sizes[k]), 0);
		load_both(&a, &b, fib, len, k, &lib, &str);
		require_same_outcome("small guest", &lib, &str);
		ck_assert_int_eq(str.r, -NOS_ENOEXEC);
		ck_assert_msg(strstr(str.why, "lies outside the guest's") != NULL, "%s", str.why);
		gmem_destroy(&a);
		gmem_destroy(&b);
	}
	paged_guest_too_small(fib, len);
	free(fib);
}
END_TEST

/* ------------------------------------------------------------ failing reads */

/* The reader fails at its k-th call, for every k a whole load makes:
 * that error, a reason naming what was being read, *out untouched. One
 * call more than a load needs fails nothing. */
static void fail_every_call(const char *path, long step)
{
	static const int32_t errors[] = { -NOS_EIO, -NOS_ENXIO, -NOS_EBADF, -NOS_EINTR };
	struct elf_image img;
	char why[256];
	size_t len;
	uint8_t *f = read_whole(path, &len);
	struct source s = source_of(f, len, 5);
	guest_mem m;
	long k, calls;

	ck_assert_int_eq(gmem_flat_init(&m, GUEST), 0);
	ck_assert_msg(elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, why, sizeof(why)) == 0,
	              "%s: %s", path, why);
	calls = s.calls;
	for (k = 1; k <= calls + 1; k += k < 40 ? 1 : step) {
		int32_t err = errors[k % 4];
		int r;

		s = source_of(f, len, 5);
		s.fail_at = k;
		s.fail_err = err;
		memset(&img, 0x77, sizeof(img));
		r = elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, why, sizeof(why));
		if (k > calls) {
			ck_assert_msg(r == 0, "%s: %s", path, why);
			continue;
		}
		ck_assert_msg(r == err, "%s, read %ld of %ld fails: %d (%s)", path, k, calls, r, why);
		ck_assert_msg(strncmp(why, "cannot read ", 12) == 0 && strstr(why, "(error ") != NULL,
		              "%s: %s", path, why);
		require(img.entry == 0x77777777u);
	}
	gmem_destroy(&m);
	free(f);
}

START_TEST(test_read_fails_at_every_call)
{
	fail_every_call(program_paths[0], 1);        /* fib-rv32i.elf: every k */
}
END_TEST

START_TEST(test_read_fails_big_program)
{
	fail_every_call(program_paths[nprograms - 1], 97);
}
END_TEST

/* A file that ends before its stated length: -NOS_EIO, saying where. */
START_TEST(test_file_ends_early)
{
	/* in the header, the program headers, segment 0, segment 1 */
	static const uint32_t cuts[] = { 10, 30, 60, 100, 0x300, 0x1002 };
	struct elf_image img;
	char why[256];
	size_t len;
	uint8_t *f = read_fixture("fib-rv32i.elf", &len);
	guest_mem m;
	unsigned k;

	ck_assert_int_eq(gmem_flat_init(&m, GUEST), 0);
	for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		struct source s = source_of(f, len, k);

		s.ends_at = cuts[k];
		ck_assert_int_eq(elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, why,
		                                 sizeof(why)), -NOS_EIO);
		ck_assert_msg(strstr(why, "the file ends before byte") != NULL, "cut %x: %s", cuts[k], why);
	}
	gmem_destroy(&m);
	free(f);
}
END_TEST

/* A paged store that fails at its k-th page I/O: the copy's error. */
START_TEST(test_store_fails)
{
	static uint8_t slots[2 * GMEM_SLOT_BYTES] __attribute__((aligned(4)));
	struct gmem_ram_store ram;
	struct gmem_store store;
	struct elf_image img;
	char why[256];
	size_t len;
	uint8_t *f = read_fixture("sort-rv32i.elf", &len), *ram_buf = calloc(1, PAGED_GUEST);
	unsigned k;

	for (k = 1; k < 12; k++) {
		struct source s = source_of(f, len, k);
		guest_mem m;

		memset(ram_buf, 0, PAGED_GUEST);
		ck_assert_int_eq(gmem_ram_store_init(&ram, ram_buf, PAGED_GUEST, &store), 0);
		ram.fail_after = k;
		ck_assert_int_eq(gmem_paged_init_mem(&m, PAGED_GUEST, &store, slots, sizeof(slots)), 0);
		ck_assert_int_eq(elf_stream_load(&m, source_read, &s, (uint32_t)len, &img, why,
		                                 sizeof(why)), -NOS_EIO);
		ck_assert_msg(strstr(why, "into guest memory (error 5)") != NULL, "%s", why);
		gmem_destroy(&m);
	}
	free(ram_buf);
	free(f);
}
END_TEST

/* ------------------------------------------------------------ random damage */

/* Damage to the headers and program headers (bit flips, whole fields set
 * to edge values, a cut length) of every program in turn: both loaders
 * agree on the outcome and on the memory of what they load. */
static void damage(uint8_t *f, size_t *len, size_t good_len, unsigned *seed, long k)
{
	static const uint32_t edges[] = { 0, 1, 0x1000, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF,
	                                  0xFFFFF000, GUEST, GUEST - 0x1000, 52, 2, 3, 6 };
	uint32_t span = 52u + 32u * (ld_16(f + EH_PHNUM) < 8 ? ld_16(f + EH_PHNUM) : 8);
	int flips;

	span = span < good_len ? span : (uint32_t)good_len;
	for (flips = 0; flips < 1 + (int)(k % 4); flips++) {
		*seed = *seed * 1103515245u + 12345u;
		if (k % 3 == 0 && span >= 8) {
			uint32_t at = ((*seed >> 8) % (span / 4)) * 4;

			st_32(f + at, edges[(*seed >> 4) % (sizeof(edges) / sizeof(edges[0]))]);
		} else {
			f[(*seed >> 8) % span] ^= (uint8_t)(1u << ((*seed >> 4) % 8));
		}
	}
	*len = good_len;
	if (k % 7 == 0)
		*len = (*seed >> 3) % good_len;
}

START_TEST(test_random_damage)
{
	long k, n = 3000 * test_scale(), loaded = 0;
	unsigned seed = 4242u + (unsigned)_i;
	static uint8_t *good[MAX_PROGRAMS];
	static size_t good_len[MAX_PROGRAMS];
	guest_mem a, b;
	int i;

	ck_assert_int_gt(nprograms, 0);
	for (i = 0; i < nprograms; i++)
		good[i] = read_whole(program_paths[i], &good_len[i]);
	ck_assert_int_eq(gmem_flat_init(&a, GUEST), 0);
	ck_assert_int_eq(gmem_flat_init(&b, GUEST), 0);
	for (k = 0; k < n; k++) {
		struct outcome lib, str;
		size_t len;
		uint8_t *f;
		char what[64];

		i = (int)(k % nprograms);
		f = malloc(good_len[i]);
		memcpy(f, good[i], good_len[i]);
		damage(f, &len, good_len[i], &seed, k);
		load_both(&a, &b, f, len, seed, &lib, &str);
		snprintf(what, sizeof(what), "damage %ld of %s", k, base_name(program_paths[i]));
		require_same_outcome(what, &lib, &str);
		if (lib.r == 0) {
			loaded++;
			require_same_memory(what, &a, &b, lib.img.lowest, lib.img.highest);
			memset(a.flat + lib.img.lowest, 0, lib.img.highest - lib.img.lowest);
			memset(b.flat + lib.img.lowest, 0, lib.img.highest - lib.img.lowest);
		}
		free(f);
	}
	ck_assert_int_gt(loaded, 0);                 /* both kinds were seen */
	ck_assert_int_lt(loaded, n);
	gmem_destroy(&a);
	gmem_destroy(&b);
	for (i = 0; i < nprograms; i++)
		free(good[i]);
}
END_TEST

static Suite *elf_stream_suite(void)
{
	Suite *s = suite_create("elf_stream");
	TCase *tp = tcase_create("programs");
	TCase *tb = tcase_create("bad files");
	TCase *tr = tcase_create("reads");
	TCase *td = tcase_create("damage");

	(void)find_programs(programs_err, sizeof(programs_err));   /* test_programs_found says */
	tcase_set_timeout(tp, 120);
	tcase_add_test(tp, test_programs_found);
	tcase_add_loop_test(tp, test_programs_flat, 0, nprograms);
	tcase_add_loop_test(tp, test_programs_paged, 0, nprograms);
	suite_add_tcase(s, tp);
	tcase_set_timeout(tb, 60);
	tcase_add_loop_test(tb, test_bad_files, 0, NBAD);
	tcase_add_test(tb, test_reason_texts);
	suite_add_tcase(s, tb);
	tcase_set_timeout(tr, 120);
	tcase_add_test(tr, test_read_fails_at_every_call);
	tcase_add_test(tr, test_read_fails_big_program);
	tcase_add_test(tr, test_file_ends_early);
	tcase_add_test(tr, test_store_fails);
	suite_add_tcase(s, tr);
	tcase_set_timeout(td, 300);
	tcase_add_loop_test(td, test_random_damage, 0, 2);
	suite_add_tcase(s, td);
	return s;
}

TEST_MAIN(elf_stream_suite)
