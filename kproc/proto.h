/*
 * proto.h: every message type of NanoOs, numbered in ranges per receiver,
 * with one payload struct per type (flat, fixed-width fields; bulk data as a
 * pointer + uint32_t length into the sender's memory). Later issues fill in
 * the ranges; a number, once given, is never reused for something else.
 */
#ifndef NOS_PROTO_H
#define NOS_PROTO_H

#include <stdint.h>

enum proto_range {
	PROTO_ANY     = 0x0000,   /* understood by every kernel process */
	PROTO_SCHED   = 0x0100,
	PROTO_CONSOLE = 0x0200,
	PROTO_MEMMGR  = 0x0300,
	PROTO_SDCARD  = 0x0400,
	PROTO_FS      = 0x0500,
	PROTO_USERS   = 0x0600,
	PROTO_CLIENT  = 0x1000,   /* control-socket client protocol */
};

/* PROTO_ANY: every kernel process answers these (kproc_serve does). */
enum {
	KPROC_MSG_STOP = PROTO_ANY + 1,   /* no payload; only the parent may ask */
	KPROC_MSG_PING = PROTO_ANY + 2,   /* struct kproc_ping; answered with value + 1 */
};

struct kproc_ping {
	uint32_t value;
};

/* PROTO_SDCARD: the block device (kproc/sdcard.c). Only fs ("fs", 0) and
 * the process that started sdcard may ask. Blocks are SDCARD_BLOCK_SIZE
 * bytes; replies are 0 or -NOS_Exxx (see kproc/sdcard.h). */
#define SDCARD_BLOCK_SIZE 512u

enum {
	SDCARD_MSG_READ  = PROTO_SDCARD + 1,  /* struct sdcard_io: blocks into buf */
	SDCARD_MSG_WRITE = PROTO_SDCARD + 2,  /* struct sdcard_io: blocks from buf */
	SDCARD_MSG_FLUSH = PROTO_SDCARD + 3,  /* no payload: make writes durable */
	SDCARD_MSG_INFO  = PROTO_SDCARD + 4,  /* struct sdcard_info, filled in */
};

struct sdcard_io {
	uint32_t block;                 /* first block */
	uint32_t count;                 /* blocks, at least 1 */
	void *buf;                      /* in the sender's memory */
	uint32_t len;                   /* bytes at buf: must be count * 512 */
};

struct sdcard_info {
	uint32_t blocks;
	uint32_t block_size;            /* SDCARD_BLOCK_SIZE */
	uint8_t read_only;
	char model[32];                 /* NUL-terminated */
};

/* ---- fs (kproc/fs.c) ----------------------------------------------------
 * Paths travel as (pointer, length) into the sender's memory, absolute or
 * not (fs canonicalises them; there is no cwd in fs: sched resolves it).
 * Requests that name a path carry the caller's credentials, which fs trusts
 * only from kernel processes (its parent, sched): guests reach fs through
 * sched, never directly. A handle belongs to the process that opened it.
 * Every reply is >= 0 or -NOS_E*; fat.h documents each operation.
 */
#include "kproc/fs_policy.h"

/* Kernel-side clients fs trusts besides its parent, sched and users: the
 * FUSE bridge's threads, ("fuse", 0..FS_FUSE_THREADS_MAX - 1), which share
 * their handles; and nanoosd's sessions, ("session", 1..FS_SESSIONS_MAX),
 * which forward a remote mount's requests (fuse-bridge/backend.h). Both
 * stamp the credentials of the account they serve. */
#define FS_FUSE_THREADS_MAX 64
#define FS_SESSIONS_MAX 72

#define FS_NAME_MAX 765              /* UTF-8 bytes of a 255-character name */

/* Flat copies of the engine's answers, so the protocol stands alone. */
struct fs_stat {
	uint32_t size;
	uint32_t mtime, ctime, atime;   /* Unix seconds (UTC); 0: not recorded */
	uint8_t attr;                   /* FAT attributes (fat_layout.h ATTR_*) */
	uint8_t is_dir;
};

