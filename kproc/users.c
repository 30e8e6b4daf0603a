/*
 * users.c: the users kernel process ("users", 0): the accounts of
 * /etc/passwd (name:x:uid:gid:gecos:home:shell) and their password hashes
 * in /etc/shadow (name:hash:lastchg:...), read and written on the volume
 * through fs as root. Portable (Linux and AVR); the port hashes (users.h).
 *
 * Messages (kproc/proto.h, PROTO_USERS), from its parent, the daemon's
 * sessions ("session", *) and the CPU workers ("sched", 1..N) only
 * (anyone else: -EPERM):
 *   USERS_MSG_LOOKUP users_req (name, or uid if name is "") -> 0, acct; -ENOENT
 *   USERS_MSG_LOGIN  users_req (name, password) -> 0, acct; -EACCES
 *   USERS_MSG_PASSWD users_req (caller_uid, name, password, new_password)
 *                    -> 0; -EACCES, -EPERM, -EINVAL, -ENOENT (root only)
 *
 * The files are read afresh on every request (no cache to go stale: they
 * are a few lines, and fs caches the blocks). Lines that do not parse, and
 * '#' comments, are skipped.
 *
 * Refusals: a hash that is empty, or starts with '*' or '!', never
 * matches: an empty hash means "locked", not "no password" (a volume edited
 * by hand must not open an account by accident). An unknown user and a
 * wrong password get the same -EACCES after the same work (a password is
 * checked against a dummy hash for accounts that do not exist or are
 * locked) and the same delay: the failed request is held, not slept on, and
 * answered when cfg->fail_delay_ns has passed, so other requests go on.
 *
 * Writing /etc/shadow (PASSWD): the whole new file is written to
 * /etc/shadow+ and fsynced, then renamed over /etc/shadow (fat_rename
 * replaces). A reader that finds no /etc/shadow reads /etc/shadow+ (a cut
 * after the old name was removed). fat_rename removes both old entries
 * before it commits the new one, so a power cut in that instant leaves
 * neither name: every login is then refused (fail closed) until root puts
 * /etc/shadow back; the repair at mount reclaims the orphaned clusters.
 * The policy (fs_policy.c) keeps /etc/shadow, /etc/shadow+ and
 * /etc/shadow- root's alone.
 */
#include <string.h>

#include "kproc/fs.h"
#include "kproc/kproc.h"
#include "kproc/sched.h"
#include "kproc/users.h"

#ifdef __AVR__
#define LINE_MAX_BYTES 160
#define READ_CHUNK 64
#define HELD_MAX 2
#else
#define LINE_MAX_BYTES 512
#define READ_CHUNK 512
#define HELD_MAX 16
#endif
#define HASH_MAX 160                /* yescrypt ~73, sha512-crypt ~106 */
#define PASSWORD_MAX 256            /* with the NUL */
#define IDLE_NS 20000000            /* how often held failures are looked at */

static const char PASSWD_PATH[] = "/etc/passwd";
static const char SHADOW_PATH[] = "/etc/shadow";
static const char SHADOW_NEW[] = "/etc/shadow+";
static const struct fs_cred ROOT = { 0, "root" };

/* A file read line by line through fs. */
struct reader {
	msg_pid_t fs;
	int handle;
	uint32_t off;                   /* file offset just past buf */
	uint32_t pos, len;              /* unread bytes are buf[pos..len) */
	int too_long;                   /* a line was cut (its text skipped) */
	char buf[READ_CHUNK];
};

struct users_state {
	struct users_config *cfg;
	msg_t *held[HELD_MAX];          /* failed requests waiting out the delay */
	uint64_t due[HELD_MAX];
	char dummy[HASH_MAX];           /* a hash to check unknown users against */
	char line[LINE_MAX_BYTES];
	char out[LINE_MAX_BYTES];
	char hash[HASH_MAX];
	struct reader rd;
};

/* ---------------------------------------------------------------- reading */

static int reader_open(struct reader *r, msg_pid_t fs, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->fs = fs;
	r->handle = fs_open(fs, &ROOT, path, FS_O_RDONLY);
	return r->handle < 0 ? r->handle : 0;
}

