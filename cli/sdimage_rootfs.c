/*
 * sdimage_rootfs.c: the verb `nanoos sdimage update-rootfs IMG [--rootfs
 * DIR] [--dry-run]`: planning, applying, the summary.
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
 * The record, /etc/rootfs.manifest, and how it is read and written:
 * sdimage_rootfs_record.c.
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
 * The free-space check: sdimage_rootfs_space.c; what the three files
 * share: sdimage_rootfs.h.
 *
 * Sections: the plan -> planning -> applying -> the verb.
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
#include "cli/sdimage_rootfs.h"
#include "kproc/nos_errno.h"

#define UPD_BUSY "stop the daemon first: `nanoos stop` or `systemctl stop nanoosd`, " \
	"then run update-rootfs again"
#define UPD_WHY_MAX (4 * FS_PATH_MAX)    /* room for three paths */

/* ================================================================ the plan */

static const char *const upd_word[UPD_KINDS] = {
	[UPD_MKDIR] = "added", [UPD_ADD] = "added", [UPD_REPLACE] = "replaced",
	[UPD_UNCHANGED] = "unchanged", [UPD_KEEP] = "kept", [UPD_SKIP] = "skipped",
	[UPD_REMOVE] = "removed",
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
