/*
 * info.c: the requests about the instance: PS (sched's table as CTL_PS_*
 * records), KILL (through sched, as the session; an account other than
 * root may signal only its own guests, checked here before sched is
 * asked), STATUS (the daemon, its guests and sessions, its memory, the
 * volume).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kproc/fs.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"

#define TABLE_MAX SCHED_PROCS_MAX      /* the whole table: ps pages through it */

int info_table(struct sched_ps_entry **ents)
{
	struct sched_ps q;
	msg_t m;
	int r;

	*ents = calloc(TABLE_MAX, sizeof(**ents));
	if (!*ents)
		return -NOS_ENOMEM;
	q.ents = *ents;
	q.max = TABLE_MAX;
	q.count = 0;
	msg_init(&m, SCHED_MSG_PS, &q, sizeof(q));
	r = msg_call(D.in.sched, &m, MSG_FOREVER);
	if (r < 0) {
		free(*ents);
		*ents = NULL;
		return r;
	}
	return (int)q.count;
}

/* ---------------------------------------------------------------- ps */

static void put_text(uint8_t *rec, unsigned at, unsigned width, const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n > width - 1)
		n = width - 1;
	memcpy(rec + at, s, n);
}

static void put_record(uint8_t *rec, const struct sched_ps_entry *e)
{
	memset(rec, 0, CTL_PS_REC);
	st_32(rec + CTL_PS_PID, e->pid);
	st_32(rec + CTL_PS_PPID, e->ppid);
	st_32(rec + CTL_PS_PGID, e->pgid);
	st_32(rec + CTL_PS_SID, e->sid);
	st_32(rec + CTL_PS_UID, e->uid);
	st_32(rec + CTL_PS_START, e->start);
	st_64(rec + CTL_PS_INSTRET, e->instret);
	rec[CTL_PS_STATE] = (uint8_t)e->state;
	put_text(rec, CTL_PS_USER, CTL_PS_CMD - CTL_PS_USER, e->user, sizeof(e->user));
	put_text(rec, CTL_PS_CMD, CTL_PS_REC - CTL_PS_CMD, e->cmd, sizeof(e->cmd));
}

void info_ps(struct conn *c, struct frame *f)
{
	struct sched_ps_entry *ents;
	struct ctl_ps reply;
	uint8_t *recs = NULL;
	uint32_t skip = f->u.ps.skip, i, n = 0;
	int count = info_table(&ents);

	if (count < 0) {
		conn_error(c, f->h.from, count, "sched did not answer ps: %s", nos_strerror(count));
		return;
	}
	if (skip < (uint32_t)count) {
		n = (uint32_t)count - skip;
		if (n > CTL_PS_RECS_MAX)
			n = CTL_PS_RECS_MAX;
		recs = malloc((size_t)n * CTL_PS_REC + 1);
	}
	if (n && !recs) {
		free(ents);
		conn_error(c, f->h.from, -NOS_ENOMEM, "no memory for the process table");
		return;
	}
	for (i = 0; i < n; i++)
		put_record(recs + (size_t)i * CTL_PS_REC, &ents[skip + i]);
	reply.skip = skip;
	reply.total = (uint32_t)count;
	reply.recs = recs;
	reply.recs_len = n * CTL_PS_REC;
	conn_send(c, CTL_MSG_PS, MSG_F_REPLY, 0, f->h.from, &reply, sizeof(reply));
	free(recs);
	free(ents);
}

/* ---------------------------------------------------------------- kill */

static int sched_kill(int32_t pid, uint32_t sig)
{
	struct sched_kill k = { 0, pid, sig, 0 };
	msg_t m;

	msg_init(&m, SCHED_MSG_KILL, &k, sizeof(k));
	return msg_call(D.in.sched, &m, MSG_FOREVER);
}

static int targets(const struct sched_ps_entry *e, int32_t pid)
{
	if (e->state == 'Z')
		return 0;
	return pid > 0 ? e->pid == (uint32_t)pid : e->pgid == (uint32_t)-pid;
}

