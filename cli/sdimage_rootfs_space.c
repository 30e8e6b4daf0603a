/*
 * sdimage_rootfs_space.c: the free-space check of `nanoos sdimage
 * update-rootfs` (sdimage_rootfs.c), made on the plan before a byte is
 * written, so that a volume too full is refused untouched.
 *
 * What the update needs: clusters for its files at their peak (removals
 * first, a new program written before the old one goes), for the new
 * record, and for the directory entries the new names take. The entries
 * are counted as fat_dir.c places them (an 8.3 name: one; a long name: one
 * more per 13 characters; a name of up to a sector never across a
 * sector's end). A FAT12/16 root directory cannot grow: its free entries
 * are read raw from the volume and the new names placed in them.
 *
 * Sections: directory entries -> the FAT12/16 root -> clusters -> the check.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/sdimage_rootfs.h"
#include "kproc/fat_layout.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "kproc/sdcard.h"
#include "sdimage/mbr.h"

/* ======================================================= directory entries */

#define UPD_SLOT 32u                    /* bytes of one directory entry */
#define UPD_SLOTS_PER_SECTOR 16u
#define UPD_LFN_CHARS 13u               /* of a name, per long-name entry */

/* A directory that gains names, and the entries they take. */
struct upd_dir {
	char *path;                     /* "" for the root */
	uint32_t slots;
};

struct upd_dirs {
	struct upd_dir *d;
	size_t n, cap;
	char **root;                    /* the root's new names, in order */
	size_t nroot;
};

static void upd_dirs_free(struct upd_dirs *ds)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		free(ds->d[i].path);
	for (i = 0; i < ds->nroot; i++)
		free(ds->root[i]);
	free(ds->d);
	free(ds->root);
}

/* 1 if c may stand in an 8.3 name (fat_dir.c: sfn_fits). */
static int upd_sfn_char(unsigned char c)
{
	return c < 0x80 && (isalnum(c) || (c != 0 && strchr("!#$%&'()-@^_`{}~", c) != NULL));
}

/* The directory entries fat_dir_prepare gives name: one for a plain 8.3
 * name (ASCII, one case per part), else one more per 13 characters of the
 * long name (counted in bytes: never fewer). */
static uint32_t upd_slots(const char *name)
{
	size_t len = strlen(name), part = 0, i;
	int upper[2] = { 0, 0 }, lower[2] = { 0, 0 }, ext = 0, plain = 1;

	for (i = 0; plain && i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.' && !ext && i > 0) {
			ext = 1;
			part = 0;
			continue;
		}
		plain = upd_sfn_char(c) && ++part <= (ext ? 3u : 8u);
		upper[ext] |= isupper(c) != 0;
		lower[ext] |= islower(c) != 0;
	}
	plain = plain && len > 0 && !(upper[0] && lower[0]) && !(upper[1] && lower[1]) &&
	        !(ext && part == 0);
	return plain ? 1 : 1 + (uint32_t)((len + UPD_LFN_CHARS - 1) / UPD_LFN_CHARS);
}

static struct upd_dir *upd_dir_find(const struct upd_dirs *ds, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < ds->n; i++)
		if (strlen(ds->d[i].path) == len && strncmp(ds->d[i].path, path, len) == 0)
			return &ds->d[i];
	return NULL;
}

/* Directory path[0..len) in ds, added with `slots` entries if not there.
 * NULL: no memory. */
static struct upd_dir *upd_dir_get(struct upd_dirs *ds, const char *path, size_t len,
                                   uint32_t slots)
{
	struct upd_dir *d = upd_dir_find(ds, path, len), *grown;

	if (d)
		return d;
	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? ds->cap * 2 : 16;
		grown = realloc(ds->d, ds->cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		ds->d = grown;
	}
	d = &ds->d[ds->n];
	d->path = strndup(path, len);
	if (d->path == NULL)
		return NULL;
	d->slots = slots;
	ds->n++;
	return d;
}

