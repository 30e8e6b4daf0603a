/*
 * fs.c: the fs kernel process: the FAT volume on the SD card, and the
 * permission policy (kproc/fs_policy.h). It reaches the card only through
 * the sdcard process (kproc/sd_msg.c). Portable.
 *
 * Messages it accepts (kproc/proto.h, payloads there), from kernel
 * processes only -- its parent (the daemon or tool that booted it) and
 * the scheduler (sched and its CPU workers); anyone else gets -NOS_EPERM:
 *   FS_MSG_MOUNTED                        -> 0, or why the volume did not mount
 *   FS_MSG_OPEN      fs_path_req          -> handle
 *   FS_MSG_CLOSE     fs_handle_req        -> 0
 *   FS_MSG_READ      fs_io                -> bytes read
 *   FS_MSG_WRITE     fs_io                -> bytes written
 *   FS_MSG_SEEK      fs_seek              -> 0 (pos)
 *   FS_MSG_FTRUNCATE fs_handle_req        -> 0
 *   FS_MSG_FSYNC     fs_handle_req        -> 0
 *   FS_MSG_FSTAT     fs_stat_req          -> 0 (st)
 *   FS_MSG_STAT      fs_stat_req          -> 0 (st)
 *   FS_MSG_READDIR   fs_readdir_req       -> 1 (an entry) or 0 (the end)
 *   FS_MSG_MKDIR, FS_MSG_RMDIR, FS_MSG_UNLINK  fs_path_req -> 0
 *   FS_MSG_RENAME    fs_rename_req        -> 0
 *   FS_MSG_STATFS    fs_statfs_req        -> 0 (st)
 *   FS_MSG_SYNC                           -> 0: everything is on the card
 *   FS_MSG_UTIMENS, FS_MSG_SETRO  fs_path_req -> 0
 *   FS_MSG_CHECK     fs_check_req         -> problems found (fixed with
 *                                            FS_CHECK_REPAIR); parent only
 * and, through kproc_serve, PING and STOP (parent only; unmounts cleanly).
 *
 * Handles belong to the process that opened them (-NOS_EBADF for anyone
 * else); the handles of a process that died are closed when the table
 * runs full. A volume found dirty at mount is repaired first (fat_check)
 * when the starter lent memory for it (fs_config.alloc).
 */
#include <string.h>

#include "kproc/fat.h"
#include "kproc/sched.h"
#include "kproc/fs.h"
#include "kproc/kproc.h"

/* The protocol repeats the engine's constants; keep them equal. */
typedef char fs_flags_agree[(FS_O_CREAT == FAT_O_CREAT && FS_O_TRUNC == FAT_O_TRUNC &&
                             FS_O_APPEND == FAT_O_APPEND && FS_O_EXCL == FAT_O_EXCL &&
                             FS_O_DIRECTORY == FAT_O_DIRECTORY &&
                             FS_O_ACCMODE == FAT_O_ACCMODE && FS_SEEK_END == FAT_SEEK_END &&
                             FS_RENAME_NOREPLACE == FAT_RENAME_NOREPLACE) ? 1 : -1];

struct fs_state {
	struct fs_config *cfg;          /* the starter's: err is written back */
	struct fat_volume vol;
	struct sd_msg card;
	struct sd_backend disk;
	int mounted;                    /* 0, or the mount's error */
	msg_pid_t owner[FAT_MAX_OPEN];
	uint8_t bridge[FAT_MAX_OPEN];   /* opened by a FUSE bridge thread */
	char path[FS_PATH_MAX];         /* scratch: a canonical path */
	char path2[FS_PATH_MAX];
};

/* ---------------------------------------------------------------- checks */

/* The FUSE bridge's threads ("fuse", 0..FS_FUSE_THREADS_MAX - 1) serve one
 * mount together: any of them may use a handle another opened. */
static int from_bridge(const msg_t *m)
{
	return kproc_sent_by_any(m, "fuse", 0, FS_FUSE_THREADS_MAX - 1);
}

/* The scheduler is sched ("sched", 0) and its CPU workers ("sched", 1..):
 * the workers speak for the guests they run. */
