/*
 * mount.c: `nanoos mount [--image IMG] DIR [-o OPTS] [--foreground]`
 * (mount.h): the volume on a Linux directory with libfuse3 in this process.
 *
 * Which volume: a nanoosd that answers on the socket and serves IMG (or
 * any image when no --image is given) gets every request forwarded
 * (fuse-bridge/remote.c); otherwise the image is booted here
 * (fuse-bridge/local.c), locked against every other opener.
 *
 * Without --foreground the command forks a server and returns (0) once the
 * mount is in place and answers: the server's stderr is a pipe to us until
 * it is ready, so whatever goes wrong before is printed here and becomes
 * our exit status; then the server says READY and its stdio goes to
 * /dev/null.
 *
 * Stopping: `nanoos umount DIR` (the kernel ends the session), or SIGTERM,
 * SIGINT, SIGHUP: a signal thread syncs the mount (the kernel writes its
 * cached pages back while the workers still serve) and unmounts; then the
 * backend syncs and stops, and the server exits.
 *
 * Sections: options -> checks -> the volume -> serving -> background -> main.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "fuse-bridge/mount.h"
#include "fuse-bridge/mounts.h"
#include "fuse-bridge/ops.h"
#include "fuse-bridge/remote.h"
#include "kproc/nos_errno.h"

#define CMD "mount"
#define READY_MARK "\001nanoos-mount-ready\n"
#define MAX_THREADS 16                  /* below FS_FUSE_THREADS_MAX */
#define MAX_IDLE_THREADS MAX_THREADS     /* kept, not churned */

struct mount_args {
	const char *image_arg;          /* --image, or NULL */
	char image[PATH_MAX];           /* the image to boot (absolute) */
	char dir[PATH_MAX];             /* the mount point (absolute) */
	int foreground;
	struct fb_view view;
	char fuse_opts[4096];           /* -o options for libfuse, "," separated */
};

/* ================================================================ options */

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos mount [--image IMG] DIR [-o OPTS] [--foreground]\n\n"
	        "Mount the NanoOs volume on the directory DIR with FUSE. When a daemon\n"
	        "(nanoosd) serves IMG, or no --image is given and one runs, requests go\n"
	        "through it, so Linux and NanoOs see one volume; otherwise the image is\n"
	        "opened here ($NANOOS_IMAGE, else ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img)\n"
	        "and nothing else may open it until `nanoos umount DIR`.\n\n"
	        "  --image IMG     the image (default as above)\n"
	        "  -o OPTS         comma-separated, as for vfat:\n"
	        "                    ro             read-only\n"
	        "                    uid=N,gid=N    owner shown for every file (default: you)\n"
	        "                    umask=OCT      bits no file or directory shows (022)\n"
	        "                    fmask=OCT, dmask=OCT  the same for files / directories\n"
	        "                  other options (allow_other, default_permissions, ...)\n"
	        "                  go to FUSE\n"
	        "  --foreground    stay in the foreground, log to stderr (^C unmounts)\n\n"
	        "FAT keeps no owners, modes or links: chmod only toggles the read-only\n"
	        "attribute (all write bits off), and symlinks, hard links, devices and\n"
	        "chown to another owner fail with EPERM, as on Linux's vfat.\n"
	        "Exit status: 0 mounted, 1 failed (stderr says why), 2 bad usage.\n");
}

/* A number in base (8 or 10), all of s, at most max. 0 or -1. */
static int parse_num(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s == 0 || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, base);
	return (errno || *end || *out > max) ? -1 : 0;
}

static void add_fuse_opt(struct mount_args *a, const char *opt)
{
	size_t len = strlen(a->fuse_opts);

	snprintf(a->fuse_opts + len, sizeof(a->fuse_opts) - len, "%s%s", len ? "," : "", opt);
}