/* A new name of the root kept in order, for upd_root_room. 0, or -1. */
static int upd_dir_root_name(struct upd_dirs *ds, const char *vol)
{
	char **grown = realloc(ds->root, (ds->nroot + 1) * sizeof(*grown));

	if (grown == NULL)
		return -1;
	ds->root = grown;
	ds->root[ds->nroot] = strdup(vol);
	if (ds->root[ds->nroot] == NULL)
		return -1;
	ds->nroot++;
	return 0;
}

/* Volume path vol gets its entries in its directory: placed as
 * fat_dir_prepare places them, a name of up to a sector never across a
 * sector's end. 0, or 1 after an error line. */
static int upd_dir_take(struct sdi *s, struct upd_dirs *ds, const char *vol)
{
	const char *base = upd_base(vol);
	uint32_t k = upd_slots(base);
	struct upd_dir *d = upd_dir_get(ds, vol, (size_t)(base - 1 - vol), 0);

	if (d == NULL || (d->path[0] == 0 && upd_dir_root_name(ds, vol) < 0))
		return sdi_fail(s, vol, -NOS_ENOMEM);
	if (k <= UPD_SLOTS_PER_SECTOR && d->slots % UPD_SLOTS_PER_SECTOR + k > UPD_SLOTS_PER_SECTOR)
		d->slots += UPD_SLOTS_PER_SECTOR - d->slots % UPD_SLOTS_PER_SECTOR;
	d->slots += k;
	return 0;
}

/* A directory the update makes: named in its parent, "." and ".." in it. */
static int upd_dir_new(struct sdi *s, struct upd_dirs *ds, const char *vol)
{
	if (upd_dir_take(s, ds, vol))
		return 1;
	return upd_dir_get(ds, vol, strlen(vol), 2) ? 0 : sdi_fail(s, vol, -NOS_ENOMEM);
}

/* The entries the record takes in /etc: its temporary name and its own
 * (a rename reserves the new name before the old goes); /etc made first
 * when the volume lacks it. */
static int upd_dir_record(struct sdi *s, struct upd_dirs *ds)
{
	char tmp[FS_PATH_MAX];

	if (!upd_dir_find(ds, UPD_ETC, strlen(UPD_ETC)) && !sdi_is_dir(s, UPD_ETC) &&
	    upd_dir_new(s, ds, UPD_ETC))
		return 1;
	return upd_temp_name(s, UPD_RECORD, tmp) || upd_dir_take(s, ds, tmp) ||
	       upd_dir_take(s, ds, UPD_RECORD);
}

/* The new names of the plan, per directory: every name added, and for a
 * program replaced its temporary name as well as its own (the rename
 * reserves the name's entries before it frees the old ones). */
static int upd_dir_names(struct sdi *s, const struct upd_plan *p, struct upd_dirs *ds)
{
	char tmp[FS_PATH_MAX];
	size_t i;
	int r = 0;

	for (i = 0; r == 0 && i < p->n; i++) {
		const struct upd_action *a = &p->act[i];

		if (a->kind == UPD_MKDIR)
			r = upd_dir_new(s, ds, a->vol);
		else if (a->kind == UPD_ADD)
			r = upd_dir_take(s, ds, a->vol);
		else if (a->kind == UPD_REPLACE)
			r = upd_temp_name(s, a->vol, tmp) || upd_dir_take(s, ds, tmp) ||
			    upd_dir_take(s, ds, a->vol);
	}
	if (r == 0 && upd_record_changes(&p->next, p->record))
		r = upd_dir_record(s, ds);
	return r;
}

/* ======================================================= the FAT12/16 root */

/* The first sector of the FAT volume (after the MBR, if any) into sec, its
 * block in *lba. 0, or 1 after an error line. */
