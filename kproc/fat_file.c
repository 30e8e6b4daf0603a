/*
 * fat_file.c: open files -- read, write, seek, truncate, fsync, close.
 *
 * A handle (struct fat_file) remembers where its 8.3 entry is, the first
 * cluster and size, the position and a cursor into the chain (clus is the
 * cidx-th cluster) so sequential I/O never walks the chain from the start.
 * The entry is written back on close, fsync and sync (FAT_F_DIRTY). Two
 * handles on one file share size and first cluster (file_share).
 *
 * Clusters that follow each other on the disk are read and written as one
 * run: one disk request each, however large the call.
 *
 * Write order (fat_vol.c): a write past the end takes all the clusters it
 * needs at once (end-of-chain marked) and writes the data into them, both
 * as early changes, then links them; the entry's size is stored after a
 * barrier that follows the last link (fat_file_store), so the link and the
 * size follow the data, and the size follows the link, whatever the size
 * of the write (the links of one long sequential write share an epoch, so
 * a sync flushes once for all of them, not once per write call). A write
 * past the end first fills the gap with zeros -- also the stale tail of the
 * last cluster left by a shrink. A shrink stores the new size, then cuts
 * the chain.
 *
 * A file opened while open already takes the live size and chain from its
 * open handle, not from the entry, which lags until a close or sync (the
 * FUSE bridge's release comes after the caller's close returned). A file
 * removed or replaced while open keeps its data for its open handles, as
 * on Linux: they become orphans (FAT_F_ORPHAN, no entry), and the last one
 * to close frees the chain; a power cut before that leaves lost clusters
 * that the check at the next mount reclaims.
 */
#include <string.h>

#define FAT_INTERNAL
#include "kproc/fat.h"
#include "kproc/le.h"

struct fat_file *fat_file_get(struct fat_volume *v, int h)
{
	if (v->type == 0 || h < 0 || h >= FAT_MAX_OPEN || !(v->files[h].flags & FAT_F_USED))
		return NULL;
	return &v->files[h];
}

/* A handle for node n (its chain checked). -> handle, -NOS_EMFILE/EIO. */
int fat_file_new(struct fat_volume *v, const struct fat_node *n, uint8_t fflags)
{
	struct fat_file *f, *g;
	int h, r;

	for (h = 0; h < FAT_MAX_OPEN && (v->files[h].flags & FAT_F_USED); h++)
		;
	if (h == FAT_MAX_OPEN)
		return -NOS_EMFILE;
	f = &v->files[h];
	memset(f, 0, sizeof(*f));
	f->attr = n->ent[DIR_ATTR];
	f->ent_lba = n->lba;
	f->ent_off = n->off;
	if (n->lba == 0) {
		f->first = v->root_clus;
	} else if (!(fflags & FAT_F_DIR) && (g = fat_file_on(v, n->lba, n->off)) != NULL) {
		/* Open already: its handles hold the live size and chain (the
		 * entry catches up at their close, fsync or sync). */
		f->first = g->first;
		f->size = g->size;
		f->flags = (uint8_t)(FAT_F_USED | fflags | (g->flags & FAT_F_DIRTY));
		return h;
	} else {
		f->first = fat_ent_first(v, n->ent);
		f->size = (fflags & FAT_F_DIR) ? 0 : ld_32(n->ent + DIR_FILE_SIZE);
	}
	if (fflags & FAT_F_DIR) {
		if (n->lba != 0 && !fat_clus_ok(v, f->first))
			return -NOS_EIO;
	} else {
		r = fat_chain_check(v, f->first, f->size);
		if (r < 0)
			return r;
	}
	f->flags = (uint8_t)(FAT_F_USED | fflags);
	return h;
}

/* Other handles on f's file see its size and chain; cut: the chain got
 * shorter, so their cursors may point at freed clusters. */
static void file_share(struct fat_volume *v, const struct fat_file *f, int cut)
{
	int i;

	for (i = 0; i < FAT_MAX_OPEN; i++) {
		struct fat_file *g = &v->files[i];

		if (g == f || !(g->flags & FAT_F_USED) || g->ent_lba != f->ent_lba ||
		    g->ent_off != f->ent_off || f->ent_lba == 0)
			continue;
		g->first = f->first;
		g->size = f->size;
		if (cut)
			g->clus = 0;
	}
}

/* Write f's size, first cluster and mtime into its entry. What they expose
 * is in an earlier epoch: data and new clusters are early changes, and a
 * barrier comes first if a chain was extended in the current epoch. */
