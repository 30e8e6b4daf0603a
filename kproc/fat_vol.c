/*
 * fat_vol.c: the volume -- sector cache, mount, dirty bit, FSInfo, sync.
 *
 * To read or change a sector, call fat_cache_get(): it returns a pointer into
 * the cache, valid until the next cache call. File data in whole sectors goes
 * around the cache (fat_data_read/fat_data_write). Everything else of the
 * engine sits on these two.
 *
 * WRITE ORDER (crash safety). The cache is write-back, but never reorders
 * across a barrier: each dirty sector carries the epoch in which it changed;
 * fat_barrier() starts a new epoch; a sector is written only after every
 * dirty sector of an earlier epoch, with a disk flush between epochs; a
 * sector dirty from an earlier epoch is written out before it changes again.
 * One kind of change may go early: a change that exposes nothing by itself
 * -- file data, and marking a cluster that nothing on the disk points to as
 * taken (fat_cache_get_early, fat_data_write). It belongs to the epoch
 * before the current one (or joins the older epoch its sector is already
 * dirty in), so whatever links or sizes it in the current epoch or later
 * follows it across a flush, and it forces no sector out early. Freed
 * clusters are written out at once (fat_free_chain), so a cluster free in
 * the cache is free on the disk, with the entries that pointed to it gone,
 * before data goes into it.
 * On top of that the engine keeps this order:
 *   1. The dirty bit (BS16_RESERVED1 / BS32_RESERVED1 bit 0) is set, and the
 *      FSInfo free count set to "unknown", and both flushed, before the first
 *      change after mount or sync (fat_begin_change).
 *   2. New clusters are marked end-of-chain in every FAT and file data is
 *      written into them (both early), or a new directory's contents (then
 *      a barrier); only then are they linked to the chain or written into a
 *      directory entry, and the entry's size is updated after a barrier
 *      that follows a link (fat_file.c).
 *   3. A delete marks the directory entries free -- barrier -- then frees the
 *      clusters: a crash leaves only lost clusters, which are harmless. A
 *      rename reserves the new entries' slots, removes the old entries,
 *      barrier, writes the new ones (a crash loses the name, never makes
 *      two names share clusters), barrier, frees a replaced target.
 *   4. A shrink stores the smaller size first, then cuts the chain.
 *   5. Every FAT copy gets every change (fat_chain.c), so they stay equal.
 *   6. Sync: open files' entries, all dirty sectors (in epoch order), the
 *      true FSInfo free count, flush -- the commit point -- then the dirty
 *      bit is cleared and flushed.
 */
#include <string.h>

#define FAT_INTERNAL
#include "kproc/fat.h"
#include "kproc/le.h"

/* ------------------------------------------------------------ disk access */

static int disk_read(struct fat_volume *v, uint32_t lba, uint32_t n, void *buf)
{
	if (sd_check_range(v->disk->blocks, lba, n) < 0)
		return -NOS_EIO;
	return v->disk->read(v->disk->ctx, lba, n, buf) < 0 ? -NOS_EIO : 0;
}

static int disk_write(struct fat_volume *v, uint32_t lba, uint32_t n, const void *buf)
{
	if (sd_check_range(v->disk->blocks, lba, n) < 0)
		return -NOS_EIO;
	return v->disk->write(v->disk->ctx, lba, n, buf) < 0 ? -NOS_EIO : 0;
}

static int disk_flush(struct fat_volume *v)
{
	v->unflushed = 0;
	return v->disk->flush(v->disk->ctx) < 0 ? -NOS_EIO : 0;
}

/* A write of epoch `epoch` is about to go out: flush first if an earlier
 * epoch's writes may still sit in the disk's own cache. flushed_epoch is
 * the oldest epoch among the writes since the last flush (early writes can
 * go out after later epochs' ones). */
static int disk_order(struct fat_volume *v, uint32_t epoch)
{
	int r = 0;

	if (v->unflushed && v->flushed_epoch < epoch)
		r = disk_flush(v);
	v->flushed_epoch = epoch;       /* the group's oldest: it was >= epoch */
	v->unflushed = 1;
	return r;
}

/* ------------------------------------------------------------ sector cache */

static int slot_store(struct fat_volume *v, struct fat_slot *s)
{
	int r = disk_order(v, s->epoch);

	if (r == 0)
		r = disk_write(v, s->lba, 1, s->data);
	if (r == 0)
		s->dirty = 0;
	return r;
}

