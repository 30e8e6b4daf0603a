/*
 * sdimage_rootfs.c: `nanoos sdimage update-rootfs IMG [--rootfs DIR]
 * [--dry-run]`, and the record of the programs a userland installed.
 *
 * An image's userland is refreshed on request only: installing a new
 * release of nanoos leaves existing images alone. The rules:
 *   - a regular file of DIR/bin (a program) replaces the volume's /bin copy
 *     when their bytes differ and the copy is the userland's: the record
 *     names it and (when the record has its checksum) the user has not
 *     changed it since; a new one is added;
 *   - a program of the volume's /bin that is the user's -- the record does
 *     not name it, or it changed since the userland put it there -- is
 *     kept, even when DIR has one of that name;
 *   - whatever else of DIR the volume lacks (a directory, a home
 *     directory) is created, but never the accounts' files (/etc/passwd,
 *     /etc/shadow, /etc/group), nor a file of /etc beside which NAME+ or
 *     NAME- lies (an interrupted change: users.c reads /etc/shadow+ when a
 *     cut left it without /etc/shadow); what the volume has is the user's
 *     and is never written: accounts, passwords, home directories, data;
 *   - a program of /bin that DIR lacks is kept, unless the record says an
 *     earlier `create --rootfs` or `update-rootfs` installed it, unchanged:
 *     then the release dropped it, and it is removed.
 * The record, /etc/rootfs.manifest, names the programs of /bin that came
 * from the userland, one a line: NAME<TAB>SIZE<TAB>FNV-1a 64 of the bytes
 * (hex). The first records (bare names) are still read: their programs
 * are the userland's, whether changed or not. An image without a record
 * (made before it existed) loses no program, but a program of DIR/bin's
 * names there is replaced (nothing tells it from the userland's).
 *
 * Two passes: plan (read only: DIR walked beside the volume, one action per
 * object), then apply. The plan knows the space the update needs before a
 * byte is written -- clusters for the files, and for the directory entries
 * the new names take -- so a volume too full is refused untouched, and a
 * conflict (a directory where DIR has a file) is found before anything
 * changes; --dry-run prints the plan from a volume mounted read-only. A
 * program is replaced through a temporary file renamed over the old one:
 * a failure midway leaves the old program, never half a new one; the
 * temporary files an interrupted update left are removed by the next.
 *
 * Sections: the plan -> the record -> planning -> space -> applying -> the
 * verb.
 */
#define _GNU_SOURCE             /* scandir's alphasort, strcasecmp */
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
#include "cli/sdimage_int.h"
#include "kproc/fat_layout.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "kproc/sdcard.h"
#include "sdimage/mbr.h"

#define UPD_BIN "/bin"
#define UPD_ETC "/etc"
#define UPD_RECORD "/etc/rootfs.manifest"
#define UPD_RECORD_MAX (256u * 1024u)   /* bigger is not ours: read as no record */
#define UPD_TEMP ".update-rootfs."      /* a new file's name until it is renamed */
#define UPD_BUSY "stop the daemon first: `nanoos stop` or `systemctl stop nanoosd`, " \
	"then run update-rootfs again"
#define UPD_FNV_START 0xcbf29ce484222325ull     /* FNV-1a 64 */
#define UPD_FNV_PRIME 0x100000001b3ull
#define UPD_WHY_MAX (4 * FS_PATH_MAX)    /* room for three paths */

/* ================================================================ the plan */

enum upd_kind {
	UPD_MKDIR,                      /* a directory of DIR the volume lacks */
	UPD_ADD,                        /* a file of DIR the volume lacks */
	UPD_REPLACE,                    /* a program whose bytes differ */
	UPD_UNCHANGED,                  /* a program as DIR has it already */
	UPD_KEEP,                       /* the user's: never written */
	UPD_SKIP,                       /* a file of DIR the volume lacks, not added */
	UPD_REMOVE,                     /* a program the userland installed, then dropped */
	UPD_KINDS
};

static const char *const upd_word[UPD_KINDS] = {
	[UPD_MKDIR] = "added", [UPD_ADD] = "added", [UPD_REPLACE] = "replaced",
	[UPD_UNCHANGED] = "unchanged", [UPD_KEEP] = "kept", [UPD_SKIP] = "skipped",
	[UPD_REMOVE] = "removed",
};