int fat_file_store(struct fat_volume *v, struct fat_file *f)
{
	uint8_t *e;
	int r;

	if (!(f->flags & FAT_F_USED) || !(f->flags & FAT_F_DIRTY) || f->ent_lba == 0 ||
	    (f->flags & FAT_F_ORPHAN))
		return 0;
	if (v->link_epoch == v->epoch)
		fat_barrier(v);         /* the size follows the links made so far */
	r = fat_dir_entry(v, f->ent_lba, f->ent_off, FAT_WR, &e);
	if (r < 0)
		return r;
	fat_ent_set_first(v, e, f->first);
	if (!(f->flags & FAT_F_DIR))
		st_32(e + DIR_FILE_SIZE, f->size);
	e[DIR_ATTR] |= ATTR_ARCHIVE;
	fat_ent_stamp(v, e, 0);
	f->flags &= (uint8_t)~FAT_F_DIRTY;
	return 0;
}

struct fat_file *fat_file_on(struct fat_volume *v, uint32_t lba, uint16_t off)
{
	int i;

	for (i = 0; i < FAT_MAX_OPEN; i++)
		if ((v->files[i].flags & FAT_F_USED) && v->files[i].ent_lba == lba &&
		    v->files[i].ent_off == off)
			return &v->files[i];
	return NULL;
}

int fat_node_orphan(struct fat_volume *v, const struct fat_node *n)
{
	uint16_t group = v->orphan_seq++;
	struct fat_file *f;
	int any = 0;

	/* A group number still in use by older orphans would merge them. */
	while (fat_file_on(v, FAT_LBA_ORPHAN, group) != NULL)
		group = v->orphan_seq++;
	while ((f = fat_file_on(v, n->lba, n->off)) != NULL) {
		f->ent_lba = FAT_LBA_ORPHAN;
		f->ent_off = group;
		f->flags = (uint8_t)((f->flags | FAT_F_ORPHAN) & ~FAT_F_DIRTY);
		any = 1;
	}
	return any;
}

/* The last handle of an orphan group frees its chain. */
static int orphan_close(struct fat_volume *v, struct fat_file *f)
{
	uint32_t first = f->first;

	f->flags = 0;
	if (fat_file_on(v, FAT_LBA_ORPHAN, f->ent_off) != NULL || first == 0)
		return 0;
	return fat_free_chain(v, first);
}

int fat_orphans_free(struct fat_volume *v)
{
	int i, r = 0, r2;

	for (i = 0; i < FAT_MAX_OPEN; i++)
		if ((v->files[i].flags & FAT_F_USED) && (v->files[i].flags & FAT_F_ORPHAN)) {
			r2 = orphan_close(v, &v->files[i]);
			if (r == 0)
				r = r2;
		}
	return r;
}

/* 0 if no handle is open on n's entry, else -NOS_EBUSY. */
int fat_node_busy(struct fat_volume *v, const struct fat_node *n)
{
	int i;

	for (i = 0; i < FAT_MAX_OPEN; i++)
		if ((v->files[i].flags & FAT_F_USED) && v->files[i].ent_lba == n->lba &&
		    v->files[i].ent_off == n->off)
			return -NOS_EBUSY;
	return 0;
}

/* Put the idx-th cluster of f's chain in f->clus (f->cidx = idx).
 * -NOS_ENOENT if the chain is shorter: f->clus is then its last cluster
 * (0 if none), -NOS_EIO if it is broken. */
static int file_walk(struct fat_volume *v, struct fat_file *f, uint32_t idx)
{
	uint32_t next;
	int r;

	if (f->first == 0) {
		f->clus = 0;
		return -NOS_ENOENT;
	}
	if (f->clus == 0 || f->cidx > idx) {
		f->clus = f->first;
		f->cidx = 0;
	}
	while (f->cidx < idx) {
		r = fat_next(v, f->clus, &next);
		if (r < 0)
			return r;
		if (next == 0)
			return -NOS_ENOENT;
		f->clus = next;
		f->cidx++;
	}
	return 0;
}

/* Clusters from clus on that follow each other on the disk, at most max:
 * *run of them; *next is the cluster after them in the chain (0: the end,
 * or not looked up because *run reached max). */
static int chain_run(struct fat_volume *v, uint32_t clus, uint32_t max, uint32_t *run,
                     uint32_t *next)
{
	int r;

	for (*run = 1; *run < max; (*run)++) {
		r = fat_next(v, clus + *run - 1, next);
		if (r < 0)
			return r;
		if (*next != clus + *run)
			return 0;
	}
	*next = 0;
	return 0;
}