/* /etc/shadow, or the new copy a cut left without its name. */
static int reader_open_shadow(struct reader *r, msg_pid_t fs)
{
	int e = reader_open(r, fs, SHADOW_PATH);

	return e == -NOS_ENOENT ? reader_open(r, fs, SHADOW_NEW) : e;
}

static void reader_close(struct reader *r)
{
	if (r->handle >= 0)
		fs_close(r->fs, r->handle);
	r->handle = -1;
}

/* The next byte: 1, 0 at the end, or -errno. */
static int reader_byte(struct reader *r, char *c)
{
	int32_t n;

	if (r->pos == r->len) {
		n = fs_pread(r->fs, r->handle, r->buf, sizeof(r->buf), r->off);
		if (n <= 0)
			return n;
		r->off += (uint32_t)n;
		r->pos = 0;
		r->len = (uint32_t)n;
	}
	*c = r->buf[r->pos++];
	return 1;
}

/* The next line into line[max] without its newline: 1, 0 at the end, or
 * -errno. A line too long for line comes back empty with r->too_long set. */
static int reader_line(struct reader *r, char *line, size_t max)
{
	size_t n = 0;
	int got = 0, e, cut = 0;
	char c = 0;

	while ((e = reader_byte(r, &c)) == 1) {
		got = 1;
		if (c == '\n')
			break;
		if (n + 1 < max)
			line[n++] = c;
		else
			cut = 1;
	}
	if (e < 0)
		return e;
	if (cut) {
		r->too_long = 1;
		n = 0;
	}
	line[n] = 0;
	return got;
}

/* ---------------------------------------------------------------- parsing */

/* Split line at ':' into at most max fields, the last keeping the rest. */
static int split(char *line, char **f, int max)
{
	int n = 1;

	f[0] = line;
	while (n < max && (line = strchr(line, ':')) != NULL) {
		*line++ = 0;
		f[n++] = line;
	}
	return n;
}

/* A decimal id of at most 10 digits that fits 32 bits: 0, or -EINVAL. */
static int parse_id(const char *s, uint32_t *id)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return -NOS_EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || v > 0xffffffffu)
		return -NOS_EINVAL;
	*id = (uint32_t)v;
	return 0;
}

static int copy_field(char *dst, size_t max, const char *s)
{
	size_t n = strlen(s);

	if (n >= max)
		return -NOS_EINVAL;
	memcpy(dst, s, n + 1);
	return 0;
}

/* A line to look at: not empty, not a comment. */
static int is_entry(const char *line)
{
	return line[0] != 0 && line[0] != '#';
}

/* name:x:uid:gid:gecos:home:shell into a: 0, or -EINVAL (skip the line). */
static int parse_passwd(char *line, struct users_account *a)
{
	char *f[8];

	if (!is_entry(line) || split(line, f, 8) != 7 || f[0][0] == 0)
		return -NOS_EINVAL;
	memset(a, 0, sizeof(*a));
	if (copy_field(a->name, sizeof(a->name), f[0]) < 0 || parse_id(f[2], &a->uid) < 0 ||
	    parse_id(f[3], &a->gid) < 0 || copy_field(a->home, sizeof(a->home), f[5]) < 0 ||
	    copy_field(a->shell, sizeof(a->shell), f[6]) < 0)
		return -NOS_EINVAL;
	return 0;
}

/* The account named name (name non-empty) or with uid: 0, -ENOENT, -errno. */
static int find_account(struct users_state *st, const char *name, uint32_t uid,
                        struct users_account *out)
{
	struct reader *r = &st->rd;
	struct users_account a;
	int e;

	e = reader_open(r, st->cfg->fs, PASSWD_PATH);
	if (e < 0)
		return e;
	while ((e = reader_line(r, st->line, sizeof(st->line))) == 1) {
		if (parse_passwd(st->line, &a) < 0)
			continue;
		if (name[0] ? strcmp(a.name, name) == 0 : a.uid == uid) {
			*out = a;
			break;
		}
	}
	reader_close(r);
	return e < 0 ? e : e == 1 ? 0 : -NOS_ENOENT;
}

