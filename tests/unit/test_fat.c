/*
 * test_fat.c: the FAT engine (kproc/fat_*.c) on real images made by
 * mkfs.fat -- FAT12, FAT16 and FAT32, each test run on all three -- judged
 * by independent tools: fsck.fat -n must find nothing after we wrote,
 * mtools (mtype, mdir, mcopy) must read what we wrote byte for byte, and we
 * must read what mcopy wrote. Corrupt images (bad BPB, FAT loops, clusters
 * out of range, truncated images, garbage entries, failing reads) must give
 * errors, never a crash or a hang.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAT_INTERNAL            /* the tests poke at the geometry */
#include "kproc/fat.h"
#include "kproc/le.h"
#include "kproc/sdcard.h"
#include "fatimg.h"
#include "testutil.h"

#define NOW 1700000000u         /* 2023-11-14 22:13:20 UTC */
#define BS FAT_SECTOR_SIZE

static uint8_t *mem;
static size_t mem_size;
static struct sd_ram ram;
static struct sd_backend be;
static struct fat_volume vol, *v = &vol;
static char err[256];

static const int types[3] = { 12, 16, 32 };
static int cur_type;            /* of the image start() made */

static uint32_t fixed_now(void *ctx)
{
	(void)ctx;
	return NOW;
}

static void setup(void)
{
	scratch_open("fat");
	mem = NULL;
}

static void teardown(void)
{
	free(mem);
	scratch_close();
}

/* A fresh mkfs.fat image of FAT type t. */
static void make_image(int t)
{
	unlink(img);
	if (t == 12)
		sh_ok("mkfs.fat", sh("mkfs.fat -F 12 -C fat.img 4096"));
	else if (t == 16)
		sh_ok("mkfs.fat", sh("mkfs.fat -F 16 -C fat.img 32768"));
	else
		sh_ok("mkfs.fat", sh("mkfs.fat -F 32 -s 1 -C fat.img 40000"));
}

/* The image file into RAM, as the disk. */
static void load(void)
{
	free(mem);
	mem = image_read(&mem_size);
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
}

static void start(int t)
{
	make_image(t);
	load();
	mount_rw();
	ck_assert_int_eq(v->type, t);
	cur_type = t;
}

/* Unmount, write the image back, and fsck.fat -n must find nothing. */
static void finish(void)
{
	ck_assert_int_eq(fat_unmount(v), 0);
	save();
	sh_ok("fsck.fat -n", sh("fsck.fat -n fat.img"));
}

/* Byte i of test file `tag`. */
static uint8_t pat(uint32_t tag, uint32_t i)
{
	return (uint8_t)((i * 2654435761u + tag * 40503u) >> 13);
}

static void fill(uint8_t *b, uint32_t tag, uint32_t from, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		b[i] = pat(tag, from + i);
}

/* Create path with n bytes of pattern tag, written in pieces of `step`. */
static void put_file(const char *path, uint32_t tag, uint32_t n, uint32_t step)
{
	static uint8_t buf[65536];
	uint32_t at, k;
	int h = fat_open(v, path, FAT_O_WRONLY | FAT_O_CREAT | FAT_O_TRUNC);

	ck_assert_msg(h >= 0, "open %s: %d", path, h);
	for (at = 0; at < n; at += k) {
		k = n - at < step ? n - at : step;
		fill(buf, tag, at, k);
		require(fat_write(v, h, buf, k) == (int32_t)k);
	}
	ck_assert_int_eq(fat_close(v, h), 0);
}

/* Does path hold n bytes of pattern tag (read in pieces of `step`)? */
static void check_file(const char *path, uint32_t tag, uint32_t n, uint32_t step)
{
	static uint8_t buf[65536], want[65536];
	uint32_t at, k;
	struct fat_stat st;
	int h = fat_open(v, path, FAT_O_RDONLY);

	ck_assert_msg(h >= 0, "open %s: %d", path, h);
	ck_assert_int_eq(fat_fstat(v, h, &st), 0);
	ck_assert_uint_eq(st.size, n);
	for (at = 0; at < n; at += k) {
		k = n - at < step ? n - at : step;
		require(fat_read(v, h, buf, k) == (int32_t)k);
		fill(want, tag, at, k);
		require(memcmp(buf, want, k) == 0);
	}
	ck_assert_int_eq(fat_read(v, h, buf, 1), 0);
	ck_assert_int_eq(fat_close(v, h), 0);
}

/* The host file `host` (in dir) holds n bytes of pattern tag. */
static void check_host(const char *host, uint32_t tag, uint32_t n)
{
	char path[256];
	struct stat st;
	uint8_t *b;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, host);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq((uint64_t)st.st_size, n);
	b = malloc(n + 1);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(b, 1, n, f), n);
	fclose(f);
	for (uint32_t i = 0; i < n; i++)
		require(b[i] == pat(tag, i));
	free(b);
}

static void write_host(const char *host, uint32_t tag, uint32_t n)
{
	char path[256];
	uint8_t *b = malloc(n + 1);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, host);
	fill(b, tag, 0, n);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	fclose(f);
	free(b);
}

/* ------------------------------------------------------------------ tests */

START_TEST(test_mount_statfs)
{
	struct fat_statfs sf;
	char want[64];

	start(types[_i]);
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_int_eq(sf.fat_type, types[_i]);
	ck_assert_uint_eq(sf.free_clusters, sf.total_clusters - (types[_i] == 32 ? 1 : 0));
	/* fsck.fat's count of clusters agrees with ours */
	ck_assert_int_eq(fat_unmount(v), 0);
	sh_ok("fsck", sh("fsck.fat -n fat.img"));
	snprintf(want, sizeof(want), "/%u clusters", sf.total_clusters);
	ck_assert_msg(strstr(out_text(), want) != NULL, "fsck says %s, we %s", out_text(), want);
}
END_TEST