/* The run of clusters from f's cursor covering len bytes from byte off of
 * it: -> the bytes of it to use (<= len); the cursor moves to its last
 * cluster, *start is its first. */
static int32_t file_run(struct fat_volume *v, struct fat_file *f, uint32_t off, uint32_t len,
                        uint32_t *start)
{
	uint32_t cs = fat_csize(v), run, next;
	int r = chain_run(v, f->clus, (off + (len - 1)) / cs + 1, &run, &next);

	if (r < 0)
		return r;
	*start = f->clus;
	f->clus += run - 1;
	f->cidx += run - 1;
	return (int32_t)(run * cs - off < len ? run * cs - off : len);
}

/* len bytes at byte off of cluster clus (and those after it on the disk)
 * into buf. */
static int clus_read(struct fat_volume *v, uint32_t clus, uint32_t off, uint8_t *buf,
                     uint32_t len)
{
	uint32_t lba = fat_clus_lba(v, clus) + off / FAT_SECTOR_SIZE, so = off % FAT_SECTOR_SIZE;
	uint32_t k;
	uint8_t *p;
	int r;

	while (len > 0) {
		if (so == 0 && len >= FAT_SECTOR_SIZE) {
			k = len / FAT_SECTOR_SIZE;
			r = fat_data_read(v, lba, k, buf);
			k *= FAT_SECTOR_SIZE;
		} else {
			r = fat_cache_get(v, lba, FAT_RD, &p);
			k = FAT_SECTOR_SIZE - so < len ? FAT_SECTOR_SIZE - so : len;
			if (r == 0)
				memcpy(buf, p + so, k);
			so = 0;
		}
		if (r < 0)
			return r;
		lba += (k + FAT_SECTOR_SIZE - 1) / FAT_SECTOR_SIZE;
		buf += k;
		len -= k;
	}
	return 0;
}

/* len bytes from buf (NULL: zeros) to byte off of cluster clus (and those
 * after it on the disk); fresh: the clusters are new, so a partly written
 * sector need not be read first. All of it is an early change (fat_vol.c). */
static int clus_write(struct fat_volume *v, uint32_t clus, uint32_t off, const uint8_t *buf,
                      uint32_t len, int fresh)
{
	uint32_t lba = fat_clus_lba(v, clus) + off / FAT_SECTOR_SIZE, so = off % FAT_SECTOR_SIZE;
	uint32_t k;
	uint8_t *p;
	int r;

	while (len > 0) {
		if (so == 0 && len >= FAT_SECTOR_SIZE && buf != NULL) {
			k = len / FAT_SECTOR_SIZE;
			r = fat_data_write(v, lba, k, buf);
			k *= FAT_SECTOR_SIZE;
		} else {
			k = FAT_SECTOR_SIZE - so < len ? FAT_SECTOR_SIZE - so : len;
			r = fat_cache_get_early(v, lba, fresh || k == FAT_SECTOR_SIZE ? FAT_NEW : FAT_WR,
			                        &p);
			if (r == 0 && buf != NULL)
				memcpy(p + so, buf, k);
			else if (r == 0)
				memset(p + so, 0, k);
			so = 0;
		}
		if (r < 0)
			return r;
		lba += (k + FAT_SECTOR_SIZE - 1) / FAT_SECTOR_SIZE;
		if (buf != NULL)
			buf += k;
		len -= k;
	}
	return 0;
}

/* The sectors of new cluster clus after byte end (0: none): zeros, in the
 * cache (early). Nothing needs them, but where write-backs are batched
 * they join the data of the clusters around into one request -- one write
 * for many small files, not one each -- and the slack holds no stale bytes
 * of a deleted file. The sector holding byte end is zero-filled already. */
static int clus_zero_tail(struct fat_volume *v, uint32_t clus, uint32_t end)
{
#if FAT_IO_BATCH > 1
	uint32_t lba = fat_clus_lba(v, clus), i;
	uint8_t *p;
	int r;

	for (i = end == 0 ? v->spc : (end + FAT_SECTOR_SIZE - 1) / FAT_SECTOR_SIZE; i < v->spc; i++) {
		r = fat_cache_get_early(v, lba + i, FAT_NEW, &p);
		if (r < 0)
			return r;
	}
#else
	(void)v;
	(void)clus;
	(void)end;
#endif
	return 0;
}

/* Account for k bytes written at f->pos. */
static void file_advance(struct fat_file *f, uint32_t k)
{
	f->pos += k;
	if (f->pos > f->size)
		f->size = f->pos;
	f->flags |= FAT_F_DIRTY;
}

/* Grow the chain to cover the rest of a write (n bytes left, from f->pos,
 * which starts the cluster after the last one) and write into it. */
