/*
 * fat.h: the FAT engine -- FAT12, FAT16 and FAT32 with VFAT long names, on
 * a block device (struct sd_backend). Portable C: no malloc, nothing of libc
 * beyond string.h; the same code builds for Linux and AVR.
 *
 * To use a volume, allocate a struct fat_volume (anywhere: its size is
 * known here) and call fat_mount(); then open, read, write and close files
 * by handle, or work on paths (stat, mkdir, rename ...); fat_sync() makes
 * everything durable; fat_unmount() syncs and lets go of the disk.
 *
 * Every function returns 0 (or a count, or a handle >= 0) on success and
 * -NOS_E* on failure (kproc/nos_errno.h):
 *   ENOENT ENOTDIR EISDIR EEXIST ENOTEMPTY  what the path names is wrong
 *   EINVAL         a name FAT forbids (control characters, " * / : < > ? \ |,
 *                  only dots and spaces), a bad flag or offset
 *   ENAMETOOLONG   a name over 255 UCS-2 characters
 *   ENOSPC         no free cluster, or a full directory
 *   EROFS          a read-only mount or disk;  EACCES: a read-only file
 *   EBUSY          unlink/rmdir of an open file or directory, rmdir of /
 *   EBADF EMFILE   a handle not open / FAT_MAX_OPEN handles open
 *   EFBIG          past 4 GiB - 1
 *   EIO            the disk failed, or the volume is damaged (a chain that
 *                  loops, ends early or leaves the volume; a bad entry)
 *
 * Paths are UTF-8, absolute or not (both start at the root), '/'-separated;
 * "." and ".." work inside a path. Names keep their case; lookup is
 * case-blind for ASCII and Latin-1. Times are Unix seconds, stored in UTC.
 *
 * Layers (one file each, bottom up, as in ChaN FatFs's ff.c):
 *   fat_vol.c    sector cache (hashed, LRU, write-back in sorted runs),
 *                mount (MBR or bare volume, BPB checks), dirty bit, FSInfo,
 *                sync; the write order lives there
 *   fat_chain.c  FAT entries (every FAT copy), cluster alloc/free, chains
 *   fat_dir.c    directory entries, long names, 8.3 aliases, timestamps,
 *                the name index of big directories (FAT_DIR_INDEX)
 *   fat_file.c   open files: read, write, seek, truncate
 *   fat_path.c   path lookup and the path operations
 */
#ifndef NOS_FAT_H
#define NOS_FAT_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/fat_layout.h"
#include "kproc/nos_errno.h"
#include "kproc/sdcard.h"

/* ---- compile-time knobs ---- */
#ifndef FAT_CACHE_SECTORS               /* write-back sector cache, in sectors */
#ifdef __AVR__
#define FAT_CACHE_SECTORS 1
#else
#define FAT_CACHE_SECTORS 4096          /* 2 MiB: a 256 MiB file's FAT fits */
#endif
#endif
#ifndef FAT_CACHE_HASH                  /* the cache's hash buckets: a power of two */
#ifdef __AVR__
#define FAT_CACHE_HASH 1
#else
#define FAT_CACHE_HASH 8192
#endif
#endif
#ifndef FAT_IO_BATCH                    /* sectors moved in one request through the */
#ifdef __AVR__                          /* cache: read-ahead, and written-back runs */
#define FAT_IO_BATCH 1
#else
#define FAT_IO_BATCH 128
#endif
#endif
#ifndef FAT_READ_AHEAD                  /* sectors read at once on a cache miss */
#ifdef __AVR__
#define FAT_READ_AHEAD 1
#else
#define FAT_READ_AHEAD 16
#endif
#endif
#ifndef FAT_MAX_OPEN                    /* open files and directories at once */
#ifdef __AVR__
#define FAT_MAX_OPEN 4
#else
#define FAT_MAX_OPEN 256
#endif
#endif
#ifndef FAT_LFN                         /* VFAT long names */
#define FAT_LFN 1
#endif
#if !FAT_LFN
#error "FAT_LFN 0 (8.3 names only) is not implemented yet"
#endif
#ifndef FAT_DIR_INDEX                   /* directories with a name index at once */
#ifdef __AVR__                          /* (0: none; lookups scan, as FatFs does) */
#define FAT_DIR_INDEX 0
#else
#define FAT_DIR_INDEX 16
#endif
#endif
#ifndef FAT_DIR_INDEX_POOL              /* hash slots (4 bytes) they share: a full */
#define FAT_DIR_INDEX_POOL (1u << 18)   /* directory (65,536 names) needs 2^17 */
#endif

