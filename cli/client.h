/*
 * client.h: the `nanoos` command's side of the control socket
 * (nanoosd/ctl.h): find the daemon's socket (DESIGN.md section 7), connect,
 * say HELLO, and send and receive wire frames (msg/wire.h).
 *
 * To use: client_connect(); then client_call() for a request and its one
 * answer (PS, KILL, STATUS, STOP, UPLOAD), or client_queue() +
 * client_flush() and client_fill() + client_next() for a session's
 * streams on a non-blocking socket (cli/remote_run in run_cmd.c).
 */
#ifndef NOS_CLIENT_H
#define NOS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "nanoosd/ctl.h"

#define CLIENT_PATHS 3                  /* NANOOS_SOCKET, or user + system */
#define CLIENT_PATH_MAX 108             /* sun_path */


struct client {
	int fd;
	char path[CLIENT_PATH_MAX];        /* the socket that answered */
	uint32_t next_tag;
	uint32_t daemon_pid, daemon_uid;
	char image[4096];                  /* the image the daemon serves */
	char account[64];                  /* who the daemon says we are */
	uint8_t *in;                       /* received bytes, not yet a whole frame */
	size_t in_len, in_cap;
	size_t in_taken;                   /* the frame client_next gave out last */
	uint8_t *out;                      /* queued bytes, not yet sent */
	size_t out_len, out_cap;
	int eof;                           /* the daemon closed the connection */
};

/* The socket paths to try, in order; how many. */
int client_socket_paths(char paths[CLIENT_PATHS][CLIENT_PATH_MAX]);

/* Connect to the first daemon that answers and say HELLO.
 * 0: connected. -NOS_ENOENT: no daemon answers (nothing printed).
 * -NOS_EACCES: none answers, and the system socket is there but not ours
 * to use (not in group nanoos; nothing printed: client_denied says it).
 * -1: a daemon answered but refused us (its text printed as `nanoos CMD`). */
int client_connect(struct client *c, const char *cmd);

/* Why the system socket refused us, and the fix, on stderr; then, when
 * instead is not NULL, what we do instead ("running in this process"). */
void client_denied(const char *cmd, const char *instead);
void client_close(struct client *c);

/* "nanoos CMD: no NanoOs daemon is running (looked at ...); start one
 * with `nanoosd --image IMG`" on stderr. */
void client_no_daemon(const char *cmd);

/* Connect for a verb that needs the daemon: 0, or 1 (the exit status)
 * after saying why not. */
int client_require(struct client *c, const char *cmd);

/* Send one request and wait for its answer (frames of other tags are
 * skipped). The reply's status (>= 0), decoded into reply (pointers into
 * the client's buffer, valid until the next receive); or -NOS_E* with the
 * daemon's text printed as `nanoos CMD: ...` (or a text of ours when the
 * connection broke). */
int client_call(struct client *c, const char *cmd, uint16_t type, void *payload, size_t size,
                union ctl_payload *reply);

/* Queue a frame (tag 0 for a stream frame). 0 or -NOS_E*. */
int client_queue(struct client *c, uint16_t type, uint32_t tag, void *payload, size_t size);
/* Send what is queued. blocking: until all is sent. 0, or -NOS_E* when the
 * connection broke. */
int client_flush(struct client *c, int blocking);
/* Read what the socket has (non-blocking). 0 (c->eof set when the daemon
 * closed or reset the connection: frames read before still count), or
 * -NOS_ENOMEM. */
int client_fill(struct client *c);
/* Take one whole frame out of what was read: 1 (h, p filled; pointers
 * valid until the next client_next/client_fill), 0 (not yet), or
 * -NOS_EBADMSG ... for a frame we cannot read. */
int client_next(struct client *c, struct wire_header *h, union ctl_payload *p);

/* The daemon's text of an ERROR frame as a C string (in static storage). */
const char *client_text(const struct ctl_text *t);

#endif
