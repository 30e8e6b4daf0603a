/*
 * test_format.c: SD card images -- MBR and FAT12/16/32 formatting
 * (sdimage/mbr.c, sdimage/fat_format.c) -- judged by independent tools:
 * fsck.fat -n must find nothing, mtools must read and write the volume
 * (and fsck.fat stay silent after it wrote), and for every size we choose
 * the same FAT type, cluster size and layout as mkfs.fat -C.
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

#include "kproc/fat_layout.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "kproc/sdcard.h"
#include "sdimage/fat_format.h"
#include "sdimage/mbr.h"
#include "sdimage/sd_file.h"
#include "testutil.h"

#define MIB (1024u * 1024u)

static char dir[64];
static char img[128];
static char out[128];           /* helper commands' output */

static void setup(void)
{
	strcpy(dir, "/tmp/nanoos-format-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/sd.img", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
}

static void teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run a shell command, its output in `out`; its exit status. */
static int sh_status(const char *fmt, ...)
{
	char cmd[1024], full[1200];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "export MTOOLS_SKIP_CHECK=1; ( %s ) >'%s' 2>&1", cmd, out);
	st = system(full);
	ck_assert_msg(st != -1 && WIFEXITED(st), "could not run: %s", cmd);
	return WEXITSTATUS(st);
}

/* The first bytes of `out`, for messages. */
static const char *out_text(void)
{
	static char text[2048];
	FILE *fp = fopen(out, "r");
	size_t n = 0;

	if (fp) {
		n = fread(text, 1, sizeof(text) - 1, fp);
		fclose(fp);
	}
	text[n] = '\0';
	return text;
}

#define sh_ok(...)                                                             \
	do {                                                                   \
		int st_ = sh_status(__VA_ARGS__);                              \
		ck_assert_msg(st_ == 0, "exit status %d: %s", st_, out_text()); \
	} while (0)

static int out_has(const char *s)
{
	return strstr(out_text(), s) != NULL;
}

static void make_file(const char *path, uint64_t bytes)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)bytes), 0);
	ck_assert_int_eq(close(fd), 0);
}