/* The hash of name from /etc/shadow into st->hash: 0, -ENOENT, -errno. */
static int find_hash(struct users_state *st, const char *name)
{
	struct reader *r = &st->rd;
	char *f[3];
	int e;

	e = reader_open_shadow(r, st->cfg->fs);
	if (e < 0)
		return e;
	while ((e = reader_line(r, st->line, sizeof(st->line))) == 1) {
		if (!is_entry(st->line) || split(st->line, f, 3) < 2 || strcmp(f[0], name) != 0)
			continue;
		e = copy_field(st->hash, sizeof(st->hash), f[1]) < 0 ? -NOS_ENOENT : 1;
		break;
	}
	reader_close(r);
	return e < 0 ? e : e == 1 ? 0 : -NOS_ENOENT;
}

/* ---------------------------------------------------------------- checking */

/* A NUL-terminated string of fewer than max bytes in the sender's memory. */
static int sane_string(const char *s, size_t max)
{
	return s != NULL && strnlen(s, max) < max;
}

static int sane_name(const char *name)
{
	return strnlen(name, USERS_NAME_MAX) < USERS_NAME_MAX;
}

static int locked(const char *hash)
{
	return hash[0] == 0 || hash[0] == '*' || hash[0] == '!';
}

/* Spend what a real check costs, for an account that cannot match. */
static void check_dummy(struct users_state *st, const char *password)
{
	if (!st->cfg->hash || !st->cfg->verify)
		return;
	if (st->dummy[0] == 0 && st->cfg->hash("nanoos-no-such-user", st->dummy,
	                                       sizeof(st->dummy)) < 0)
		st->dummy[0] = 0;
	if (st->dummy[0])
		(void)st->cfg->verify(password, st->dummy);
}

/* Whether password opens name: 0 (acct filled in), -EACCES, or an I/O
 * error that is no answer about the account. */
static int check_password(struct users_state *st, const char *name, const char *password,
                          struct users_account *acct)
{
	int e = name[0] ? find_account(st, name, 0, acct) : -NOS_ENOENT;

	if (e == 0)
		e = find_hash(st, name);
	if (e < 0 && e != -NOS_ENOENT)
		return e;
	if (e < 0 || locked(st->hash) || !st->cfg->verify) {
		check_dummy(st, password);
		return -NOS_EACCES;
	}
	return st->cfg->verify(password, st->hash) == 1 ? 0 : -NOS_EACCES;
}

/* ---------------------------------------------------------------- delays */

/* Answer the failures whose delay is over. */
static void release_due(struct users_state *st)
{
	uint64_t now = msg_now_ns();
	unsigned i;

	for (i = 0; i < HELD_MAX; i++)
		if (st->held[i] && st->due[i] <= now) {
			msg_reply(st->held[i], -NOS_EACCES);
			st->held[i] = NULL;
		}
}

/* Whether a failure could be held now. A password is checked only then:
 * when every slot holds one, the caller hears -EAGAIN at once, before any
 * hashing -- so a storm of wrong passwords neither stalls the process for
 * everyone (it never sleeps) nor guesses faster. */
static int may_fail(const struct users_state *st)
{
	unsigned i;

	if (st->cfg->fail_delay_ns <= 0)
		return 1;
	for (i = 0; i < HELD_MAX; i++)
		if (!st->held[i])
			return 1;
	return 0;
}

/* Answer m's failure after the delay: KPROC_DEFERRED (a slot is free:
 * may_fail said so), or -EACCES at once without a delay. */
static int32_t fail_later(struct users_state *st, msg_t *m)
{
	int64_t delay = st->cfg->fail_delay_ns;
	unsigned i;

	if (delay <= 0)
		return -NOS_EACCES;
	for (i = 0; i < HELD_MAX; i++)
		if (!st->held[i]) {
			st->held[i] = m;
			st->due[i] = msg_now_ns() + (uint64_t)delay;
			return KPROC_DEFERRED;
		}
	return -NOS_EACCES;
}

static void users_idle(void *state)
{
	release_due(state);
}

/* A held failure's sender gave up: the reply is the ack. */
static void users_cancelled(msg_t *m, void *state)
{
	struct users_state *st = state;

	kproc_drop(st->held, HELD_MAX, m);
	msg_reply(m, -NOS_ECANCELED);
}

/* ---------------------------------------------------------------- writing */

static void put(char *out, size_t *n, size_t max, const char *s)
{
	while (*s && *n + 1 < max)
		out[(*n)++] = *s++;
	out[*n] = 0;
}

