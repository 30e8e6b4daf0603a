/*
 * run_cmd.c: `nanoos run [--image IMG] [--mem SIZE] [--stats] [--trace]
 * PROG [ARGS...]`: run one RV32 program on NanoOs and pass its exit status
 * through (128 + N when signal N killed it, like a shell).
 *
 * When a daemon answers (DESIGN.md section 7) the program runs there: a
 * session on the control socket (nanoosd/ctl.h) -- a host program goes up
 * first as UPLOAD pieces, then RUN; our stdin goes as INPUT (its end as an
 * empty INPUT), OUTPUT comes back to fds 1 and 2, EXIT ends it. A terminal
 * on stdin is raw for the session (the NanoOs console edits lines and
 * turns ^C into a signal) and restored on every way out; SIGWINCH sends
 * WINSIZE; SIGINT, SIGTERM and SIGHUP send SIGNAL when stdin is not a
 * terminal. (A terminal on stdin with stdout redirected counts as none:
 * see host_tty_interactive.) With no daemon (or `--image` naming an image no daemon
 * serves) it boots an instance in this process on the image (the default
 * image is made from the rootfs on first use). `nanoos shell` runs the
 * same two ways (shell_cmd.c).
 *
 * PROG: `/path` is on the volume; `./x`, `../x` or `--host PATH` is a host
 * file (an RV32 ELF); a bare name is looked up in /bin on the volume.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/host_tty.h"
#include "cli/instance.h"
#include "cli/run_cmd.h"
#include "kproc/fs.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/worker.h"

#define PROG_MAX (32u << 20)
#define CMD verb

/* The verb we run for ("run" or "shell"), for messages. */
static const char *verb = "run";

static volatile sig_atomic_t pending_signal;

static void on_signal(int sig)
{
	pending_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos run [--image IMG] [--mem SIZE] [--stats] [--trace] PROG [ARGS...]\n"
	        "       nanoos run [OPTIONS] --host PATH [ARGS...]\n\n"
	        "Run an RV32 program on NanoOs; its exit status becomes ours (128 + N when\n"
	        "signal N ended it). When a NanoOs daemon runs (nanoosd) the program runs\n"
	        "there, as the NanoOs account named like you; else in this process, as root,\n"
	        "on the image.\n"
	        "  PROG         /path on the volume, ./x or ../x on the host, or a name in /bin\n"
	        "  --host PATH  a program file on the host (an RV32 ELF: build it with nanoos-cc)\n"
	        "  --image IMG  the SD image (default: the daemon's, else $NANOOS_IMAGE, else\n"
	        "               ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img, made on first\n"
	        "               use); an image no daemon serves is run in this process\n"
	        "  --mem SIZE   the guest's address space (default 64M)\n"
	        "  --stats      print instructions, MIPS and system calls at the end (in-process)\n"
	        "  --trace      print each system call with its arguments and result (in-process)\n"
	        "  --workers N  CPU workers of the in-process instance (default: one per core)\n\n"
	        "The daemon's socket: $NANOOS_SOCKET, else $XDG_RUNTIME_DIR/nanoos/nanoosd.sock\n"
	        "(or /tmp/nanoos-$UID/nanoosd.sock), then /run/nanoos/nanoosd.sock.\n");
}
/* ---------------------------------------------------------------- the image */

static int default_image(char *out, size_t n)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		return snprintf(out, n, "%s/nanoos/sd.img", xdg) < (int)n ? 0 : -1;
	if (!home || !*home)
		return -1;
	return snprintf(out, n, "%s/.local/share/nanoos/sd.img", home) < (int)n ? 0 : -1;
}