/* One -o option. 0, or 2 after an error line. */
static int parse_opt(struct mount_args *a, char *opt, int *have_fmask, int *have_dmask,
                     unsigned long *umask_v)
{
	static const struct {
		const char *name;
		int base;
		unsigned long max;
	} nums[] = { { "uid=", 10, 0xfffffffeul }, { "gid=", 10, 0xfffffffeul },
	             { "umask=", 8, 0777 }, { "fmask=", 8, 0777 }, { "dmask=", 8, 0777 } };
	unsigned long v;
	size_t i, len;

	if (!strcmp(opt, "ro") || !strcmp(opt, "rw")) {
		a->view.read_only = opt[1] == 'o';
		return 0;
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		len = strlen(nums[i].name);
		if (strncmp(opt, nums[i].name, len) != 0)
			continue;
		if (parse_num(opt + len, nums[i].base, nums[i].max, &v) < 0) {
			cli_error(CMD, NULL, "-o %s: bad value; give %s", opt, nums[i].base == 8 ?
			          "an octal mask from 0 to 777 (e.g. umask=027)" :
			          "a number (e.g. uid=1000)");
			return 2;
		}
		switch (i) {
		case 0: a->view.uid = (uid_t)v; break;
		case 1: a->view.gid = (gid_t)v; break;
		case 2: *umask_v = v; break;
		case 3: a->view.fmask = (mode_t)v; *have_fmask = 1; break;
		case 4: a->view.dmask = (mode_t)v; *have_dmask = 1; break;
		}
		return 0;
	}
	if (!strncmp(opt, "fsname=", 7) || !strncmp(opt, "subtype=", 8)) {
		cli_error(CMD, NULL, "-o %s: nanoos names its mounts itself; leave it out", opt);
		return 2;
	}
	add_fuse_opt(a, opt);           /* libfuse judges the rest */
	return 0;
}

/* The -o list. 0, or 2 after an error line. */
static int parse_opts(struct mount_args *a, const char *list, int *have_fmask,
                      int *have_dmask, unsigned long *umask_v)
{
	char buf[4096], *save = NULL, *opt;
	int r;

	snprintf(buf, sizeof(buf), "%s", list);
	for (opt = strtok_r(buf, ",", &save); opt; opt = strtok_r(NULL, ",", &save))
		if ((r = parse_opt(a, opt, have_fmask, have_dmask, umask_v)) != 0)
			return r;
	return 0;
}

/* -1: go on; else the exit status (0 after --help). */
static int parse_args(struct mount_args *a, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long umask_v = 022;
	int c, r, have_fmask = 0, have_dmask = 0;

	memset(a, 0, sizeof(*a));
	a->view.uid = getuid();
	a->view.gid = getgid();
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:o:fh", longs, NULL)) != -1) {
		switch (c) {
		case 'i': a->image_arg = optarg; break;
		case 'f': a->foreground = 1; break;
		case 'h': usage(stdout); return 0;
		case 'o':
			r = parse_opts(a, optarg, &have_fmask, &have_dmask, &umask_v);
			if (r)
				return r;
			break;
		default:
			cli_error(CMD, NULL, "%s: %s; see `nanoos mount --help`", argv[optind - 1],
			          c == ':' || (optopt && strchr("io", optopt)) ? "needs a value"
			                                                      : "no such option");
			return 2;
		}
	}
	if (!have_fmask)
		a->view.fmask = (mode_t)umask_v;
	if (!have_dmask)
		a->view.dmask = (mode_t)umask_v;
	if (argc - optind != 1) {
		cli_error(CMD, NULL, "%s; usage: nanoos mount [--image IMG] DIR [-o OPTS] "
		          "[--foreground]", argc - optind ? "one DIR only" : "which directory?");
		return 2;
	}
	snprintf(a->dir, sizeof(a->dir), "%s", argv[optind]);
	return -1;
}

/* ================================================================ checks */

/* A mount whose server died answers ENOTCONN (stat may still come from
 * the kernel's cache; reading the directory does not). */
static int server_gone(const char *dir)
{
	DIR *d = opendir(dir);

	if (d != NULL) {
		closedir(d);
		return 0;
	}
	return errno == ENOTCONN;
}

/* The mount point: a directory, not mounted on already. 0 or 1. */
static int check_dir(struct mount_args *a)
{
	char canon[PATH_MAX], type[64], source[PATH_MAX];
	struct stat st;
	const char *given = a->dir;
	int r;

	if (stat(given, &st) < 0) {
		if (errno == ENOTCONN) {
			cli_error(CMD, given, "a dead mount is in the way (its server is gone); "
			          "clean it with `nanoos umount %s`", given);
		} else if (errno == ENOENT) {
			cli_error(CMD, given, "no such directory; create it with `mkdir -p %s`",
			          given);
		} else {
			cli_error(CMD, given, "%s; check the path", strerror(errno));
		}
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_error(CMD, given, "not a directory; mount on a directory (mkdir one)");
		return 1;
	}
	if ((r = fbm_canon(given, canon, sizeof(canon))) < 0) {
		cli_error(CMD, given, "%s; check the path", strerror(-r));
		return 1;
	}
	if (fbm_find(canon, type, sizeof(type), source, sizeof(source)) == 1) {
		if (!strcmp(type, FBM_TYPE) && server_gone(canon)) {
			cli_error(CMD, given, "a dead mount is in the way (its server is gone); "
			          "clean it with `nanoos umount %s`", given);
			return 1;
		}
		cli_error(CMD, given, "already a mount point (%s, %s); %s", type, source,
		          strcmp(type, FBM_TYPE) == 0 ? "it is mounted already; `nanoos umount` "
		          "it first" : "unmount it first or choose another directory");
		return 1;
	}
	snprintf(a->dir, sizeof(a->dir), "%s", canon);
	return 0;
}

