/*
 * sdimage_rootfs.c: `nanoos sdimage update-rootfs IMG [--rootfs DIR]
 * [--dry-run]`, and the record of the programs a userland installed.
 *
 * An image's userland is refreshed on request only: installing a new
 * release of nanoos leaves existing images alone. The rules:
 *   - a regular file of DIR/bin (a program) replaces the volume's /bin copy
 *     when their bytes differ; a new one is added;
 *   - whatever else of DIR the volume lacks (a directory, /etc/group, a
 *     home directory) is created; what it has is the user's and is never
 *     written: accounts, passwords, home directories, data;
 *   - a program of /bin that DIR lacks is kept, unless the record says an
 *     earlier `create --rootfs` or `update-rootfs` installed it: then the
 *     release dropped it, and it is removed.
 * The record, /etc/rootfs.manifest, names the programs of /bin that came
 * from the userland; an image without one (made before it existed) loses
 * nothing: every program DIR lacks is kept.
 *
 * Two passes: plan (read only: DIR walked beside the volume, one action per
 * object), then apply. The plan knows the space the update needs before a
 * byte is written, so a volume too full is refused untouched, and a
 * conflict (a directory where DIR has a file) is found before anything
 * changes; --dry-run prints the plan from a volume mounted read-only. A
 * program is replaced through a temporary file renamed over the old one:
 * a failure midway leaves the old program, never half a new one.
 *
 * Sections: the plan -> the record -> planning -> space -> applying -> the
 * verb.
 */
#define _GNU_SOURCE             /* scandir's alphasort, strcasecmp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/sdimage_int.h"
#include "kproc/nos_errno.h"

#define UPD_BIN "/bin"
#define UPD_RECORD "/etc/rootfs.manifest"
#define UPD_RECORD_MAX (256u * 1024u)   /* bigger is not ours: read as no record */
#define UPD_TEMP ".update-rootfs."      /* a new file's name until it is renamed */
#define UPD_BUSY "stop the daemon first: `nanoos stop` or `systemctl stop nanoosd`, " \
	"then run update-rootfs again"

/* ================================================================ the plan */

enum upd_kind {
	UPD_MKDIR,                      /* a directory of DIR the volume lacks */
	UPD_ADD,                        /* a file of DIR the volume lacks */
	UPD_REPLACE,                    /* a program whose bytes differ */
	UPD_UNCHANGED,                  /* a program as DIR has it already */
	UPD_KEEP,                       /* the user's: never written */
	UPD_REMOVE,                     /* a program the userland installed, then dropped */
	UPD_KINDS
};

static const char *const upd_word[UPD_KINDS] = {
	[UPD_MKDIR] = "added", [UPD_ADD] = "added", [UPD_REPLACE] = "replaced",
	[UPD_UNCHANGED] = "unchanged", [UPD_KEEP] = "kept", [UPD_REMOVE] = "removed",
};

struct upd_action {
	enum upd_kind kind;
	int program;                    /* a file of DIR/bin */
	char *host;                     /* its file in DIR; NULL when DIR has none */
	char *vol;                      /* its path on the volume */
	const char *why;                /* said after the path; NULL: nothing */
	uint64_t size, old_size;        /* bytes: DIR's, the volume's */
};

struct upd_plan {
	struct upd_action *act;
	size_t n, cap;
	char *record;                   /* the old record's text; NULL: none */
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
	if (to->vol == NULL || (a->host && to->host == NULL)) {
		free(to->vol);
		free(to->host);
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
	}
	free(p->act);
	free(p->record);
}

/* "/bin/ls" -> "ls" */
static const char *upd_base(const char *vol)
{
	return strrchr(vol, '/') + 1;
}

/* ================================================================ the record */

/* A growing text, the record being made. */
struct upd_text {
	char *p;
	size_t len, cap;
};

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
	                    "NanoOs userland\n# (nanoos sdimage create --rootfs, update-rootfs). "
	                    "update-rootfs removes\n# one when a newer userland no longer has "
	                    "it; programs not named here\n# are yours and are kept.\n", "");
}