START_TEST(test_read_write)
{
	static uint8_t buf[20000], want[20000];
	uint32_t pos;
	int h;

	start(types[_i]);
	put_file("/small.txt", 1, 1000, 333);
	put_file("/cross.bin", 2, 70001, 4099);
	check_file("/small.txt", 1, 1000, 77);
	check_file("/cross.bin", 2, 70001, 65536);

	/* seek and overwrite in the middle, then read around it */
	h = fat_open(v, "/cross.bin", FAT_O_RDWR);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(fat_seek(v, h, 5000, FAT_SEEK_SET, &pos), 0);
	ck_assert_uint_eq(pos, 5000);
	memset(buf, 0xAB, 3000);
	ck_assert_int_eq(fat_write(v, h, buf, 3000), 3000);
	ck_assert_int_eq(fat_seek(v, h, -4000, FAT_SEEK_CUR, &pos), 0);
	ck_assert_int_eq(fat_read(v, h, buf, 5000), 5000);
	fill(want, 2, 4000, 1000);
	ck_assert_mem_eq(buf, want, 1000);
	for (int i = 1000; i < 4000; i++)
		require(buf[i] == 0xAB);
	fill(want, 2, 8000, 1000);
	ck_assert_mem_eq(buf + 4000, want, 1000);
	ck_assert_int_eq(fat_close(v, h), 0);

	/* append */
	h = fat_open(v, "/small.txt", FAT_O_WRONLY | FAT_O_APPEND);
	ck_assert_int_ge(h, 0);
	fill(buf, 9, 0, 5000);
	ck_assert_int_eq(fat_seek(v, h, 0, FAT_SEEK_SET, NULL), 0);
	ck_assert_int_eq(fat_write(v, h, buf, 5000), 5000);
	ck_assert_int_eq(fat_close(v, h), 0);
	h = fat_open(v, "/small.txt", FAT_O_RDONLY);
	ck_assert_int_eq(fat_read(v, h, buf, sizeof(buf)), 6000);
	fill(want, 1, 0, 1000);
	ck_assert_mem_eq(buf, want, 1000);
	fill(want, 9, 0, 5000);
	ck_assert_mem_eq(buf + 1000, want, 5000);
	ck_assert_int_eq(fat_write(v, h, buf, 1), -NOS_EBADF);
	ck_assert_int_eq(fat_close(v, h), 0);

	/* truncate: grow is zero-filled; shrink then write past the end
	 * leaves zeros in the gap, not the old bytes */
	put_file("/trunc.bin", 3, 20000, 20000);
	h = fat_open(v, "/trunc.bin", FAT_O_RDWR);
	ck_assert_int_eq(fat_ftruncate(v, h, 100), 0);
	ck_assert_int_eq(fat_seek(v, h, 15000, FAT_SEEK_SET, NULL), 0);
	ck_assert_int_eq(fat_write(v, h, "END", 3), 3);
	ck_assert_int_eq(fat_seek(v, h, 0, FAT_SEEK_SET, NULL), 0);
	ck_assert_int_eq(fat_read(v, h, buf, sizeof(buf)), 15003);
	fill(want, 3, 0, 100);
	ck_assert_mem_eq(buf, want, 100);
	for (int i = 100; i < 15000; i++)
		require(buf[i] == 0);
	ck_assert_mem_eq(buf + 15000, "END", 3);
	ck_assert_int_eq(fat_ftruncate(v, h, 18000), 0);
	ck_assert_int_eq(fat_seek(v, h, 15000, FAT_SEEK_SET, NULL), 0);
	ck_assert_int_eq(fat_read(v, h, buf, sizeof(buf)), 3000);
	ck_assert_mem_eq(buf, "END", 3);
	for (int i = 3; i < 3000; i++)
		require(buf[i] == 0);
	ck_assert_int_eq(fat_ftruncate(v, h, 0), 0);
	ck_assert_int_eq(fat_close(v, h), 0);
	h = fat_open(v, "/small.txt", FAT_O_WRONLY | FAT_O_TRUNC);
	ck_assert_int_eq(fat_close(v, h), 0);

	/* errors */
	ck_assert_int_eq(fat_open(v, "/nope", FAT_O_RDONLY), -NOS_ENOENT);
	ck_assert_int_eq(fat_open(v, "/cross.bin", FAT_O_CREAT | FAT_O_EXCL | FAT_O_WRONLY), -NOS_EEXIST);
	ck_assert_int_eq(fat_open(v, "/cross.bin/x", FAT_O_RDONLY), -NOS_ENOTDIR);
	ck_assert_int_eq(fat_open(v, "/", FAT_O_WRONLY), -NOS_EISDIR);
	ck_assert_int_eq(fat_read(v, 17, buf, 1), -NOS_EBADF);
	finish();
	sh_ok("mtype", sh("mtype -i fat.img ::/cross.bin > cross.out"));
	fill(want, 2, 0, 5000);
	memset(want + 5000, 0xAB, 3000);
	/* compare the start by hand, the rest by pattern */
	{
		uint8_t *b = malloc(70001);
		FILE *f;
		char path[200];

		snprintf(path, sizeof(path), "%s/cross.out", dir);
		f = fopen(path, "rb");
		ck_assert_uint_eq(fread(b, 1, 70001, f), 70001);
		fclose(f);
		ck_assert_mem_eq(b, want, 8000);
		for (uint32_t i = 8000; i < 70001; i++)
			require(b[i] == pat(2, i));
		free(b);
	}
	sh_ok("mdir", sh("mdir -i fat.img ::/"));
	ck_assert_msg(strstr(out_text(), "trunc    bin         0") != NULL, "%s", out_text());
	ck_assert_msg(strstr(out_text(), "small    txt         0") != NULL, "%s", out_text());
}
END_TEST

START_TEST(test_long_names)
{
	const char *uni = "/Grüße Ñandú.txt";
	struct fat_dirent de;
	int h, n = 0, seen = 0;

	start(types[_i]);
	put_file(uni, 4, 321, 100);
	put_file("/Long File Name One.txt", 5, 11, 11);
	put_file("/Long File Name Two.txt", 6, 12, 12);
	put_file("/ReadMe.txt", 7, 13, 13);
	put_file("/lower.txt", 8, 14, 14);
	put_file("/x.y.z.tar.gz", 9, 15, 15);
	check_file("/README.TXT", 7, 13, 13);           /* case-blind */
	check_file("/readme.TXT", 7, 13, 13);
	check_file("/GRÜßE ñANDÚ.TXT", 4, 321, 321);
	ck_assert_int_eq(fat_open(v, "/readme.TXT", FAT_O_CREAT | FAT_O_EXCL | FAT_O_WRONLY), -NOS_EEXIST);
	ck_assert_int_eq(fat_open(v, "/a*b", FAT_O_CREAT | FAT_O_WRONLY), -NOS_EINVAL);
	ck_assert_int_eq(fat_open(v, "/a:b", FAT_O_CREAT | FAT_O_WRONLY), -NOS_EINVAL);
	ck_assert_int_eq(fat_open(v, "/a\x01", FAT_O_CREAT | FAT_O_WRONLY), -NOS_EINVAL);
	ck_assert_int_eq(fat_open(v, "/. .", FAT_O_CREAT | FAT_O_WRONLY), -NOS_EINVAL);
	{
		char name[300] = "/";

		memset(name + 1, 'n', 256);
		name[257] = '\0';
		ck_assert_int_eq(fat_open(v, name, FAT_O_CREAT | FAT_O_WRONLY), -NOS_ENAMETOOLONG);
		name[256] = '\0';
		put_file(name, 10, 5, 5);
		check_file(name, 10, 5, 5);
	}
	h = fat_opendir(v, "/");
	ck_assert_int_ge(h, 0);
	while ((n = fat_readdir(v, h, &de)) == 1) {
		if (strcmp(de.name, uni + 1) == 0)
			seen |= 1;
		if (strcmp(de.name, "ReadMe.txt") == 0)
			seen |= 2;
		if (strcmp(de.name, "lower.txt") == 0)
			seen |= 4;
	}
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(seen, 7);
	ck_assert_int_eq(fat_close(v, h), 0);
	finish();
	/* mtools sees the names, the aliases and the bytes */
	sh_ok("mdir", sh("mdir -i fat.img ::/"));
	ck_assert_msg(strstr(out_text(), "LONGFI~1 TXT        11") != NULL, "%s", out_text());
	ck_assert_msg(strstr(out_text(), "LONGFI~2 TXT        12") != NULL, "%s", out_text());
	ck_assert_msg(strstr(out_text(), "README   TXT        13") != NULL, "%s", out_text());
	ck_assert_msg(strstr(out_text(), "Grüße Ñandú.txt") != NULL, "%s", out_text());
	sh_ok("mcopy", sh("mcopy -i fat.img '::/Grüße Ñandú.txt' uni.out && "
	                  "mcopy -i fat.img ::/LONGFI~2.TXT two.out && mcopy -i fat.img ::/lower.txt lower.out"));
	check_host("uni.out", 4, 321);
	check_host("two.out", 6, 12);
	check_host("lower.out", 8, 14);
}
END_TEST

