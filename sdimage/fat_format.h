/*
 * fat_format.h: make FAT12/16/32 volumes and SD card images (portable:
 * string.h and stdint.h only, no allocation; it builds for AVR too).
 *
 * To format a volume, fill a struct fat_format_opts and call fat_format()
 * with the backend and the volume's sectors. To make a whole card -- an MBR
 * with one partition at 1 MiB, or a bare volume as `mkfs.fat -C` makes --
 * call sdimage_format(). fat_plan() only computes the layout (for tests,
 * `sdimage info`, and messages).
 *
 * The layout is mkfs.fat 4.2's (dosfstools), measured on images it made:
 *  - type: FAT32 from 512 MiB (1048576 sectors) up; below, the FAT12 or
 *    FAT16 layout with more clusters, trying 4 sectors per cluster first and
 *    doubling until one fits (FAT12 <= 4084 clusters, FAT16 4087..65524;
 *    4085 and 4086 are avoided because Windows and Linux disagree on them).
 *  - FAT32 cluster size by volume size: <= 260 MiB 1 sector, <= 8 GiB 8,
 *    <= 16 GiB 16, <= 32 GiB 32, else 64 (fatgen103's table); a FAT32
 *    volume must have >= 65525 clusters (no smaller FAT32, unlike mkfs.fat,
 *    which only warns).
 *  - total sectors rounded down to a multiple of the sectors per track
 *    (geometry: the SD card spec's for up to 256 MiB -- 2/4/8/16 heads,
 *    16 or 32 sectors -- else LBA-assist 16..255 heads x 63 sectors).
 *  - alignment (volumes over 8192 sectors): reserved sectors, each FAT and
 *    the root directory are rounded up to whole clusters, so the data area
 *    starts on a cluster boundary of the volume; the partition starts at
 *    1 MiB, so clusters are aligned on the card too (erase blocks).
 *  - reserved sectors 1 (FAT12/16) or 32 (FAT32) before that rounding;
 *    512 root entries (FAT12/16; rounded up to whole clusters).
 * One deliberate difference: a FAT16 forced on a volume too small for
 * 4-sector clusters tries 2 and 1 (mkfs.fat gives up). mkfs.fat's floppy
 * formats (exactly 360/720/1200/1440/2880 KiB) are not copied.
 *
 * What is written: boot sector (OEM "NANOOS  ", media 0xF8, 2 FATs, hidden
 * sectors = start_lba, clean), for FAT32 also FSInfo at sector 1 (true free
 * count: all clusters but the root's; next free 3), backup boot sector at 6
 * and backup FSInfo at 7; both FATs zeroed but FAT[0] = media, FAT[1] = EOC
 * with the clean-shutdown bits (and FAT32's FAT[2] = EOC: the root
 * directory); the root directory zeroed, with a volume-label entry when a
 * label is given. The data area is never touched, so formatting 1 GiB writes
 * about 2 MiB. Write order: reserved sectors other than the boot sector,
 * FATs, root directory, then the boot sector(s) last, then flush: a volume
 * cut off mid-format has no valid boot sector.
 */
#ifndef NOS_FAT_FORMAT_H
#define NOS_FAT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/sdcard.h"

#define FAT_FORMAT_OEM      "NANOOS  "
#define FAT_FORMAT_NO_LABEL "NO NAME    "
#define FAT_FORMAT_MEDIA    0xF8

struct fat_format_opts {
	uint8_t fat_type;       /* 0: by size, as mkfs.fat; or 12, 16, 32 */
	const char *label;      /* NULL or "": none; up to 11 printable ASCII
	                         * characters, upper-cased; none of
	                         * * ? . , ; : / \ | + = < > [ ] "
	                         * nor a leading space */
	uint32_t volume_id;     /* e.g. from the time; also the disk signature */
	uint16_t label_date;    /* FAT date/time of the label entry; 0: 1980-01-01 */
	uint16_t label_time;
	uint8_t *buf;           /* work buffer, a multiple of 512 bytes; NULL: */
	size_t buflen;          /* a static 4 KiB one (512 on AVR): not reentrant */
};

/* A planned volume (all sector numbers relative to the volume). */
struct fat_geometry {
	uint8_t fat_type;       /* 12, 16, 32 */
	uint8_t sec_per_clus;
	uint16_t rsvd_sectors;
	uint16_t root_entries;  /* 0 on FAT32 */
	uint16_t sec_per_trk;
	uint16_t heads;
	uint32_t total_sectors; /* what the BPB says: <= the sectors given */
	uint32_t fat_sectors;   /* per FAT */
	uint32_t root_sectors;  /* FAT12/16 root directory; 0 on FAT32 */
	uint32_t data_start;    /* first sector of cluster 2 */
	uint32_t clusters;
};

/*
 * The layout fat_format() would write on `sectors` sectors for fat_type (0:
 * by size). 0, or -NOS_EINVAL with a sentence in err (when not NULL):
 * fat_type not 0/12/16/32, too small a volume, or a type that cannot hold
 * it -- the text names the size range that type allows.
 */
int fat_plan(uint32_t sectors, uint8_t fat_type, struct fat_geometry *g,
             char *err, size_t errlen);

/*
 * Format [start_lba, start_lba + sectors) of be. 0, or -NOS_E* with a
 * sentence in err (when not NULL):
 *   -NOS_EINVAL  bad options (type, label, buffer) or an impossible size
 *   -NOS_ENXIO   the volume does not lie on be
 *   -NOS_EROFS   be is read-only
 *   what be->write / be->flush return (-NOS_EIO)
 * g (may be NULL) receives the layout.
 */
int fat_format(const struct sd_backend *be, uint32_t start_lba, uint32_t sectors,
               const struct fat_format_opts *opts, char *err, size_t errlen);
int fat_format_geom(const struct sd_backend *be, uint32_t start_lba,
                    uint32_t sectors, const struct fat_format_opts *opts,
                    struct fat_geometry *g, char *err, size_t errlen);

/* ---- whole cards ---- */

#define SDIMAGE_BARE 0x1u       /* no MBR: the volume starts at sector 0 */

struct sdimage_layout {
	uint32_t part_start;    /* 0 when bare */
	uint32_t part_sectors;  /* the partition (or the whole device) */
	uint8_t part_type;      /* PT_*; 0 when bare */
	struct fat_geometry geom;
};

/*
 * Make all of be (be->blocks sectors, e.g. an image file made with
 * ftruncate) a card: an MBR with one partition from MBR_ALIGN_SECTORS (1 MiB)
 * to the end, its type from the FAT type and size (mbr_type_for), disk
 * signature = opts->volume_id, and the partition formatted; or, with
 * SDIMAGE_BARE, the whole device one volume. The MBR is written after the
 * volume and flushed. out may be NULL. Results as fat_format; a device of
 * no more than 1 MiB cannot take an MBR (-NOS_EINVAL).
 */
int sdimage_format(const struct sd_backend *be, unsigned flags,
                   const struct fat_format_opts *opts, struct sdimage_layout *out,
                   char *err, size_t errlen);

#endif
