/*
 * fat_layout.h: the on-disk layout of an SD card with a FAT volume, as byte
 * offsets (read and written with kproc/le.h's ld_16/ld_32/st_16/st_32, never
 * packed structs, so the same code runs on x86-64 and AVR). Sources: the
 * Microsoft FAT specification (fatgen103) and the MBR format.
 *
 * Shared by the FAT engine (kproc/fat_*.c), the formatter (sdimage/) and
 * their tests. Sector = 512 bytes throughout (SD cards, and what we write).
 */
#ifndef NOS_FAT_LAYOUT_H
#define NOS_FAT_LAYOUT_H

#define FAT_SECTOR_SIZE 512

/* ---- MBR (sector 0 of a partitioned card) ---- */
#define MBR_PART_TABLE      446     /* four 16-byte entries */
#define MBR_PART_ENTRY_SIZE 16
#define MBR_SIGNATURE       510     /* 0x55, 0xAA */
/* Within a partition entry: */
#define PTE_STATUS          0       /* 0x80 bootable, 0x00 not */
#define PTE_CHS_FIRST       1       /* 3 bytes */
#define PTE_TYPE            4
#define PTE_CHS_LAST        5       /* 3 bytes */
#define PTE_LBA_START       8       /* u32 */
#define PTE_LBA_COUNT       12      /* u32 */
/* Partition types we write and accept. */
#define PT_FAT12            0x01
#define PT_FAT16_SMALL      0x04    /* FAT16, < 32 MiB */
#define PT_FAT16            0x06
#define PT_FAT32_CHS        0x0B
#define PT_FAT32_LBA        0x0C
#define PT_FAT16_LBA        0x0E
#define MBR_ALIGN_SECTORS   2048    /* partitions start at 1 MiB, like SD cards */

/* ---- Boot sector / BPB (sector 0 of the volume) ---- */
#define BS_JMP_BOOT         0       /* EB xx 90 or E9 xx xx */
#define BS_OEM_NAME         3       /* 8 bytes */
#define BPB_BYTS_PER_SEC    11      /* u16 */
#define BPB_SEC_PER_CLUS    13      /* u8: 1, 2, 4 ... 128 */
#define BPB_RSVD_SEC_CNT    14      /* u16 */
#define BPB_NUM_FATS        16      /* u8 */
#define BPB_ROOT_ENT_CNT    17      /* u16: 0 on FAT32 */
#define BPB_TOT_SEC16       19      /* u16 */
#define BPB_MEDIA           21      /* u8: 0xF8 fixed disk */
#define BPB_FAT_SZ16        22      /* u16: 0 on FAT32 */
#define BPB_SEC_PER_TRK     24      /* u16 */
#define BPB_NUM_HEADS       26      /* u16 */
#define BPB_HIDD_SEC        28      /* u32: the partition's first LBA */
#define BPB_TOT_SEC32       32      /* u32 */
/* FAT12/16 extended BPB */
#define BS16_DRV_NUM        36
#define BS16_RESERVED1      37      /* bit 0: the dirty bit (as Linux uses it) */
#define BS16_BOOT_SIG       38      /* 0x29 */
#define BS16_VOL_ID         39      /* u32 */
#define BS16_VOL_LAB        43      /* 11 bytes */
#define BS16_FIL_SYS_TYPE   54      /* 8 bytes: "FAT12   ", "FAT16   " */
/* FAT32 extended BPB */
#define BPB32_FAT_SZ32      36      /* u32 */
#define BPB32_EXT_FLAGS     40      /* u16: bit 7 set = only one FAT active */
#define BPB32_FS_VER        42      /* u16: 0 */
#define BPB32_ROOT_CLUS     44      /* u32 */
#define BPB32_FS_INFO       48      /* u16: sector of FSInfo (1) */
#define BPB32_BK_BOOT_SEC   50      /* u16: backup boot sector (6) */
#define BS32_DRV_NUM        64
#define BS32_RESERVED1      65      /* bit 0: the dirty bit (as Linux uses it) */
#define BS32_BOOT_SIG       66      /* 0x29 */
#define BS32_VOL_ID         67      /* u32 */
#define BS32_VOL_LAB        71      /* 11 bytes */
#define BS32_FIL_SYS_TYPE   82      /* 8 bytes: "FAT32   " */
#define BS_SIGNATURE        510     /* 0x55, 0xAA */