#if FAT_CACHE_SECTORS < 1 || FAT_CACHE_SECTORS > 65535 || \
    (FAT_CACHE_HASH & (FAT_CACHE_HASH - 1)) != 0 || FAT_READ_AHEAD < 1 || \
    FAT_READ_AHEAD > FAT_IO_BATCH || FAT_DIR_INDEX < 0 || FAT_DIR_INDEX > 255
#error "want FAT_CACHE_SECTORS 1..65535, FAT_CACHE_HASH a power of two, \
FAT_READ_AHEAD 1..FAT_IO_BATCH, FAT_DIR_INDEX 0..255"
#endif

/* ---- flags ---- */
#define FAT_MOUNT_RO            0x01u   /* never write */
#define FAT_MOUNT_CLEAR_DIRTY   0x02u   /* clear a dirty bit found at mount on sync
                                           (after a repair); else it stays, as Linux does */

#define FAT_O_RDONLY    0x00u
#define FAT_O_WRONLY    0x01u
#define FAT_O_RDWR      0x02u
#define FAT_O_ACCMODE   0x03u
#define FAT_O_CREAT     0x04u
#define FAT_O_TRUNC     0x08u
#define FAT_O_APPEND    0x10u
#define FAT_O_EXCL      0x20u
#define FAT_O_DIRECTORY 0x40u   /* must be a directory (read-only; for readdir) */

#define FAT_SEEK_SET 0
#define FAT_SEEK_CUR 1
#define FAT_SEEK_END 2

#define FAT_RENAME_NOREPLACE 0x1u

#define FAT_FILE_MAX   0xFFFFFFFFu      /* 4 GiB - 1 */
#define FAT_NAME_MAX   (LFN_MAX_CHARS * 3)  /* UTF-8 bytes of 255 UCS-2 characters */

struct fat_stat {
	uint32_t size;
	uint32_t first_cluster;
	uint32_t mtime, ctime, atime;   /* Unix seconds; 0: not recorded */
	uint8_t attr;                   /* ATTR_* */
	uint8_t is_dir;
};

struct fat_dirent {
	char name[FAT_NAME_MAX + 1];    /* the long name (else the 8.3 one), UTF-8 */
	struct fat_stat st;
};

struct fat_statfs {
	uint32_t total_clusters;
	uint32_t free_clusters;
	uint32_t cluster_size;          /* bytes */
	uint8_t fat_type;               /* 12, 16 or 32 */
	uint8_t dirty_at_mount;         /* the volume was not unmounted cleanly */
	char label[12];                 /* "" when none */
};

/* ---- the volume (the caller allocates it; fields are the engine's) ---- */

#if FAT_CACHE_SECTORS <= 255
typedef uint8_t fat_sid_t;              /* a cache slot's number */
#else
typedef uint16_t fat_sid_t;
#endif

struct fat_slot {                       /* one cached sector */
	uint32_t lba;                   /* FAT_NO_LBA: empty */
	uint32_t epoch;                 /* write-order group (see fat_vol.c) */
	fat_sid_t hnext;                /* next in its hash chain */
	fat_sid_t prev, next;           /* its LRU list (clean or dirty), hot first */
	uint8_t dirty;
	uint8_t data[FAT_SECTOR_SIZE];
};

struct fat_file {                       /* one open file or directory */
	uint8_t flags;                  /* FAT_F_* */
	uint8_t attr;
	uint32_t ent_lba;               /* where its 8.3 entry is; 0: the root */
	uint16_t ent_off;
	uint32_t first;                 /* first cluster, 0: none */
	uint32_t size;
	uint32_t pos;                   /* bytes; directories: entry index */
	uint32_t clus;                  /* cluster number cidx of the chain; 0: none */
	uint32_t cidx;
};