/* A program's bytes as the record keeps them. */
struct upd_sum {
	uint64_t size, fnv;
	int known;                      /* 0: a bare name (a first record) */
};

struct upd_action {
	enum upd_kind kind;
	int program;                    /* a file of DIR/bin */
	int recorded;                   /* named in the new record, with sum */
	struct upd_sum sum;
	char *host;                     /* its file in DIR; NULL when DIR has none */
	char *vol;                      /* its path on the volume */
	char *why;                      /* said after the path; NULL: nothing */
	uint64_t size, old_size;        /* bytes: DIR's, the volume's */
};

/* A growing text: the new record. */
struct upd_text {
	char *p;
	size_t len, cap;
};

struct upd_plan {
	struct upd_action *act;
	size_t n, cap;
	char *record;                   /* the old record's text; NULL: none */
	struct upd_text next;           /* the new record's */
	unsigned count[UPD_KINDS];
};

/* Append a copy of a (its strings copied). 0, or 1 after an error line. */
static int upd_push(struct sdi *s, struct upd_plan *p, const struct upd_action *a)
{
	struct upd_action *grown;
	struct upd_action *to;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		grown = realloc(p->act, p->cap * sizeof(*grown));
		if (grown == NULL)
			return sdi_fail(s, a->vol, -NOS_ENOMEM);
		p->act = grown;
	}
	to = &p->act[p->n];
	*to = *a;
	to->vol = strdup(a->vol);
	to->host = a->host ? strdup(a->host) : NULL;
	to->why = a->why ? strdup(a->why) : NULL;
	if (to->vol == NULL || (a->host && to->host == NULL) || (a->why && to->why == NULL)) {
		free(to->vol);
		free(to->host);
		free(to->why);
		return sdi_fail(s, a->vol, -NOS_ENOMEM);
	}
	p->n++;
	p->count[a->kind]++;
	return 0;
}

static void upd_free(struct upd_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->act[i].vol);
		free(p->act[i].host);
		free(p->act[i].why);
	}
	free(p->act);
	free(p->record);
	free(p->next.p);
}

/* "/bin/ls" -> "ls" */
static const char *upd_base(const char *vol)
{
	return strrchr(vol, '/') + 1;
}

/* ================================================================ the record */

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

static int upd_record_start(struct upd_text *t)
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
static int upd_record_line(struct upd_text *t, const char *name, const struct upd_sum *sum)
{
	char rest[48];

	snprintf(rest, sizeof(rest), "\t%" PRIu64 "\t%016" PRIx64 "\n", sum->size, sum->fnv);
	return upd_text_add(t, name, sum->known ? rest : "\n");
}

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
static int upd_recorded(const struct upd_plan *p, const char *name, struct upd_sum *sum)
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
static int upd_read_record(struct sdi *s, struct upd_plan *p)
{
	struct fs_stat st;
	int32_t got;
	int h;

	h = fs_open(s->vol.fs, &sdi_root, UPD_RECORD, FS_O_RDONLY);
	if (h == -NOS_ENOENT)
		return 0;
	if (h < 0)
		return sdi_fail(s, UPD_RECORD, h);
	if (fs_fstat(s->vol.fs, h, &st) < 0 || st.size > UPD_RECORD_MAX ||
	    (p->record = malloc(st.size + 1)) == NULL) {
		fs_close(s->vol.fs, h);
		return 0;
	}
	got = fs_pread(s->vol.fs, h, p->record, st.size, 0);
	fs_close(s->vol.fs, h);
	if (got < 0)
		return sdi_fail(s, UPD_RECORD, got);
	p->record[got] = 0;
	return 0;
}

static uint64_t upd_fnv(uint64_t h, const uint8_t *b, size_t n)
{
	while (n--)
		h = (h ^ *b++) * UPD_FNV_PRIME;
	return h;
}

/* Size and FNV-1a 64 of host file path. 0, or 1 after an error line. */
static int upd_sum_host(struct sdi *s, const char *path, struct upd_sum *sum)
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
static int upd_as_recorded(struct sdi *s, const char *vp, const struct upd_sum *rec, int *same)
{
	struct upd_sum now = { 0, 0, 0 };

	if (upd_sum_volume(s, vp, &now))
		return 1;
	*same = now.size == rec->size && now.fnv == rec->fnv;
	return 0;
}

