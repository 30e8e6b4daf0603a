/*
 * sdimage_rootfs_record.c: the record of the programs a userland
 * installed, /etc/rootfs.manifest, for `nanoos sdimage update-rootfs`
 * (sdimage_rootfs.c) and `create --rootfs` (sdi_record_userland).
 *
 * The record names the programs of /bin that came from the userland, one
 * a line: NAME<TAB>SIZE<TAB>FNV-1a 64 of the bytes (hex). The first
 * records (bare names) are still read: their programs are the userland's,
 * whether changed or not. An image without a record (made before it
 * existed) loses no program, but a program of DIR/bin's names there is
 * replaced (nothing tells it from the userland's).
 *
 * A record is written to a temporary file beside it, then renamed over the
 * old one (upd_temp_name, upd_commit: the same way update-rootfs replaces
 * a program), so a failure midway leaves the old record whole.
 *
 * Sections: the text -> reading -> sums -> writing -> create --rootfs.
 */
#define _GNU_SOURCE             /* scandir's alphasort, strncasecmp */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/sdimage_rootfs.h"
#include "kproc/nos_errno.h"

#define UPD_RECORD_MAX (256u * 1024u)   /* bigger is not ours: refused */
#define UPD_FNV_START 0xcbf29ce484222325ull     /* FNV-1a 64 */
#define UPD_FNV_PRIME 0x100000001b3ull

/* ================================================================ the text */

static int upd_text_add(struct upd_text *t, const char *a, const char *b)
{
	size_t need = t->len + strlen(a) + strlen(b) + 1;
	char *grown;

	if (need > t->cap) {
		t->cap = need * 2;
		grown = realloc(t->p, t->cap);
		if (grown == NULL)
			return -1;
		t->p = grown;
	}
	t->len += (size_t)sprintf(t->p + t->len, "%s%s", a, b);
	return 0;
}

int upd_record_start(struct upd_text *t)
{
	return upd_text_add(t, "# " UPD_RECORD ": the programs of /bin that came from the "
	                    "NanoOs userland\n# (nanoos sdimage create --rootfs, update-rootfs), "
	                    "one a line: NAME, SIZE and\n# the FNV-1a 64 of its bytes (hex), "
	                    "apart by tabs. update-rootfs replaces\n# one only while its bytes "
	                    "are these, and removes one a newer userland no\n# longer has; "
	                    "programs not named here, or changed since, are yours and\n# are "
	                    "kept.\n", "");
}

/* "NAME\tSIZE\tFNV\n" */
int upd_record_line(struct upd_text *t, const char *name, const struct upd_sum *sum)
{
	char rest[48];

	snprintf(rest, sizeof(rest), "\t%" PRIu64 "\t%016" PRIx64 "\n", sum->size, sum->fnv);
	return upd_text_add(t, name, sum->known ? rest : "\n");
}

/* ================================================================= reading */

/* What line [line, end) says of the bytes after its name (at tab). */
static void upd_record_parse(const char *tab, const char *end, struct upd_sum *sum)
{
	char *after;

	memset(sum, 0, sizeof(*sum));
	if (tab == end || !isdigit((unsigned char)tab[1]))
		return;
	sum->size = strtoull(tab + 1, &after, 10);
	if (*after != '\t' || !isxdigit((unsigned char)after[1]))
		return;
	sum->fnv = strtoull(after + 1, &after, 16);
	sum->known = after == end || (*after == '\r' && after + 1 == end);
}

/* 1 if the old record names program `name` (FAT names: case-blind), its
 * bytes in *sum; 0 if not (or no record). */