START_TEST(test_dirs)
{
	char path[1024];
	struct fat_stat st;
	struct fat_dirent de;
	int h, n, i, count = 0;

	start(types[_i]);
	strcpy(path, "");
	for (i = 0; i < 20; i++) {
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/level %d dir", i);
		require(fat_mkdir(v, path) == 0);
	}
	strcat(path, "/deep.txt");
	put_file(path, 11, 4000, 1000);
	check_file(path, 11, 4000, 4000);
	ck_assert_int_eq(fat_mkdir(v, "/level 0 dir"), -NOS_EEXIST);
	ck_assert_int_eq(fat_mkdir(v, "/nope/x"), -NOS_ENOENT);
	ck_assert_int_eq(fat_stat(v, "/level 0 dir/level 1 dir/../level 1 dir/./", &st), 0);
	ck_assert(st.is_dir);
	ck_assert_uint_eq(st.mtime, NOW);
	ck_assert_int_eq(fat_stat(v, "/", &st), 0);
	ck_assert(st.is_dir);

	ck_assert_int_eq(fat_mkdir(v, "/d"), 0);
	for (i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/d/file %02d with a long name.txt", i);
		put_file(path, 100 + i, (uint32_t)i * 100, 4096);
	}
	ck_assert_int_eq(fat_mkdir(v, "/d/sub"), 0);
	h = fat_opendir(v, "/d");
	while ((n = fat_readdir(v, h, &de)) == 1) {
		count++;
		if (strcmp(de.name, "sub") == 0)
			ck_assert(de.st.is_dir);
		else
			ck_assert_uint_eq(de.st.size, (uint32_t)atoi(de.name + 5) * 100);
	}
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(count, 41);
	ck_assert_int_eq(fat_close(v, h), 0);

	ck_assert_int_eq(fat_rmdir(v, "/d"), -NOS_ENOTEMPTY);
	ck_assert_int_eq(fat_rmdir(v, "/d/file 00 with a long name.txt"), -NOS_ENOTDIR);
	ck_assert_int_eq(fat_unlink(v, "/d/sub"), -NOS_EISDIR);
	ck_assert_int_eq(fat_rmdir(v, "/"), -NOS_EBUSY);
	h = fat_opendir(v, "/d/sub");
	ck_assert_int_eq(fat_rmdir(v, "/d/sub"), -NOS_EBUSY);
	ck_assert_int_eq(fat_close(v, h), 0);
	ck_assert_int_eq(fat_rmdir(v, "/d/sub"), 0);
	for (i = 0; i < 40; i += 2) {
		snprintf(path, sizeof(path), "/d/file %02d with a long name.txt", i);
		require(fat_unlink(v, path) == 0);
	}
	ck_assert_int_eq(fat_unlink(v, "/d/file 00 with a long name.txt"), -NOS_ENOENT);
	ck_assert_int_eq(fat_stat(v, "/d/file 01 with a long name.txt", &st), 0);
	ck_assert_uint_eq(st.size, 100);

	/* attributes and times */
	ck_assert_int_eq(fat_set_readonly(v, "/d/file 01 with a long name.txt", 1), 0);
	ck_assert_int_eq(fat_open(v, "/d/file 01 with a long name.txt", FAT_O_WRONLY), -NOS_EACCES);
	ck_assert_int_eq(fat_stat(v, "/d/file 01 with a long name.txt", &st), 0);
	ck_assert(st.attr & ATTR_READ_ONLY);
	ck_assert_int_eq(fat_set_readonly(v, "/d/file 01 with a long name.txt", 0), 0);
	ck_assert_int_eq(fat_utimens(v, "/d/file 03 with a long name.txt", 1600000000u, 1600000000u), 0);
	ck_assert_int_eq(fat_stat(v, "/d/file 03 with a long name.txt", &st), 0);
	ck_assert_uint_eq(st.mtime, 1600000000u);
	ck_assert_uint_eq(st.atime, 1600000000u - 1600000000u % 86400);
	finish();
	sh_ok("mtype deep", sh("mtype -i fat.img '::/level 0 dir/level 1 dir/level 2 dir/level 3 dir/"
	                       "level 4 dir/level 5 dir/level 6 dir/level 7 dir/level 8 dir/level 9 dir/"
	                       "level 10 dir/level 11 dir/level 12 dir/level 13 dir/level 14 dir/level 15 dir/"
	                       "level 16 dir/level 17 dir/level 18 dir/level 19 dir/deep.txt' > deep.out"));
	check_host("deep.out", 11, 4000);
	sh_ok("mdir", sh("mdir -b -i fat.img ::/d | wc -l"));
	ck_assert_int_eq(atoi(out_text()), 20);
	sh_ok("mdir", sh("mdir -i fat.img ::/d"));
	ck_assert_msg(strstr(out_text(), "2020-09-13") != NULL, "%s", out_text());
}
END_TEST

/* The cluster a directory's ".." entry names (raw, 0 = root). */
static uint32_t dotdot_of(const char *path)
{
	struct fat_stat st;
	uint8_t *e;

	ck_assert_int_eq(fat_stat(v, path, &st), 0);
	ck_assert_int_eq(fat_dir_entry(v, fat_clus_lba(v, st.first_cluster), DIR_ENTRY_SIZE,
	                               FAT_RD, &e), 0);
	ck_assert(e[0] == '.' && e[1] == '.');
	return fat_ent_first(v, e);
}

START_TEST(test_rename)
{
	struct fat_stat st, st2;
	int h;

	start(types[_i]);
	put_file("/a.txt", 20, 100, 100);
	put_file("/b.txt", 21, 200, 200);
	ck_assert_int_eq(fat_mkdir(v, "/dir1"), 0);
	ck_assert_int_eq(fat_mkdir(v, "/dir2"), 0);
	ck_assert_int_eq(fat_mkdir(v, "/dir1/moving dir"), 0);
	put_file("/dir1/moving dir/inner file.txt", 22, 300, 300);

	/* same directory */
	ck_assert_int_eq(fat_rename(v, "/a.txt", "/a renamed.txt", 0), 0);
	ck_assert_int_eq(fat_stat(v, "/a.txt", &st), -NOS_ENOENT);
	check_file("/a renamed.txt", 20, 100, 100);
	/* a new spelling of the same name */
	ck_assert_int_eq(fat_rename(v, "/a renamed.txt", "/A Renamed.TXT", 0), 0);
	check_file("/a renamed.txt", 20, 100, 100);
	/* NOREPLACE, then replace */
	ck_assert_int_eq(fat_rename(v, "/b.txt", "/A RENAMED.txt", FAT_RENAME_NOREPLACE), -NOS_EEXIST);
	ck_assert_int_eq(fat_rename(v, "/b.txt", "/A RENAMED.txt", 0), 0);
	check_file("/A Renamed.TXT", 21, 200, 200);
	ck_assert_int_eq(fat_stat(v, "/b.txt", &st), -NOS_ENOENT);
	/* across directories, a file while open */
	h = fat_open(v, "/A Renamed.TXT", FAT_O_RDWR);
	ck_assert_int_eq(fat_rename(v, "/A Renamed.TXT", "/dir2/moved.txt", 0), 0);
	ck_assert_int_eq(fat_seek(v, h, 0, FAT_SEEK_END, NULL), 0);
	ck_assert_int_eq(fat_write(v, h, "tail", 4), 4);
	ck_assert_int_eq(fat_close(v, h), 0);
	ck_assert_int_eq(fat_stat(v, "/dir2/moved.txt", &st), 0);
	ck_assert_uint_eq(st.size, 204);
	/* a directory across directories: ".." follows */
	ck_assert_int_eq(fat_stat(v, "/dir2", &st2), 0);
	ck_assert_int_eq(fat_rename(v, "/dir1/moving dir", "/dir2/moved dir", 0), 0);
	ck_assert_uint_eq(dotdot_of("/dir2/moved dir"), st2.first_cluster);
	check_file("/dir2/moved dir/inner file.txt", 22, 300, 300);
	ck_assert_int_eq(fat_rename(v, "/dir2/moved dir", "/top dir", 0), 0);
	ck_assert_uint_eq(dotdot_of("/top dir"), 0);
	/* errors */
	ck_assert_int_eq(fat_rename(v, "/dir2", "/dir2/x", 0), -NOS_EINVAL);
	ck_assert_int_eq(fat_rename(v, "/dir2", "/dir2/moved.txt", 0), -NOS_ENOTDIR);
	ck_assert_int_eq(fat_rename(v, "/dir2/moved.txt", "/dir1", 0), -NOS_EISDIR);
	ck_assert_int_eq(fat_rename(v, "/dir1", "/dir2", 0), -NOS_ENOTEMPTY);
	ck_assert_int_eq(fat_rename(v, "/nope", "/x", 0), -NOS_ENOENT);
	ck_assert_int_eq(fat_rename(v, "/dir1", "/nope/x", 0), -NOS_ENOENT);
	/* an empty directory replaces */
	ck_assert_int_eq(fat_mkdir(v, "/empty"), 0);
	ck_assert_int_eq(fat_rename(v, "/top dir", "/empty", 0), 0);
	check_file("/empty/inner file.txt", 22, 300, 300);
	finish();
	sh_ok("mtype", sh("mcopy -i fat.img '::/empty/inner file.txt' inner.out"));
	check_host("inner.out", 22, 300);
	sh_ok("mdir", sh("mdir -b -/ -i fat.img ::/"));
}
END_TEST

