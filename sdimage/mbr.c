/*
 * mbr.c: write and read the MBR of an SD card image (portable).
 * See mbr.h for the layout we write and the checks mbr_read makes.
 */
#include <string.h>

#include "kproc/fat_layout.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "sdimage/mbr.h"

#define CHS_HEADS   255u
#define CHS_SECTORS 63u
#define CHS_MAX_CYL 1023u

int mbr_type_is_fat(uint8_t type)
{
	switch (type) {
	case PT_FAT12:
	case PT_FAT16_SMALL:
	case PT_FAT16:
	case PT_FAT32_CHS:
	case PT_FAT32_LBA:
	case PT_FAT16_LBA:
		return 1;
	default:
		return 0;
	}
}

uint8_t mbr_type_for(uint8_t fat_type, uint32_t start, uint32_t count)
{
	uint64_t end = (uint64_t)start + count;         /* one past the last */

	switch (fat_type) {
	case 12:
		return PT_FAT12;
	case 16:
		if (count < 65536u)
			return PT_FAT16_SMALL;
		if (end <= (uint64_t)(CHS_MAX_CYL + 1) * CHS_HEADS * CHS_SECTORS)
			return PT_FAT16;
		return PT_FAT16_LBA;
	case 32:
		return PT_FAT32_LBA;
	default:
		return 0;
	}
}

void mbr_chs(uint32_t lba, uint8_t cs[3])
{
	uint32_t cyl = lba / (CHS_HEADS * CHS_SECTORS);
	uint32_t head = (lba / CHS_SECTORS) % CHS_HEADS;
	uint32_t sec = lba % CHS_SECTORS + 1;

	if (cyl > CHS_MAX_CYL) {                /* beyond CHS: (1023, 254, 63) */
		cyl = CHS_MAX_CYL;
		head = CHS_HEADS - 1;
		sec = CHS_SECTORS;
	}
	cs[0] = (uint8_t)head;
	cs[1] = (uint8_t)((sec & 0x3F) | ((cyl >> 2) & 0xC0));
	cs[2] = (uint8_t)cyl;
}

int mbr_write(const struct sd_backend *be, uint32_t part_start,
              uint32_t part_sectors, uint8_t type, uint32_t disk_sig)
{
	uint8_t s[FAT_SECTOR_SIZE];
	uint8_t *pte = s + MBR_PART_TABLE;

	if (be == NULL || part_start == 0 || part_sectors == 0 || !mbr_type_is_fat(type))
		return -NOS_EINVAL;
	if (be->read_only)
		return -NOS_EROFS;
	if ((uint64_t)part_start + part_sectors > be->blocks)
		return -NOS_ENXIO;
	memset(s, 0, sizeof(s));
	st_32(s + 440, disk_sig);               /* Windows' disk signature */
	pte[PTE_STATUS] = 0x00;
	mbr_chs(part_start, pte + PTE_CHS_FIRST);
	pte[PTE_TYPE] = type;
	mbr_chs(part_start + part_sectors - 1, pte + PTE_CHS_LAST);
	st_32(pte + PTE_LBA_START, part_start);
	st_32(pte + PTE_LBA_COUNT, part_sectors);
	s[MBR_SIGNATURE] = 0x55;
	s[MBR_SIGNATURE + 1] = 0xAA;
	return be->write(be->ctx, 0, 1, s);
}

int mbr_read(const uint8_t *sector0, uint32_t device_blocks, struct mbr_entry *e)
{
	const uint8_t *pte;
	int i, used = 0;

	if (sector0[MBR_SIGNATURE] != 0x55 || sector0[MBR_SIGNATURE + 1] != 0xAA)
		return -NOS_EINVAL;
	for (i = 0; i < 4; i++) {
		pte = sector0 + MBR_PART_TABLE + i * MBR_PART_ENTRY_SIZE;
		if (pte[PTE_STATUS] != 0x00 && pte[PTE_STATUS] != 0x80)
			return -NOS_ENOENT;     /* boot code, not a table */
		if (pte[PTE_TYPE] != 0)
			used++;
	}
	if (used == 0)
		return -NOS_ENOENT;
	for (i = 0; i < 4; i++) {
		pte = sector0 + MBR_PART_TABLE + i * MBR_PART_ENTRY_SIZE;
		if (!mbr_type_is_fat(pte[PTE_TYPE]))
			continue;
		e->index = (uint8_t)i;
		e->status = pte[PTE_STATUS];
		e->type = pte[PTE_TYPE];
		e->lba_start = ld_32(pte + PTE_LBA_START);
		e->lba_count = ld_32(pte + PTE_LBA_COUNT);
		if (e->lba_start == 0)
			return -NOS_ENOENT;     /* the volume is sector 0 itself */
		if (e->lba_count == 0 ||
		    (uint64_t)e->lba_start + e->lba_count > device_blocks)
			return -NOS_ENXIO;
		return 0;
	}
	return -NOS_ENODEV;
}

const char *mbr_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "an MBR with a FAT partition";
	case -NOS_EINVAL:
		return "sector 0 has no 0x55AA signature: neither an MBR nor a FAT boot sector";
	case -NOS_ENOENT:
		return "sector 0 holds no partition table (a bare FAT volume starts there)";
	case -NOS_ENODEV:
		return "the partition table has no FAT partition (types 01, 04, 06, 0B, 0C, 0E)";
	case -NOS_ENXIO:
		return "the FAT partition is empty or reaches past the end of the device";
	default:
		return "unexpected MBR result";
	}
}
