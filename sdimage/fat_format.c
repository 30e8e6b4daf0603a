/*
 * fat_format.c: make FAT12/16/32 volumes and whole SD card images
 * (portable). The interface, the layout rules (mkfs.fat 4.2's) and the write
 * order are in fat_format.h.
 *
 * Sections: messages -> planning (geometry, cluster size, FAT size) ->
 * sector builders (boot sector, FSInfo, first FAT sector, root) -> writing.
 * Note for AVR: int is 16 bits there, so every size product is computed in
 * uint32_t or uint64_t explicitly.
 */
#include <string.h>

#include "kproc/fat_layout.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "sdimage/fat_format.h"
#include "sdimage/mbr.h"

#ifdef __AVR__
#define FAT_FORMAT_STATIC_BUF 512
#else
#define FAT_FORMAT_STATIC_BUF 4096
#endif

#define SS FAT_SECTOR_SIZE
#define ROOT_ENTRIES_DEFAULT 512u
#define MAX_SEC_PER_CLUS 128u
#define FAT16_MIN_CLUSTERS 4087u        /* mkfs.fat: 4085/4086 are ambiguous */
#define FAT32_MIN_CLUSTERS 65525u
#define FAT32_MAX_CLUSTERS 268435446u   /* 2^28 - 10 */
#define FAT32_AUTO_SECTORS 1048576u     /* 512 MiB: mkfs.fat picks FAT32 */
#define ALIGN_MIN_SECTORS 8192u         /* no alignment up to 4 MiB */
#define MIN_DATA_SECTORS 64u            /* mkfs.fat: 32 KiB of data at least */
#define FAT32_FSINFO_SEC 1u
#define FAT32_BACKUP_SEC 6u
#define FAT32_ROOT_CLUS 2u
#define FAT32_NEXT_FREE 3u              /* the root took cluster 2 */

/* ---------------------------------------------------------------- messages */

/* Append s to the NUL-terminated text in err (truncating). */
static void err_cat(char *err, size_t errlen, const char *s)
{
	size_t n;

	if (err == NULL || errlen == 0)
		return;
	n = strlen(err);
	while (*s && n + 1 < errlen)
		err[n++] = *s++;
	err[n] = '\0';
}

static void err_num(char *err, size_t errlen, uint32_t v)
{
	char d[11];
	int i = (int)sizeof(d) - 1;

	d[i] = '\0';
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	err_cat(err, errlen, d + i);
}

/* A size in sectors as "N KiB" / "N MiB" / "N GiB", rounded up or down. */
static void err_size(char *err, size_t errlen, uint32_t sectors, int round_up)
{
	uint64_t bytes = (uint64_t)sectors * SS;
	uint64_t unit = 1024;
	const char *name = " KiB";

	if (bytes >= (uint64_t)64 << 30) {
		unit = (uint64_t)1 << 30;
		name = " GiB";
	} else if (bytes >= (uint64_t)16 << 20) {
		unit = (uint64_t)1 << 20;
		name = " MiB";
	}
	err_num(err, errlen, (uint32_t)((bytes + (round_up ? unit - 1 : 0)) / unit));
	err_cat(err, errlen, name);
}

static void err_set(char *err, size_t errlen, const char *s)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	err_cat(err, errlen, s);
}

/* ---------------------------------------------------------------- planning */

/* Heads and sectors per track as mkfs.fat picks them from the size. */
static void plan_chs(uint32_t sectors, uint16_t *spt, uint16_t *heads)
{
	if (sectors <= 524288u) {               /* SD card spec, up to 256 MiB */
		*heads = sectors <= 32768u ? 2 : sectors <= 65536u ? 4 :
		         sectors <= 262144u ? 8 : 16;
		*spt = sectors <= 4096u ? 16 : 32;
	} else {                                /* LBA-assist translation */
		*heads = sectors <= 16u * 63 * 1024 ? 16 : sectors <= 32u * 63 * 1024 ? 32 :
		         sectors <= 64u * 63 * 1024 ? 64 : sectors <= 128u * 63 * 1024 ? 128 : 255;
		*spt = 63;
	}
}

/* FAT32 cluster size by volume size (fatgen103, as mkfs.fat). */
static uint8_t plan_fat32_spc(uint32_t sectors)
{
	return sectors > 64u * 1024 * 1024 ? 64 : sectors > 32u * 1024 * 1024 ? 32 :
	       sectors > 16u * 1024 * 1024 ? 16 : sectors > 260u * 1024 * 2 ? 8 : 1;
}

