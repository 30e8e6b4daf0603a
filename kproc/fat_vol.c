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
 * dirty sector of an earlier epoch, with a disk flush between epochs (a
 * write-back writes an epoch's neighbouring sectors in one request); a
 * sector dirty from an earlier epoch is written out (alone, after the older
 * epochs) before it changes again.
 * One kind of change may go early: a change that exposes nothing by itself
 * -- file data, and marking a cluster that nothing on the disk points to as
 * taken (fat_cache_get_early, fat_data_write). It needs nothing before it,
 * so it belongs to epoch EARLY (0), older than every barrier's (or joins
 * the epoch its sector is already dirty in; a sector dirty in the current
 * epoch first gets a barrier, so the current epoch's later changes still
 * follow it): it never waits for a flush, never forces a sector out early,
 * and whatever links or sizes it (epoch >= 1) follows it across a flush.
 * Freed clusters are written out at once (fat_free_chain), after a flush of
 * what unlinked them, so the entries that pointed to a cluster free in the
 * cache are gone from the disk before data goes into it (at worst a crash
 * leaves it a lost cluster).
 * On top of that the engine keeps this order:
 *   1. The dirty bit (BS16_RESERVED1 / BS32_RESERVED1 bit 0) is set, and the
 *      FSInfo free count set to "unknown", and both flushed, before the first
 *      change after mount or sync (fat_begin_change).
 *   2. New clusters are marked end-of-chain in every FAT and file data, or
 *      a new directory's zeros and dot entries, written into them (all
 *      early); only then are they linked to the chain or written into a
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

/*
 * FAT_CACHE_SECTORS slots. A slot holding a sector is in the hash chain of
 * its LBA (FAT_CACHE_HASH buckets), and every slot is in one of two LRU
 * lists, hot end first: clean (empty slots at its cold end) or dirty. A
 * lookup is a walk of one short chain; the victim of a miss is the coldest
 * clean slot, else the coldest dirty one, written out with its epoch.
 */
#define SID_NONE ((fat_sid_t)~0)
#define EARLY 0u                /* the epoch of early changes (see the top) */
#define CLEAN 0
#define DIRTY 1

static fat_sid_t slot_id(const struct fat_volume *v, const struct fat_slot *s)
{
	return (fat_sid_t)(s - v->cache);
}

static uint32_t bucket(uint32_t lba)
{
	uint32_t h = lba * 0x9E3779B1u;

	return (h ^ h >> 16) & (FAT_CACHE_HASH - 1u);
}

#if FAT_CACHE_SECTORS > 1
static void list_unlink(struct fat_volume *v, struct fat_slot *s)
{
	if (s->prev != SID_NONE)
		v->cache[s->prev].next = s->next;
	else
		v->head[s->dirty] = s->next;
	if (s->next != SID_NONE)
		v->cache[s->next].prev = s->prev;
	else
		v->tail[s->dirty] = s->prev;
}

/* Into the list s->dirty says, at its hot end or its cold end. */
static void list_push(struct fat_volume *v, struct fat_slot *s, int hot)
{
	fat_sid_t i = slot_id(v, s), *end = hot ? v->head : v->tail, *other = hot ? v->tail : v->head;
	uint8_t l = s->dirty;

	s->prev = hot ? SID_NONE : v->tail[l];
	s->next = hot ? v->head[l] : SID_NONE;
	if (end[l] == SID_NONE)
		other[l] = i;
	else if (hot)
		v->cache[end[l]].prev = i;
	else
		v->cache[end[l]].next = i;
	end[l] = i;
}
#else
/* One slot (AVR): each list is it or nothing. */
static void list_unlink(struct fat_volume *v, struct fat_slot *s)
{
	v->head[s->dirty] = v->tail[s->dirty] = SID_NONE;
}

static void list_push(struct fat_volume *v, struct fat_slot *s, int hot)
{
	(void)hot;
	s->prev = s->next = SID_NONE;
	v->head[s->dirty] = v->tail[s->dirty] = 0;
}
#endif

/* s was used: to the hot end of its list, clean or dirty as said. */
static void slot_touch(struct fat_volume *v, struct fat_slot *s, uint8_t dirty)
{
	if (s->dirty == dirty && v->head[dirty] == slot_id(v, s))
		return;
	list_unlink(v, s);
	s->dirty = dirty;
	list_push(v, s, 1);
}