static void read_at(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* Make img (bytes) a card through sd_file; the result of sdimage_format. */
static int make_card(uint64_t bytes, unsigned flags, const struct fat_format_opts *o,
                     struct sdimage_layout *l, char *err, size_t errlen)
{
	struct sd_file f;
	char ferr[256];
	int rc;

	make_file(img, bytes);
	ck_assert_msg(sd_file_open(&f, img, 0, ferr, sizeof(ferr)) == 0, "%s", ferr);
	rc = sdimage_format(&f.be, flags, o, l, err, errlen);
	ck_assert_int_eq(sd_file_close(&f), 0);
	return rc;
}

/* fsck.fat -n on the volume at sector `start` of img: must find nothing. */
static void fsck_clean(uint32_t start)
{
	if (start == 0) {
		sh_ok("fsck.fat -n '%s'", img);
		return;
	}
	sh_ok("dd if='%s' of='%s/part' bs=512 skip=%u conv=sparse status=none", img, dir, start);
	sh_ok("fsck.fat -n '%s/part'", dir);
	sh_ok("rm -f '%s/part'", dir);
}

/* The boot sector fields two formatters must agree on. */
struct bpb {
	char type[9];
	unsigned spc, rsvd, root, fat, total, spt, heads;
};

static void bpb_parse(const uint8_t *s, struct bpb *b)
{
	int f32 = ld_16(s + BPB_FAT_SZ16) == 0;

	memcpy(b->type, s + (f32 ? BS32_FIL_SYS_TYPE : BS16_FIL_SYS_TYPE), 8);
	b->type[8] = '\0';
	b->spc = s[BPB_SEC_PER_CLUS];
	b->rsvd = ld_16(s + BPB_RSVD_SEC_CNT);
	b->root = ld_16(s + BPB_ROOT_ENT_CNT);
	b->fat = f32 ? ld_32(s + BPB32_FAT_SZ32) : ld_16(s + BPB_FAT_SZ16);
	b->total = ld_16(s + BPB_TOT_SEC16) ? ld_16(s + BPB_TOT_SEC16) : ld_32(s + BPB_TOT_SEC32);
	b->spt = ld_16(s + BPB_SEC_PER_TRK);
	b->heads = ld_16(s + BPB_NUM_HEADS);
}

/* ---------------------------------------------------------------- the table */

struct card_case {
	uint32_t vol_mib;       /* the volume (the image adds 1 MiB for the MBR) */
	uint8_t force;          /* 0: by size */
	uint8_t want;           /* the FAT type expected */
	uint8_t bare;
	const char *label;      /* NULL: none */
	const char *want_label; /* as it must appear */
	uint8_t part_type;      /* expected MBR type (0: bare) */
};

static const struct card_case cases[] = {
	{ 1, 0, 12, 0, "boot", "BOOT       ", PT_FAT12 },
	{ 4, 0, 12, 1, NULL, "NO NAME    ", 0 },
	{ 4, 12, 12, 0, "NanoOs 12", "NANOOS 12  ", PT_FAT12 },
	{ 16, 0, 16, 0, "SIXTEEN", "SIXTEEN    ", PT_FAT16_SMALL },
	{ 64, 0, 16, 0, NULL, "NO NAME    ", PT_FAT16 },
	{ 64, 32, 32, 0, "F32_64M", "F32_64M    ", PT_FAT32_LBA },
	{ 256, 32, 32, 0, "NANOOS", "NANOOS     ", PT_FAT32_LBA },
	{ 1024, 0, 32, 1, "BIG ONE", "BIG ONE    ", 0 },
};

/* Format one case, then judge it with fsck.fat, mtools and our own eyes. */
START_TEST(test_card)
{
	const struct card_case *c = &cases[_i];
	struct fat_format_opts o = { .fat_type = c->force, .label = c->label,
	                             .volume_id = 0x4E4F0000u + (uint32_t)_i };
	struct sdimage_layout l;
	uint64_t bytes = (uint64_t)c->vol_mib * MIB + (c->bare ? 0 : MIB);
	uint32_t start = c->bare ? 0 : MBR_ALIGN_SECTORS;
	uint64_t off = (uint64_t)start * 512;
	uint8_t s0[512], bs[512];
	struct mbr_entry e;
	struct bpb b;
	char err[256];
	char host[160], back[160];
	uint8_t data[70001];
	size_t i;
	FILE *fp;

	ck_assert_msg(make_card(bytes, c->bare ? SDIMAGE_BARE : 0, &o, &l, err, sizeof(err)) == 0,
	              "%s", err);
	ck_assert_uint_eq(l.geom.fat_type, c->want);
	ck_assert_uint_eq(l.part_start, start);
	ck_assert_uint_eq(l.part_type, c->part_type);

	/* MBR: our reader, and the raw fields. */
	read_at(img, 0, s0, sizeof(s0));
	read_at(img, off, bs, sizeof(bs));
	if (!c->bare) {
		ck_assert_int_eq(mbr_read(s0, (uint32_t)(bytes / 512), &e), 0);
		ck_assert_uint_eq(e.type, c->part_type);
		ck_assert_uint_eq(e.lba_start, 2048);
		ck_assert_uint_eq(e.lba_count, (uint32_t)(bytes / 512) - 2048);
		ck_assert_uint_eq(e.index, 0);
		ck_assert_uint_eq(ld_32(s0 + 440), o.volume_id);
		ck_assert_uint_eq(s0[MBR_PART_TABLE + PTE_CHS_FIRST], 0x20);
		ck_assert_uint_eq(s0[MBR_PART_TABLE + PTE_CHS_FIRST + 1], 0x21);
		ck_assert_uint_eq(s0[MBR_PART_TABLE + PTE_CHS_FIRST + 2], 0x00);
		ck_assert_uint_eq(s0[510], 0x55);
		ck_assert_uint_eq(s0[511], 0xAA);
	} else {
		ck_assert_int_eq(mbr_read(s0, (uint32_t)(bytes / 512), &e), -NOS_ENOENT);
	}

	/* Boot sector: what we promised. */
	bpb_parse(bs, &b);
	ck_assert_uint_eq(ld_32(bs + BPB_HIDD_SEC), start);
	ck_assert_mem_eq(bs + BS_OEM_NAME, "NANOOS  ", 8);
	ck_assert_uint_eq(bs[BPB_MEDIA], 0xF8);
	ck_assert_uint_eq(bs[BPB_NUM_FATS], 2);
	ck_assert_uint_eq(b.spc, l.geom.sec_per_clus);
	ck_assert_uint_eq(b.total, l.geom.total_sectors);
	if (c->want == 32) {
		ck_assert_mem_eq(bs + BS32_VOL_LAB, c->want_label, 11);
		ck_assert_uint_eq(ld_32(bs + BS32_VOL_ID), o.volume_id);
		ck_assert_uint_eq(b.root, 0);
		ck_assert_uint_eq(b.rsvd % 32, 0);
	} else {
		ck_assert_mem_eq(bs + BS16_VOL_LAB, c->want_label, 11);
		ck_assert_uint_eq(ld_32(bs + BS16_VOL_ID), o.volume_id);
		ck_assert_uint_eq(b.root, 512);
	}
	ck_assert_uint_eq(l.geom.data_start % (l.geom.total_sectors > 8192 ? b.spc : 1), 0);

	/* Judge 1: fsck.fat finds nothing. */
	fsck_clean(start);

	/* Judge 2: mtools reads it -- label, serial -- and writes a file that
	 * reads back byte-equal; fsck.fat still finds nothing after. */
	sh_ok("minfo -i '%s@@%llu' ::", img, (unsigned long long)off);
	ck_assert_msg(out_has(c->want_label), "minfo: %s", out_text());
	sh_ok("mdir -i '%s@@%llu' ::", img, (unsigned long long)off);
	if (c->label != NULL)
		ck_assert_msg(out_has("Volume in drive : is ") && out_has(c->want_label),
		              "mdir: %s", out_text());
	else
		ck_assert_msg(out_has("has no label"), "mdir: %s", out_text());
	snprintf(host, sizeof(host), "%s/host.bin", dir);
	snprintf(back, sizeof(back), "%s/back.bin", dir);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131u + _i);
	fp = fopen(host, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(data, 1, sizeof(data), fp), sizeof(data));
	ck_assert_int_eq(fclose(fp), 0);
	sh_ok("mcopy -i '%s@@%llu' '%s' ::/X.BIN", img, (unsigned long long)off, host);
	sh_ok("mmd -i '%s@@%llu' ::/SUB && mcopy -i '%s@@%llu' '%s' ::/SUB/Y.BIN", img,
	      (unsigned long long)off, img, (unsigned long long)off, host);
	sh_ok("mcopy -n -i '%s@@%llu' ::/X.BIN '%s' && cmp '%s' '%s'", img,
	      (unsigned long long)off, back, host, back);
	sh_ok("mtype -i '%s@@%llu' ::/SUB/Y.BIN > '%s' && cmp '%s' '%s'", img,
	      (unsigned long long)off, back, host, back);
	sh_ok("mdir -i '%s@@%llu' ::", img, (unsigned long long)off);
	ck_assert_msg(out_has("X        BIN") && out_has("70001"), "mdir: %s", out_text());
	fsck_clean(start);
}
END_TEST