static uint32_t plan_align(uint32_t n, uint32_t spc, int align)
{
	return align ? (n + spc - 1) / spc * spc : n;
}

/*
 * Lay out g->total_sectors as FAT type with spc sectors per cluster.
 * 0: it fits; -1: too few clusters (or no room); 1: too many.
 * Cluster count: estimate it from the space left after the reserved sectors
 * and root directory, size both FATs for the estimate, then count the
 * clusters that really fit beside those FATs.
 */
static int plan_try(struct fat_geometry *g, uint8_t type, uint32_t spc, int align)
{
	uint32_t bits = type, rsvd, root, avail, fat, maxc, minc, cap;
	uint64_t est;

	rsvd = plan_align(type == 32 ? 32 : 1, spc, align);
	root = type == 32 ? 0 : plan_align(ROOT_ENTRIES_DEFAULT * DIR_ENTRY_SIZE / SS, spc, align);
	if ((uint64_t)rsvd + root >= g->total_sectors)
		return -1;
	avail = g->total_sectors - rsvd - root;
	/* Two FATs of `bits` per cluster beside spc sectors of data each;
	 * the first two FAT entries are reserved. */
	est = ((uint64_t)avail * SS * 8 + 2 * 2 * bits) / ((uint64_t)spc * SS * 8 + 2 * bits);
	est = ((est + 2) * bits / 4 + 1) / 2;   /* bytes of one FAT */
	fat = plan_align((uint32_t)((est + SS - 1) / SS), spc, align);
	if ((uint64_t)2 * fat >= avail)
		return -1;
	g->clusters = (avail - 2 * fat) / spc;
	cap = (uint32_t)((uint64_t)fat * SS * 8 / bits);
	maxc = type == 12 ? FAT12_MAX_CLUSTERS : type == 16 ? FAT16_MAX_CLUSTERS : FAT32_MAX_CLUSTERS;
	minc = type == 12 ? 1 : type == 16 ? FAT16_MIN_CLUSTERS : FAT32_MIN_CLUSTERS;
	if (cap < maxc)
		maxc = cap;
	if (g->clusters > maxc || (uint64_t)g->clusters + 2 > cap)
		return 1;
	if (g->clusters < minc ||
	    (uint64_t)rsvd + 2 * fat + root + MIN_DATA_SECTORS > g->total_sectors)
		return -1;
	g->fat_type = type;
	g->sec_per_clus = (uint8_t)spc;
	g->rsvd_sectors = (uint16_t)rsvd;
	g->root_sectors = root;
	g->root_entries = (uint16_t)(root * (SS / DIR_ENTRY_SIZE));
	g->fat_sectors = fat;
	g->data_start = rsvd + 2 * fat + root;
	return 0;
}

/* fat_plan without messages: 0 or -NOS_EINVAL. */
static int plan_quiet(uint32_t sectors, uint8_t type, struct fat_geometry *g)
{
	struct fat_geometry g12, g16;
	uint32_t spc;
	int align, r12, r16, first = 0;

	memset(g, 0, sizeof(*g));
	if (type != 0 && type != 12 && type != 16 && type != 32)
		return -NOS_EINVAL;
	plan_chs(sectors, &g->sec_per_trk, &g->heads);
	g->total_sectors = sectors / g->sec_per_trk * g->sec_per_trk;
	align = g->total_sectors > ALIGN_MIN_SECTORS;
	if (type == 0 && sectors >= FAT32_AUTO_SECTORS)
		type = 32;
	if (type == 32) {
		for (spc = plan_fat32_spc(sectors); spc <= MAX_SEC_PER_CLUS; spc <<= 1) {
			r12 = plan_try(g, 32, spc, align);
			if (r12 <= 0)
				return r12 == 0 ? 0 : -NOS_EINVAL;
		}
		return -NOS_EINVAL;
	}
	for (spc = 4; spc <= MAX_SEC_PER_CLUS; spc <<= 1) {
		g12 = *g;
		g16 = *g;
		r12 = type != 16 ? plan_try(&g12, 12, spc, align) : 1;
		r16 = type != 12 ? plan_try(&g16, 16, spc, align) : 1;
		if (spc == 4)
			first = r16;
		if (r12 == 0 || r16 == 0) {
			/* mkfs.fat: the one with more clusters */
			*g = (r16 == 0 && (r12 != 0 || g16.clusters > g12.clusters)) ? g16 : g12;
			return 0;
		}
	}
	/* Our extension: a forced FAT16 too small for 4-sector clusters. */
	for (spc = 2; type == 16 && first < 0 && spc >= 1; spc >>= 1)
		if (plan_try(g, 16, spc, align) == 0)
			return 0;
	return -NOS_EINVAL;
}