struct fs_dirent {
	char name[FS_NAME_MAX + 1];
	struct fs_stat st;
};

struct fs_statfs {
	uint32_t total_clusters;
	uint32_t free_clusters;
	uint32_t cluster_size;          /* bytes */
	uint8_t fat_type;               /* 12, 16, 32 */
	uint8_t dirty_at_mount;
	char label[12];
};

enum {
	FS_MSG_OPEN      = PROTO_FS + 1,  /* fs_path_req (flags: FS_O_*) -> handle */
	FS_MSG_CLOSE     = PROTO_FS + 2,  /* fs_handle_req -> 0 */
	FS_MSG_READ      = PROTO_FS + 3,  /* fs_io -> bytes */
	FS_MSG_WRITE     = PROTO_FS + 4,  /* fs_io -> bytes */
	FS_MSG_SEEK      = PROTO_FS + 5,  /* fs_seek -> 0, pos filled in */
	FS_MSG_FTRUNCATE = PROTO_FS + 6,  /* fs_handle_req (arg: length) -> 0 */
	FS_MSG_FSYNC     = PROTO_FS + 7,  /* fs_handle_req -> 0 */
	FS_MSG_FSTAT     = PROTO_FS + 8,  /* fs_stat_req (handle) -> 0, st filled in */
	FS_MSG_STAT      = PROTO_FS + 9,  /* fs_stat_req (path) -> 0, st filled in */
	FS_MSG_READDIR   = PROTO_FS + 10, /* fs_readdir_req -> 1 (an entry), 0 (end) */
	FS_MSG_MKDIR     = PROTO_FS + 11, /* fs_path_req -> 0 */
	FS_MSG_RMDIR     = PROTO_FS + 12, /* fs_path_req -> 0 */
	FS_MSG_UNLINK    = PROTO_FS + 13, /* fs_path_req -> 0 */
	FS_MSG_RENAME    = PROTO_FS + 14, /* fs_rename_req -> 0 */
	FS_MSG_STATFS    = PROTO_FS + 15, /* fs_statfs_req -> 0, filled in */
	FS_MSG_SYNC      = PROTO_FS + 16, /* none -> 0: everything is on the card */
	FS_MSG_UTIMENS   = PROTO_FS + 17, /* fs_path_req (arg: atime, arg2: mtime) -> 0 */
	FS_MSG_SETRO     = PROTO_FS + 18, /* fs_path_req (arg: 1 read-only, 0 not) -> 0 */
	FS_MSG_MOUNTED   = PROTO_FS + 19, /* none -> 0, or why the volume did not mount */
	FS_MSG_CHECK     = PROTO_FS + 20, /* fs_check_req -> problems found (fixed with
	                                   * FS_CHECK_REPAIR); parent or root only */
};

/* Open flags, seek and rename constants: the engine's values (fs.c checks
 * at compile time that they agree with kproc/fat.h). */
#define FS_O_RDONLY    0x00u
#define FS_O_WRONLY    0x01u
#define FS_O_RDWR      0x02u
#define FS_O_ACCMODE   0x03u
#define FS_O_CREAT     0x04u
#define FS_O_TRUNC     0x08u
#define FS_O_APPEND    0x10u
#define FS_O_EXCL      0x20u
#define FS_O_DIRECTORY 0x40u
#define FS_SEEK_SET 0
#define FS_SEEK_CUR 1
#define FS_SEEK_END 2
#define FS_RENAME_NOREPLACE 0x1u

struct fs_path_req {
	struct fs_cred cred;
	const char *path;
	uint32_t path_len;
	uint32_t flags;
	uint32_t arg, arg2;
};

struct fs_rename_req {
	struct fs_cred cred;
	const char *from;
	uint32_t from_len;
	const char *to;
	uint32_t to_len;
	uint32_t flags;                 /* FS_RENAME_NOREPLACE */
};

struct fs_handle_req {
	int32_t handle;
	uint32_t arg;
};

#define FS_AT_POSITION (-1)          /* fs_io.offset: at the handle's position */

