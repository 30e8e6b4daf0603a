/*
 * daemon.h: the parts of nanoosd and what they share.
 *
 *   main.c     options, paths, daemonizing, the instance's own thread
 *   paths.c    where the socket and the image are (DESIGN.md section 7)
 *   log.c      leveled log lines to stderr, the journal or a log file
 *   listen.c   the listening socket, stale/live detection, the accept thread
 *   conn.c     one connection: peer credentials, reading and writing frames
 *   session.c  the thread of one connection: HELLO, then its requests
 *   run.c      RUN: a console on the connection, the guest, its exit
 *   fsfwd.c    FS_*: a remote mount's requests, served by calling fs
 *   info.c     PS, KILL, STATUS
 *   broker.c   work only the instance's own thread may do (fs, workers)
 *
 * Threads: the main thread booted the instance, so fs and the workers
 * trust it alone; it serves daemon_call() for the sessions. The accept
 * thread is a plain thread. Each connection has a session thread attached
 * to the runtime as ("session", N); a RUN adds ("console", N) and a reader
 * of the socket attached as ("conin", N), which the console takes input from.
 */
#ifndef NOS_NANOOSD_DAEMON_H
#define NOS_NANOOSD_DAEMON_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/instance.h"
#include "kproc/proto.h"
#include "nanoosd/ctl.h"

/* Sessions are ("session", 1..SESSIONS_MAX); each RUN takes 3 of the
 * runtime's 256 process slots (session, console, reader). */
#define SESSIONS_MAX FS_SESSIONS_MAX   /* fs trusts these (kproc/proto.h) */

/* ---- log.c ---- */
enum { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };
extern int log_level;
void log_init(const char *file);        /* NULL: stderr */
void log_reopen(void);                  /* SIGHUP */

/* notify.c: tell systemd (Type=notify) "READY=1" or "STOPPING=1". */
void notify_systemd(const char *state);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_parse_level(const char *s);     /* LOG_* or -1 */

/* ---- paths.c ---- */
/* 0, or -1 with why[] saying what is wrong and what to do. */
int paths_image(const char *opt, char *out, size_t n, char *why, size_t whyn);
/* The socket path; *system set when it is the system socket. */
int paths_socket(const char *opt, int want_system, char *out, size_t n, int *system,
                 char *why, size_t whyn);
/* Make (0700, or 0755 for the system one) and vet the socket's directory. */
int paths_socket_dir(const char *sock, int system, int check_owner, char *why, size_t whyn);

/* ---- conn.c ---- */
struct conn {
	int fd;
	pid_t peer_pid;
	uid_t peer_uid;
	gid_t peer_gid;
	unsigned index;                     /* session N */
	pthread_mutex_t wlock;              /* one frame at a time on the socket */
	int dead;                           /* atomic: the client is gone or we hang up */
	int said_hello;
	uint64_t read_deadline_ns;          /* monotonic; 0: none (a probe's wait) */
	struct users_account acct;
	uint8_t *upload;                    /* UPLOADed host program */
	uint32_t upload_total, upload_have;
	struct fsfwd *fs;                   /* a mount's handles (fsfwd.c); NULL: not a mount */
	struct conn *next;                  /* in the daemon's list */
};

/* A decoded request: the frame's header and payload (buffers point into
 * the frame, which the conn owns until conn_frame_free). */
struct frame {
	struct wire_header h;
	union ctl_payload u;
	uint8_t *bytes;
};

int conn_peer(struct conn *c);         /* SO_PEERCRED: 0 or -errno */
/* Read one frame: 1, 0 at EOF, -1 when the client is gone or the frame is
 * malformed (logged, with why); never allocates before checking lengths. */
int conn_read(struct conn *c, struct frame *f);
void conn_frame_free(struct frame *f);
/* Send a frame: 0, or -1 once the client is gone (never blocks forever). */
int conn_send(struct conn *c, uint16_t type, uint16_t flags, int32_t status, uint32_t tag,
              void *payload, uint32_t size);
int conn_send_locked(struct conn *c, uint16_t type, uint16_t flags, int32_t status,
                     uint32_t tag, void *payload, uint32_t size);
/* Send bytes that are whole frames already: 0 or -1 (as conn_send). */
int conn_send_raw(struct conn *c, const uint8_t *buf, size_t n);
/* CTL_MSG_ERROR with a text. */
int conn_error(struct conn *c, uint32_t tag, int32_t status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void conn_hang_up(struct conn *c);     /* mark dead, wake its readers and writers */
/* End our side after a last word (an ERROR) and drain what the client
 * still sends for up to a second: closing with its bytes unread would
 * reset the connection, and the client could lose that word. */
void conn_close_gently(struct conn *c);
int conn_is_dead(struct conn *c);

/* ---- daemon-wide state (main.c) ---- */
struct daemon {
	struct instance in;
	char image[4096];
	char socket[4096];
	int system;                         /* the system socket */
	uid_t uid;                          /* ours */
	gid_t nanoos_gid;                   /* group nanoos, or (gid_t)-1 */
	msg_pid_t main_pid;                 /* the instance's own thread */
	uint64_t started;                   /* Unix seconds */
	int stopping;                       /* atomic */
	int wake_fd[2];                     /* self-pipe: signals and STOP wake the accept thread */
	pthread_mutex_t lock;               /* guards conns, nconns, used[] */
	struct conn *conns;
	unsigned nconns;
	uint8_t used[SESSIONS_MAX + 1];
};

extern struct daemon D;

void daemon_request_stop(const char *why);   /* async-signal-safe when why is NULL */
int daemon_stopping(void);

/* ---- listen.c ---- */
/* Refuse a live daemon on the socket (exit status 1 with its pid), replace a
 * stale one. 0 or -1 (why printed). */
int listen_check_existing(const char *sock);
int listen_open(const char *sock, int system);   /* the listening fd or -1 */
int listen_start(int fd);                         /* the accept thread */
void listen_join(void);

/* ---- session.c ---- */
void *session_main(void *arg);                   /* a struct conn * */
void session_done(struct conn *c);               /* leave the list, free */
int session_is_admin(const struct conn *c);      /* the daemon's uid or root */
/* USERS_MSG_LOOKUP by name (from a session thread): 0 or -NOS_E*. */
int session_lookup_account(const char *name, struct users_account *acct);

/* ---- run.c ---- */
/* Serve a RUN until the guest exits and its EXIT is sent. */
void run_session(struct conn *c, struct frame *f);

/* ---- fsfwd.c ---- */
int fsfwd_is_request(uint16_t type);             /* a CTL_MSG_FS_* */
/* Serve one FS_* request on the session thread: 0, or -1 to end the
 * connection (it is gone, or the frame was out of range). */
int fsfwd_serve(struct conn *c, struct frame *f);
/* The connection ended: close the handles it opened (session thread). */
void fsfwd_end(struct conn *c);

/* ---- info.c ---- */
void info_ps(struct conn *c, struct frame *f);
void info_kill(struct conn *c, struct frame *f);
void info_status(struct conn *c, struct frame *f);
/* The process table: count filled, or -NOS_E*. *ents is malloc'd. */
int info_table(struct sched_ps_entry **ents);

/* ---- broker.c ---- */
/* Run fn(arg) on the instance's own thread (which fs and the workers
 * trust); its result. */
int32_t daemon_call(int32_t (*fn)(void *arg), void *arg);
/* The main thread's loop: serve daemon_call until stop; returns then. */
void broker_serve(void);
/* Serve calls for up to ns (during shutdown). */
void broker_serve_for(int64_t ns);

#endif