/* The userland tree the default image is made from. */
static int find_rootfs(char *out, size_t n)
{
	char exe[2048];
	const char *env = getenv("NANOOS_ROOTFS");
	ssize_t len;
	struct stat st;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(out, n, "%s/../rootfs", exe);
			if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
				return 0;
		}
	}
	snprintf(out, n, "/usr/lib/nanoos/rootfs");
	return stat(out, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int mkdir_parents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Make the default image with `nanoos sdimage create --rootfs`. */
static int create_default(const char *img)
{
	char rootfs[4096], dir[4096];
	pid_t pid;
	int status;

	if (find_rootfs(rootfs, sizeof(rootfs)) < 0) {
		cli_error(CMD, img, "no image yet, and no userland to make one from; build it "
		          "with `make`, or set NANOOS_ROOTFS, or give --image IMG");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", img);
	if (mkdir_parents(dir) < 0) {
		cli_error(CMD, img, "cannot make its directory: %s", strerror(errno));
		return -1;
	}
	fprintf(stderr, "nanoos %s: creating the default image %s from %s\n", CMD, img, rootfs);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "nanoos", "sdimage", "create", img, "--size", "64M",
		      "--rootfs", rootfs, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		cli_error(CMD, img, "making the default image failed (see above)");
		return -1;
	}
	return 0;
}

static int pick_image(const struct run_opts *o, char *out, size_t n)
{
	const char *env = getenv("NANOOS_IMAGE");
	struct stat st;

	if (o->image) {
		snprintf(out, n, "%s", o->image);
		return 0;
	}
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	if (default_image(out, n) < 0) {
		cli_error(CMD, NULL, "HOME is not set, so there is no default image; "
		          "give --image IMG or set NANOOS_IMAGE");
		return -1;
	}
	if (stat(out, &st) == 0)
		return 0;
	return create_default(out);
}

/* ---------------------------------------------------------------- the program */

struct program {
	char path[FS_PATH_MAX];         /* as the guest sees it */
	uint8_t *image;
	uint32_t len;
};

static int read_host(const char *host, struct program *p)
{
	FILE *f = fopen(host, "rb");
	long size;

	if (!f) {
		cli_error(CMD, host, "%s; check the path", strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0 ||
	    size > (long)PROG_MAX) {
		cli_error(CMD, host, "cannot read it as a program (not a regular file, or more "
		          "than 32 MiB)");
		fclose(f);
		return -1;
	}
	p->image = malloc(size ? (size_t)size : 1);
	if (!p->image || fread(p->image, 1, (size_t)size, f) != (size_t)size) {
		cli_error(CMD, host, "cannot read it: %s", strerror(errno ? errno : EIO));
		fclose(f);
		return -1;
	}
	fclose(f);
	p->len = (uint32_t)size;
	snprintf(p->path, sizeof(p->path), "%s", host);
	return 0;
}

static int read_volume(msg_pid_t fs, const char *img, const char *path, struct program *p)
{
	static const struct fs_cred root = { 0, "root" };
	struct fs_stat st;
	int h = fs_open(fs, &root, path, FS_O_RDONLY);
	int32_t n;

	if (h < 0) {
		cli_error(CMD, path, "%s on %s; list the volume with `nanoos sdimage ls %s /bin`",
		          nos_strerror(h), img, img);
		return -1;
	}
	if (fs_fstat(fs, h, &st) < 0 || st.size > PROG_MAX) {
		cli_error(CMD, path, "cannot read it as a program (more than 32 MiB?)");
		fs_close(fs, h);
		return -1;
	}
	p->image = malloc(st.size ? st.size : 1);
	n = p->image ? fs_pread(fs, h, p->image, st.size, 0) : -NOS_ENOMEM;
	fs_close(fs, h);
	if (n < 0 || (uint32_t)n != st.size) {
		cli_error(CMD, path, "reading it failed: %s", nos_strerror(n < 0 ? n : -NOS_EIO));
		return -1;
	}
	p->len = st.size;
	snprintf(p->path, sizeof(p->path), "%s", path);
	return 0;
}

static int is_host_path(const char *prog)
{
	return strncmp(prog, "./", 2) == 0 || strncmp(prog, "../", 3) == 0;
}

/* An RV32 ELF file: 0, or -1 with what it is instead said. */
static int check_rv32_elf(const char *name, const uint8_t *b, uint32_t len)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	const char *what = NULL;

	if (len < 52 || memcmp(b, magic, 4) != 0)
		what = "not an ELF file";
	else if (b[4] != 1)
		what = "a 64-bit ELF file";
	else if (b[5] != 1)
		what = "a big-endian ELF file";
	else if ((b[18] | b[19] << 8) != 243)
		what = "an ELF file for another machine";
	if (!what)
		return 0;
	cli_error(CMD, name, "%s, not an RV32 program; NanoOs runs static RV32 ELF "
	          "programs: build them with nanoos-cc", what);
	return -1;
}

/* The program's path on the volume as typed: /path, or a name in /bin. */
static void volume_path(const char *prog, char *out, size_t n)
{
	snprintf(out, n, "%s%s", prog[0] == '/' ? "" : "/bin/", prog);
}

static int exit_code(int wstatus)
{
	if ((wstatus & 0x7f) == 0)
		return (wstatus >> 8) & 0xff;
	return 128 + (wstatus & 0x7f);
}

/* ---------------------------------------------------------------- through the daemon */

static int same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!realpath(a, ra) || !realpath(b, rb))
		return strcmp(a, b) == 0;
	return strcmp(ra, rb) == 0;
}