int upd_recorded(const struct upd_plan *p, const char *name, struct upd_sum *sum)
{
	const char *line = p->record, *end, *tab;
	size_t len = strlen(name);

	while (line && *line) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		tab = memchr(line, '\t', (size_t)(end - line));
		if (tab == NULL)
			tab = end;
		if (*line != '#' && (size_t)(tab - line) == len && strncasecmp(line, name, len) == 0) {
			upd_record_parse(tab, end, sum);
			return 1;
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}

/* The old record into p->record; none (an older image): NULL. 0, or 1
 * after an error line. */
int upd_read_record(struct sdi *s, struct upd_plan *p)
{
	struct fs_stat st;
	int32_t got;
	int h;

	h = fs_open(s->vol.fs, &sdi_root, UPD_RECORD, FS_O_RDONLY);
	if (h == -NOS_ENOENT)
		return 0;
	if (h < 0)
		return sdi_fail(s, UPD_RECORD, h);
	if (fs_fstat(s->vol.fs, h, &st) < 0) {
		fs_close(s->vol.fs, h);
		return sdi_fail(s, UPD_RECORD, -NOS_EIO);
	}
	if (st.size > UPD_RECORD_MAX) {
		fs_close(s->vol.fs, h);
		cli_error(s->cmd, UPD_RECORD, "%lu bytes, more than a record of the userland can "
		          "be (%u); it is not ours: move it away (`nanoos sdimage mv %s %s %s.old`) "
		          "and run update-rootfs again", (unsigned long)st.size, UPD_RECORD_MAX,
		          s->img, UPD_RECORD, UPD_RECORD);
		return 1;
	}
	if ((p->record = malloc(st.size + 1)) == NULL) {
		fs_close(s->vol.fs, h);
		return sdi_fail(s, UPD_RECORD, -NOS_ENOMEM);
	}
	got = fs_pread(s->vol.fs, h, p->record, st.size, 0);
	fs_close(s->vol.fs, h);
	if (got < 0)
		return sdi_fail(s, UPD_RECORD, got);
	p->record[got] = 0;
	return 0;
}

/* ==================================================================== sums */

static uint64_t upd_fnv(uint64_t h, const uint8_t *b, size_t n)
{
	while (n--)
		h = (h ^ *b++) * UPD_FNV_PRIME;
	return h;
}

/* Size and FNV-1a 64 of host file path. 0, or 1 after an error line. */
int upd_sum_host(struct sdi *s, const char *path, struct upd_sum *sum)
{
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return sdi_host_fail(s, path, errno, NULL);
	sum->size = 0;
	sum->fnv = UPD_FNV_START;
	sum->known = 1;
	while ((got = pread(fd, s->buf, SDI_CHUNK, (off_t)sum->size)) > 0) {
		sum->fnv = upd_fnv(sum->fnv, s->buf, (size_t)got);
		sum->size += (uint64_t)got;
	}
	close(fd);
	return got < 0 ? sdi_host_fail(s, path, errno, "reading it") : 0;
}

/* Size and FNV-1a 64 of volume file path. 0, or 1 after an error line. */
static int upd_sum_volume(struct sdi *s, const char *path, struct upd_sum *sum)
{
	int32_t got;
	int h = fs_open(s->vol.fs, &sdi_root, path, FS_O_RDONLY);

	if (h < 0)
		return sdi_fail(s, path, h);
	sum->size = 0;
	sum->fnv = UPD_FNV_START;
	sum->known = 1;
	while ((got = fs_pread(s->vol.fs, h, s->buf, SDI_CHUNK, (int64_t)sum->size)) > 0) {
		sum->fnv = upd_fnv(sum->fnv, s->buf, (size_t)got);
		sum->size += (uint64_t)got;
	}
	fs_close(s->vol.fs, h);
	return got < 0 ? sdi_fail(s, path, got) : 0;
}

/* 1 if volume file vp still holds the bytes the record gives (rec known). */
int upd_as_recorded(struct sdi *s, const char *vp, const struct upd_sum *rec, int *same)
{
	struct upd_sum now = { 0, 0, 0 };

	if (upd_sum_volume(s, vp, &now))
		return 1;
	*same = now.size == rec->size && now.fnv == rec->fnv;
	return 0;
}

/* ================================================================= writing */

/* The name a new file has until it replaces vol: ".update-rootfs.NAME"
 * beside it. 0, or 1 after an error line. */
int upd_temp_name(struct sdi *s, const char *vol, char *out)
{
	const char *base = upd_base(vol);
	int len = snprintf(out, FS_PATH_MAX, "%.*s" UPD_TEMP "%s", (int)(base - vol), vol, base);

	if (len < 0 || len >= FS_PATH_MAX)
		return sdi_fail(s, vol, -NOS_ENAMETOOLONG);
	return 0;
}

/* Rename the finished temporary file over dst; a failure drops it. */
int upd_commit(struct sdi *s, const char *tmp, const char *dst)
{
	int r = fs_rename(s->vol.fs, &sdi_root, tmp, dst, 0);

	if (r < 0) {
		fs_unlink(s->vol.fs, &sdi_root, tmp);
		return sdi_fail(s, dst, r);
	}
	return 0;
}

/* 1 if the record t differs from the volume's (old; NULL: none). */
int upd_record_changes(const struct upd_text *t, const char *old)
{
	return old == NULL || strcmp(old, t->p) != 0;
}

/* Write the record t (unless the volume has it already, byte for byte). */
int upd_write_record(struct sdi *s, const struct upd_text *t, const char *old)
{
	char tmp[FS_PATH_MAX];
	int32_t w;
	int h, r;

	if (!upd_record_changes(t, old))
		return 0;
	r = fs_mkdir(s->vol.fs, &sdi_root, UPD_ETC);
	if (r < 0 && r != -NOS_EEXIST)
		return sdi_fail(s, UPD_ETC, r);
	if (upd_temp_name(s, UPD_RECORD, tmp))
		return 1;
	h = fs_open(s->vol.fs, &sdi_root, tmp, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
	if (h < 0)
		return sdi_fail(s, UPD_RECORD, h);
	w = fs_pwrite(s->vol.fs, h, t->p, (uint32_t)t->len, 0);
	r = fs_close(s->vol.fs, h);
	if (w >= 0 && (size_t)w < t->len)
		w = -NOS_ENOSPC;                /* a short write: the volume ran full */
	if (w < 0 || r < 0) {
		fs_unlink(s->vol.fs, &sdi_root, tmp);
		return sdi_fail(s, UPD_RECORD, w < 0 ? w : r);
	}
	return upd_commit(s, tmp, UPD_RECORD);
}

/* ========================================================= create --rootfs */

/* scandir: every entry but . and .. */
int upd_visible(const struct dirent *e)
{
	return strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
}

/* 1 if host file dir/name is a regular file (as put -r takes them). */
static int upd_is_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat hs;

	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path) &&
	       lstat(path, &hs) == 0 && S_ISREG(hs.st_mode);
}