/* The smallest (want_max 0) or largest size in [lo, hi] that type fits,
 * where `known` is a size it fits: binary search over plan_quiet. */
static uint32_t plan_limit(uint8_t type, uint32_t known, int want_max)
{
	struct fat_geometry g;
	uint32_t lo = want_max ? known : 1, hi = want_max ? 0xFFFFFFFFu : known, mid;

	while (lo < hi) {
		mid = lo + (hi - lo + (want_max ? 1 : 0)) / 2;
		if ((plan_quiet(mid, type, &g) == 0) == !want_max)
			hi = want_max ? mid - 1 : mid;
		else
			lo = want_max ? mid : mid + 1;
	}
	return lo;
}

int fat_plan(uint32_t sectors, uint8_t fat_type, struct fat_geometry *g,
             char *err, size_t errlen)
{
	uint32_t lo, hi;
	uint32_t known = fat_type == 12 ? 2048u : fat_type == 16 ? 131072u :
	                 fat_type == 32 ? 2097152u : 2048u;

	err_set(err, errlen, "");
	if (fat_type != 0 && fat_type != 12 && fat_type != 16 && fat_type != 32) {
		err_set(err, errlen, "the FAT type must be 12, 16 or 32 (or 0: chosen by size)");
		return -NOS_EINVAL;
	}
	if (plan_quiet(sectors, fat_type, g) == 0)
		return 0;
	lo = plan_limit(fat_type, known, 0);
	if (fat_type == 0 || sectors < plan_limit(0, 2048u, 0)) {
		err_set(err, errlen, "a FAT volume needs at least ");
		err_size(err, errlen, plan_limit(0, 2048u, 0), 1);
		err_cat(err, errlen, "; this one is ");
		err_size(err, errlen, sectors, 0);
		err_cat(err, errlen, ": make the image larger");
		return -NOS_EINVAL;
	}
	hi = plan_limit(fat_type, known, 1);
	err_set(err, errlen, "FAT");
	err_num(err, errlen, fat_type);
	err_cat(err, errlen, fat_type == 12 ? " (at most 4084 clusters of up to 64 KiB)" :
	                     fat_type == 16 ? " (4087 to 65524 clusters)" :
	                                      " (at least 65525 clusters)");
	err_cat(err, errlen, " fits volumes of ");
	err_size(err, errlen, lo, 1);
	err_cat(err, errlen, " to ");
	err_size(err, errlen, hi, 0);
	err_cat(err, errlen, "; this one is ");
	err_size(err, errlen, sectors, 0);
	err_cat(err, errlen, ": choose another FAT type (or let it be chosen by size) "
	                     "or another size");
	return -NOS_EINVAL;
}

/* ---------------------------------------------------------------- sectors */

/* The label as 11 directory-name bytes; 0: none, 1: a label, -1: refused. */
static int label_normalize(const char *in, uint8_t out[11], char *err, size_t errlen)
{
	static const char bad[] = "*?.,;:/\\|+=<>[]\"";
	size_t i, n = in ? strlen(in) : 0;

	memset(out, ' ', 11);
	if (n > 11) {
		err_set(err, errlen, "a volume label has at most 11 characters");
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)in[i];

		if (c < 0x20 || c > 0x7E || strchr(bad, c) != NULL) {
			err_set(err, errlen, "a volume label may hold printable ASCII "
			        "characters but none of * ? . , ; : / \\ | + = < > [ ] \"");
			return -1;
		}
		out[i] = (c >= 'a' && c <= 'z') ? (uint8_t)(c - 'a' + 'A') : c;
	}
	if (n > 0 && out[0] == ' ') {
		for (i = 0; i < n && in[i] == ' '; i++)
			;
		if (i < n) {
			err_set(err, errlen, "a volume label cannot start with a space");
			return -1;
		}
		n = 0;                          /* all spaces: no label */
	}
	if (n == 0 || memcmp(out, FAT_FORMAT_NO_LABEL, 11) == 0) {
		memcpy(out, FAT_FORMAT_NO_LABEL, 11);
		return 0;
	}
	return 1;
}