int run_connect(struct client *c, const struct run_opts *o)
{
	int rc = client_connect(c, o->cmd);

	if (rc < 0)
		return rc;
	if (o->image && !same_file(o->image, c->image)) {
		client_close(c);                /* that daemon serves another image */
		return -NOS_ENOENT;
	}
	return 0;
}

/* Send a host program up in pieces. 0 or -1 (said why). */
static int upload(struct client *c, const uint8_t *img, uint32_t len)
{
	union ctl_payload r;
	uint32_t off = 0;

	do {
		struct ctl_upload u;

		u.offset = off;
		u.total = len;
		u.data = img + off;
		u.data_len = len - off < CTL_DATA_MAX ? len - off : CTL_DATA_MAX;
		if (client_call(c, CMD, CTL_MSG_UPLOAD, &u, sizeof(u), &r) < 0)
			return -1;
		off += u.data_len;
	} while (off < len);
	return 0;
}

/* argv as the protocol carries it: each string NUL-terminated, back to back. */
static char *pack_args(char **argv, uint32_t *len)
{
	size_t n = 0, i;
	char *out, *p;

	for (i = 0; argv[i]; i++)
		n += strlen(argv[i]) + 1;
	if (n > CTL_ARGS_MAX || !(out = malloc(n ? n : 1)))
		return NULL;
	for (p = out, i = 0; argv[i]; i++)
		p = stpcpy(p, argv[i]) + 1;
	*len = (uint32_t)n;
	return out;
}

/* One session's pump: stdin -> INPUT, OUTPUT -> fds 1 and 2, signals. */
struct session {
	struct client *c;
	uint32_t run_tag;
	int tty;                        /* stdin is a terminal we made raw */
	int stdin_open;
	int stream_closed[3];           /* our fd 1 or 2 refused a write */
	int done, code;
};

static int sig_pipe[2] = { -1, -1 };

static void on_session_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int e = errno;

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* full: the loop has signals to read already */
	}
	errno = e;
}

static int catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };
	struct sigaction sa;
	size_t i;

	if (sig_pipe[0] < 0 && pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_session_signal;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void queue_signal(struct session *s, int sig)
{
	struct ctl_signal k = { (uint32_t)sig };

	client_queue(s->c, CTL_MSG_SIGNAL, 0, &k, sizeof(k));
}

static void take_signals(struct session *s)
{
	unsigned char b[16];
	ssize_t n, i;

	while ((n = read(sig_pipe[0], b, sizeof(b))) > 0) {
		for (i = 0; i < n; i++) {
			struct ctl_winsize w;

			if (b[i] == SIGWINCH) {
				if (s->tty && host_tty_size(&w.rows, &w.cols) == 0)
					client_queue(s->c, CTL_MSG_WINSIZE, 0, &w, sizeof(w));
			} else if (b[i] == SIGHUP && s->tty) {
				s->done = 1;            /* our terminal is gone: hang up */
				s->code = 128 + SIGHUP;
			} else {
				queue_signal(s, b[i]);
			}
		}
	}
}

static void take_stdin(struct session *s)
{
	static char buf[CTL_DATA_MAX];
	ssize_t n = read(0, buf, s->tty ? 4096 : sizeof(buf));
	struct ctl_data d = { 0, buf, 0 };

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0 && s->tty) {
		s->done = 1;                    /* our terminal is gone: hang up */
		s->code = 128 + SIGHUP;
		return;
	}
	if (n > 0)
		d.data_len = (uint32_t)n;
	else
		s->stdin_open = 0;              /* the end of input, sent as an empty INPUT */
	client_queue(s->c, CTL_MSG_INPUT, 0, &d, sizeof(d));
}