/* The record of host directory bin's programs, with their checksums, into
 * t. 0, or 1 after an error line. */
static int upd_record_host(struct sdi *s, const char *bin, struct dirent **names, int n,
                           struct upd_text *t)
{
	char path[PATH_MAX];
	struct upd_sum sum;
	int i;

	if (upd_record_start(t) < 0)
		return sdi_fail(s, UPD_RECORD, -NOS_ENOMEM);
	for (i = 0; i < n; i++) {
		if (!upd_is_file(bin, names[i]->d_name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", bin, names[i]->d_name) >= sizeof(path))
			continue;               /* upd_is_file: it fits */
		if (upd_sum_host(s, path, &sum))
			return 1;
		if (upd_record_line(t, names[i]->d_name, &sum) < 0)
			return sdi_fail(s, UPD_RECORD, -NOS_ENOMEM);
	}
	return 0;
}

int sdi_record_userland(struct sdi *s, const char *rootfs)
{
	char bin[PATH_MAX];
	struct upd_text t = { NULL, 0, 0 };
	struct dirent **names;
	int i, n, r;

	snprintf(bin, sizeof(bin), "%s/bin", rootfs);
	n = scandir(bin, &names, upd_visible, alphasort);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : sdi_host_fail(s, bin, errno, NULL);
	r = upd_record_host(s, bin, names, n, &t) || upd_write_record(s, &t, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(t.p);
	return r;
}