static void build_boot(uint8_t *s, const struct fat_geometry *g, uint32_t hidden,
                       uint32_t volume_id, const uint8_t label[11])
{
	int f32 = g->fat_type == 32;
	uint8_t *ext = s + (f32 ? BS32_DRV_NUM : BS16_DRV_NUM);
	uint8_t code = (uint8_t)(f32 ? 90 : 62); /* where the boot code goes */

	memset(s, 0, SS);
	s[BS_JMP_BOOT] = 0xEB;
	s[BS_JMP_BOOT + 1] = (uint8_t)(code - 2);
	s[BS_JMP_BOOT + 2] = 0x90;
	memcpy(s + BS_OEM_NAME, FAT_FORMAT_OEM, 8);
	st_16(s + BPB_BYTS_PER_SEC, SS);
	s[BPB_SEC_PER_CLUS] = g->sec_per_clus;
	st_16(s + BPB_RSVD_SEC_CNT, g->rsvd_sectors);
	s[BPB_NUM_FATS] = 2;
	st_16(s + BPB_ROOT_ENT_CNT, g->root_entries);
	if (g->total_sectors < 65536u)
		st_16(s + BPB_TOT_SEC16, (uint16_t)g->total_sectors);
	else
		st_32(s + BPB_TOT_SEC32, g->total_sectors);
	s[BPB_MEDIA] = FAT_FORMAT_MEDIA;
	st_16(s + BPB_SEC_PER_TRK, g->sec_per_trk);
	st_16(s + BPB_NUM_HEADS, g->heads);
	st_32(s + BPB_HIDD_SEC, hidden);
	if (f32) {
		st_32(s + BPB32_FAT_SZ32, g->fat_sectors);
		st_32(s + BPB32_ROOT_CLUS, FAT32_ROOT_CLUS);
		st_16(s + BPB32_FS_INFO, FAT32_FSINFO_SEC);
		st_16(s + BPB32_BK_BOOT_SEC, FAT32_BACKUP_SEC);
	} else {
		st_16(s + BPB_FAT_SZ16, (uint16_t)g->fat_sectors);
	}
	/* The extended BPB has the same shape on both: drive, flags, 0x29,
	 * id, label, type name. */
	ext[0] = 0x80;
	ext[BS16_BOOT_SIG - BS16_DRV_NUM] = 0x29;
	st_32(ext + (BS16_VOL_ID - BS16_DRV_NUM), volume_id);
	memcpy(ext + (BS16_VOL_LAB - BS16_DRV_NUM), label, 11);
	memcpy(ext + (BS16_FIL_SYS_TYPE - BS16_DRV_NUM),
	       g->fat_type == 12 ? "FAT12   " : g->fat_type == 16 ? "FAT16   " : "FAT32   ", 8);
	/* Not bootable: int 18h (the BIOS tries the next device), then hang. */
	s[code] = 0xCD;
	s[code + 1] = 0x18;
	s[code + 2] = 0xEB;
	s[code + 3] = 0xFE;
	s[BS_SIGNATURE] = 0x55;
	s[BS_SIGNATURE + 1] = 0xAA;
}

static void build_fsinfo(uint8_t *s, const struct fat_geometry *g)
{
	memset(s, 0, SS);
	st_32(s + FSI_LEAD_SIG, FSI_LEAD_SIG_VALUE);
	st_32(s + FSI_STRUC_SIG, FSI_STRUC_SIG_VALUE);
	st_32(s + FSI_FREE_COUNT, g->clusters - 1);     /* all but the root's */
	st_32(s + FSI_NXT_FREE, FAT32_NEXT_FREE);
	st_32(s + FSI_TRAIL_SIG, FSI_TRAIL_SIG_VALUE);
}

/* FAT[0] = media in the low byte, the rest ones; FAT[1] = all ones: EOC
 * with the clean-shutdown and no-error bits; FAT32's FAT[2]: the root. */