static int upd_boot_sector(struct sdi *s, uint8_t *sec, uint32_t *lba)
{
	struct sdcard_info ci;
	struct mbr_entry e;
	int r = sdcard_info(s->vol.sd, &ci);

	*lba = 0;
	if (r == 0)
		r = sdcard_read(s->vol.sd, 0, 1, sec);
	if (r == 0 && mbr_read(sec, ci.blocks, &e) == 0) {
		*lba = e.lba_start;
		r = sdcard_read(s->vol.sd, e.lba_start, 1, sec);
	}
	return r < 0 ? sdi_fail(s, "/", r) : 0;
}

/* The entries of a FAT12/16 root directory, read raw: busy[i] is 1 for an
 * entry in use. *n: how many; *busy malloc'd. 0, or 1 after an error line. */
static int upd_root_entries(struct sdi *s, uint8_t **busy, uint32_t *n)
{
	static uint8_t sec[SDCARD_BLOCK_SIZE];
	uint32_t lba, per_block, i;
	int r;

	if (!s->o.dry_run)
		fs_sync(s->vol.fs);     /* a repair at mount may be in fs's cache */
	if (upd_boot_sector(s, sec, &lba))
		return 1;
	per_block = ld_16(sec + BPB_BYTS_PER_SEC) / SDCARD_BLOCK_SIZE;
	lba += (ld_16(sec + BPB_RSVD_SEC_CNT) + sec[BPB_NUM_FATS] * (uint32_t)
	        ld_16(sec + BPB_FAT_SZ16)) * (per_block ? per_block : 1);
	*n = ld_16(sec + BPB_ROOT_ENT_CNT);
	*busy = malloc(*n + 1);
	if (*busy == NULL)
		return sdi_fail(s, "/", -NOS_ENOMEM);
	for (i = 0, r = 0; r == 0 && i < *n; i++) {
		if (i % (SDCARD_BLOCK_SIZE / UPD_SLOT) == 0)
			r = sdcard_read(s->vol.sd, lba + i / (SDCARD_BLOCK_SIZE / UPD_SLOT), 1, sec);
		(*busy)[i] = sec[i % (SDCARD_BLOCK_SIZE / UPD_SLOT) * UPD_SLOT] != DIR_FREE_LAST &&
		             sec[i % (SDCARD_BLOCK_SIZE / UPD_SLOT) * UPD_SLOT] != DIR_FREE;
	}
	if (r < 0) {
		free(*busy);
		return sdi_fail(s, "/", r);
	}
	return 0;
}

/* Take k free entries in a row of busy[0..n), as fat_dir_prepare finds
 * them (first fit; a name of up to a sector within one sector). 0: none. */
static int upd_root_place(uint8_t *busy, uint32_t n, uint32_t k)
{
	uint32_t i, run = 0, start = 0;

	for (i = 0; i < n; i++) {
		if (busy[i]) {
			run = 0;
			continue;
		}
		if (run && k <= UPD_SLOTS_PER_SECTOR && i % UPD_SLOTS_PER_SECTOR == 0)
			run = 0;
		if (run++ == 0)
			start = i;
		if (run == k) {
			memset(busy + start, 1, k);
			return 1;
		}
	}
	return 0;
}

/* A FAT12/16 root directory has a fixed number of entries: refuse new
 * names (ds->root) it has no room for. 0, or 1 after an error line. */
static int upd_root_room(struct sdi *s, const struct upd_dirs *ds)
{
	uint8_t *busy;
	uint32_t n;
	size_t i;

	if (ds->nroot == 0)
		return 0;
	if (upd_root_entries(s, &busy, &n))
		return 1;
	for (i = 0; i < ds->nroot; i++)
		if (!upd_root_place(busy, n, upd_slots(upd_base(ds->root[i]))))
			break;
	free(busy);
	if (i == ds->nroot)
		return 0;
	cli_error(s->cmd, s->img, "the root directory is full: no room for %s (%u entries in "
	          "a row; a FAT12/16 root directory cannot grow); nothing was changed; remove "
	          "or move files of / (`nanoos sdimage rm`, `nanoos sdimage mv`), then run "
	          "update-rootfs again", ds->root[i], upd_slots(upd_base(ds->root[i])));
	return 1;
}