/* ---- FSInfo (FAT32, sector BPB32_FS_INFO of the volume) ---- */
#define FSI_LEAD_SIG        0       /* 0x41615252 */
#define FSI_STRUC_SIG       484     /* 0x61417272 */
#define FSI_FREE_COUNT      488     /* u32: free clusters, 0xFFFFFFFF unknown */
#define FSI_NXT_FREE        492     /* u32: hint, 0xFFFFFFFF unknown */
#define FSI_TRAIL_SIG       508     /* 0xAA550000 */
#define FSI_LEAD_SIG_VALUE  0x41615252u
#define FSI_STRUC_SIG_VALUE 0x61417272u
#define FSI_TRAIL_SIG_VALUE 0xAA550000u
#define FSI_UNKNOWN         0xFFFFFFFFu

/* ---- FAT types by cluster count (fatgen103: the only correct rule) ---- */
#define FAT12_MAX_CLUSTERS  4084u   /* < 4085 clusters: FAT12 */
#define FAT16_MAX_CLUSTERS  65524u  /* < 65525 clusters: FAT16, else FAT32 */
#define FAT_FIRST_CLUSTER   2u
/* FAT entry values (FAT32 uses the low 28 bits). */
#define FAT_FREE            0x0000000u
#define FAT32_MASK          0x0FFFFFFFu
#define FAT12_EOC_MIN       0xFF8u
#define FAT16_EOC_MIN       0xFFF8u
#define FAT32_EOC_MIN       0x0FFFFFF8u
#define FAT12_BAD           0xFF7u
#define FAT16_BAD           0xFFF7u
#define FAT32_BAD           0x0FFFFFF7u
/* FAT[1] high bits (FAT16: 0x8000 clean shutdown, 0x4000 no I/O error;
 * FAT32: 0x08000000, 0x04000000). Linux uses the boot sector bit instead;
 * dosfstools reads both. */
#define FAT16_CLN_SHUT      0x8000u
#define FAT32_CLN_SHUT      0x08000000u

/* ---- Directory entries (32 bytes) ---- */
#define DIR_ENTRY_SIZE      32
#define DIR_NAME            0       /* 11 bytes, 8.3 in CP437, space padded */
#define DIR_ATTR            11
#define DIR_NT_RES          12      /* bit 3: base lower case; bit 4: ext lower case */
#define DIR_CRT_TIME_TENTH  13      /* 0-199 (tens of ms) */
#define DIR_CRT_TIME        14      /* u16 */
#define DIR_CRT_DATE        16      /* u16 */
#define DIR_LST_ACC_DATE    18      /* u16 */
#define DIR_FST_CLUS_HI     20      /* u16: FAT32 only */
#define DIR_WRT_TIME        22      /* u16 */
#define DIR_WRT_DATE        24      /* u16 */
#define DIR_FST_CLUS_LO     26      /* u16 */
#define DIR_FILE_SIZE       28      /* u32 */
/* DIR_NAME[0] special values */
#define DIR_FREE_LAST       0x00    /* free, and every later entry too */
#define DIR_FREE            0xE5    /* deleted */
#define DIR_KANJI_E5        0x05    /* a real first byte 0xE5 */
/* Attributes */
#define ATTR_READ_ONLY      0x01
#define ATTR_HIDDEN         0x02
#define ATTR_SYSTEM         0x04
#define ATTR_VOLUME_ID      0x08
#define ATTR_DIRECTORY      0x10
#define ATTR_ARCHIVE        0x20
#define ATTR_LONG_NAME      0x0F    /* RO|HIDDEN|SYSTEM|VOLUME_ID */
#define ATTR_LONG_NAME_MASK 0x3F
#define NT_RES_LOWER_BASE   0x08
#define NT_RES_LOWER_EXT    0x10

/* ---- VFAT long-name entries (32 bytes, 13 UCS-2 characters each) ---- */
#define LDIR_ORD            0       /* sequence 1..20; 0x40: the last (first on disk) */
#define LDIR_NAME1          1       /* 5 characters */
#define LDIR_ATTR           11      /* ATTR_LONG_NAME */
#define LDIR_TYPE           12      /* 0 */
#define LDIR_CHKSUM         13      /* checksum of the 8.3 name */
#define LDIR_NAME2          14      /* 6 characters */
#define LDIR_FST_CLUS_LO    26      /* 0 */
#define LDIR_NAME3          28      /* 2 characters */
#define LDIR_LAST_LONG      0x40
#define LDIR_ORD_MASK       0x3F
#define LFN_CHARS_PER_ENTRY 13
#define LFN_MAX_CHARS       255
#define FAT_DIR_MAX_ENTRIES 65536u  /* a directory holds at most 2 MiB of entries */

/* ---- FAT timestamps (written in UTC: DESIGN.md section 4) ---- */
/* date: bits 15-9 year-1980, 8-5 month 1-12, 4-0 day 1-31
 * time: bits 15-11 hours, 10-5 minutes, 4-0 seconds/2 */
#define FAT_EPOCH_YEAR      1980
#define FAT_EPOCH_UNIX      315532800u  /* 1980-01-01 00:00:00 UTC */

#endif