struct fs_io {
	int32_t handle;
	uint32_t len;
	void *buf;
	int64_t offset;                 /* FS_AT_POSITION, or like pread/pwrite */
};

struct fs_seek {
	int32_t handle;
	int32_t whence;                 /* FS_SEEK_SET, _CUR, _END */
	int64_t offset;
	uint32_t pos;                   /* out */
};

struct fs_stat_req {
	struct fs_cred cred;
	const char *path;               /* FS_MSG_STAT */
	uint32_t path_len;
	int32_t handle;                 /* FS_MSG_FSTAT */
	struct fs_stat st;              /* out */
};

struct fs_readdir_req {
	int32_t handle;                 /* from FS_MSG_OPEN with FS_O_DIRECTORY */
	struct fs_dirent ent;           /* out */
};

#define FS_CHECK_REPAIR 0x1u

/* The checker's scratch (a bit per cluster and its walk's stack) and its
 * report are lent by the caller: fs allocates nothing for it. */
struct fs_check_req {
	uint32_t flags;                 /* FS_CHECK_REPAIR */
	uint8_t *map;                   /* scratch */
	uint32_t map_len;
	uint32_t map_needed;            /* out: when map_len is too small (-NOS_ENOMEM) */
	char *text;                     /* out: one line a problem, NUL-terminated */
	uint32_t text_len;
	uint32_t lost_clusters;         /* out */
	uint32_t files, dirs;           /* out */
};

struct fs_statfs_req {
	struct fs_statfs st;            /* out */
};

/* ---- sched (kproc/sched.c) and its CPU workers (vm-rv32i/worker.c) -------
 * sched ("sched", 0) keeps the process table: guest pids, parents, process
 * groups, exit statuses, and the pipes. The CPU workers ("sched", 1..N) run
 * the guests and are the only ones who speak for a guest: a request naming
 * a guest pid is trusted only from a worker (or, for SPAWN/WAIT of the guests
 * it started, from the tool that booted the instance). */
enum {
	SCHED_MSG_SPAWN   = PROTO_SCHED + 1,  /* sched_spawn -> guest pid; worker filled in */
	SCHED_MSG_EXITED  = PROTO_SCHED + 2,  /* sched_exited (worker) -> 0 */
	SCHED_MSG_WAIT    = PROTO_SCHED + 3,  /* sched_wait -> pid reaped, 0 (WNOHANG), -ECHILD */
	SCHED_MSG_FORKED  = PROTO_SCHED + 4,  /* sched_spawn (worker: ppid set) -> child pid */
	SCHED_MSG_KILL    = PROTO_SCHED + 5,  /* sched_kill -> 0, -ESRCH, -EPERM */
	SCHED_MSG_PGID    = PROTO_SCHED + 6,  /* sched_pgid -> 0 (set) or the pgid (get) */
	SCHED_MSG_PIPE    = PROTO_SCHED + 7,  /* none -> pipe id */
	SCHED_MSG_PIPE_IO = PROTO_SCHED + 8,  /* sched_pipe_io -> bytes, 0 at EOF, -EPIPE */
	SCHED_MSG_PIPE_REF = PROTO_SCHED + 9, /* sched_pipe_ref -> 0: ends opened/closed */
	SCHED_MSG_PS      = PROTO_SCHED + 10, /* sched_ps -> entries filled in */
	SCHED_MSG_UPDATE  = PROTO_SCHED + 11, /* sched_update (worker) -> 0: a guest's
	                                       * new credentials (login, setuid) or
	                                       * command line (execve) */
	SCHED_MSG_INSTRET = PROTO_SCHED + 12, /* added (limits): sched_instret (worker)
	                                       * -> 0: its guests' instructions so
	                                       * far, for a live ps */
	/* to a worker, from sched or the booting tool */
	WORKER_MSG_START  = PROTO_SCHED + 0x80, /* worker_start -> 0, or why not */
	WORKER_MSG_SIGNAL = PROTO_SCHED + 0x81, /* worker_signal -> 0, -ESRCH */
	WORKER_MSG_RLIMIT = PROTO_SCHED + 0x82, /* added (limits): worker_rlimit, from
	                                         * another worker -> 0, -ESRCH, -EPERM,
	                                         * -EINVAL (prlimit64 on its guest) */
};