#if FAT_DIR_INDEX > 0
/* What is known of one directory (fat_dir.c): a hash of its names (long and
 * 8.3, folded) to the index where each entry's run starts, and hints. */
struct fat_dir_index {
	uint32_t start;                 /* its first cluster; FAT_NO_DIR: unused */
	uint32_t used;                  /* LRU stamp */
	uint32_t end;                   /* its first never-used entry, or its size */
	uint32_t free_lo;               /* no free entry below this index */
	uint32_t memo_index, memo_clus; /* a cluster of its chain and its first index */
	uint32_t off, mask;             /* its hash slots: dix_pool[off .. off + mask] */
	uint32_t keys, tombs;           /* live and deleted hash slots */
	uint16_t alias_from;            /* 0, or: "~1" .. "~(alias_from - 1)" of */
	uint8_t alias[11];              /* the 8.3 basis alias are all taken */
};
#endif

struct fat_volume {
	const struct sd_backend *disk;
	uint32_t (*now)(void *ctx);
	void *now_ctx;
	uint8_t type;                   /* 12, 16, 32; 0: not mounted */
	uint8_t flags;                  /* FAT_MOUNT_* */
	uint8_t nfats;
	uint8_t spc;                    /* sectors per cluster */
	uint8_t spc_shift;
	uint8_t marked;                 /* the dirty bit is on disk */
	uint8_t dirty_at_mount;
	uint8_t free_known;
	uint16_t orphan_seq;            /* names the next group of orphaned handles */
	uint32_t vol_start;             /* LBA of the boot sector */
	uint32_t fat_start, fat_size;   /* first FAT (LBA), sectors per FAT */
	uint32_t root_start;            /* FAT12/16: fixed root (LBA) */
	uint32_t root_entries;          /* FAT12/16: its entry count */
	uint32_t root_clus;             /* FAT32: root cluster; FAT12/16: 0 */
	uint32_t data_start;            /* LBA of cluster 2 */
	uint32_t nclusters;             /* data clusters: 2 .. nclusters + 1 */
	uint32_t free_count, next_free;
	uint32_t fsinfo_lba;            /* 0: none */
	uint32_t epoch, flushed_epoch;
	uint32_t link_epoch;            /* the last epoch a chain was extended in */
	uint8_t unflushed;              /* writes since the last disk flush */
	uint16_t name_len, ename_len;
	uint16_t name[LFN_MAX_CHARS + 1];       /* the name being looked up/made */
	uint16_t ename[LFN_CHARS_PER_ENTRY * 20]; /* the entry's name while scanning */
	fat_sid_t head[2], tail[2];     /* LRU lists: [0] clean and empty, [1] dirty */
	fat_sid_t hash[FAT_CACHE_HASH]; /* first slot of each hash chain */
	fat_sid_t order[FAT_CACHE_SECTORS];     /* scratch: slots to write, sorted */
	struct fat_slot cache[FAT_CACHE_SECTORS];
#if FAT_IO_BATCH > 1
	uint8_t batch[FAT_IO_BATCH * FAT_SECTOR_SIZE];  /* read-ahead, written runs */
#endif
#if FAT_DIR_INDEX > 0
	uint32_t dix_stamp, dix_top;    /* LRU clock; pool slots in use */
	struct fat_dir_index dix[FAT_DIR_INDEX];
	uint32_t dix_pool[FAT_DIR_INDEX_POOL];
#endif
	struct fat_file files[FAT_MAX_OPEN];
};

/* ---- volume ---- */

/* Mount the FAT volume on disk: an MBR's first FAT partition, or a bare
 * boot sector at sector 0. now() gives Unix seconds (UTC) for timestamps.
 * 0, or -NOS_EINVAL (not FAT / damaged: err says what and where),
 * -NOS_EIO (the disk failed). err may be NULL. */
int fat_mount(struct fat_volume *v, const struct sd_backend *disk, unsigned flags,
              uint32_t (*now)(void *ctx), void *ctx, char *err, size_t errlen);
/* Write everything (open files' sizes too), FSInfo, clear the dirty bit,
 * flush the disk. 0 or -NOS_EIO. */
int fat_sync(struct fat_volume *v);
/* fat_sync, close every handle, forget the disk. 0 or what sync returned
 * (the volume is unmounted either way). */
