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
	/* PROTO_CLIENT + 0x80 ..: FUSE forwarding (DESIGN.md section 8, later). */
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
};

/* The layout of every type above, for wire_encode/wire_decode. */
extern const struct wire_layout ctl_layouts[];
extern const size_t ctl_nlayouts;

#endif
