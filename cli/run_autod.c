/*
 * run_autod.c: `nanoos run --auto-daemon` (what nanoos-binfmt asks for).
 * Without a daemon every `nanoos run` boots NanoOs in its own process and
 * holds the image while it runs, so two programs at once -- `./seq 9 |
 * ./wc -l` from a Linux shell -- would find the image taken. With
 * --auto-daemon, when no daemon answers, we start one: `nanoosd --image
 * IMG --socket SOCK --idle-exit 60` on the image run would have used (the
 * default one is made first), on the user socket, with its log in
 * nanoosd.log beside the image; the program runs there, and the daemon
 * ends itself a minute after its last session.
 *
 * The start lock (.nanoosd-start.lock beside the image) keeps starting and
 * idle-stopping apart: a program holds it shared while it connects, and
 * exclusive while it starts a daemon; a daemon started with --idle-exit
 * stops only if it gets the lock exclusive (nanoosd/main.c), and keeps it
 * until it has let go of the image. So a program never connects to a
 * daemon that is stopping, nor starts one while the old one holds the
 * image, and programs started together share one daemon.
 */
#define _GNU_SOURCE             /* close_range */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/run_cmd.h"

#define IDLE_EXIT "60"          /* seconds a started daemon stays with nothing to do */
#define START_TRIES 25          /* x 200 ms: a daemon that is stopping lets go of the image */

/* "DIR/NAME" beside the image file img. */
static void beside_image(const char *img, const char *name, char *out, size_t n)
{
	const char *slash = strrchr(img, '/');

	if (slash)
		snprintf(out, n, "%.*s/%s", (int)(slash - img), img, name);
	else
		snprintf(out, n, "%s", name);
}

/* The image run would use, absolute; for the default one its directory is
 * made (the image itself is made later, under the lock). 0, or -1 (said why). */
static int image_for(const struct run_opts *o, char *img, size_t n)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *env = getenv("NANOOS_IMAGE"), *slash;

	if (run_image_path(o, path, sizeof(path)) < 0)
		return -1;
	if (o->image || (env && *env)) {
		if (realpath(path, dir) && snprintf(img, n, "%s", dir) < (int)n)
			return 0;
		cli_error(o->cmd, path, "%s; give an image that exists (make one with `nanoos "
		          "sdimage create %s --rootfs`)", strerror(errno), path);
		return -1;
	}
	if (run_image_dir(path) < 0)
		return -1;
	slash = strrchr(path, '/');
	snprintf(img, n, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (!realpath(img, dir) ||
	    snprintf(img, n, "%s/%s", dir, slash ? slash + 1 : path) >= (int)n) {
		cli_error(o->cmd, path, "cannot name it absolutely: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int run_start_lock(const struct run_opts *o)
{
	char img[PATH_MAX], lock[PATH_MAX + 32];
	int fd;

	if (image_for(o, img, sizeof(img)) < 0)
		return -1;
	beside_image(img, ".nanoosd-start.lock", lock, sizeof(lock));
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_SH) < 0) {
		cli_error(o->cmd, lock, "cannot lock it: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The nanoosd to start: beside us (a build tree: BUILD/bin), in ../sbin
 * (an install: PREFIX/bin and PREFIX/sbin), or the package's. */
static int find_nanoosd(char *out, size_t n)
{
	static const char *const beside[] = { "nanoosd", "../sbin/nanoosd" };
	size_t i;

	for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++)
		if (cli_beside_self(beside[i], out, n) == 0 && access(out, X_OK) == 0)
			return 0;
	snprintf(out, n, "/usr/sbin/nanoosd");
	return access(out, X_OK);
}

/* The user socket (the first the client tries), absolute. */
static int user_socket(char *out, size_t n)
{
	char paths[CLIENT_PATHS][CLIENT_PATH_MAX], cwd[PATH_MAX];

	client_socket_paths(paths);
	if (paths[0][0] == '/')
		return snprintf(out, n, "%s", paths[0]) < (int)n ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, n, "%s/%s", cwd, paths[0]) < (int)n ? 0 : -1;
}

/* The daemon's side of the fork: nothing of ours but what it is given.
 * Its stdio is /dev/null and its log, never our pipes; no other fd of
 * ours stays open in it, its directory is /, and it is nobody's service
 * (else, as root under a unit, it would take the system socket). */
static void exec_nanoosd(const char *nanoosd, const char *img, const char *sock,
                         const char *log)
{
	int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
	int null = open("/dev/null", O_RDWR);

	if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	close_range(3, ~0u, 0);
	if (chdir("/") < 0)
		_exit(126);
	unsetenv("INVOCATION_ID");
	unsetenv("NOTIFY_SOCKET");
	unsetenv("JOURNAL_STREAM");
	signal(SIGPIPE, SIG_DFL);
	execl(nanoosd, "nanoosd", "--image", img, "--socket", sock, "--idle-exit", IDLE_EXIT,
	      (char *)NULL);
	_exit(127);
}

/* Run nanoosd; it returns once it serves (it detaches). Its exit status,
 * or -1 when it could not be run at all. */
static int spawn_nanoosd(const char *nanoosd, const char *img, const char *sock,
                         const char *log)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		exec_nanoosd(nanoosd, img, sock, log);
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The last line of the log: why nanoosd did not start. */
static void last_line(const char *log, char *out, size_t n)
{
	char line[1024];
	FILE *f = fopen(log, "r");

	snprintf(out, n, "see %s", log);
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0])
			snprintf(out, n, "%s", line);
	}
	if (f)
		fclose(f);
}