int fat_unmount(struct fat_volume *v);
int fat_statfs(struct fat_volume *v, struct fat_statfs *st);

/* ---- open files ---- */

/* -> handle >= 0 */
int fat_open(struct fat_volume *v, const char *path, unsigned flags);
int fat_close(struct fat_volume *v, int h);
int32_t fat_read(struct fat_volume *v, int h, void *buf, uint32_t n);    /* -> bytes */
int32_t fat_write(struct fat_volume *v, int h, const void *buf, uint32_t n);
/* New position in *pos (may be NULL). Past the end is allowed; a write there
 * fills the gap with zeros. -NOS_EINVAL for < 0 or > 4 GiB - 1. */
int fat_seek(struct fat_volume *v, int h, int64_t off, int whence, uint32_t *pos);
/* Grow (zero-filled) or shrink to len. */
int fat_ftruncate(struct fat_volume *v, int h, uint32_t len);
/* Write this file's data, chain and directory entry, flush the disk. */
int fat_fsync(struct fat_volume *v, int h);
int fat_fstat(struct fat_volume *v, int h, struct fat_stat *st);

/* ---- directories ---- */

int fat_opendir(struct fat_volume *v, const char *path);     /* -> handle; fat_close */
/* 1: *d is the next entry ("." and ".." are left out), 0: the end. */
int fat_readdir(struct fat_volume *v, int h, struct fat_dirent *d);

/* ---- paths ---- */

int fat_stat(struct fat_volume *v, const char *path, struct fat_stat *st);
int fat_mkdir(struct fat_volume *v, const char *path);
int fat_rmdir(struct fat_volume *v, const char *path);
int fat_unlink(struct fat_volume *v, const char *path);
/* Move or rename a file or directory; an existing target of the same kind
 * is replaced (a directory only if empty) unless FAT_RENAME_NOREPLACE. */
int fat_rename(struct fat_volume *v, const char *from, const char *to, unsigned flags);
/* atime/mtime: Unix seconds, or FAT_TIME_NOW (the volume's clock) or
 * FAT_TIME_OMIT (left as it is), as utimensat's UTIME_NOW/UTIME_OMIT. */
#define FAT_TIME_NOW 0u
#define FAT_TIME_OMIT 0xffffffffu
int fat_utimens(struct fat_volume *v, const char *path, uint32_t atime, uint32_t mtime);
int fat_set_readonly(struct fat_volume *v, const char *path, int readonly);

/* ---- check and repair (fat_check.c) ---- */

#define FAT_CHECK_REPAIR 0x1u           /* fix what is found (a read-write mount) */
#define FAT_CHECK_DEPTH  64             /* deeper directories are damage */

/* What fat_check found: one count per kind (each also said in one line). */
struct fat_check_report {
	uint32_t problems;              /* all of them: fat_check's return */
	uint32_t lost_clusters;         /* clusters allocated but reached by no entry */
	uint32_t cross_links;           /* a chain running into another's cluster */
	uint32_t bad_chains;            /* leaving the volume, into a free or bad
	                                   cluster, looping */
	uint32_t size_mismatch;         /* file size vs chain length */
	uint32_t bad_entries;           /* invalid first cluster, garbage name or
	                                   attributes, duplicate 8.3 name, live
	                                   entries after the end-of-directory mark,
	                                   a directory nested too deep */
	uint32_t bad_lfn;               /* orphan or mismatched long-name entries */
	uint32_t bad_dots;              /* "." or ".." wrong in a subdirectory */
	uint32_t fat_copies;            /* FAT sectors that differ between copies */
	uint32_t fat_head;              /* FAT entries 0 and 1 (media, clean bits) */
	uint32_t fsinfo;                /* FSInfo free count or next-free hint */
	uint32_t dirty;                 /* the dirty bit was set at mount */
	uint32_t files, dirs;           /* what the walk saw (not problems) */
};

/* Bytes of scratch fat_check needs for v: a bit per cluster plus the walk's
 * directory stack. */
size_t fat_check_map_size(const struct fat_volume *v);