/* Write every dirty sector of epoch <= upto, oldest epoch first. */
static int cache_commit_upto(struct fat_volume *v, uint32_t upto)
{
	for (;;) {
		struct fat_slot *s = NULL;
		int i, r;

		for (i = 0; i < FAT_CACHE_SECTORS; i++) {
			struct fat_slot *c = &v->cache[i];

			if (c->dirty && c->epoch <= upto && (s == NULL || c->epoch < s->epoch))
				s = c;
		}
		if (s == NULL)
			return 0;
		r = slot_store(v, s);
		if (r < 0)
			return r;
	}
}

int fat_cache_commit(struct fat_volume *v)
{
	return cache_commit_upto(v, v->epoch);
}

void fat_barrier(struct fat_volume *v)
{
	v->epoch++;
}

static struct fat_slot *cache_find(struct fat_volume *v, uint32_t lba)
{
	int i;

	if (v->cache[v->last_slot].lba == lba)
		return &v->cache[v->last_slot];
	for (i = 0; i < FAT_CACHE_SECTORS; i++)
		if (v->cache[i].lba == lba) {
			v->last_slot = (uint8_t)i;
			return &v->cache[i];
		}
	return NULL;
}

/* The least recently used slot, a clean one if any; written out if dirty. */
static int cache_victim(struct fat_volume *v, struct fat_slot **out)
{
	struct fat_slot *best = NULL, *clean = NULL;
	int i;

	for (i = 0; i < FAT_CACHE_SECTORS; i++) {
		struct fat_slot *s = &v->cache[i];

		if (s->lba == FAT_NO_LBA) {
			*out = s;
			return 0;
		}
		if (!s->dirty && (clean == NULL || s->used < clean->used))
			clean = s;
		if (best == NULL || s->used < best->used)
			best = s;
	}
	if (clean != NULL) {
		*out = clean;
		return 0;
	}
	*out = best;
	/* Its epoch's predecessors go first: the write order holds. */
	return cache_commit_upto(v, best->epoch);
}

#if FAT_READ_AHEAD > 1
/* A clean or empty slot other than s, or NULL: read-ahead never forces a
 * write, so it cannot disturb the write order. */
static struct fat_slot *cache_spare(struct fat_volume *v, const struct fat_slot *s)
{
	struct fat_slot *clean = NULL;
	int i;

	for (i = 0; i < FAT_CACHE_SECTORS; i++) {
		struct fat_slot *o = &v->cache[i];

		if (o == s || o->dirty)
			continue;
		if (o->lba == FAT_NO_LBA)
			return o;
		if (clean == NULL || o->used < clean->used)
			clean = o;
	}
	return clean;
}

/* Read lba into s and the sectors after it in the same request: scans of
 * directories and FATs larger than the cache then miss once in
 * FAT_READ_AHEAD sectors, not on every one. A sector already cached is
 * skipped (the cached copy is the current one). */
static int cache_read_ahead(struct fat_volume *v, uint32_t lba, struct fat_slot *s)
{
	uint32_t n = FAT_READ_AHEAD, i;
	struct fat_slot *o;
	int r;

	if (n > v->disk->blocks - lba)
		n = v->disk->blocks - lba;
	r = disk_read(v, lba, n, v->ahead);
	if (r < 0)
		return r;
	memcpy(s->data, v->ahead, FAT_SECTOR_SIZE);
	s->lba = lba;
	s->used = ++v->stamp;
	for (i = 1; i < n; i++) {
		if (cache_find(v, lba + i) != NULL)
			continue;
		o = cache_spare(v, s);
		if (o == NULL)
			break;
		memcpy(o->data, v->ahead + (size_t)i * FAT_SECTOR_SIZE, FAT_SECTOR_SIZE);
		o->lba = lba + i;
		o->used = ++v->stamp;
	}
	return 0;
}
#endif

/* fat_cache_get; early: the change may go before the current epoch's (see
 * the top of this file). */