/* A second open sees the first handle's live size and chain (the entry
 * lags until a close); a file removed or replaced while open keeps its data
 * for its handles, and the last close frees the clusters. */
START_TEST(test_open_files_share_and_orphan)
{
	uint8_t buf[5000], want[5000];
	struct fat_statfs sf0, sf;
	struct fat_stat st;
	int h, h2, h3;

	start(types[_i]);
	ck_assert_int_eq(fat_statfs(v, &sf0), 0);
	fill(want, 30, 0, sizeof(want));
	h = fat_open(v, "/grow.bin", FAT_O_RDWR | FAT_O_CREAT);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(fat_write(v, h, want, sizeof(want)), (int)sizeof(want));
	/* not closed yet: stat and a second open see 5000 bytes */
	ck_assert_int_eq(fat_stat(v, "/grow.bin", &st), 0);
	ck_assert_uint_eq(st.size, sizeof(want));
	h2 = fat_open(v, "/grow.bin", FAT_O_RDWR);
	ck_assert_int_ge(h2, 0);
	ck_assert_int_eq(fat_read(v, h2, buf, sizeof(buf)), (int)sizeof(buf));
	ck_assert(memcmp(buf, want, sizeof(buf)) == 0);
	/* a shrink through the second shows in the first */
	ck_assert_int_eq(fat_ftruncate(v, h2, 3000), 0);
	ck_assert_int_eq(fat_close(v, h2), 0);
	ck_assert_int_eq(fat_seek(v, h, 0, FAT_SEEK_SET, NULL), 0);
	ck_assert_int_eq(fat_read(v, h, buf, sizeof(buf)), 3000);
	ck_assert(memcmp(buf, want, 3000) == 0);

	/* unlink while open: the name goes, the data stays for the handle */
	ck_assert_int_eq(fat_unlink(v, "/grow.bin"), 0);
	ck_assert_int_eq(fat_stat(v, "/grow.bin", &st), -NOS_ENOENT);
	ck_assert_int_eq(fat_seek(v, h, 0, FAT_SEEK_SET, NULL), 0);
	ck_assert_int_eq(fat_read(v, h, buf, sizeof(buf)), 3000);
	ck_assert(memcmp(buf, want, 3000) == 0);
	ck_assert_int_eq(fat_write(v, h, want, sizeof(want)), (int)sizeof(want));
	/* a new file of the same name is another file */
	put_file("/grow.bin", 31, 100, 100);
	check_file("/grow.bin", 31, 100, 100);
	ck_assert_int_eq(fat_close(v, h), 0);
	check_file("/grow.bin", 31, 100, 100);

	/* replaced by a rename while open, and open twice */
	put_file("/old.bin", 32, 4000, 4000);
	put_file("/new.bin", 33, 200, 200);
	h = fat_open(v, "/old.bin", FAT_O_RDONLY);
	h2 = fat_open(v, "/old.bin", FAT_O_RDONLY);
	ck_assert_int_eq(fat_rename(v, "/new.bin", "/old.bin", 0), 0);
	check_file("/old.bin", 33, 200, 200);
	fill(want, 32, 0, 4000);
	ck_assert_int_eq(fat_read(v, h, buf, sizeof(buf)), 4000);
	ck_assert(memcmp(buf, want, 4000) == 0);
	ck_assert_int_eq(fat_close(v, h), 0);
	ck_assert_int_eq(fat_read(v, h2, buf, sizeof(buf)), 4000);
	ck_assert(memcmp(buf, want, 4000) == 0);
	ck_assert_int_eq(fat_close(v, h2), 0);

	/* an orphan still open at unmount is freed then: fsck finds nothing */
	put_file("/left.bin", 34, 9000, 9000);
	h3 = fat_open(v, "/left.bin", FAT_O_RDONLY);
	ck_assert_int_eq(fat_unlink(v, "/left.bin"), 0);
	ck_assert_int_eq(fat_unlink(v, "/grow.bin"), 0);
	ck_assert_int_eq(fat_unlink(v, "/old.bin"), 0);
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_uint_lt(sf.free_clusters, sf0.free_clusters);
	(void)h3;
	finish();
	load();
	mount_rw();
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_uint_eq(sf.free_clusters, sf0.free_clusters);

	/* every handle taken: an open with O_CREAT fails and creates nothing */
	{
		int hs[FAT_MAX_OPEN], k, n = 0;

		for (k = 0; k < FAT_MAX_OPEN; k++) {
			hs[k] = fat_open(v, "/", FAT_O_RDONLY | FAT_O_DIRECTORY);
			if (hs[k] >= 0)
				n++;
		}
		ck_assert_int_eq(fat_open(v, "/nohandle.txt", FAT_O_RDWR | FAT_O_CREAT),
		                 -NOS_EMFILE);
		for (k = 0; k < FAT_MAX_OPEN; k++)
			if (hs[k] >= 0)
				fat_close(v, hs[k]);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(fat_stat(v, "/nohandle.txt", &st), -NOS_ENOENT);
	}

	/* a sync while an orphan is open leaves the volume dirty: a crash
	 * then is repaired at the next mount */
	put_file("/crash.bin", 35, 9000, 9000);
	h3 = fat_open(v, "/crash.bin", FAT_O_RDONLY);
	ck_assert_int_eq(fat_unlink(v, "/crash.bin"), 0);
	ck_assert_int_eq(fat_sync(v), 0);
	save();                                 /* the power goes here */
	load();
	mount_rw();
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_uint_eq(sf.dirty_at_mount, 1);
	ck_assert_int_eq(fat_unmount(v), 0);
}
END_TEST

