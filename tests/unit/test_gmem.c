/*
 * test_gmem.c: guest memory (vm-rv32i/gmem*.c) -- the checked copies at the
 * edges of the space, gmem_read_str's limits, the flat backend's mapping,
 * and the paged backend's cache over a RAM store and a host file store:
 * eviction under pressure, write-back, gmem_sync, I/O errors, and a random
 * differential run against a plain buffer.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/testutil.h"
#include "tests/unit/rv32/rvtest.h"

#define SMALL (64u * 1024u)          /* a guest of 64 KiB: 128 paged pages */

/* A guest of SMALL bytes on backend i (paged: over RAM, 4 slots). */
static struct test_guest *small_guest(int backend)
{
	static struct test_guest g;

	guest_make(&g, backend, SMALL, 4);
	return &g;
}

/* ------------------------------------------------------------ bounds */

START_TEST(test_bounds)
{
	struct test_guest *g = small_guest(_i);
	guest_mem *m = &g->mem;
	uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	ck_assert_int_eq(gmem_write(m, 0, b, 1), 0);
	ck_assert_int_eq(gmem_write(m, SMALL - 1, b, 1), 0);
	ck_assert_int_eq(gmem_write(m, SMALL - 8, b, 8), 0);
	ck_assert_int_eq(gmem_write(m, SMALL, b, 1), -NOS_EFAULT);
	ck_assert_int_eq(gmem_write(m, SMALL - 7, b, 8), -NOS_EFAULT);
	ck_assert_int_eq(gmem_read(m, SMALL, b, 1), -NOS_EFAULT);
	ck_assert_int_eq(gmem_read(m, SMALL - 1, b, 2), -NOS_EFAULT);
	ck_assert_int_eq(gmem_fill(m, SMALL - 1, 0, 2), -NOS_EFAULT);
	/* wrap-around: 0xFFFFFFFF + n must not come back to 0 */
	ck_assert_int_eq(gmem_read(m, 0xFFFFFFFFu, b, 2), -NOS_EFAULT);
	ck_assert_int_eq(gmem_write(m, 0xFFFFFFFFu, b, 1), -NOS_EFAULT);
	ck_assert_int_eq(gmem_read(m, 1, b, 0xFFFFFFFFu), -NOS_EFAULT);
	ck_assert_int_eq(gmem_fill(m, 0x80000000u, 0, 0x80000001u), -NOS_EFAULT);
	/* empty copies at the very end are fine, past it they are not */
	ck_assert_int_eq(gmem_read(m, SMALL, b, 0), 0);
	ck_assert_int_eq(gmem_read(m, SMALL + 1, b, 0), -NOS_EFAULT);
	ck_assert(gmem_in_range(m, 0, SMALL));
	ck_assert(!gmem_in_range(m, 1, SMALL));
	ck_assert(!gmem_in_range(m, 0xFFFFFFFFu, 2));
	/* what did succeed is there, and a failed copy changed nothing */
	memset(b, 0, sizeof(b));
	ck_assert_int_eq(gmem_read(m, SMALL - 8, b, 8), 0);
	ck_assert_int_eq(b[0], 1);
	ck_assert_int_eq(b[7], 8);
	guest_free(g);
}
END_TEST

START_TEST(test_fill_and_copy_across_pages)
{
	struct test_guest *g = small_guest(_i);
	static uint8_t in[5000], out[5000];
	unsigned k;

	for (k = 0; k < sizeof(in); k++)
		in[k] = (uint8_t)(k * 7 + 1);
	ck_assert_int_eq(gmem_write(&g->mem, 1000, in, sizeof(in)), 0);
	ck_assert_int_eq(gmem_read(&g->mem, 1000, out, sizeof(out)), 0);
	ck_assert_mem_eq(in, out, sizeof(in));
	ck_assert_int_eq(gmem_fill(&g->mem, 1001, 0xAB, 3000), 0);
	ck_assert_int_eq(gmem_read(&g->mem, 1000, out, sizeof(out)), 0);
	ck_assert_int_eq(out[0], in[0]);
	for (k = 1; k <= 3000; k++)
		require(out[k] == 0xAB);
	ck_assert_int_eq(out[3001], in[3001]);
	guest_free(g);
}
END_TEST