static int cache_get(struct fat_volume *v, uint32_t lba, int mode, int early, uint8_t **p)
{
	struct fat_slot *s;
	int r;

	if (mode != FAT_RD) {
		r = fat_begin_change(v);
		if (r < 0)
			return r;
	}
	s = cache_find(v, lba);
	if (early && s != NULL && s->dirty && s->epoch >= v->epoch)
		fat_barrier(v);         /* it holds this epoch's changes: they stay after */
	if (s == NULL) {
		r = cache_victim(v, &s);
		if (r < 0)
			return r;
		s->lba = FAT_NO_LBA;
		s->dirty = 0;
		if (mode == FAT_NEW) {
			memset(s->data, 0, sizeof(s->data));
		} else {
#if FAT_READ_AHEAD > 1
			r = mode == FAT_RD && lba < v->disk->blocks ? cache_read_ahead(v, lba, s)
			                                           : disk_read(v, lba, 1, s->data);
#else
			r = disk_read(v, lba, 1, s->data);
#endif
			if (r < 0)
				return r;
		}
		s->lba = lba;
		v->last_slot = (uint8_t)(s - v->cache);
	} else if (mode != FAT_RD && !early && s->dirty && s->epoch < v->epoch) {
		/* Changed before a barrier: that change reaches the disk first. */
		r = cache_commit_upto(v, s->epoch);
		if (r < 0)
			return r;
	}
	if (mode == FAT_NEW)
		memset(s->data, 0, sizeof(s->data));
	if (mode != FAT_RD) {
		if (!early)
			s->epoch = v->epoch;
		else if (!s->dirty)
			s->epoch = v->epoch - 1;
		s->dirty = 1;
	}
	s->used = ++v->stamp;
	*p = s->data;
	return 0;
}

int fat_cache_get(struct fat_volume *v, uint32_t lba, int mode, uint8_t **p)
{
	return cache_get(v, lba, mode, 0, p);
}

/* fat_cache_get (FAT_WR or FAT_NEW) for an early change: file data, or a
 * free cluster taken that nothing on the disk points to. */
int fat_cache_get_early(struct fat_volume *v, uint32_t lba, int mode, uint8_t **p)
{
	return cache_get(v, lba, mode, 1, p);
}

/* Whole data sectors around the cache; a cached copy is the current one. */
int fat_data_read(struct fat_volume *v, uint32_t lba, uint32_t n, void *buf)
{
	int i, r = disk_read(v, lba, n, buf);

	if (r < 0)
		return r;
	for (i = 0; i < FAT_CACHE_SECTORS; i++) {
		struct fat_slot *s = &v->cache[i];

		if (s->lba != FAT_NO_LBA && s->lba >= lba && s->lba - lba < n)
			memcpy((uint8_t *)buf + (size_t)(s->lba - lba) * FAT_SECTOR_SIZE,
			       s->data, FAT_SECTOR_SIZE);
	}
	return 0;
}

/* File data goes early: before the current epoch's links and sizes. */
int fat_data_write(struct fat_volume *v, uint32_t lba, uint32_t n, const void *buf)
{
	int i, r = fat_begin_change(v);

	if (r < 0)
		return r;
	for (i = 0; i < FAT_CACHE_SECTORS; i++) {
		struct fat_slot *s = &v->cache[i];

		if (s->lba != FAT_NO_LBA && s->lba >= lba && s->lba - lba < n) {
			s->lba = FAT_NO_LBA;    /* overwritten whole: drop it */
			s->dirty = 0;
		}
	}
	r = disk_order(v, v->epoch - 1);
	if (r == 0)
		r = disk_write(v, lba, n, buf);
	return r;
}

uint32_t fat_clus_lba(const struct fat_volume *v, uint32_t clus)
{
	return v->data_start + ((clus - FAT_FIRST_CLUSTER) << v->spc_shift);
}

/* ------------------------------------------------------------ dirty bit, FSInfo */

static uint16_t dirty_off(const struct fat_volume *v)
{
	return v->type == 32 ? BS32_RESERVED1 : BS16_RESERVED1;
}

/* The volume's FSInfo sector in the cache (*p): 1, or 0 when it has none
 * (FAT12/16) or it lacks the signatures (then it is left alone); -NOS_E*. */
int fat_fsinfo_get(struct fat_volume *v, uint8_t **p)
{
	int r;

	if (v->fsinfo_lba == 0)
		return 0;
	r = fat_cache_get(v, v->fsinfo_lba, FAT_RD, p);
	if (r < 0)
		return r;
	return ld_32(*p + FSI_LEAD_SIG) == FSI_LEAD_SIG_VALUE &&
	       ld_32(*p + FSI_STRUC_SIG) == FSI_STRUC_SIG_VALUE;
}