/* FUSE itself: the device, and fusermount3 for users other than root. */
static int check_fuse(void)
{
	if (access("/dev/fuse", R_OK | W_OK) < 0) {
		cli_error(CMD, "/dev/fuse", "%s; load the module (modprobe fuse) and install "
		          "the fuse3 package", strerror(errno));
		return 1;
	}
	if (geteuid() != 0 && access("/usr/bin/fusermount3", X_OK) < 0 &&
	    access("/bin/fusermount3", X_OK) < 0) {
		cli_error(CMD, "fusermount3", "not installed; install the fuse3 package");
		return 1;
	}
	return 0;
}

/* A directory with files in it is allowed (as fusermount3 allows it); say
 * that they are hidden until the unmount. */
static void note_not_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	if (n)
		fprintf(stderr, "nanoos mount: %s: not empty: what is in it (%d entr%s) is "
		        "hidden under the mount until `nanoos umount %s`\n", dir, n,
		        n == 1 ? "y" : "ies", dir);
}

/* The image: --image, $NANOOS_IMAGE, or the default. 0 or 1. */
static int find_image(struct mount_args *a)
{
	const char *env = getenv("NANOOS_IMAGE");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char path[PATH_MAX];

	if (a->image_arg)
		snprintf(path, sizeof(path), "%s", a->image_arg);
	else if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/nanoos/sd.img", xdg);
	else if (home && *home)
		snprintf(path, sizeof(path), "%s/.local/share/nanoos/sd.img", home);
	else {
		cli_error(CMD, NULL, "no image: HOME is not set; give --image IMG");
		return 1;
	}
	if (realpath(path, a->image) == NULL) {
		if (errno == ENOENT)
			cli_error(CMD, path, "no such image; create it with `nanoos sdimage create "
			          "%s`", path);
		else
			cli_error(CMD, path, "%s; check the path", strerror(errno));
		return 1;
	}
	return 0;
}

/* ================================================================ the volume */