/* ---------------------------------------------------------------- vs mkfs.fat */

/* For each size, a bare volume of ours and one from mkfs.fat -C of the same
 * sector count: same FAT type, cluster size and layout. */
START_TEST(test_same_as_mkfs)
{
	static const uint32_t kib[] = { 1024, 2048, 4096, 8192, 8704, 16384, 32768, 65536,
	                                133120, 262144, 523264, 524288, 1048576 };
	struct fat_format_opts o = { .volume_id = 0x12345678u };
	char mk[160], err[256];
	uint8_t ours[512], theirs[512];
	struct bpb a, b;
	size_t i;

	snprintf(mk, sizeof(mk), "%s/mkfs.img", dir);
	for (i = 0; i < sizeof(kib) / sizeof(kib[0]); i++) {
		ck_assert_msg(make_card((uint64_t)kib[i] * 1024, SDIMAGE_BARE, &o, NULL, err,
		                        sizeof(err)) == 0, "%u KiB: %s", kib[i], err);
		sh_ok("rm -f '%s' && mkfs.fat -C -i 12345678 '%s' %u", mk, mk, kib[i]);
		read_at(img, 0, ours, sizeof(ours));
		read_at(mk, 0, theirs, sizeof(theirs));
		bpb_parse(ours, &a);
		bpb_parse(theirs, &b);
		ck_assert_msg(strcmp(a.type, b.type) == 0 && a.spc == b.spc && a.rsvd == b.rsvd &&
		              a.root == b.root && a.fat == b.fat && a.total == b.total &&
		              a.spt == b.spt && a.heads == b.heads,
		              "%u KiB: ours %s spc %u rsvd %u root %u fat %u total %u chs %u/%u, "
		              "mkfs.fat %s spc %u rsvd %u root %u fat %u total %u chs %u/%u",
		              kib[i], a.type, a.spc, a.rsvd, a.root, a.fat, a.total, a.spt, a.heads,
		              b.type, b.spc, b.rsvd, b.root, b.fat, b.total, b.spt, b.heads);
		fsck_clean(0);
	}
}
END_TEST