/* The name a new file has until it replaces vol: ".update-rootfs.NAME"
 * beside it. 0, or 1 after an error line. */
static int upd_temp_name(struct sdi *s, const char *vol, char *out)
{
	const char *base = upd_base(vol);
	int len = snprintf(out, FS_PATH_MAX, "%.*s" UPD_TEMP "%s", (int)(base - vol), vol, base);

	if (len < 0 || len >= FS_PATH_MAX)
		return sdi_fail(s, vol, -NOS_ENAMETOOLONG);
	return 0;
}

/* Rename the finished temporary file over dst; a failure drops it. */
static int upd_commit(struct sdi *s, const char *tmp, const char *dst)
{
	int r = fs_rename(s->vol.fs, &sdi_root, tmp, dst, 0);

	if (r < 0) {
		fs_unlink(s->vol.fs, &sdi_root, tmp);
		return sdi_fail(s, dst, r);
	}
	return 0;
}

/* 1 if the record t differs from the volume's (old; NULL: none). */
static int upd_record_changes(const struct upd_text *t, const char *old)
{
	return old == NULL || strcmp(old, t->p) != 0;
}

/* Write the record t (unless the volume has it already, byte for byte). */
static int upd_write_record(struct sdi *s, const struct upd_text *t, const char *old)
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

/* scandir: every entry but . and .. */
static int upd_visible(const struct dirent *e)
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

/* ================================================================ planning */

/* 1 if host file hp and volume file vp hold the same bytes, 0 if not, -1
 * after an error line. The copy buffer holds a piece of each. */