START_TEST(test_enospc)
{
	static uint8_t buf[65536];
	struct fat_statfs sf0, sf;
	uint32_t total = 0;
	int32_t got;
	int h, i;

	start(types[_i]);
	ck_assert_int_eq(fat_statfs(v, &sf0), 0);
	put_file("/keep.txt", 30, 5000, 5000);
	h = fat_open(v, "/fill.bin", FAT_O_WRONLY | FAT_O_CREAT);
	fill(buf, 31, 0, sizeof(buf));
	while ((got = fat_write(v, h, buf, sizeof(buf))) > 0)
		total += (uint32_t)got;
	ck_assert_int_eq(got, -NOS_ENOSPC);
	ck_assert_int_eq(fat_close(v, h), 0);
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_uint_eq(sf.free_clusters, 0);
	ck_assert_uint_eq(total, (sf0.free_clusters - (5000 + sf.cluster_size - 1) / sf.cluster_size) *
	                  sf.cluster_size);
	/* no room for more entries' clusters either */
	for (i = 0; i < 3; i++) {
		char p[32];

		snprintf(p, sizeof(p), "/newdir%d", i);
		ck_assert_int_eq(fat_mkdir(v, p), -NOS_ENOSPC);
	}
	check_file("/keep.txt", 30, 5000, 5000);
	finish();
	load();
	mount_rw();
	ck_assert_int_eq(fat_unlink(v, "/fill.bin"), 0);
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_uint_eq(sf.free_clusters, sf0.free_clusters - (5000 + sf.cluster_size - 1) / sf.cluster_size);
	finish();
}
END_TEST

START_TEST(test_fsinfo_dirty)
{
	struct fat_statfs sf;
	uint32_t boot = 0, fsinfo = 1;
	uint8_t dirty_off = BS32_RESERVED1;

	start(32);
	ck_assert_uint_eq(mem[boot * BS + dirty_off] & 1, 0);
	put_file("/x.bin", 40, 100000, 8192);
	ck_assert_uint_eq(mem[boot * BS + dirty_off] & 1, 1);     /* set before the change */
	ck_assert_uint_eq(ld_32(mem + fsinfo * BS + FSI_FREE_COUNT), FSI_UNKNOWN);
	ck_assert_int_eq(fat_sync(v), 0);
	ck_assert_uint_eq(mem[boot * BS + dirty_off] & 1, 0);
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_uint_eq(ld_32(mem + fsinfo * BS + FSI_FREE_COUNT), sf.free_clusters);
	ck_assert_int_eq(fat_unlink(v, "/x.bin"), 0);
	finish();
	sh_ok("fsck -v", sh("fsck.fat -n -v fat.img"));
	ck_assert_msg(strstr(out_text(), "Free cluster summary") == NULL, "%s", out_text());
	load();
	mount_rw();
	ck_assert_int_eq(fat_statfs(v, &sf), 0);
	ck_assert_uint_eq(sf.free_clusters, sf.total_clusters - 1);
	ck_assert_uint_eq(ld_32(mem + fsinfo * BS + FSI_FREE_COUNT), sf.free_clusters);
	ck_assert_int_eq(fat_unmount(v), 0);

	/* FAT16: the dirty bit too */
	make_image(16);
	load();
	mount_rw();
	ck_assert_int_eq(fat_mkdir(v, "/d"), 0);
	ck_assert_uint_eq(mem[BS16_RESERVED1] & 1, 1);
	finish();
	ck_assert_uint_eq(mem[BS16_RESERVED1] & 1, 0);
}
END_TEST