static void put_u32(char *out, size_t *n, size_t max, uint32_t v)
{
	char d[11];
	int i = 10;

	d[i] = 0;
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(out, n, max, d + i);
}

/* name's new shadow line into st->out: the new hash, the day of the change
 * (days since 1970; empty if the clock is unknown), then what old_rest
 * (the fields after lastchg, or NULL) kept. Its length, -EINVAL if cut. */
static int shadow_entry(struct users_state *st, const char *name, uint32_t days,
                        const char *old_rest)
{
	size_t n = 0, max = sizeof(st->out);

	put(st->out, &n, max, name);
	put(st->out, &n, max, ":");
	put(st->out, &n, max, st->hash);
	put(st->out, &n, max, ":");
	if (days)
		put_u32(st->out, &n, max, days);
	put(st->out, &n, max, ":");
	put(st->out, &n, max, old_rest ? old_rest : "0:99999:7:::");
	put(st->out, &n, max, "\n");
	return n + 1 < max ? (int)n : -NOS_EINVAL;
}

static int write_all(msg_pid_t fs, int h, const char *s, uint32_t len, uint32_t *off)
{
	int32_t n = fs_pwrite(fs, h, s, len, *off);

	if (n >= 0 && (uint32_t)n != len)
		n = -NOS_EIO;
	if (n < 0)
		return n;
	*off += len;
	return 0;
}

/* Copy the old shadow into handle h with name's entry replaced (or added):
 * 0 or -errno. An over-long line stops it (-EINVAL): it would be lost. */
static int copy_shadow(struct users_state *st, int h, const char *name, uint32_t days)
{
	struct reader *r = &st->rd;
	msg_pid_t fs = st->cfg->fs;
	uint32_t off = 0;
	int e, found = 0, n, nf;
	char *f[4];

	e = reader_open_shadow(r, fs);
	if (e == -NOS_ENOENT)
		r->handle = -1;         /* no shadow yet: the new one has one line */
	else if (e < 0)
		return e;
	while (r->handle >= 0 && (e = reader_line(r, st->line, sizeof(st->line))) == 1 &&
	       !r->too_long) {
		n = (int)strlen(st->line);
		memcpy(st->out, st->line, (size_t)n);
		st->out[n++] = '\n';
		nf = is_entry(st->line) ? split(st->line, f, 4) : 0;
		if (nf >= 2 && strcmp(f[0], name) == 0) {
			n = shadow_entry(st, name, days, nf == 4 ? f[3] : NULL);
			found = 1;
		}
		e = n < 0 ? n : write_all(fs, h, st->out, (uint32_t)n, &off);
		if (e < 0)
			break;
		e = 0;
	}
	if (r->too_long)
		e = -NOS_EINVAL;
	reader_close(r);
	if (e == 0 && !found) {
		n = shadow_entry(st, name, days, NULL);
		e = n < 0 ? n : write_all(fs, h, st->out, (uint32_t)n, &off);
	}
	return e;
}

/* A cut left /etc/shadow+ without /etc/shadow: give it its name back
 * before /etc/shadow+ is reused. 0 or -errno. */
static int recover_shadow(msg_pid_t fs)
{
	struct fs_stat fst;
	int e = fs_stat(fs, &ROOT, SHADOW_PATH, &fst);

	if (e != -NOS_ENOENT)
		return e;
	e = fs_rename(fs, &ROOT, SHADOW_NEW, SHADOW_PATH, FS_RENAME_NOREPLACE);
	return e == -NOS_ENOENT ? 0 : e;
}