static int trusted(const msg_t *m)
{
	return m->from == kproc_parent() || kproc_sent_by_any(m, "sched", 0, SCHED_WORKERS_MAX) ||
	       kproc_sent_by(m, "users", 0) ||   /* /etc/passwd, /etc/shadow as root */
	       from_bridge(m) ||
	       kproc_sent_by_any(m, "session", 1, FS_SESSIONS_MAX); /* nanoosd's FUSE forwarding */
}

/* Copy (p, len) into out as a canonical path. */
static int canon(const char *p, uint32_t len, char *out)
{
	char raw[FS_PATH_MAX];

	if (p == NULL || len == 0)
		return -NOS_ENOENT;
	if (len >= FS_PATH_MAX)
		return -NOS_ENAMETOOLONG;
	memcpy(raw, p, len);
	raw[len] = 0;
	if (strlen(raw) != len)
		return -NOS_EINVAL;     /* a NUL inside the name */
	return fs_path_canon("/", raw, out);
}

/* The parent directory of canonical path p, into out. */
static void parent_of(const char *p, char *out)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] != '/')
		n--;
	if (n > 1)
		n--;
	memcpy(out, p, n);
	out[n] = 0;
}

/* May cred change the entry at p: the entry itself and its directory. */
static int may_change(const struct fs_cred *cred, const char *p, char *scratch)
{
	int r = fs_policy_check(cred, p, FS_WRITE);

	if (r < 0)
		return r;
	parent_of(p, scratch);
	return fs_policy_check(cred, scratch, FS_WRITE_IN);
}

static int handle_ok(struct fs_state *st, const msg_t *m, int32_t h)
{
	if (h < 0 || h >= FAT_MAX_OPEN || st->owner[h] == MSG_PID_NONE)
		return 0;
	return st->owner[h] == m->from || (st->bridge[h] && from_bridge(m));
}

/* ---------------------------------------------------------------- paths */

static int32_t open_checked(struct fs_state *st, const struct fs_path_req *q, const char *p)
{
	unsigned acc = q->flags & FS_O_ACCMODE;
	int exists, r;
	struct fat_stat s;

	exists = fat_stat(&st->vol, p, &s) == 0;
	if (acc != FS_O_RDONLY || (q->flags & FS_O_TRUNC))
		r = fs_policy_check(&q->cred, p, FS_WRITE);
	else
		r = fs_policy_check(&q->cred, p, FS_READ);
	if (r == 0 && !exists && (q->flags & FS_O_CREAT))
		r = may_change(&q->cred, p, st->path2);
	if (r < 0)
		return r;
	return (q->flags & FS_O_DIRECTORY) ? fat_opendir(&st->vol, p)
	                                   : fat_open(&st->vol, p, q->flags);
}

/* Close the handles of processes that are gone. A bridge's handles outlive
 * the thread that opened them (libfuse retires idle threads): the bridge
 * closes them at release, and dies with its instance. */
static void reap_handles(struct fs_state *st)
{
	int h;

	for (h = 0; h < FAT_MAX_OPEN; h++)
		if (st->owner[h] != MSG_PID_NONE && !st->bridge[h] && !msg_alive(st->owner[h])) {
			fat_close(&st->vol, h);
			st->owner[h] = MSG_PID_NONE;
		}
}

static int32_t on_open(msg_t *m, void *state)
{
	struct fs_state *st = state;
	const struct fs_path_req *q = m->payload;
	int32_t h;
	int r;

	r = canon(q->path, q->path_len, st->path);
	if (r < 0)
		return r;
	h = open_checked(st, q, st->path);
	if (h == -NOS_EMFILE) {
		reap_handles(st);
		h = open_checked(st, q, st->path);
	}
	if (h >= 0) {
		st->owner[h] = m->from;
		st->bridge[h] = (uint8_t)from_bridge(m);
	}
	return h;
}

/* A path operation that changes the entry at the path. */
static int32_t on_path_change(msg_t *m, void *state)
{
	struct fs_state *st = state;
	const struct fs_path_req *q = m->payload;
	int r;

	r = canon(q->path, q->path_len, st->path);
	if (r < 0)
		return r;
	r = may_change(&q->cred, st->path, st->path2);
	if (r < 0)
		return r;
	switch (m->type) {
	case FS_MSG_MKDIR:
		return fat_mkdir(&st->vol, st->path);
	case FS_MSG_RMDIR:
		return fat_rmdir(&st->vol, st->path);
	case FS_MSG_UNLINK:
		return fat_unlink(&st->vol, st->path);
	case FS_MSG_UTIMENS:
		return fat_utimens(&st->vol, st->path, q->arg, q->arg2);
	default:
		return fat_set_readonly(&st->vol, st->path, q->arg != 0);
	}
}

