/*
 * mbr.h: the MBR of an SD card image -- one primary partition holding the
 * FAT volume (portable: string.h and stdint.h only, no allocation).
 *
 * To make a card, call mbr_write() after the volume is formatted
 * (sdimage/fat_format.h's sdimage_format() does both). To find the volume
 * on a card, read sector 0 and call mbr_read(): 0 gives the partition;
 * -NOS_ENOENT means there is no partition table (a bare volume, as
 * `mkfs.fat -C` makes: try the volume at sector 0).
 *
 * CHS fields: computed the way util-linux fdisk/sfdisk do, with a 255-head,
 * 63-sector translation, and (1023, 254, 63) -- bytes FE FF FF -- for any
 * address at or beyond cylinder 1024. fdisk, sfdisk, parted and Windows read
 * LBA fields only, and accept these. A partition at LBA 2048 gets the start
 * CHS (0, 32, 33) = bytes 20 21 00, as fdisk writes it.
 */
#ifndef NOS_MBR_H
#define NOS_MBR_H

#include <stdint.h>

#include "kproc/sdcard.h"

/* One partition entry, decoded. */
struct mbr_entry {
	uint8_t index;          /* 0..3: the slot in the table */
	uint8_t status;         /* 0x80 bootable, 0x00 not */
	uint8_t type;           /* PT_* from kproc/fat_layout.h */
	uint32_t lba_start;
	uint32_t lba_count;
};

/* 1 if type is a FAT partition type we accept (PT_FAT12 ... PT_FAT16_LBA). */
int mbr_type_is_fat(uint8_t type);

/* The partition type for a FAT volume of fat_type (12, 16, 32) over
 * [start, start + count): 0x01 FAT12; FAT16 0x04 under 65536 sectors, 0x06
 * when it ends below cylinder 1024 (255 x 63), else 0x0E (LBA); FAT32 0x0C.
 * 0 for another fat_type. */
uint8_t mbr_type_for(uint8_t fat_type, uint32_t start, uint32_t count);

/* Fill cs[3] with the CHS address of lba as MBR entries hold it. */
void mbr_chs(uint32_t lba, uint8_t cs[3]);

/*
 * Write sector 0 of be: no boot code, disk signature disk_sig at offset 440,
 * one primary partition (not bootable) of `type` at [part_start,
 * part_start + part_sectors), the other three entries empty, 0x55AA.
 * 0, or:
 *   -NOS_EINVAL  part_start 0, part_sectors 0, or type not a FAT type
 *   -NOS_ENXIO   the partition does not fit on be (be->blocks)
 *   -NOS_EROFS   be is read-only
 *   what be->write returns (-NOS_EIO)
 * Does not flush.
 */
int mbr_write(const struct sd_backend *be, uint32_t part_start,
              uint32_t part_sectors, uint8_t type, uint32_t disk_sig);

/*
 * Decode sector0 (512 bytes) of a device of device_blocks blocks and give
 * the first partition of a FAT type in *e. 0, or:
 *   -NOS_EINVAL  no 0x55AA signature: neither an MBR nor a boot sector
 *   -NOS_ENOENT  no partition table: an entry with a status other than
 *                0x00/0x80 (boot code of a bare FAT volume), every entry
 *                empty, or a FAT entry starting at sector 0 (mkfs.fat
 *                --mbr's table inside a bare volume's boot sector)
 *   -NOS_ENODEV  a partition table without a FAT partition (e.g. 0x83)
 *   -NOS_ENXIO   the FAT partition is empty or reaches past device_blocks
 */
int mbr_read(const uint8_t *sector0, uint32_t device_blocks, struct mbr_entry *e);

/* A sentence for a result of mbr_read (0 included). */
const char *mbr_strerror(int rc);

#endif