/* ------------------------------------------------------------ strings */

START_TEST(test_read_str)
{
	struct test_guest *g = small_guest(_i);
	guest_mem *m = &g->mem;
	char s[64];
	static char big[SMALL];

	ck_assert_int_eq(gmem_write(m, 100, "hello", 6), 0);
	ck_assert_int_eq(gmem_read_str(m, 100, s, sizeof(s)), 5);
	ck_assert_str_eq(s, "hello");
	ck_assert_int_eq(gmem_read_str(m, 100, s, 6), 5);        /* max-1 bytes fit */
	ck_assert_int_eq(gmem_read_str(m, 100, s, 5), -NOS_ENAMETOOLONG);
	ck_assert_int_eq(gmem_read_str(m, 100, s, 0), -NOS_ENAMETOOLONG);
	ck_assert_int_eq(gmem_read_str(m, 105, s, 1), 0);        /* the empty string */
	ck_assert_str_eq(s, "");
	ck_assert_int_eq(gmem_read_str(m, SMALL, s, sizeof(s)), -NOS_EFAULT);
	ck_assert_int_eq(gmem_read_str(m, 0xFFFFFFFFu, s, sizeof(s)), -NOS_EFAULT);
	/* a string that runs into the end of the space without a NUL */
	ck_assert_int_eq(gmem_fill(m, SMALL - 10, 'x', 10), 0);
	ck_assert_int_eq(gmem_read_str(m, SMALL - 10, s, sizeof(s)), -NOS_EFAULT);
	ck_assert_int_eq(gmem_read_str(m, SMALL - 10, s, 10), -NOS_ENAMETOOLONG);
	/* a long string across many (paged) pages */
	ck_assert_int_eq(gmem_fill(m, 1, 'y', 3000), 0);
	ck_assert_int_eq(gmem_fill(m, 3001, 0, 1), 0);
	ck_assert_int_eq(gmem_read_str(m, 1, big, sizeof(big)), 3000);
	ck_assert_int_eq(big[2999], 'y');
	ck_assert_int_eq(big[3000], 0);
	ck_assert_int_eq(gmem_read_str(m, 1, big, 3000), -NOS_ENAMETOOLONG);
	guest_free(g);
}
END_TEST

/* ------------------------------------------------------------ flat */

START_TEST(test_flat_mapping)
{
	guest_mem m;
	uint32_t size = 64u << 20;
	char line[256], want[64];
	FILE *maps;
	int found = 0;
	uint32_t k, v;

	ck_assert_int_eq(gmem_flat_init(&m, 0), -NOS_EINVAL);
	ck_assert_int_eq(gmem_flat_init(&m, 4000), -NOS_EINVAL);
	ck_assert_int_eq(gmem_flat_init(&m, size), 0);
	ck_assert_int_eq(m.kind, GMEM_FLAT);
	ck_assert_uint_eq(m.size, size);
	/* zero-filled wherever we look */
	for (k = 0; k < 1000; k++) {
		uint32_t a = (uint32_t)(((uint64_t)k * 2654435761u) % (size - 4));

		ck_assert_int_eq(gmem_read(&m, a, &v, 4), 0);
		require(v == 0);
	}
	/* one mapping of exactly size bytes */
	snprintf(want, sizeof(want), "%lx-%lx ", (unsigned long)(uintptr_t)m.flat,
	         (unsigned long)(uintptr_t)m.flat + size);
	maps = fopen("/proc/self/maps", "r");
	ck_assert_ptr_nonnull(maps);
	while (fgets(line, sizeof(line), maps))
		if (strncmp(line, want, strlen(want)) == 0)
			found = 1;
	fclose(maps);
	ck_assert_msg(found, "no mapping %s", want);
	gmem_destroy(&m);
	ck_assert_ptr_null(m.flat);
	ck_assert_uint_eq(m.size, 0);
}
END_TEST