static void build_fat0(uint8_t *s, const struct fat_geometry *g)
{
	memset(s, 0, SS);
	if (g->fat_type == 12) {
		s[0] = FAT_FORMAT_MEDIA;        /* 0xFF8, 0xFFF packed */
		s[1] = 0xFF;
		s[2] = 0xFF;
	} else if (g->fat_type == 16) {
		st_16(s, (uint16_t)(0xFF00u | FAT_FORMAT_MEDIA));
		st_16(s + 2, 0xFFFFu);
	} else {
		st_32(s, 0x0FFFFF00u | FAT_FORMAT_MEDIA);
		st_32(s + 4, FAT32_MASK);
		st_32(s + 8, FAT32_MASK);       /* EOC: the root directory */
	}
}

static void build_root0(uint8_t *s, const uint8_t label[11],
                        const struct fat_format_opts *o)
{
	uint16_t date = o->label_date ? o->label_date : (uint16_t)((1u << 5) | 1u);

	memset(s, 0, SS);
	memcpy(s + DIR_NAME, label, 11);
	s[DIR_ATTR] = ATTR_VOLUME_ID;
	st_16(s + DIR_CRT_TIME, o->label_time);
	st_16(s + DIR_CRT_DATE, date);
	st_16(s + DIR_LST_ACC_DATE, date);
	st_16(s + DIR_WRT_TIME, o->label_time);
	st_16(s + DIR_WRT_DATE, date);
}

/* ---------------------------------------------------------------- writing */

struct fmt_io {
	const struct sd_backend *be;
	uint8_t *buf;
	uint32_t nsec;          /* buf holds nsec sectors */
	uint32_t base;          /* the volume's first LBA */
};

static int io_zero(struct fmt_io *io, uint32_t sec, uint32_t count)
{
	uint32_t n;
	int rc;

	memset(io->buf, 0, (size_t)io->nsec * SS);
	while (count > 0) {
		n = count < io->nsec ? count : io->nsec;
		rc = io->be->write(io->be->ctx, io->base + sec, n, io->buf);
		if (rc < 0)
			return rc;
		sec += n;
		count -= n;
	}
	return 0;
}

/* Write io->buf's first sector (built by the caller) at sec. */
static int io_put(struct fmt_io *io, uint32_t sec)
{
	return io->be->write(io->be->ctx, io->base + sec, 1, io->buf);
}

static int fat_write_all(struct fmt_io *io, const struct fat_geometry *g,
                         const struct fat_format_opts *o, const uint8_t label[11],
                         int has_label)
{
	uint32_t f, fat, root;
	int rc;

	/* Reserved sectors but the boot sector; FSInfo and its backup. */
	if ((rc = io_zero(io, 1, g->rsvd_sectors - 1u)) < 0)
		return rc;
	if (g->fat_type == 32) {
		build_fsinfo(io->buf, g);
		if ((rc = io_put(io, FAT32_FSINFO_SEC)) < 0 ||
		    (rc = io_put(io, FAT32_BACKUP_SEC + FAT32_FSINFO_SEC)) < 0)
			return rc;
	}
	/* Both FATs: zeros, then their first sector. */
	for (f = 0; f < 2; f++) {
		fat = g->rsvd_sectors + f * g->fat_sectors;
		if ((rc = io_zero(io, fat + 1, g->fat_sectors - 1)) < 0)
			return rc;
		build_fat0(io->buf, g);
		if ((rc = io_put(io, fat)) < 0)
			return rc;
	}
	/* The root directory: fixed (FAT12/16) or cluster 2 (FAT32). */
	root = g->rsvd_sectors + 2 * g->fat_sectors;
	if ((rc = io_zero(io, root + 1, (g->fat_type == 32 ? g->sec_per_clus : g->root_sectors) - 1u)) < 0)
		return rc;
	memset(io->buf, 0, SS);
	if (has_label)
		build_root0(io->buf, label, o);
	if ((rc = io_put(io, root)) < 0)
		return rc;
	/* Last, the boot sector(s): before this, no valid volume. */
	build_boot(io->buf, g, io->base, o->volume_id, label);
	if (g->fat_type == 32 && (rc = io_put(io, FAT32_BACKUP_SEC)) < 0)
		return rc;
	return io_put(io, 0);
}