/* 1 if the old record names program `name` (FAT names: case-blind). */
static int upd_recorded(const struct upd_plan *p, const char *name)
{
	const char *line = p->record, *end;
	size_t len = strlen(name);

	while (line && *line) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if (*line != '#' && (size_t)(end - line) == len && strncasecmp(line, name, len) == 0)
			return 1;
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

/* Write the record t (unless the volume has it already, byte for byte). */
static int upd_write_record(struct sdi *s, const struct upd_text *t, const char *old)
{
	char tmp[FS_PATH_MAX];
	int32_t w;
	int h, r;

	if (old && strcmp(old, t->p) == 0)
		return 0;
	r = fs_mkdir(s->vol.fs, &sdi_root, "/etc");
	if (r < 0 && r != -NOS_EEXIST)
		return sdi_fail(s, "/etc", r);
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

int sdi_record_userland(struct sdi *s, const char *rootfs)
{
	char bin[PATH_MAX];
	struct upd_text t = { NULL, 0, 0 };
	struct dirent **names;
	int i, n, r = 0;

	snprintf(bin, sizeof(bin), "%s/bin", rootfs);
	n = scandir(bin, &names, upd_visible, alphasort);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : sdi_host_fail(s, bin, errno, NULL);
	if (upd_record_start(&t) < 0)
		r = -1;
	for (i = 0; i < n; i++) {
		if (r == 0 && upd_is_file(bin, names[i]->d_name))
			r = upd_text_add(&t, names[i]->d_name, "\n");
		free(names[i]);
	}
	free(names);
	r = r < 0 ? sdi_fail(s, UPD_RECORD, -NOS_ENOMEM) : upd_write_record(s, &t, NULL);
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

/* The action for a regular file of DIR (hp, lstat hs) at volume path vp. */
static int upd_plan_file(struct sdi *s, struct upd_plan *p, const char *hp,
                         const struct stat *hs, const char *vp, const struct fs_stat *vs)
{
	struct upd_action a = { UPD_ADD, 0, (char *)hp, (char *)vp, NULL,
	                        (uint64_t)hs->st_size, 0 };
	int same;

	a.program = strncmp(vp, UPD_BIN "/", sizeof(UPD_BIN)) == 0 &&
	            strchr(vp + sizeof(UPD_BIN), '/') == NULL;
	if (vs) {
		if (vs->is_dir)
			return upd_conflict(s, vp, 1);
		a.old_size = vs->size;
		a.kind = UPD_KEEP;
		a.why = "yours: update-rootfs only replaces programs of /bin";
	}
	if (vs && a.program) {
		same = a.size == vs->size ? upd_same(s, hp, a.size, vp) : 0;
		if (same < 0)
			return 1;
		a.kind = same ? UPD_UNCHANGED : UPD_REPLACE;
		a.why = NULL;
	}
	return upd_push(s, p, &a);
}

/* The action for entry `name` of host directory hdir, at volume dir vdir. */
static int upd_plan_entry(struct sdi *s, struct upd_plan *p, const char *hdir,
                          const char *vdir, const char *name, int on_volume)
{
	char hp[PATH_MAX], vp[FS_PATH_MAX];
	struct upd_action mk = { UPD_MKDIR, 0, hp, vp, NULL, 0, 0 };
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

/* The programs of the volume's /bin that DIR/bin lacks: removed if the
 * record says the userland put them there (or an interrupted update left
 * its temporary file), else the user's and kept. */
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
		a.kind = UPD_REMOVE;
		if (strncmp(v[i].name, UPD_TEMP, sizeof(UPD_TEMP) - 1) == 0)
			a.why = "left by an interrupted update";
		else if (upd_recorded(p, v[i].name))
			a.why = "no longer in the userland";
		else
			a.kind = UPD_KEEP, a.why = "yours: not from the userland";
		r = upd_push(s, p, &a);
	}
	free(v);
	return r;
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

/* ================================================================ space */

static int64_t upd_clusters(uint64_t bytes, uint32_t cluster)
{
	return (int64_t)((bytes + cluster - 1) / cluster);
}

/* The most clusters the update holds beyond what is free now, at any moment
 * of upd_apply's order: removals first, then the rest in plan order, a new
 * program written before the old one goes. One cluster more for each new
 * directory, for a directory that grows, and for the record. */
static int64_t upd_need(const struct upd_plan *p, uint32_t cluster)
{
	int64_t now = 0, peak = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->act[i].kind == UPD_REMOVE)
			now -= upd_clusters(p->act[i].old_size, cluster);
	for (i = 0; i < p->n; i++) {
		const struct upd_action *a = &p->act[i];

		if (a->kind == UPD_MKDIR)
			now += 1;
		else if (a->kind == UPD_ADD)
			now += upd_clusters(a->size, cluster);
		if (a->kind == UPD_REPLACE) {
			if (now + upd_clusters(a->size, cluster) > peak)
				peak = now + upd_clusters(a->size, cluster);
			now += upd_clusters(a->size, cluster) - upd_clusters(a->old_size, cluster);
		}
		if (now > peak)
			peak = now;
	}
	return peak + 2;
}

/* Refuse, before anything is written, an update the volume has no room
 * for. 0, or 1 after an error line. */
static int upd_check_space(struct sdi *s, const struct upd_plan *p)
{
	char need_h[16], free_h[16];
	struct fs_statfs st;
	int64_t need;
	int r;

	if (p->count[UPD_MKDIR] + p->count[UPD_ADD] + p->count[UPD_REPLACE] == 0)
		return 0;
	r = fs_statfs(s->vol.fs, &st);
	if (r < 0)
		return sdi_fail(s, "/", r);
	need = upd_need(p, st.cluster_size);
	if (need <= (int64_t)st.free_clusters)
		return 0;
	cli_human((uint64_t)need * st.cluster_size, need_h, sizeof(need_h));
	cli_human((uint64_t)st.free_clusters * st.cluster_size, free_h, sizeof(free_h));
	cli_error(s->cmd, s->img, "the volume is full: the update needs %s and %s is free; "
	          "nothing was changed; delete files (`nanoos sdimage rm`) or move the data to "
	          "a bigger image, then run update-rootfs again", need_h, free_h);
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
			if (!dry_run && upd_do(s, a)) {
				cli_error(s->cmd, s->img, "the update stopped after %u of %u changes; "
				          "the volume is consistent and the rest is as it was; fix the "
				          "cause above and run update-rootfs again", done, changes);
				return 1;
			}
			done += a->kind != UPD_UNCHANGED && a->kind != UPD_KEEP;
			upd_say(a);
		}
	return 0;
}

/* The record of DIR/bin's programs after the update. */
static int upd_record(struct sdi *s, const struct upd_plan *p)
{
	struct upd_text t = { NULL, 0, 0 };
	size_t i;
	int r = upd_record_start(&t);

	for (i = 0; r == 0 && i < p->n; i++)
		if (p->act[i].program)
			r = upd_text_add(&t, upd_base(p->act[i].vol), "\n");
	r = r < 0 ? sdi_fail(s, UPD_RECORD, -NOS_ENOMEM) : upd_write_record(s, &t, p->record);
	free(t.p);
	return r;
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
	printf("%u replaced, %u added, %u unchanged, %u kept, %u removed\n", c[UPD_REPLACE],
	       c[UPD_MKDIR] + c[UPD_ADD], c[UPD_UNCHANGED], c[UPD_KEEP], c[UPD_REMOVE]);
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
		r = upd_check_volume(s) || upd_read_record(s, &p) || upd_plan_dir(s, &p, dir, "/", 1) ||
		    upd_check_space(s, &p) || upd_apply(s, &p, s->o.dry_run);
	if (r == 0 && !s->o.dry_run)
		r = upd_record(s, &p);
	if (sdi_halt(s))
		r = 1;
	if (r == 0)
		upd_summary(s, &p, dir);
	upd_free(&p);
	return r;
}
