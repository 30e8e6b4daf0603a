/*
 * run_cmd.c: `nanoos run [--image IMG] [--mem SIZE] [--stats] [--trace]
 * PROG [ARGS...]`: run one RV32 program on NanoOs and pass its exit status
 * through. With no daemon it boots an instance in this process on the
 * image (the default image is made from the rootfs on first use).
 *
 * PROG: `/path` is on the volume; `./x`, `../x` or `--host PATH` is a host
 * file; a bare name is looked up in /bin on the volume. ^C (SIGINT),
 * SIGTERM and SIGHUP go to the guest's process group.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/instance.h"
#include "cli/run_cmd.h"
#include "kproc/fs.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/worker.h"

#define CMD "run"
#define PROG_MAX (32u << 20)

struct run_opts {
	const char *image;
	const char *host;
	uint64_t mem;
	int stats, trace;
	unsigned workers;
};

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
	        "Run an RV32 program on NanoOs; its exit status becomes ours.\n"
	        "  PROG         /path on the volume, ./x or ../x on the host, or a name in /bin\n"
	        "  --host PATH  a program file on the host\n"
	        "  --image IMG  the SD image (default: $NANOOS_IMAGE, else\n"
	        "               ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img, made on first use)\n"
	        "  --mem SIZE   the guest's address space (default 64M)\n"
	        "  --stats      print instructions, MIPS and system calls at the end\n"
	        "  --trace      print each system call with its arguments and result\n");
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
	fprintf(stderr, "nanoos run: creating the default image %s from %s\n", img, rootfs);
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

/* ---------------------------------------------------------------- running */

struct guest_run {
	struct instance *in;
	struct program *prog;
	const struct run_opts *o;
	char **argv;
	uint32_t pid;
};

static const char *guest_env[] = {
	"PATH=/bin", "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh",
	NULL, NULL,
};

static int start(struct guest_run *r)
{
	struct sched_spawn sp;
	struct worker_start ws;
	char term[128];
	msg_t m;
	int rc;

	memset(&sp, 0, sizeof(sp));
	sp.cred.uid = 0;
	snprintf(sp.cred.name, sizeof(sp.cred.name), "root");
	sp.cmd = r->prog->path;
	msg_init(&m, SCHED_MSG_SPAWN, &sp, sizeof(sp));
	rc = msg_call(r->in->sched, &m, MSG_FOREVER);
	if (rc < 0) {
		cli_error(CMD, r->prog->path, "sched refused a new process: %s", nos_strerror(rc));
		return -1;
	}
	r->pid = sp.pid;
	snprintf(term, sizeof(term), "TERM=%s", getenv("TERM") ? getenv("TERM") : "vt100");
	guest_env[5] = term;
	memset(&ws, 0, sizeof(ws));
	ws.pid = sp.pid;
	ws.image = r->prog->image;
	ws.image_len = r->prog->len;
	ws.path = r->prog->path;
	ws.argv = (const char *const *)r->argv;
	ws.envp = guest_env;
	ws.cred = sp.cred;
	ws.cwd = "/";
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

static int exit_code(int wstatus)
{
	if ((wstatus & 0x7f) == 0)
		return (wstatus >> 8) & 0xff;
	return 128 + (wstatus & 0x7f);
}

static void print_stats(const struct sched_wait *w, uint64_t ns)
{
	double secs = (double)ns / 1e9;

	fprintf(stderr, "nanoos run: %llu instructions in %.3f s (%.1f MIPS), %llu system calls\n",
	        (unsigned long long)w->instret, secs,
	        secs > 0 ? (double)w->instret / secs / 1e6 : 0.0,
	        (unsigned long long)w->syscalls);
}

static int run(struct run_opts *o, char **argv)
{
	struct program prog;
	struct instance in;
	struct guest_run r;
	struct sched_wait w;
	char img[4096];
	const char *prog_arg = o->host ? o->host : argv[0];
	uint64_t t0;
	int status = -1, code;

	memset(&prog, 0, sizeof(prog));
	if (pick_image(o, img, sizeof(img)) < 0)
		return 1;
	if ((o->host || is_host_path(prog_arg)) && read_host(prog_arg, &prog) < 0)
		return 127;
	if (msg_init_runtime("nanoos") < 0) {
		cli_error(CMD, NULL, "cannot start the message runtime; please report it");
		return 1;
	}
	if (instance_boot(&in, img, o->workers) < 0) {
		cli_error(CMD, NULL, "%s", in.err);
		instance_halt(&in);
		return 1;
	}
	code = 127;
	if (!prog.image) {
		char path[FS_PATH_MAX];

		snprintf(path, sizeof(path), "%s%s", prog_arg[0] == '/' ? "" : "/bin/", prog_arg);
		if (read_volume(in.fs, img, path, &prog) < 0)
			goto halt;
	}
	memset(&r, 0, sizeof(r));
	r.in = &in;
	r.prog = &prog;
	r.o = o;
	r.argv = o->host ? argv - 1 : argv;
	if (o->host)
		r.argv[0] = (char *)o->host;
	t0 = msg_now_ns();
	status = start(&r);
	if (status < 0) {
		code = status == -2 ? 126 : 127;
		goto halt;
	}
	status = wait_guest(&r, &w);
	code = status < 0 ? 1 : exit_code(status);
	if (o->stats && status >= 0)
		print_stats(&w, msg_now_ns() - t0);
halt:
	if (instance_halt(&in) < 0) {
		cli_error(CMD, NULL, "%s", in.err);
		if (code == 0)
			code = 1;
	}
	free(prog.image);
	return code;
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
	o.mem = GUEST_MEM_DEFAULT;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
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
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	return run(&o, argv + optind);
}
