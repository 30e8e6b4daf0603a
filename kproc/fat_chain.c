/*
 * fat_chain.c: the File Allocation Table -- entries of FAT12/16/32, written
 * into every FAT copy at once (so the copies never differ), cluster chains,
 * allocation and freeing.
 *
 * Every walk is bounded by the cluster count, and every entry read is
 * checked: a chain that loops, leaves the data area, runs into a free or bad
 * cluster, or ends early is -NOS_EIO, never a hang or a write elsewhere.
 * Write order (see fat_vol.c): fat_alloc_chain marks what it takes with
 * end-of-chain (or chains it among itself), as an early change: nothing on
 * the disk points to a free cluster, since fat_free_chain writes the frees
 * out at once. Linking it to a file is the caller's, in a later epoch.
 */
#include <string.h>

#define FAT_INTERNAL
#include "kproc/fat.h"
#include "kproc/le.h"

int fat_clus_ok(const struct fat_volume *v, uint32_t clus)
{
	return clus >= FAT_FIRST_CLUSTER && clus - FAT_FIRST_CLUSTER < v->nclusters;
}

static uint32_t eoc_min(const struct fat_volume *v)
{
	return v->type == 12 ? FAT12_EOC_MIN : v->type == 16 ? FAT16_EOC_MIN : FAT32_EOC_MIN;
}

static uint32_t eoc(const struct fat_volume *v)
{
	return v->type == 12 ? 0xFFFu : v->type == 16 ? 0xFFFFu : FAT32_MASK;
}

/* Byte offset of clus's entry within a FAT. */
static uint32_t entry_off(const struct fat_volume *v, uint32_t clus)
{
	return v->type == 12 ? clus + clus / 2 : clus * (v->type / 8u);
}

int fat_get(struct fat_volume *v, uint32_t clus, uint32_t *val)
{
	uint32_t off = entry_off(v, clus), lba = v->fat_start + off / FAT_SECTOR_SIZE;
	uint8_t *p, lo;
	int r;

	if (!fat_clus_ok(v, clus))
		return -NOS_EIO;
	off %= FAT_SECTOR_SIZE;
	r = fat_cache_get(v, lba, FAT_RD, &p);
	if (r < 0)
		return r;
	switch (v->type) {
	case 12:
		lo = p[off];
		if (off == FAT_SECTOR_SIZE - 1) {       /* the entry spans two sectors */
			r = fat_cache_get(v, lba + 1, FAT_RD, &p);
			if (r < 0)
				return r;
			off = 0;
		} else {
			off++;
		}
		*val = (uint32_t)lo | (uint32_t)p[off] << 8;
		*val = (clus & 1) ? *val >> 4 : *val & 0xFFFu;
		break;
	case 16:
		*val = ld_16(p + off);
		break;
	default:
		*val = ld_32(p + off) & FAT32_MASK;
		break;
	}
	return 0;
}

/* The FAT sector holding byte off of FAT copy i, to change; early: the
 * change takes a free cluster (fat_cache_get_early). */
static int fat_sector(struct fat_volume *v, uint8_t i, uint32_t off, int early, uint8_t **p)
{
	uint32_t lba = v->fat_start + i * v->fat_size + off / FAT_SECTOR_SIZE;
	int r = early ? fat_cache_get_early(v, lba, FAT_WR, p) : fat_cache_get(v, lba, FAT_WR, p);

	if (r == 0)
		*p += off % FAT_SECTOR_SIZE;
	return r;
}

/* Set one byte of a FAT12 entry, masked, in every copy. */
static int set_byte(struct fat_volume *v, uint32_t off, uint8_t val, uint8_t mask, int early)
{
	uint8_t *p;
	uint8_t i;
	int r;

	for (i = 0; i < v->nfats; i++) {
		r = fat_sector(v, i, off, early, &p);
		if (r < 0)
			return r;
		*p = (uint8_t)((*p & ~mask) | (val & mask));
	}
	return 0;
}

/* fat_set; early: clus is a free cluster being taken. */
static int set_entry(struct fat_volume *v, uint32_t clus, uint32_t val, int early)
{
	uint32_t off = entry_off(v, clus);
	uint8_t *p, i;
	int r;

	if (!fat_clus_ok(v, clus))
		return -NOS_EIO;
	if (v->type == 12) {
		if (clus & 1) {
			r = set_byte(v, off, (uint8_t)(val << 4), 0xF0, early);
			if (r == 0)
				r = set_byte(v, off + 1, (uint8_t)(val >> 4), 0xFF, early);
		} else {
			r = set_byte(v, off, (uint8_t)val, 0xFF, early);
			if (r == 0)
				r = set_byte(v, off + 1, (uint8_t)(val >> 8), 0x0F, early);
		}
		return r;
	}
	for (i = 0; i < v->nfats; i++) {
		r = fat_sector(v, i, off, early, &p);
		if (r < 0)
			return r;
		if (v->type == 16)
			st_16(p, (uint16_t)val);
		else    /* the top 4 bits are reserved: keep them */
			st_32(p, (ld_32(p) & ~FAT32_MASK) | (val & FAT32_MASK));
	}
	return 0;
}

int fat_set(struct fat_volume *v, uint32_t clus, uint32_t val)
{
	return set_entry(v, clus, val, 0);
}

/* The cluster after clus in its chain: *next, or 0 at the end of the chain.
 * -NOS_EIO for a free, bad or out-of-range entry (a broken chain). */
