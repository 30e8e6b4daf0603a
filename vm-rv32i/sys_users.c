/*
 * sys_users.c: who a guest runs as. The Linux id calls (setuid 146,
 * setgid 144, setreuid 145, setregid 143, setresuid 147, getresuid 148,
 * setresgid 149, getresgid 150, getgroups 158, setgroups 159) and the
 * NanoOs-private calls 500..503 (syscall.h, usr/README.md): login, passwd,
 * account lookup and the process table.
 *
 * A guest has one uid and one gid (real = effective = saved: NanoOs has no
 * set-user-id programs) and no supplementary groups (getgroups reports the
 * gid; setgroups, root only, keeps none). Root may become anyone; anyone
 * may "become" himself; a call naming two different ids at once is refused
 * (-EINVAL), since there is only one to set. A new uid takes its account's
 * name from the users process (fs grants /home/NAME by name); every change
 * is told to sched (SCHED_MSG_UPDATE), which judges kill by it.
 *
 * The requests ride in g->pend.u: users_req, sched_update and sched_ps are
 * not members of its union, so they are laid over it (checked to fit); the
 * passwords are copied into g->pend.path/path2 and wiped after the reply.
 */
#include <string.h>

#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/gmem.h"
#include "vm-rv32i/syscall.h"

#define NO_ID 0xffffffffu               /* -1: "leave this id as it is" */
#define PASSWORD_MAX 256

_Static_assert(sizeof(struct users_req) <= sizeof(((struct guest_pending *)0)->u),
               "users_req must fit in the pending payload");
_Static_assert(sizeof(struct sched_update) <= sizeof(((struct guest_pending *)0)->u),
               "sched_update must fit in the pending payload");
_Static_assert(sizeof(struct sched_ps) <= sizeof(((struct guest_pending *)0)->u),
               "sched_ps must fit in the pending payload");
_Static_assert(PASSWORD_MAX <= FS_PATH_MAX, "passwords go in pend.path");
/* The guest sees sched_ps_entry and users_account as they are (usr/sdk/
 * include/nanoos.h): fixed-width fields, the same layout on RV32. */
_Static_assert(sizeof(struct sched_ps_entry) == 112, "nanoos_ps_entry layout");
_Static_assert(sizeof(struct users_account) == 168, "nanoos_account layout");

static struct users_req *users_req_of(struct guest *g)
{
	return (struct users_req *)(void *)&g->pend.u;
}

static msg_pid_t users_pid(void)
{
	msg_pid_t pid;

	return kproc_find("users", 0, &pid) < 0 ? MSG_PID_NONE : pid;
}

static int is_root(const struct guest *g)
{
	return g->cred.uid == 0;
}

static void wipe_passwords(struct guest *g)
{
	memset(g->pend.path, 0, PASSWORD_MAX);
	memset(g->pend.path2, 0, PASSWORD_MAX);
}

/* A guest string into dst[max]: 0, -EFAULT, -EINVAL (too long). */
static int read_str(struct guest *g, uint32_t addr, char *dst, uint32_t max)
{
	int r = gmem_read_str(&g->mem, addr, dst, max);

	return r == -NOS_ENAMETOOLONG ? -NOS_EINVAL : r < 0 ? r : 0;
}

/* ---------------------------------------------------------------- becoming */

static void update_done(struct guest *g, int32_t st)
{
	guest_return(g, st < 0 ? st : 0);
}

/* g now runs as (uid, gid, name): its record, then sched's (parked). */
static int32_t become(struct guest *g, uint32_t uid, uint32_t gid, const char *name)
{
	struct sched_update *u = (struct sched_update *)(void *)&g->pend.u;
	char copy[sizeof(g->cred.name)] = "";

	/* name may be g->cred.name itself, or lie in pend.u, which u reuses. */
	strncpy(copy, name, sizeof(copy) - 1);
	g->cred.uid = uid;
	g->cred.gid = gid;
	memcpy(g->cred.name, copy, sizeof(copy));
	memset(u, 0, sizeof(*u));
	u->pid = g->pid;
	u->what = SCHED_UPDATE_CRED;
	u->cred = g->cred;
	return guest_request(g, g->w->cfg.sched, SCHED_MSG_UPDATE, sizeof(*u), update_done);
}

/* The account of the new uid came back (or not: then no name). */
static void uid_lookup_done(struct guest *g, int32_t st)
{
	struct users_req *q = users_req_of(g);
	char name[USERS_NAME_MAX] = "";

	if (g->exiting) {
		guest_return(g, st);
		return;
	}
	if (st == 0)
		memcpy(name, q->acct.name, sizeof(name));
	become(g, g->pend.arg[0], g->pend.arg[1], name);
}