static int32_t file_append(struct fat_volume *v, struct fat_file *f, const uint8_t *buf,
                           uint32_t n)
{
	uint32_t cs = fat_csize(v), idx = f->pos / cs, off = f->pos % cs, have, first, c, k;
	uint32_t done = 0, last = 0, i, run;
	int32_t got;
	int r = 0;

	have = f->first == 0 ? 0 : f->cidx + 1;
	if (idx != have)
		return -NOS_EIO;        /* the chain is shorter than the size */
	got = fat_alloc_chain(v, (f->pos + (n - 1)) / cs - idx + 1, &first);
	if (got < 0)
		return got;
	/* Marked and written early: nothing points to them yet. */
	for (i = 0, c = first; i < (uint32_t)got && r == 0; i += run) {
		last = c;
		r = chain_run(v, c, (uint32_t)got - i, &run, &c);
		if (r < 0)
			break;
		k = run * cs - off < n - done ? run * cs - off : n - done;
		r = clus_write(v, last, off, buf != NULL ? buf + done : NULL, k, 1);
		done += k;
		off = 0;
		last += run - 1;
	}
	if (r == 0)
		r = clus_zero_tail(v, last, (f->pos + done) % cs);
	if (r < 0) {
		fat_free_chain(v, first);       /* never linked: just give it back */
		return r;
	}
	if (have == 0) {
		f->first = first;       /* the entry, stored later, links it */
	} else {
		r = fat_link(v, f->clus, first);
		v->link_epoch = v->epoch;       /* the size follows it (file_store) */
	}
	if (r < 0)
		return r;
	f->clus = last;
	f->cidx = idx + (uint32_t)got - 1;
	file_advance(f, done);
	return (int32_t)done;
}

/* Write n bytes (buf NULL: zeros) at f->pos. -> bytes written (fewer when
 * the volume fills up), or -NOS_E* if none. */
static int32_t file_put(struct fat_volume *v, struct fat_file *f, const uint8_t *buf,
                        uint32_t n)
{
	uint32_t cs = fat_csize(v), done = 0, k, c;
	int32_t got;
	int r = 0;

	while (done < n) {
		r = file_walk(v, f, f->pos / cs);
		if (r == -NOS_ENOENT) {
			got = file_append(v, f, buf != NULL ? buf + done : NULL, n - done);
			if (got < 0) {
				r = (int)got;
				break;
			}
			done += (uint32_t)got;
			continue;
		}
		if (r < 0)
			break;
		got = file_run(v, f, f->pos % cs, n - done, &c);
		if (got < 0) {
			r = (int)got;
			break;
		}
		k = (uint32_t)got;
		r = clus_write(v, c, f->pos % cs, buf != NULL ? buf + done : NULL, k, 0);
		if (r < 0)
			break;
		file_advance(f, k);
		done += k;
	}
	file_share(v, f, 0);
	return done > 0 ? (int32_t)done : r;
}

/* Zeros from the end of the file to `to` (> size). */
static int file_fill(struct fat_volume *v, struct fat_file *f, uint32_t to)
{
	uint32_t pos = f->pos, n = to - f->size;
	int32_t got;

	f->pos = f->size;
	got = file_put(v, f, NULL, n);
	f->pos = pos;
	if (got < 0)
		return (int)got;
	return (uint32_t)got == n ? 0 : -NOS_ENOSPC;
}

int32_t fat_read(struct fat_volume *v, int h, void *buf, uint32_t n)
{
	struct fat_file *f = fat_file_get(v, h);
	uint32_t cs, done = 0, c;
	int32_t k;
	int r;

	if (f == NULL || !(f->flags & FAT_F_READ))
		return -NOS_EBADF;
	if (f->flags & FAT_F_DIR)
		return -NOS_EISDIR;
	if (n > INT32_MAX)
		n = INT32_MAX;
	if (f->pos >= f->size)
		return 0;
	if (n > f->size - f->pos)
		n = f->size - f->pos;
	cs = fat_csize(v);
	while (done < n) {
		r = file_walk(v, f, f->pos / cs);
		if (r < 0)
			return r == -NOS_ENOENT ? -NOS_EIO : r;
		k = file_run(v, f, f->pos % cs, n - done, &c);
		if (k < 0)
			return k;
		r = clus_read(v, c, f->pos % cs, (uint8_t *)buf + done, (uint32_t)k);
		if (r < 0)
			return r;
		f->pos += (uint32_t)k;
		done += (uint32_t)k;
	}
	return (int32_t)done;
}