static int32_t on_rename(msg_t *m, void *state)
{
	struct fs_state *st = state;
	const struct fs_rename_req *q = m->payload;
	char to[FS_PATH_MAX];
	int r;

	r = canon(q->from, q->from_len, st->path);
	if (r == 0)
		r = canon(q->to, q->to_len, to);
	if (r == 0)
		r = may_change(&q->cred, st->path, st->path2);
	if (r == 0)
		r = may_change(&q->cred, to, st->path2);
	return r < 0 ? r : fat_rename(&st->vol, st->path, to, q->flags);
}

static void stat_out(const struct fat_stat *in, struct fs_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->size = in->size;
	out->mtime = in->mtime;
	out->ctime = in->ctime;
	out->atime = in->atime;
	out->attr = in->attr;
	out->is_dir = in->is_dir;
}

static int32_t on_stat(msg_t *m, void *state)
{
	struct fs_state *st = state;
	struct fs_stat_req *q = m->payload;
	struct fat_stat s;
	int r;

	if (m->type == FS_MSG_FSTAT) {
		if (!handle_ok(st, m, q->handle))
			return -NOS_EBADF;
		r = fat_fstat(&st->vol, q->handle, &s);
	} else {
		/* Metadata is visible to all, as in a 0755 directory. */
		r = canon(q->path, q->path_len, st->path);
		if (r == 0)
			r = fat_stat(&st->vol, st->path, &s);
	}
	if (r == 0)
		stat_out(&s, &q->st);
	return r;
}

/* ---------------------------------------------------------------- handles */

static int32_t on_close(msg_t *m, void *state)
{
	struct fs_state *st = state;
	const struct fs_handle_req *q = m->payload;

	if (!handle_ok(st, m, q->handle))
		return -NOS_EBADF;
	st->owner[q->handle] = MSG_PID_NONE;
	return fat_close(&st->vol, q->handle);
}

static int32_t on_io(msg_t *m, void *state)
{
	struct fs_state *st = state;
	struct fs_io *q = m->payload;
	uint32_t pos, saved;
	int32_t r;

	if (!handle_ok(st, m, q->handle))
		return -NOS_EBADF;
	if (q->len && q->buf == NULL)
		return -NOS_EFAULT;
	if (q->offset == FS_AT_POSITION) {
		if (m->type == FS_MSG_READ)
			return fat_read(&st->vol, q->handle, q->buf, q->len);
		return fat_write(&st->vol, q->handle, q->buf, q->len);
	}
	/* pread/pwrite: at the offset, leaving the handle's position alone. */
	if (q->offset < 0)
		return -NOS_EINVAL;
	r = fat_seek(&st->vol, q->handle, 0, FAT_SEEK_CUR, &saved);
	if (r == 0)
		r = fat_seek(&st->vol, q->handle, q->offset, FAT_SEEK_SET, &pos);
	if (r < 0)
		return r;
	r = m->type == FS_MSG_READ ? fat_read(&st->vol, q->handle, q->buf, q->len) :
	    fat_write(&st->vol, q->handle, q->buf, q->len);
	fat_seek(&st->vol, q->handle, saved, FAT_SEEK_SET, &pos);
	return r;
}

static int32_t on_seek(msg_t *m, void *state)
{
	struct fs_state *st = state;
	struct fs_seek *q = m->payload;

	if (!handle_ok(st, m, q->handle))
		return -NOS_EBADF;
	return fat_seek(&st->vol, q->handle, q->offset, q->whence, &q->pos);
}

static int32_t on_handle_op(msg_t *m, void *state)
{
	struct fs_state *st = state;
	const struct fs_handle_req *q = m->payload;

	if (!handle_ok(st, m, q->handle))
		return -NOS_EBADF;
	if (m->type == FS_MSG_FTRUNCATE)
		return fat_ftruncate(&st->vol, q->handle, q->arg);
	return fat_fsync(&st->vol, q->handle);
}

