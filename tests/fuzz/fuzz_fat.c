/*
 * fuzz_fat.c: a fuzz target for the FAT engine's mount and lookup path, and
 * what comes after it: the input is a whole (small) card image; mount it,
 * walk every directory, stat and read what it finds, then change the volume
 * (create, write, mkdir, rename, unlink, sync) and unmount. Any crash, hang
 * or sanitizer report is a bug; errors are the right answer to garbage.
 *
 * Built two ways: with clang's libFuzzer (`make fuzz`), and with the
 * driver in fuzz_driver.c for `make test` (seeds plus seeded mutations).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/fat.h"

#define FUZZ_MAX_IMAGE (1u << 20)
#define FUZZ_DISK_BLOCKS 70000u     /* 34 MiB: room for a FAT32 volume */
#define FUZZ_MAX_DEPTH 8
#define FUZZ_MAX_ENTRIES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fuzz_clock(void *ctx)
{
	(void)ctx;
	return 1700000000u;
}

static void read_some(struct fat_volume *v, const char *path)
{
	static uint8_t buf[4096];
	int h = fat_open(v, path, FAT_O_RDONLY);
	int i;

	if (h < 0)
		return;
	for (i = 0; i < 16 && fat_read(v, h, buf, sizeof(buf)) > 0; i++)
		;
	fat_close(v, h);
}

/* Walk a directory tree, bounded in depth and entries. */
static void walk(struct fat_volume *v, const char *dir, int depth)
{
	static struct fat_dirent d;
	char path[512];
	struct fat_stat st;
	int h, n = 0;

	if (depth > FUZZ_MAX_DEPTH)
		return;
	h = fat_opendir(v, dir);
	if (h < 0)
		return;
	while (n++ < FUZZ_MAX_ENTRIES && fat_readdir(v, h, &d) > 0) {
		if (strlen(dir) + strlen(d.name) + 2 > sizeof(path))
			continue;
		strcpy(path, dir);
		if (strcmp(dir, "/") != 0)
			strcat(path, "/");
		strcat(path, d.name);
		if (fat_stat(v, path, &st) < 0)
			continue;
		if (st.is_dir)
			walk(v, path, depth + 1);
		else
			read_some(v, path);
	}
	fat_close(v, h);
}

static void change(struct fat_volume *v)
{
	static const char text[] = "written by the fuzzer\n";
	int h, i;

	h = fat_open(v, "/Fuzz Long Name.txt", FAT_O_RDWR | FAT_O_CREAT | FAT_O_TRUNC);
	if (h >= 0) {
		for (i = 0; i < 50; i++)
			fat_write(v, h, text, sizeof(text));
		fat_ftruncate(v, h, 100);
		fat_close(v, h);
	}
	fat_mkdir(v, "/fuzzdir");
	fat_rename(v, "/Fuzz Long Name.txt", "/fuzzdir/moved.txt", 0);
	fat_unlink(v, "/fuzzdir/moved.txt");
	fat_rmdir(v, "/fuzzdir");
	fat_sync(v);
}

/* A sparse disk: the input, then zeros; writes past the input vanish. So a
 * seed needs only the start of a volume (boot sectors, FATs, directories). */
struct sparse {
	uint8_t *image;
	size_t len;
};

static int sparse_read(void *ctx, uint32_t block, uint32_t count, void *buf)
{
	struct sparse *sp = ctx;
	size_t at = (size_t)block * FAT_SECTOR_SIZE, n = (size_t)count * FAT_SECTOR_SIZE;

	memset(buf, 0, n);
	if (at < sp->len)
		memcpy(buf, sp->image + at, sp->len - at < n ? sp->len - at : n);
	return 0;
}

static int sparse_write(void *ctx, uint32_t block, uint32_t count, const void *buf)
{
	struct sparse *sp = ctx;
	size_t at = (size_t)block * FAT_SECTOR_SIZE, n = (size_t)count * FAT_SECTOR_SIZE;

	if (at < sp->len)
		memcpy(sp->image + at, buf, sp->len - at < n ? sp->len - at : n);
	return 0;
}

static int sparse_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fat_volume v;
	struct sd_backend disk = { sparse_read, sparse_write, sparse_flush,
	                           FUZZ_DISK_BLOCKS, 0, "fuzz", NULL };
	struct sparse sp;
	char err[160];

	if (size > FUZZ_MAX_IMAGE)
		return 0;
	sp.len = size;
	sp.image = malloc(size ? size : 1);
	if (sp.image == NULL)
		return 0;
	memcpy(sp.image, data, size);
	disk.ctx = &sp;
	if (fat_mount(&v, &disk, 0, fuzz_clock, NULL, err, sizeof(err)) == 0) {
		walk(&v, "/", 0);
		change(&v);
		walk(&v, "/", 0);
		fat_unmount(&v);
	}
	free(sp.image);
	return 0;
}