/* Check the request and set up io (buffer). 0 or -NOS_E* with err set. */
static int fmt_begin(struct fmt_io *io, const struct sd_backend *be, uint32_t start,
                     uint32_t sectors, const struct fat_format_opts *o,
                     char *err, size_t errlen)
{
	static uint8_t sbuf[FAT_FORMAT_STATIC_BUF];

	if (be == NULL || o == NULL || be->write == NULL || be->flush == NULL) {
		err_set(err, errlen, "fat_format: no device or no options");
		return -NOS_EINVAL;
	}
	if (be->read_only) {
		err_set(err, errlen, "the device is read-only: open it for writing to format it");
		return -NOS_EROFS;
	}
	if ((uint64_t)start + sectors > be->blocks) {
		err_set(err, errlen, "the volume reaches past the end of the device");
		return -NOS_ENXIO;
	}
	io->be = be;
	io->base = start;
	io->buf = o->buf ? o->buf : sbuf;
	io->nsec = (uint32_t)((o->buf ? o->buflen : sizeof(sbuf)) / SS);
	if (io->nsec == 0) {
		err_set(err, errlen, "fat_format: the work buffer must hold at least 512 bytes");
		return -NOS_EINVAL;
	}
	return 0;
}

int fat_format_geom(const struct sd_backend *be, uint32_t start_lba,
                    uint32_t sectors, const struct fat_format_opts *opts,
                    struct fat_geometry *out, char *err, size_t errlen)
{
	struct fat_geometry g;
	struct fmt_io io;
	uint8_t label[11];
	int has_label, rc;

	err_set(err, errlen, "");
	if ((rc = fmt_begin(&io, be, start_lba, sectors, opts, err, errlen)) < 0)
		return rc;
	has_label = label_normalize(opts->label, label, err, errlen);
	if (has_label < 0)
		return -NOS_EINVAL;
	if ((rc = fat_plan(sectors, opts->fat_type, &g, err, errlen)) < 0)
		return rc;
	if (out != NULL)
		*out = g;
	rc = fat_write_all(&io, &g, opts, label, has_label);
	if (rc == 0)
		rc = be->flush(be->ctx);
	if (rc < 0)
		err_set(err, errlen, "writing the new volume failed: the device reported an I/O error");
	return rc;
}

int fat_format(const struct sd_backend *be, uint32_t start_lba, uint32_t sectors,
               const struct fat_format_opts *opts, char *err, size_t errlen)
{
	return fat_format_geom(be, start_lba, sectors, opts, NULL, err, errlen);
}

int sdimage_format(const struct sd_backend *be, unsigned flags,
                   const struct fat_format_opts *opts, struct sdimage_layout *out,
                   char *err, size_t errlen)
{
	struct sdimage_layout l;
	struct fmt_io io;
	int rc;

	memset(&l, 0, sizeof(l));
	err_set(err, errlen, "");
	if (be == NULL || opts == NULL) {
		err_set(err, errlen, "sdimage_format: no device or no options");
		return -NOS_EINVAL;
	}
	if (flags & SDIMAGE_BARE) {
		l.part_sectors = be->blocks;
		rc = fat_format_geom(be, 0, be->blocks, opts, &l.geom, err, errlen);
		if (rc == 0 && out != NULL)
			*out = l;
		return rc;
	}
	if (be->blocks <= MBR_ALIGN_SECTORS) {
		err_set(err, errlen, "an image with a partition table must be larger than "
		        "1 MiB (the partition starts at 1 MiB): make it larger, or make a bare volume");
		return -NOS_EINVAL;
	}
	l.part_start = MBR_ALIGN_SECTORS;
	l.part_sectors = be->blocks - MBR_ALIGN_SECTORS;
	rc = fat_format_geom(be, l.part_start, l.part_sectors, opts, &l.geom, err, errlen);
	if (rc < 0)
		return rc;
	l.part_type = mbr_type_for(l.geom.fat_type, l.part_start, l.part_sectors);
	/* The gap before the partition holds nothing: clear old contents so no
	 * stale boot sector is found there; then the MBR, then flush. */
	if ((rc = fmt_begin(&io, be, 0, l.part_start, opts, err, errlen)) < 0)
		return rc;
	io.base = 0;
	rc = io_zero(&io, 1, l.part_start - 1);
	if (rc == 0)
		rc = mbr_write(be, l.part_start, l.part_sectors, l.part_type, opts->volume_id);
	if (rc == 0)
		rc = be->flush(be->ctx);
	if (rc < 0) {
		err_set(err, errlen, "writing the partition table failed: the device reported an I/O error");
		return rc;
	}
	if (out != NULL)
		*out = l;
	return 0;
}