static int upd_same(struct sdi *s, const char *hp, uint64_t size, const char *vp)
{
	const uint32_t half = SDI_CHUNK / 2;
	uint8_t *mine = s->buf, *theirs = s->buf + half;
	uint64_t off;
	uint32_t n;
	ssize_t got;
	int32_t vgot;
	int fd, h, same = 1;

	fd = open(hp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -sdi_host_fail(s, hp, errno, NULL);
	h = fs_open(s->vol.fs, &sdi_root, vp, FS_O_RDONLY);
	if (h < 0) {
		close(fd);
		return -sdi_fail(s, vp, h);
	}
	for (off = 0; same == 1 && off < size; off += n) {
		n = size - off < half ? (uint32_t)(size - off) : half;
		got = pread(fd, mine, n, (off_t)off);
		vgot = fs_pread(s->vol.fs, h, theirs, n, (int64_t)off);
		if (got < 0)
			same = -sdi_host_fail(s, hp, errno, "reading it");
		else if (vgot < 0)
			same = -sdi_fail(s, vp, vgot);
		else if ((uint32_t)got != n || (uint32_t)vgot != n || memcmp(mine, theirs, n) != 0)
			same = 0;               /* a host file that changed meanwhile differs too */
	}
	fs_close(s->vol.fs, h);
	close(fd);
	return same;
}

/* A directory where DIR has a file, or a file where it has a directory:
 * the user's, so not ours to replace. */
static int upd_conflict(struct sdi *s, const char *vp, int vol_is_dir)
{
	cli_error(s->cmd, sdi_obj(s, vp), "a %s here, where the userland has a %s; move it "
	          "away with `nanoos sdimage mv %s %s NEWNAME`, then run update-rootfs again "
	          "(nothing was changed)", vol_is_dir ? "directory" : "file",
	          vol_is_dir ? "file" : "directory", s->img, vp);
	return 1;
}

static int upd_plan_dir(struct sdi *s, struct upd_plan *p, const char *hdir, const char *vdir,
                        int on_volume);

/* 1 if vp + suffix is on the volume (0 if not), -1 after an error line. */
static int upd_beside(struct sdi *s, const char *vp, const char *suffix, char *path)
{
	struct fs_stat st;
	int r;

	if ((size_t)snprintf(path, FS_PATH_MAX, "%s%s", vp, suffix) >= FS_PATH_MAX)
		return 0;
	r = fs_stat(s->vol.fs, &sdi_root, path, &st);
	if (r < 0 && r != -NOS_ENOENT)
		return -sdi_fail(s, path, r);
	return r == 0;
}

/* Why file vp of /etc, which the volume lacks, is not to be added, into
 * why ("": add it). An existing image's accounts are the user's: the
 * userland's /etc/shadow locks every account. A NAME+ or NAME- beside it is
 * an interrupted change, which the userland's copy would hide. 0, or 1
 * after an error line. */
static int upd_why_not_add(struct sdi *s, const char *vp, char *why)
{
	static const char *const suffix[] = { "+", "-" };
	char other[FS_PATH_MAX];
	unsigned i;
	int r;

	why[0] = 0;
	if (strncmp(vp, UPD_ETC "/", sizeof(UPD_ETC)) != 0)
		return 0;
	for (i = 0; i < 2; i++) {
		r = upd_beside(s, vp, suffix[i], other);
		if (r < 0)
			return 1;
		if (r && strcmp(vp, "/etc/shadow") == 0 && i == 0) {
			snprintf(why, UPD_WHY_MAX, "missing, but /etc/shadow+ holds the accounts' "
			         "passwords, as an interrupted passwd left them: logins read it, and "
			         "the next passwd renames it to /etc/shadow; the userland's copy would "
			         "lock every account");
			return 0;
		}
		if (r) {
			snprintf(why, UPD_WHY_MAX, "missing, but %s is there, as an interrupted "
			         "change left it: look at it, then `nanoos sdimage mv %s %s %s`",
			         other, s->img, other, vp);
			return 0;
		}
	}
	if (strcmp(vp, "/etc/passwd") == 0 || strcmp(vp, "/etc/shadow") == 0 ||
	    strcmp(vp, "/etc/group") == 0)
		snprintf(why, UPD_WHY_MAX, "missing: the accounts of an existing image are "
		         "never written by update-rootfs; put yours with `nanoos sdimage put %s "
		         "FILE %s`", s->img, vp);
	return 0;
}

/* A program of DIR/bin that the volume has: unchanged, replaced, or kept
 * when it is the user's (not in the record, or changed since the userland
 * put it there). With no record at all, it is taken for the userland's. */
static int upd_plan_program(struct sdi *s, struct upd_plan *p, struct upd_action *a)
{
	struct upd_sum rec;
	int same;

	same = a->size == a->old_size ? upd_same(s, a->host, a->size, a->vol) : 0;
	if (same < 0)
		return 1;
	a->kind = same ? UPD_UNCHANGED : UPD_REPLACE;
	a->why = NULL;
	if (same || p->record == NULL)
		return 0;
	if (!upd_recorded(p, upd_base(a->vol), &rec)) {
		a->kind = UPD_KEEP;
		a->recorded = 0;
		a->why = "yours: not in " UPD_RECORD ", so not installed by the userland; "
		         "the new userland's copy is not installed";
		return 0;
	}
	if (rec.known && upd_as_recorded(s, a->vol, &rec, &same))
		return 1;
	if (rec.known && !same) {
		a->kind = UPD_KEEP;
		a->sum = rec;           /* still the userland's name, changed by you */
		a->why = "yours: changed since the userland installed it; the new userland's "
		         "copy is not installed";
	}
	return 0;
}

/* The action for a regular file of DIR (hp, lstat hs) at volume path vp. */
static int upd_plan_file(struct sdi *s, struct upd_plan *p, const char *hp,
                         const struct stat *hs, const char *vp, const struct fs_stat *vs)
{
	struct upd_action a = { UPD_ADD, 0, 0, { 0, 0, 0 }, (char *)hp, (char *)vp, NULL,
	                        (uint64_t)hs->st_size, 0 };
	char why[UPD_WHY_MAX];

	a.program = strncmp(vp, UPD_BIN "/", sizeof(UPD_BIN)) == 0 &&
	            strchr(vp + sizeof(UPD_BIN), '/') == NULL;
	if (vs && vs->is_dir)
		return upd_conflict(s, vp, 1);
	if (a.program) {
		a.recorded = 1;
		if (upd_sum_host(s, hp, &a.sum))
			return 1;
	}
	if (vs) {
		a.old_size = vs->size;
		a.kind = UPD_KEEP;
		a.why = "yours: update-rootfs only replaces programs of /bin";
		if (a.program && upd_plan_program(s, p, &a))
			return 1;
	} else {
		if (upd_why_not_add(s, vp, why))
			return 1;
		if (why[0])
			a.kind = UPD_SKIP, a.why = why;
	}
	return upd_push(s, p, &a);
}

/* The action for entry `name` of host directory hdir, at volume dir vdir. */
static int upd_plan_entry(struct sdi *s, struct upd_plan *p, const char *hdir,
                          const char *vdir, const char *name, int on_volume)
{
	char hp[PATH_MAX], vp[FS_PATH_MAX];
	struct upd_action mk = { UPD_MKDIR, 0, 0, { 0, 0, 0 }, hp, vp, NULL, 0, 0 };
	struct stat hs;
	struct fs_stat vs;
	int r = -NOS_ENOENT;

	if ((size_t)snprintf(hp, sizeof(hp), "%s/%s", hdir, name) >= sizeof(hp))
		return sdi_host_fail(s, hdir, ENAMETOOLONG, NULL);
	if (sdi_join(s, vdir, name, vp))
		return 1;
	if (lstat(hp, &hs) < 0)
		return sdi_host_fail(s, hp, errno, NULL);
	if (on_volume)
		r = fs_stat(s->vol.fs, &sdi_root, vp, &vs);
	if (r < 0 && r != -NOS_ENOENT)
		return sdi_fail(s, vp, r);
	if (S_ISDIR(hs.st_mode)) {
		if (r == 0 && !vs.is_dir)
			return upd_conflict(s, vp, 0);
		if (r != 0 && upd_push(s, p, &mk))
			return 1;
		return upd_plan_dir(s, p, hp, vp, r == 0);
	}
	if (S_ISREG(hs.st_mode))
		return upd_plan_file(s, p, hp, &hs, vp, r == 0 ? &vs : NULL);
	fprintf(stderr, "nanoos %s: %s: skipped: FAT holds only files and directories\n",
	        s->cmd, hp);
	return 0;
}

/* 1 if DIR/bin has program `name` (the plan has it by now). */
static int upd_in_userland(const struct upd_plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->act[i].program && strcasecmp(upd_base(p->act[i].vol), name) == 0)
			return 1;
	return 0;
}