/* Is a daemon answering on the user socket -- for another image? */
static int serves_another(const struct run_opts *o, const char *img)
{
	char real[PATH_MAX];
	struct client c;
	int other;

	if (client_connect(&c, o->cmd) < 0)
		return 0;
	other = !realpath(c.image, real) || strcmp(real, img) != 0;
	if (other)
		fprintf(stderr, "nanoos %s: the daemon on %s serves %s, not %s; running in this "
		        "process instead\n", o->cmd, c.path, c.image, img);
	client_close(&c);
	return other;
}

static int daemon_answers(const struct run_opts *o)
{
	struct client c;

	if (run_connect(&c, o) < 0)
		return 0;
	client_close(&c);
	return 1;
}

int run_start_daemon(const struct run_opts *o, int lock)
{
	char img[PATH_MAX], sock[PATH_MAX], log[PATH_MAX + 32], nanoosd[PATH_MAX], why[1024];
	struct timespec pause = { 0, 200 * 1000 * 1000 };
	int tries, st = -1;

	if (lock < 0 || image_for(o, img, sizeof(img)) < 0 || user_socket(sock, sizeof(sock)) < 0)
		return -1;
	if (find_nanoosd(nanoosd, sizeof(nanoosd)) < 0) {
		cli_error(o->cmd, "nanoosd", "not found beside nanoos nor in /usr/sbin; install "
		          "NanoOs again, or start a daemon yourself");
		return -1;
	}
	if (flock(lock, LOCK_EX) < 0)
		return -1;
	/* Another program may have started one while we waited for the lock. */
	if (daemon_answers(o))
		return 0;
	if (serves_another(o, img) || (access(img, F_OK) < 0 && run_create_default(img) < 0))
		return -1;
	beside_image(img, "nanoosd.log", log, sizeof(log));
	/* A daemon stopped by `nanoos stop` may hold the image a moment more. */
	for (tries = 0; tries < START_TRIES; tries++) {
		st = spawn_nanoosd(nanoosd, img, sock, log);
		if (st == 0 || st < 0)
			break;
		last_line(log, why, sizeof(why));
		if (!strstr(why, "in use by pid"))
			break;
		nanosleep(&pause, NULL);
	}
	if (st == 0)
		return 0;
	last_line(log, why, sizeof(why));
	cli_error(o->cmd, nanoosd, "could not start a daemon on %s: %s", img,
	          st < 0 ? strerror(errno) : why);
	return -1;
}
