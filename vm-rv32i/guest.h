/*
 * guest.h: a running RV32 program as its CPU worker holds it.
 *
 * A guest is not a thread: it is this record, run in slices by one CPU
 * worker (vm-rv32i/worker.c). A system call that needs a kernel process
 * fills g->pend, sends it with MSG_F_NOTIFY and parks the guest; when the
 * completed message comes back into the worker's inbox, pend.done() turns
 * the reply into the guest's a0 (or sends the next step) and the guest is
 * runnable again. At most one message per guest is in flight, so the
 * payload lives here, pinned, for exactly as long as the runtime needs it.
 */
#ifndef NOS_GUEST_H
#define NOS_GUEST_H

#include <stdint.h>

#include "kproc/proto.h"
#include "kproc/fs_policy.h"
#include "msg/msg.h"
#include "vm-rv32i/rv32.h"

#define GUEST_FD_MAX 64
#define GUEST_SIG_MAX 64              /* signals 1..64, as Linux */
#define GUEST_MEM_DEFAULT (64u << 20)
#define GUEST_STACK_MAX (8u << 20)    /* the stack's share of the space */
#define GUEST_IO_MAX (1u << 20)       /* bytes one read/write moves per message */
#define GUEST_RLIM_MAX 16             /* resources 0..15, Linux's RLIM_NLIMITS */
#define GUEST_RLIM_INFINITY (~0ull)

/* Linux resource numbers the kernel enforces (sys_proc.c says how). */
enum { GRLIMIT_CPU = 0, GRLIMIT_DATA = 2, GRLIMIT_STACK = 3, GRLIMIT_NPROC = 6,
       GRLIMIT_NOFILE = 7, GRLIMIT_AS = 9 };

/* A soft and a hard limit, as prlimit64 carries them. */
struct guest_rlimit {
	uint64_t cur, max;
};

/* An open file description, shared by the fds that dup or fork made. */
enum ofile_kind { OF_FS = 1, OF_CONSOLE, OF_PIPE, OF_NULL };   /* OF_NULL: /dev/null */

struct ofile {
	uint8_t kind;
	uint8_t is_dir;
	uint8_t pipe_end;             /* OF_PIPE: SCHED_PIPE_READ / _WRITE */
	uint16_t refs;
	int32_t handle;               /* fs handle, pipe id */
	uint32_t flags;               /* Linux O_* the guest opened it with */
	msg_pid_t console;            /* OF_CONSOLE */
	char *path;                   /* canonical path (directories: for *at calls) */
	struct fs_dirent *peek;       /* getdents64: an entry read but not yet given */
	uint8_t dots;                 /* getdents64: "." and ".." given so far */
};

enum guest_state {
	GUEST_RUNNABLE = 1,
	GUEST_BLOCKED,                /* a message in flight (pend) */
	GUEST_SLEEPING,               /* until wake_ns */
	GUEST_STOPPED,                /* SIGSTOP until SIGCONT */
	GUEST_SUSPENDED,              /* rt_sigsuspend: until a signal is delivered */
	GUEST_VFORKED,                /* vfork: until the child execs or exits */
	GUEST_DEAD,                   /* exited; freed once nothing is in flight */
};

struct guest;
typedef void (*guest_done_fn)(struct guest *g, int32_t status);

/* The one request a guest may have in flight, and its payload. */
struct guest_pending {
	msg_t m;
	guest_done_fn done;
	union {
		struct fs_path_req path;
		struct fs_rename_req rename;
		struct fs_handle_req handle;
		struct fs_io io;
		struct fs_seek seek;
		struct fs_stat_req stat;
		struct fs_readdir_req readdir;
		struct fs_statfs_req statfs;
		struct sched_spawn spawn;
		struct sched_exited exited;
		struct sched_wait wait;
		struct sched_kill kill;
		struct sched_pgid pgid;
		struct sched_pipe_io pipe;
		struct sched_pipe_ref pipe_ref;
		struct console_io con;
		struct console_ioctl ioctl;
		struct memmgr_req mem;
		struct sched_update update;
		struct worker_rlimit rlimit;
	} u;
	char path[FS_PATH_MAX];       /* canonical paths the payload points at */
	char path2[FS_PATH_MAX];
	uint32_t arg[6];              /* the call's arguments, for later steps */
	uint8_t *bounce;              /* paged memory: the bytes moved */
	uint32_t bounce_addr;         /* guest address they go to / come from */
	void *ctx;                    /* a step's private state */
};