static struct fat_slot *cache_find(struct fat_volume *v, uint32_t lba)
{
	fat_sid_t i;

	for (i = v->hash[bucket(lba)]; i != SID_NONE; i = v->cache[i].hnext)
		if (v->cache[i].lba == lba)
			return &v->cache[i];
	return NULL;
}

static void slot_hold(struct fat_volume *v, struct fat_slot *s, uint32_t lba)
{
	uint32_t b = bucket(lba);

	s->lba = lba;
	s->hnext = v->hash[b];
	v->hash[b] = slot_id(v, s);
}

/* Empty s (its contents are dropped, dirty or not): the next victim. */
static void slot_forget(struct fat_volume *v, struct fat_slot *s)
{
	fat_sid_t *p;

	if (s->lba != FAT_NO_LBA) {
		for (p = &v->hash[bucket(s->lba)]; *p != slot_id(v, s); p = &v->cache[*p].hnext)
			;
		*p = s->hnext;
		s->lba = FAT_NO_LBA;
	}
	list_unlink(v, s);
	s->dirty = 0;
	list_push(v, s, 0);
}

static void cache_init(struct fat_volume *v)
{
	uint32_t i;

	for (i = 0; i < FAT_CACHE_HASH; i++)
		v->hash[i] = SID_NONE;
	v->head[CLEAN] = v->tail[CLEAN] = v->head[DIRTY] = v->tail[DIRTY] = SID_NONE;
	for (i = 0; i < FAT_CACHE_SECTORS; i++) {
		v->cache[i].lba = FAT_NO_LBA;
		v->cache[i].dirty = 0;
		list_push(v, &v->cache[i], 0);
	}
}

/* ---- writing back */

#if FAT_CACHE_SECTORS > 1
/* Does slot a go before slot b: older epoch first, then by LBA (so that
 * neighbours meet and go out in one request). */
static int slot_before(const struct fat_volume *v, fat_sid_t a, fat_sid_t b)
{
	const struct fat_slot *x = &v->cache[a], *y = &v->cache[b];

	return x->epoch != y->epoch ? x->epoch < y->epoch : x->lba < y->lba;
}

static void order_sift(struct fat_volume *v, uint32_t i, uint32_t m)
{
	fat_sid_t t;
	uint32_t c;

	while ((c = 2 * i + 1) < m) {
		if (c + 1 < m && slot_before(v, v->order[c], v->order[c + 1]))
			c++;
		if (!slot_before(v, v->order[i], v->order[c]))
			return;
		t = v->order[i];
		v->order[i] = v->order[c];
		v->order[c] = t;
		i = c;
	}
}

/* Heapsort v->order[0..m) (no libc here, and it must not recurse on AVR). */
static void order_sort(struct fat_volume *v, uint32_t m)
{
	fat_sid_t t;
	uint32_t i;

	for (i = m / 2; i-- > 0;)
		order_sift(v, i, m);
	while (m > 1) {
		t = v->order[0];
		v->order[0] = v->order[--m];
		v->order[m] = t;
		order_sift(v, 0, m);
	}
}
#else
static void order_sort(struct fat_volume *v, uint32_t m)
{
	(void)v;                /* one slot: nothing to sort */
	(void)m;
}
#endif

/* Write the n slots order[i..i+n) -- one epoch, consecutive sectors -- in
 * one request; they become clean. */
static int store_run(struct fat_volume *v, uint32_t i, uint32_t n)
{
	struct fat_slot *s = &v->cache[v->order[i]];
	const uint8_t *src = s->data;
	uint32_t k;
	int r = disk_order(v, s->epoch);

#if FAT_IO_BATCH > 1
	if (n > 1) {
		for (k = 0; k < n; k++)
			memcpy(v->batch + (size_t)k * FAT_SECTOR_SIZE, v->cache[v->order[i + k]].data,
			       FAT_SECTOR_SIZE);
		src = v->batch;
	}
#endif
	if (r == 0)
		r = disk_write(v, s->lba, n, src);
	for (k = 0; r == 0 && k < n; k++)
		slot_touch(v, &v->cache[v->order[i + k]], CLEAN);
	return r;
}

/* Write every dirty sector of epoch <= upto: oldest epoch first (disk_order
 * flushes between epochs), each epoch's neighbours in one request. */