/* Signal only the account's own guests among the targets. */
static int kill_own(uint32_t uid, int32_t pid, uint32_t sig)
{
	struct sched_ps_entry *ents;
	int count = info_table(&ents), i, found = 0, sent = 0;

	if (count < 0)
		return count;
	for (i = 0; i < count; i++) {
		if (!targets(&ents[i], pid))
			continue;
		found++;
		if (ents[i].uid == uid && sched_kill((int32_t)ents[i].pid, sig) == 0)
			sent++;
	}
	free(ents);
	if (!found)
		return -NOS_ESRCH;
	return sent ? 0 : -NOS_EPERM;
}

void info_kill(struct conn *c, struct frame *f)
{
	struct ctl_kill reply = f->u.kill;
	int32_t pid = f->u.kill.pid;
	int r;

	if (pid == 0 || pid == -1 || f->u.kill.sig > 64) {
		conn_error(c, f->h.from, -NOS_EINVAL, "kill: give a pid (> 0) or a process group "
		           "(< -1) and a signal 0..64");
		return;
	}
	r = c->acct.uid == 0 ? sched_kill(pid, f->u.kill.sig) :
	    kill_own(c->acct.uid, pid, f->u.kill.sig);
	if (r == -NOS_EPERM)
		conn_error(c, f->h.from, r, "kill %ld: not yours (you are %s); only root may "
		           "signal other accounts' processes", (long)pid, c->acct.name);
	else if (r == -NOS_ESRCH)
		conn_error(c, f->h.from, r, "kill %ld: no such process; `nanoos ps` lists them",
		           (long)pid);
	else if (r < 0)
		conn_error(c, f->h.from, r, "kill %ld: %s", (long)pid, nos_strerror(r));
	else
		conn_send(c, CTL_MSG_KILL, MSG_F_REPLY, 0, f->h.from, &reply, sizeof(reply));
}

/* ---------------------------------------------------------------- status */

static uint64_t resident_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* On the instance's own thread: fs answers its parent. */
static int32_t volume_usage(void *arg)
{
	return fs_statfs(D.in.fs, arg);
}

/* memmgr answers the total to its parent, the main thread. */
static int32_t memory_usage(void *arg)
{
	struct memmgr_req q;
	msg_t m;
	int32_t r;

	memset(&q, 0, sizeof(q));
	msg_init(&m, MEMMGR_MSG_USAGE, &q, sizeof(q));
	r = msg_call(D.in.memmgr, &m, MSG_FOREVER);
	if (r == 0)
		*(uint64_t *)arg = (uint64_t)q.b << 32 | q.a;
	return r;
}

void info_status(struct conn *c, struct frame *f)
{
	struct ctl_status s;
	struct fs_statfs vol;
	struct sched_ps_entry *ents;
	int count = info_table(&ents);

	memset(&s, 0, sizeof(s));
	s.pid = (uint32_t)getpid();
	s.procs = count > 0 ? (uint32_t)count : 0;
	free(ents);
	pthread_mutex_lock(&D.lock);
	s.sessions = D.nconns;
	pthread_mutex_unlock(&D.lock);
	s.workers = D.in.nworkers;
	s.started = D.started;
	if (daemon_call(memory_usage, &s.mem_used) < 0)
		s.mem_used = 0;
	s.rss = resident_bytes();
	memset(&vol, 0, sizeof(vol));
	if (daemon_call(volume_usage, &vol) == 0) {
		s.vol_total = (uint64_t)vol.total_clusters * vol.cluster_size;
		s.vol_free = (uint64_t)vol.free_clusters * vol.cluster_size;
	}
	s.image = D.image;
	s.image_len = (uint32_t)strlen(D.image);
	s.version = NANOOS_VERSION;     /* the package's (packaging/debian/changelog) */
	s.version_len = (uint32_t)strlen(NANOOS_VERSION);
	conn_send(c, CTL_MSG_STATUS, MSG_F_REPLY, 0, f->h.from, &s, sizeof(s));
}