/* A program of the volume's /bin that DIR/bin lacks (a: its path and
 * size): removed if the record says the userland put it there and it is
 * as the userland left it (or an interrupted update left it), else the
 * user's and kept. 0, or 1 after an error line. */
static int upd_plan_leftover(struct sdi *s, const struct upd_plan *p, struct upd_action *a)
{
	struct upd_sum rec;
	int same = 1;

	a->kind = UPD_REMOVE;
	if (strncmp(upd_base(a->vol), UPD_TEMP, sizeof(UPD_TEMP) - 1) == 0) {
		a->why = "left by an interrupted update";
		return 0;
	}
	if (!upd_recorded(p, upd_base(a->vol), &rec)) {
		a->kind = UPD_KEEP;
		a->why = "yours: not from the userland";
		return 0;
	}
	if (rec.known && upd_as_recorded(s, a->vol, &rec, &same))
		return 1;
	a->why = "no longer in the userland";
	if (!same) {
		a->kind = UPD_KEEP;
		a->recorded = 1;
		a->sum = rec;
		a->why = "yours: changed since the userland installed it; no longer in the "
		         "userland, but not removed";
	}
	return 0;
}

/* The programs of the volume's /bin that DIR/bin lacks. */
static int upd_plan_leftovers(struct sdi *s, struct upd_plan *p)
{
	char vp[FS_PATH_MAX];
	struct fs_dirent *v;
	struct upd_action a;
	size_t i, n;
	int r;

	r = sdi_list(s, UPD_BIN, &v, &n);
	for (i = 0; r == 0 && i < n; i++) {
		if (v[i].st.is_dir || upd_in_userland(p, v[i].name))
			continue;
		r = sdi_join(s, UPD_BIN, v[i].name, vp);
		if (r)
			break;
		memset(&a, 0, sizeof(a));
		a.vol = vp;
		a.old_size = v[i].st.size;
		r = upd_plan_leftover(s, p, &a) || upd_push(s, p, &a);
	}
	free(v);
	return r;
}