/* Replace name's hash in /etc/shadow with st->hash: 0 or -errno. */
static int write_shadow(struct users_state *st, const char *name)
{
	msg_pid_t fs = st->cfg->fs;
	struct fs_stat fst;
	int h, e;

	e = recover_shadow(fs);
	if (e < 0)
		return e;
	h = fs_open(fs, &ROOT, SHADOW_NEW, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
	if (h < 0)
		return h;
	/* The new file's time stamp is fs's clock: the day of the change. */
	e = fs_fstat(fs, h, &fst);
	if (e == 0)
		e = copy_shadow(st, h, name, fst.mtime / 86400u);
	if (e == 0)
		e = fs_fsync(fs, h);
	fs_close(fs, h);
	if (e == 0)
		e = fs_rename(fs, &ROOT, SHADOW_NEW, SHADOW_PATH, 0);
	if (e < 0)
		fs_unlink(fs, &ROOT, SHADOW_NEW);
	return e;
}

/* ---------------------------------------------------------------- handlers */

static int32_t on_lookup(msg_t *m, void *state)
{
	struct users_state *st = state;
	struct users_req *q = m->payload;

	release_due(st);
	if (!sane_name(q->name))
		return -NOS_EINVAL;
	return find_account(st, q->name, q->uid, &q->acct);
}

static int32_t on_login(msg_t *m, void *state)
{
	struct users_state *st = state;
	struct users_req *q = m->payload;
	int e;

	release_due(st);
	if (!sane_name(q->name) || !sane_string(q->password, PASSWORD_MAX))
		return -NOS_EINVAL;
	if (!may_fail(st))
		return -NOS_EAGAIN;
	e = check_password(st, q->name, q->password, &q->acct);
	return e == -NOS_EACCES ? fail_later(st, m) : e;
}

static int32_t on_passwd(msg_t *m, void *state)
{
	struct users_state *st = state;
	struct users_req *q = m->payload;
	struct users_account a;
	int root = q->caller_uid == FS_UID_ROOT, e;

	release_due(st);
	if (!sane_name(q->name) || q->name[0] == 0 || !sane_string(q->new_password, PASSWORD_MAX) ||
	    q->new_password[0] == 0)
		return -NOS_EINVAL;
	if (!st->cfg->hash)
		return -NOS_ENOSYS;
	e = find_account(st, q->name, 0, &a);
	if (e < 0)
		return root || e != -NOS_ENOENT ? e : -NOS_EPERM;
	if (!root && a.uid != q->caller_uid)
		return -NOS_EPERM;
	if (!root) {
		if (!sane_string(q->password, PASSWORD_MAX))
			return -NOS_EINVAL;
		if (!may_fail(st))
			return -NOS_EAGAIN;
		e = check_password(st, q->name, q->password, &a);
		if (e < 0)
			return e == -NOS_EACCES ? fail_later(st, m) : e;
	}
	e = st->cfg->hash(q->new_password, st->hash, sizeof(st->hash));
	if (e < 0)
		return e;
	if (strchr(st->hash, ':') || strchr(st->hash, '\n'))
		return -NOS_EINVAL;     /* would break the line */
	e = write_shadow(st, q->name);
	if (e == 0)
		q->acct = a;
	return e;
}

/* Its parent, the daemon's sessions and the workers (who stamp caller_uid). */
static int32_t users_admit(const msg_t *m, void *state)
{
	(void)state;
	if (m->from == kproc_parent() || kproc_sent_by_any(m, "session", 0, SCHED_SESSIONS_MAX) ||
	    kproc_sent_by_any(m, "sched", 1, SCHED_WORKERS_MAX))
		return 0;
	return -NOS_EPERM;
}

static const struct kproc_handler users_handlers[] = {
	{ USERS_MSG_LOOKUP, sizeof(struct users_req), on_lookup },
	{ USERS_MSG_LOGIN, sizeof(struct users_req), on_login },
	{ USERS_MSG_PASSWD, sizeof(struct users_req), on_passwd },
};

static void users_main(void *arg)
{
	static struct users_state st;   /* one users process per instance */
	struct kproc_service svc;
	unsigned i;

	memset(&st, 0, sizeof(st));
	st.cfg = arg;
	memset(&svc, 0, sizeof(svc));
	svc.name = "users";
	svc.handlers = users_handlers;
	svc.nhandlers = sizeof(users_handlers) / sizeof(users_handlers[0]);
	svc.state = &st;
	svc.admit = users_admit;
	svc.cancelled = users_cancelled;
	svc.idle = users_idle;
	svc.idle_ns = st.cfg->fail_delay_ns > 0 ? IDLE_NS : 0;
	kproc_serve(&svc);
	for (i = 0; i < HELD_MAX; i++)
		if (st.held[i])
			msg_reply(st.held[i], -NOS_EACCES);
}

int users_start(struct users_config *cfg, msg_pid_t *pid)
{
	if (cfg->fs == MSG_PID_NONE)
		return -NOS_EINVAL;
	return kproc_start("users", 0, users_main, cfg, 0, pid);
}
