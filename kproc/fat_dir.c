/*
 * fat_dir.c: directories -- 32-byte entries, VFAT long names (UTF-8 outside,
 * UCS-2 on disk), case-blind lookup (ASCII and Latin-1), unique 8.3 aliases
 * in code page 437 ("~1", "~2" ..., with the long name's checksum), and
 * timestamps (UTC).
 *
 * A directory is walked with a cursor (struct fat_dpos): fat_dir_rewind(),
 * then fat_dir_next() for each live entry, its long name assembled in
 * v->ename. A new entry is made in two steps, so that a rename can reserve
 * room before it removes anything: fat_dir_prepare() (8.3 name, free slots,
 * growing the directory), then fat_dir_commit() (writes the entries).
 * Garbage is tolerated: a long name whose order or checksum is wrong is
 * ignored (the 8.3 name is used); a walk never passes 65,536 entries.
 */
#include <string.h>

#define FAT_INTERNAL
#include "kproc/fat.h"
#include "kproc/le.h"

#ifdef __AVR__
#define FAT_ROM __flash
#else
#define FAT_ROM
#endif

/* ------------------------------------------------------------ characters */

/* Code page 437, bytes 0x80-0xFF, in Unicode. */
static const FAT_ROM uint16_t cp437_hi[128] = {
	0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
	0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
	0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
	0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
	0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
	0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
	0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
	0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
	0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/* Upper case for the case-blind compare: ASCII and Latin-1. */
static uint16_t fold(uint16_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint16_t)(c - 0x20);
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return (uint16_t)(c - 0x20);
	if (c == 0xFF)
		return 0x178;
	return c;
}

static uint16_t oem_to_uni(uint8_t b)
{
	return b < 0x80 ? b : cp437_hi[b - 0x80];
}

/* 0: not in code page 437. */
static uint8_t uni_to_oem(uint16_t c)
{
	uint8_t i;

	if (c < 0x80)
		return (uint8_t)c;
	for (i = 0; i < 128; i++)
		if (cp437_hi[i] == c)
			return (uint8_t)(0x80 + i);
	return 0;
}

/* Characters a long name may not hold (as Linux's vfat refuses them). */
static int lfn_bad(uint16_t c)
{
	return c < 0x20 || c == '"' || c == '*' || c == '/' || c == ':' || c == '<' ||
	       c == '>' || c == '?' || c == '\\' || c == '|';
}

/* ASCII characters a long name may hold but an 8.3 name may not. */
static int sfn_bad(uint16_t c)
{
	return c == '+' || c == ',' || c == ';' || c == '=' || c == '[' || c == ']' ||
	       c == ' ' || c == '.' || c == 0x7F;
}

/* Decode one UTF-8 path component into v->name. Trailing dots and spaces
 * are dropped (as Windows does). 0, -NOS_EINVAL, -NOS_ENAMETOOLONG. */
int fat_name_from_utf8(struct fat_volume *v, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	uint16_t n = 0, i;

	while (p < end) {
		uint32_t c = *p++;
		uint8_t more = 0;

		if (c >= 0xF0)
			return -NOS_EINVAL;     /* beyond UCS-2 */
		if (c >= 0xE0) {
			c &= 0x0F;
			more = 2;
		} else if (c >= 0xC0) {
			c &= 0x1F;
			more = 1;
		} else if (c >= 0x80) {
			return -NOS_EINVAL;
		}
		for (i = 0; i < more; i++) {
			if (p >= end || (*p & 0xC0) != 0x80)
				return -NOS_EINVAL;
			c = c << 6 | (*p++ & 0x3Fu);
		}
		if ((more == 1 && c < 0x80) || (more == 2 && c < 0x800) ||
		    (c >= 0xD800 && c <= 0xDFFF) || lfn_bad((uint16_t)c))
			return -NOS_EINVAL;
		if (n >= LFN_MAX_CHARS)
			return -NOS_ENAMETOOLONG;
		v->name[n++] = (uint16_t)c;
	}
	while (n > 0 && (v->name[n - 1] == '.' || v->name[n - 1] == ' '))
		n--;
	if (n == 0)
		return -NOS_EINVAL;
	v->name_len = n;
	return 0;
}