#define SCHED_ARGS_MAX 64            /* argv + envp entries a spawn carries */

/* Who a guest runs as. */
struct sched_cred {
	uint32_t uid, gid;
	char name[32];
};

struct sched_spawn {
	uint32_t ppid;                  /* FORKED: the parent guest; SPAWN: 0 */
	uint32_t pid;                   /* FORKED: 0; out: the new pid */
	uint32_t pgid, sid;             /* FORKED: inherited */
	struct sched_cred cred;
	const char *cmd;                /* for ps; NUL-terminated */
	uint32_t worker;                /* out (SPAWN): the worker that will run it */
	uint32_t nproc_limit;           /* added (limits), FORKED: the parent's
	                                 * RLIMIT_NPROC soft limit, 0: none */
};

/* Linux wait statuses: (code << 8) for an exit, the signal number for a kill. */
struct sched_exited {
	uint32_t pid;
	int32_t wstatus;
	uint64_t instret;               /* for --stats and ps */
	uint64_t syscalls;
};

#define SCHED_WNOHANG 0x1u
#define SCHED_WSTOPPED 0x2u            /* also report children that stopped */
#define SCHED_WCONTINUED 0x8u          /* also report children that continued */
#define SCHED_WNOEXIT 0x10u            /* do not report (reap) exits */

struct sched_wait {
	uint32_t waiter;                /* the guest waiting, or 0: the spawning tool */
	int32_t pid;                    /* > 0 that child, -1 any, < -1 group -pid */
	uint32_t options;               /* SCHED_W*; a stop reports wstatus
	                                 * (sig << 8) | 0x7f, a continue 0xffff */
	int32_t wstatus;                /* out */
	uint64_t instret, syscalls;     /* out: what the child used */
};

struct sched_kill {
	uint32_t sender;                /* guest pid, 0: the tool */
	int32_t pid;                    /* > 0 a guest, < -1 a group, -1 everyone allowed */
	uint32_t sig;
	uint32_t sid;                   /* nonzero: only guests of this session (a
	                                 * console signals its own session alone) */
};

struct sched_pgid {
	uint32_t caller;                /* guest pid */
	uint32_t pid;                   /* 0: the caller */
	int32_t pgid;                   /* >= 0: set (0: = pid); -1: get; -2: setsid */
};

#define SCHED_PIPE_READ  0u
#define SCHED_PIPE_WRITE 1u

struct sched_pipe_io {
	uint32_t pipe;
	uint32_t dir;                   /* SCHED_PIPE_READ / _WRITE */
	void *buf;
	uint32_t len;
	uint32_t nonblock;
};

struct sched_pipe_ref {
	uint32_t pipe;
	uint32_t end;                   /* SCHED_PIPE_READ / _WRITE */
	int32_t delta;                  /* +1 (dup, fork) or -1 (close) */
};

#define SCHED_UPDATE_CRED 0x1u
#define SCHED_UPDATE_CMD  0x2u

struct sched_update {
	uint32_t pid;                   /* a guest of the sending worker */
	uint32_t what;                  /* SCHED_UPDATE_* */
	struct sched_cred cred;         /* CRED */
	const char *cmd;                /* CMD: NUL-terminated */
};

struct sched_ps_entry {
	uint32_t pid, ppid, pgid, uid;
	char state;                     /* R, S (sleeping), T (stopped), Z */
	char cmd[47];
	uint32_t sid;
	uint32_t start;                 /* Unix seconds (sched_config.now; 0: unknown) */
	uint64_t instret;               /* instructions so far (at least those reported) */
	char user[32];                  /* account name */
};

/* SCHED_MSG_INSTRET: entries in the worker's memory (pinned until the
 * reply); guests not the sender's are skipped. */
struct sched_instret_entry {
	uint32_t pid;
	uint64_t instret;
	uint32_t stop_sig;              /* job control: the signal that stopped it,
	                                 * 0: running (a change is sent at once) */
};

