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

#define FAT_EPOCH_UNIX 315532800u       /* 1980-01-01 00:00:00 UTC */

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

/* Grow a directory by one zeroed cluster after last (write order 2). */
static int dir_grow(struct fat_volume *v, uint32_t last, uint32_t *clus)
{
	int32_t got = fat_alloc_chain(v, 1, clus);
	int r;

	if (got < 0)
		return (int)got;
	r = fat_zero_cluster(v, *clus);
	fat_barrier(v);
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

int fat_dir_seek(struct fat_volume *v, struct fat_dpos *d, uint32_t start, uint32_t index)
{
	int r = fat_dir_rewind(v, d, start);

	while (r == 0 && d->index < index)
		r = dir_advance(v, d, 0);
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

/* Find v->name in directory dir, by long or 8.3 name, case-blind.
 * 0 (*n filled), -NOS_ENOENT, or -NOS_E*. */
int fat_dir_find(struct fat_volume *v, uint32_t dir, struct fat_node *n)
{
	struct fat_dpos d;
	int r = fat_dir_rewind(v, &d, dir);

	while (r == 0 && (r = fat_dir_next(v, &d, n)) == 1) {
		r = 0;
		if (name_eq(v->name, v->name_len, v->ename, v->ename_len))
			return 0;
		if (n->nlfn != 0) {
			sfn_to_name(v, n->ent);
			if (name_eq(v->name, v->name_len, v->ename, v->ename_len))
				return 0;
		}
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

/*
 * A unique alias for v->name in dir. Like Windows, after the first numbers
 * ("NAME~1" .. "NAME~255") it uses a basis made of two letters and a hash
 * of the long name ("NA3F2C~1"), so many similar names cost one directory
 * walk each, not one per 256 numbers; only if that is full too does it
 * walk on through higher numbers.
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

	for (i = 0; i < v->name_len && i < LFN_MAX_CHARS; i++)
		hash = (uint16_t)((hash << 5 | hash >> 11) ^ v->name[i]);
	memcpy(hashed, basis, 11);
	hlen = blen < 2 ? blen : 2;
	for (i = 0; i < 4; i++)
		hashed[hlen + i] = (uint8_t)hex[(hash >> (12 - 4 * i)) & 15];
	hlen = (uint8_t)(hlen + 4);
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
	uint32_t need, run = 0, start = 0, lba;
	uint16_t off;
	uint8_t ntres = 0, *e, never_used = 0;
	int r;

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
	r = fat_dir_rewind(v, &d, dir);
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
		never_used |= e[DIR_NAME] == DIR_FREE_LAST;
		if (run == need) {
			n->dir = dir;
			n->lfn_index = start;
			n->index = d.index;
			n->lba = lba;
			n->off = off;
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
	int r = fat_dir_seek(v, &d, n->dir, n->lfn_index);

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

/* Fill the new directory cluster clus: zeros, ".", ".." (parent's start). */
int fat_dir_init(struct fat_volume *v, uint32_t clus, uint32_t parent)
{
	uint8_t *p;
	int r = fat_zero_cluster(v, clus);

	if (r == 0)
		r = fat_cache_get(v, fat_clus_lba(v, clus), FAT_WR, &p);
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