struct guest_sigaction {
	uint32_t handler;             /* 0 = SIG_DFL, 1 = SIG_IGN, else an address */
	uint32_t flags;
	uint64_t mask;
};

struct worker;

struct guest {
	struct guest *next;           /* the worker's run queue or sleep list */
	struct guest *all_next;       /* every guest of the worker */
	struct worker *w;
	enum guest_state state;
	uint32_t pid, ppid, pgid, sid;
	struct sched_cred cred;
	rv32_cpu cpu;
	guest_mem mem;
	uint32_t brk;                 /* the program break memmgr granted */
	uint32_t img_lowest;          /* lowest address the program loaded */
	uint32_t map_low;             /* lowest anonymous mapping so far (0: none) */
	uint32_t umask;
	struct ofile *fd[GUEST_FD_MAX];
	uint64_t cloexec;             /* bit n: fd n closes on execve */
	char cwd[FS_PATH_MAX];
	char cmd[48];
	msg_pid_t console;
	uint64_t wake_ns;             /* GUEST_SLEEPING */
	uint64_t sig_pending, sig_mask;
	uint64_t saved_mask;          /* rt_sigsuspend: the mask to restore */
	uint32_t restore_mask;        /* saved_mask is pending restore */
	uint32_t sig_from[GUEST_SIG_MAX + 1], sig_from_uid[GUEST_SIG_MAX + 1];
	struct guest *vfork_parent;
	uint32_t mem_shared;          /* a vfork child in its parent's space */
	uint64_t close_mask;          /* guest_close_fds: the fds still to close */
	guest_done_fn close_then;     /* and what runs after */   /* a vfork child: the parent it holds */
	struct guest_sigaction sigact[GUEST_SIG_MAX + 1];
	int32_t exit_status;          /* wait status once it ended */
	uint32_t in_flight;           /* pend is out (2: a signal may cancel it) */
	uint32_t exiting;             /* closing its files; gone for everyone else */
	uint32_t interrupted;         /* a signal cancelled pend */
	uint8_t restart_syscall;      /* only a stop signal interrupted it: after
	                               * SIGCONT the call runs again (no EINTR) */
	uint64_t resume_wake_ns;      /* a sleep a stop broke: its deadline, for */
	uint32_t resume_pc;           /* the same ecall made again (not a handler's) */
	uint32_t trace;               /* print each syscall */
	uint32_t trace_nr, trace_a[6];  /* the call being traced */
	uint64_t syscalls;
	uint64_t instret_reported;    /* what sched last heard (ps) */
	uint8_t stop_sig;             /* stopped by this signal (job control), 0: not */
	uint8_t stop_reported;        /* the stop_sig sched last heard */
	uint64_t xcpu_at;             /* RLIMIT_CPU: instret of the next SIGXCPU */
	/* Resource limits: set at the first start (guest_limits_default),
	 * copied by fork, kept across execve, as on Linux. */
	struct guest_rlimit rlim[GUEST_RLIM_MAX];
	struct guest_pending pend;
};

/* The defaults a new guest starts with: its space for AS and DATA, the fd
 * table for NOFILE, the stack's share for STACK, no limit for the rest. */
void guest_limits_default(struct guest *g);
/* Bytes of brk and mmap memory its limits let g hold (AS, DATA, the space). */
uint32_t guest_mem_limit(const struct guest *g);
/* How many fds its RLIMIT_NOFILE lets g have open (at most GUEST_FD_MAX). */
unsigned guest_fd_limit(const struct guest *g);
/* prlimit64 on t for a caller of uid (sys_proc.c): the old values in *old;
 * with set, the new ones applied (memmgr told of AS/DATA). 0 or -NOS_E*. */
int32_t guest_prlimit(struct guest *t, uint32_t uid, uint32_t res,
                      const struct guest_rlimit *set, struct guest_rlimit *old);

/* Linux signal numbers the kernel acts on. */
enum {
	GSIG_HUP = 1, GSIG_INT = 2, GSIG_QUIT = 3, GSIG_ILL = 4, GSIG_ABRT = 6,
	GSIG_KILL = 9, GSIG_SEGV = 11, GSIG_PIPE = 13, GSIG_ALRM = 14,
	GSIG_TERM = 15, GSIG_CHLD = 17, GSIG_CONT = 18, GSIG_STOP = 19,
	GSIG_TSTP = 20, GSIG_TTIN = 21, GSIG_TTOU = 22, GSIG_XCPU = 24, GSIG_WINCH = 28,
};

#endif