static int32_t on_readdir(msg_t *m, void *state)
{
	struct fs_state *st = state;
	struct fs_readdir_req *q = m->payload;
	static struct fat_dirent d;     /* one fs process: a big buffer off the stack */
	int r;

	if (!handle_ok(st, m, q->handle))
		return -NOS_EBADF;
	r = fat_readdir(&st->vol, q->handle, &d);
	if (r <= 0)
		return r;
	memset(&q->ent, 0, sizeof(q->ent));
	memcpy(q->ent.name, d.name, FS_NAME_MAX);     /* both NUL-terminated within */
	q->ent.name[FS_NAME_MAX] = 0;
	stat_out(&d.st, &q->ent.st);
	return 1;
}

/* ---------------------------------------------------------------- volume */

static int32_t on_statfs(msg_t *m, void *state)
{
	struct fs_state *st = state;
	struct fs_statfs_req *q = m->payload;
	struct fat_statfs s;
	int r;

	r = fat_statfs(&st->vol, &s);
	if (r < 0)
		return r;
	memset(&q->st, 0, sizeof(q->st));
	q->st.total_clusters = s.total_clusters;
	q->st.free_clusters = s.free_clusters;
	q->st.cluster_size = s.cluster_size;
	q->st.fat_type = s.fat_type;
	q->st.dirty_at_mount = s.dirty_at_mount;
	memcpy(q->st.label, s.label, sizeof(q->st.label));
	q->st.label[sizeof(q->st.label) - 1] = 0;
	return 0;
}

static int32_t on_sync(msg_t *m, void *state)
{
	(void)m;
	return fat_sync(&((struct fs_state *)state)->vol);
}

/* Append one line of the checker's report to the caller's text buffer. */
struct check_text {
	char *text;
	uint32_t len, used;
};

static void check_say(void *ctx, const char *line)
{
	struct check_text *t = ctx;
	size_t n = strlen(line);

	if (t->text == NULL || t->used + n + 2 > t->len)
		return;
	memcpy(t->text + t->used, line, n);
	t->used += (uint32_t)n;
	t->text[t->used++] = '\n';
	t->text[t->used] = 0;
}

/* Only the tool or daemon that booted fs may check or repair the volume. */
static int32_t on_check(msg_t *m, void *state)
{
	struct fs_state *st = state;
	struct fs_check_req *q = m->payload;
	struct check_text t = { q->text, q->text_len, 0 };
	struct fat_check_report rep;
	size_t need = fat_check_map_size(&st->vol);
	int r;

	if (m->from != kproc_parent())
		return -NOS_EPERM;
	if (q->text && q->text_len)
		q->text[0] = 0;
	if (q->map == NULL || q->map_len < need) {
		q->map_needed = (uint32_t)need;
		return -NOS_ENOMEM;
	}
	r = fat_check(&st->vol, (q->flags & FS_CHECK_REPAIR) ? FAT_CHECK_REPAIR : 0, q->map,
	              q->map_len, &rep, check_say, &t);
	q->lost_clusters = rep.lost_clusters;
	q->files = rep.files;
	q->dirs = rep.dirs;
	return r;
}

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	port_log(KPROC_LOG_INFO, "fs", line);
}

/* A volume left dirty (a crash, a pulled card) is repaired before anyone
 * uses it, when the port lent fs memory for the checker. */
static void repair_if_dirty(struct fs_state *st)
{
	struct fat_statfs sf;
	size_t need;
	uint8_t *map;
	int r;

	if (fat_statfs(&st->vol, &sf) < 0 || !sf.dirty_at_mount ||
	    (st->cfg->mount_flags & FAT_MOUNT_RO))
		return;
	if (st->cfg->alloc == NULL)
		return;         /* the starter chose to see the volume as it is */
	need = fat_check_map_size(&st->vol);
	map = st->cfg->alloc(need);
	if (map == NULL) {
		port_log(KPROC_LOG_WARN, "fs", "the volume was not unmounted cleanly and "
		         "there is no memory to repair it now");
		return;
	}
	port_log(KPROC_LOG_INFO, "fs", "the volume was not unmounted cleanly: repairing it");
	r = fat_check(&st->vol, FAT_CHECK_REPAIR, map, need, NULL, log_line, NULL);
	st->cfg->release(map);
	st->cfg->repaired = r;
	if (r < 0)
		port_log(KPROC_LOG_ERROR, "fs", "the repair at mount failed");
}