/* fat_plan alone over many sizes (no I/O): it agrees with the boundaries
 * mkfs.fat draws -- FAT12 up to 4084 clusters, FAT16 from 4087, FAT32 from
 * 512 MiB -- and every plan is self-consistent. */
START_TEST(test_plan_consistent)
{
	struct fat_geometry g;
	uint64_t s;
	uint32_t sec;

	for (s = 128; s < (uint64_t)0xFFFFFFFFu; s = s * 17 / 16 + 1) {
		sec = (uint32_t)s;
		require(fat_plan(sec, 0, &g, NULL, 0) == 0);
		require(g.total_sectors <= sec);
		require(g.data_start == g.rsvd_sectors + 2 * g.fat_sectors + g.root_sectors);
		require(g.clusters == (g.total_sectors - g.data_start) / g.sec_per_clus);
		require((uint64_t)g.fat_sectors * 512 * 8 / g.fat_type >= (uint64_t)g.clusters + 2);
		if (g.fat_type == 12)
			require(g.clusters <= 4084 && sec < 1048576);
		else if (g.fat_type == 16)
			require(g.clusters >= 4087 && g.clusters <= 65524 && sec < 1048576);
		else
			require(g.clusters >= 65525 && sec >= 1048576 && g.rsvd_sectors >= 32);
	}
}
END_TEST

/* ---------------------------------------------------------------- errors */