/* The record's temporary file, when an interrupted update left it. */
static int upd_plan_stale_record(struct sdi *s, struct upd_plan *p)
{
	char tmp[FS_PATH_MAX];
	struct fs_stat st;
	struct upd_action a;
	int r;

	if (upd_temp_name(s, UPD_RECORD, tmp))
		return 1;
	r = fs_stat(s->vol.fs, &sdi_root, tmp, &st);
	if (r == -NOS_ENOENT || (r == 0 && st.is_dir))
		return 0;
	if (r < 0)
		return sdi_fail(s, tmp, r);
	memset(&a, 0, sizeof(a));
	a.kind = UPD_REMOVE;
	a.vol = tmp;
	a.old_size = st.size;
	a.why = "left by an interrupted update";
	return upd_push(s, p, &a);
}

/* Host directory hdir (DIR or below it) against volume directory vdir;
 * on_volume: vdir exists there (else all below it is to add). */
static int upd_plan_dir(struct sdi *s, struct upd_plan *p, const char *hdir, const char *vdir,
                        int on_volume)
{
	struct dirent **names;
	int i, n, r = 0;

	n = scandir(hdir, &names, upd_visible, alphasort);
	if (n < 0)
		return sdi_host_fail(s, hdir, errno, NULL);
	for (i = 0; i < n; i++) {
		if (r == 0)
			r = upd_plan_entry(s, p, hdir, vdir, names[i]->d_name, on_volume);
		free(names[i]);
	}
	free(names);
	if (r == 0 && on_volume && strcmp(vdir, UPD_BIN) == 0)
		r = upd_plan_leftovers(s, p);
	return r;
}

/* The record of DIR/bin's programs after the update (and of the changed
 * ones kept), into p->next. 0, or 1 after an error line. */
static int upd_plan_record(struct sdi *s, struct upd_plan *p)
{
	size_t i;
	int r = upd_record_start(&p->next);

	for (i = 0; r == 0 && i < p->n; i++)
		if (p->act[i].recorded)
			r = upd_record_line(&p->next, upd_base(p->act[i].vol), &p->act[i].sum);
	return r < 0 ? sdi_fail(s, UPD_RECORD, -NOS_ENOMEM) : 0;
}

/* ================================================================ space */

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

/* Refuse, before anything is written, an update the volume has no room
 * for: its files at their peak, the directories' growth, and the new
 * record (written beside the old). 0, or 1 after an error line. */
static int upd_check_space(struct sdi *s, const struct upd_plan *p)
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

/* ================================================================ applying */

/* Put host file over volume file vol through a temporary file. */
static int upd_replace(struct sdi *s, const char *host, const char *vol)
{
	char tmp[FS_PATH_MAX];

	if (upd_temp_name(s, vol, tmp) || sdi_copy_in(s, host, tmp))
		return 1;
	return upd_commit(s, tmp, vol);
}

/* Carry out one action. 0, or 1 after an error line. */
static int upd_do(struct sdi *s, const struct upd_action *a)
{
	int r = 0;

	switch (a->kind) {
	case UPD_MKDIR:
		r = fs_mkdir(s->vol.fs, &sdi_root, a->vol);
		break;
	case UPD_ADD:
		return sdi_copy_in(s, a->host, a->vol);
	case UPD_REPLACE:
		return upd_replace(s, a->host, a->vol);
	case UPD_REMOVE:
		r = fs_unlink(s->vol.fs, &sdi_root, a->vol);
		break;
	default:
		break;
	}
	return r < 0 ? sdi_fail(s, a->vol, r) : 0;
}

/* 1 if a changes the volume. */
static int upd_changes(const struct upd_action *a)
{
	return a->kind != UPD_UNCHANGED && a->kind != UPD_KEEP && a->kind != UPD_SKIP;
}

/* "replaced /bin/echo", "kept     /etc/passwd (yours: ...)"; unchanged
 * programs are only counted. */
static void upd_say(const struct upd_action *a)
{
	if (a->kind == UPD_UNCHANGED)
		return;
	printf("%-9s%s%s%s%s%s\n", upd_word[a->kind], a->vol, a->kind == UPD_MKDIR ? "/" : "",
	       a->why ? " (" : "", a->why ? a->why : "", a->why ? ")" : "");
}

/* Removals first (they free room), then the rest in plan order; each line
 * printed once done (all of them, writing nothing, on a dry run). */
