/*
 * ctl.h: the client protocol of the control socket (DESIGN.md section 7),
 * spoken between the `nanoos` command (cli/) and the daemon (nanoosd/)
 * over a Unix stream socket, in wire frames (msg/wire.h). Not kernel
 * messages: the daemon turns these into them.
 *
 * Every frame is a wire header + one payload below. A request carries a
 * tag of the client's choosing in the header's `from`; the answer to it
 * has the same type (flag MSG_F_REPLY), the same tag, its result in
 * `status` and the same payload struct (fields marked "out" filled in) --
 * or, on failure, a CTL_MSG_ERROR frame with the tag, status = -NOS_E* and
 * a text saying what is wrong and what to do. Frames the daemon sends on
 * its own (OUTPUT, EXIT) have tag 0.
 *
 * A conversation:
 *   client: HELLO (its CTL_VERSION)        daemon: HELLO reply, or ERROR
 *           -EPROTONOSUPPORT naming both versions ("restart the daemon")
 *   then any number of PS, KILL, STATUS, or one STOP; or one session:
 *   client: UPLOAD* (a host program), RUN  daemon: RUN reply (the guest pid)
 *   client: INPUT, WINSIZE, SIGNAL ...     daemon: OUTPUT ..., then EXIT
 *   and closes the connection. A client that goes away hangs up its
 *   session's terminal (SIGHUP and end of input to its processes).
 * Or a mount (`nanoos mount` when a daemon owns the image, DESIGN.md
 * section 8): FS_* requests, one per fb_backend call (fuse-bridge/
 * backend.h), many outstanding at once, each with its own tag. The daemon
 * serves them in order as the account HELLO named and answers each with
 * the request's type and the call's result in `status` (>= 0 or -NOS_E*,
 * never an ERROR frame); it closes the handles the connection opened when
 * the connection ends. A mount's connection has no idle timeout. A READ
 * of more than CTL_FS_DATA_MAX or a READDIR of 0 or more than
 * CTL_FS_READDIR_MAX entries is malformed (it closes the connection).
 * A daemon older than FS forwarding closes the connection at the first FS
 * frame (a type it does not know); the client says to restart it.
 * The daemon checks the header's length before it allocates anything; a
 * malformed or oversized frame closes that connection only.
 */
#ifndef NOS_CTL_H
#define NOS_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/proto.h"
#include "msg/wire.h"

#define CTL_VERSION 1
#define CTL_DATA_MAX (64u * 1024u)      /* bytes of one INPUT/OUTPUT/UPLOAD frame */
#define CTL_TEXT_MAX 1024u
#define CTL_ARGS_MAX (64u * 1024u)      /* argv or envp, NUL-separated */

enum {
	CTL_MSG_HELLO   = PROTO_CLIENT + 1,  /* ctl_hello -> 0 */
	CTL_MSG_ERROR   = PROTO_CLIENT + 2,  /* ctl_text (daemon -> client) */
	CTL_MSG_UPLOAD  = PROTO_CLIENT + 3,  /* ctl_upload -> 0: a host program, in pieces */
	CTL_MSG_RUN     = PROTO_CLIENT + 4,  /* ctl_run -> guest pid */
	CTL_MSG_INPUT   = PROTO_CLIENT + 5,  /* ctl_data: terminal input; len 0: end of input */
	CTL_MSG_OUTPUT  = PROTO_CLIENT + 6,  /* ctl_data (daemon -> client): stream 1 or 2 */
	CTL_MSG_WINSIZE = PROTO_CLIENT + 7,  /* ctl_winsize (no reply) */
	CTL_MSG_SIGNAL  = PROTO_CLIENT + 8,  /* ctl_signal (no reply): to the foreground group */
	CTL_MSG_EXIT    = PROTO_CLIENT + 9,  /* ctl_exit (daemon -> client): the session ended */
	CTL_MSG_PS      = PROTO_CLIENT + 10, /* ctl_ps -> 0, records filled in */
	CTL_MSG_KILL    = PROTO_CLIENT + 11, /* ctl_kill -> 0, -ESRCH, -EPERM */
	CTL_MSG_STATUS  = PROTO_CLIENT + 12, /* ctl_status -> 0, filled in */
	CTL_MSG_STOP    = PROTO_CLIENT + 13, /* ctl_text (empty) -> 0; then the daemon stops */
	/* FUSE forwarding (DESIGN.md section 8): one type per fb_backend call. */
	CTL_MSG_FS_OPEN      = PROTO_CLIENT + 0x80, /* ctl_fs_path (flags FS_O_*) -> handle */
	CTL_MSG_FS_CLOSE     = PROTO_CLIENT + 0x81, /* ctl_fs_handle -> 0 */
	CTL_MSG_FS_READ      = PROTO_CLIENT + 0x82, /* ctl_fs_io (len) -> bytes, data out */
	CTL_MSG_FS_WRITE     = PROTO_CLIENT + 0x83, /* ctl_fs_io (data) -> bytes; no data back */
	CTL_MSG_FS_FTRUNCATE = PROTO_CLIENT + 0x84, /* ctl_fs_handle (arg: length) -> 0 */
	CTL_MSG_FS_FSYNC     = PROTO_CLIENT + 0x85, /* ctl_fs_handle -> 0 */
	CTL_MSG_FS_FSTAT     = PROTO_CLIENT + 0x86, /* ctl_fs_stat (handle) -> 0, st out */
	CTL_MSG_FS_STAT      = PROTO_CLIENT + 0x87, /* ctl_fs_stat (path) -> 0, st out */
	CTL_MSG_FS_READDIR   = PROTO_CLIENT + 0x88, /* ctl_fs_readdir -> entries, recs out */
	CTL_MSG_FS_MKDIR     = PROTO_CLIENT + 0x89, /* ctl_fs_path -> 0 */
	CTL_MSG_FS_RMDIR     = PROTO_CLIENT + 0x8a, /* ctl_fs_path -> 0 */
	CTL_MSG_FS_UNLINK    = PROTO_CLIENT + 0x8b, /* ctl_fs_path -> 0 */
	CTL_MSG_FS_RENAME    = PROTO_CLIENT + 0x8c, /* ctl_fs_rename -> 0 */
	CTL_MSG_FS_STATFS    = PROTO_CLIENT + 0x8d, /* ctl_fs_statfs -> 0, filled in */
	CTL_MSG_FS_SYNC      = PROTO_CLIENT + 0x8e, /* ctl_fs_handle (unused) -> 0 */
	CTL_MSG_FS_UTIMENS   = PROTO_CLIENT + 0x8f, /* ctl_fs_path (atime, mtime) -> 0 */
	CTL_MSG_FS_SETRO     = PROTO_CLIENT + 0x90, /* ctl_fs_path (flags: 1 ro, 0 not) -> 0 */
};

