/*
 * fat_path.c: paths and the operations on them -- open, stat, opendir and
 * readdir, mkdir, rmdir, unlink, rename, utimens, the read-only attribute.
 *
 * A path is resolved from the root, one component at a time (path_walk).
 * FAT has no links of any kind, so "." and ".." are resolved by the path's
 * text: a component followed by a ".." is skipped (comp_lives), and nothing
 * needs a stack of parents.
 *
 * Write order (fat_vol.c): mkdir fills the new directory's cluster before
 * the entry naming it; rmdir and unlink free the entry, then the clusters;
 * rename reserves room for the new name, removes the old entries (and a
 * replaced target's), then writes the new ones, and only then frees the
 * replaced target's clusters and points a moved directory's ".." home.
 */
#include <string.h>

#define FAT_INTERNAL
#include "kproc/fat.h"
#include "kproc/le.h"

/* ------------------------------------------------------------ path text */

static int is_dot(const char *c, size_t len)
{
	return (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.');
}

/* Does the component at c (len bytes) of path survive the ".." after it? */
static int comp_lives(const char *path, const char *c, size_t len)
{
	const char *end = path + strlen(path), *s;
	uint32_t pending = 0;

	while (end > c + len) {
		while (end > c + len && end[-1] == '/')
			end--;
		for (s = end; s > c + len && s[-1] != '/'; s--)
			;
		if (end - s == 2 && s[0] == '.' && s[1] == '.')
			pending++;
		else if (end > s && !is_dot(s, (size_t)(end - s)) && pending > 0)
			pending--;
		end = s;
	}
	return pending == 0;
}

/* The next component after *p: its start, *len; NULL at the end. */
static const char *comp_next(const char **p, size_t *len)
{
	const char *s = *p, *e;

	while (*s == '/')
		s++;
	if (*s == '\0')
		return NULL;
	for (e = s; *e != '\0' && *e != '/'; e++)
		;
	*len = (size_t)(e - s);
	*p = e;
	return s;
}

/* Is there a surviving component after p? */
static int path_more(const char *path, const char *p)
{
	const char *c;
	size_t len;

	while ((c = comp_next(&p, &len)) != NULL)
		if (!is_dot(c, len) && comp_lives(path, c, len))
			return 1;
	return 0;
}

/* ------------------------------------------------------------ lookup */

static void root_node(struct fat_volume *v, struct fat_node *n)
{
	memset(n, 0, sizeof(*n));
	n->ent[DIR_ATTR] = ATTR_DIRECTORY;
	n->dir = v->root_clus;
}

static int node_is_dir(const struct fat_node *n)
{
	return (n->ent[DIR_ATTR] & ATTR_DIRECTORY) != 0;
}

/* The first cluster of directory n (the cursor's start). */
static int node_dir(struct fat_volume *v, const struct fat_node *n, uint32_t *start)
{
	if (n->lba == 0) {
		*start = v->root_clus;
		return 0;
	}
	*start = fat_ent_first(v, n->ent);
	return fat_clus_ok(v, *start) ? 0 : -NOS_EIO;
}

#define WALK_MISSING 0x1        /* only the last component is missing */
#define WALK_DOTLAST 0x2        /* the path ends in "." or ".." */

/*
 * Resolve path into *n; *parent is the directory holding it. -NOS_ENOENT
 * with WALK_MISSING in *how when only the last component is missing: then
 * *parent is where it would go and v->name holds its name.
 */
static int path_walk(struct fat_volume *v, const char *path, struct fat_node *parent,
                     struct fat_node *n, unsigned *how)
{
	const char *p = path, *c;
	uint32_t start;
	size_t len;
	int r;

	*how = 0;
	if (v->type == 0)
		return -NOS_EINVAL;
	if (path == NULL || path[0] == '\0')
		return -NOS_ENOENT;
	root_node(v, n);
	*parent = *n;
	while ((c = comp_next(&p, &len)) != NULL) {
		if (is_dot(c, len)) {
			*how |= WALK_DOTLAST;
			continue;
		}
		if (!comp_lives(path, c, len))
			continue;
		*how &= ~(unsigned)WALK_DOTLAST;
		if (!node_is_dir(n))
			return -NOS_ENOTDIR;
		r = node_dir(v, n, &start);
		if (r == 0)
			r = fat_name_from_utf8(v, c, len);
		if (r < 0)
			return r;
		*parent = *n;
		r = fat_dir_find(v, start, n);
		if (r == -NOS_ENOENT && !path_more(path, p))
			*how |= WALK_MISSING;
		if (r < 0)
			return r;
	}
	if (path[strlen(path) - 1] == '/' && !node_is_dir(n))
		return -NOS_ENOTDIR;
	return 0;
}

static void node_stat(struct fat_volume *v, const struct fat_node *n, struct fat_stat *st)
{
	const uint8_t *e = n->ent;

	memset(st, 0, sizeof(*st));
	st->attr = e[DIR_ATTR];
	st->is_dir = node_is_dir(n);
	if (n->lba == 0) {
		st->first_cluster = v->root_clus;
		return;
	}
	st->first_cluster = fat_ent_first(v, e);
	st->size = st->is_dir ? 0 : ld_32(e + DIR_FILE_SIZE);
	if (!st->is_dir) {
		/* An open handle's view is newer than the entry. */
		const struct fat_file *f = fat_file_on(v, n->lba, n->off);

		if (f != NULL) {
			st->first_cluster = f->first;
			st->size = f->size;
		}
	}
	st->mtime = fat_unix_time(ld_16(e + DIR_WRT_DATE), ld_16(e + DIR_WRT_TIME));
	st->ctime = fat_unix_time(ld_16(e + DIR_CRT_DATE), ld_16(e + DIR_CRT_TIME));
	st->atime = fat_unix_time(ld_16(e + DIR_LST_ACC_DATE), 0);
}

static int writable(struct fat_volume *v)
{
	if (v->type == 0)
		return -NOS_EINVAL;
	return (v->flags & FAT_MOUNT_RO) ? -NOS_EROFS : 0;
}

/* Add the entry v->name to directory dir: attr, first cluster, now. */
static int node_create(struct fat_volume *v, uint32_t dir, uint8_t attr, uint32_t first,
                       struct fat_node *n)
{
	int r = fat_dir_prepare(v, dir, n);

	if (r < 0)
		return r;
	n->ent[DIR_ATTR] = attr;
	fat_ent_set_first(v, n->ent, first);
	fat_ent_stamp(v, n->ent, 1);
	return fat_dir_commit(v, n);
}

/* ------------------------------------------------------------ open, stat */

int fat_open(struct fat_volume *v, const char *path, unsigned flags)
{
	struct fat_node parent, n;
	unsigned acc = flags & FAT_O_ACCMODE, how;
	uint8_t ff = 0;
	uint32_t dir;
	int r, h, write = acc != FAT_O_RDONLY;

	if (acc == FAT_O_ACCMODE)
		return -NOS_EINVAL;
	/* A free handle first: a create that then found none would leave a
	 * file behind for an open that failed. */
	for (h = 0; h < FAT_MAX_OPEN && (v->files[h].flags & FAT_F_USED); h++)
		;
	if (h == FAT_MAX_OPEN)
		return -NOS_EMFILE;
	if (write || (flags & (FAT_O_CREAT | FAT_O_TRUNC))) {
		r = writable(v);
		if (r < 0)
			return r;
	}
	r = path_walk(v, path, &parent, &n, &how);
	if (r == -NOS_ENOENT && (how & WALK_MISSING) && (flags & FAT_O_CREAT)) {
		if ((flags & FAT_O_DIRECTORY) || path[strlen(path) - 1] == '/')
			return -NOS_EISDIR;
		r = node_dir(v, &parent, &dir);
		if (r == 0)
			r = node_create(v, dir, ATTR_ARCHIVE, 0, &n);
		if (r < 0)
			return r;
		flags &= ~(unsigned)FAT_O_TRUNC;
	} else if (r < 0) {
		return r;
	} else if ((flags & FAT_O_CREAT) && (flags & FAT_O_EXCL)) {
		return -NOS_EEXIST;
	}
	if (node_is_dir(&n)) {
		if (write || (flags & FAT_O_TRUNC))
			return -NOS_EISDIR;
		ff = FAT_F_DIR;
	} else if (flags & FAT_O_DIRECTORY) {
		return -NOS_ENOTDIR;
	} else if (write && (n.ent[DIR_ATTR] & ATTR_READ_ONLY)) {
		return -NOS_EACCES;
	}
	ff |= (uint8_t)(acc == FAT_O_WRONLY ? FAT_F_WRITE :
	                acc == FAT_O_RDWR ? FAT_F_READ | FAT_F_WRITE : FAT_F_READ);
	if (flags & FAT_O_APPEND)
		ff |= FAT_F_APPEND;
	h = fat_file_new(v, &n, ff);
	if (h >= 0 && (flags & FAT_O_TRUNC) && write) {
		r = fat_ftruncate(v, h, 0);
		if (r < 0) {
			fat_close(v, h);
			return r;
		}
	}
	return h;
}

int fat_stat(struct fat_volume *v, const char *path, struct fat_stat *st)
{
	struct fat_node parent, n;
	unsigned how;
	int r = path_walk(v, path, &parent, &n, &how);

	if (r == 0)
		node_stat(v, &n, st);
	return r;
}

int fat_opendir(struct fat_volume *v, const char *path)
{
	return fat_open(v, path, FAT_O_RDONLY | FAT_O_DIRECTORY);
}

int fat_readdir(struct fat_volume *v, int h, struct fat_dirent *d)
{
	struct fat_file *f = fat_file_get(v, h);
	struct fat_dpos dp;
	struct fat_node n;
	int r;

	if (f == NULL)
		return -NOS_EBADF;
	if (!(f->flags & FAT_F_DIR))
		return -NOS_ENOTDIR;
	if (f->pos == FAT_FILE_MAX)
		return 0;
	if (f->pos == 0 || (f->clus == 0 && f->first != 0)) {
		r = fat_dir_seek(v, &dp, f->first, f->pos);
	} else {
		r = fat_dir_rewind(v, &dp, f->first);
		dp.clus = f->clus;
		dp.index = f->pos;
	}
	while (r == 0 && (r = fat_dir_next(v, &dp, &n)) == 1) {
		r = 0;
		if (n.ent[0] == '.' && (n.ent[1] == ' ' || (n.ent[1] == '.' && n.ent[2] == ' ')))
			continue;
		r = fat_name_to_utf8(v->ename, v->ename_len, d->name, sizeof(d->name));
		if (r < 0)
			return r;
		node_stat(v, &n, &d->st);
		f->pos = dp.done ? FAT_FILE_MAX : dp.index;
		f->clus = dp.clus;
		return 1;
	}
	if (r == 0)
		f->pos = FAT_FILE_MAX;
	return r;
}

/* ------------------------------------------------------------ changes */

int fat_mkdir(struct fat_volume *v, const char *path)
{
	struct fat_node parent, n;
	uint32_t dir, clus;
	unsigned how;
	int32_t got;
	int r = writable(v);

	if (r < 0)
		return r;
	r = path_walk(v, path, &parent, &n, &how);
	if (r == 0)
		return -NOS_EEXIST;
	if (r != -NOS_ENOENT || !(how & WALK_MISSING))
		return r;
	r = node_dir(v, &parent, &dir);
	if (r == 0)
		r = fat_dir_prepare(v, dir, &n);
	if (r < 0)
		return r;
	got = fat_alloc_chain(v, 1, &clus);
	if (got < 0)
		return (int)got;
	r = fat_dir_init(v, clus, dir);         /* early: the entry follows it */
	if (r == 0) {
		n.ent[DIR_ATTR] = ATTR_DIRECTORY;
		fat_ent_set_first(v, n.ent, clus);
		fat_ent_stamp(v, n.ent, 1);
		r = fat_dir_commit(v, &n);
	}
	return r;
}

/* Remove n's entries, then free its clusters (write order 3) -- unless
 * it is open: its handles keep them (fat_node_orphan). */
static int node_delete(struct fat_volume *v, const struct fat_node *n)
{
	int r = fat_dir_remove(v, n);

	fat_barrier(v);
	if (r == 0 && !fat_node_orphan(v, n))
		r = fat_free_chain(v, fat_ent_first(v, n->ent));
	return r;
}

/* The checks unlink, rmdir and rename share for what they remove. */
static int removable(struct fat_volume *v, const struct fat_node *n, int want_dir)
{
	uint32_t dir;
	int r;

	if (n->lba == 0)
		return -NOS_EBUSY;
	if (want_dir && !node_is_dir(n))
		return -NOS_ENOTDIR;
	if (!want_dir && node_is_dir(n))
		return -NOS_EISDIR;
	/* An open file may go (its handles keep the data); a directory may
	 * not while a handle reads it. */
	r = node_is_dir(n) ? fat_node_busy(v, n) : 0;
	if (r == 0 && want_dir) {
		r = node_dir(v, n, &dir);
		if (r == 0)
			r = fat_dir_empty(v, dir);
	}
	return r;
}

int fat_rmdir(struct fat_volume *v, const char *path)
{
	struct fat_node parent, n;
	unsigned how;
	int r = writable(v);

	if (r == 0)
		r = path_walk(v, path, &parent, &n, &how);
	if (r == 0 && (how & WALK_DOTLAST))
		r = -NOS_EINVAL;
	if (r == 0)
		r = removable(v, &n, 1);
	return r < 0 ? r : node_delete(v, &n);
}

int fat_unlink(struct fat_volume *v, const char *path)
{
	struct fat_node parent, n;
	unsigned how;
	int r = writable(v);

	if (r == 0)
		r = path_walk(v, path, &parent, &n, &how);
	if (r == 0)
		r = removable(v, &n, 0);
	return r < 0 ? r : node_delete(v, &n);
}

/* -NOS_EINVAL if directory dir is clus or lies below it (a directory
 * cannot move into itself); walks up by "..", bounded. */
static int dir_below(struct fat_volume *v, uint32_t dir, uint32_t clus)
{
	uint32_t steps;
	uint8_t *e;
	int r;

	for (steps = 0; dir != v->root_clus; steps++) {
		if (dir == clus)
			return -NOS_EINVAL;
		if (steps >= v->nclusters || !fat_clus_ok(v, dir))
			return -NOS_EIO;
		r = fat_dir_entry(v, fat_clus_lba(v, dir), DIR_ENTRY_SIZE, FAT_RD, &e);
		if (r < 0)
			return r;
		if (e[0] != '.' || e[1] != '.')
			return -NOS_EIO;
		dir = fat_dir_start(v, fat_ent_first(v, e));
	}
	return 0;
}

/* Point moved directory n's ".." at its new parent. */
static int dir_reparent(struct fat_volume *v, const struct fat_node *n, uint32_t parent)
{
	uint32_t dir;
	uint8_t *e;
	int r = node_dir(v, n, &dir);

	if (r == 0)
		r = fat_dir_entry(v, fat_clus_lba(v, dir), DIR_ENTRY_SIZE, FAT_WR, &e);
	if (r < 0)
		return r;
	if (e[0] == '.' && e[1] == '.')
		fat_ent_set_first(v, e, parent == v->root_clus ? 0 : parent);
	return 0;
}

int fat_rename(struct fat_volume *v, const char *from, const char *to, unsigned flags)
{
	struct fat_node sp, src, dp, dst, nn;
	uint32_t sdir, ddir, clus = 0;
	unsigned how;
	uint8_t lower;
	int r = writable(v), replace = 0, i;

	if (r == 0)
		r = path_walk(v, from, &sp, &src, &how);
	if (r == 0 && (src.lba == 0 || (how & WALK_DOTLAST)))
		r = src.lba == 0 ? -NOS_EBUSY : -NOS_EINVAL;
	if (r < 0)
		return r;
	r = path_walk(v, to, &dp, &dst, &how);
	if (r == 0 && (how & WALK_DOTLAST))
		return -NOS_EINVAL;
	if (r == 0 && dst.lba == src.lba && dst.off == src.off) {
		r = -NOS_ENOENT;        /* itself: a new spelling, if anything */
		how = WALK_MISSING;
	} else if (r == 0) {
		if (flags & FAT_RENAME_NOREPLACE)
			return -NOS_EEXIST;
		if (node_is_dir(&src) && !node_is_dir(&dst))
			return -NOS_ENOTDIR;
		r = removable(v, &dst, node_is_dir(&src));
		if (r < 0)
			return r;
		replace = 1;
	}
	if (r < 0 && (r != -NOS_ENOENT || !(how & WALK_MISSING)))
		return r;
	r = node_dir(v, &sp, &sdir);
	if (r == 0)
		r = node_dir(v, &dp, &ddir);
	if (r == 0 && node_is_dir(&src)) {
		r = node_dir(v, &src, &clus);
		if (r == 0)
			r = dir_below(v, ddir, clus);
	}
	/* Room for the new name first, so nothing can fail half way. */
	if (r == 0)
		r = fat_dir_prepare(v, ddir, &nn);
	if (r < 0)
		return r;
	/* The new name's case bits, everything else of the old entry. */
	lower = nn.ent[DIR_NT_RES] & (NT_RES_LOWER_BASE | NT_RES_LOWER_EXT);
	memcpy(nn.ent + DIR_ATTR, src.ent + DIR_ATTR, DIR_ENTRY_SIZE - DIR_ATTR);
	nn.ent[DIR_NT_RES] = (uint8_t)((src.ent[DIR_NT_RES] & ~(NT_RES_LOWER_BASE | NT_RES_LOWER_EXT)) |
	                               lower);
	if (!node_is_dir(&src)) {
		/* An open source's handles hold its live size and chain. */
		const struct fat_file *g = fat_file_on(v, src.lba, src.off);

		if (g != NULL) {
			fat_ent_set_first(v, nn.ent, g->first);
			st_32(nn.ent + DIR_FILE_SIZE, g->size);
		}
	}
	if (replace)
		r = fat_dir_remove(v, &dst);
	if (r == 0)
		r = fat_dir_remove(v, &src);
	fat_barrier(v);
	if (r == 0)
		r = fat_dir_commit(v, &nn);
	fat_barrier(v);
	if (r == 0 && replace && !fat_node_orphan(v, &dst))
		r = fat_free_chain(v, fat_ent_first(v, dst.ent));
	if (r == 0 && node_is_dir(&src) && sdir != ddir)
		r = dir_reparent(v, &src, ddir);
	for (i = 0; r == 0 && i < FAT_MAX_OPEN; i++) {
		struct fat_file *f = &v->files[i];

		if ((f->flags & FAT_F_USED) && f->ent_lba == src.lba && f->ent_off == src.off) {
			f->ent_lba = nn.lba;
			f->ent_off = nn.off;
		}
	}
	return r;
}

/* The entry of path, to change in place (NULL for the root). */
static int path_entry(struct fat_volume *v, const char *path, uint8_t **e)
{
	struct fat_node parent, n;
	unsigned how;
	int r = writable(v);

	if (r == 0)
		r = path_walk(v, path, &parent, &n, &how);
	if (r < 0)
		return r;
	if (n.lba == 0) {
		*e = NULL;      /* the root has no entry: nothing to change */
		return 0;
	}
	return fat_dir_entry(v, n.lba, n.off, FAT_WR, e);
}

static uint32_t volume_now(struct fat_volume *v)
{
	return v->now != NULL ? v->now(v->now_ctx) : FAT_EPOCH_UNIX;
}

int fat_utimens(struct fat_volume *v, const char *path, uint32_t atime, uint32_t mtime)
{
	uint16_t date, time;
	uint8_t *e;
	int r = path_entry(v, path, &e);

	if (r < 0 || e == NULL)
		return r;
	if (mtime != FAT_TIME_OMIT) {
		fat_stamp(mtime == FAT_TIME_NOW ? volume_now(v) : mtime, &date, &time);
		st_16(e + DIR_WRT_DATE, date);
		st_16(e + DIR_WRT_TIME, time);
	}
	if (atime != FAT_TIME_OMIT) {
		fat_stamp(atime == FAT_TIME_NOW ? volume_now(v) : atime, &date, &time);
		st_16(e + DIR_LST_ACC_DATE, date);
	}
	return 0;
}

int fat_set_readonly(struct fat_volume *v, const char *path, int readonly)
{
	uint8_t *e;
	int r = path_entry(v, path, &e);

	if (r < 0 || e == NULL)
		return r;
	if (readonly)
		e[DIR_ATTR] |= ATTR_READ_ONLY;
	else
		e[DIR_ATTR] &= (uint8_t)~ATTR_READ_ONLY;
	return 0;
}