struct sched_instret {
	struct sched_instret_entry *ents;
	uint32_t count;
};

struct sched_ps {
	struct sched_ps_entry *ents;
	uint32_t max;
	uint32_t count;                 /* out */
};

struct guest;                        /* vm-rv32i/guest.h */

/* What a worker needs to start a guest from an ELF image in memory. */
struct worker_start {
	uint32_t pid;
	const void *image;
	uint32_t image_len;
	const char *path;               /* for messages and AT_EXECFN */
	const char *const *argv;
	const char *const *envp;
	struct sched_cred cred;
	const char *cwd;                /* canonical, on the volume */
	uint32_t mem_size;              /* bytes of guest space; 0: the default */
	uint32_t console;               /* console pid of its terminal */
	uint32_t trace;                 /* print each syscall (nanoos run --trace) */
	char why[160];                  /* out: why it did not start */
};

struct worker_rlimit {
	uint32_t pid;                   /* the guest whose limit it is */
	uint32_t resource;              /* RLIMIT_* (Linux's numbers) */
	uint32_t caller_uid;            /* who asks (the asking worker vouches) */
	uint32_t set;                   /* 1: set cur/max; 0: only read */
	uint64_t cur, max;
	uint64_t old_cur, old_max;      /* out: the values before */
};

struct worker_signal {
	uint32_t pid;
	uint32_t sig;
	uint32_t sender;                /* the guest that sent it (si_pid), 0: the kernel */
	uint32_t sender_uid;
};

/* ---- console (kproc/console.c) ------------------------------------------
 * The terminal: the invoking terminal when an instance boots in-process.
 * Guests reach it through their worker; the host side (the terminal's
 * reader) feeds it input. */
enum {
	CONSOLE_MSG_READ  = PROTO_CONSOLE + 1, /* console_io -> bytes, 0 at EOF */
	CONSOLE_MSG_WRITE = PROTO_CONSOLE + 2, /* console_io -> bytes */
	CONSOLE_MSG_INPUT = PROTO_CONSOLE + 3, /* console_io (host side) -> 0; len 0: EOF */
	CONSOLE_MSG_IOCTL = PROTO_CONSOLE + 4, /* console_ioctl -> 0 or -ENOTTY ... */
	CONSOLE_MSG_HANGUP = PROTO_CONSOLE + 5, /* none (host side) -> 0: end of input, and
	                                         * SIGHUP (then SIGCONT) to the session */
	CONSOLE_MSG_CONTROL = PROTO_CONSOLE + 6, /* console_control (host side) -> 0 */
};

/* Host-side control of a terminal: the daemon's session (or the in-process
 * tool) tells its console what the client's terminal did. */
enum {
	CONSOLE_CTL_WINSIZE = 1,        /* rows, cols: new size; SIGWINCH to the foreground */
	CONSOLE_CTL_SIGNAL = 2,         /* sig: to the foreground process group */
	CONSOLE_CTL_SESSION = 3,        /* pgid: the session's first process group, now in
	                                 * the foreground (sid = pgid) */
};

struct console_control {
	uint32_t op;                    /* CONSOLE_CTL_* */
	uint16_t rows, cols;
	uint32_t sig;
	uint32_t pgid;
};

struct console_io {
	uint32_t stream;                /* 1 stdout, 2 stderr (WRITE) */
	void *buf;
	uint32_t len;
	uint32_t nonblock;
	uint32_t caller_pgid;           /* READ (added for job control): the reading
	                                 * guest's process group, filled in by its
	                                 * worker; 0: unknown (never "background") */
};

/* Linux's termios layout for RV32 (asm-generic): 4 flag words, line, 19 cc. */
#define CONSOLE_NCCS 19
struct console_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[CONSOLE_NCCS];
};