/* Write the FSInfo free count (FSI_UNKNOWN unless known) and hint. */
static int fsinfo_store(struct fat_volume *v, int known)
{
	uint8_t *p;
	int r = fat_fsinfo_get(v, &p);

	if (r <= 0)
		return r;
	r = fat_cache_get(v, v->fsinfo_lba, FAT_WR, &p);
	if (r < 0)
		return r;
	st_32(p + FSI_FREE_COUNT, known && v->free_known ? v->free_count : FSI_UNKNOWN);
	st_32(p + FSI_NXT_FREE, v->next_free >= FAT_FIRST_CLUSTER ? v->next_free : FSI_UNKNOWN);
	return 0;
}

static int set_dirty_bit(struct fat_volume *v, int on)
{
	uint8_t *p;
	int r = fat_cache_get(v, v->vol_start, FAT_RD, &p);

	if (r < 0)
		return r;
	if (on)
		p[dirty_off(v)] |= 0x01;
	else
		p[dirty_off(v)] &= (uint8_t)~0x01;
	/* Marked dirty in place, not through FAT_WR: this runs inside it. */
	v->cache[v->last_slot].dirty = 1;
	v->cache[v->last_slot].epoch = v->epoch;
	return 0;
}

/* Before the first change after mount or sync: the dirty bit and an
 * "unknown" FSInfo count reach the disk (write order 1). */
int fat_begin_change(struct fat_volume *v)
{
	int r;

	if (v->flags & FAT_MOUNT_RO)
		return -NOS_EROFS;
	if (v->marked)
		return 0;
	v->marked = 1;          /* first: fsinfo_store's FAT_WR comes back here */
	r = set_dirty_bit(v, 1);
	if (r == 0)
		r = fsinfo_store(v, 0);
	if (r == 0)
		r = fat_cache_commit(v);
	if (r == 0)
		r = disk_flush(v);
	fat_barrier(v);
	if (r < 0)
		v->marked = 0;
	return r;
}

int fat_sync(struct fat_volume *v)
{
	int i, r = 0, r2;

	if (v->type == 0)
		return -NOS_EINVAL;
	if (!v->marked)
		return 0;       /* nothing changed since the last sync */
	for (i = 0; i < FAT_MAX_OPEN; i++) {
		r2 = fat_file_store(v, &v->files[i]);
		if (r2 < 0 && r == 0)
			r = r2;
	}
	fat_barrier(v);
	if (r == 0 && !v->free_known && !(v->flags & FAT_MOUNT_RO) && v->type == 32)
		r = fat_count_free(v);
	if (r == 0)
		r = fsinfo_store(v, 1);
	if (r == 0)
		r = fat_cache_commit(v);
	if (r == 0)
		r = disk_flush(v);      /* the commit point: all is on the disk */
	if (r < 0)
		return r;
	if (!v->dirty_at_mount || (v->flags & FAT_MOUNT_CLEAR_DIRTY)) {
		fat_barrier(v);
		r = set_dirty_bit(v, 0);
		if (r == 0)
			r = fat_cache_commit(v);
		if (r == 0)
			r = disk_flush(v);
		if (r == 0)
			v->marked = 0;
	}
	return r;
}

int fat_unmount(struct fat_volume *v)
{
	int r;

	if (v->type == 0)
		return -NOS_EINVAL;
	r = (v->flags & FAT_MOUNT_RO) ? 0 : fat_sync(v);
	memset(v->files, 0, sizeof(v->files));
	v->type = 0;
	return r;
}

/* ------------------------------------------------------------ mount */

/* The error text: pieces appended, numbers in decimal (no stdio here). */
struct fat_msg {
	char *buf;
	size_t len, at;
};

static void msg_str(struct fat_msg *m, const char *s)
{
	while (*s != '\0' && m->buf != NULL && m->at + 1 < m->len)
		m->buf[m->at++] = *s++;
	if (m->buf != NULL && m->len > 0)
		m->buf[m->at] = '\0';
}

/* n in decimal, written at the end of d; the first digit's address. The
 * engine's messages are built without printf (AVR: no stdio). */