START_TEST(test_errors)
{
	struct fat_format_opts o = { .volume_id = 1 };
	char err[256];
	uint8_t s0[512], zero[512];
	static const char *bad_labels[] = { "A.B", "X*Y", "TAB\tX", "TWELVE CHARS", " LEAD",
	                                    "Q?", "a/b", "\xC3\xA9T\xC3\xA9" };
	size_t i;

	memset(zero, 0, sizeof(zero));
	/* FAT32 forced on 8 MiB: the message names the limit and the size. */
	o.fat_type = 32;
	ck_assert_int_eq(make_card(8 * MIB, SDIMAGE_BARE, &o, NULL, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "FAT32") && strstr(err, "65525 clusters") &&
	              strstr(err, "33 MiB") && strstr(err, "this one is 8192 KiB"), "%s", err);
	read_at(img, 0, s0, sizeof(s0));
	ck_assert_mem_eq(s0, zero, sizeof(zero));       /* nothing written */
	/* FAT12 forced on 1 GiB. */
	o.fat_type = 12;
	ck_assert_int_eq(make_card(1024ull * MIB, SDIMAGE_BARE, &o, NULL, err, sizeof(err)),
	                 -NOS_EINVAL);
	ck_assert_msg(strstr(err, "FAT12") && strstr(err, "to 255 MiB") &&
	              strstr(err, "this one is 1024 MiB"), "%s", err);
	/* FAT16 forced on 1 MiB. */
	o.fat_type = 16;
	ck_assert_int_eq(make_card(1 * MIB, SDIMAGE_BARE, &o, NULL, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "FAT16") && strstr(err, "4087 to 65524"), "%s", err);
	/* A FAT type that does not exist. */
	o.fat_type = 24;
	ck_assert_int_eq(make_card(4 * MIB, SDIMAGE_BARE, &o, NULL, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "12, 16 or 32"), "%s", err);
	/* Under the minimum. */
	o.fat_type = 0;
	ck_assert_int_eq(make_card(40 * 1024, SDIMAGE_BARE, &o, NULL, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "at least") && strstr(err, "this one is 40 KiB"), "%s", err);
	/* An MBR needs more than 1 MiB. */
	ck_assert_int_eq(make_card(1 * MIB, 0, &o, NULL, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "1 MiB"), "%s", err);
	/* Labels. */
	for (i = 0; i < sizeof(bad_labels) / sizeof(bad_labels[0]); i++) {
		o.label = bad_labels[i];
		ck_assert_int_eq(make_card(4 * MIB, 0, &o, NULL, err, sizeof(err)), -NOS_EINVAL);
		ck_assert_msg(strstr(err, "label"), "label '%s': %s", bad_labels[i], err);
		read_at(img, 0, s0, sizeof(s0));
		ck_assert_mem_eq(s0, zero, sizeof(zero));
	}
	/* A label of spaces is no label. */
	o.label = "   ";
	ck_assert_int_eq(make_card(4 * MIB, SDIMAGE_BARE, &o, NULL, err, sizeof(err)), 0);
	read_at(img, 0, s0, sizeof(s0));
	ck_assert_mem_eq(s0 + BS16_VOL_LAB, "NO NAME    ", 11);
	fsck_clean(0);
}
END_TEST

/* RAM disk: a read-only device, a volume off the end, a failing write. */
START_TEST(test_backend_errors)
{
	static uint8_t mem[4 * MIB];
	struct fat_format_opts o = { .volume_id = 7 };
	struct sd_backend be, fbe;
	struct sd_ram ram;
	struct sd_fault f;
	struct sd_fault_plan plan = { .fail_write = 3 };
	char err[256];

	ck_assert_int_eq(sd_ram_init(&ram, mem, sizeof(mem), 1, &be), 0);
	ck_assert_int_eq(fat_format(&be, 0, be.blocks, &o, err, sizeof(err)), -NOS_EROFS);
	ck_assert_msg(strstr(err, "read-only"), "%s", err);
	ck_assert_int_eq(mbr_write(&be, 2048, 100, PT_FAT12, 1), -NOS_EROFS);
	ck_assert_int_eq(sd_ram_init(&ram, mem, sizeof(mem), 0, &be), 0);
	ck_assert_int_eq(fat_format(&be, 1, be.blocks, &o, err, sizeof(err)), -NOS_ENXIO);
	ck_assert_int_eq(mbr_write(&be, 2048, be.blocks, PT_FAT12, 1), -NOS_ENXIO);
	ck_assert_int_eq(mbr_write(&be, 2048, 100, 0x83, 1), -NOS_EINVAL);
	ck_assert_int_eq(mbr_write(&be, 0, 100, PT_FAT12, 1), -NOS_EINVAL);
	ck_assert_int_eq(sd_fault_init(&f, &be, &plan, NULL, 0, &fbe), 0);
	ck_assert_int_eq(sdimage_format(&fbe, 0, &o, NULL, err, sizeof(err)), -NOS_EIO);
	ck_assert_msg(strstr(err, "I/O error"), "%s", err);
	/* A work buffer under one sector is refused; one of 64 KiB works. */
	{
		static uint8_t big[64 * 1024];
		uint8_t tiny[100];

		o.buf = tiny;
		o.buflen = sizeof(tiny);
		ck_assert_int_eq(fat_format(&be, 0, be.blocks, &o, err, sizeof(err)), -NOS_EINVAL);
		o.buf = big;
		o.buflen = sizeof(big);
		ck_assert_int_eq(fat_format(&be, 0, be.blocks, &o, err, sizeof(err)), 0);
	}
}
END_TEST