static int same_file(const char *x, const char *y)
{
	struct stat a, b;

	return stat(x, &a) == 0 && stat(y, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Whether the daemon's image is image; a relative name is the daemon's,
 * from its working directory. */
static int daemon_serves(const struct client *c, const char *image)
{
	char path[PATH_MAX + 64];

	if (c->image[0] == '/')
		return same_file(c->image, image);
	snprintf(path, sizeof(path), "/proc/%u/cwd/%s", c->daemon_pid, c->image);
	return same_file(path, image);
}

/* The lock's text names the holder; say how to get past each kind. */
static void busy_error(const char *image, const char *err)
{
	const char *how = "";

	if (strstr(err, "nanoos mount") || strstr(err, "nanoos: mount"))
		how = "; that is another `nanoos mount`: unmount it with `nanoos umount DIR` "
		      "(`grep fuse.nanoos /proc/self/mountinfo` shows where)";
	else if (strstr(err, "nanoosd"))
		how = "; to mount through the daemon, run `nanoos mount DIR` without --image, "
		      "or with the daemon's image";
	cli_error(CMD, image, "%s%s", err, how);
}

/* Through a daemon that serves a.image (or any image without --image):
 * 1 (b set, or an error printed: *failed), 0 when no daemon answers or it
 * serves another image. */
static int open_remote(struct mount_args *a, struct fb_backend **b, int *failed)
{
	static struct client c;
	char err[1024];
	int r;

	memset(&c, 0, sizeof(c));
	c.fd = -1;
	r = client_connect(&c, CMD);
	if (r == -NOS_EACCES)
		client_denied(CMD, "mounting your image directly instead");
	if (r == -NOS_ENOENT || r == -NOS_EACCES)
		return 0;
	if (r < 0) {
		*failed = 1;            /* the daemon said why */
		return 1;
	}
	if (a->image_arg && !daemon_serves(&c, a->image)) {
		client_close(&c);
		return 0;
	}
	r = fb_remote_open(&c, a->view.read_only, b, err, sizeof(err));
	if (r < 0) {
		/* err says what is wrong and what to do (restart the daemon). */
		cli_error(CMD, c.path, "the daemon (pid %u, image %s) cannot serve the mount: %s",
		          c.daemon_pid, c.image, err);
		client_close(&c);
		*failed = 1;
		return 1;
	}
	fb_remote_mountpoint(*b, a->dir);
	snprintf(a->image, sizeof(a->image), "%s", c.image);
	return 1;
}

/* Our own instance on a.image: 0 (b set), -NOS_EBUSY (err names the
 * holder), or 1 after an error line. */
static int open_local(struct mount_args *a, struct fb_backend **b, char *err, size_t n)
{
	char warn[1024];
	int r;

	r = fb_local_open(a->image, a->view.read_only, b, warn, sizeof(warn), err, n);
	if (r == -NOS_EBUSY)
		return r;
	if (r < 0) {
		cli_error(CMD, NULL, "%s", err);
		return 1;
	}
	if (warn[0])
		fprintf(stderr, "nanoos mount: warning: %s\n", warn);
	return 0;
}

/* The backend. --image IMG: our own instance on it, or, when a daemon
 * holds it, the daemon's (so a daemon on another image, or one that
 * refuses us, does not stand in the way). No --image: the running
 * daemon's, else our own on the default image. 0, or 1 (said why). */
static int open_volume(struct mount_args *a, struct fb_backend **b, char *fsname, size_t n)
{
	char err[1024];
	int failed = 0, r;

	*b = NULL;
	snprintf(fsname, n, "nanoos:daemon");
	if (!a->image_arg && open_remote(a, b, &failed))
		return failed;
	if (!a->image_arg && find_image(a))
		return 1;
	r = open_local(a, b, err, sizeof(err));
	if (r == -NOS_EBUSY) {
		if (strstr(err, "nanoosd") && open_remote(a, b, &failed))
			return failed;
		busy_error(a->image, err);
		return 1;
	}
	if (r)
		return 1;
	snprintf(fsname, n, "nanoos:%s", a->image);
	return 0;
}

/* ================================================================ serving */

struct server {
	struct fuse *f;
	const char *dir;
	pthread_t sig_thread;
	pthread_mutex_t lock;
	int done;                       /* the loop ended: the signal thread quits */
	sigset_t sigs;
};

/* SIGTERM, SIGINT, SIGHUP: have the kernel write its cached pages back
 * while the workers still serve, then detach the mount. The kernel then
 * ends the session (its readers get ENODEV), so the loop ends on its own;
 * fuse_unmount here would close /dev/fuse under the workers' feet. */
static void *signal_thread(void *arg)
{
	struct server *s = arg;
	char err[512];
	int sig = 0, fd;

	sigwait(&s->sigs, &sig);
	pthread_mutex_lock(&s->lock);
	if (!s->done) {
		fd = open(s->dir, O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			syncfs(fd);
			close(fd);
		}
		if (fbm_unmount(s->dir, 1, err, sizeof(err)) < 0)
			fprintf(stderr, "nanoos mount: %s: cannot unmount it: %s\n", s->dir, err);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* "fsname=nanoos:IMG,subtype=nanoos,..." with the commas of IMG escaped. */
static void mount_options(const struct mount_args *a, const char *fsname, int ro,
                          char *out, size_t n)
{
	size_t len = 0;
	const char *p;

	len += (size_t)snprintf(out + len, n - len, "fsname=");
	for (p = fsname; *p && len + 3 < n; p++) {
		if (*p == ',' || *p == '\\')
			out[len++] = '\\';
		out[len++] = *p;
	}
	out[len] = 0;
	snprintf(out + len, n - len, ",subtype=nanoos%s%s%s", ro ? ",ro" : "",
	         a->fuse_opts[0] ? "," : "", a->fuse_opts);
}

static struct fuse *make_fuse(const struct mount_args *a, struct fb_mount *m,
                              const char *fsname)
{
	char opts[8192];
	char *argv[] = { "nanoos", "-o", opts, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct fuse *f;

	mount_options(a, fsname, m->view.read_only, opts, sizeof(opts));
	f = fuse_new(&args, fb_operations(), sizeof(struct fuse_operations), m);
	fuse_opt_free_args(&args);
	return f;
}

/* After the mount is in place: tell the waiting parent, then let go of
 * its pipe and of the terminal. */
static void say_ready(int background)
{
	int null;

	if (!background) {
		fprintf(stderr, "nanoos mount: serving; ^C or `nanoos umount` unmounts\n");
		return;
	}
	fputs(READY_MARK, stderr);
	fflush(stderr);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
}

static int run_loop(struct server *s, struct fb_backend *b)
{
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	int r;

	(void)b;
	if (cfg == NULL)
		return -1;
	fuse_loop_cfg_set_max_threads(cfg, MAX_THREADS);
	fuse_loop_cfg_set_idle_threads(cfg, MAX_IDLE_THREADS);
	r = fuse_loop_mt(s->f, cfg);
	fuse_loop_cfg_destroy(cfg);
	return r;
}

/* Mount, serve until unmounted or signalled, write everything back. */
static int serve(struct mount_args *a, int background)
{
	static struct server s;
	static struct fb_mount m;
	struct fb_backend *b;
	char fsname[PATH_MAX + 16];
	int r = 0;

	if (open_volume(a, &b, fsname, sizeof(fsname)))
		return 1;
	memset(&m, 0, sizeof(m));
	m.b = b;
	m.view = a->view;
	m.view.writeback = strcmp(b->kind, "local") == 0;
	m.view.read_only = a->view.read_only || b->read_only;
	memset(&s, 0, sizeof(s));
	s.dir = a->dir;
	pthread_mutex_init(&s.lock, NULL);
	s.f = make_fuse(a, &m, fsname);
	if (s.f == NULL) {
		cli_error(CMD, NULL, "FUSE refused the options (its message is above); see "
		          "`nanoos mount --help`");
		b->shutdown(b);
		return 2;
	}
	if (fuse_mount(s.f, a->dir) != 0) {
		cli_error(CMD, a->dir, "FUSE could not mount here (its message is above); check "
		          "the directory, /dev/fuse and fusermount3 (package fuse3)");
		fuse_destroy(s.f);
		b->shutdown(b);
		return 1;
	}
	fbm_record_write(a->dir, getpid());
	sigemptyset(&s.sigs);
	sigaddset(&s.sigs, SIGTERM);
	sigaddset(&s.sigs, SIGINT);
	sigaddset(&s.sigs, SIGHUP);
	pthread_create(&s.sig_thread, NULL, signal_thread, &s);
	say_ready(background);
	if (run_loop(&s, b) != 0)
		r = 1;
	pthread_mutex_lock(&s.lock);
	s.done = 1;
	pthread_mutex_unlock(&s.lock);
	pthread_kill(s.sig_thread, SIGTERM);
	pthread_join(s.sig_thread, NULL);
	fuse_unmount(s.f);
	fuse_destroy(s.f);
	b->shutdown(b);
	fbm_record_remove(a->dir, getpid());
	if (!background)
		fprintf(stderr, "nanoos mount: %s: unmounted; the volume is written back\n",
		        a->dir);
	return r;
}

/* Block the stop signals in every thread to come: the signal thread
 * takes them with sigwait. */
static void block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ================================================================ background */

/* Read the server's words until it is ready or gone. 0: mounted. */
static int wait_ready(pid_t pid, int fd, const char *dir)
{
	char buf[8192];
	size_t len = 0, mark = sizeof(READY_MARK) - 1;
	ssize_t n;
	int status = 0, ready;
	struct stat st;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0)
			len += (size_t)n;
		if (len == sizeof(buf) - 1) {           /* keep the tail for the mark */
			fwrite(buf, 1, len - mark, stderr);
			memmove(buf, buf + len - mark, mark);
			len = mark;
		}
	}
	close(fd);
	ready = len >= mark && memcmp(buf + len - mark, READY_MARK, mark) == 0;
	fwrite(buf, 1, ready ? len - mark : len, stderr);
	if (!ready) {
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
			return 1;
		return WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	}
	/* It answers: the kernel's first request waits for the server. */
	if (stat(dir, &st) < 0) {
		cli_error(CMD, dir, "mounted, but it does not answer: %s; see `nanoos umount %s`",
		          strerror(errno), dir);
		return 1;
	}
	return 0;
}

/* Fork the server; return once it is mounted (0) or has failed. */
static int background(struct mount_args *a)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd) < 0) {
		cli_error(CMD, NULL, "pipe: %s; try again", strerror(errno));
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		cli_error(CMD, NULL, "fork: %s; try again", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		setsid();
		dup2(pipefd[1], 2);
		close(pipefd[1]);
		if (chdir("/") < 0)
			_exit(1);
		block_signals();
		_exit(serve(a, 1));
	}
	close(pipefd[1]);
	return wait_ready(pid, pipefd[0], a->dir);
}

/* ================================================================ main */

int mount_main(int argc, char **argv)
{
	static struct mount_args a;
	int r;

	r = parse_args(&a, argc, argv);
	if (r >= 0)
		return r;
	if (check_dir(&a) || check_fuse())
		return 1;
	if (a.image_arg && find_image(&a))
		return 1;
	note_not_empty(a.dir);
	if (!a.foreground)
		return background(&a);
	block_signals();
	return serve(&a, 0);
}