const char *fat_u32_text(uint32_t n, char d[11])
{
	int i = 10;

	d[i] = '\0';
	do {
		d[--i] = (char)('0' + n % 10u);
		n /= 10u;
	} while (n != 0);
	return d + i;
}

static void msg_num(struct fat_msg *m, uint32_t n)
{
	char d[11];

	msg_str(m, fat_u32_text(n, d));
}

/* "bad BPB: WHAT VALUE at offset OFF of sector LBA; not a FAT ..." */
static int bad_bpb(struct fat_msg *m, const char *what, uint32_t val, uint32_t off,
                   uint32_t lba)
{
	msg_str(m, "bad BPB: ");
	msg_str(m, what);
	msg_str(m, " ");
	msg_num(m, val);
	msg_str(m, " at offset ");
	msg_num(m, off);
	msg_str(m, " of sector ");
	msg_num(m, lba);
	msg_str(m, "; not a FAT volume or a damaged one: run nanoos sdimage fsck");
	return -NOS_EINVAL;
}

static int is_pow2(uint32_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Sector 0 is a volume boot sector if it starts with a jump instruction
 * (EB xx or E9 xx xx); else it should be an MBR. */
static int looks_like_boot(const uint8_t *p)
{
	return p[BS_JMP_BOOT] == 0xEB || p[BS_JMP_BOOT] == 0xE9;
}

static int find_volume(struct fat_volume *v, uint8_t *p, struct fat_msg *m)
{
	int i;

	if (looks_like_boot(p)) {
		v->vol_start = 0;
		return 0;
	}
	if (p[MBR_SIGNATURE] != 0x55 || p[MBR_SIGNATURE + 1] != 0xAA) {
		msg_str(m, "sector 0 holds neither a FAT boot sector nor an MBR "
		           "(no 0x55AA signature at offset 510); not a FAT volume "
		           "or a damaged one: run nanoos sdimage fsck");
		return -NOS_EINVAL;
	}
	for (i = 0; i < 4; i++) {
		const uint8_t *e = p + MBR_PART_TABLE + i * MBR_PART_ENTRY_SIZE;
		uint8_t t = e[PTE_TYPE];

		if (t == PT_FAT12 || t == PT_FAT16_SMALL || t == PT_FAT16 ||
		    t == PT_FAT32_CHS || t == PT_FAT32_LBA || t == PT_FAT16_LBA) {
			v->vol_start = ld_32(e + PTE_LBA_START);
			if (v->vol_start == 0 || v->vol_start >= v->disk->blocks) {
				msg_str(m, "MBR partition ");
				msg_num(m, (uint32_t)i + 1);
				msg_str(m, " starts at sector ");
				msg_num(m, v->vol_start);
				msg_str(m, ", outside the disk of ");
				msg_num(m, v->disk->blocks);
				msg_str(m, " sectors: a damaged MBR or a truncated image");
				return -NOS_EINVAL;
			}
			return 0;
		}
	}
	msg_str(m, "the MBR in sector 0 has no FAT partition (types 01 04 06 0B 0C 0E); "
	           "make one with nanoos sdimage create");
	return -NOS_EINVAL;
}

/* Check the BPB in p (sector v->vol_start) and fill in the geometry. */
static int read_bpb(struct fat_volume *v, const uint8_t *p, struct fat_msg *m)
{
	uint32_t lba = v->vol_start, bps, rsvd, nroot, tot, fatsz, root_secs, sys, nclus;
	uint8_t spc, media;

	if (p[BS_SIGNATURE] != 0x55 || p[BS_SIGNATURE + 1] != 0xAA)
		return bad_bpb(m, "boot signature", ld_16(p + BS_SIGNATURE), BS_SIGNATURE, lba);
	bps = ld_16(p + BPB_BYTS_PER_SEC);
	if (bps != FAT_SECTOR_SIZE)
		return bad_bpb(m, is_pow2(bps) && bps >= 512 && bps <= 4096 ?
		               "bytes per sector (only 512 is supported)" :
		               "bytes per sector", bps, BPB_BYTS_PER_SEC, lba);
	spc = p[BPB_SEC_PER_CLUS];
	if (!is_pow2(spc))
		return bad_bpb(m, "sectors per cluster", spc, BPB_SEC_PER_CLUS, lba);
	rsvd = ld_16(p + BPB_RSVD_SEC_CNT);
	if (rsvd == 0)
		return bad_bpb(m, "reserved sectors", rsvd, BPB_RSVD_SEC_CNT, lba);
	if (p[BPB_NUM_FATS] == 0 || p[BPB_NUM_FATS] > 4)
		return bad_bpb(m, "number of FATs", p[BPB_NUM_FATS], BPB_NUM_FATS, lba);
	media = p[BPB_MEDIA];
	if (media != 0xF0 && media < 0xF8)
		return bad_bpb(m, "media byte", media, BPB_MEDIA, lba);
	nroot = ld_16(p + BPB_ROOT_ENT_CNT);
	tot = ld_16(p + BPB_TOT_SEC16);
	if (tot == 0)
		tot = ld_32(p + BPB_TOT_SEC32);
	if (tot == 0)
		return bad_bpb(m, "total sectors", 0, BPB_TOT_SEC32, lba);
	fatsz = ld_16(p + BPB_FAT_SZ16);
	if (fatsz == 0)
		fatsz = ld_32(p + BPB32_FAT_SZ32);
	if (fatsz == 0)
		return bad_bpb(m, "sectors per FAT", 0, BPB32_FAT_SZ32, lba);
	root_secs = (nroot * DIR_ENTRY_SIZE + FAT_SECTOR_SIZE - 1) / FAT_SECTOR_SIZE;
	/* Reserved + FATs + root must leave room for data (no overflow: all
	 * terms are < 2^16 * 2^8 or checked). */
	if (fatsz > tot || (uint64_t)rsvd + (uint64_t)fatsz * p[BPB_NUM_FATS] + root_secs >= tot)
		return bad_bpb(m, "sectors per FAT", fatsz, ld_16(p + BPB_FAT_SZ16) ?
		               BPB_FAT_SZ16 : BPB32_FAT_SZ32, lba);
	sys = rsvd + fatsz * p[BPB_NUM_FATS] + root_secs;
	nclus = (tot - sys) / spc;
	if (nclus == 0)
		return bad_bpb(m, "total sectors", tot, BPB_TOT_SEC32, lba);

	v->spc = spc;
	for (v->spc_shift = 0; (1u << v->spc_shift) < spc; v->spc_shift++)
		;
	v->nfats = p[BPB_NUM_FATS];
	v->fat_start = lba + rsvd;
	v->fat_size = fatsz;
	v->nclusters = nclus;
	v->root_start = v->fat_start + fatsz * v->nfats;
	v->data_start = v->root_start + root_secs;
	v->type = nclus <= FAT12_MAX_CLUSTERS ? 12 : nclus <= FAT16_MAX_CLUSTERS ? 16 : 32;

	if (v->type == 32) {
		if (nroot != 0)
			return bad_bpb(m, "root entries on FAT32", nroot, BPB_ROOT_ENT_CNT, lba);
		if (ld_16(p + BPB_FAT_SZ16) != 0)
			return bad_bpb(m, "FAT16 FAT size on FAT32", ld_16(p + BPB_FAT_SZ16),
			               BPB_FAT_SZ16, lba);
		if (ld_16(p + BPB32_FS_VER) != 0)
			return bad_bpb(m, "FAT32 version", ld_16(p + BPB32_FS_VER), BPB32_FS_VER, lba);
		v->root_clus = ld_32(p + BPB32_ROOT_CLUS);
		if (!fat_clus_ok(v, v->root_clus))
			return bad_bpb(m, "root cluster", v->root_clus, BPB32_ROOT_CLUS, lba);
		v->root_entries = 0;
		if (ld_16(p + BPB32_FS_INFO) != 0 && ld_16(p + BPB32_FS_INFO) < rsvd)
			v->fsinfo_lba = lba + ld_16(p + BPB32_FS_INFO);
	} else {
		if (nroot == 0)
			return bad_bpb(m, "root entries", 0, BPB_ROOT_ENT_CNT, lba);
		v->root_clus = 0;
		v->root_entries = nroot;
	}
	/* The FAT must have an entry for every cluster. */
	if ((v->type == 12 ? ((uint64_t)nclus + 2) * 3 / 2 :
	     ((uint64_t)nclus + 2) * (v->type / 8)) > (uint64_t)fatsz * FAT_SECTOR_SIZE)
		return bad_bpb(m, "sectors per FAT (too small for the clusters)", fatsz,
		               v->type == 32 ? BPB32_FAT_SZ32 : BPB_FAT_SZ16, lba);
	if ((uint64_t)lba + tot > v->disk->blocks) {
		msg_str(m, "truncated image: the FAT volume at sector ");
		msg_num(m, lba);
		msg_str(m, " needs ");
		msg_num(m, tot);
		msg_str(m, " sectors but the disk has only ");
		msg_num(m, v->disk->blocks - lba);
		msg_str(m, " after it; restore the whole image");
		return -NOS_EINVAL;
	}
	return 0;
}

static void read_fsinfo(struct fat_volume *v)
{
	uint8_t *p;

	v->free_known = 0;
	v->next_free = FAT_FIRST_CLUSTER;
	if (v->fsinfo_lba == 0 || v->dirty_at_mount || fat_cache_get(v, v->fsinfo_lba, FAT_RD, &p) < 0)
		return;
	if (ld_32(p + FSI_LEAD_SIG) != FSI_LEAD_SIG_VALUE ||
	    ld_32(p + FSI_STRUC_SIG) != FSI_STRUC_SIG_VALUE)
		return;
	if (ld_32(p + FSI_FREE_COUNT) <= v->nclusters) {
		v->free_count = ld_32(p + FSI_FREE_COUNT);
		v->free_known = 1;
	}
	if (fat_clus_ok(v, ld_32(p + FSI_NXT_FREE)))
		v->next_free = ld_32(p + FSI_NXT_FREE);
}

int fat_mount(struct fat_volume *v, const struct sd_backend *disk, unsigned flags,
              uint32_t (*now)(void *ctx), void *ctx, char *err, size_t errlen)
{
	struct fat_msg m = { err, errlen, 0 };
	uint8_t *p;
	int i, r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(v, 0, offsetof(struct fat_volume, name));
	memset(v->files, 0, sizeof(v->files));
	v->epoch = 1;           /* early changes go in epoch - 1 */
	for (i = 0; i < FAT_CACHE_SECTORS; i++) {
		v->cache[i].lba = FAT_NO_LBA;
		v->cache[i].dirty = 0;
	}
	if (disk == NULL || disk->read == NULL || disk->blocks == 0) {
		msg_str(&m, "no disk");
		return -NOS_EINVAL;
	}
	v->disk = disk;
	v->now = now;
	v->now_ctx = ctx;
	v->flags = (uint8_t)(flags | (disk->read_only ? FAT_MOUNT_RO : 0));
	v->marked = 1;          /* no writes while mounting */

	r = fat_cache_get(v, 0, FAT_RD, &p);
	if (r == 0)
		r = find_volume(v, p, &m);
	if (r == 0 && v->vol_start != 0)
		r = fat_cache_get(v, v->vol_start, FAT_RD, &p);
	if (r == 0)
		r = read_bpb(v, p, &m);
	if (r == -NOS_EIO && (m.buf == NULL || m.at == 0))
		msg_str(&m, "cannot read the boot sector: the disk failed (I/O error)");
	if (r < 0) {
		v->type = 0;
		return r;
	}
	v->dirty_at_mount = (p[dirty_off(v)] & 0x01) != 0;
	v->marked = v->dirty_at_mount;  /* already set on disk: nothing to do */
	read_fsinfo(v);
	return 0;
}

int fat_statfs(struct fat_volume *v, struct fat_statfs *st)
{
	uint8_t *p;
	int i, r;

	if (v->type == 0)
		return -NOS_EINVAL;
	if (!v->free_known) {
		r = fat_count_free(v);
		if (r < 0)
			return r;
	}
	memset(st, 0, sizeof(*st));
	st->total_clusters = v->nclusters;
	st->free_clusters = v->free_count;
	st->cluster_size = fat_csize(v);
	st->fat_type = v->type;
	st->dirty_at_mount = v->dirty_at_mount;
	r = fat_cache_get(v, v->vol_start, FAT_RD, &p);
	if (r < 0)
		return r;
	p += v->type == 32 ? BS32_VOL_LAB : BS16_VOL_LAB;
	for (i = 0; i < 11; i++)
		st->label[i] = (char)p[i];
	for (i = 10; i >= 0 && st->label[i] == ' '; i--)
		st->label[i] = '\0';
	if (strcmp(st->label, "NO NAME") == 0)
		st->label[0] = '\0';
	return 0;
}
