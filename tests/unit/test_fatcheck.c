/*
 * test_fatcheck.c: our consistency check and repair (kproc/fat_check.c),
 * judged by fsck.fat -n and mtools, on mkfs.fat images (FAT12, FAT16, FAT32)
 * populated through the engine and then damaged by poking bytes of the RAM
 * image at the layout's offsets.
 *
 * For each kind of damage: fsck.fat -n sees it (exit 1, or its complaint in
 * the text where it only reports); our check-only run counts it and leaves
 * every byte as it was; our repair fixes it; then our check finds nothing,
 * a second repair changes nothing (idempotent), fsck.fat -n exits 0 without
 * a complaint, and every file that was not damaged reads back byte for byte
 * through the engine and through mcopy. Also: a clean volume is clean to
 * both, directories nested too deep, and a fuzz of random byte pokes in the
 * FAT and directory areas of small FAT12/FAT16 images (repair never fails,
 * crashes or hangs, and leaves a volume both checkers call clean).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAT_INTERNAL            /* the tests poke at the geometry */
#include "kproc/fat.h"
#include "kproc/le.h"
#include "kproc/sdcard.h"
#include "fatimg.h"
#include "testutil.h"

#define NOW 1700000000u         /* 2023-11-14 22:13:20 UTC */
#define BS FAT_SECTOR_SIZE

static uint8_t *mem, *clean, *before, *map;
static size_t mem_size, map_size;
static struct sd_ram ram;
static struct sd_backend be;
static struct fat_volume vol, *v = &vol;
static struct fat_check_report rep;
static char err[256];
static char said[1 << 16];
static size_t said_len;

static const int types[3] = { 12, 16, 32 };

static uint32_t fixed_now(void *ctx)
{
	(void)ctx;
	return NOW;
}

static void say(void *ctx, const char *line)
{
	size_t n = strlen(line);

	(void)ctx;
	if (said_len + n + 2 < sizeof(said)) {
		memcpy(said + said_len, line, n);
		said_len += n;
		said[said_len++] = '\n';
		said[said_len] = '\0';
	}
}

static void setup(void)
{
	scratch_open("fatcheck");
	mem = clean = before = map = NULL;
}

static void teardown(void)
{
	free(mem);
	free(clean);
	free(before);
	free(map);
	scratch_close();
}

/* A fresh image: mkfs.fat ARGS -C fat.img KIB. */
static void make_image(const char *args, unsigned kib)
{
	unlink(img);
	sh_ok("mkfs.fat", sh("mkfs.fat %s -C fat.img %u", args, kib));
}

static void load(void)
{
	free(mem);
	free(before);
	mem = image_read(&mem_size);
	before = malloc(mem_size);
	ck_assert_ptr_nonnull(before);
	ck_assert_int_eq(sd_ram_init(&ram, mem, mem_size, 0, &be), 0);
}

static void save(void)
{
	image_write(mem, mem_size);
}

static void mount_rw(void)
{
	int r = fat_mount(v, &be, 0, fixed_now, NULL, err, sizeof(err));

	ck_assert_msg(r == 0, "mount: %d %s", r, err);
	if (map_size < fat_check_map_size(v)) {
		free(map);
		map_size = fat_check_map_size(v);
		map = malloc(map_size);
		ck_assert_ptr_nonnull(map);
	}
}

/* Our check on the mounted volume; what it said goes to `said`. */
static int check(unsigned flags)
{
	said_len = 0;
	said[0] = '\0';
	return fat_check(v, flags, map, map_size, &rep, say, NULL);
}