/* ================================================================ clusters */

/* The clusters the directories grow by, their new names placed from a
 * fresh cluster (what free entries they have is not counted: never too
 * few); a new directory's are all new. -1 after an error line. */
static int64_t upd_dir_growth(struct sdi *s, const struct upd_plan *p,
                              const struct fs_statfs *st)
{
	struct upd_dirs ds;
	int64_t clusters = 0;
	size_t i;
	int r;

	memset(&ds, 0, sizeof(ds));
	r = upd_dir_names(s, p, &ds);
	if (r == 0 && st->fat_type != 32)
		r = upd_root_room(s, &ds);
	for (i = 0; r == 0 && i < ds.n; i++)
		if (ds.d[i].path[0] != 0 || st->fat_type == 32)
			clusters += (int64_t)(((uint64_t)ds.d[i].slots * UPD_SLOT +
			                       st->cluster_size - 1) / st->cluster_size);
	upd_dirs_free(&ds);
	return r ? -1 : clusters;
}

static int64_t upd_clusters(uint64_t bytes, uint32_t cluster)
{
	return (int64_t)((bytes + cluster - 1) / cluster);
}

/* The most clusters the files of the update hold beyond what is free now,
 * at any moment of upd_apply's order: removals first, then the rest in
 * plan order, a new program written before the old one goes. */
static int64_t upd_need(const struct upd_plan *p, uint32_t cluster)
{
	int64_t now = 0, peak = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->act[i].kind == UPD_REMOVE)
			now -= upd_clusters(p->act[i].old_size, cluster);
	for (i = 0; i < p->n; i++) {
		const struct upd_action *a = &p->act[i];

		if (a->kind == UPD_ADD)
			now += upd_clusters(a->size, cluster);
		if (a->kind == UPD_REPLACE) {
			if (now + upd_clusters(a->size, cluster) > peak)
				peak = now + upd_clusters(a->size, cluster);
			now += upd_clusters(a->size, cluster) - upd_clusters(a->old_size, cluster);
		}
		if (now > peak)
			peak = now;
	}
	return peak;
}

/* =============================================================== the check */

/* Refuse, before anything is written, an update the volume has no room
 * for: its files at their peak, the directories' growth, and the new
 * record (written beside the old). 0, or 1 after an error line. */
int upd_check_space(struct sdi *s, const struct upd_plan *p)
{
	char need_h[16], free_h[16];
	struct fs_statfs st;
	int64_t need, dirs;
	int record = upd_record_changes(&p->next, p->record);
	int r;

	if (p->count[UPD_MKDIR] + p->count[UPD_ADD] + p->count[UPD_REPLACE] == 0 && !record)
		return 0;
	r = fs_statfs(s->vol.fs, &st);
	if (r < 0)
		return sdi_fail(s, "/", r);
	dirs = upd_dir_growth(s, p, &st);
	if (dirs < 0)
		return 1;
	need = upd_need(p, st.cluster_size) + dirs +
	       (record ? upd_clusters(p->next.len, st.cluster_size) : 0);
	if (need <= (int64_t)st.free_clusters)
		return 0;
	cli_human((uint64_t)need * st.cluster_size, need_h, sizeof(need_h));
	cli_human((uint64_t)st.free_clusters * st.cluster_size, free_h, sizeof(free_h));
	cli_error(s->cmd, s->img, "the volume is full: the update needs %s (%" PRId64 " KiB "
	          "of it for directory entries) and %s is free; nothing was changed; delete "
	          "files (`nanoos sdimage rm`) or move the data to a bigger image, then run "
	          "update-rootfs again", need_h, dirs * st.cluster_size / 1024, free_h);
	return 1;
}