static int32_t on_mounted(msg_t *m, void *state)
{
	(void)m;
	return ((struct fs_state *)state)->mounted;
}

static const struct kproc_handler fs_handlers[] = {
	{ FS_MSG_MOUNTED, 0, on_mounted },
	{ FS_MSG_OPEN, sizeof(struct fs_path_req), on_open },
	{ FS_MSG_CLOSE, sizeof(struct fs_handle_req), on_close },
	{ FS_MSG_READ, sizeof(struct fs_io), on_io },
	{ FS_MSG_WRITE, sizeof(struct fs_io), on_io },
	{ FS_MSG_SEEK, sizeof(struct fs_seek), on_seek },
	{ FS_MSG_FTRUNCATE, sizeof(struct fs_handle_req), on_handle_op },
	{ FS_MSG_FSYNC, sizeof(struct fs_handle_req), on_handle_op },
	{ FS_MSG_FSTAT, sizeof(struct fs_stat_req), on_stat },
	{ FS_MSG_STAT, sizeof(struct fs_stat_req), on_stat },
	{ FS_MSG_READDIR, sizeof(struct fs_readdir_req), on_readdir },
	{ FS_MSG_MKDIR, sizeof(struct fs_path_req), on_path_change },
	{ FS_MSG_RMDIR, sizeof(struct fs_path_req), on_path_change },
	{ FS_MSG_UNLINK, sizeof(struct fs_path_req), on_path_change },
	{ FS_MSG_RENAME, sizeof(struct fs_rename_req), on_rename },
	{ FS_MSG_STATFS, sizeof(struct fs_statfs_req), on_statfs },
	{ FS_MSG_SYNC, 0, on_sync },
	{ FS_MSG_UTIMENS, sizeof(struct fs_path_req), on_path_change },
	{ FS_MSG_SETRO, sizeof(struct fs_path_req), on_path_change },
	{ FS_MSG_CHECK, sizeof(struct fs_check_req), on_check },
};

/* Kernel processes only; and nothing but FS_MSG_MOUNTED on a volume that
 * did not mount. */
static int32_t admit(const msg_t *m, void *state)
{
	struct fs_state *st = state;

	if (!trusted(m))
		return -NOS_EPERM;
	if (m->type != FS_MSG_MOUNTED && st->mounted < 0)
		return st->mounted;
	return 0;
}

static void fs_main(void *arg)
{
	static struct fs_state st;     /* one fs per instance: the volume is big */
	struct kproc_service svc;

	memset(&st, 0, sizeof(st));
	st.cfg = arg;
	st.mounted = sd_msg_init(&st.card, st.cfg->sdcard, &st.disk);
	if (st.mounted == 0)
		st.mounted = fat_mount(&st.vol, &st.disk, st.cfg->mount_flags, st.cfg->now,
		                       st.cfg->now_ctx, st.cfg->err, sizeof(st.cfg->err));
	if (st.mounted == 0)
		repair_if_dirty(&st);
	memset(&svc, 0, sizeof(svc));
	svc.name = "fs";
	svc.handlers = fs_handlers;
	svc.nhandlers = sizeof(fs_handlers) / sizeof(fs_handlers[0]);
	svc.state = &st;
	svc.admit = admit;
	kproc_serve(&svc);
	if (st.mounted == 0)
		fat_unmount(&st.vol);
}

int fs_start(struct fs_config *cfg, msg_pid_t *pid)
{
	msg_t m;
	int r;

	cfg->err[0] = 0;
	r = kproc_start("fs", 0, fs_main, cfg, cfg->stack_size, pid);
	if (r < 0)
		return r;
	msg_init(&m, FS_MSG_MOUNTED, NULL, 0);
	r = msg_call(*pid, &m, MSG_FOREVER);
	if (r < 0) {
		kproc_stop(*pid, MSG_FOREVER);
		*pid = MSG_PID_NONE;
	}
	return r;
}