/* fsck.fat -n on the saved image: 0 and no complaint. */
static void fsck_clean(const char *when)
{
	static const char *const complaints[] = {
		"Wrong checksum", "Unexpected long filename", "outside a LFN", "A new long file name",
		"Unfinished long file name", "Orphaned", "Dirty bit", "differ", "Reclaimed",
		"Free cluster summary wrong", "Truncating", "Deleting", "Bad short file name",
		"Duplicate", "share clusters", "Invalid", "Expected a valid", "label",
	};
	int st = sh("fsck.fat -n fat.img");
	size_t i;

	ck_assert_msg(st == 0, "%s: fsck.fat -n exits %d:\n%s\nours said:\n%s", when, st,
	              out_text(), said);
	for (i = 0; i < sizeof(complaints) / sizeof(complaints[0]); i++)
		ck_assert_msg(strstr(out_text(), complaints[i]) == NULL,
		              "%s: fsck.fat -n complains:\n%s", when, out_text());
}

/* ------------------------------------------------------------ files */

static uint8_t pat(uint32_t tag, uint32_t i)
{
	return (uint8_t)((i * 2654435761u + tag * 40503u) >> 13);
}

static void put_file(const char *path, uint32_t tag, uint32_t n)
{
	static uint8_t buf[1 << 16];
	uint32_t i;
	int h = fat_open(v, path, FAT_O_WRONLY | FAT_O_CREAT | FAT_O_TRUNC);

	ck_assert_msg(h >= 0, "open %s: %d", path, h);
	ck_assert_uint_le(n, sizeof(buf));
	for (i = 0; i < n; i++)
		buf[i] = pat(tag, i);
	ck_assert_int_eq(fat_write(v, h, buf, n), (int32_t)n);
	ck_assert_int_eq(fat_close(v, h), 0);
}

/* Does path hold n bytes of pattern tag, through the engine? */
static void check_engine(const char *path, uint32_t tag, uint32_t n)
{
	static uint8_t buf[1 << 16];
	uint32_t i;
	int h = fat_open(v, path, FAT_O_RDONLY);

	ck_assert_msg(h >= 0, "open %s: %d\nours said:\n%s", path, h, said);
	ck_assert_int_eq(fat_read(v, h, buf, sizeof(buf)), (int32_t)n);
	for (i = 0; i < n; i++)
		require(buf[i] == pat(tag, i));
	ck_assert_int_eq(fat_close(v, h), 0);
}

/* ... and through mcopy on the saved image. */
static void check_mtools(const char *path, uint32_t tag, uint32_t n)
{
	char host[200];
	struct stat st;
	uint8_t *b;
	FILE *f;
	uint32_t i;

	sh_ok(path, sh("mcopy -n -i fat.img '::%s' - > got.bin", path));
	snprintf(host, sizeof(host), "%s/got.bin", dir);
	ck_assert_int_eq(stat(host, &st), 0);
	ck_assert_msg((uint64_t)st.st_size == n, "mcopy %s: %lld bytes, want %u", path,
	              (long long)st.st_size, n);
	b = malloc(n + 1);
	f = fopen(host, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(b, 1, n, f), n);
	fclose(f);
	for (i = 0; i < n; i++)
		require(b[i] == pat(tag, i));
	free(b);
}

/* The files of the populated image (sizes in clusters + bytes). */
enum { F_KEEP, F_VICTIM, F_OTHER, F_LONG, F_A, F_B, F_X, F_Y, F_TAIL, NFILES };
static const struct {
	const char *path;
	uint32_t clusters, bytes;
} files[NFILES] = {
	[F_KEEP] = { "/keep.bin", 3, 100 },
	[F_VICTIM] = { "/victim.bin", 4, 10 },
	[F_OTHER] = { "/other.bin", 3, 0 },
	[F_LONG] = { "/A Long File Name.txt", 2, 7 },
	[F_A] = { "/a.txt", 0, 100 },
	[F_B] = { "/b.txt", 0, 200 },
	[F_X] = { "/sub/x.bin", 2, 0 },
	[F_Y] = { "/sub/deeper/y.bin", 1, 1 },
	[F_TAIL] = { "/tail.txt", 0, 50 },
};

static uint32_t file_size(int i)
{
	return files[i].clusters * fat_csize(v) + files[i].bytes;
}

