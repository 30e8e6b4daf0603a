/*
 * run_autod.c: `nanoos run --auto-daemon` (what nanoos-binfmt asks for).
 * Without a daemon every `nanoos run` boots NanoOs in its own process and
 * holds the image while it runs, so two programs at once -- `./seq 9 |
 * ./wc -l` from a Linux shell -- would find the image taken. With
 * --auto-daemon, when no daemon answers, we start one: `nanoosd --image
 * IMG --idle-exit 60` on the image run would have used (made first if it
 * is the default one), its log in nanoosd.log beside the image, and the
 * program runs there; the daemon ends itself a minute after its last
 * session. Starting is serialised by a lock file beside the image
 * (.nanoosd-start.lock), and whoever holds it first checks again for a
 * daemon, so programs started together share one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/run_cmd.h"

#define IDLE_EXIT "60"          /* seconds a started daemon stays with nothing to do */

/* "DIR/NAME" beside the image file img. */
static void beside_image(const char *img, const char *name, char *out, size_t n)
{
	const char *slash = strrchr(img, '/');
	int dirlen = slash ? (int)(slash - img) : 1;

	snprintf(out, n, "%.*s/%s", dirlen, slash ? img : ".", name);
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

/* Is a daemon (for o's image) answering now? */
static int daemon_answers(const struct run_opts *o)
{
	struct client c;

	if (run_connect(&c, o) < 0)
		return 0;
	client_close(&c);
	return 1;
}

/* Run nanoosd on img; it returns once it serves (it detaches). Its
 * output goes to log, never to our stdout or stderr: those may be a
 * pipe that must see its end when the program does. 0 or -1 (said why). */
static int start_nanoosd(const struct run_opts *o, const char *nanoosd, const char *img,
                         const char *log)
{
	int status, fd;
	pid_t pid = fork();

	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execl(nanoosd, "nanoosd", "--image", img, "--idle-exit", IDLE_EXIT, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		cli_error(o->cmd, nanoosd, "cannot start it: %s", strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_error(o->cmd, nanoosd, "could not start a daemon on %s (exit %d); its reason "
		          "is in %s", img, WIFEXITED(status) ? WEXITSTATUS(status) : -1, log);
		return -1;
	}
	return 0;
}

int run_start_daemon(const struct run_opts *o)
{
	char img[4096], lock[4200], log[4200], nanoosd[4096];
	int fd, r = -1;

	if (run_image_path(o, img, sizeof(img)) < 0 || run_image_dir(img) < 0)
		return -1;
	if (find_nanoosd(nanoosd, sizeof(nanoosd)) < 0) {
		cli_error(o->cmd, "nanoosd", "not found beside nanoos nor in /usr/sbin; install "
		          "NanoOs again, or start a daemon yourself");
		return -1;
	}
	beside_image(img, ".nanoosd-start.lock", lock, sizeof(lock));
	beside_image(img, "nanoosd.log", log, sizeof(log));
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		cli_error(o->cmd, lock, "cannot lock it: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Another program may have started one while we waited for the lock. */
	if (daemon_answers(o))
		r = 0;
	else if (run_pick_image(o, img, sizeof(img)) == 0)
		r = start_nanoosd(o, nanoosd, img, log);
	close(fd);                      /* unlocks */
	return r;
}