static void write_out(struct session *s, const struct ctl_data *d)
{
	unsigned fd = d->stream == 2 ? 2 : 1;
	const char *p = d->data;
	uint32_t done = 0;

	while (!s->stream_closed[fd] && done < d->data_len) {
		ssize_t n = write((int)fd, p + done, d->data_len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s->stream_closed[fd] = 1;   /* like a closed pipe: the writer gets SIGPIPE */
			if (fd == 1)
				queue_signal(s, SIGPIPE);
			break;
		}
		done += (uint32_t)n;
	}
}

/* The answer to RUN: an ERROR says why the program did not start. */
static void run_refused(struct session *s, const struct wire_header *h, const struct ctl_text *t)
{
	cli_error(CMD, NULL, "%s", client_text(t));
	s->done = 1;
	s->code = h->status == -NOS_ENOENT ? 127 :
	          h->status == -NOS_ENOEXEC || h->status == -NOS_EACCES ? 126 : 1;
}

static void take_frame(struct session *s, const struct wire_header *h, union ctl_payload *p)
{
	if (h->type == CTL_MSG_ERROR && h->from == s->run_tag)
		run_refused(s, h, &p->text);
	else if (h->type == CTL_MSG_ERROR)
		cli_error(CMD, NULL, "%s", client_text(&p->text));
	else if (h->type == CTL_MSG_OUTPUT)
		write_out(s, &p->data);
	else if (h->type == CTL_MSG_EXIT) {
		s->done = 1;
		s->code = exit_code(p->exit.wstatus);
	}
	/* The RUN reply (the guest's pid) needs nothing more. */
}

static void take_socket(struct session *s)
{
	struct wire_header h;
	union ctl_payload p;
	int rc = client_fill(s->c);

	while (rc >= 0 && !s->done && (rc = client_next(s->c, &h, &p)) > 0)
		take_frame(s, &h, &p);
	if (s->done)
		return;
	if (rc < 0 || s->c->eof) {
		cli_error(CMD, s->c->path, "the daemon ended the session before the program "
		          "did (%s); see the daemon's log", rc < 0 ? nos_strerror(rc) :
		          "connection closed");
		s->done = 1;
		s->code = 1;
	}
}

#define QUEUE_HIGH (256u * 1024u)     /* read no more stdin while this much waits */

static void pump(struct session *s)
{
	while (!s->done) {
		struct pollfd p[3] = {
			{ s->c->fd, (short)(POLLIN | (s->c->out_len ? POLLOUT : 0)), 0 },
			{ sig_pipe[0], POLLIN, 0 },
			{ 0, POLLIN, 0 },
		};
		int n = s->stdin_open && s->c->out_len < QUEUE_HIGH ? 3 : 2;

		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			take_signals(s);
		if (n == 3 && p[2].revents)
			take_stdin(s);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			take_socket(s);
		if (!s->done && client_flush(s->c, 0) < 0) {
			/* It takes no more (the program may have ended without
			 * reading it all): drop our input, read what it said. */
			s->c->out_len = 0;
			s->stdin_open = 0;
		}
	}
}

/* The RUN request for what o asks. 0 or an exit status (said why). */
static int prepare_run(struct client *c, const struct run_opts *o, char **argv,
                       struct ctl_run *r, char *prog, size_t prog_n)
{
	const char *arg = o->host ? o->host : argv[0];
	static char *none[] = { NULL };