/* What the damage functions need, found on the populated image. */
static struct {
	int type;
	uint32_t first[NFILES];
	uint8_t *ent[NFILES];           /* the 8.3 entries in mem */
	uint32_t lfn_index, long_index; /* F_LONG's slots in the root */
	uint32_t sub, deeper;           /* first clusters */
	uint8_t *deeper_ent;
} g;

static uint8_t *node_ent(const char *dirpath, const char *name, struct fat_node *n)
{
	struct fat_stat st;

	ck_assert_int_eq(fat_stat(v, dirpath, &st), 0);
	ck_assert_int_eq(fat_name_from_utf8(v, name, strlen(name)), 0);
	ck_assert_int_eq(fat_dir_find(v, st.first_cluster, n), 0);
	return mem + (size_t)n->lba * BS + n->off;
}

static uint32_t fat_peek(uint32_t c)
{
	const uint8_t *f = mem + (size_t)v->fat_start * BS;

	if (v->type == 12) {
		uint32_t w = ld_16(f + c + c / 2);

		return (c & 1) ? w >> 4 : w & 0xFFF;
	}
	return v->type == 16 ? ld_16(f + c * 2) : ld_32(f + c * 4) & FAT32_MASK;
}

/* Set FAT entry c to val in the FAT copies of mask (bit k: copy k). */
static void fat_poke(uint32_t c, uint32_t val, unsigned mask)
{
	uint32_t k;

	for (k = 0; k < v->nfats; k++) {
		uint8_t *f = mem + (size_t)(v->fat_start + k * v->fat_size) * BS;

		if (!(mask & (1u << k)))
			continue;
		if (v->type == 12) {
			uint8_t *p = f + c + c / 2;

			if (c & 1) {
				p[0] = (uint8_t)((p[0] & 0x0F) | (val << 4));
				p[1] = (uint8_t)(val >> 4);
			} else {
				p[0] = (uint8_t)val;
				p[1] = (uint8_t)((p[1] & 0xF0) | ((val >> 8) & 0x0F));
			}
		} else if (v->type == 16) {
			st_16(f + c * 2, (uint16_t)val);
		} else {
			st_32(f + c * 4, (ld_32(f + c * 4) & ~FAT32_MASK) | (val & FAT32_MASK));
		}
	}
}

static uint32_t nth(uint32_t first, uint32_t n)
{
	while (n-- > 0)
		first = fat_peek(first);
	return first;
}

static uint32_t eoc(void)
{
	return v->type == 12 ? 0xFFF : v->type == 16 ? 0xFFFF : FAT32_MASK;
}

/* Where entry idx of the directory starting at clus is (0: fixed root). */
static uint8_t *dir_ent(uint32_t clus, uint32_t idx)
{
	uint32_t epc = v->spc * (BS / DIR_ENTRY_SIZE);

	if (clus == 0)
		return mem + (size_t)v->root_start * BS + idx * DIR_ENTRY_SIZE;
	clus = nth(clus, idx / epc);
	return mem + (size_t)fat_clus_lba(v, clus) * BS + idx % epc * DIR_ENTRY_SIZE;
}

