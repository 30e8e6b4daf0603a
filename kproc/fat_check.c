/*
 * fat_check.c: our own consistency check and repair of a mounted FAT volume
 * (fat_check() in fat.h), judged by fsck.fat -n: what it would change, we
 * find; after our repair it finds nothing.
 *
 * The passes, in this order:
 *   1. FAT copies: every sector of FAT 1 against the others (repair: FAT 1
 *      is copied over them, so every later fat_set keeps them equal); FAT
 *      entries 0 (media byte) and 1 (end-of-chain, clean-shutdown bits).
 *   2. The tree, depth first from the root, without recursion: the stack of
 *      directories being walked lives in the caller's scratch after the
 *      cluster bitmap (FAT_CHECK_DEPTH deep; deeper is damage). Every entry
 *      of every directory is read, also past a 0x00 end mark (fsck.fat reads
 *      them too): long-name runs are checked against their 8.3 entry, names,
 *      attributes and first clusters are checked, and each chain is walked,
 *      bounded by the bitmap: a cluster seen before is a loop (this chain)
 *      or a cross-link (an earlier one, which keeps it). A chain is kept up
 *      to its first fault and, for a file, to the clusters its size needs;
 *      only what is kept is marked. A subdirectory is entered right after
 *      its entry; its "." and ".." come first.
 *   3. Lost clusters: allocated in the FAT, not marked (bad clusters are
 *      neither); the free count follows from it.
 *   4. FSInfo (FAT32), then the dirty bit.
 * A check-only run marks exactly what a repair would keep, so both count
 * the same lost clusters; nothing is written without FAT_CHECK_REPAIR.
 *
 * Repair and the write order (fat_vol.c): an entry is fixed (smaller size,
 * first cluster 0, deleted) before its chain is cut (a barrier between);
 * nothing is freed during the walk -- what a cut or a delete lets go of is
 * simply no longer marked, and pass 3 frees it after a barrier, so a cut
 * never frees a cluster a later chain still owns. fat_sync() writes it all,
 * the FSInfo count included; the dirty bit is cleared last, so a crash in
 * the middle leaves a dirty volume that the next repair finishes.
 */
#include <limits.h>
#include <string.h>

#define FAT_INTERNAL
#include "kproc/fat.h"
#include "kproc/le.h"

#ifdef __AVR__
#define CK_PATH  48             /* the path of the directory being walked */
#define CK_NAME  32             /* the entry's name, for messages */
#define CK_LINE  112
#define CK_CHUNK 32             /* FAT copies are compared in pieces */
#else
#define CK_PATH  512
#define CK_NAME  256
#define CK_LINE  800
#define CK_CHUNK FAT_SECTOR_SIZE
#endif

#define CK_NONE      0xFFFFFFFFu
#define CK_LEVEL     14u        /* bytes per stacked directory: start, kept, resume, path length */
#define CK_DEPTH_MAX (FAT_CHECK_DEPTH + 1u)

/* How a chain walk ended. */
enum { CH_END, CH_LIMIT, CH_FREE, CH_BAD, CH_RANGE, CH_LOOP, CH_CROSS };

struct ck_dir {                 /* the directory being scanned, and a cursor in it */
	uint32_t start;         /* first cluster; 0: the fixed root of FAT12/16 */
	uint32_t kept;          /* clusters of it to scan */
	uint32_t nent;          /* entries to scan */
	uint32_t clus, cidx;    /* cluster number cidx of its chain */
};

struct ck_lfn {                 /* a long-name run being read */
	uint32_t start;         /* index of its first slot */
	uint8_t active, expect, sum, bad, n;
};

struct ck {
	struct fat_volume *v;
	struct fat_check_report *rep;
	void (*say)(void *ctx, const char *line);
	void *ctx;
	uint8_t *map, *levels;
	uint8_t repair, label_seen, end_said;
	uint32_t depth;
	struct ck_dir dir;
	struct ck_lfn lfn;
	uint32_t zero_first;    /* first 0x00 entry no live entry has followed yet */
	uint32_t lfn_first;     /* the current entry's long name: first slot ... */
	uint8_t nlfn;           /* ... and slot count (0: none) */
	uint8_t label[11];      /* the boot sector's volume label */
	uint16_t path_len, line_at;
	char path[CK_PATH];
	char name[CK_NAME];
	char line[CK_LINE];
};

/* ------------------------------------------------------------ small helpers */

static uint32_t ck_mask(const struct fat_volume *v)
{
	return v->type == 12 ? 0xFFFu : v->type == 16 ? 0xFFFFu : FAT32_MASK;
}

static uint32_t ck_eoc_min(const struct fat_volume *v)
{
	return v->type == 12 ? FAT12_EOC_MIN : v->type == 16 ? FAT16_EOC_MIN : FAT32_EOC_MIN;
}

static uint32_t ck_bad(const struct fat_volume *v)
{
	return v->type == 12 ? FAT12_BAD : v->type == 16 ? FAT16_BAD : FAT32_BAD;
}

static uint32_t ck_epc(const struct fat_volume *v)      /* entries per cluster */
{
	return (uint32_t)v->spc * (FAT_SECTOR_SIZE / DIR_ENTRY_SIZE);
}

static int map_test(const struct ck *c, uint32_t clus)
{
	uint32_t i = clus - FAT_FIRST_CLUSTER;

	return (c->map[i / 8] >> (i % 8)) & 1;
}

static void map_set(struct ck *c, uint32_t clus)
{
	uint32_t i = clus - FAT_FIRST_CLUSTER;

	c->map[i / 8] |= (uint8_t)(1u << (i % 8));
}