struct ctl_hello {
	uint32_t version;               /* CTL_VERSION of the sender */
	uint32_t pid;                   /* out: the daemon's Linux pid */
	uint32_t uid;                   /* out: the daemon's Linux uid */
	const char *image;              /* out: the image it serves */
	uint32_t image_len;
	const char *account;            /* out: the NanoOs account this client is */
	uint32_t account_len;
};

struct ctl_text {
	const char *text;
	uint32_t text_len;
};

struct ctl_upload {
	uint32_t offset;                /* where data goes in the program */
	uint32_t total;                 /* the program's whole size (<= 32 MiB) */
	const void *data;
	uint32_t data_len;
};

#define CTL_RUN_TTY   0x1u              /* the client's stdin is a terminal */
#define CTL_RUN_LOGIN 0x2u              /* start login (a login: prompt), not prog */
#define CTL_RUN_HOST  0x4u              /* prog is the UPLOADed host program */
#define CTL_RUN_SHELL 0x8u              /* the account's shell, as a login shell */

struct ctl_run {
	uint32_t flags;                 /* CTL_RUN_* */
	uint16_t rows, cols;            /* the terminal's size (0: unknown) */
	uint32_t mem;                   /* guest space in bytes (0: the default) */
	const char *prog;               /* path on the volume, or the host path (HOST) */
	uint32_t prog_len;
	const char *argv;               /* NUL-separated, each NUL-terminated */
	uint32_t argv_len;
	const char *envp;               /* NUL-separated; empty: the daemon's defaults */
	uint32_t envp_len;
	const char *cwd;                /* on the volume; empty: the account's home */
	uint32_t cwd_len;
};

struct ctl_data {
	uint32_t stream;                /* OUTPUT: 1 stdout, 2 stderr; INPUT: 0 */
	const void *data;
	uint32_t data_len;
};

struct ctl_winsize {
	uint16_t rows, cols;
};

struct ctl_signal {
	uint32_t sig;                   /* Linux numbering */
};

struct ctl_exit {
	int32_t wstatus;                /* Linux wait status of the session's program */
};

struct ctl_kill {
	int32_t pid;                    /* > 0 a guest, < -1 a process group */
	uint32_t sig;
};

/* ps: records of CTL_PS_REC bytes, little-endian, at these offsets. */
#define CTL_PS_REC 112u
#define CTL_PS_PID      0               /* u32 */
#define CTL_PS_PPID     4               /* u32 */
#define CTL_PS_PGID     8               /* u32 */
#define CTL_PS_SID     12               /* u32 */
#define CTL_PS_UID     16               /* u32 */
#define CTL_PS_START   20               /* u32 Unix seconds */
#define CTL_PS_INSTRET 24               /* u64 */
#define CTL_PS_STATE   32               /* u8: R S T Z */
#define CTL_PS_USER    33               /* char[32], NUL-padded */
#define CTL_PS_CMD     65               /* char[47], NUL-padded */
#define CTL_PS_RECS_MAX 8192u           /* records in one reply (~900 KiB) */