/* A fresh image of type t with the files of files[], its copy in clean. */
static void populate(int t)
{
	struct fat_node n;
	struct fat_stat st;
	int i;

	if (t == 12)
		make_image("-F 12", 4096);
	else if (t == 16)
		make_image("-F 16", 32768);
	else
		make_image("-F 32 -s 1", 40000);
	load();
	mount_rw();
	ck_assert_int_eq(v->type, t);
	ck_assert_int_eq(fat_mkdir(v, "/sub"), 0);
	ck_assert_int_eq(fat_mkdir(v, "/sub/deeper"), 0);
	for (i = 0; i < NFILES; i++)
		put_file(files[i].path, (uint32_t)i + 1, file_size(i));
	ck_assert_int_eq(fat_unmount(v), 0);

	mount_rw();
	memset(&g, 0, sizeof(g));
	g.type = t;
	for (i = 0; i < NFILES; i++) {
		const char *slash = strrchr(files[i].path, '/');
		char parent[64];

		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - files[i].path),
		         files[i].path);
		g.ent[i] = node_ent(parent[0] ? parent : "/", slash + 1, &n);
		g.first[i] = fat_ent_first(v, g.ent[i]);
		if (i == F_LONG) {
			ck_assert_int_eq(n.nlfn, 2);
			g.lfn_index = n.lfn_index;
			g.long_index = n.index;
		}
	}
	ck_assert_int_eq(fat_stat(v, "/sub", &st), 0);
	g.sub = st.first_cluster;
	g.deeper_ent = node_ent("/sub", "deeper", &n);
	g.deeper = fat_ent_first(v, g.deeper_ent);
	said_len = 0;
	ck_assert_msg(check(0) == 0, "populated image not clean to us:\n%s", said);
	ck_assert_int_eq(rep.files, NFILES);
	ck_assert_int_eq(rep.dirs, 2);
	ck_assert_int_eq(fat_unmount(v), 0);
	free(clean);
	clean = malloc(mem_size);
	ck_assert_ptr_nonnull(clean);
	memcpy(clean, mem, mem_size);
}

/* ------------------------------------------------------------ damage */

static void d_lost(void)
{
	uint32_t c = v->nclusters + 1;         /* the last clusters are free */

	fat_poke(c - 2, c - 1, 3);
	fat_poke(c - 1, c, 3);
	fat_poke(c, eoc(), 3);
}

static void d_cross(void)
{
	fat_poke(g.first[F_OTHER], nth(g.first[F_VICTIM], 1), 3);
}

static void d_range(void)
{
	fat_poke(nth(g.first[F_VICTIM], 1), v->nclusters + 7, 3);
}

static void d_free(void)
{
	fat_poke(nth(g.first[F_VICTIM], 2), 0, 3);
}

static void d_bad(void)
{
	fat_poke(nth(g.first[F_VICTIM], 2), eoc() - 8, 3);
}

static void d_loop(void)
{
	fat_poke(nth(g.first[F_VICTIM], 3), g.first[F_VICTIM], 3);
}

static void d_size_big(void)
{
	st_32(g.ent[F_VICTIM] + DIR_FILE_SIZE, file_size(F_VICTIM) + 5 * fat_csize(v));
}

static void d_size_small(void)
{
	st_32(g.ent[F_VICTIM] + DIR_FILE_SIZE, 1);
}

static void d_first(void)
{
	fat_ent_set_first(v, g.ent[F_VICTIM], v->nclusters + 100);
}

static void d_name(void)
{
	g.ent[F_VICTIM][1] = '*';
}

static void d_attr(void)
{
	g.ent[F_VICTIM][DIR_ATTR] = ATTR_VOLUME_ID | ATTR_DIRECTORY;
}

static void d_lfn_sum(void)
{
	uint32_t i, root = v->type == 32 ? v->root_clus : 0;

	for (i = g.lfn_index; i < g.long_index; i++)
		dir_ent(root, i)[LDIR_CHKSUM] ^= 0x5A;
}

static void d_lfn_orphan(void)
{
	g.ent[F_LONG][DIR_NAME] = DIR_FREE;
}

static void d_dots(void)
{
	uint8_t *d = mem + (size_t)fat_clus_lba(v, g.deeper) * BS;

	fat_ent_set_first(v, d, g.deeper + 1);                  /* "." */
	fat_ent_set_first(v, d + DIR_ENTRY_SIZE, g.first[F_KEEP]);     /* ".." */
}

static void d_fat_copy(void)
{
	fat_poke(v->nclusters - 3, eoc(), 2);
}

static void d_fsinfo(void)
{
	st_32(mem + (size_t)v->fsinfo_lba * BS + FSI_FREE_COUNT, 5);
}

static void d_dirty(void)
{
	mem[(size_t)v->vol_start * BS + (v->type == 32 ? BS32_RESERVED1 : BS16_RESERVED1)] |= 1;
}