/* Set g's ids: uid (NO_ID: keep) and gid (NO_ID: keep). 0, SYS_PARKED, or
 * -EPERM when a non-root guest names another id. */
static int32_t set_ids(struct guest *g, uint32_t uid, uint32_t gid)
{
	msg_pid_t users = users_pid();
	struct users_req *q = users_req_of(g);

	if (uid == NO_ID)
		uid = g->cred.uid;
	if (gid == NO_ID)
		gid = g->cred.gid;
	if (!is_root(g))
		return uid == g->cred.uid && gid == g->cred.gid ? 0 : -NOS_EPERM;
	if (uid == g->cred.uid)
		return gid == g->cred.gid ? 0 : become(g, uid, gid, g->cred.name);
	g->pend.arg[0] = uid;
	g->pend.arg[1] = gid;
	memset(q, 0, sizeof(*q));
	q->uid = uid;
	if (users == MSG_PID_NONE) {
		uid_lookup_done(g, -NOS_ENOENT);
		return SYS_PARKED;
	}
	return guest_request(g, users, USERS_MSG_LOOKUP, sizeof(*q), uid_lookup_done);
}

/* The one id that (r, e, s) name, NO_ID if none: -EINVAL if they differ. */
static int one_id(uint32_t r, uint32_t e, uint32_t s, uint32_t *id)
{
	const uint32_t v[3] = { r, e, s };
	unsigned i;

	*id = NO_ID;
	for (i = 0; i < 3; i++) {
		if (v[i] == NO_ID)
			continue;
		if (*id != NO_ID && *id != v[i])
			return -NOS_EINVAL;
		*id = v[i];
	}
	return 0;
}

SYS(setuid) { return a[0] == NO_ID ? -NOS_EINVAL : set_ids(g, a[0], NO_ID); }
SYS(setgid) { return a[0] == NO_ID ? -NOS_EINVAL : set_ids(g, NO_ID, a[0]); }

SYS(setreuid)
{
	uint32_t id;
	int r = one_id(a[0], a[1], NO_ID, &id);

	return r < 0 ? r : set_ids(g, id, NO_ID);
}

SYS(setregid)
{
	uint32_t id;
	int r = one_id(a[0], a[1], NO_ID, &id);

	return r < 0 ? r : set_ids(g, NO_ID, id);
}

SYS(setresuid)
{
	uint32_t id;
	int r = one_id(a[0], a[1], a[2], &id);

	return r < 0 ? r : set_ids(g, id, NO_ID);
}

SYS(setresgid)
{
	uint32_t id;
	int r = one_id(a[0], a[1], a[2], &id);

	return r < 0 ? r : set_ids(g, NO_ID, id);
}

/* The same id three times, to three guest words. */
static int32_t put_three(struct guest *g, const uint32_t addr[3], uint32_t id)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		if (gmem_write(&g->mem, addr[i], &id, sizeof(id)) < 0)
			return -NOS_EFAULT;
	return 0;
}

SYS(getresuid) { return put_three(g, a, g->cred.uid); }
SYS(getresgid) { return put_three(g, a, g->cred.gid); }

SYS(getgroups)
{
	uint32_t gid = g->cred.gid;

	if (a[0] == 0)
		return 1;
	if ((int32_t)a[0] < 0)
		return -NOS_EINVAL;
	return gmem_write(&g->mem, a[1], &gid, sizeof(gid)) < 0 ? -NOS_EFAULT : 1;
}

SYS(setgroups)
{
	if (!is_root(g))
		return -NOS_EPERM;
	if (a[0] > 65536)
		return -NOS_EINVAL;
	/* No supplementary groups are kept: the list is checked, not stored. */
	return a[0] && !gmem_in_range(&g->mem, a[1], a[0] * 4) ? -NOS_EFAULT : 0;
}

/* ---------------------------------------------------------------- login, passwd */

static int32_t cancelled_is_eintr(int32_t st)
{
	return st == -NOS_ECANCELED ? -NOS_EINTR : st;
}

static void login_done(struct guest *g, int32_t st)
{
	struct users_req *q = users_req_of(g);

	wipe_passwords(g);
	st = cancelled_is_eintr(st);
	if (st < 0 || g->exiting) {
		guest_return(g, st);
		return;
	}
	become(g, q->acct.uid, q->acct.gid, q->acct.name);
}