START_TEST(test_many_files)
{
	long n = 500 * test_scale(), i, count = 0;
	char path[128];
	struct fat_dirent de;
	int h, r;

	start(types[_i]);
	ck_assert_int_eq(fat_mkdir(v, "/many"), 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/many/file number %05ld.txt", i);
		h = fat_open(v, path, FAT_O_WRONLY | FAT_O_CREAT | FAT_O_EXCL);
		require(h >= 0);
		if (i % 4 == 1)         /* data in some: FAT12 holds 1,250 clusters */
			require(fat_write(v, h, path, 10) == 10);
		require(fat_close(v, h) == 0);
	}
	h = fat_opendir(v, "/many");
	while ((r = fat_readdir(v, h, &de)) == 1) {
		require(strncmp(de.name, "file number ", 12) == 0);
		require(de.st.size == (atoi(de.name + 12) % 4 == 1 ? 10u : 0u));
		count++;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(count, n);
	ck_assert_int_eq(fat_close(v, h), 0);
	ck_assert_int_eq(fat_stat(v, "/MANY/FILE NUMBER 00321.TXT", &de.st), 0);
	finish();
	sh_ok("mdir", sh("mdir -b -i fat.img ::/many | wc -l"));
	ck_assert_int_eq(atol(out_text()), n);
	sh_ok("mtype", sh("mtype -i fat.img '::/many/file number 00077.txt'"));
	ck_assert_str_eq(out_text(), "/many/file");
	sh_ok("mtype", sh("mtype -i fat.img '::/many/file number 00321.txt'"));
	ck_assert_str_eq(out_text(), "/many/file");
}
END_TEST

START_TEST(test_big_file)
{
	uint32_t n = types[_i] == 12 ? 3u << 20 : 6u << 20;

	start(types[_i]);
	put_file("/big.bin", 50, n, 65536);
	check_file("/big.bin", 50, n, 40000);
	finish();
	sh_ok("mcopy", sh("mcopy -i fat.img ::/big.bin big.out"));
	check_host("big.out", 50, n);
}
END_TEST

START_TEST(test_mtools_writes)
{
	struct fat_dirent de;
	int h, r, count = 0;

	make_image(types[_i]);
	write_host("one.bin", 60, 123457);
	write_host("two.txt", 61, 99);
	sh_ok("mcopy", sh("mmd -i fat.img '::/Sub Dir' && mcopy -i fat.img one.bin '::/Sub Dir/First File.bin' && "
	                  "mcopy -i fat.img two.txt ::/TWO.TXT && mcopy -i fat.img two.txt '::/Ünïcödé name.txt'"));
	load();
	mount_rw();
	check_file("/Sub Dir/First File.bin", 60, 123457, 5000);
	check_file("/two.txt", 61, 99, 99);
	check_file("/ünïcödé NAME.TXT", 61, 99, 99);
	h = fat_opendir(v, "/sub dir");
	ck_assert_int_ge(h, 0);
	while ((r = fat_readdir(v, h, &de)) == 1) {
		ck_assert_str_eq(de.name, "First File.bin");
		count++;
	}
	ck_assert_int_eq(count, 1);
	fat_close(v, h);
	/* and change them */
	put_file("/Sub Dir/First File.bin", 62, 5000, 5000);
	ck_assert_int_eq(fat_unlink(v, "/TWO.TXT"), 0);
	finish();
	sh_ok("mtype", sh("mcopy -i fat.img '::/Sub Dir/First File.bin' first.out"));
	check_host("first.out", 62, 5000);
}
END_TEST

START_TEST(test_read_only)
{
	struct fat_stat st;
	int h;

	make_image(12);
	load();
	ck_assert_int_eq(fat_mount(v, &be, FAT_MOUNT_RO, fixed_now, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(fat_open(v, "/x", FAT_O_CREAT | FAT_O_WRONLY), -NOS_EROFS);
	ck_assert_int_eq(fat_mkdir(v, "/x"), -NOS_EROFS);
	ck_assert_int_eq(fat_stat(v, "/", &st), 0);
	h = fat_opendir(v, "/");
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(fat_close(v, h), 0);
	ck_assert_int_eq(fat_unmount(v), 0);
}
END_TEST

/* Mount an MBR-partitioned card: the volume found at its partition. */
START_TEST(test_mbr)
{
	uint8_t *card;
	size_t vsize;
	struct sd_ram r2;
	struct sd_backend be2;

	make_image(16);
	load();
	vsize = mem_size;
	card = calloc(1, vsize + MBR_ALIGN_SECTORS * BS);
	memcpy(card + MBR_ALIGN_SECTORS * BS, mem, vsize);
	card[MBR_PART_TABLE + PTE_TYPE] = PT_FAT16_LBA;
	st_32(card + MBR_PART_TABLE + PTE_LBA_START, MBR_ALIGN_SECTORS);
	st_32(card + MBR_PART_TABLE + PTE_LBA_COUNT, (uint32_t)(vsize / BS));
	card[510] = 0x55;
	card[511] = 0xAA;
	ck_assert_int_eq(sd_ram_init(&r2, card, vsize + MBR_ALIGN_SECTORS * BS, 0, &be2), 0);
	ck_assert_int_eq(fat_mount(v, &be2, 0, fixed_now, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(v->vol_start, MBR_ALIGN_SECTORS);
	put_file("/on card.txt", 70, 777, 777);
	check_file("/ON CARD.TXT", 70, 777, 777);
	ck_assert_int_eq(fat_unmount(v), 0);
	memcpy(mem, card + MBR_ALIGN_SECTORS * BS, vsize);
	save();
	sh_ok("fsck", sh("fsck.fat -n fat.img"));
	card[MBR_PART_TABLE + PTE_TYPE] = 0x83;
	ck_assert_int_eq(fat_mount(v, &be2, 0, fixed_now, NULL, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "no FAT partition") != NULL, "%s", err);
	free(card);
}
END_TEST

/* ------------------------------------------------------------------ damage */

static int mount_err(void)
{
	return fat_mount(v, &be, 0, fixed_now, NULL, err, sizeof(err));
}

START_TEST(test_bad_bpb)
{
	make_image(types[_i]);
	load();
	memset(mem, 0, BS);
	ck_assert_int_eq(mount_err(), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "neither a FAT boot sector nor an MBR") != NULL, "%s", err);
	ck_assert_int_eq(fat_stat(v, "/", &(struct fat_stat){ 0 }), -NOS_EINVAL);

	load();
	st_16(mem + BPB_BYTS_PER_SEC, 1000);
	ck_assert_int_eq(mount_err(), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "bad BPB: bytes per sector 1000 at offset 11 of sector 0") != NULL, "%s", err);

	load();
	mem[BPB_SEC_PER_CLUS] = 3;
	ck_assert_int_eq(mount_err(), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "sectors per cluster 3") != NULL, "%s", err);

	load();
	mem[BPB_NUM_FATS] = 0;
	ck_assert_int_eq(mount_err(), -NOS_EINVAL);

	load();
	st_16(mem + BPB_RSVD_SEC_CNT, 0);
	ck_assert_int_eq(mount_err(), -NOS_EINVAL);

	load();
	if (types[_i] == 32)
		st_32(mem + BPB32_FAT_SZ32, 0xFFFFFFF0u);
	else
		st_16(mem + BPB_FAT_SZ16, 0xFFF0);
	ck_assert_int_eq(mount_err(), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "sectors per FAT") != NULL, "%s", err);

	/* truncated image: the disk is shorter than the BPB says */
	load();
	ck_assert_int_eq(sd_ram_init(&ram, mem, mem_size / 2, 0, &be), 0);
	ck_assert_int_eq(mount_err(), -NOS_EINVAL);
	ck_assert_msg(strstr(err, "truncated image") != NULL, "%s", err);
}
END_TEST

/* The first cluster of path, and the LBA of FAT entry stuff (geometry). */
static void poke_fat(uint32_t clus, uint32_t val)
{
	int type = v->type != 0 ? v->type : cur_type;
	uint32_t f;

	for (f = 0; f < v->nfats; f++) {
		uint8_t *base = mem + (size_t)(v->fat_start + f * v->fat_size) * BS;

		if (type == 16) {
			st_16(base + clus * 2, (uint16_t)val);
		} else if (type == 32) {
			st_32(base + clus * 4, val);
		} else {
			uint8_t *p = base + clus + clus / 2;

			if (clus & 1) {
				p[0] = (uint8_t)((p[0] & 0x0F) | (val << 4));
				p[1] = (uint8_t)(val >> 4);
			} else {
				p[0] = (uint8_t)val;
				p[1] = (uint8_t)((p[1] & 0xF0) | ((val >> 8) & 0x0F));
			}
		}
	}
}

START_TEST(test_damaged_chains)
{
	static uint8_t buf[65536];
	struct fat_stat st, sd, sl, sr, ss;
	struct fat_dirent de;
	struct fat_node n;
	uint32_t cs;
	int h, r, k;

	start(types[_i]);
	cs = fat_csize(v);
	put_file("/loop.bin", 80, 3 * cs, cs);
	put_file("/range.bin", 81, 2 * cs, cs);
	put_file("/short.bin", 82, 3 * cs, cs);
	ck_assert_int_eq(fat_mkdir(v, "/dir"), 0);
	for (k = 0; k < 40; k++) {
		char p[64];

		snprintf(p, sizeof(p), "/dir/a long enough name %d", k);
		put_file(p, 83, 1, 1);
	}
	/* Find what to damage, unmount, then damage it on the disk. */
	ck_assert_int_eq(fat_stat(v, "/loop.bin", &sl), 0);
	ck_assert_int_eq(fat_stat(v, "/range.bin", &sr), 0);
	ck_assert_int_eq(fat_stat(v, "/short.bin", &ss), 0);
	ck_assert_int_eq(fat_stat(v, "/dir", &sd), 0);
	ck_assert_int_eq(fat_name_from_utf8(v, "range.bin", 9), 0);
	ck_assert_int_eq(fat_dir_find(v, v->root_clus, &n), 0);
	ck_assert_int_eq(fat_unmount(v), 0);
	/* a loop: the third cluster points back at the first */
	poke_fat(sl.first_cluster + 2, sl.first_cluster);
	/* a chain leaving the volume (a reserved value), one ending early */
	poke_fat(sr.first_cluster, cur_type == 12 ? 0xFF0u : cur_type == 16 ? 0xFFF0u : 0x0FFFFFF0u);
	poke_fat(ss.first_cluster + 1, 0x0FFFFFFFu);
	/* a directory whose chain loops */
	poke_fat(sd.first_cluster, sd.first_cluster);
	ck_assert_int_eq(mount_err(), 0);

	ck_assert_int_eq(fat_open(v, "/loop.bin", FAT_O_RDONLY), -NOS_EIO);
	r = fat_unlink(v, "/loop.bin");
	ck_assert(r == 0 || r == -NOS_EIO);
	ck_assert_int_eq(fat_open(v, "/range.bin", FAT_O_RDONLY), -NOS_EIO);
	ck_assert_int_eq(fat_open(v, "/short.bin", FAT_O_RDONLY), -NOS_EIO);
	h = fat_opendir(v, "/dir");
	ck_assert_int_ge(h, 0);
	for (k = 0; k < 70000 && (r = fat_readdir(v, h, &de)) == 1; k++)
		;
	ck_assert_int_lt(k, 70000);
	fat_close(v, h);
	ck_assert_int_eq(fat_stat(v, "/dir/nothing here", &st), -NOS_ENOENT);
	ck_assert_int_eq(fat_unmount(v), 0);

	/* a directory entry whose cluster is out of range */
	st_16(mem + (size_t)n.lba * BS + n.off + DIR_FST_CLUS_LO, 0xFFF0);
	st_16(mem + (size_t)n.lba * BS + n.off + DIR_FST_CLUS_HI, cur_type == 32 ? 0x0FFF : 0);
	ck_assert_int_eq(mount_err(), 0);
	ck_assert_int_eq(fat_stat(v, "/range.bin", &st), 0);
	ck_assert_int_eq(fat_open(v, "/range.bin", FAT_O_RDONLY), -NOS_EIO);
	r = fat_unlink(v, "/range.bin");
	ck_assert(r == 0 || r == -NOS_EIO);
	(void)buf;
	ck_assert_int_eq(fat_unmount(v), 0);
}
END_TEST

/* Garbage in a directory: every lookup and listing ends, nothing crashes. */
START_TEST(test_garbage_entries)
{
	struct fat_stat sd, st;
	struct fat_dirent de;
	uint32_t seed = 12345, lba, i;
	int h, k, r;

	start(types[_i]);
	ck_assert_int_eq(fat_mkdir(v, "/g"), 0);
	for (k = 0; k < 10; k++) {
		char p[64];

		snprintf(p, sizeof(p), "/g/some file %d", k);
		put_file(p, 90, 10, 10);
	}
	ck_assert_int_eq(fat_stat(v, "/g", &sd), 0);
	lba = fat_clus_lba(v, sd.first_cluster);
	ck_assert_int_eq(fat_unmount(v), 0);
	for (i = 64; i < BS; i++) {
		seed = seed * 1103515245u + 12345u;
		mem[(size_t)lba * BS + i] = (uint8_t)(seed >> 16);
	}
	ck_assert_int_eq(mount_err(), 0);
	h = fat_opendir(v, "/g");
	for (k = 0; k < 1000 && (r = fat_readdir(v, h, &de)) == 1; k++) {
		char p[1024];

		snprintf(p, sizeof(p), "/g/%s", de.name);
		r = fat_open(v, p, FAT_O_RDONLY);
		if (r >= 0)
			fat_close(v, r);
	}
	ck_assert_int_lt(k, 1000);
	fat_close(v, h);
	ck_assert_int_eq(fat_stat(v, "/g/not there", &st), -NOS_ENOENT);
	ck_assert_int_eq(fat_unmount(v), 0);
}
END_TEST

/* Reads and writes failing (a card going away): errors, not crashes. */
START_TEST(test_io_errors)
{
	struct sd_backend inner;
	struct sd_fault f;
	struct fat_stat st;
	uint32_t n;
	int r, failures = 0;

	make_image(types[_i]);
	load();
	inner = be;
	for (n = 1; n < 60; n++) {
		struct sd_fault_plan plan = { .fail_read = n, .fail_write = n / 2 + 1 };
		int h;

		ck_assert_int_eq(sd_fault_init(&f, &inner, &plan, NULL, 0, &be), 0);
		r = fat_mount(v, &be, 0, fixed_now, NULL, err, sizeof(err));
		if (r < 0) {
			ck_assert_int_eq(r, -NOS_EIO);
			failures++;
			continue;
		}
		h = fat_open(v, "/f.txt", FAT_O_RDWR | FAT_O_CREAT);
		if (h >= 0) {
			r = (int)fat_write(v, h, "hello", 5);
			require(r == 5 || r == -NOS_EIO);
			fat_close(v, h);
		}
		r = fat_mkdir(v, "/d");
		require(r == 0 || r == -NOS_EIO || r == -NOS_EEXIST);
		r = fat_stat(v, "/d", &st);
		require(r == 0 || r == -NOS_EIO || r == -NOS_ENOENT);
		r = fat_unmount(v);
		require(r == 0 || r == -NOS_EIO);
		if (r < 0)
			failures++;
	}
	ck_assert_int_gt(failures, 0);
}
END_TEST

/* ---------------------------------------------- big directories (name index) */

#define CHURN_NAMES 600                 /* the pool of names the churn draws from */

static char churn_name[CHURN_NAMES][48];
static int churn_where[CHURN_NAMES];    /* 0: absent, 1: in /d, 2: in /e */

static uint32_t churn_rand(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16;
}

/* Name i as a path in directory w (1: /d, 2: /e), in upper case if asked. */
static void churn_path(int i, int w, int upper, char *out, size_t n)
{
	size_t k, len;

	snprintf(out, n, "%s/%s", w == 1 ? "/d" : "/e", churn_name[i]);
	len = strlen(out);
	for (k = 0; upper && k < len; k++)
		if (out[k] >= 'a' && out[k] <= 'z')
			out[k] = (char)(out[k] - 'a' + 'A');
}

/* The 8.3 name of entry ent as text ("LONGFI~1.TXT"). */
static void sfn_text(const uint8_t *ent, char *out)
{
	int i, k = 0;

	for (i = 0; i < 8 && ent[i] != ' '; i++)
		out[k++] = (char)ent[i];
	if (ent[8] != ' ') {
		out[k++] = '.';
		for (i = 8; i < 11 && ent[i] != ' '; i++)
			out[k++] = (char)ent[i];
	}
	out[k] = '\0';
}

/* Directory w holds exactly the model's names (readdir), every 8.3 name in
 * it is unique, and every long-named entry is found by its alias too. */
static void churn_check_dir(int w)
{
	static char seen[CHURN_NAMES];
	static uint8_t sfns[CHURN_NAMES + 2][11];
	char path[128], alias[16];
	struct fat_dirent de;
	struct fat_stat st;
	struct fat_dpos d;
	struct fat_node n;
	int h, r, i, count = 0, want = 0, ns = 0, j;

	memset(seen, 0, sizeof(seen));
	h = fat_opendir(v, w == 1 ? "/d" : "/e");
	ck_assert_int_ge(h, 0);
	while ((r = fat_readdir(v, h, &de)) == 1) {
		for (i = 0; i < CHURN_NAMES && strcmp(churn_name[i], de.name) != 0; i++)
			;
		ck_assert_msg(i < CHURN_NAMES && churn_where[i] == w && !seen[i],
		              "unexpected entry %s in dir %d", de.name, w);
		seen[i] = 1;
		count++;
	}
	ck_assert_int_eq(r, 0);
	fat_close(v, h);
	for (i = 0; i < CHURN_NAMES; i++)
		want += churn_where[i] == w;
	ck_assert_int_eq(count, want);
	/* the 8.3 names, through the walk itself (not the index) */
	ck_assert_int_eq(fat_stat(v, w == 1 ? "/d" : "/e", &st), 0);
	ck_assert_int_eq(fat_dir_rewind(v, &d, st.first_cluster), 0);
	while ((r = fat_dir_next(v, &d, &n)) == 1) {
		require(ns < CHURN_NAMES + 2);
		for (j = 0; j < ns; j++)
			require(memcmp(sfns[j], n.ent, 11) != 0);
		memcpy(sfns[ns++], n.ent, 11);
		if (n.nlfn == 0)
			continue;
		sfn_text(n.ent, alias);
		snprintf(path, sizeof(path), "%s/%s", w == 1 ? "/d" : "/e", alias);
		require(fat_stat(v, path, &st) == 0);
	}
	ck_assert_int_eq(r, 0);
}

/* Every name of the model is found where it is (in another case too) and
 * nowhere else. */
static void churn_check_lookups(void)
{
	char path[128];
	struct fat_stat st;
	int i, w;

	for (i = 0; i < CHURN_NAMES; i++)
		for (w = 1; w <= 2; w++) {
			churn_path(i, w, i & 1, path, sizeof(path));
			require(fat_stat(v, path, &st) == (churn_where[i] == w ? 0 : -NOS_ENOENT));
		}
}

/*
 * Two directories under a random churn -- create, unlink, rename within
 * and across them, lookups in any case -- of short names, long names that
 * share an 8.3 basis (so aliases "~1", "~2" ... and hashed ones come and
 * go) and names the walk finds by their 8.3 form; checked against a model
 * all along, then again after a remount (the index built afresh from the
 * disk), then by fsck.fat and mtools.
 */
START_TEST(test_dir_churn)
{
	uint32_t seed = 777u + (uint32_t)_i, ops = 1500u * (uint32_t)test_scale(), k;
	char a[128], b[128];
	int i, j, w, h, r, live = 0;

	start(types[_i]);
	ck_assert_int_eq(fat_mkdir(v, "/d"), 0);
	ck_assert_int_eq(fat_mkdir(v, "/e"), 0);
	for (i = 0; i < CHURN_NAMES; i++) {
		if (i % 3 == 0)
			snprintf(churn_name[i], sizeof(churn_name[i]), "f%d.txt", i);
		else if (i % 3 == 1)
			snprintf(churn_name[i], sizeof(churn_name[i]), "Long File Name %d.txt", i);
		else
			snprintf(churn_name[i], sizeof(churn_name[i]), "a name with spaces %d", i);
		churn_where[i] = 0;
	}
	for (k = 0; k < ops; k++) {
		i = (int)(churn_rand(&seed) % CHURN_NAMES);
		w = 1 + (int)(churn_rand(&seed) & 1);
		switch (churn_rand(&seed) % 8) {
		case 0: case 1: case 2:         /* create (EEXIST if it is there) */
			churn_path(i, w, 0, a, sizeof(a));
			h = fat_open(v, a, FAT_O_WRONLY | FAT_O_CREAT | FAT_O_EXCL);
			if (churn_where[i] == w) {
				require(h == -NOS_EEXIST);
				break;
			}
			require(h >= 0);
			require(fat_close(v, h) == 0);
			if (churn_where[i] != 0) {       /* one name, one place: drop the other */
				churn_path(i, churn_where[i], 0, b, sizeof(b));
				require(fat_unlink(v, b) == 0);
				live--;
			}
			churn_where[i] = w;
			live++;
			break;
		case 3: case 4:                 /* unlink */
			churn_path(i, w, 1, a, sizeof(a));
			r = fat_unlink(v, a);
			require(r == (churn_where[i] == w ? 0 : -NOS_ENOENT));
			if (r == 0) {
				churn_where[i] = 0;
				live--;
			}
			break;
		case 5: case 6:                 /* rename to a name not in use */
			j = (int)(churn_rand(&seed) % CHURN_NAMES);
			if (churn_where[i] == 0 || churn_where[j] != 0)
				break;
			churn_path(i, churn_where[i], 0, a, sizeof(a));
			churn_path(j, w, 0, b, sizeof(b));
			require(fat_rename(v, a, b, 0) == 0);
			churn_where[j] = w;
			churn_where[i] = 0;
			break;
		default:                        /* a lookup */
			churn_path(i, w, 1, a, sizeof(a));
			require(fat_stat(v, a, &(struct fat_stat){ 0 }) ==
			        (churn_where[i] == w ? 0 : -NOS_ENOENT));
			break;
		}
		if (k % 500 == 499) {
			churn_check_dir(1);
			churn_check_dir(2);
		}
	}
	ck_assert_int_gt(live, 50);
	churn_check_lookups();
	ck_assert_int_eq(fat_unmount(v), 0);
	mount_rw();
	churn_check_dir(1);
	churn_check_dir(2);
	churn_check_lookups();
	finish();
	sh_ok("mdir", sh("mdir -b -i fat.img ::/d ::/e | wc -l"));
	ck_assert_int_eq(atol(out_text()), live);
}
END_TEST

/* Aliases through the index are those of fatgen103's numbering: the lowest
 * free "~N", then the hashed basis; a number freed is used again. */
START_TEST(test_alias_numbers)
{
	char path[64], alias[16];
	struct fat_stat st;
	struct fat_dpos d;
	struct fat_node n;
	int i, r, hashed = 0, tilde3 = 0;

	start(32);
	ck_assert_int_eq(fat_mkdir(v, "/al"), 0);
	for (i = 1; i <= 260; i++) {
		snprintf(path, sizeof(path), "/al/Long File Name %d.txt", i);
		put_file(path, 1, 0, 1);
	}
	ck_assert_int_eq(fat_stat(v, "/al/LONGFI~1.TXT", &st), 0);
	ck_assert_int_eq(fat_stat(v, "/al/LONGF~10.TXT", &st), 0);
	ck_assert_int_eq(fat_stat(v, "/al/LONG~100.TXT", &st), 0);
	ck_assert_int_eq(fat_stat(v, "/al/LONG~255.TXT", &st), 0);
	ck_assert_int_eq(fat_stat(v, "/al/LONG~256.TXT", &st), -NOS_ENOENT);
	ck_assert_int_eq(fat_unlink(v, "/al/LONGFI~3.TXT"), 0);
	put_file("/al/Long File Name again.txt", 1, 0, 1);
	ck_assert_int_eq(fat_stat(v, "/al/LONGFI~3.TXT", &st), 0);
	/* the five past 255 took the hashed basis: two letters, four hex digits */
	ck_assert_int_eq(fat_stat(v, "/al", &st), 0);
	ck_assert_int_eq(fat_dir_rewind(v, &d, st.first_cluster), 0);
	while ((r = fat_dir_next(v, &d, &n)) == 1) {
		sfn_text(n.ent, alias);
		hashed += alias[0] == 'L' && alias[1] == 'O' && alias[6] == '~' &&
		          strchr("LNG", alias[2]) == NULL;
		tilde3 += strcmp(alias, "LONGFI~3.TXT") == 0;
	}
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(hashed, 5);
	ck_assert_int_eq(tilde3, 1);
	finish();
}
END_TEST

/* More dirty sectors than the cache holds: write-back under pressure keeps
 * every byte and the volume clean. */
START_TEST(test_cache_pressure)
{
	long n = FAT_CACHE_SECTORS + 500, i;
	char path[64];
	int h;

	start(32);
	ck_assert_int_eq(fat_mkdir(v, "/p"), 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/p/f%ld", i);
		h = fat_open(v, path, FAT_O_WRONLY | FAT_O_CREAT);
		require(h >= 0);
		require(fat_write(v, h, path, (uint32_t)strlen(path)) == (int32_t)strlen(path));
		require(fat_close(v, h) == 0);
	}
	for (i = 0; i < n; i += 97) {
		char got[64] = "";

		snprintf(path, sizeof(path), "/p/f%ld", i);
		h = fat_open(v, path, FAT_O_RDONLY);
		require(h >= 0);
		require(fat_read(v, h, got, sizeof(got)) == (int32_t)strlen(path));
		require(memcmp(got, path, strlen(path)) == 0);
		fat_close(v, h);
	}
	finish();
	sh_ok("mtype", sh("mtype -i fat.img ::/p/f4321"));
	ck_assert_str_eq(out_text(), "/p/f4321");
}
END_TEST

static Suite *fat_suite(void)
{
	Suite *s = suite_create("fat");
	TCase *tc = tcase_create("fat");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_mount_statfs, 0, 3);
	tcase_add_loop_test(tc, test_read_write, 0, 3);
	tcase_add_loop_test(tc, test_long_names, 0, 3);
	tcase_add_loop_test(tc, test_dirs, 0, 3);
	tcase_add_loop_test(tc, test_rename, 0, 3);
	tcase_add_loop_test(tc, test_enospc, 0, 3);
	tcase_add_test(tc, test_fsinfo_dirty);
	tcase_add_loop_test(tc, test_many_files, 0, 3);
	tcase_add_loop_test(tc, test_big_file, 0, 3);
	tcase_add_loop_test(tc, test_mtools_writes, 0, 3);
	tcase_add_test(tc, test_read_only);
	tcase_add_loop_test(tc, test_open_files_share_and_orphan, 0, 3);
	tcase_add_test(tc, test_mbr);
	tcase_add_loop_test(tc, test_bad_bpb, 0, 3);
	tcase_add_loop_test(tc, test_damaged_chains, 0, 3);
	tcase_add_loop_test(tc, test_garbage_entries, 0, 3);
	tcase_add_loop_test(tc, test_io_errors, 0, 3);
	tcase_add_loop_test(tc, test_dir_churn, 0, 3);
	tcase_add_test(tc, test_alias_numbers);
	tcase_add_test(tc, test_cache_pressure);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(fat_suite)