/* ------------------------------------------------------------ paged */

START_TEST(test_paged_init_checks)
{
	static uint8_t ram[SMALL], slots[4 * GMEM_SLOT_BYTES];
	struct gmem_ram_store rs;
	struct gmem_store st;
	guest_mem m;

	ck_assert_int_eq(gmem_ram_store_init(&rs, ram, sizeof(ram), &st), 0);
	ck_assert_int_eq(gmem_paged_init(&m, SMALL + 100, &st, 4), -NOS_EINVAL);
	ck_assert_int_eq(gmem_paged_init(&m, 0, &st, 4), -NOS_EINVAL);
	ck_assert_int_eq(gmem_paged_init(&m, SMALL, &st, 0), -NOS_EINVAL);
	ck_assert_int_eq(gmem_paged_init_mem(&m, SMALL, &st, slots, GMEM_SLOT_BYTES - 1),
	                 -NOS_EINVAL);
	ck_assert_int_eq(gmem_paged_init_mem(&m, SMALL, &st, slots, sizeof(slots)), 0);
	ck_assert_uint_eq(m.npages, 4);
	ck_assert_ptr_null(m.release);       /* caller-owned slots are not freed */
	gmem_destroy(&m);
}
END_TEST

/* Fill the whole space with a pattern through a cache far smaller than it,
 * read it back, sync, and find it in the store. */
static void pattern_round_trip(guest_mem *m, const uint8_t *store_mem, unsigned seed)
{
	static uint8_t buf[SMALL];
	uint32_t k;

	for (k = 0; k < SMALL; k++)
		buf[k] = (uint8_t)(k * 31u + seed + (k >> 9));
	for (k = 0; k < SMALL; k += 700) {
		uint32_t n = SMALL - k < 700 ? SMALL - k : 700;

		ck_assert_int_eq(gmem_write(m, k, buf + k, n), 0);
	}
	ck_assert_uint_gt(m->writebacks, 0);            /* evictions wrote back */
	for (k = 0; k < SMALL; k += 4) {
		uint32_t v;

		ck_assert_int_eq(gmem_read(m, k, &v, 4), 0);
		require(memcmp(&v, buf + k, 4) == 0);
	}
	ck_assert_int_eq(gmem_sync(m), 0);
	if (store_mem != NULL)
		ck_assert_mem_eq(store_mem, buf, SMALL);
}

START_TEST(test_paged_ram_eviction_and_sync)
{
	static uint8_t ram[SMALL];
	struct gmem_ram_store rs;
	struct gmem_store st;
	guest_mem m;
	uint64_t hits;

	memset(ram, 0, sizeof(ram));
	ck_assert_int_eq(gmem_ram_store_init(&rs, ram, sizeof(ram), &st), 0);
	ck_assert_int_eq(gmem_paged_init(&m, SMALL, &st, 3), 0);
	pattern_round_trip(&m, ram, 5);
	/* after a sync nothing is dirty: another sync writes nothing */
	hits = m.writebacks;
	ck_assert_int_eq(gmem_sync(&m), 0);
	ck_assert_uint_eq(m.writebacks, hits);
	/* repeated access to one page is all hits */
	hits = m.hits;
	{
		uint32_t v, k;

		for (k = 0; k < 100; k++)
			ck_assert_int_eq(gmem_read(&m, 4096 + (k % 128), &v, 1), 0);
	}
	ck_assert_uint_ge(m.hits, hits + 99);
	gmem_destroy(&m);
}
END_TEST