static void d_fat_head(void)
{
	uint32_t k;

	for (k = 0; k < v->nfats; k++) {
		uint8_t *f = mem + (size_t)(v->fat_start + k * v->fat_size) * BS;

		if (v->type == 12)
			f[0] = 0x12;            /* FAT[0]: no media byte */
		else if (v->type == 16)
			f[3] &= 0x7F;           /* FAT[1]: not shut down cleanly */
		else
			f[7] &= 0xF7;
	}
}

static void d_end_mark(void)
{
	g.ent[F_A][DIR_NAME] = DIR_FREE_LAST;   /* a.txt "ends" the root */
}

static void d_dup(void)
{
	memcpy(g.ent[F_B], g.ent[F_A], 11);     /* b.txt named A.TXT too */
}

static void d_cycle(void)
{
	fat_ent_set_first(v, g.deeper_ent, g.sub);      /* deeper is sub again */
}

struct dcase {
	const char *name;
	void (*damage)(void);
	size_t counter;                 /* offsetof in struct fat_check_report */
	uint32_t damaged;               /* bit i: files[i] may change */
	const char *fsck_says;          /* fsck.fat's text, where it exits 0 */
	int fat32_only;
};

#define C(f) offsetof(struct fat_check_report, f)
#define B(i) (1u << (i))
static const struct dcase cases[] = {
	{ "lost clusters", d_lost, C(lost_clusters), 0, NULL, 0 },
	{ "cross-link", d_cross, C(cross_links), B(F_OTHER), NULL, 0 },
	{ "chain leaves the volume", d_range, C(bad_chains), B(F_VICTIM), NULL, 0 },
	{ "chain into a free cluster", d_free, C(bad_chains), B(F_VICTIM), NULL, 0 },
	{ "chain into a bad cluster", d_bad, C(bad_chains), B(F_VICTIM), NULL, 0 },
	{ "chain loops", d_loop, C(bad_chains), B(F_VICTIM), NULL, 0 },
	{ "size beyond the chain", d_size_big, C(size_mismatch), B(F_VICTIM), NULL, 0 },
	{ "chain beyond the size", d_size_small, C(size_mismatch), B(F_VICTIM), NULL, 0 },
	{ "invalid first cluster", d_first, C(bad_entries), B(F_VICTIM), NULL, 0 },
	{ "garbage name", d_name, C(bad_entries), B(F_VICTIM), NULL, 0 },
	{ "garbage attributes", d_attr, C(bad_entries), B(F_VICTIM), NULL, 0 },
	{ "long name checksum", d_lfn_sum, C(bad_lfn), B(F_LONG), "Wrong checksum", 0 },
	{ "orphan long name", d_lfn_orphan, C(bad_lfn), B(F_LONG), NULL, 0 },
	{ "wrong . and ..", d_dots, C(bad_dots), 0, NULL, 0 },
	{ "FAT copies differ", d_fat_copy, C(fat_copies), 0, NULL, 0 },
	{ "FSInfo free count", d_fsinfo, C(fsinfo), 0, NULL, 1 },
	{ "dirty bit", d_dirty, C(dirty), 0, NULL, 0 },
	{ "FAT entries 0 and 1", d_fat_head, C(fat_head), 0, NULL, 0 },
	{ "entries after the end mark", d_end_mark, C(bad_entries), B(F_A), NULL, 0 },
	{ "duplicate 8.3 name", d_dup, C(bad_entries), B(F_B), NULL, 0 },
	{ "directory cycle", d_cycle, C(cross_links), B(F_Y), NULL, 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static uint32_t counter(const struct dcase *dc)
{
	uint32_t n;

	memcpy(&n, (const uint8_t *)&rep + dc->counter, sizeof(n));
	return n;
}

/* The files not damaged read back, through the engine and mcopy. */
static void check_files(uint32_t damaged)
{
	int i;

	mount_rw();
	for (i = 0; i < NFILES; i++)
		if (!(damaged & B(i)))
			check_engine(files[i].path, (uint32_t)i + 1, file_size(i));
	ck_assert_int_eq(fat_unmount(v), 0);
	for (i = 0; i < NFILES; i++)
		if (!(damaged & B(i)))
			check_mtools(files[i].path, (uint32_t)i + 1, file_size(i));
}

static void run_case(const struct dcase *dc)
{
	int r, st;

	memcpy(mem, clean, mem_size);
	mount_rw();             /* for the geometry; nothing is written */
	dc->damage();
	ck_assert_int_eq(fat_unmount(v), 0);
	save();

	/* the judge sees it */
	st = sh("fsck.fat -n fat.img");
	ck_assert_msg(dc->fsck_says ? strstr(out_text(), dc->fsck_says) != NULL : st == 1,
	              "FAT%d %s: fsck.fat -n does not see the damage (%d):\n%s", g.type,
	              dc->name, st, out_text());

	/* check only: counted, nothing written */
	memcpy(before, mem, mem_size);
	mount_rw();
	r = check(0);
	ck_assert_msg(r > 0 && counter(dc) > 0, "FAT%d %s: check-only returns %d:\n%s",
	              g.type, dc->name, r, said);
	ck_assert_msg(memcmp(before, mem, mem_size) == 0, "FAT%d %s: check-only wrote",
	              g.type, dc->name);
	ck_assert_int_eq(fat_unmount(v), 0);
	memcpy(mem, before, mem_size);

	/* repair, then clean to us on the same mount and on the next */
	mount_rw();
	r = check(FAT_CHECK_REPAIR);
	ck_assert_msg(r > 0 && counter(dc) > 0, "FAT%d %s: repair returns %d:\n%s", g.type,
	              dc->name, r, said);
	if (getenv("FATCHECK_VERBOSE") != NULL)        /* what the repair says */
		printf("FAT%d %s: %d\n%s", g.type, dc->name, r, said);
	r = check(0);
	ck_assert_msg(r == 0, "FAT%d %s: after the repair, check says %d:\n%s", g.type,
	              dc->name, r, said);
	ck_assert_int_eq(fat_unmount(v), 0);
	ck_assert_uint_eq(mem[(size_t)v->vol_start * BS +
	                      (g.type == 32 ? BS32_RESERVED1 : BS16_RESERVED1)] & 1, 0);
	memcpy(before, mem, mem_size);
	mount_rw();
	r = check(FAT_CHECK_REPAIR);
	ck_assert_msg(r == 0, "FAT%d %s: a second repair finds %d:\n%s", g.type, dc->name, r,
	              said);
	ck_assert_int_eq(fat_unmount(v), 0);
	ck_assert_msg(memcmp(before, mem, mem_size) == 0, "FAT%d %s: a second repair wrote",
	              g.type, dc->name);

	/* the judges */
	save();
	fsck_clean(dc->name);
	check_files(dc->damaged);
}

/* ------------------------------------------------------------ tests */

START_TEST(test_clean)
{
	populate(types[_i]);
	mount_rw();
	ck_assert_int_eq(check(0), 0);
	ck_assert_int_eq(check(FAT_CHECK_REPAIR), 0);
	ck_assert_uint_eq(said_len, 0);
	ck_assert_int_eq(fat_unmount(v), 0);
	ck_assert_msg(memcmp(clean, mem, mem_size) == 0, "a repair of a clean volume wrote");
	save();
	fsck_clean("clean");
	/* the scratch must be big enough; repair needs a writable mount */
	mount_rw();
	ck_assert_int_eq(fat_check(v, 0, map, fat_check_map_size(v) - 1, NULL, NULL, NULL),
	                 -NOS_ENOMEM);
	ck_assert_int_eq(fat_check(v, 0, map, map_size, NULL, NULL, NULL), 0);
	ck_assert_int_ge(fat_open(v, "/keep.bin", FAT_O_RDONLY), 0);
	ck_assert_int_eq(fat_check(v, 0, map, map_size, NULL, NULL, NULL), -NOS_EBUSY);
	ck_assert_int_eq(fat_unmount(v), 0);
	ck_assert_int_eq(fat_mount(v, &be, FAT_MOUNT_RO, fixed_now, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(fat_check(v, FAT_CHECK_REPAIR, map, map_size, NULL, NULL, NULL),
	                 -NOS_EROFS);
	ck_assert_int_eq(fat_check(v, 0, map, map_size, NULL, NULL, NULL), 0);
	ck_assert_int_eq(fat_unmount(v), 0);
}
END_TEST

START_TEST(test_damage)
{
	size_t i;

	populate(types[_i]);
	for (i = 0; i < NCASES; i++)
		if (!cases[i].fat32_only || types[_i] == 32)
			run_case(&cases[i]);
}
END_TEST

/* The duplicate's data survives under its new name. */
START_TEST(test_dup_renamed)
{
	struct fat_dirent de;
	char path[FAT_NAME_MAX + 2];
	int h, n = 0;

	populate(16);
	run_case(&cases[NCASES - 2]);
	mount_rw();
	h = fat_opendir(v, "/");
	ck_assert_int_ge(h, 0);
	while (fat_readdir(v, h, &de) == 1)
		if (strncmp(de.name, "FSCK", 4) == 0) {
			snprintf(path, sizeof(path), "/%s", de.name);
			n++;
		}
	ck_assert_int_eq(fat_close(v, h), 0);
	ck_assert_int_eq(n, 1);
	check_engine(path, F_B + 1, file_size(F_B));
	ck_assert_int_eq(fat_unmount(v), 0);
	check_mtools(path, F_B + 1, file_size(F_B));
}
END_TEST

/* Deeper than FAT_CHECK_DEPTH: reported, the entry that goes too deep is
 * deleted, what is above it stays. */
START_TEST(test_too_deep)
{
	char path[512] = "";
	int i, r;

	make_image("-F 16", 32768);
	load();
	mount_rw();
	for (i = 0; i < FAT_CHECK_DEPTH + 2; i++) {
		strcat(path, "/d");
		ck_assert_int_eq(fat_mkdir(v, path), 0);
		if (i == FAT_CHECK_DEPTH - 2) {
			strcat(path, "/f");
			put_file(path, 77, 3000);
			path[strlen(path) - 2] = '\0';
		}
	}
	ck_assert_int_eq(fat_unmount(v), 0);
	save();
	mount_rw();
	r = check(0);
	ck_assert_msg(r > 0 && rep.bad_entries == 1, "%d:\n%s", r, said);
	ck_assert_int_eq(rep.dirs, FAT_CHECK_DEPTH);
	r = check(FAT_CHECK_REPAIR);
	ck_assert_msg(r > 0, "%d:\n%s", r, said);
	ck_assert_int_eq(check(0), 0);
	path[0] = '\0';
	for (i = 0; i < FAT_CHECK_DEPTH - 1; i++)
		strcat(path, "/d");
	strcat(path, "/f");
	check_engine(path, 77, 3000);
	ck_assert_int_eq(fat_unmount(v), 0);
	save();
	fsck_clean("too deep");
}
END_TEST

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random pokes in the FAT and directory areas: repair never fails, then
 * both checkers find nothing (fsck.fat on every 10th). */
START_TEST(test_fuzz)
{
	static const uint8_t special[] = { 0x00, 0xE5, 0x0F, 0xFF, 0x2E, 0x10, 0x08, 0x01 };
	uint32_t dirs[4], ndirs = 0, iters = 200 * (uint32_t)test_scale(), it, k, fat_bytes;
	struct fat_stat st;
	int t = _i == 0 ? 12 : 16, r;
	uint32_t found = 0;

	make_image(t == 12 ? "-F 12" : "-F 16 -s 1", t == 12 ? 1024 : 2200);
	load();
	mount_rw();
	ck_assert_int_eq(v->type, t);
	ck_assert_int_eq(fat_mkdir(v, "/dir one"), 0);
	ck_assert_int_eq(fat_mkdir(v, "/dir one/two"), 0);
	ck_assert_int_eq(fat_mkdir(v, "/three"), 0);
	for (k = 0; k < 24; k++) {
		char p[80];

		snprintf(p, sizeof(p), "%s/file with a long name %u.bin",
		         k % 3 == 0 ? "" : k % 3 == 1 ? "/dir one" : "/dir one/two", k);
		put_file(p, k, (k * 737) % 6000);
		snprintf(p, sizeof(p), "/three/F%u.TXT", k);
		put_file(p, k + 100, (k * 211) % 3000);
	}
	for (k = 0; k < 3; k++) {
		ck_assert_int_eq(fat_stat(v, k == 0 ? "/dir one" : k == 1 ? "/dir one/two" : "/three",
		                          &st), 0);
		dirs[ndirs++] = st.first_cluster;
	}
	ck_assert_int_eq(fat_unmount(v), 0);
	free(clean);
	clean = malloc(mem_size);
	memcpy(clean, mem, mem_size);
	mount_rw();
	fat_bytes = v->fat_size * v->nfats * BS;

	for (it = 0; it < iters; it++) {
		uint32_t npokes = 1 + it % 6;

		rnd_state = 0x9E3779B9u ^ (it * 2654435761u) ^ (uint32_t)t;
		memcpy(mem, clean, mem_size);
		for (k = 0; k < npokes; k++) {
			uint32_t where = rnd(), which = rnd() % 4;
			uint8_t val = rnd() % 3 == 0 ? special[rnd() % sizeof(special)] : (uint8_t)rnd();
			size_t off;

			if (which == 0)         /* anywhere in the FATs */
				off = (size_t)v->fat_start * BS + where % fat_bytes;
			else if (which == 1)    /* the used start of a FAT copy */
				off = (size_t)(v->fat_start + (where >> 20) % v->nfats * v->fat_size) * BS +
				      where % 256;
			else if (which == 2)    /* the root directory's first sectors */
				off = (size_t)v->root_start * BS + where % (4 * BS);
			else                    /* a subdirectory's first cluster */
				off = (size_t)fat_clus_lba(v, dirs[(where >> 24) % ndirs]) * BS +
				      where % fat_csize(v);
			mem[off] = val;
		}
		ck_assert_int_eq(fat_unmount(v), 0);
		mount_rw();
		r = check(FAT_CHECK_REPAIR);
		if (r < 0)
			ck_abort_msg("FAT%d iteration %u: repair returns %d:\n%s", t, it, r, said);
		found += r > 0;
		r = check(0);
		if (r != 0)
			ck_abort_msg("FAT%d iteration %u: after the repair, check finds %d:\n%s", t,
			             it, r, said);
		if (it % 10 == 0) {
			ck_assert_int_eq(fat_unmount(v), 0);
			save();
			fsck_clean("fuzz");
			mount_rw();
		}
	}
	ck_assert_int_eq(fat_unmount(v), 0);
	/* the pokes do damage: most runs have something to repair */
	ck_assert_msg(found > iters / 2, "only %u of %u fuzz runs found damage", found, iters);
	if (getenv("FATCHECK_VERBOSE") != NULL)
		printf("FAT%d fuzz: %u of %u runs repaired something\n", t, found, iters);
}
END_TEST

static Suite *fatcheck_suite(void)
{
	Suite *s = suite_create("fatcheck");
	TCase *tc = tcase_create("fatcheck");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_clean, 0, 3);
	tcase_add_loop_test(tc, test_damage, 0, 3);
	tcase_add_test(tc, test_dup_renamed);
	tcase_add_test(tc, test_too_deep);
	tcase_add_loop_test(tc, test_fuzz, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(fatcheck_suite)