static int upd_apply(struct sdi *s, const struct upd_plan *p, int dry_run)
{
	unsigned done = 0, changes = p->count[UPD_MKDIR] + p->count[UPD_ADD] +
	                             p->count[UPD_REPLACE] + p->count[UPD_REMOVE];
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < p->n; i++) {
			const struct upd_action *a = &p->act[i];

			if ((a->kind == UPD_REMOVE) != (pass == 0))
				continue;
			if (!dry_run && upd_changes(a) && upd_do(s, a)) {
				cli_error(s->cmd, s->img, "the update stopped after %u of %u changes; "
				          "the volume is consistent and the rest is as it was; fix the "
				          "cause above and run update-rootfs again", done, changes);
				return 1;
			}
			done += upd_changes(a);
			upd_say(a);
		}
	return 0;
}

/* ================================================================ the verb */

/* DIR, from --rootfs or the default, checked to be a userland (it has
 * bin/). 0, or 1 after an error line. */
static int upd_pick_rootfs(struct sdi *s, char *dir, size_t n)
{
	char bin[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (s->o.rootfs) {
		snprintf(dir, n, "%s", s->o.rootfs);
	} else {
		if (cli_find_rootfs(dir, n) < 0) {
			cli_error(s->cmd, NULL, "no userland found (not beside nanoos, not in "
			          "/usr/lib/nanoos/rootfs); give one with --rootfs DIR");
			return 1;
		}
		if (realpath(dir, real))
			snprintf(dir, n, "%s", real);
	}
	if (stat(dir, &st) < 0)
		return sdi_host_fail(s, dir, errno, "--rootfs");
	if ((size_t)snprintf(bin, sizeof(bin), "%s/bin", dir) >= sizeof(bin))
		return sdi_host_fail(s, dir, ENAMETOOLONG, "--rootfs");
	if (!S_ISDIR(st.st_mode) || stat(bin, &st) < 0 || !S_ISDIR(st.st_mode)) {
		cli_error(s->cmd, dir, "not a NanoOs userland (no bin/ directory in it); give "
		          "the rootfs tree with --rootfs DIR, e.g. /usr/lib/nanoos/rootfs");
		return 1;
	}
	return 0;
}

/* A NanoOs system volume has /bin; a plain FAT card is not ours to fill. */
static int upd_check_volume(struct sdi *s)
{
	if (sdi_is_dir(s, UPD_BIN))
		return 0;
	cli_error(s->cmd, s->img, "no /bin on this volume: not a NanoOs system image; make "
	          "one with `nanoos sdimage create IMG --size 64M --rootfs DIR` (or `nanoos "
	          "sdimage mkdir %s /bin` to install a userland on this one)", s->img);
	return 1;
}

static void upd_summary(struct sdi *s, const struct upd_plan *p, const char *dir)
{
	const unsigned *c = p->count;

	if (s->o.dry_run)
		printf("%s: dry run, nothing written; from %s it would be: ", s->img, dir);
	else
		printf("%s: userland updated from %s: ", s->img, dir);
	printf("%u replaced, %u added, %u unchanged, %u kept, %u removed, %u skipped\n",
	       c[UPD_REPLACE], c[UPD_MKDIR] + c[UPD_ADD], c[UPD_UNCHANGED], c[UPD_KEEP],
	       c[UPD_REMOVE], c[UPD_SKIP]);
}

/* The plan: the old record read, stale temporary files found, DIR walked
 * beside the volume, the new record made. 0, or 1 after an error line. */
static int upd_plan(struct sdi *s, struct upd_plan *p, const char *dir)
{
	return upd_check_volume(s) || upd_read_record(s, p) || upd_plan_stale_record(s, p) ||
	       upd_plan_dir(s, p, dir, "/", 1) || upd_plan_record(s, p);
}

int verb_update_rootfs(struct sdi *s, int argc, char **argv)
{
	char dir[PATH_MAX];
	struct upd_plan p;
	int r;

	(void)argc;
	(void)argv;
	memset(&p, 0, sizeof(p));
	if (upd_pick_rootfs(s, dir, sizeof(dir)))
		return 1;
	s->busy_hint = UPD_BUSY;
	r = sdi_boot(s, s->o.dry_run);
	if (r == 0)
		r = upd_plan(s, &p, dir) || upd_check_space(s, &p) ||
		    upd_apply(s, &p, s->o.dry_run);
	if (r == 0 && !s->o.dry_run)
		r = upd_write_record(s, &p.next, p.record);
	if (sdi_halt(s))
		r = 1;
	if (r == 0)
		upd_summary(s, &p, dir);
	upd_free(&p);
	return r;
}