START_TEST(test_paged_one_slot)
{
	static uint8_t ram[SMALL];
	struct gmem_ram_store rs;
	struct gmem_store st;
	guest_mem m;
	uint32_t a = 0x11111111, b = 0x22222222, v;
	int k;

	memset(ram, 0, sizeof(ram));
	ck_assert_int_eq(gmem_ram_store_init(&rs, ram, sizeof(ram), &st), 0);
	ck_assert_int_eq(gmem_paged_init(&m, SMALL, &st, 1), 0);
	for (k = 0; k < 50; k++) {                       /* ping-pong two pages */
		ck_assert_int_eq(gmem_write(&m, 10, &a, 4), 0);
		ck_assert_int_eq(gmem_write(&m, 5000, &b, 4), 0);
		a++;
		b++;
	}
	ck_assert_int_eq(gmem_read(&m, 10, &v, 4), 0);
	ck_assert_uint_eq(v, a - 1);
	ck_assert_int_eq(gmem_read(&m, 5000, &v, 4), 0);
	ck_assert_uint_eq(v, b - 1);
	/* an access spanning two pages with one slot */
	ck_assert_int_eq(gmem_write(&m, 510, &a, 4), 0);
	ck_assert_int_eq(gmem_read(&m, 510, &v, 4), 0);
	ck_assert_uint_eq(v, a);
	gmem_destroy(&m);
}
END_TEST

/* A store in a host file: page p at offset p * GMEM_PAGE_SIZE; past the
 * end of the file reads as zeros. */
static int file_read_page(void *ctx, uint32_t page, void *buf)
{
	ssize_t n = pread(*(int *)ctx, buf, GMEM_PAGE_SIZE, (off_t)page * GMEM_PAGE_SIZE);

	if (n < 0)
		return -NOS_EIO;
	memset((uint8_t *)buf + n, 0, GMEM_PAGE_SIZE - (size_t)n);
	return 0;
}

static int file_write_page(void *ctx, uint32_t page, const void *buf)
{
	return pwrite(*(int *)ctx, buf, GMEM_PAGE_SIZE, (off_t)page * GMEM_PAGE_SIZE) ==
	       GMEM_PAGE_SIZE ? 0 : -NOS_EIO;
}

START_TEST(test_paged_file_store)
{
	char path[] = "/tmp/nanoos-gmem-XXXXXX";
	int fd = mkstemp(path);
	struct gmem_store st = { file_read_page, file_write_page, &fd };
	static uint8_t back[SMALL];
	guest_mem m;
	struct stat sb;
	uint32_t v;

	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(gmem_paged_init(&m, SMALL, &st, 5), 0);
	ck_assert_int_eq(gmem_read(&m, 12345, &v, 4), 0);       /* never written: zeros */
	ck_assert_uint_eq(v, 0);
	pattern_round_trip(&m, NULL, 9);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	ck_assert_int_eq(sb.st_size, SMALL);
	ck_assert_int_eq(pread(fd, back, SMALL, 0), SMALL);
	ck_assert_int_eq(back[1000], (uint8_t)(1000 * 31u + 9 + (1000 >> 9)));
	gmem_destroy(&m);
	/* a new guest over the same file sees what the first one synced */
	ck_assert_int_eq(gmem_paged_init(&m, SMALL, &st, 2), 0);
	ck_assert_int_eq(gmem_read(&m, 1000, &v, 1), 0);
	ck_assert_uint_eq(v & 0xFF, back[1000]);
	gmem_destroy(&m);
	close(fd);
}
END_TEST

START_TEST(test_paged_io_errors)
{
	static uint8_t ram[SMALL];
	struct gmem_ram_store rs;
	struct gmem_store st;
	guest_mem m;
	uint32_t v = 0xC0FFEE, w;

	memset(ram, 0, sizeof(ram));
	ck_assert_int_eq(gmem_ram_store_init(&rs, ram, sizeof(ram), &st), 0);
	ck_assert_int_eq(gmem_paged_init(&m, SMALL, &st, 1), 0);
	ck_assert_int_eq(gmem_write(&m, 0, &v, 4), 0);          /* page 0 dirty in the slot */
	rs.fail_after = rs.ios;                                  /* every I/O fails from now */
	ck_assert_int_eq(gmem_read(&m, 4096, &w, 4), -NOS_EIO); /* write-back fails */
	ck_assert_int_eq(gmem_sync(&m), -NOS_EIO);
	ck_assert_int_eq(gmem_read_str(&m, 4096, (char *)&w, 4), -NOS_EIO);
	rs.fail_after = 0;                                       /* the store recovers */
	ck_assert_int_eq(gmem_read(&m, 0, &w, 4), 0);            /* the data was kept */
	ck_assert_uint_eq(w, v);
	ck_assert_int_eq(gmem_sync(&m), 0);
	ck_assert_uint_eq(ram[0], 0xEE);
	/* a failed load leaves nothing half-cached */
	rs.fail_after = rs.ios;
	ck_assert_int_eq(gmem_read(&m, 8192, &w, 4), -NOS_EIO);
	rs.fail_after = 0;
	ck_assert_int_eq(gmem_write(&m, 8192, &v, 4), 0);
	ck_assert_int_eq(gmem_read(&m, 8192, &w, 4), 0);
	ck_assert_uint_eq(w, v);
	gmem_destroy(&m);
}
END_TEST

