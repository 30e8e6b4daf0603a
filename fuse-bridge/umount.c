/*
 * umount.c: `nanoos umount DIR` (mount.h): unmount a `nanoos mount` and
 * return once its server has written the volume back and exited, so the
 * image can be checked or opened right after.
 *
 * Only mounts of type fuse.nanoos (/proc/self/mountinfo). Root unmounts
 * with umount2, others with fusermount3 -u; a mount whose server died
 * (ENOTCONN) is detached lazily. The server is found by its record
 * (mounts.h); a busy mount names the processes that use it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "fuse-bridge/mount.h"
#include "fuse-bridge/mounts.h"

#define CMD "umount"
#define WAIT_LIMIT_S 120                /* for the server to write back */
#define WAIT_SAY_S 3                    /* say what we wait for after this */

/* ================================================================ busy */

/* Whether link (a /proc/PID/... symlink) points into dir. */
static int points_into(const char *link, const char *dir)
{
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	size_t len = strlen(dir);

	if (n < 0)
		return 0;
	target[n] = 0;
	return strncmp(target, dir, len) == 0 && (target[len] == 0 || target[len] == '/');
}

static int pid_uses(const char *pid, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int used = 0;

	snprintf(path, sizeof(path), "/proc/%s/cwd", pid);
	if (points_into(path, dir))
		return 1;
	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while (!used && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, e->d_name);
		used = e->d_name[0] != '.' && points_into(path, dir);
	}
	closedir(d);
	return used;
}

/* "1234 (bash), 5678 (less)": who keeps dir busy, as far as we may see. */
static void busy_users(const char *dir, char *out, size_t n)
{
	char comm[64], path[300];
	struct dirent *e;
	size_t len = 0;
	FILE *f;
	DIR *d = opendir("/proc");

	out[0] = 0;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && len + 80 < n) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || !pid_uses(e->d_name, dir))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		comm[0] = 0;
		if ((f = fopen(path, "r")) != NULL) {
			if (fgets(comm, sizeof(comm), f) == NULL)
				comm[0] = 0;
			fclose(f);
		}
		comm[strcspn(comm, "\n")] = 0;
		len += (size_t)snprintf(out + len, n - len, "%s%s (%s)", len ? ", " : "",
		                        e->d_name, comm);
	}
	closedir(d);
}

/* ================================================================ unmount */

/* 0 unmounted, -EBUSY busy, or -1 after an error line. */
static int unmount(const char *dir, int lazy)
{
	char err[512];
	int r = fbm_unmount(dir, lazy, err, sizeof(err));

	if (r == 0 || r == -EBUSY)
		return r;
	cli_error(CMD, dir, "cannot unmount it: %s", err);
	return -1;
}

/* The server of a local mount whose record we cannot see (another
 * XDG_RUNTIME_DIR, e.g. under sudo): the holder of its image's lock,
 * "pid N: ..." in IMG.lock (sdimage/sd_file.h). 0 if none is known. */
static pid_t server_from_lock(const char *dir)
{
	char type[64], source[PATH_MAX], lock[PATH_MAX + 8], line[128];
	long pid = 0;
	FILE *f;

	if (fbm_find(dir, type, sizeof(type), source, sizeof(source)) != 1 ||
	    strncmp(source, "nanoos:/", 8) != 0)
		return 0;               /* through the daemon: nothing to wait for */
	snprintf(lock, sizeof(lock), "%s.lock", source + 7);
	f = fopen(lock, "r");
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL || sscanf(line, "pid %ld:", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && kill((pid_t)pid, 0) == 0 ? (pid_t)pid : 0;
}

/* Whether pid has exited: gone, or a zombie (it ended; its parent, init
 * since the server is a daemon, has not reaped it yet). */
static int exited(pid_t pid)
{
	char path[64], buf[256], *paren;
	FILE *f;
	size_t n;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	paren = strrchr(buf, ')');      /* "PID (COMM) STATE ..." */
	return paren != NULL && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X');
}

/* Wait for the server to exit: it writes the volume back first. */
static int wait_server(pid_t pid, const char *dir)
{
	time_t start = time(NULL), said = 0;
	/* The server usually exits within a few ms of the unmount: look
	 * often at first (every write benchmark row ends here), then relax. */
	struct timespec tick = { 0, 1000 * 1000 };
	int looks = 0;

	while (!exited(pid)) {
		time_t waited = time(NULL) - start;

		if (waited >= WAIT_LIMIT_S) {
			cli_error(CMD, dir, "unmounted, but its server (pid %d) is still writing "
			          "after %d s; wait for it to exit before using the image",
			          (int)pid, WAIT_LIMIT_S);
			return 1;
		}
		if (waited >= WAIT_SAY_S && waited - said >= WAIT_SAY_S) {
			fprintf(stderr, "nanoos umount: %s: waiting for the server (pid %d) to write "
			        "the volume back (%ld s)\n", dir, (int)pid, (long)waited);
			said = waited;
		}
		nanosleep(&tick, NULL);
		if (++looks == 200)
			tick.tv_nsec = 20 * 1000 * 1000;
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: nanoos umount DIR\n\n"
	        "Unmount a directory `nanoos mount` mounted, and return once the volume is\n"
	        "written back (the image may be checked or opened right after). A mount\n"
	        "whose server died (\"Transport endpoint is not connected\") is cleaned too.\n"
	        "Exit status: 0 unmounted, 1 failed (stderr says why), 2 bad usage.\n");
}

/* Is dir a nanoos mount? 0 yes, 1 no (said why). */
static int check_mount(const char *given, const char *dir)
{
	char type[64], source[PATH_MAX];
	int r = fbm_find(dir, type, sizeof(type), source, sizeof(source));

	if (r < 0) {
		cli_error(CMD, "/proc/self/mountinfo", "%s; is /proc mounted?", strerror(-r));
		return 1;
	}
	if (r == 0) {
		cli_error(CMD, given, "not a mount point; `grep fuse.nanoos /proc/self/mountinfo` "
		          "lists the nanoos mounts");
		return 1;
	}
	if (strcmp(type, FBM_TYPE) != 0) {
		cli_error(CMD, given, "a %s mount (%s), not one of nanoos; unmount it with "
		          "umount", type, source);
		return 1;
	}
	return 0;
}

int umount_main(int argc, char **argv)
{
	char dir[PATH_MAX], users[1024];
	struct stat st;
	pid_t server;
	int r, dead;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || argv[1][0] == '-') {
		cli_error(CMD, NULL, "usage: nanoos umount DIR");
		return 2;
	}
	if ((r = fbm_canon(argv[1], dir, sizeof(dir))) < 0) {
		cli_error(CMD, argv[1], "%s; check the path", strerror(-r));
		return 1;
	}
	if (check_mount(argv[1], dir))
		return 1;
	/* A live server's mount is not touched first: a server that is
	 * stuck would hang the stat (umount2 itself needs no answer). */
	server = fbm_record_read(dir);
	if (server == 0)
		server = server_from_lock(dir);
	dead = server == 0 && stat(dir, &st) < 0 && errno == ENOTCONN;
	r = unmount(dir, dead);
	if (r == -EBUSY) {
		busy_users(dir, users, sizeof(users));
		cli_error(CMD, argv[1], "target is busy%s%s%s; close the files and leave the "
		          "directory, then try again", users[0] ? " (used by " : "", users,
		          users[0] ? ")" : "");
		return 1;
	}
	if (r < 0)
		return 1;
	if (server > 0 && !dead)
		return wait_server(server, argv[1]);
	return 0;
}