	memset(r, 0, sizeof(*r));
	r->mem = (uint32_t)o->mem;
	r->flags = o->what == RUN_SHELL ? CTL_RUN_SHELL : o->what == RUN_LOGIN ? CTL_RUN_LOGIN : 0;
	if (o->what == RUN_PROG && (o->host || is_host_path(arg))) {
		struct program hp;

		memset(&hp, 0, sizeof(hp));
		if (read_host(arg, &hp) < 0)
			return 127;
		if (check_rv32_elf(arg, hp.image, hp.len) < 0 || upload(c, hp.image, hp.len) < 0) {
			free(hp.image);
			return 126;
		}
		free(hp.image);
		r->flags |= CTL_RUN_HOST;
		snprintf(prog, prog_n, "%s", arg);
	} else if (o->what == RUN_PROG) {
		volume_path(arg, prog, prog_n);
	} else {
		prog[0] = 0;
		argv = none;
	}
	if (o->host)
		argv[-1] = (char *)o->host;   /* argv[0] is the host path */
	r->prog = prog;
	r->prog_len = (uint32_t)strlen(prog);
	r->argv = pack_args(o->host ? argv - 1 : argv, &r->argv_len);
	if (!r->argv) {
		cli_error(CMD, NULL, "the arguments are over %u KiB; pass fewer", CTL_ARGS_MAX >> 10);
		return 2;
	}
	if (host_tty_interactive()) {
		static char term[128];
		const char *t = getenv("TERM");

		r->flags |= CTL_RUN_TTY;
		host_tty_size(&r->rows, &r->cols);
		/* Our terminal's kind, over the daemon's default (its other
		 * variables stay the account's). */
		if (t && *t && strlen(t) < sizeof(term) - 6) {
			r->envp = term;
			r->envp_len = (uint32_t)snprintf(term, sizeof(term), "TERM=%s", t) + 1;
		}
	}
	return 0;
}

int run_remote(struct client *c, const struct run_opts *o, char **argv)
{
	struct session s;
	struct ctl_run r;
	struct termios saved;
	char prog[4096];
	int rc;

	verb = o->cmd;
	if (o->stats || o->trace)
		fprintf(stderr, "nanoos %s: --stats and --trace work without a daemon only; "
		        "running through the daemon on %s without them\n", CMD, c->image);
	rc = prepare_run(c, o, argv, &r, prog, sizeof(prog));
	if (rc)
		return rc;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.stdin_open = 1;
	s.run_tag = c->next_tag++;
	rc = client_queue(c, CTL_MSG_RUN, s.run_tag, &r, sizeof(r));
	free((char *)r.argv);
	if (rc < 0 || catch_signals() < 0) {
		cli_error(CMD, NULL, "cannot start the session: %s", nos_strerror(rc < 0 ? rc :
		          -NOS_EMFILE));
		return 1;
	}
	s.tty = host_tty_interactive() && host_tty_raw(0, &saved);
	pump(&s);
	if (s.tty)
		host_tty_restore(0, &saved);
	return s.code;
}

/* ---------------------------------------------------------------- in this process */

struct guest_run {
	struct instance *in;
	struct program *prog;
	const struct run_opts *o;
	const struct run_job *job;
	char **argv;
	uint32_t pid;
};

/* The guest's environment: who it is, and the host's TERM. */
static void guest_env(const struct run_job *job, char vars[6][128], const char *envp[7])
{
	const char *term = getenv("TERM");
	int i;

	snprintf(vars[0], 128, "PATH=/bin");
	snprintf(vars[1], 128, "HOME=%.63s", job->home);
	snprintf(vars[2], 128, "USER=%.31s", job->cred.name);
	snprintf(vars[3], 128, "LOGNAME=%.31s", job->cred.name);
	snprintf(vars[4], 128, "SHELL=/bin/sh");
	snprintf(vars[5], 128, "TERM=%.100s", term && *term ? term : "vt100");
	for (i = 0; i < 6; i++)
		envp[i] = vars[i];
	envp[6] = NULL;
}