struct ctl_ps {
	uint32_t skip;                  /* records to skip (paging through big tables) */
	uint32_t total;                 /* out: processes in the table */
	const void *recs;               /* out: count * CTL_PS_REC bytes */
	uint32_t recs_len;
};

struct ctl_status {
	uint32_t pid;                   /* out: the daemon's Linux pid */
	uint32_t procs;                 /* out: guests in the table */
	uint32_t sessions;              /* out: attached clients */
	uint32_t workers;               /* out: CPU workers */
	uint64_t started;               /* out: Unix seconds */
	uint64_t mem_used;              /* out: guest memory in use, bytes */
	uint64_t rss;                   /* out: the daemon's resident set, bytes */
	uint64_t vol_total, vol_free;   /* out: bytes on the volume */
	const char *image;              /* out */
	uint32_t image_len;
	const char *version;            /* out: the daemon's software version */
	uint32_t version_len;
};

/* ---- FUSE forwarding ---- */
#define CTL_FS_DATA_MAX (1u << 20)      /* bytes of one FS_READ/FS_WRITE (FUSE's 1 MiB) */
#define CTL_FS_READDIR_MAX 64u          /* entries in one FS_READDIR reply */
/* FS_READDIR records, little-endian: u32 size, mtime, ctime, atime; u8 attr,
 * is_dir; u16 name_len; then the name's bytes (no NUL). */
#define CTL_FS_DIRENT_FIXED 20u
#define CTL_FS_RECS_MAX (CTL_FS_READDIR_MAX * (CTL_FS_DIRENT_FIXED + FS_NAME_MAX))

struct ctl_fs_path {
	uint32_t flags;                 /* OPEN: FS_O_*; SETRO: 1 read-only, 0 not */
	uint32_t atime, mtime;          /* UTIMENS: Unix seconds, FAT_TIME_NOW/_OMIT */
	const char *path;               /* absolute on the volume */
	uint32_t path_len;
};

struct ctl_fs_handle {
	int32_t handle;
	uint32_t arg;                   /* FTRUNCATE: the length */
};

/* data is the last field: a frame's data can be sent or received in place
 * after its head (ctl_encode_head). */
struct ctl_fs_io {
	int32_t handle;
	uint32_t len;                   /* READ: bytes wanted (<= CTL_FS_DATA_MAX) */
	int64_t offset;
	const void *data;               /* WRITE: the bytes; READ reply: what was read */
	uint32_t data_len;
};
#define CTL_FS_IO_FIXED 20u             /* its payload before the data: fields, data_len */

struct ctl_fs_stat {
	int32_t handle;                 /* FSTAT */
	const char *path;               /* STAT */
	uint32_t path_len;
	struct fs_stat st;              /* out */
};

struct ctl_fs_readdir {
	int32_t handle;                 /* opened with FS_O_DIRECTORY */
	uint32_t max;                   /* entries wanted (<= CTL_FS_READDIR_MAX) */
	const void *recs;               /* out: the entries (records above) */
	uint32_t recs_len;
};

struct ctl_fs_rename {
	uint32_t flags;                 /* FS_RENAME_NOREPLACE */
	const char *from;
	uint32_t from_len;
	const char *to;
	uint32_t to_len;
};

struct ctl_fs_statfs {               /* out: struct fs_statfs */
	uint32_t total_clusters, free_clusters, cluster_size;
	uint8_t fat_type, dirty_at_mount;
	const char *label;
	uint32_t label_len;
};

/* Any payload above: what a decoded frame holds (wire_decode fills it). */
union ctl_payload {
	struct ctl_hello hello;
	struct ctl_text text;
	struct ctl_upload upload;
	struct ctl_run run;
	struct ctl_data data;
	struct ctl_winsize winsize;
	struct ctl_signal signal;
	struct ctl_exit exit;
	struct ctl_ps ps;
	struct ctl_kill kill;
	struct ctl_status status;
	struct ctl_fs_path fs_path;
	struct ctl_fs_handle fs_handle;
	struct ctl_fs_io fs_io;
	struct ctl_fs_stat fs_stat;
	struct ctl_fs_readdir fs_readdir;
	struct ctl_fs_rename fs_rename;
	struct ctl_fs_statfs fs_statfs;
};

/* The layout of every type above, for wire_encode/wire_decode. */
extern const struct wire_layout ctl_layouts[];
extern const size_t ctl_nlayouts;

/* The frame of `payload` (of type `type`, whose layout ends in a buffer)
 * without that buffer's bytes: everything up to them, with the buffer's
 * length and the header's saying data_len bytes follow. The caller sends
 * (or has placed) the data right after. Bytes written, or -NOS_E*. */
int32_t ctl_encode_head(uint16_t type, uint16_t flags, int32_t status, uint32_t tag,
                        const void *payload, uint32_t data_len, uint8_t *out, size_t cap);

#endif