static int cache_commit_upto(struct fat_volume *v, uint32_t upto)
{
	uint32_t m = 0, i, n;
	fat_sid_t k;
	int r;

	for (k = v->head[DIRTY]; k != SID_NONE; k = v->cache[k].next)
		if (v->cache[k].epoch <= upto)
			v->order[m++] = k;
	order_sort(v, m);
	for (i = 0; i < m; i += n) {
		const struct fat_slot *s = &v->cache[v->order[i]], *t;

		for (n = 1; i + n < m && n < FAT_IO_BATCH; n++) {
			t = &v->cache[v->order[i + n]];
			if (t->epoch != s->epoch || t->lba != s->lba + n)
				break;
		}
		r = store_run(v, i, n);
		if (r < 0)
			return r;
	}
	return 0;
}

int fat_cache_commit(struct fat_volume *v)
{
	return cache_commit_upto(v, v->epoch);
}

void fat_barrier(struct fat_volume *v)
{
	v->epoch++;
}

/* s, dirty from an earlier epoch, is about to change again: it goes out
 * now, after every older epoch (its own epoch's other sectors may wait). */
static int slot_store_alone(struct fat_volume *v, struct fat_slot *s)
{
	int r = s->epoch > EARLY ? cache_commit_upto(v, s->epoch - 1) : 0;

	if (r == 0 && s->dirty) {
		v->order[0] = slot_id(v, s);
		r = store_run(v, 0, 1);
	}
	return r;
}

/* An empty slot for a new sector: the coldest clean one, else the coldest
 * dirty one, written out after its epoch's predecessors (write order). */
static int cache_victim(struct fat_volume *v, struct fat_slot **out)
{
	struct fat_slot *s;
	int r;

	if (v->tail[CLEAN] == SID_NONE) {
		s = &v->cache[v->tail[DIRTY]];
		r = cache_commit_upto(v, s->epoch);
		if (r < 0)
			return r;
	}
	s = &v->cache[v->tail[CLEAN]];
	slot_forget(v, s);
	*out = s;
	return 0;
}

#if FAT_READ_AHEAD > 1
/* Read lba into s (empty) and the sectors after it in the same request, into
 * the coldest clean slots: scans of directories and FATs larger than the
 * cache then miss once in FAT_READ_AHEAD sectors, not on every one.
 * Read-ahead never forces a write, so it cannot disturb the write order; a
 * sector already cached is skipped (the cached copy is the current one). */
static int cache_read_ahead(struct fat_volume *v, uint32_t lba, struct fat_slot *s)
{
	uint32_t n = FAT_READ_AHEAD, i;
	struct fat_slot *o;
	int r;

	if (n > v->disk->blocks - lba)
		n = v->disk->blocks - lba;
	slot_touch(v, s, CLEAN);        /* hot: not taken for a neighbour below */
	r = disk_read(v, lba, n, v->batch);
	if (r < 0)
		return r;
	memcpy(s->data, v->batch, FAT_SECTOR_SIZE);
	for (i = 1; i < n; i++) {
		if (cache_find(v, lba + i) != NULL)
			continue;
		if (v->tail[CLEAN] == SID_NONE || v->tail[CLEAN] == slot_id(v, s))
			break;
		o = &v->cache[v->tail[CLEAN]];
		slot_forget(v, o);
		memcpy(o->data, v->batch + (size_t)i * FAT_SECTOR_SIZE, FAT_SECTOR_SIZE);
		slot_hold(v, o, lba + i);
		slot_touch(v, o, CLEAN);
	}
	return 0;
}
#endif

/* Fill s (empty) with sector lba: zeros for FAT_NEW, else read. */
static int slot_fill(struct fat_volume *v, struct fat_slot *s, uint32_t lba, int mode)
{
	int r = 0;

	if (mode == FAT_NEW)
		memset(s->data, 0, sizeof(s->data));
#if FAT_READ_AHEAD > 1
	else if (lba < v->disk->blocks)
		r = cache_read_ahead(v, lba, s);
#endif
	else
		r = disk_read(v, lba, 1, s->data);
	if (r == 0)
		slot_hold(v, s, lba);
	return r;
}

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
		if (r == 0)
			r = slot_fill(v, s, lba, mode);
		if (r < 0)
			return r;
	} else if (mode != FAT_RD && !early && s->dirty && s->epoch < v->epoch) {
		/* Changed before a barrier: that change reaches the disk first. */
		r = slot_store_alone(v, s);
		if (r < 0)
			return r;
	}
	if (mode == FAT_NEW)
		memset(s->data, 0, sizeof(s->data));
	if (mode != FAT_RD) {
		if (!early)
			s->epoch = v->epoch;
		else if (!s->dirty)
			s->epoch = EARLY;
	}
	slot_touch(v, s, mode != FAT_RD || s->dirty);
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