/*
 * Check the mounted volume v: FAT copies and entries 0/1, every directory
 * from the root (cycles and nesting beyond FAT_CHECK_DEPTH caught), every
 * chain against a bitmap of clusters in map (the caller's scratch, map_bytes
 * >= fat_check_map_size(v); no malloc here), lost clusters, FSInfo, the
 * dirty bit. Each problem is counted in *rep (may be NULL) and said in one
 * line through say(ctx, line) (say may be NULL). Without FAT_CHECK_REPAIR
 * nothing is written; with it every problem is fixed (entries first, then
 * chains, then lost clusters freed), fat_sync() writes it all and only then
 * the dirty bit is cleared (the mount then counts as clean). No file may be
 * open. -> 0: clean; > 0: problems found (and fixed with REPAIR);
 * -NOS_ENOMEM (map too small), -NOS_EROFS (REPAIR on a read-only mount),
 * -NOS_EBUSY (open files), -NOS_EINVAL (not mounted), -NOS_EIO (the disk
 * failed, or the FAT32 root directory itself is unusable).
 */
int fat_check(struct fat_volume *v, unsigned flags, uint8_t *map, size_t map_bytes,
              struct fat_check_report *rep, void (*say)(void *ctx, const char *line),
              void *ctx);

/* ------------------------------------------------------------------------
 * Internal: shared by kproc/fat_*.c only.
 */
#ifdef FAT_INTERNAL

#define FAT_NO_LBA      0xFFFFFFFFu

#define FAT_F_USED      0x01u
#define FAT_F_DIR       0x02u
#define FAT_F_READ      0x04u
#define FAT_F_WRITE     0x08u
#define FAT_F_APPEND    0x10u
#define FAT_F_DIRTY     0x20u   /* size, first cluster or mtime to store */
#define FAT_F_ORPHAN    0x40u   /* its name was removed while it was open: the
                                 * chain is freed when the last handle closes */
#define FAT_LBA_ORPHAN  0xFFFFFFFEu     /* fat_file.ent_lba of an orphan; ent_off
                                         * tells its groups apart */

/* fat_cache_get modes */
#define FAT_RD  0       /* read the sector */
#define FAT_WR  1       /* read it, and it will change */
#define FAT_NEW 2       /* it will be overwritten whole: zeroed, not read */

/* fat_vol.c */
int fat_cache_get(struct fat_volume *v, uint32_t lba, int mode, uint8_t **p);
/* As fat_cache_get, for a change that exposes nothing by itself (file data,
 * a free cluster taken): it joins an earlier epoch (fat_vol.c). */
int fat_cache_get_early(struct fat_volume *v, uint32_t lba, int mode, uint8_t **p);
/* n in decimal at the end of d[11]; returns its first digit (fat_vol.c). */
const char *fat_u32_text(uint32_t n, char d[11]);
/* The FSInfo sector in the cache: 1, 0 (none or not valid), -NOS_E*. */
int fat_fsinfo_get(struct fat_volume *v, uint8_t **p);
void fat_barrier(struct fat_volume *v);
int fat_cache_commit(struct fat_volume *v);
int fat_data_read(struct fat_volume *v, uint32_t lba, uint32_t n, void *buf);
int fat_data_write(struct fat_volume *v, uint32_t lba, uint32_t n, const void *buf);
int fat_begin_change(struct fat_volume *v);
uint32_t fat_clus_lba(const struct fat_volume *v, uint32_t clus);
static inline uint32_t fat_csize(const struct fat_volume *v)
{
	return (uint32_t)v->spc * FAT_SECTOR_SIZE;
}

/* fat_chain.c */
int fat_clus_ok(const struct fat_volume *v, uint32_t clus);
int fat_get(struct fat_volume *v, uint32_t clus, uint32_t *val);
int fat_set(struct fat_volume *v, uint32_t clus, uint32_t val);
int fat_next(struct fat_volume *v, uint32_t clus, uint32_t *next);
int32_t fat_alloc_chain(struct fat_volume *v, uint32_t n, uint32_t *first);
int fat_link(struct fat_volume *v, uint32_t prev, uint32_t next);
int fat_free_chain(struct fat_volume *v, uint32_t first);
int fat_cut_chain(struct fat_volume *v, uint32_t last);
int fat_count_free(struct fat_volume *v);
int fat_zero_cluster(struct fat_volume *v, uint32_t clus);
int fat_chain_check(struct fat_volume *v, uint32_t first, uint32_t size);