int32_t fat_write(struct fat_volume *v, int h, const void *buf, uint32_t n)
{
	struct fat_file *f = fat_file_get(v, h);
	int r;

	if (f == NULL || !(f->flags & FAT_F_WRITE))
		return -NOS_EBADF;
	if (n > INT32_MAX)
		n = INT32_MAX;
	if (f->flags & FAT_F_APPEND)
		f->pos = f->size;
	if (n == 0)
		return 0;
	if (f->pos == FAT_FILE_MAX)
		return -NOS_EFBIG;
	if (n > FAT_FILE_MAX - f->pos)
		n = FAT_FILE_MAX - f->pos;
	if (f->pos > f->size) {
		r = file_fill(v, f, f->pos);
		if (r < 0)
			return r;
	}
	return file_put(v, f, buf, n);
}

int fat_seek(struct fat_volume *v, int h, int64_t off, int whence, uint32_t *pos)
{
	struct fat_file *f = fat_file_get(v, h);
	int64_t at;

	if (f == NULL)
		return -NOS_EBADF;
	if (whence == FAT_SEEK_SET)
		at = off;
	else if (whence == FAT_SEEK_CUR)
		at = (int64_t)f->pos + off;
	else if (whence == FAT_SEEK_END)
		at = (int64_t)f->size + off;
	else
		return -NOS_EINVAL;
	if (at < 0 || at > (int64_t)FAT_FILE_MAX)
		return -NOS_EINVAL;
	f->pos = (uint32_t)at;
	if (f->flags & FAT_F_DIR)
		f->clus = 0;            /* a directory cursor: found again by index */
	if (pos != NULL)
		*pos = f->pos;
	return 0;
}

int fat_ftruncate(struct fat_volume *v, int h, uint32_t len)
{
	struct fat_file *f = fat_file_get(v, h);
	uint32_t cs, keep, old;
	int r;

	if (f == NULL || !(f->flags & FAT_F_WRITE))
		return -NOS_EBADF;
	if (f->flags & FAT_F_DIR)
		return -NOS_EISDIR;
	if (len > f->size)
		return file_fill(v, f, len);
	if (len == f->size)
		return 0;
	cs = fat_csize(v);
	keep = len == 0 ? 0 : (len - 1) / cs + 1;
	old = f->first;
	if (keep > 0) {
		r = file_walk(v, f, keep - 1);
		if (r < 0)
			return r == -NOS_ENOENT ? -NOS_EIO : r;
	}
	/* Write order 4: the smaller size first, then the chain. */
	f->size = len;
	if (keep == 0)
		f->first = 0;
	f->flags |= FAT_F_DIRTY;
	r = fat_file_store(v, f);
	fat_barrier(v);
	if (r == 0)
		r = keep == 0 ? fat_free_chain(v, old) : fat_cut_chain(v, f->clus);
	f->clus = 0;
	file_share(v, f, 1);
	return r;
}

int fat_fsync(struct fat_volume *v, int h)
{
	if (fat_file_get(v, h) == NULL)
		return -NOS_EBADF;
	return fat_sync(v);
}

int fat_fstat(struct fat_volume *v, int h, struct fat_stat *st)
{
	struct fat_file *f = fat_file_get(v, h);
	uint8_t *e;
	int r;

	if (f == NULL)
		return -NOS_EBADF;
	memset(st, 0, sizeof(*st));
	if (f->ent_lba != 0 && !(f->flags & FAT_F_ORPHAN)) {
		r = fat_dir_entry(v, f->ent_lba, f->ent_off, FAT_RD, &e);
		if (r < 0)
			return r;
		st->mtime = fat_unix_time(ld_16(e + DIR_WRT_DATE), ld_16(e + DIR_WRT_TIME));
		st->ctime = fat_unix_time(ld_16(e + DIR_CRT_DATE), ld_16(e + DIR_CRT_TIME));
		st->atime = fat_unix_time(ld_16(e + DIR_LST_ACC_DATE), 0);
	}
	st->size = f->size;
	st->first_cluster = f->first;
	st->attr = f->attr;
	st->is_dir = (f->flags & FAT_F_DIR) != 0;
	if (st->is_dir)
		st->attr |= ATTR_DIRECTORY;
	return 0;
}

int fat_close(struct fat_volume *v, int h)
{
	struct fat_file *f = fat_file_get(v, h);
	int r;

	if (f == NULL)
		return -NOS_EBADF;
	if (f->flags & FAT_F_ORPHAN)
		return orphan_close(v, f);
	r = fat_file_store(v, f);
	f->flags = 0;
	return r;
}