/* The cached sectors among [lba, lba + n): *at is where to look on; NULL
 * when there are no more. O(min(n, FAT_CACHE_SECTORS)). */
static struct fat_slot *cache_next_in(struct fat_volume *v, uint32_t lba, uint32_t n,
                                      uint32_t *at)
{
	struct fat_slot *s;

	if (FAT_CACHE_SECTORS > 1 && n <= FAT_CACHE_SECTORS) {
		for (; *at < n; (*at)++) {
			s = cache_find(v, lba + *at);
			if (s != NULL) {
				(*at)++;
				return s;
			}
		}
		return NULL;
	}
	for (; *at < FAT_CACHE_SECTORS; (*at)++) {
		s = &v->cache[*at];
		if (s->lba != FAT_NO_LBA && s->lba >= lba && s->lba - lba < n) {
			(*at)++;
			return s;
		}
	}
	return NULL;
}

/* Whole data sectors around the cache; a cached copy is the current one. */
int fat_data_read(struct fat_volume *v, uint32_t lba, uint32_t n, void *buf)
{
	struct fat_slot *s;
	uint32_t at = 0;
	int r = disk_read(v, lba, n, buf);

	if (r < 0)
		return r;
	while ((s = cache_next_in(v, lba, n, &at)) != NULL)
		memcpy((uint8_t *)buf + (size_t)(s->lba - lba) * FAT_SECTOR_SIZE, s->data,
		       FAT_SECTOR_SIZE);
	return 0;
}

/*
 * File data goes early (epoch EARLY), and so never waits for a flush:
 * nothing on the disk points to the clusters it fills yet (or they are the
 * file's own, changed in place), and what unlinked a cluster freed since is
 * on the disk already (fat_free_chain's commit flushed it before the free).
 * Whatever links or sizes it (epoch >= 1) follows it across a flush.
 */
int fat_data_write(struct fat_volume *v, uint32_t lba, uint32_t n, const void *buf)
{
	struct fat_slot *s;
	uint32_t at = 0;
	int r = fat_begin_change(v);

	if (r < 0)
		return r;
	while ((s = cache_next_in(v, lba, n, &at)) != NULL)
		slot_forget(v, s);      /* overwritten whole: drop it */
	r = disk_order(v, EARLY);
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
	struct fat_slot *s;
	uint8_t *p;
	int r = fat_cache_get(v, v->vol_start, FAT_RD, &p);

	if (r < 0)
		return r;
	if (on)
		p[dirty_off(v)] |= 0x01;
	else
		p[dirty_off(v)] &= (uint8_t)~0x01;
	/* Marked dirty in place, not through FAT_WR: this runs inside it. */
	s = cache_find(v, v->vol_start);
	s->epoch = v->epoch;
	slot_touch(v, s, DIRTY);
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

static int orphans_open(const struct fat_volume *v)
{
	int i;

	for (i = 0; i < FAT_MAX_OPEN; i++)
		if ((v->files[i].flags & FAT_F_USED) && (v->files[i].flags & FAT_F_ORPHAN))
			return 1;
	return 0;
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
	/* Clean on the disk only when nothing is held outside the tree:
	 * an orphan's clusters are reached by no entry until its last close
	 * frees them, so a crash before that must leave the volume dirty
	 * (the repair at the next mount reclaims them). */
	if ((!v->dirty_at_mount || (v->flags & FAT_MOUNT_CLEAR_DIRTY)) && !orphans_open(v)) {
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
	r = (v->flags & FAT_MOUNT_RO) ? 0 : fat_orphans_free(v);
	if (!(v->flags & FAT_MOUNT_RO)) {
		int r2 = fat_sync(v);

		if (r == 0)
			r = r2;
	}
	memset(v->files, 0, sizeof(v->files));
	fat_dir_index_reset(v);
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
	int r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(v, 0, offsetof(struct fat_volume, name));
	memset(v->files, 0, sizeof(v->files));
	v->epoch = EARLY + 1;
	cache_init(v);
	fat_dir_index_reset(v);
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
