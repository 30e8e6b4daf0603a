/*
 * stop_cmd.c: `nanoos stop [--timeout SECONDS]`: ask the running daemon
 * to stop (CTL_MSG_STOP: it ends its guests, syncs the volume and removes
 * its socket) and wait until its socket is gone and the process has ended
 * (then the image is free for another daemon or `nanoos sdimage`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/stop_cmd.h"

#define CMD "stop"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos stop [--timeout SECONDS]\n\n"
	        "Stop the running NanoOs daemon: its processes end, the volume is synced\n"
	        "and closed. Waits until the daemon has ended (default at most 60 s), so that\n"
	        "its image is free when this returns.\n"
	        "Exits 1 when no daemon runs.\n");
}

/* Wait for path to go away: 0, or -1 after `secs` seconds. */
static int wait_gone(const char *path, int secs)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	long i, rounds = secs * 50L;
	struct stat st;

	for (i = 0; i < rounds; i++) {
		if (lstat(path, &st) < 0 && errno == ENOENT)
			return 0;
		nanosleep(&pause, NULL);
	}
	return -1;
}

/* Is pid (as the daemon told us) a nanoosd that is still running? Not a
 * zombie (ended: its parent has yet to reap it), not a process of that
 * number we cannot see or of another name (the daemon lives in another
 * pid namespace: its socket is all we have then). */
static int nanoosd_alive(unsigned pid)
{
	char path[64], stat[256] = "";
	const char *end;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(stat, sizeof(stat), f))
		stat[0] = 0;
	fclose(f);
	/* "PID (COMM) STATE ..." */
	end = strrchr(stat, ')');
	return strstr(stat, " (nanoosd) ") && end && end[1] == ' ' && end[2] != 'Z';
}

/* Wait for the daemon to end -- after its socket, it lets go of the image:
 * only then may another daemon or `nanoos sdimage` open it. 0, or -1. */
static int wait_exited(unsigned pid, int secs)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	long i, rounds = secs * 50L;

	for (i = 0; i < rounds; i++) {
		if (!nanoosd_alive(pid))
			return 0;
		nanosleep(&pause, NULL);
	}
	return -1;
}

int stop_main(int argc, char **argv)
{
	struct ctl_text q = { "", 0 };
	union ctl_payload r;
	struct client c;
	char path[CLIENT_PATH_MAX];
	int secs = 60, rc;
	unsigned pid;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--timeout") == 0 && atoi(argv[2]) > 0) {
		secs = atoi(argv[2]);
	} else if (argc > 1) {
		usage(stderr);
		return 2;
	}
	if (client_require(&c, CMD))
		return 1;
	rc = client_call(&c, CMD, CTL_MSG_STOP, &q, sizeof(q), &r);
	snprintf(path, sizeof(path), "%s", c.path);
	pid = c.daemon_pid;
	client_close(&c);
	if (rc < 0)
		return 1;
	if (wait_gone(path, secs) < 0) {
		cli_error(CMD, path, "the daemon (pid %u) still has its socket after %d s; see "
		          "its log, or end it with `kill %u`", pid, secs, pid);
		return 1;
	}
	if (wait_exited(pid, secs) < 0) {
		cli_error(CMD, path, "the daemon (pid %u) has not ended %d s after closing its "
		          "socket (its volume is still being written back?); see its log",
		          pid, secs);
		return 1;
	}
	fprintf(stderr, "nanoos stop: the daemon (pid %u) stopped\n", pid);
	return 0;
}
