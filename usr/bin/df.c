/* df: reports free space on the file system.
 *   df [-hk] [FILE]...   for the file system holding each FILE (default /)
 *     -k  sizes in 1024-byte blocks (the default)
 *     -h  sizes for humans: powers of 1024 with K, M, G, T, rounded up
 * From statfs64 (the fs process's cluster counts on NanoOs). Columns as
 * GNU's df prints them, each as wide as its widest cell. NanoOs has one
 * volume, the SD card's FAT, mounted at /: that row reads "sdcard ... /";
 * another file system (the host's, under qemu-riscv32) shows as "-" and
 * the FILE asked about. */
#define TOOL "df"
#include "lib/tool.h"
#include <stdint.h>
#include <sys/syscall.h>

#define USAGE "df [-hk] [FILE]..."
#ifndef SYS_statfs64
#define SYS_statfs64 43
#endif
#define MSDOS_SUPER_MAGIC 0x4d44

/* Linux's struct statfs64 for 32-bit machines (asm-generic): 88 bytes. */
struct statfs64 {
	uint32_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	uint32_t f_fsid[2], f_namelen, f_frsize, f_flags, f_spare[4];
	uint32_t pad;
};

enum { COLS = 6 };
static int opt_human;
static char *cells[64][COLS];
static int rows;

static void on_option(int c, char *arg)
{
	(void)arg;
	opt_human = c == 'h';
}

/* Bytes as -h shows them: "0", "512", "2.6M", "63M" (GNU rounds up). */
static void human(uint64_t bytes, char *out, size_t len)
{
	static const char units[] = "KMGTPE";
	if (bytes < 1024) {
		snprintf(out, len, "%llu", (unsigned long long)bytes);
		return;
	}
	int u = 0;
	uint64_t scale = 1024;
	while (bytes / scale >= 1024 && u < 5) {
		scale *= 1024;
		u++;
	}
	uint64_t tenths = (bytes * 10 + scale - 1) / scale;     /* rounded up */
	if (tenths < 100) {
		snprintf(out, len, "%llu.%llu%c", (unsigned long long)(tenths / 10),
		         (unsigned long long)(tenths % 10), units[u]);
		return;
	}
	uint64_t whole = (bytes + scale - 1) / scale;
	if (whole >= 1024 && u < 5) {
		whole = 1;
		u++;
	}
	snprintf(out, len, "%llu%c", (unsigned long long)whole, units[u]);
}

static char *size_text(uint64_t bytes)
{
	char buf[32];
	if (opt_human)
		human(bytes, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)((bytes + 1023) / 1024));
	return tool_strdup(buf);
}

static void add_row(char *a, char *b, char *c, char *d, char *e, char *f)
{
	char *row[COLS] = { a, b, c, d, e, f };
	if (rows == 64)
		return;
	memcpy(cells[rows++], row, sizeof(row));
}

static int add_file_system(const char *path)
{
	struct statfs64 s;
	struct stat st;
	memset(&s, 0, sizeof(s));
	/* stat first: NanoOs's statfs64 answers for any path on the volume */
	if (stat(path, &st) < 0 || syscall(SYS_statfs64, path, (long)sizeof(s), &s) < 0) {
		tool_warn("%s: %s", path, strerror(errno));
		return 1;
	}
	uint64_t unit = s.f_frsize ? s.f_frsize : s.f_bsize;
	uint64_t used = (s.f_blocks - s.f_bfree) * unit, avail = s.f_bavail * unit;
	uint64_t pct = used + avail ? (used * 100 + used + avail - 1) / (used + avail) : 0;
	char percent[8];
	snprintf(percent, sizeof(percent), used + avail ? "%llu%%" : "-", (unsigned long long)pct);
	int fat = s.f_type == MSDOS_SUPER_MAGIC;
	add_row(tool_strdup(fat ? "sdcard" : "-"), size_text(s.f_blocks * unit), size_text(used),
	        size_text(avail), tool_strdup(percent), tool_strdup(fat ? "/" : path));
	return 0;
}

static void print_table(void)
{
	int width[COLS] = { 0 };
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < COLS; c++)
			if ((int)strlen(cells[r][c]) > width[c])
				width[c] = (int)strlen(cells[r][c]);
	for (int r = 0; r < rows; r++) {
		printf("%-*s", width[0], cells[r][0]);
		for (int c = 1; c < COLS - 1; c++)
			printf(" %*s", width[c], cells[r][c]);
		printf(" %s\n", cells[r][COLS - 1]);
	}
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "hk", on_option, USAGE, 1), status = 0;
	add_row("Filesystem", opt_human ? "Size" : "1K-blocks", "Used",
	        opt_human ? "Avail" : "Available", "Use%", "Mounted on");
	char *root[] = { "/", NULL };
	char **paths = n ? argv + 1 : root;
	for (int i = 0; paths[i]; i++)
		status |= add_file_system(paths[i]);
	if (rows > 1)
		print_table();
	tool_exit(status);
}