/* Random reads, writes, fills and strings against a plain buffer. */
START_TEST(test_paged_differential)
{
	static uint8_t ram[SMALL], shadow[SMALL], buf[3000];
	struct gmem_ram_store rs;
	struct gmem_store st;
	guest_mem m;
	unsigned seed = 12345;
	long ops = 4000 * test_scale(), k;

	memset(ram, 0, sizeof(ram));
	memset(shadow, 0, sizeof(shadow));
	ck_assert_int_eq(gmem_ram_store_init(&rs, ram, sizeof(ram), &st), 0);
	ck_assert_int_eq(gmem_paged_init(&m, SMALL, &st, 6), 0);
	for (k = 0; k < ops; k++) {
		uint32_t a, n, j;
		int r;

		seed = seed * 1103515245u + 12345u;
		a = (seed >> 8) % (SMALL + 64);
		n = (seed >> 3) % sizeof(buf);
		switch (seed % 4) {
		case 0:
			for (j = 0; j < n; j++)
				buf[j] = (uint8_t)(seed + j);
			r = gmem_write(&m, a, buf, n);
			require(r == (a + n <= SMALL ? 0 : -NOS_EFAULT));
			if (r == 0)
				memcpy(shadow + a, buf, n);
			break;
		case 1:
			r = gmem_read(&m, a, buf, n);
			require(r == (a + n <= SMALL ? 0 : -NOS_EFAULT));
			require(r != 0 || memcmp(buf, shadow + a, n) == 0);
			break;
		case 2:
			r = gmem_fill(&m, a, (uint8_t)k, n);
			require(r == (a + n <= SMALL ? 0 : -NOS_EFAULT));
			if (r == 0)
				memset(shadow + a, (uint8_t)k, n);
			break;
		default:
			r = gmem_read_str(&m, a, (char *)buf, n);
			if (a >= SMALL) {
				require(r == -NOS_EFAULT);
			} else {
				uint8_t *nul = memchr(shadow + a, 0, SMALL - a);
				uint32_t len = nul ? (uint32_t)(nul - (shadow + a)) : SMALL - a;

				if (len < n)
					require(nul ? r == (int)len : r == -NOS_EFAULT);
				else
					require(r == -NOS_ENAMETOOLONG);
			}
			break;
		}
	}
	ck_assert_int_eq(gmem_sync(&m), 0);
	ck_assert_mem_eq(ram, shadow, SMALL);
	gmem_destroy(&m);
}
END_TEST

static Suite *gmem_suite(void)
{
	Suite *s = suite_create("gmem");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_bounds, 0, BACKENDS);
	tcase_add_loop_test(tc, test_fill_and_copy_across_pages, 0, BACKENDS);
	tcase_add_loop_test(tc, test_read_str, 0, BACKENDS);
	tcase_add_test(tc, test_flat_mapping);
	tcase_add_test(tc, test_paged_init_checks);
	tcase_add_test(tc, test_paged_ram_eviction_and_sync);
	tcase_add_test(tc, test_paged_one_slot);
	tcase_add_test(tc, test_paged_file_store);
	tcase_add_test(tc, test_paged_io_errors);
	tcase_add_test(tc, test_paged_differential);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(gmem_suite)