struct console_ioctl {
	uint32_t request;               /* Linux TCGETS, TCSETS*, TIOCGWINSZ, ... */
	uint32_t caller_pgid;
	uint32_t caller_sid;            /* the caller's session: only its own
	                                 * terminal's foreground may it change */
	struct console_termios tio;     /* in/out */
	uint16_t rows, cols;            /* out: TIOCGWINSZ; in: TIOCSWINSZ */
	int32_t pgid;                   /* in/out: TIOCSPGRP/TIOCGPGRP */
};

/* ---- users (kproc/users.c) ----------------------------------------------
 * The accounts: /etc/passwd (name:x:uid:gid:gecos:home:shell) and the
 * hashes in /etc/shadow (name:hash:...), read and written on the volume
 * through fs as root. Hashes come from the port (libcrypt on Linux:
 * yescrypt or sha512-crypt). Trusted senders: its parent (the tool or
 * daemon), the daemon's session threads ("session", *) and the workers
 * ("sched", 1..N), which stamp `caller_uid` from the guest's record. */
enum {
	USERS_MSG_LOOKUP = PROTO_USERS + 1, /* users_req (name, or uid when name is empty)
	                                     * -> 0, acct filled in; -ENOENT */
	USERS_MSG_LOGIN  = PROTO_USERS + 2, /* users_req (name, password) -> 0, acct;
	                                     * -EACCES (wrong password or no such
	                                     * account: the same answer, after the
	                                     * same delay); -EAGAIN (every delay slot
	                                     * is taken: not checked, try later) */
	USERS_MSG_PASSWD = PROTO_USERS + 3, /* users_req (caller_uid, name, password =
	                                     * old, new_password) -> 0; -EACCES (wrong
	                                     * old password), -EPERM (not yours and not
	                                     * root), -EINVAL (unusable new password) */
};

#define USERS_NAME_MAX 32               /* with the NUL */
#define USERS_PATH_MAX 64

struct users_account {
	uint32_t uid, gid;
	char name[USERS_NAME_MAX];
	char home[USERS_PATH_MAX];
	char shell[USERS_PATH_MAX];
};

struct users_req {
	uint32_t caller_uid;            /* PASSWD: who asks (root may skip the old one) */
	uint32_t uid;                   /* LOOKUP by uid when name is empty */
	char name[USERS_NAME_MAX];
	const char *password;           /* NUL-terminated, in the sender's memory */
	const char *new_password;       /* PASSWD */
	struct users_account acct;      /* out */
};

/* ---- memmgr (kproc/memmgr.c) --------------------------------------------
 * Guest memory accounting: each guest's brk and anonymous mappings, inside
 * its space, against quotas. Workers ask for a guest; memmgr only decides
 * addresses and counts bytes (the worker zeroes the pages). */
enum {
	MEMMGR_MSG_NEW   = PROTO_MEMMGR + 1, /* memmgr_req (pid, a = brk start, b = map top,
	                                      * len = limit) -> 0 */
	MEMMGR_MSG_BRK   = PROTO_MEMMGR + 2, /* memmgr_req (a = wanted, 0: ask) -> the brk */
	MEMMGR_MSG_MMAP  = PROTO_MEMMGR + 3, /* memmgr_req (len) -> 0, addr in a */
	MEMMGR_MSG_MUNMAP = PROTO_MEMMGR + 4, /* memmgr_req (a, len) -> 0 */
	MEMMGR_MSG_FREE  = PROTO_MEMMGR + 5, /* memmgr_req (pid) -> 0 */
	MEMMGR_MSG_CLONE = PROTO_MEMMGR + 6, /* memmgr_req (pid = parent, a = child) -> 0 */
	MEMMGR_MSG_USAGE = PROTO_MEMMGR + 7, /* memmgr_req (pid) -> 0, bytes in len;
	                                      * pid 0 (from the tool): every guest's,
	                                      * bytes in b:a (high:low), guests in len */
	MEMMGR_MSG_LIMIT = PROTO_MEMMGR + 8, /* added (limits): memmgr_req (pid, len = the
	                                      * new limit: setrlimit AS/DATA) -> 0 */
};

struct memmgr_req {
	uint32_t pid;
	uint32_t a, b;
	uint32_t len;
};

#endif