/* Formatting writes metadata only: every data sector but the FAT32 root
 * cluster keeps what it held; both FATs are identical; FSInfo is true. */
static void check_data_untouched(uint32_t mib, uint8_t type)
{
	size_t size = (size_t)mib * MIB;
	uint8_t *mem = malloc(size);
	struct fat_format_opts o = { .fat_type = type, .volume_id = 9, .label = "keep" };
	struct sdimage_layout l;
	struct sd_backend be;
	struct sd_ram ram;
	const struct fat_geometry *g = &l.geom;
	const uint8_t *vol, *p;
	uint32_t first;
	char err[256];
	size_t i;

	ck_assert_ptr_nonnull(mem);
	memset(mem, 0xA5, size);
	ck_assert_int_eq(sd_ram_init(&ram, mem, size, 0, &be), 0);
	ck_assert_msg(sdimage_format(&be, 0, &o, &l, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(g->fat_type, type);
	vol = mem + (size_t)l.part_start * 512;
	first = g->data_start + (type == 32 ? g->sec_per_clus : 0);
	for (p = vol + (size_t)first * 512; p < mem + size; p++)
		require(*p == 0xA5);
	ck_assert_mem_eq(vol + (size_t)g->rsvd_sectors * 512,
	                 vol + (size_t)(g->rsvd_sectors + g->fat_sectors) * 512,
	                 (size_t)g->fat_sectors * 512);
	for (i = 512; i < 2048 * 512; i++)      /* the gap before the partition */
		require(mem[i] == 0);
	if (type == 32) {
		ck_assert_uint_eq(ld_32(vol + 512 + FSI_FREE_COUNT), g->clusters - 1);
		ck_assert_uint_eq(ld_32(vol + 512 + FSI_NXT_FREE), 3);
		ck_assert_mem_eq(vol, vol + 6 * 512, 512);
		ck_assert_mem_eq(vol + 512, vol + 7 * 512, 512);
		ck_assert_uint_eq(ld_32(vol + (size_t)g->rsvd_sectors * 512 + 8) & FAT32_MASK,
		                  FAT32_MASK);
	}
	ck_assert_uint_eq(vol[(size_t)g->rsvd_sectors * 512], 0xF8);
	free(mem);
}

START_TEST(test_metadata_only)
{
	check_data_untouched(17, 16);
	check_data_untouched(40, 32);
	check_data_untouched(5, 12);
}
END_TEST

/* ---------------------------------------------------------------- MBR */

START_TEST(test_mbr_read)
{
	uint8_t s[512];
	struct mbr_entry e;
	uint8_t *pte = s + MBR_PART_TABLE;

	memset(s, 0, sizeof(s));
	ck_assert_int_eq(mbr_read(s, 10000, &e), -NOS_EINVAL);         /* no 55AA */
	s[510] = 0x55;
	s[511] = 0xAA;
	ck_assert_int_eq(mbr_read(s, 10000, &e), -NOS_ENOENT);         /* empty table */
	pte[PTE_TYPE] = 0x83;
	st_32(pte + PTE_LBA_START, 2048);
	st_32(pte + PTE_LBA_COUNT, 4096);
	ck_assert_int_eq(mbr_read(s, 10000, &e), -NOS_ENODEV);         /* Linux only */
	pte[16 + PTE_TYPE] = PT_FAT32_LBA;
	st_32(pte + 16 + PTE_LBA_START, 6144);
	st_32(pte + 16 + PTE_LBA_COUNT, 4000);
	ck_assert_int_eq(mbr_read(s, 10000, &e), -NOS_ENXIO);          /* past the end */
	ck_assert_int_eq(mbr_read(s, 10144, &e), 0);
	ck_assert_uint_eq(e.index, 1);
	ck_assert_uint_eq(e.type, PT_FAT32_LBA);
	ck_assert_uint_eq(e.lba_start, 6144);
	ck_assert_uint_eq(e.lba_count, 4000);
	st_32(pte + 16 + PTE_LBA_COUNT, 0);
	ck_assert_int_eq(mbr_read(s, 10144, &e), -NOS_ENXIO);          /* empty */
	st_32(pte + 16 + PTE_LBA_START, 0);
	st_32(pte + 16 + PTE_LBA_COUNT, 10144);
	ck_assert_int_eq(mbr_read(s, 10144, &e), -NOS_ENOENT);         /* mkfs --mbr */
	pte[0] = 0x3C;                                                  /* boot code */
	ck_assert_int_eq(mbr_read(s, 10144, &e), -NOS_ENOENT);
	ck_assert_ptr_nonnull(strstr(mbr_strerror(-NOS_ENODEV), "no FAT partition"));

	/* Types by size, and CHS. */
	ck_assert_uint_eq(mbr_type_for(12, 2048, 8192), PT_FAT12);
	ck_assert_uint_eq(mbr_type_for(16, 2048, 65535), PT_FAT16_SMALL);
	ck_assert_uint_eq(mbr_type_for(16, 2048, 131072), PT_FAT16);
	ck_assert_uint_eq(mbr_type_for(16, 2048, 16450560), PT_FAT16_LBA);
	ck_assert_uint_eq(mbr_type_for(32, 2048, 131072), PT_FAT32_LBA);
	ck_assert_uint_eq(mbr_type_for(24, 2048, 131072), 0);
	mbr_chs(16450560, s);                                           /* cylinder 1024 */
	ck_assert_uint_eq(s[0], 0xFE);
	ck_assert_uint_eq(s[1], 0xFF);
	ck_assert_uint_eq(s[2], 0xFF);
	mbr_chs(16450559, s);                                           /* (1023, 254, 63) */
	ck_assert_uint_eq(s[0], 0xFE);
	ck_assert_uint_eq(s[1], 0xFF);
	ck_assert_uint_eq(s[2], 0xFF);
	mbr_chs(63 * 255, s);                                           /* (1, 0, 1) */
	ck_assert_uint_eq(s[0], 0);
	ck_assert_uint_eq(s[1], 1);
	ck_assert_uint_eq(s[2], 1);
}
END_TEST

/* mkfs.fat's bare images are recognized as bare volumes by mbr_read. */
START_TEST(test_mbr_read_mkfs_bare)
{
	uint8_t s[512];
	struct mbr_entry e;

	sh_ok("mkfs.fat -C '%s' 65536", img);
	read_at(img, 0, s, sizeof(s));
	ck_assert_int_eq(mbr_read(s, 131072, &e), -NOS_ENOENT);
	sh_ok("rm -f '%s' && mkfs.fat -C -F 32 '%s' 65536", img, img);
	read_at(img, 0, s, sizeof(s));
	ck_assert_int_eq(mbr_read(s, 131072, &e), -NOS_ENOENT);
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("format");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_card, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_same_as_mkfs);
	tcase_add_test(tc, test_plan_consistent);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_backend_errors);
	tcase_add_test(tc, test_metadata_only);
	tcase_add_test(tc, test_mbr_read);
	tcase_add_test(tc, test_mbr_read_mkfs_bare);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(format_suite)