static uint8_t lfn_sum(const uint8_t *sfn)
{
	uint8_t sum = 0, i;

	for (i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
	return sum;
}

static int is_dot_name(const uint8_t *e)
{
	return memcmp(e, ".          ", 11) == 0 || memcmp(e, "..         ", 11) == 0;
}

/* An 8.3 name fsck.fat calls bad: control characters (but a leading 0x05,
 * the escaped 0xE5), DEL, * ? < > | " \ / : . or a leading space. */
static int bad_name(const uint8_t *e)
{
	static const char bad[] = "*?<>|\"\\/:.";
	uint8_t i;

	if (e[0] == ' ')
		return 1;
	for (i = 0; i < 11; i++) {
		if ((e[i] < 0x20 && !(i == 0 && e[i] == DIR_KANJI_E5)) || e[i] == 0x7F)
			return 1;
		if (e[i] < 0x80 && memchr(bad, e[i], sizeof(bad) - 1) != NULL)
			return 1;
	}
	return 0;
}

/* A live file or directory entry with a sane name (what duplicates are
 * looked for among). */
static int plain_entry(const uint8_t *e)
{
	return e[0] != DIR_FREE_LAST && e[0] != DIR_FREE && e[DIR_ATTR] != ATTR_LONG_NAME &&
	       !(e[DIR_ATTR] & ATTR_VOLUME_ID) && !is_dot_name(e) && !bad_name(e);
}

/* ------------------------------------------------------------ messages */

static void ln_str(struct ck *c, const char *s)
{
	while (*s != '\0' && c->line_at + 1u < sizeof(c->line))
		c->line[c->line_at++] = *s++;
	c->line[c->line_at] = '\0';
}

static void ln_num(struct ck *c, uint32_t n)
{
	char d[11];

	ln_str(c, fat_u32_text(n, d));
}

#define LN_DIR    0            /* a line about the directory being walked: "/a/b: " */
#define LN_ENTRY  1            /* ... about the current entry in it: "/a/b/name: " */
#define LN_VOLUME 2            /* ... about the volume: "volume: " */

static void ln_begin(struct ck *c, int about)
{
	c->line_at = 0;
	c->line[0] = '\0';
	if (about == LN_VOLUME) {
		ln_str(c, "volume: ");
		return;
	}
	ln_str(c, c->path_len == 0 && about == LN_DIR ? "/" : c->path);
	if (about == LN_ENTRY) {
		ln_str(c, "/");
		ln_str(c, c->name);
	}
	ln_str(c, ": ");
}

/* Count a problem of kind *kind, end the line with what the repair does. */
static void ln_end(struct ck *c, uint32_t *kind, const char *fix)
{
	(*kind)++;
	c->rep->problems++;
	if (c->repair && fix != NULL) {
		ln_str(c, "; ");
		ln_str(c, fix);
	}
	if (c->say != NULL)
		c->say(c->ctx, c->line);
}

/* The current entry's name for messages: its long name, else its 8.3 name. */
static void set_name(struct ck *c, const uint8_t *e, uint16_t lfn_len)
{
	uint8_t i, n = 0, b;

	if (lfn_len > 0 && fat_name_to_utf8(c->v->ename, lfn_len, c->name, sizeof(c->name)) >= 0)
		return;
	for (i = 0; i < 11 && n + 2u < sizeof(c->name); i++) {
		b = e[i];
		if (i == 8 && e[8] != ' ')
			c->name[n++] = '.';
		if (b == ' ')
			continue;
		if (b >= 'A' && b <= 'Z' &&
		    (e[DIR_NT_RES] & (i >= 8 ? NT_RES_LOWER_EXT : NT_RES_LOWER_BASE)))
			b = (uint8_t)(b + ('a' - 'A'));
		c->name[n++] = b >= 0x20 && b < 0x7F ? (char)b : '?';
	}
	c->name[n] = '\0';
}

static void path_push(struct ck *c)
{
	size_t n = strlen(c->name);

	if (c->path_len + n + 2u > sizeof(c->path)) {
		n = sizeof(c->path) - c->path_len - 2u;
		if (c->path_len + 2u > sizeof(c->path))
			return;
	}
	c->path[c->path_len++] = '/';
	memcpy(c->path + c->path_len, c->name, n);
	c->path_len = (uint16_t)(c->path_len + n);
	c->path[c->path_len] = '\0';
}

/* ------------------------------------------------------------ directory stack */

static void lvl_put(struct ck *c, uint32_t d, uint32_t resume)
{
	uint8_t *p = c->levels + d * CK_LEVEL;

	st_32(p, c->dir.start);
	st_32(p + 4, c->dir.kept);
	st_32(p + 8, resume);
	st_16(p + 12, c->path_len);
}

static uint32_t lvl_start(const struct ck *c, uint32_t d)
{
	return ld_32(c->levels + d * CK_LEVEL);
}

/* ------------------------------------------------------------ entries */

static void dir_open(struct ck *c, uint32_t start, uint32_t kept)
{
	struct fat_volume *v = c->v;
	uint64_t n = (uint64_t)kept * ck_epc(v);

	c->dir.start = start;
	c->dir.kept = kept;
	c->dir.clus = start;
	c->dir.cidx = 0;
	if (start == 0)
		c->dir.nent = v->root_entries;
	else
		c->dir.nent = n < FAT_DIR_MAX_ENTRIES ? (uint32_t)n : FAT_DIR_MAX_ENTRIES;
	c->lfn.active = 0;
	c->zero_first = CK_NONE;
	c->end_said = 0;
}

/* Where entry idx of d is. The chain is followed only within the clusters
 * the walk kept, which are known to link properly. */
static int dir_loc(struct ck *c, struct ck_dir *d, uint32_t idx, uint32_t *lba, uint16_t *off)
{
	struct fat_volume *v = c->v;
	uint32_t per = FAT_SECTOR_SIZE / DIR_ENTRY_SIZE, want, next;
	int r;

	*off = (uint16_t)(idx % per * DIR_ENTRY_SIZE);
	if (d->start == 0) {
		*lba = v->root_start + idx / per;
		return 0;
	}
	want = idx / ck_epc(v);
	if (want < d->cidx) {
		d->clus = d->start;
		d->cidx = 0;
	}
	while (d->cidx < want) {
		r = fat_next(v, d->clus, &next);
		if (r < 0)
			return r;
		if (next == 0)
			return -NOS_EIO;
		d->clus = next;
		d->cidx++;
	}
	*lba = fat_clus_lba(v, d->clus) + idx % ck_epc(v) / per;
	return 0;
}

static int ent_get(struct ck *c, struct ck_dir *d, uint32_t idx, int mode, uint8_t **p)
{
	uint32_t lba = 0;
	uint16_t off = 0;
	int r = dir_loc(c, d, idx, &lba, &off);

	return r < 0 ? r : fat_dir_entry(c->v, lba, off, mode, p);
}

static int ent_read(struct ck *c, uint32_t idx, uint8_t *e)
{
	uint8_t *p;
	int r = ent_get(c, &c->dir, idx, FAT_RD, &p);

	if (r == 0)
		memcpy(e, p, DIR_ENTRY_SIZE);
	return r;
}

/* Store e as entry idx (repair only). */
static int ent_write(struct ck *c, uint32_t idx, const uint8_t *e)
{
	uint8_t *p;
	int r;

	if (!c->repair)
		return 0;
	r = ent_get(c, &c->dir, idx, FAT_WR, &p);
	if (r == 0)
		memcpy(p, e, DIR_ENTRY_SIZE);
	return r;
}

/* Mark entries from..to (inclusive) free (repair only). */
static int ents_free(struct ck *c, uint32_t from, uint32_t to)
{
	uint8_t *p;
	int r;

	for (; c->repair && from <= to; from++) {
		r = ent_get(c, &c->dir, from, FAT_WR, &p);
		if (r < 0)
			return r;
		p[DIR_NAME] = DIR_FREE;
	}
	return 0;
}

/* Delete entry idx (copy e) and its long name. */
static int ent_delete(struct ck *c, uint32_t idx, uint8_t *e)
{
	int r = 0;

	e[DIR_NAME] = DIR_FREE;
	if (c->nlfn > 0)
		r = ents_free(c, c->lfn_first, idx - 1);
	return r == 0 ? ent_write(c, idx, e) : r;
}

/* ------------------------------------------------------------ chains */

/* Is clus among the first n clusters of the chain from first? */
static int in_chain(struct ck *c, uint32_t first, uint32_t n, uint32_t clus)
{
	uint32_t i, val;

	for (i = 0; i < n; i++) {
		if (first == clus)
			return 1;
		if (fat_get(c->v, first, &val) < 0)
			return 0;
		first = val;
	}
	return 0;
}

/*
 * Walk the chain from first (a valid cluster number), marking what it keeps:
 * at most limit clusters (0: no limit), up to its first fault. *kept and
 * *last (the last kept cluster, 0 if none), *at the cluster where it went
 * wrong. -> CH_* or -NOS_E*. Bounded: every step marks a new cluster.
 */
static int chain_walk(struct ck *c, uint32_t first, uint32_t limit, uint32_t *kept,
                      uint32_t *last, uint32_t *at)
{
	struct fat_volume *v = c->v;
	uint32_t clus = first, val;
	int r;

	*kept = 0;
	*last = 0;
	for (;;) {
		*at = clus;
		if (map_test(c, clus))
			return in_chain(c, first, *kept, clus) ? CH_LOOP : CH_CROSS;
		r = fat_get(v, clus, &val);
		if (r < 0)
			return r;
		if (val == FAT_FREE)
			return CH_FREE;
		if (val == ck_bad(v))
			return CH_BAD;
		map_set(c, clus);
		(*kept)++;
		*last = clus;
		if (val >= ck_eoc_min(v))
			return CH_END;
		if (limit != 0 && *kept == limit)
			return CH_LIMIT;
		if (!fat_clus_ok(v, val)) {
			*at = val;
			return CH_RANGE;
		}
		clus = val;
	}
}

/* Say how a chain went wrong (after ln_begin), count it, say the fix. */
static void chain_fault(struct ck *c, int why, uint32_t at, uint32_t kept, const char *fix)
{
	static const char *const what[] = {
		[CH_FREE] = "its chain runs into free cluster ",
		[CH_BAD] = "its chain runs into bad cluster ",
		[CH_RANGE] = "its chain leaves the volume (a link to ",
		[CH_LOOP] = "its chain loops back to cluster ",
		[CH_CROSS] = "its chain runs into cluster ",
	};

	ln_str(c, what[why]);
	ln_num(c, at);
	ln_str(c, why == CH_RANGE ? ")" : why == CH_CROSS ? ", which an earlier chain uses (cross-link)" : "");
	ln_str(c, " after ");
	ln_num(c, kept);
	ln_str(c, " clusters");
	ln_end(c, why == CH_CROSS ? &c->rep->cross_links : &c->rep->bad_chains, fix);
}

/* Make last the end of its chain (repair only). */
static int chain_cut(struct ck *c, uint32_t last)
{
	if (!c->repair || last == 0)
		return 0;
	fat_barrier(c->v);      /* the entry's fix reaches the disk first */
	return fat_set(c->v, last, ck_mask(c->v));
}

/* ------------------------------------------------------------ long names */

static int lfn_drop(struct ck *c, uint32_t from, uint32_t to, const char *why)
{
	ln_begin(c, LN_DIR);
	ln_str(c, why);
	ln_str(c, " (entries ");
	ln_num(c, from);
	ln_str(c, "..");
	ln_num(c, to);
	ln_str(c, ")");
	ln_end(c, &c->rep->bad_lfn, "deleted");
	c->lfn.active = 0;
	return ents_free(c, from, to);
}

/* A pending run that no 8.3 entry follows. */
static int lfn_orphan(struct ck *c, uint32_t idx)
{
	if (!c->lfn.active)
		return 0;
	return lfn_drop(c, c->lfn.start, idx - 1, "long-name entries that belong to no entry");
}

static int lfn_slot(struct ck *c, uint32_t idx, const uint8_t *e)
{
	struct ck_lfn *l = &c->lfn;
	uint8_t ord = e[LDIR_ORD], k = ord & 0x1F, i;
	int r;

	if ((ord & 0xE0) == LDIR_LAST_LONG) {
		r = lfn_orphan(c, idx);
		if (r < 0)
			return r;
		if (k == 0 || k > 20)
			return lfn_drop(c, idx, idx, "a long-name entry with a bad sequence number");
		l->active = 1;
		l->start = idx;
		l->n = k;
		l->sum = e[LDIR_CHKSUM];
		l->bad = 0;
	} else if (!l->active || ord != l->expect || e[LDIR_CHKSUM] != l->sum) {
		return lfn_drop(c, l->active ? l->start : idx, idx,
		                "long-name entries out of sequence or with differing checksums");
	}
	l->expect = (uint8_t)(k - 1);
	if (e[LDIR_TYPE] != 0 || ld_16(e + LDIR_FST_CLUS_LO) != 0)
		l->bad = 1;
	for (i = 0; i < LFN_CHARS_PER_ENTRY; i++) {
		static const uint8_t offs[LFN_CHARS_PER_ENTRY] = {
			1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30
		};

		c->v->ename[(k - 1) * LFN_CHARS_PER_ENTRY + i] = ld_16(e + offs[i]);
	}
	return 0;
}

/* The 8.3 entry e at idx ends a pending run: attach it if it is whole and
 * its checksum matches, else delete it. *len: the long name's length. */
static int lfn_finish(struct ck *c, uint32_t idx, const uint8_t *e, uint16_t *len)
{
	struct ck_lfn *l = &c->lfn;
	uint16_t n = 0, max = (uint16_t)(l->n * LFN_CHARS_PER_ENTRY);

	c->nlfn = 0;
	*len = 0;
	if (!l->active)
		return 0;
	while (n < max && c->v->ename[n] != 0)
		n++;
	if (l->expect != 0 || l->bad || n == 0)
		return lfn_drop(c, l->start, idx - 1, "a broken long name (missing parts or bad fields)");
	if (l->sum != lfn_sum(e))
		return lfn_drop(c, l->start, idx - 1, "a long name whose checksum does not match its 8.3 entry");
	l->active = 0;
	c->lfn_first = l->start;
	c->nlfn = l->n;
	*len = n;
	return 0;
}

/* ------------------------------------------------------------ entries */

/* Does an earlier entry of this directory have e's 8.3 name? */
static int dup_name(struct ck *c, uint32_t idx, const uint8_t *e)
{
	struct ck_dir d = c->dir;
	uint32_t i;
	uint8_t *p;
	int r;

	d.clus = d.start;
	d.cidx = 0;
	for (i = c->depth > 0 ? 2 : 0; i < idx; i++) {
		r = ent_get(c, &d, i, FAT_RD, &p);
		if (r < 0)
			return r;
		if (plain_entry(p) && memcmp(p, e, 11) == 0)
			return 1;
	}
	return 0;
}

/* Rename the entry at idx (copy e) to FSCKxxxx.REN (xxxx: idx in hex), its
 * long name kept by a new checksum. */
static int dup_rename(struct ck *c, uint32_t idx, uint8_t *e)
{
	static const char hex[] = "0123456789ABCDEF";
	uint32_t i;
	uint8_t *p, sum;
	int r;

	memcpy(e, "FSCK    REN", 11);
	for (i = 0; i < 4; i++)
		e[4 + i] = (uint8_t)hex[(idx >> (12 - 4 * i)) & 15];
	e[DIR_NT_RES] &= (uint8_t)~(NT_RES_LOWER_BASE | NT_RES_LOWER_EXT);
	sum = lfn_sum(e);
	for (i = c->lfn_first; c->repair && c->nlfn > 0 && i < idx; i++) {
		r = ent_get(c, &c->dir, i, FAT_WR, &p);
		if (r < 0)
			return r;
		p[LDIR_CHKSUM] = sum;
	}
	return 0;
}

/* A volume label entry: one, in the root, no clusters, the boot sector's. */
static int label_ok(struct ck *c, const uint8_t *e)
{
	if (c->depth != 0 || c->label_seen || (e[DIR_ATTR] & ~ATTR_ARCHIVE) != ATTR_VOLUME_ID ||
	    fat_ent_first(c->v, e) != 0 || ld_32(e + DIR_FILE_SIZE) != 0 ||
	    memcmp(e, c->label, 11) != 0)
		return 0;
	c->label_seen = 1;
	return 1;
}

/* Say why entry idx goes, and delete it. */
static int ent_bad(struct ck *c, uint32_t idx, uint8_t *e, const char *why)
{
	ln_begin(c, LN_ENTRY);
	ln_str(c, why);
	ln_end(c, &c->rep->bad_entries, "entry deleted");
	return ent_delete(c, idx, e);
}

/* A directory entry: its chain; 1 and *kept to enter it. */
static int check_subdir(struct ck *c, uint32_t idx, uint8_t *e, int *dirty, uint32_t *kept)
{
	uint32_t first = fat_ent_first(c->v, e), last, at;
	int why;

	if (ld_32(e + DIR_FILE_SIZE) != 0) {
		ln_begin(c, LN_ENTRY);
		ln_str(c, "a directory with a size of ");
		ln_num(c, ld_32(e + DIR_FILE_SIZE));
		ln_end(c, &c->rep->bad_entries, "size set to 0");
		st_32(e + DIR_FILE_SIZE, 0);
		*dirty = 1;
	}
	if (first == 0 || !fat_clus_ok(c->v, first))
		return ent_bad(c, idx, e, "a directory whose first cluster is not a cluster");
	if (c->depth + 1 > FAT_CHECK_DEPTH) {
		ln_begin(c, LN_ENTRY);
		ln_str(c, "a directory nested deeper than ");
		ln_num(c, FAT_CHECK_DEPTH);
		ln_str(c, " levels (a cycle, or too deep to walk)");
		ln_end(c, &c->rep->bad_entries, "entry deleted");
		return ent_delete(c, idx, e);
	}
	why = chain_walk(c, first, 0, kept, &last, &at);
	if (why < 0)
		return why;
	if (*kept == 0) {
		ln_begin(c, LN_ENTRY);
		chain_fault(c, why, at, 0, "entry deleted");
		return ent_delete(c, idx, e);
	}
	if (*dirty) {
		int r = ent_write(c, idx, e);

		if (r < 0)
			return r;
	}
	if (why != CH_END) {
		ln_begin(c, LN_ENTRY);
		chain_fault(c, why, at, *kept, "directory truncated there");
		why = chain_cut(c, last);
		if (why < 0)
			return why;
	}
	c->rep->dirs++;
	return 1;
}

/* A file entry: its chain against its size. */
static int check_file(struct ck *c, uint32_t idx, uint8_t *e, int dirty)
{
	struct fat_volume *v = c->v;
	uint32_t first = fat_ent_first(v, e), size = ld_32(e + DIR_FILE_SIZE), cs = fat_csize(v);
	uint32_t need = size == 0 ? 0 : (size - 1) / cs + 1, kept = 0, last = 0, at, cut = 0;
	int why = CH_END, r;

	c->rep->files++;
	if (first != 0 && !fat_clus_ok(v, first))
		return ent_bad(c, idx, e, "a file whose first cluster is not a cluster");
	if (first != 0 && need == 0) {
		ln_begin(c, LN_ENTRY);
		ln_str(c, "an empty file with clusters");
		ln_end(c, &c->rep->size_mismatch, "its clusters freed");
		fat_ent_set_first(v, e, 0);
		dirty = 1;
	} else if (first != 0) {
		why = chain_walk(c, first, need, &kept, &last, &at);
		if (why < 0)
			return why;
	}
	if (why == CH_LIMIT) {
		ln_begin(c, LN_ENTRY);
		ln_str(c, "its chain is longer than its size of ");
		ln_num(c, size);
		ln_str(c, " bytes needs (");
		ln_num(c, need);
		ln_str(c, " clusters)");
		ln_end(c, &c->rep->size_mismatch, "the rest freed");
		cut = last;
	} else if (why != CH_END) {
		ln_begin(c, LN_ENTRY);
		chain_fault(c, why, at, kept, kept == 0 ? "the file emptied" : "truncated there");
		cut = last;
		if (kept == 0) {
			fat_ent_set_first(v, e, 0);
			dirty = 1;
		}
	}
	if ((uint64_t)kept * cs < size) {
		ln_begin(c, LN_ENTRY);
		ln_str(c, "a size of ");
		ln_num(c, size);
		ln_str(c, " bytes, but its chain holds ");
		ln_num(c, kept * cs);
		ln_end(c, &c->rep->size_mismatch, "size set to what the chain holds");
		st_32(e + DIR_FILE_SIZE, kept * cs);
		dirty = 1;
	}
	r = dirty ? ent_write(c, idx, e) : 0;
	if (r == 0 && cut != 0)
		r = chain_cut(c, last);
	return r;
}

/*
 * A live 8.3 entry (not a long-name slot) at idx, its long name attached.
 * -> 1 and the subdirectory's first cluster/kept clusters to enter it, 0,
 * or -NOS_E*.
 */
static int check_entry(struct ck *c, uint32_t idx, uint8_t *e, uint32_t *sub, uint32_t *kept)
{
	uint8_t attr = e[DIR_ATTR];
	int dirty = 0, r;

	if (e[DIR_NT_RES] & 0x20) {     /* "no 8.3 name" (an old Linux patch) */
		ln_begin(c, LN_ENTRY);
		ln_str(c, "an unknown flag (0x20) in the case byte");
		ln_end(c, &c->rep->bad_entries, "cleared");
		e[DIR_NT_RES] &= (uint8_t)~0x20;
		dirty = 1;
	}
	if (is_dot_name(e))
		return ent_bad(c, idx, e, "a \".\" or \"..\" entry out of place");
	if (attr & ATTR_VOLUME_ID) {
		if (label_ok(c, e))
			return dirty ? ent_write(c, idx, e) : 0;
		return ent_bad(c, idx, e, c->depth == 0 && attr == ATTR_VOLUME_ID ?
		               "a volume label that is not the boot sector's" :
		               "garbage attributes (the volume-label bit)");
	}
	if (bad_name(e))
		return ent_bad(c, idx, e, "a garbage 8.3 name");
	if (attr & 0xC0) {
		ln_begin(c, LN_ENTRY);
		ln_str(c, "reserved attribute bits set");
		ln_end(c, &c->rep->bad_entries, "cleared");
		e[DIR_ATTR] &= 0x3F;
		dirty = 1;
	}
	r = dup_name(c, idx, e);
	if (r < 0)
		return r;
	if (r) {
		ln_begin(c, LN_ENTRY);
		ln_str(c, "an 8.3 name an earlier entry of the directory has");
		ln_end(c, &c->rep->bad_entries, "renamed FSCKxxxx.REN (long name kept)");
		r = dup_rename(c, idx, e);
		if (r < 0)
			return r;
		dirty = 1;
	}
	if (e[DIR_ATTR] & ATTR_DIRECTORY) {
		*sub = fat_ent_first(c->v, e);
		return check_subdir(c, idx, e, &dirty, kept);
	}
	return check_file(c, idx, e, dirty);
}

/* Live entries after a 0x00 end mark: fsck.fat reads them, the engine
 * would stop at the mark. Repair turns the marks before them into 0xE5. */
static int after_end(struct ck *c, uint32_t idx)
{
	uint32_t i;
	uint8_t *p;
	int r;

	if (c->zero_first == CK_NONE)
		return 0;
	if (!c->end_said) {
		ln_begin(c, LN_DIR);
		ln_str(c, "live entries after the end-of-directory mark at entry ");
		ln_num(c, c->zero_first);
		ln_end(c, &c->rep->bad_entries, "the marks before them made deleted entries");
		c->end_said = 1;
	}
	for (i = c->zero_first; c->repair && i < idx; i++) {
		r = ent_get(c, &c->dir, i, FAT_RD, &p);
		if (r == 0 && p[DIR_NAME] == DIR_FREE_LAST)
			r = ent_get(c, &c->dir, i, FAT_WR, &p);
		if (r < 0)
			return r;
		if (p[DIR_NAME] == DIR_FREE_LAST)
			p[DIR_NAME] = DIR_FREE;
	}
	c->zero_first = CK_NONE;
	return 0;
}

/* One slot of the directory being walked. -> 1 to enter a subdirectory. */
static int check_slot(struct ck *c, uint32_t idx, uint8_t *e, uint32_t *sub, uint32_t *kept)
{
	uint16_t len;
	int r;

	if (e[DIR_NAME] == DIR_FREE_LAST || e[DIR_NAME] == DIR_FREE) {
		if (e[DIR_NAME] == DIR_FREE_LAST && c->zero_first == CK_NONE)
			c->zero_first = idx;
		return lfn_orphan(c, idx);
	}
	r = after_end(c, idx);
	if (r < 0)
		return r;
	if (e[DIR_ATTR] == ATTR_LONG_NAME)
		return lfn_slot(c, idx, e);
	r = lfn_finish(c, idx, e, &len);
	if (r < 0)
		return r;
	set_name(c, e, len);
	return check_entry(c, idx, e, sub, kept);
}

/* "." and ".." of the subdirectory just entered (parent: its parent's
 * first cluster, the root's as v->root_clus). */
static int check_dots(struct ck *c, uint32_t parent)
{
	struct fat_volume *v = c->v;
	uint32_t want[2], i;
	uint8_t e[DIR_ENTRY_SIZE];
	int r, named;

	want[0] = c->dir.start;
	want[1] = parent == v->root_clus ? 0 : parent;
	for (i = 0; i < 2; i++) {
		const char *name = i == 0 ? ".          " : "..         ";

		r = ent_read(c, i, e);
		if (r < 0)
			return r;
		named = memcmp(e, name, 11) == 0;
		if (named && (e[DIR_ATTR] & ATTR_DIRECTORY) && !(e[DIR_ATTR] & ATTR_VOLUME_ID) &&
		    fat_ent_first(v, e) == want[i] && !(e[DIR_NT_RES] & 0x20))
			continue;
		ln_begin(c, LN_DIR);
		ln_str(c, named ? "a wrong \"" : "no \"");
		ln_str(c, i == 0 ? "." : "..");
		ln_str(c, named ? "\" entry" : "\" entry where it belongs (entry ");
		if (!named) {
			ln_num(c, i);
			ln_str(c, ")");
		}
		ln_end(c, &c->rep->bad_dots, named ? "fixed" : "made (what was there is dropped)");
		if (!named) {
			memset(e, 0, DIR_ENTRY_SIZE);
			memcpy(e, name, 11);
		}
		e[DIR_ATTR] = ATTR_DIRECTORY;
		e[DIR_NT_RES] &= (uint8_t)~0x20;
		fat_ent_set_first(v, e, want[i]);
		r = ent_write(c, i, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ------------------------------------------------------------ the tree */

static int walk_tree(struct ck *c)
{
	struct fat_volume *v = c->v;
	uint32_t idx = 0, kept = 0, sub = 0, last, at;
	uint8_t e[DIR_ENTRY_SIZE];
	int r;

	c->depth = 0;
	c->path_len = 0;
	c->path[0] = '\0';
	if (v->type == 32) {
		r = chain_walk(c, v->root_clus, 0, &kept, &last, &at);
		if (r < 0)
			return r;
		if (kept == 0) {
			ln_begin(c, LN_DIR);
			ln_str(c, "the root directory's first cluster is free or bad: "
			          "this volume cannot be repaired here; copy what you can off it");
			if (c->say != NULL)
				c->say(c->ctx, c->line);
			return -NOS_EIO;
		}
		if (r != CH_END) {
			ln_begin(c, LN_DIR);
			chain_fault(c, r, at, kept, "root directory truncated there");
			r = chain_cut(c, last);
			if (r < 0)
				return r;
		}
	}
	dir_open(c, v->root_clus, kept);
	for (;;) {
		if (idx >= c->dir.nent) {
			r = lfn_orphan(c, idx);
			if (r < 0)
				return r;
			if (c->depth == 0)
				return 0;
			c->depth--;
			{
				const uint8_t *p = c->levels + c->depth * CK_LEVEL;

				dir_open(c, ld_32(p), ld_32(p + 4));
				idx = ld_32(p + 8);
				c->path_len = ld_16(p + 12);
				c->path[c->path_len] = '\0';
			}
			continue;
		}
		r = ent_read(c, idx, e);
		if (r == 0)
			r = check_slot(c, idx, e, &sub, &kept);
		if (r < 0)
			return r;
		if (r == 1) {
			lvl_put(c, c->depth, idx + 1);
			path_push(c);
			c->depth++;
			dir_open(c, sub, kept);
			r = check_dots(c, lvl_start(c, c->depth - 1));
			if (r < 0)
				return r;
			idx = 2;
			continue;
		}
		idx++;
	}
}

/* ------------------------------------------------------------ the FAT */

static int check_fat_copies(struct ck *c)
{
	struct fat_volume *v = c->v;
	uint8_t buf[CK_CHUNK], *p;
	uint32_t s, o, k, ndiff = 0, first = 0;
	int r, differ;

	for (s = 0; s < v->fat_size; s++) {
		differ = 0;
		for (o = 0; o < FAT_SECTOR_SIZE; o += CK_CHUNK) {
			r = fat_cache_get(v, v->fat_start + s, FAT_RD, &p);
			if (r < 0)
				return r;
			memcpy(buf, p + o, CK_CHUNK);
			for (k = 1; k < v->nfats; k++) {
				uint32_t lba = v->fat_start + k * v->fat_size + s;

				r = fat_cache_get(v, lba, FAT_RD, &p);
				if (r == 0 && memcmp(p + o, buf, CK_CHUNK) != 0) {
					differ = 1;
					if (c->repair)
						r = fat_cache_get(v, lba, FAT_WR, &p);
					if (r == 0 && c->repair)
						memcpy(p + o, buf, CK_CHUNK);
				}
				if (r < 0)
					return r;
			}
		}
		if (differ && ndiff++ == 0)
			first = s;
	}
	if (ndiff > 0) {
		ln_begin(c, LN_VOLUME);
		ln_str(c, "the FAT copies differ in ");
		ln_num(c, ndiff);
		ln_str(c, " sectors (the first: sector ");
		ln_num(c, first);
		ln_str(c, " of the FAT)");
		ln_end(c, &c->rep->fat_copies, "FAT 1 copied over the others");
		c->rep->fat_copies += ndiff - 1;
	}
	return 0;
}

/* FAT entry 0 holds the media byte, entry 1 an end of chain (on FAT16/32
 * with the clean-shutdown and no-error bits, which fsck.fat reads as the
 * dirty state). */
static int check_fat_head(struct ck *c)
{
	struct fat_volume *v = c->v;
	uint32_t e0, e1, want0, k;
	uint8_t media, *p;
	int r = fat_cache_get(v, v->vol_start, FAT_RD, &p);

	if (r < 0)
		return r;
	media = p[BPB_MEDIA];
	memcpy(c->label, p + (v->type == 32 ? BS32_VOL_LAB : BS16_VOL_LAB), 11);
	r = fat_cache_get(v, v->fat_start, FAT_RD, &p);
	if (r < 0)
		return r;
	if (v->type == 12) {
		e0 = p[0] | (uint32_t)(p[1] & 0x0F) << 8;
		e1 = (uint32_t)(p[1] >> 4) | (uint32_t)p[2] << 4;
	} else if (v->type == 16) {
		e0 = ld_16(p);
		e1 = ld_16(p + 2);
	} else {
		e0 = ld_32(p) & FAT32_MASK;
		e1 = ld_32(p + 4) & FAT32_MASK;
	}
	want0 = (ck_mask(v) & ~(uint32_t)0xFF) | media;
	if (e0 == want0 && e1 >= ck_eoc_min(v))
		return 0;
	ln_begin(c, LN_VOLUME);
	ln_str(c, "FAT entries 0 and 1 are ");
	ln_num(c, e0);
	ln_str(c, " and ");
	ln_num(c, e1);
	ln_str(c, ", not the media byte and an end of chain");
	ln_str(c, v->type == 12 ? "" : " with the clean-shutdown bits");
	ln_end(c, &c->rep->fat_head, "rewritten");
	for (k = 0; c->repair && k < v->nfats; k++) {
		r = fat_cache_get(v, v->fat_start + k * v->fat_size, FAT_WR, &p);
		if (r < 0)
			return r;
		if (v->type == 12) {
			p[0] = media;
			p[1] = 0xFF;
			p[2] = 0xFF;
		} else if (v->type == 16) {
			st_16(p, (uint16_t)(0xFF00u | media));
			st_16(p + 2, 0xFFFFu);
		} else {
			st_32(p, (ld_32(p) & ~FAT32_MASK) | 0x0FFFFF00u | media);
			st_32(p + 4, (ld_32(p + 4) & ~FAT32_MASK) | FAT32_MASK);
		}
	}
	return 0;
}

/* Free what is allocated but reached by nothing; count what is free then. */
static int check_lost(struct ck *c, uint32_t *nfree, uint32_t *first_free)
{
	struct fat_volume *v = c->v;
	uint32_t clus, val, lost = 0;
	int r;

	*nfree = 0;
	*first_free = 0;
	if (c->repair)
		fat_barrier(v);         /* entries and cuts first: write order 3 */
	for (clus = FAT_FIRST_CLUSTER; clus - FAT_FIRST_CLUSTER < v->nclusters; clus++) {
		if (map_test(c, clus))
			continue;
		r = fat_get(v, clus, &val);
		if (r < 0)
			return r;
		if (val == ck_bad(v))
			continue;
		if (val != FAT_FREE) {
			lost++;
			if (c->repair) {
				r = fat_set(v, clus, FAT_FREE);
				if (r < 0)
					return r;
			}
		}
		if (*first_free == 0)
			*first_free = clus;
		(*nfree)++;
	}
	if (lost > 0) {
		c->rep->lost_clusters = lost - 1;       /* ln_end counts one */
		ln_begin(c, LN_VOLUME);
		ln_num(c, lost);
		ln_str(c, " lost clusters (allocated in the FAT, reached by no entry)");
		ln_end(c, &c->rep->lost_clusters, "freed");
	}
	return 0;
}

static int check_fsinfo(struct ck *c, uint32_t nfree, uint32_t first_free)
{
	struct fat_volume *v = c->v;
	uint32_t count, hint;
	uint8_t *p;
	int r, bad = 0;

	if (c->repair) {
		v->free_count = nfree;
		v->free_known = 1;
		v->next_free = first_free != 0 ? first_free : FAT_FIRST_CLUSTER;
	}
	r = fat_fsinfo_get(v, &p);
	if (r <= 0)
		return r;       /* no FSInfo to speak of (the engine ignores it too) */
	count = ld_32(p + FSI_FREE_COUNT);
	hint = ld_32(p + FSI_NXT_FREE);
	if (count != FSI_UNKNOWN && count != nfree) {
		ln_begin(c, LN_VOLUME);
		ln_str(c, "FSInfo counts ");
		ln_num(c, count);
		ln_str(c, " free clusters, there are ");
		ln_num(c, nfree);
		ln_end(c, &c->rep->fsinfo, "the true count written");
		bad = 1;
	}
	if (hint != FSI_UNKNOWN && !fat_clus_ok(v, hint)) {
		ln_begin(c, LN_VOLUME);
		ln_str(c, "FSInfo's next-free hint ");
		ln_num(c, hint);
		ln_str(c, " is not a cluster");
		ln_end(c, &c->rep->fsinfo, "set to the first free cluster");
		bad = 1;
	}
	if (!bad || !c->repair)
		return 0;
	r = fat_cache_get(v, v->fsinfo_lba, FAT_WR, &p);
	if (r == 0) {
		st_32(p + FSI_FREE_COUNT, v->free_count);
		st_32(p + FSI_NXT_FREE, v->next_free);
	}
	return r;
}

/* ------------------------------------------------------------ the API */

size_t fat_check_map_size(const struct fat_volume *v)
{
	return ((size_t)v->nclusters + 7u) / 8u + (size_t)CK_DEPTH_MAX * CK_LEVEL;
}

static int check_volume(struct fat_volume *v, unsigned flags, uint8_t *map, size_t map_bytes,
                        struct fat_check_report *rep,
                        void (*say)(void *ctx, const char *line), void *ctx)
{
	struct fat_check_report own;
	struct ck c;
	uint32_t nfree, first_free, i;
	size_t bits;
	int r;

	if (v->type == 0)
		return -NOS_EINVAL;
	if ((flags & FAT_CHECK_REPAIR) && (v->flags & FAT_MOUNT_RO))
		return -NOS_EROFS;
	if (map == NULL || map_bytes < fat_check_map_size(v))
		return -NOS_ENOMEM;
	for (i = 0; i < FAT_MAX_OPEN; i++)
		if (v->files[i].flags & FAT_F_USED)
			return -NOS_EBUSY;
	bits = ((size_t)v->nclusters + 7u) / 8u;
	memset(map, 0, bits);
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.rep = rep != NULL ? rep : &own;
	memset(c.rep, 0, sizeof(*c.rep));
	c.say = say;
	c.ctx = ctx;
	c.map = map;
	c.levels = map + bits;
	c.repair = (flags & FAT_CHECK_REPAIR) != 0;

	r = check_fat_copies(&c);
	if (r == 0)
		r = check_fat_head(&c);
	if (r == 0)
		r = walk_tree(&c);
	if (r == 0)
		r = check_lost(&c, &nfree, &first_free);
	if (r == 0)
		r = check_fsinfo(&c, nfree, first_free);
	if (r < 0)
		return r;
	if (v->dirty_at_mount) {
		ln_begin(&c, LN_VOLUME);
		ln_str(&c, "the dirty bit is set: the volume was not unmounted cleanly");
		ln_end(&c, &c.rep->dirty, "cleared once all of the repair is written");
	}
	if (c.repair && c.rep->problems > 0) {
		/* Everything is consistent now: sync writes it (the commit), then
		 * clears the dirty bit (fat_vol.c, write order 6). */
		v->dirty_at_mount = 0;
		v->flags |= FAT_MOUNT_CLEAR_DIRTY;
		r = fat_sync(v);
		if (r < 0)
			return r;
	}
	return c.rep->problems > (uint32_t)INT_MAX ? INT_MAX : (int)c.rep->problems;
}

int fat_check(struct fat_volume *v, unsigned flags, uint8_t *map, size_t map_bytes,
              struct fat_check_report *rep, void (*say)(void *ctx, const char *line),
              void *ctx)
{
	int r = check_volume(v, flags, map, map_bytes, rep, say, ctx);

	/* Repairs change entries and chains behind the directories' name
	 * indexes (fat_dir.c): they are rebuilt from the disk when next used. */
	if (flags & FAT_CHECK_REPAIR)
		fat_dir_index_reset(v);
	return r;
}