static int start(struct guest_run *r)
{
	struct sched_spawn sp;
	struct worker_start ws;
	char vars[6][128];
	const char *envp[7];
	msg_t m;
	int rc;

	memset(&sp, 0, sizeof(sp));
	sp.cred = r->job->cred;
	sp.cmd = r->prog->path;
	msg_init(&m, SCHED_MSG_SPAWN, &sp, sizeof(sp));
	rc = msg_call(r->in->sched, &m, MSG_FOREVER);
	if (rc < 0) {
		cli_error(CMD, r->prog->path, "sched refused a new process: %s", nos_strerror(rc));
		return -1;
	}
	r->pid = sp.pid;
	/* Its group is the terminal's foreground before it runs: ^C and ^Z
	 * reach it, and its first read or tcgetpgrp finds itself in front. */
	host_tty_session(r->in->tty, sp.pid);
	guest_env(r->job, vars, envp);
	memset(&ws, 0, sizeof(ws));
	ws.pid = sp.pid;
	ws.image = r->prog->image;
	ws.image_len = r->prog->len;
	ws.path = r->prog->path;
	ws.argv = (const char *const *)r->argv;
	ws.envp = envp;
	ws.cred = sp.cred;
	ws.cwd = r->job->home[0] && r->o->what != RUN_PROG ? r->job->home : "/";
	ws.mem_size = (uint32_t)r->o->mem;
	ws.console = r->in->console;
	ws.trace = (uint32_t)r->o->trace;
	msg_init(&m, WORKER_MSG_START, &ws, sizeof(ws));
	rc = msg_call(sp.worker, &m, MSG_FOREVER);
	if (rc < 0) {
		struct sched_exited ex = { sp.pid, 127 << 8, 0, 0 };

		if (rc == -NOS_ENOEXEC)
			cli_error(CMD, r->prog->path, "%s; NanoOs runs static RV32 ELF programs: "
			          "build them with nanoos-cc", ws.why);
		else
			cli_error(CMD, r->prog->path, "%s", ws.why[0] ? ws.why : nos_strerror(rc));
		msg_init(&m, SCHED_MSG_EXITED, &ex, sizeof(ex));
		msg_call(r->in->sched, &m, MSG_FOREVER);
		return rc == -NOS_ENOEXEC ? -2 : -1;
	}
	return 0;
}

static void forward_signal(struct guest_run *r, int sig)
{
	struct sched_kill k = { 0, -(int32_t)r->pid, (uint32_t)sig };
	msg_t m;

	msg_init(&m, SCHED_MSG_KILL, &k, sizeof(k));
	msg_call(r->in->sched, &m, MSG_FOREVER);
}

/* Wait for the guest, passing our signals on. Its wait status, or -1. */
static int wait_guest(struct guest_run *r, struct sched_wait *w)
{
	msg_t m;
	int rc;

	memset(w, 0, sizeof(*w));
	w->waiter = 0;
	w->pid = (int32_t)r->pid;
	msg_init(&m, SCHED_MSG_WAIT, w, sizeof(*w));
	if (msg_send(r->in->sched, &m) < 0)
		return -1;
	for (;;) {
		rc = msg_wait(&m, 20000000);
		if (rc != -NOS_ETIMEDOUT)
			break;
		if (pending_signal) {
			int sig = pending_signal;

			pending_signal = 0;
			forward_signal(r, sig);
		}
	}
	return rc < 0 ? -1 : w->wstatus;
}

static void print_stats(const struct sched_wait *w, uint64_t ns)
{
	double secs = (double)ns / 1e9;

	fprintf(stderr, "nanoos run: %llu instructions in %.3f s (%.1f MIPS), %llu system calls\n",
	        (unsigned long long)w->instret, secs,
	        secs > 0 ? (double)w->instret / secs / 1e6 : 0.0,
	        (unsigned long long)w->syscalls);
}

/* Who runs what, now that the volume is up. 0 or -1 (said why). */
static int pick_job(struct instance *in, const char *img, const struct run_opts *o,
                    const char *prog_arg, struct run_job *job)
{
	memset(job, 0, sizeof(*job));
	snprintf(job->cred.name, sizeof(job->cred.name), "root");
	snprintf(job->home, sizeof(job->home), "/root");
	switch (o->what) {
	case RUN_SHELL:
		return shell_pick_account(in, img, job);
	case RUN_LOGIN:
		snprintf(job->prog, sizeof(job->prog), "/bin/login");
		snprintf(job->argv0, sizeof(job->argv0), "login");
		return 0;
	case RUN_PROG:
		volume_path(prog_arg, job->prog, sizeof(job->prog));
		return 0;
	}
	return -1;
}