/* nanoos_login(name, password): the root guest becomes that account. */
SYS(nanoos_login)
{
	struct users_req *q = users_req_of(g);
	msg_pid_t users = users_pid();
	int r;

	if (!is_root(g))
		return -NOS_EPERM;
	if (users == MSG_PID_NONE)
		return -NOS_ENOSYS;
	memset(q, 0, sizeof(*q));
	r = read_str(g, a[0], q->name, sizeof(q->name));
	if (r == 0)
		r = read_str(g, a[1], g->pend.path, PASSWORD_MAX);
	if (r < 0) {
		wipe_passwords(g);
		return r;
	}
	q->caller_uid = g->cred.uid;
	q->password = g->pend.path;
	return guest_request_slow(g, users, USERS_MSG_LOGIN, sizeof(*q), login_done);
}

static void passwd_done(struct guest *g, int32_t st)
{
	wipe_passwords(g);
	guest_return(g, cancelled_is_eintr(st));
}

/* nanoos_passwd(name or NULL: own, old or NULL (root), new). */
SYS(nanoos_passwd)
{
	struct users_req *q = users_req_of(g);
	msg_pid_t users = users_pid();
	int r = 0;

	if (users == MSG_PID_NONE)
		return -NOS_ENOSYS;
	memset(q, 0, sizeof(*q));
	if (a[0])
		r = read_str(g, a[0], q->name, sizeof(q->name));
	else
		memcpy(q->name, g->cred.name, sizeof(q->name));
	if (r == 0 && a[1])
		r = read_str(g, a[1], g->pend.path, PASSWORD_MAX);
	if (r == 0)
		r = read_str(g, a[2], g->pend.path2, PASSWORD_MAX);
	if (r < 0) {
		wipe_passwords(g);
		return r;
	}
	q->caller_uid = g->cred.uid;
	q->password = a[1] ? g->pend.path : NULL;
	q->new_password = g->pend.path2;
	return guest_request_slow(g, users, USERS_MSG_PASSWD, sizeof(*q), passwd_done);
}

/* ---------------------------------------------------------------- lookup, ps */

static void getpw_done(struct guest *g, int32_t st)
{
	struct users_req *q = users_req_of(g);

	if (st == 0 && gmem_write(&g->mem, g->pend.arg[0], &q->acct, sizeof(q->acct)) < 0)
		st = -NOS_EFAULT;
	guest_return(g, st);
}

/* nanoos_getpw(name or NULL, uid, struct nanoos_account *out). */
SYS(nanoos_getpw)
{
	struct users_req *q = users_req_of(g);
	msg_pid_t users = users_pid();
	int r;

	if (users == MSG_PID_NONE)
		return -NOS_ENOSYS;
	if (!gmem_in_range(&g->mem, a[2], sizeof(q->acct)))
		return -NOS_EFAULT;
	memset(q, 0, sizeof(*q));
	if (a[0]) {
		r = read_str(g, a[0], q->name, sizeof(q->name));
		if (r < 0)
			return r;
		if (q->name[0] == 0)
			return -NOS_ENOENT;
	}
	q->uid = a[1];
	g->pend.arg[0] = a[2];
	return guest_request(g, users, USERS_MSG_LOOKUP, sizeof(*q), getpw_done);
}

static void ps_done(struct guest *g, int32_t st)
{
	struct sched_ps *q = (struct sched_ps *)(void *)&g->pend.u;
	uint32_t n = st == 0 ? q->count : 0;

	if (guest_io_finish(g, n * (uint32_t)sizeof(struct sched_ps_entry)) < 0 && st == 0)
		st = -NOS_EFAULT;
	guest_return(g, st < 0 ? st : (int32_t)n);
}

/* nanoos_ps(struct nanoos_ps_entry *buf, max) -> entries filled in. */
SYS(nanoos_ps)
{
	struct sched_ps *q = (struct sched_ps *)(void *)&g->pend.u;
	uint32_t max = a[1], size = (uint32_t)sizeof(struct sched_ps_entry);
	void *buf;
	int r;

	if (max > GUEST_IO_MAX / size)
		max = GUEST_IO_MAX / size;
	r = guest_io_buf(g, a[0], max * size, 1, &buf);
	if (r < 0)
		return r;
	memset(q, 0, sizeof(*q));
	q->ents = buf;
	q->max = max;
	return guest_request(g, g->w->cfg.sched, SCHED_MSG_PS, sizeof(*q), ps_done);
}