int fat_next(struct fat_volume *v, uint32_t clus, uint32_t *next)
{
	uint32_t val;
	int r = fat_get(v, clus, &val);

	if (r < 0)
		return r;
	if (val >= eoc_min(v)) {
		*next = 0;
		return 0;
	}
	if (!fat_clus_ok(v, val))
		return -NOS_EIO;
	*next = val;
	return 0;
}

int fat_count_free(struct fat_volume *v)
{
	uint32_t c, val, n = 0;
	int r;

	for (c = FAT_FIRST_CLUSTER; c - FAT_FIRST_CLUSTER < v->nclusters; c++) {
		r = fat_get(v, c, &val);
		if (r < 0)
			return r;
		if (val == FAT_FREE)
			n++;
	}
	v->free_count = n;
	v->free_known = 1;
	return 0;
}

/*
 * Take up to n free clusters, chained among themselves and ended by
 * end-of-chain; *first is the first. Nothing links to them yet: the caller
 * writes into them, then links them after a barrier. -> clusters taken
 * (1..n) or -NOS_ENOSPC.
 */
int32_t fat_alloc_chain(struct fat_volume *v, uint32_t n, uint32_t *first)
{
	uint32_t c = v->next_free, prev = 0, seen, val;
	int32_t got = 0;
	int r;

	if (n == 0)
		return -NOS_EINVAL;
	if (v->free_known && v->free_count == 0)
		return -NOS_ENOSPC;
	if (!fat_clus_ok(v, c))
		c = FAT_FIRST_CLUSTER;
	for (seen = 0; seen < v->nclusters && (uint32_t)got < n; seen++, c++) {
		if (!fat_clus_ok(v, c))
			c = FAT_FIRST_CLUSTER;
		r = fat_get(v, c, &val);
		if (r < 0)
			return r;
		if (val != FAT_FREE)
			continue;
		r = set_entry(v, c, eoc(v), 1);
		if (r == 0 && prev != 0)
			r = set_entry(v, prev, c, 1);
		if (r < 0)
			return r;
		if (prev == 0)
			*first = c;
		prev = c;
		got++;
		if (v->free_known && v->free_count > 0)
			v->free_count--;
	}
	if (got == 0) {
		v->free_count = 0;
		v->free_known = 1;
		return -NOS_ENOSPC;
	}
	v->next_free = fat_clus_ok(v, c) ? c : FAT_FIRST_CLUSTER;
	return got;
}

int fat_link(struct fat_volume *v, uint32_t prev, uint32_t next)
{
	return fat_set(v, prev, next);
}

/* Free the chain from first on (first == 0: nothing). Bounded; a broken
 * chain stops the walk with -NOS_EIO after freeing what came before. What
 * is freed is written out at once, after what unlinked it (fat_vol.c): a
 * cluster taken again is then one nothing on the disk points to. */
int fat_free_chain(struct fat_volume *v, uint32_t first)
{
	uint32_t c = first, next = 0, steps;
	int r = 0;

	fat_dir_index_forget(v, first); /* if it was a directory, its index goes */
	for (steps = 0; c != 0 && r == 0; steps++) {
		if (steps >= v->nclusters) {
			r = -NOS_EIO;
			break;
		}
		r = fat_next(v, c, &next);
		if (r == 0)
			r = fat_set(v, c, FAT_FREE);
		if (r == 0 && v->free_known)
			v->free_count++;
		c = next;
	}
	if (first != 0 && steps > 0) {
		int r2 = fat_cache_commit(v);

		if (r == 0)
			r = r2;
	}
	return r;
}

/* Make last the end of its chain and free what followed it. */
int fat_cut_chain(struct fat_volume *v, uint32_t last)
{
	uint32_t rest;
	int r = fat_next(v, last, &rest);

	if (r == 0 && rest != 0) {
		r = fat_set(v, last, eoc(v));
		fat_barrier(v);
		if (r == 0)
			r = fat_free_chain(v, rest);
	}
	return r;
}

/* Zeros into every sector of clus, a cluster nothing points to yet (taken
 * by fat_alloc_chain): an early change, like file data (fat_vol.c). */
int fat_zero_cluster(struct fat_volume *v, uint32_t clus)
{
	uint32_t lba = fat_clus_lba(v, clus), i;
	uint8_t *p;
	int r;

	for (i = 0; i < v->spc; i++) {
		r = fat_cache_get_early(v, lba + i, FAT_NEW, &p);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A file's chain must hold exactly the clusters its size needs: no fewer
 * (data lost), no more (a loop never ends; a long chain is damage too).
 * Also catches a first cluster out of range. 0 or -NOS_EIO. */
int fat_chain_check(struct fat_volume *v, uint32_t first, uint32_t size)
{
	uint32_t need = size == 0 ? 0 : (size - 1) / fat_csize(v) + 1, c = first, i, next;
	int r;

	if (need == 0)
		return first == 0 ? 0 : fat_clus_ok(v, first) ? 0 : -NOS_EIO;
	if (need > v->nclusters)
		return -NOS_EIO;
	for (i = 1; ; i++) {
		if (!fat_clus_ok(v, c))
			return -NOS_EIO;
		r = fat_next(v, c, &next);
		if (r < 0)
			return r;
		if (i == need)
			return next == 0 ? 0 : -NOS_EIO;
		if (next == 0)
			return -NOS_EIO;
		c = next;
	}
}