/* -> bytes written to out (NUL-terminated), or -NOS_ENAMETOOLONG. */
int fat_name_to_utf8(const uint16_t *name, uint16_t len, char *out, size_t outlen)
{
	size_t o = 0;
	uint16_t i;

	for (i = 0; i < len; i++) {
		uint16_t c = name[i];

		if (o + 4 > outlen)
			return -NOS_ENAMETOOLONG;
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xC0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[o++] = (char)(0xE0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
	return (int)o;
}

/* ------------------------------------------------------------ timestamps */


/* Howard Hinnant's civil-date algorithms, for days >= 0 since 1970. */
static uint32_t days_from_civil(uint32_t y, uint32_t m, uint32_t d)
{
	uint32_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void fat_stamp(uint32_t t, uint16_t *date, uint16_t *time)
{
	uint32_t z, era, doe, yoe, y, doy, mp, d, m, s;

	if (t < FAT_EPOCH_UNIX)
		t = FAT_EPOCH_UNIX;
	s = t % 86400u;
	z = t / 86400u + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	*date = (uint16_t)((y - FAT_EPOCH_YEAR) << 9 | m << 5 | d);
	*time = (uint16_t)((s / 3600) << 11 | (s / 60 % 60) << 5 | (s % 60) / 2);
}

/* 0 for a date of 0 (never set) or an impossible one. */
uint32_t fat_unix_time(uint16_t date, uint16_t time)
{
	uint32_t y = FAT_EPOCH_YEAR + (date >> 9), m = (date >> 5) & 15, d = date & 31;
	uint32_t hh = time >> 11, mm = (time >> 5) & 63, ss = (time & 31) * 2u;

	if (date == 0 || m < 1 || m > 12 || d < 1 || hh > 23 || mm > 59 || ss > 59)
		return 0;
	return days_from_civil(y, m, d) * 86400u + hh * 3600u + mm * 60u + ss;
}

/* Set an entry's modified and accessed times to now; created too if asked. */
void fat_ent_stamp(struct fat_volume *v, uint8_t *ent, int created)
{
	uint32_t t = v->now != NULL ? v->now(v->now_ctx) : FAT_EPOCH_UNIX;
	uint16_t date, time;

	fat_stamp(t, &date, &time);
	st_16(ent + DIR_WRT_DATE, date);
	st_16(ent + DIR_WRT_TIME, time);
	st_16(ent + DIR_LST_ACC_DATE, date);
	if (created) {
		st_16(ent + DIR_CRT_DATE, date);
		st_16(ent + DIR_CRT_TIME, time);
		ent[DIR_CRT_TIME_TENTH] = (uint8_t)(t % 2 * 100);
	}
}

/* ------------------------------------------------------------ entries */

uint32_t fat_ent_first(const struct fat_volume *v, const uint8_t *ent)
{
	uint32_t c = ld_16(ent + DIR_FST_CLUS_LO);

	if (v->type == 32)
		c |= (uint32_t)ld_16(ent + DIR_FST_CLUS_HI) << 16;
	return c;
}

void fat_ent_set_first(const struct fat_volume *v, uint8_t *ent, uint32_t clus)
{
	st_16(ent + DIR_FST_CLUS_LO, (uint16_t)clus);
	st_16(ent + DIR_FST_CLUS_HI, v->type == 32 ? (uint16_t)(clus >> 16) : 0);
}

/* A directory's start as the cursor wants it: ".." says 0 for the root. */
uint32_t fat_dir_start(const struct fat_volume *v, uint32_t clus)
{
	return clus == 0 ? v->root_clus : clus;
}

int fat_dir_entry(struct fat_volume *v, uint32_t lba, uint16_t off, int mode, uint8_t **ent)
{
	int r = fat_cache_get(v, lba, mode, ent);

	if (r == 0)
		*ent += off;
	return r;
}

static uint8_t lfn_sum(const uint8_t *sfn)
{
	uint8_t sum = 0, i;

	for (i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
	return sum;
}

/* Where a long-name entry keeps its 13 characters. */
static const FAT_ROM uint8_t lfn_offs[LFN_CHARS_PER_ENTRY] = {
	1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30
};

/* The 8.3 name of ent as a name in v->ename ("README.TXT", or lower case
 * as NT_RES says). */
static void sfn_to_name(struct fat_volume *v, const uint8_t *ent)
{
	uint16_t n = 0;
	uint8_t i, b, ext = 0;

	for (i = 0; i < 11; i++) {
		if (i == 8) {
			ext = 1;
			if (ent[8] == ' ')
				break;
			v->ename[n++] = '.';
		}
		b = ent[i];
		if (b == ' ')
			continue;       /* padding (and nothing legal after it) */
		if (i == 0 && b == DIR_KANJI_E5)
			b = DIR_FREE;
		if (b >= 'A' && b <= 'Z' &&
		    (ent[DIR_NT_RES] & (ext ? NT_RES_LOWER_EXT : NT_RES_LOWER_BASE)))
			b = (uint8_t)(b + 0x20);
		v->ename[n++] = oem_to_uni(b);
	}
	v->ename_len = n;
}

/* ------------------------------------------------------------ cursor */

static uint32_t dir_epc(const struct fat_volume *v)      /* entries per cluster */
{
	return (uint32_t)v->spc * (FAT_SECTOR_SIZE / DIR_ENTRY_SIZE);
}

int fat_dir_rewind(struct fat_volume *v, struct fat_dpos *d, uint32_t start)
{
	d->start = start;
	d->clus = start;
	d->index = 0;
	d->done = 0;
	if (start == 0 && v->type != 32)
		return 0;
	return fat_clus_ok(v, start) ? 0 : -NOS_EIO;
}

static void dir_loc(const struct fat_volume *v, const struct fat_dpos *d, uint32_t *lba,
                    uint16_t *off)
{
	uint32_t per_sec = FAT_SECTOR_SIZE / DIR_ENTRY_SIZE;

	if (d->start == 0)
		*lba = v->root_start + d->index / per_sec;
	else
		*lba = fat_clus_lba(v, d->clus) + d->index % dir_epc(v) / per_sec;
	*off = (uint16_t)(d->index % per_sec * DIR_ENTRY_SIZE);
}

/* Grow a directory by one zeroed cluster after last (write order 2: the
 * cluster is taken and zeroed early, so the link follows both). */
static int dir_grow(struct fat_volume *v, uint32_t last, uint32_t *clus)
{
	int32_t got = fat_alloc_chain(v, 1, clus);
	int r;

	if (got < 0)
		return (int)got;
	r = fat_zero_cluster(v, *clus);
	if (r == 0)
		r = fat_link(v, last, *clus);
	return r;
}

/* Step to the next entry. -NOS_ENOENT past the end (d->done), unless
 * extend: then the directory grows (-NOS_ENOSPC when it cannot). */
static int dir_advance(struct fat_volume *v, struct fat_dpos *d, int extend)
{
	uint32_t next;
	int r;

	if (d->index + 1 >= FAT_DIR_MAX_ENTRIES ||
	    (d->start == 0 && d->index + 1 >= v->root_entries)) {
		d->done = 1;
		return extend ? -NOS_ENOSPC : -NOS_ENOENT;
	}
	d->index++;
	if (d->start == 0 || d->index % dir_epc(v) != 0)
		return 0;
	r = fat_next(v, d->clus, &next);
	if (r < 0)
		return r;
	if (next == 0) {
		if (!extend) {
			d->done = 1;
			return -NOS_ENOENT;
		}
		r = dir_grow(v, d->clus, &next);
		if (r < 0)
			return r;
	}
	d->clus = next;
	return 0;
}

#if FAT_DIR_INDEX > 0
static struct fat_dir_index *dix_peek(struct fat_volume *v, uint32_t dir);
#endif

/* The cursor at entry index of directory start; from the cluster its index
 * remembers, if that is not past index. */
int fat_dir_seek(struct fat_volume *v, struct fat_dpos *d, uint32_t start, uint32_t index)
{
	int r = fat_dir_rewind(v, d, start);
#if FAT_DIR_INDEX > 0
	struct fat_dir_index *x = r == 0 && start != 0 ? dix_peek(v, start) : NULL;

	if (x != NULL && x->memo_clus != 0 && x->memo_index <= index) {
		d->clus = x->memo_clus;
		d->index = x->memo_index;
	}
#endif
	while (r == 0 && d->index < index)
		r = dir_advance(v, d, 0);
#if FAT_DIR_INDEX > 0
	if (r == 0 && x != NULL) {
		x->memo_clus = d->clus;
		x->memo_index = d->index - d->index % dir_epc(v);
	}
#endif
	return r == -NOS_ENOENT ? -NOS_EIO : r;
}

/*
 * The next live entry at or after the cursor: 1 and *n filled (its long
 * name, or else its 8.3 name, in v->ename), 0 at the end, or -NOS_E*.
 * Deleted entries, the volume label and stray long-name entries are skipped.
 */
int fat_dir_next(struct fat_volume *v, struct fat_dpos *d, struct fat_node *n)
{
	uint8_t ord = 0, sum = 0, nl = 0, i, k;
	uint32_t lfn_index = 0, lba, idx;
	uint16_t off;
	uint8_t *e;
	int r;

	while (!d->done) {
		dir_loc(v, d, &lba, &off);
		r = fat_dir_entry(v, lba, off, FAT_RD, &e);
		if (r < 0)
			return r;
		if (e[DIR_NAME] == DIR_FREE_LAST) {
			d->done = 1;
			return 0;
		}
		memcpy(n->ent, e, DIR_ENTRY_SIZE);
		e = n->ent;
		idx = d->index;
		r = dir_advance(v, d, 0);
		if (r < 0 && r != -NOS_ENOENT)
			return r;
		if (e[DIR_NAME] == DIR_FREE) {
			ord = 0;
			continue;
		}
		if ((e[DIR_ATTR] & ATTR_LONG_NAME_MASK) == ATTR_LONG_NAME) {
			k = e[LDIR_ORD] & LDIR_ORD_MASK;
			if (e[LDIR_ORD] & LDIR_LAST_LONG) {
				if (k == 0 || k > 20) {
					ord = 0;
					continue;
				}
				nl = k;
				sum = e[LDIR_CHKSUM];
				lfn_index = idx;
			} else if (ord == 0 || k != ord - 1 || k == 0 || e[LDIR_CHKSUM] != sum) {
				ord = 0;
				continue;
			}
			ord = k;
			for (i = 0; i < LFN_CHARS_PER_ENTRY; i++)
				v->ename[(k - 1) * LFN_CHARS_PER_ENTRY + i] = ld_16(e + lfn_offs[i]);
			continue;
		}
		if (e[DIR_ATTR] & ATTR_VOLUME_ID) {
			ord = 0;
			continue;
		}
		n->dir = d->start;
		n->index = idx;
		n->lba = lba;
		n->off = off;
		n->nlfn = 0;
		n->lfn_index = idx;
		if (ord == 1 && lfn_sum(e) == sum) {
			uint16_t len = 0, max = (uint16_t)(nl * LFN_CHARS_PER_ENTRY);

			while (len < max && v->ename[len] != 0)
				len++;
			if (len > 0 && len <= LFN_MAX_CHARS) {
				v->ename_len = len;
				n->nlfn = nl;
				n->lfn_index = lfn_index;
				return 1;
			}
		}
		sfn_to_name(v, e);
		return 1;
	}
	return 0;
}

static int name_eq(const uint16_t *a, uint16_t alen, const uint16_t *b, uint16_t blen)
{
	uint16_t i;

	if (alen != blen)
		return 0;
	for (i = 0; i < alen; i++)
		if (fold(a[i]) != fold(b[i]))
			return 0;
	return 1;
}

/* Is the entry just read (*n, its name in v->ename) the one v->name names:
 * by its long name, or else by its 8.3 name, case-blind? */
static int node_named(struct fat_volume *v, const struct fat_node *n)
{
	if (name_eq(v->name, v->name_len, v->ename, v->ename_len))
		return 1;
	if (n->nlfn == 0)
		return 0;
	sfn_to_name(v, n->ent);
	return name_eq(v->name, v->name_len, v->ename, v->ename_len);
}

/* ------------------------------------------------------------ name index */

/*
 * With FAT_DIR_INDEX > 0 (Linux), the FAT_DIR_INDEX directories used last
 * have an index each: built by one walk at the first lookup, kept up to
 * date by every change made here (fat_dir_commit, fat_dir_remove), lost
 * with the directory's chain (fat_dir_index_forget, from fat_free_chain),
 * and dropped all at once by fat_check's repairs. It holds
 *   - a hash table (open addressing, in v->dix_pool) from the folded long
 *     name and the folded 8.3 name of every live entry to the index where
 *     the entry's run starts: a lookup reads only the entries whose hash
 *     matches, and a candidate 8.3 alias is checked in one probe, not in a
 *     walk of the directory;
 *   - free_lo, below which no entry is free: fat_dir_prepare looks for free
 *     slots from there; end, the first never-used entry (or the size);
 *   - memo: a cluster of the chain and its first entry index, so a seek
 *     does not walk the chain from the start (fat_dir_seek).
 * A hit is read back and compared, so a collision costs a read, never a
 * wrong answer; anything unexpected drops the index and the walk decides.
 */
#if FAT_DIR_INDEX > 0

#define FAT_NO_DIR      0xFFFFFFFFu
#define DIX_EMPTY       0u
#define DIX_TOMB        0x1FFFFu        /* a removed key: probes go on past it */
#define DIX_RUN_MASK    0x1FFFFu        /* low 17 bits: the run's start + 1 */
#define DIX_TAG_SHIFT   17              /* high 15 bits: the hash's */

struct dix_probe {
	uint32_t h, pos, left;
};

static uint32_t name_hash(const uint16_t *s, uint16_t len)
{
	uint32_t h = 2166136261u;       /* FNV-1a over the folded characters */
	uint16_t i;

	for (i = 0; i < len; i++)
		h = (h ^ fold(s[i])) * 16777619u;
	return h ^ h >> 15;
}

void fat_dir_index_reset(struct fat_volume *v)
{
	uint8_t i;

	for (i = 0; i < FAT_DIR_INDEX; i++)
		v->dix[i].start = FAT_NO_DIR;
	v->dix_top = 0;
}

static struct fat_dir_index *dix_peek(struct fat_volume *v, uint32_t dir)
{
	uint8_t i;

	for (i = 0; i < FAT_DIR_INDEX; i++)
		if (v->dix[i].start == dir)
			return &v->dix[i];
	return NULL;
}

void fat_dir_index_forget(struct fat_volume *v, uint32_t dir)
{
	struct fat_dir_index *x = dix_peek(v, dir);

	if (x != NULL)
		x->start = FAT_NO_DIR;
}

/* Hash slots for a directory of cap entries: at most half full. */
static uint32_t dix_size(uint32_t cap)
{
	uint32_t s = 64;

	while (s < 2 * cap)
		s <<= 1;
	return s;
}

/* Move the live indexes' tables down to the bottom of the pool, in order. */
static void dix_compact(struct fat_volume *v)
{
	struct fat_dir_index *low;
	uint32_t at = 0;
	uint8_t i;

	for (;;) {
		low = NULL;
		for (i = 0; i < FAT_DIR_INDEX; i++) {
			struct fat_dir_index *y = &v->dix[i];

			if (y->start != FAT_NO_DIR && y->off >= at && (low == NULL || y->off < low->off))
				low = y;
		}
		if (low == NULL)
			break;
		memmove(v->dix_pool + at, v->dix_pool + low->off,
		        (size_t)(low->mask + 1) * sizeof(v->dix_pool[0]));
		low->off = at;
		at += low->mask + 1;
	}
	v->dix_top = at;
}

/* An empty table of `slots` for x (unused), at the top of the pool; the
 * coldest indexes make room if need be. */
static void dix_place(struct fat_volume *v, struct fat_dir_index *x, uint32_t slots)
{
	struct fat_dir_index *cold;
	uint32_t live;
	uint8_t i;

	while (v->dix_top + slots > FAT_DIR_INDEX_POOL) {
		live = 0;
		cold = NULL;
		for (i = 0; i < FAT_DIR_INDEX; i++) {
			struct fat_dir_index *y = &v->dix[i];

			if (y->start == FAT_NO_DIR)
				continue;
			live += y->mask + 1;
			if (cold == NULL || y->used < cold->used)
				cold = y;
		}
		if (live + slots > FAT_DIR_INDEX_POOL)
			cold->start = FAT_NO_DIR;
		dix_compact(v);
	}
	x->off = v->dix_top;
	x->mask = slots - 1;
	x->keys = x->tombs = 0;
	v->dix_top += slots;
	memset(v->dix_pool + x->off, 0, (size_t)slots * sizeof(v->dix_pool[0]));
}

/* Add the key h for the run starting at index run. -1 when the table is
 * too full (the caller drops the index; it is rebuilt bigger). */
static int dix_put(struct fat_volume *v, struct fat_dir_index *x, uint32_t h, uint32_t run)
{
	uint32_t *t = v->dix_pool + x->off, i = h & x->mask;

	if ((x->keys + x->tombs + 1) * 4 > (x->mask + 1) * 3)
		return -1;
	while (t[i] != DIX_EMPTY && t[i] != DIX_TOMB)
		i = (i + 1) & x->mask;
	if (t[i] == DIX_TOMB)
		x->tombs--;
	t[i] = (h >> DIX_TAG_SHIFT << DIX_TAG_SHIFT) | (run + 1);
	x->keys++;
	return 0;
}

static void dix_probe_start(const struct fat_dir_index *x, uint32_t h, struct dix_probe *p)
{
	p->h = h;
	p->pos = h & x->mask;
	p->left = x->mask + 1;
}

/* The next run start (*run) whose key may be p->h: 1, or 0 when none is
 * left. *slot (may be NULL) is where it sits. */
static int dix_probe_next(struct fat_volume *v, const struct fat_dir_index *x,
                          struct dix_probe *p, uint32_t *run, uint32_t **slot)
{
	uint32_t *t = v->dix_pool + x->off, val;

	while (p->left > 0) {
		val = t[p->pos];
		if (val == DIX_EMPTY)
			return 0;
		if (slot != NULL)
			*slot = &t[p->pos];
		p->pos = (p->pos + 1) & x->mask;
		p->left--;
		if (val != DIX_TOMB && val >> DIX_TAG_SHIFT == p->h >> DIX_TAG_SHIFT) {
			*run = (val & DIX_RUN_MASK) - 1;
			return 1;
		}
	}
	return 0;
}

/* Remove the key h of the run at run. 0, or -1 if it is not there. */
static int dix_del(struct fat_volume *v, struct fat_dir_index *x, uint32_t h, uint32_t run)
{
	struct dix_probe p;
	uint32_t got, *slot;

	dix_probe_start(x, h, &p);
	while (dix_probe_next(v, x, &p, &got, &slot))
		if (got == run) {
			*slot = DIX_TOMB;
			x->keys--;
			x->tombs++;
			return 0;
		}
	return -1;
}

/* The entry whose run starts at index run, into *n (its name in v->ename):
 * 0, or -NOS_EIO if no entry starts there (a stale index), -NOS_E*. */
static int dix_read(struct fat_volume *v, const struct fat_dir_index *x, uint32_t run,
                    struct fat_node *n)
{
	struct fat_dpos d;
	int r = fat_dir_seek(v, &d, x->start, run);

	if (r == 0)
		r = fat_dir_next(v, &d, n);
	if (r < 0)
		return r;
	return r == 1 && n->lfn_index == run ? 0 : -NOS_EIO;
}

/* The keys of the entry just read (*n, its name in v->ename): its name's
 * hash, and its 8.3 name's if it has a long one. -> how many. */
static uint8_t node_keys(struct fat_volume *v, const struct fat_node *n, uint32_t h[2])
{
	h[0] = name_hash(v->ename, v->ename_len);
	if (n->nlfn == 0)
		return 1;
	sfn_to_name(v, n->ent);
	h[1] = name_hash(v->ename, v->ename_len);
	return 2;
}

/* How many entries directory dir can hold now: the fixed root's count, or
 * its clusters' (at most FAT_DIR_MAX_ENTRIES). */
static int dir_capacity(struct fat_volume *v, uint32_t dir, uint32_t *cap)
{
	uint32_t c = dir, next, n = 0;
	int r;

	if (dir == 0 && v->type != 32) {
		*cap = v->root_entries;
		return 0;
	}
	for (;;) {
		n += dir_epc(v);
		if (n >= FAT_DIR_MAX_ENTRIES) {
			n = FAT_DIR_MAX_ENTRIES;
			break;
		}
		r = fat_next(v, c, &next);
		if (r < 0)
			return r;
		if (next == 0)
			break;
		c = next;
	}
	*cap = n;
	return 0;
}

/* The index of dir, in x (unused): one walk of the directory. */
static int dix_build(struct fat_volume *v, struct fat_dir_index *x, uint32_t dir)
{
	struct fat_dpos d;
	struct fat_node n;
	uint32_t cap, h[2], lba;
	uint16_t off;
	uint8_t k, i, *e;
	int r = dir_capacity(v, dir, &cap);

	if (r < 0)
		return r;
	if (dix_size(cap) > FAT_DIR_INDEX_POOL)
		return -NOS_ENOMEM;
	dix_place(v, x, dix_size(cap));
	r = fat_dir_rewind(v, &d, dir);
	while (r == 0 && (r = fat_dir_next(v, &d, &n)) == 1) {
		k = node_keys(v, &n, h);
		for (i = 0, r = 0; i < k && r == 0; i++)
			r = dix_put(v, x, h[i], n.lfn_index) < 0 ? -NOS_ENOMEM : 0;
	}
	if (r < 0)
		return r;
	/* The walk stopped at a never-used entry, or after the last one. */
	dir_loc(v, &d, &lba, &off);
	r = fat_dir_entry(v, lba, off, FAT_RD, &e);
	if (r < 0)
		return r;
	x->end = e[DIR_NAME] == DIR_FREE_LAST ? d.index : d.index + 1;
	x->free_lo = 0;
	x->memo_clus = 0;
	x->alias_from = 0;
	x->start = dir;
	return 0;
}

/* dir's index, built if it has none (the coldest one makes room); NULL if
 * it cannot be built (the caller walks the directory instead). */
static struct fat_dir_index *dix_get(struct fat_volume *v, uint32_t dir)
{
	struct fat_dir_index *x = dix_peek(v, dir);
	uint8_t i;

	if (x == NULL) {
		x = &v->dix[0];
		for (i = 1; i < FAT_DIR_INDEX && x->start != FAT_NO_DIR; i++)
			if (v->dix[i].start == FAT_NO_DIR || v->dix[i].used < x->used)
				x = &v->dix[i];
		x->start = FAT_NO_DIR;
		if (dix_build(v, x, dir) < 0) {
			x->start = FAT_NO_DIR;
			return NULL;
		}
	}
	x->used = ++v->dix_stamp;
	return x;
}

/* fat_dir_find through x: 0 (*n), -NOS_ENOENT, or -NOS_E* (then the
 * caller walks the directory). */
static int dix_find(struct fat_volume *v, const struct fat_dir_index *x, struct fat_node *n)
{
	struct dix_probe p;
	uint32_t run;
	int r;

	dix_probe_start(x, name_hash(v->name, v->name_len), &p);
	while (dix_probe_next(v, x, &p, &run, NULL)) {
		r = dix_read(v, x, run, n);
		if (r < 0)
			return r;
		if (node_named(v, n))
			return 0;
	}
	return -NOS_ENOENT;
}

/* Is sfn (11 bytes) the 8.3 name of a live entry of x's directory? 1, 0,
 * or -NOS_E*. */
static int dix_sfn_taken(struct fat_volume *v, const struct fat_dir_index *x,
                         const uint8_t *sfn)
{
	uint8_t ent[DIR_ENTRY_SIZE];
	struct dix_probe p;
	struct fat_node n;
	uint32_t run;
	int r;

	memset(ent, 0, sizeof(ent));
	memcpy(ent, sfn, 11);
	sfn_to_name(v, ent);
	dix_probe_start(x, name_hash(v->ename, v->ename_len), &p);
	while (dix_probe_next(v, x, &p, &run, NULL)) {
		r = dix_read(v, x, run, &n);
		if (r < 0)
			return r;
		if (memcmp(n.ent, sfn, 11) == 0)
			return 1;
	}
	return 0;
}

/* Is entry index the last one, or followed by a never-used one? 1, 0, -NOS_E*. */
static int dir_ends_after(struct fat_volume *v, uint32_t dir, uint32_t index)
{
	struct fat_dpos d;
	uint32_t lba;
	uint16_t off;
	uint8_t *e;
	int r = fat_dir_seek(v, &d, dir, index);

	if (r == 0)
		r = dir_advance(v, &d, 0);
	if (r == -NOS_ENOENT)
		return 1;
	if (r < 0)
		return r;
	dir_loc(v, &d, &lba, &off);
	r = fat_dir_entry(v, lba, off, FAT_RD, &e);
	return r < 0 ? r : e[DIR_NAME] == DIR_FREE_LAST;
}

/* fat_dir_commit wrote n (its long name v->name): into its directory's index. */
static void dix_added(struct fat_volume *v, const struct fat_node *n)
{
	struct fat_dir_index *x = dix_peek(v, n->dir);
	int r = 0;

	if (x == NULL)
		return;
	if (n->nlfn != 0)
		r = dix_put(v, x, name_hash(v->name, v->name_len), n->lfn_index);
	sfn_to_name(v, n->ent);
	if (r == 0)
		r = dix_put(v, x, name_hash(v->ename, v->ename_len), n->lfn_index);
	if (r == 0 && n->lfn_index == x->free_lo)
		x->free_lo = n->index + 1;
	/* Past the old end, live-looking garbage after it would now be seen
	 * by walks: then the walk decides. */
	if (r == 0 && n->index >= x->end)
		r = dir_ends_after(v, n->dir, n->index) == 1 ? 0 : -1;
	if (r == 0 && n->index >= x->end)
		x->end = n->index + 1;
	if (r != 0)
		x->start = FAT_NO_DIR;
}

/* fat_dir_remove is about to free n's entries: out of the index. */
static void dix_removing(struct fat_volume *v, const struct fat_node *n)
{
	struct fat_dir_index *x = dix_peek(v, n->dir);
	struct fat_node m;
	uint32_t h[2];
	uint8_t k, i;

	if (x == NULL)
		return;
	if (dix_read(v, x, n->lfn_index, &m) < 0 || m.index != n->index) {
		x->start = FAT_NO_DIR;
		return;
	}
	k = node_keys(v, &m, h);
	for (i = 0; i < k; i++)
		if (dix_del(v, x, h[i], n->lfn_index) < 0) {
			x->start = FAT_NO_DIR;
			return;
		}
	if (n->lfn_index < x->free_lo)
		x->free_lo = n->lfn_index;
	x->alias_from = 0;      /* an alias number may be free again */
}

#endif /* FAT_DIR_INDEX > 0 */

/* Find v->name in directory dir, by long or 8.3 name, case-blind: through
 * its index if it has one, else by a walk. 0 (*n filled), -NOS_ENOENT, or
 * -NOS_E*. */
int fat_dir_find(struct fat_volume *v, uint32_t dir, struct fat_node *n)
{
	struct fat_dpos d;
	int r;

#if FAT_DIR_INDEX > 0
	struct fat_dir_index *x = dix_get(v, dir);

	if (x != NULL) {
		r = dix_find(v, x, n);
		if (r == 0 || r == -NOS_ENOENT)
			return r;
		fat_dir_index_forget(v, dir);   /* stale or unreadable: walk */
	}
#endif
	r = fat_dir_rewind(v, &d, dir);
	while (r == 0 && (r = fat_dir_next(v, &d, n)) == 1) {
		r = 0;
		if (node_named(v, n))
			return 0;
	}
	return r < 0 ? r : -NOS_ENOENT;
}

/* ------------------------------------------------------------ 8.3 names */

/* If v->name is a plain 8.3 name (ASCII, one case per part), put it in
 * sfn/ntres and return 1. */
static int sfn_fits(struct fat_volume *v, uint8_t *sfn, uint8_t *ntres)
{
	uint16_t i, c;
	uint8_t pos = 0, ext = 0, up[2] = { 0, 0 }, low[2] = { 0, 0 };

	memset(sfn, ' ', 11);
	for (i = 0; i < v->name_len; i++) {
		c = v->name[i];
		if (c == '.' && !ext && i > 0) {
			ext = 1;
			pos = 8;
			continue;
		}
		if (c >= 0x80 || sfn_bad(c) || pos >= (ext ? 11 : 8))
			return 0;
		if (c >= 'a' && c <= 'z') {
			low[ext] = 1;
			c = (uint16_t)(c - 0x20);
		} else if (c >= 'A' && c <= 'Z') {
			up[ext] = 1;
		}
		sfn[pos++] = (uint8_t)c;
	}
	if ((up[0] && low[0]) || (up[1] && low[1]) || (ext && pos == 8))
		return 0;
	*ntres = (uint8_t)((low[0] ? NT_RES_LOWER_BASE : 0) | (low[1] ? NT_RES_LOWER_EXT : 0));
	return 1;
}

/* The basis name of fatgen103 for v->name: upper case, code page 437, '_'
 * for what does not fit. -> base length; *lossy if anything was lost. */
static uint8_t sfn_basis(struct fat_volume *v, uint8_t *sfn, uint8_t *lossy)
{
	uint16_t i, c, dot = v->name_len, start = 0;
	uint8_t pos = 0, blen = 0, b;

	memset(sfn, ' ', 11);
	*lossy = 0;
	while (start < v->name_len && (v->name[start] == '.' || v->name[start] == ' '))
		start++;
	if (start > 0)
		*lossy = 1;
	for (i = v->name_len; i > start; i--)
		if (v->name[i - 1] == '.') {
			dot = (uint16_t)(i - 1);
			break;
		}
	for (i = start; i < v->name_len; i++) {
		c = v->name[i];
		if (i == dot) {
			blen = pos;
			pos = 8;
			continue;
		}
		if (c == ' ' || c == '.') {
			*lossy = 1;
			continue;
		}
		b = uni_to_oem(fold(c));
		if (b == 0 || (b < 0x80 && sfn_bad(b))) {
			b = '_';
			*lossy = 1;
		}
		if (pos >= (i > dot ? 11 : 8)) {
			*lossy = 1;
			continue;
		}
		if (pos == 0 && b == DIR_FREE)
			b = DIR_KANJI_E5;
		sfn[pos++] = b;
	}
	if (dot >= v->name_len)
		blen = pos;
	if (blen == 0) {
		sfn[0] = '_';
		blen = 1;
		*lossy = 1;
	}
	return blen;
}

/* basis with the numeric tail "~num" (num 0: basis itself) into out. */
static void sfn_alias(const uint8_t *basis, uint8_t blen, uint32_t num, uint8_t *out)
{
	char dig[8];
	uint8_t nd = 0, keep;

	memcpy(out, basis, 11);
	if (num == 0)
		return;
	do {
		dig[nd++] = (char)('0' + num % 10u);
		num /= 10u;
	} while (num != 0);
	keep = (uint8_t)(blen < 7 - nd ? blen : 7 - nd);
	memset(out + keep, ' ', 8 - keep);
	out[keep++] = '~';
	while (nd > 0)
		out[keep++] = (uint8_t)dig[--nd];
}

/* If ent's name is basis with some tail, that number; else -1. */
static int32_t sfn_tail(const uint8_t *ent, const uint8_t *basis, uint8_t blen)
{
	uint8_t alias[11], i, t = 8;
	int32_t num = 0;

	if (memcmp(ent + 8, basis + 8, 3) != 0)
		return -1;
	if (memcmp(ent, basis, 11) == 0)
		return 0;
	for (i = 0; i < 8; i++)
		if (ent[i] == '~')
			t = i;
	if (t >= 7)
		return -1;
	for (i = (uint8_t)(t + 1); i < 8 && ent[i] != ' '; i++) {
		if (ent[i] < '0' || ent[i] > '9' || num > 99999)
			return -1;
		num = num * 10 + (ent[i] - '0');
	}
	if (num == 0)
		return -1;
	sfn_alias(basis, blen, (uint32_t)num, alias);
	return memcmp(alias, ent, 11) == 0 ? num : -1;
}

/* Mark in used[] the tails 0..255 + base that entries of dir give basis. */
static void sfn_mark(const uint8_t *ent, const uint8_t *basis, uint8_t blen, uint32_t base,
                     uint8_t *used)
{
	int32_t num = sfn_tail(ent, basis, blen);

	if (num >= (int32_t)base && (uint32_t)num - base < 256)
		used[(num - base) / 8] |= (uint8_t)(1u << ((num - base) % 8));
}

/* The first free number of used[] (0 only if allowed), or -1. */
static int32_t sfn_free(const uint8_t *used, int zero_ok)
{
	int32_t i;

	for (i = zero_ok ? 0 : 1; i < 256; i++)
		if (!(used[i / 8] & (1u << (i % 8))))
			return i;
	return -1;
}

#if FAT_DIR_INDEX > 0
/* The alias sfn_unique's walk would choose, found through x: each
 * candidate is one probe, and the numbers known to be taken (x->alias_from)
 * are not tried again. 0, -NOS_ENOSPC, -NOS_E*. */
static int sfn_unique_indexed(struct fat_volume *v, struct fat_dir_index *x,
                              const uint8_t *basis, uint8_t blen, uint8_t lossy,
                              const uint8_t *hashed, uint8_t hlen, uint8_t *sfn)
{
	uint32_t num = 0, base;
	int r;

	if (!lossy) {
		sfn_alias(basis, blen, 0, sfn);
		r = dix_sfn_taken(v, x, sfn);
		if (r <= 0)
			return r;
	}
	num = x->alias_from > 1 && memcmp(x->alias, basis, 11) == 0 ? x->alias_from : 1;
	for (; num < 256; num++) {
		sfn_alias(basis, blen, num, sfn);
		r = dix_sfn_taken(v, x, sfn);
		if (r <= 0)
			break;
	}
	memcpy(x->alias, basis, 11);
	x->alias_from = (uint16_t)num;
	if (num < 256)
		return r;
	for (num = 1; num < 256; num++) {
		sfn_alias(hashed, hlen, num, sfn);
		r = dix_sfn_taken(v, x, sfn);
		if (r <= 0)
			return r;
	}
	for (base = 256; base < 1000000u; base += 256)
		for (num = base + 1; num < base + 256; num++) {
			sfn_alias(basis, blen, num, sfn);
			r = dix_sfn_taken(v, x, sfn);
			if (r <= 0)
				return r;
		}
	return -NOS_ENOSPC;
}
#endif

/*
 * A unique alias for v->name in dir. Like Windows, after the first numbers
 * ("NAME~1" .. "NAME~255") it uses a basis made of two letters and a hash
 * of the long name ("NA3F2C~1"), so many similar names cost one directory
 * walk each, not one per 256 numbers; only if that is full too does it
 * walk on through higher numbers. With an index, no walk at all.
 */
static int sfn_unique(struct fat_volume *v, uint32_t dir, uint8_t *sfn)
{
	static const FAT_ROM char hex[] = "0123456789ABCDEF";
	uint8_t basis[11], hashed[11], used[32], uh[32], lossy, hlen, i;
	uint8_t blen = sfn_basis(v, basis, &lossy);
	uint16_t hash = 0;
	struct fat_dpos d;
	struct fat_node n;
	uint32_t base;
	int32_t num;
	int r;
#if FAT_DIR_INDEX > 0
	struct fat_dir_index *x = dix_peek(v, dir);
#endif

	for (i = 0; i < v->name_len && i < LFN_MAX_CHARS; i++)
		hash = (uint16_t)((hash << 5 | hash >> 11) ^ v->name[i]);
	memcpy(hashed, basis, 11);
	hlen = blen < 2 ? blen : 2;
	for (i = 0; i < 4; i++)
		hashed[hlen + i] = (uint8_t)hex[(hash >> (12 - 4 * i)) & 15];
	hlen = (uint8_t)(hlen + 4);
#if FAT_DIR_INDEX > 0
	if (x != NULL) {
		r = sfn_unique_indexed(v, x, basis, blen, lossy, hashed, hlen, sfn);
		if (r == 0 || r == -NOS_ENOSPC)
			return r;
		fat_dir_index_forget(v, dir);   /* stale or unreadable: walk */
	}
#endif
	for (base = 0; base < 1000000u; base += 256) {
		memset(used, 0, sizeof(used));
		memset(uh, 0, sizeof(uh));
		r = fat_dir_rewind(v, &d, dir);
		while (r == 0 && (r = fat_dir_next(v, &d, &n)) == 1) {
			r = 0;
			sfn_mark(n.ent, basis, blen, base, used);
			if (base == 0)
				sfn_mark(n.ent, hashed, hlen, 0, uh);
		}
		if (r < 0)
			return r;
		num = sfn_free(used, base == 0 && !lossy);
		if (num >= 0) {
			sfn_alias(basis, blen, base + (uint32_t)num, sfn);
			return 0;
		}
		num = base == 0 ? sfn_free(uh, 0) : -1;
		if (num >= 0) {
			sfn_alias(hashed, hlen, (uint32_t)num, sfn);
			return 0;
		}
	}
	return -NOS_ENOSPC;
}

/* ------------------------------------------------------------ making entries */

/*
 * Get ready to add v->name to dir: make its 8.3 name (into n->ent, whose
 * other fields the caller fills in) and find free slots for it and its
 * long name, growing the directory if need be. Nothing visible changes.
 * 0, -NOS_ENOSPC (full root or directory), -NOS_E*.
 */
int fat_dir_prepare(struct fat_volume *v, uint32_t dir, struct fat_node *n)
{
	const uint32_t per_sec = FAT_SECTOR_SIZE / DIR_ENTRY_SIZE;
	struct fat_dpos d;
	uint32_t need, run = 0, start = 0, lba, from = 0, first_free = UINT32_MAX;
	uint16_t off;
	uint8_t ntres = 0, *e, never_used = 0;
	int r;
#if FAT_DIR_INDEX > 0
	struct fat_dir_index *x;
#endif

	memset(n->ent, 0, DIR_ENTRY_SIZE);
	n->npad = 0;
	if (sfn_fits(v, n->ent, &ntres)) {
		n->nlfn = 0;
	} else {
		r = sfn_unique(v, dir, n->ent);
		if (r < 0)
			return r;
		n->nlfn = (uint8_t)((v->name_len + LFN_CHARS_PER_ENTRY - 1) / LFN_CHARS_PER_ENTRY);
	}
	n->ent[DIR_NT_RES] = ntres;
	need = n->nlfn + 1u;
#if FAT_DIR_INDEX > 0
	x = dix_peek(v, dir);
	if (x != NULL && x->free_lo > 0)
		from = x->free_lo - 1;  /* a live entry: the search goes as from 0 */
#endif
	r = fat_dir_seek(v, &d, dir, from);
	for (; r == 0; r = dir_advance(v, &d, 1)) {
		dir_loc(v, &d, &lba, &off);
		r = fat_dir_entry(v, lba, off, FAT_RD, &e);
		if (r < 0)
			return r;
		if (e[DIR_NAME] != DIR_FREE && e[DIR_NAME] != DIR_FREE_LAST) {
			run = 0;
			continue;
		}
		/* One sector is written at once; a name whose entries span two
		 * could be torn by a power cut, leaving an orphaned long-name
		 * part. Names of up to 195 characters fit in one sector: start
		 * their run afresh at a sector boundary. Lookups stop at the
		 * first never-used slot, so skipped never-used slots are marked
		 * deleted before the name is written (fat_dir_commit). */
		if (run && need <= per_sec && d.index % per_sec == 0) {
			if (never_used) {
				n->pad_index = start;
				n->npad = (uint8_t)run;
			}
			run = 0;
			never_used = 0;
		}
		if (run++ == 0)
			start = d.index;
		if (first_free == UINT32_MAX)
			first_free = d.index;
		never_used |= e[DIR_NAME] == DIR_FREE_LAST;
		if (run == need) {
			n->dir = dir;
			n->lfn_index = start;
			n->index = d.index;
			n->lba = lba;
			n->off = off;
#if FAT_DIR_INDEX > 0
			if (x != NULL && dix_peek(v, dir) == x)
				x->free_lo = first_free;
#endif
			return 0;
		}
	}
	return r;
}

/* Mark the never-used slots fat_dir_prepare skipped as deleted, so that
 * lookups read on to the name after them; then a barrier, so the name is
 * never on the card while they still end the directory. */
static int fat_dir_pad(struct fat_volume *v, const struct fat_node *n)
{
	struct fat_dpos d;
	uint32_t lba;
	uint16_t off;
	uint8_t i, *e;
	int r;

	if (n->npad == 0)
		return 0;
	r = fat_dir_seek(v, &d, n->dir, n->pad_index);
	for (i = 0; r == 0 && i < n->npad; i++) {
		dir_loc(v, &d, &lba, &off);
		r = fat_dir_entry(v, lba, off, FAT_WR, &e);
		if (r < 0)
			return r;
		if (e[DIR_NAME] == DIR_FREE_LAST)
			e[DIR_NAME] = DIR_FREE;
		if (i + 1 < n->npad)
			r = dir_advance(v, &d, 0);
	}
	if (r == 0)
		fat_barrier(v);
	return r;
}

/* Write the entries fat_dir_prepare made room for: the long name (v->name,
 * unchanged since) and n->ent. */
int fat_dir_commit(struct fat_volume *v, struct fat_node *n)
{
	struct fat_dpos d;
	uint8_t sum = lfn_sum(n->ent), k, i, *e;
	uint32_t lba;
	uint16_t off, pos, c;
	int r = fat_dir_pad(v, n);

	if (r == 0)
		r = fat_dir_seek(v, &d, n->dir, n->lfn_index);
	for (k = n->nlfn; r == 0; k--) {
		dir_loc(v, &d, &lba, &off);
		r = fat_dir_entry(v, lba, off, FAT_WR, &e);
		if (r < 0)
			return r;
		if (k == 0) {
			memcpy(e, n->ent, DIR_ENTRY_SIZE);
			n->lba = lba;
			n->off = off;
#if FAT_DIR_INDEX > 0
			dix_added(v, n);
#endif
			return 0;
		}
		memset(e, 0, DIR_ENTRY_SIZE);
		e[LDIR_ORD] = (uint8_t)(k | (k == n->nlfn ? LDIR_LAST_LONG : 0));
		e[LDIR_ATTR] = ATTR_LONG_NAME;
		e[LDIR_CHKSUM] = sum;
		for (i = 0; i < LFN_CHARS_PER_ENTRY; i++) {
			pos = (uint16_t)((k - 1) * LFN_CHARS_PER_ENTRY + i);
			c = pos < v->name_len ? v->name[pos] : pos == v->name_len ? 0 : 0xFFFF;
			st_16(e + lfn_offs[i], c);
		}
		r = dir_advance(v, &d, 0);
	}
	return r == -NOS_ENOENT ? -NOS_EIO : r;
}

/* Mark n's entries (long name and 8.3) free. */
int fat_dir_remove(struct fat_volume *v, const struct fat_node *n)
{
	struct fat_dpos d;
	uint32_t lba;
	uint16_t off;
	uint8_t *e;
	int r;

#if FAT_DIR_INDEX > 0
	dix_removing(v, n);
#endif
	r = fat_dir_seek(v, &d, n->dir, n->lfn_index);
	while (r == 0) {
		dir_loc(v, &d, &lba, &off);
		r = fat_dir_entry(v, lba, off, FAT_WR, &e);
		if (r < 0)
			return r;
		e[DIR_NAME] = DIR_FREE;
		if (d.index >= n->index)
			return 0;
		r = dir_advance(v, &d, 0);
	}
	return r == -NOS_ENOENT ? -NOS_EIO : r;
}

/* 0 if dir holds nothing but "." and "..", else -NOS_ENOTEMPTY. */
int fat_dir_empty(struct fat_volume *v, uint32_t dir)
{
	struct fat_dpos d;
	struct fat_node n;
	int r = fat_dir_rewind(v, &d, dir);

	while (r == 0 && (r = fat_dir_next(v, &d, &n)) == 1) {
		r = 0;
		if (n.ent[0] == '.' && (n.ent[1] == ' ' || (n.ent[1] == '.' && n.ent[2] == ' ')))
			continue;
		return -NOS_ENOTEMPTY;
	}
	return r;
}

/* Fill the new directory cluster clus (nothing points to it yet: early
 * changes): zeros, ".", ".." (parent's start). */
int fat_dir_init(struct fat_volume *v, uint32_t clus, uint32_t parent)
{
	uint8_t *p;
	int r = fat_zero_cluster(v, clus);

	if (r == 0)
		r = fat_cache_get_early(v, fat_clus_lba(v, clus), FAT_WR, &p);
	if (r < 0)
		return r;
	memset(p, ' ', 11);
	p[0] = '.';
	p[DIR_ATTR] = ATTR_DIRECTORY;
	fat_ent_stamp(v, p, 1);
	fat_ent_set_first(v, p, clus);
	memcpy(p + DIR_ENTRY_SIZE, p, DIR_ENTRY_SIZE);
	p[DIR_ENTRY_SIZE + 1] = '.';
	fat_ent_set_first(v, p + DIR_ENTRY_SIZE, parent == v->root_clus ? 0 : parent);
	return 0;
}