/* fat_dir.c */
struct fat_node {               /* a directory entry found by a lookup */
	uint32_t dir;           /* first cluster of the directory holding it */
	uint32_t index;         /* its 8.3 entry's index there */
	uint32_t lfn_index;     /* its first long-name entry's index */
	uint32_t lba;           /* where the 8.3 entry is; 0: the root (no entry) */
	uint16_t off;
	uint8_t nlfn;           /* long-name entries before it */
	uint8_t npad;           /* never-used slots skipped to keep the name in */
	uint32_t pad_index;     /* one sector: marked deleted first (fat_dir.c) */
	uint8_t ent[DIR_ENTRY_SIZE];    /* a copy of the 8.3 entry */
};
struct fat_dpos {               /* a cursor in a directory */
	uint32_t start;         /* first cluster; 0: the fixed root of FAT12/16 */
	uint32_t clus;          /* the cluster holding index (0: fixed root) */
	uint32_t index;
	uint8_t done;           /* past the last entry */
};

uint32_t fat_ent_first(const struct fat_volume *v, const uint8_t *ent);
void fat_ent_set_first(const struct fat_volume *v, uint8_t *ent, uint32_t clus);
uint32_t fat_dir_start(const struct fat_volume *v, uint32_t clus);
void fat_stamp(uint32_t t, uint16_t *date, uint16_t *time);
uint32_t fat_unix_time(uint16_t date, uint16_t time);
void fat_ent_stamp(struct fat_volume *v, uint8_t *ent, int created);
int fat_name_from_utf8(struct fat_volume *v, const char *s, size_t len);
int fat_name_to_utf8(const uint16_t *name, uint16_t len, char *out, size_t outlen);
int fat_dir_find(struct fat_volume *v, uint32_t dir, struct fat_node *n);
int fat_dir_entry(struct fat_volume *v, uint32_t lba, uint16_t off, int mode, uint8_t **ent);
int fat_dir_rewind(struct fat_volume *v, struct fat_dpos *d, uint32_t start);
int fat_dir_seek(struct fat_volume *v, struct fat_dpos *d, uint32_t start, uint32_t index);
int fat_dir_next(struct fat_volume *v, struct fat_dpos *d, struct fat_node *n);
int fat_dir_prepare(struct fat_volume *v, uint32_t dir, struct fat_node *n);
int fat_dir_commit(struct fat_volume *v, struct fat_node *n);
int fat_dir_remove(struct fat_volume *v, const struct fat_node *n);
int fat_dir_empty(struct fat_volume *v, uint32_t dir);
int fat_dir_init(struct fat_volume *v, uint32_t clus, uint32_t parent);
#if FAT_DIR_INDEX > 0
/* Forget every directory's name index / the one of directory dir (its
 * chain is freed). Changes through fat_dir_* keep the indexes true; code
 * that changes entries behind them (fat_check's repairs) resets them. */
void fat_dir_index_reset(struct fat_volume *v);
void fat_dir_index_forget(struct fat_volume *v, uint32_t dir);
#else
static inline void fat_dir_index_reset(struct fat_volume *v) { (void)v; }
static inline void fat_dir_index_forget(struct fat_volume *v, uint32_t dir)
{
	(void)v;
	(void)dir;
}
#endif

/* fat_file.c */
int fat_file_new(struct fat_volume *v, const struct fat_node *n, uint8_t fflags);
struct fat_file *fat_file_get(struct fat_volume *v, int h);
int fat_file_store(struct fat_volume *v, struct fat_file *f);
int fat_node_busy(struct fat_volume *v, const struct fat_node *n);
/* An open handle on the entry at (lba, off); NULL if there is none. */
struct fat_file *fat_file_on(struct fat_volume *v, uint32_t lba, uint16_t off);
/* n's name is going away: its open handles keep its data as orphans.
 * 1 if there were any (the chain is theirs now), else 0. */
int fat_node_orphan(struct fat_volume *v, const struct fat_node *n);
/* Free the chains of orphans still open (unmount). */
int fat_orphans_free(struct fat_volume *v);

#endif /* FAT_INTERNAL */

#endif
