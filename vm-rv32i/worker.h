/*
 * worker.h: a CPU worker, the part of the scheduler that runs guests.
 *
 * Workers are kernel processes registered as ("sched", 1..N): sched
 * ("sched", 0) keeps the process table and hands each new guest to a
 * worker; the worker keeps its guests for life (a fork stays on its
 * parent's worker, so open files shared by fork need no locking).
 *
 * Messages a worker accepts (kproc/proto.h):
 *   WORKER_MSG_START  worker_start  -> 0, or why not (in why[])  from sched's parent
 *   WORKER_MSG_SIGNAL worker_signal -> 0, -ESRCH                  from sched
 *   WORKER_MSG_RLIMIT worker_rlimit -> 0, -ESRCH, -EPERM, -EINVAL  from another worker
 *   KPROC_MSG_STOP                  -> kills its guests, then ends   from its parent
 * and the completions of the messages its guests sent (MSG_F_REPLY), and
 * of its own SCHED_MSG_INSTRET reports (ps), sent every WORKER_REPORT_NS.
 */
#ifndef NOS_WORKER_H
#define NOS_WORKER_H

#include "vm-rv32i/guest.h"

#define WORKER_SLICE 50000u            /* instructions a guest runs per turn: a
                                         * woken guest waits at most one */
#define WORKER_MAX 32

struct worker_config {
	msg_pid_t sched, fs, memmgr;
	msg_pid_t starter;                 /* the tool that may send WORKER_MSG_START */
};

struct worker {
	struct worker_config cfg;
	unsigned index;
	struct guest *run_head, *run_tail;    /* slices that ran out */
	struct guest *woken_head, *woken_tail;  /* woken by a reply or timer: first */
	struct guest *sleepers;
	uint64_t next_wake;                /* no sleeper wakes before this */
	struct guest *all;
	unsigned nguests;
	int stopping;
	/* ps: every WORKER_REPORT_NS the instructions its guests ran go to
	 * sched (SCHED_MSG_INSTRET); the entries stay here until the reply. */
	msg_t report_m;
	struct sched_instret report;
	struct sched_instret_entry *report_ents;
	unsigned report_cap;
	int report_busy;
	int job_dirty;                     /* a guest stopped or continued: report now */
	uint64_t report_at;
};

#define WORKER_REPORT_NS 250000000ull

/* Start worker `index` (1..WORKER_MAX) under the caller. */
int worker_start(unsigned index, const struct worker_config *cfg, msg_pid_t *pid);

/* ---- for the system-call layer (vm-rv32i/sys_*.c) ---- */

#define SYS_PARKED INT32_MIN            /* the handler parked the guest */

/* Send g->pend to `to` (payload g->pend.u, `size` bytes) and park g until
 * its completion calls done. Returns SYS_PARKED (or the send's error
 * passed to done at once, still SYS_PARKED). */
int32_t guest_request(struct guest *g, msg_pid_t to, uint16_t type, uint32_t size,
                      guest_done_fn done);
/* As guest_request, but a signal may cancel it (reads that wait for input,
 * wait, pipes): done then sees -NOS_ECANCELED. */
int32_t guest_request_slow(struct guest *g, msg_pid_t to, uint16_t type, uint32_t size,
                           guest_done_fn done);
/* Finish the system call: a0 = value, pc past the ecall, runnable. */
void guest_return(struct guest *g, int32_t value);
/* Make g runnable again without touching its registers (after execve). */
void guest_resume(struct guest *g);
/* Park until `ns` on the monotonic clock (guest_return when woken). */
void guest_sleep_until(struct guest *g, uint64_t ns);
/* End the guest with a Linux wait status (exit: code << 8; killed: sig). */
void guest_exit(struct guest *g, int32_t wstatus);
/* Queue a signal for g (delivered before it next runs). */
void guest_signal(struct guest *g, unsigned sig, uint32_t from, uint32_t from_uid);
/* A vfork child execs or ends: let its parent go on. */
void guest_vfork_release(struct guest *child);
/* Make the pending request's payload point at guest bytes [addr, addr+len):
 * the host address (flat memory) or a bounce buffer (paged); -NOS_EFAULT. */
int guest_io_buf(struct guest *g, uint32_t addr, uint32_t len, int to_guest, void **buf);
/* After a request that filled a bounce buffer: copy n bytes to the guest. */
int guest_io_finish(struct guest *g, uint32_t n);
struct guest *worker_find(struct worker *w, uint32_t pid);
/* Clone g (fork): the child runs on the same worker. NULL: no memory.
 * share (vfork): the child runs in g's flat space until it execs or ends
 * (g waits meanwhile); a paged space is copied all the same. */
struct guest *guest_clone(struct guest *g, uint32_t child_pid, int share);
/* A vfork child whose parent must go on (it was killed) gets its own copy
 * of the space: 0, -NOS_ENOMEM. */
int guest_unshare(struct guest *child);
/* Replace g's program (execve) with the ELF in image[0, len). 0 or -NOS_E*,
 * with why[] filled in. */
int guest_exec(struct guest *g, const void *image, uint32_t len, const char *path,
               const char *const *argv, const char *const *envp, char *why, size_t whylen);
struct ofile *ofile_new(uint8_t kind);
void ofile_free(struct ofile *f);     /* one never given to a guest */
/* rdtime for guests: RV32_TIME_HZ ticks of the monotonic clock. */
uint64_t guest_time(void *ctx);

/* Where signal handlers return to: code calling rt_sigreturn. */
uint32_t guest_sigreturn_addr(const struct guest *g);

/* Run `then` once every fd in `mask` (bit n = fd n) is closed. */
void guest_close_fds(struct guest *g, uint64_t mask, guest_done_fn then);

#endif