/* Boot, run, halt. Our exit status. */
static int run_booted(struct instance *in, const char *img, const struct run_opts *o,
                      char **argv, struct program *prog)
{
	const char *prog_arg = o->host ? o->host : argv[0];
	char *job_argv[2];
	struct run_job job;
	struct guest_run r;
	struct sched_wait w;
	uint64_t t0;
	int status;

	if (pick_job(in, img, o, prog_arg, &job) < 0)
		return 1;
	if (!prog->image && read_volume(in->fs, img, job.prog, prog) < 0)
		return 127;
	memset(&r, 0, sizeof(r));
	r.in = in;
	r.prog = prog;
	r.o = o;
	r.job = &job;
	r.argv = o->host ? argv - 1 : argv;
	if (o->host)
		r.argv[0] = (char *)o->host;
	if (o->what != RUN_PROG) {
		job_argv[0] = job.argv0;
		job_argv[1] = NULL;
		r.argv = job_argv;
	}
	t0 = msg_now_ns();
	status = start(&r);
	if (status < 0)
		return status == -2 ? 126 : 127;
	status = wait_guest(&r, &w);
	if (o->stats && status >= 0)
		print_stats(&w, msg_now_ns() - t0);
	return status < 0 ? 1 : exit_code(status);
}

int run_local(const struct run_opts *o, char **argv)
{
	const char *prog_arg = o->host ? o->host : argv[0];
	struct program prog;
	struct instance in;
	char img[4096];
	int code;

	verb = o->cmd;
	memset(&prog, 0, sizeof(prog));
	if (pick_image(o, img, sizeof(img)) < 0)
		return 1;
	if (o->what == RUN_PROG && (o->host || is_host_path(prog_arg)) &&
	    read_host(prog_arg, &prog) < 0)
		return 127;
	if (msg_init_runtime("nanoos") < 0) {
		cli_error(CMD, NULL, "cannot start the message runtime; please report it");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (instance_boot(&in, img, o->workers) < 0) {
		cli_error(CMD, NULL, "%s", in.err);
		instance_halt(&in);
		return 1;
	}
	code = run_booted(&in, img, o, argv, &prog);
	if (instance_halt(&in) < 0) {
		cli_error(CMD, NULL, "%s", in.err);
		if (code == 0)
			code = 1;
	}
	free(prog.image);
	return code;
}

/* ---------------------------------------------------------------- the verb */

int run_either(const struct run_opts *o, char **argv)
{
	struct client c;
	int rc = run_connect(&c, o);

	if (rc == -NOS_ENOENT)
		return run_local(o, argv);
	if (rc < 0)
		return 1;
	rc = run_remote(&c, o, argv);
	client_close(&c);
	return rc;
}

int run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "mem", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 's' },
		{ "trace", no_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o;
	int c;

	memset(&o, 0, sizeof(o));
	o.cmd = "run";
	o.what = RUN_PROG;
	o.mem = GUEST_MEM_DEFAULT;
	/* --host PATH ends our options: what follows is the program's. */
	while (!o.host && (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.image = optarg;
			break;
		case 'm':
			if (cli_parse_size(optarg, &o.mem) < 0 || o.mem < (1u << 20) ||
			    o.mem > (1u << 30) || (o.mem & 4095)) {
				cli_error(CMD, optarg, "not a guest size; give 1M to 1G, e.g. --mem 64M");
				return 2;
			}
			break;
		case 's':
			o.stats = 1;
			break;
		case 't':
			o.trace = 1;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'w':
			o.workers = (unsigned)atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.host && optind >= argc) {
		cli_error(CMD, NULL, "no program given; usage: nanoos run PROG [ARGS...]");
		return 2;
	}
	return run_either(&o, argv + optind);
}
