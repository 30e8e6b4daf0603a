/*
 * mounts.c: the mount table, mount point paths and server records of
 * `nanoos mount` / `nanoos umount` (mounts.h). Linux only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuse-bridge/mounts.h"

/* ================================================================ paths */

int fbm_canon(const char *dir, char *out, size_t n)
{
	char tmp[PATH_MAX], parent[PATH_MAX];
	const char *base;
	char *slash;
	size_t len;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	len = strlen(tmp);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = 0;
	slash = strrchr(tmp, '/');
	if (slash == NULL) {
		base = tmp;
		snprintf(parent, sizeof(parent), ".");
	} else {
		base = slash + 1;
		*slash = 0;
		snprintf(parent, sizeof(parent), "%s", slash == tmp ? "/" : tmp);
	}
	if (!strcmp(base, "") || !strcmp(base, ".") || !strcmp(base, "..")) {
		if (realpath(dir, parent) == NULL)      /* no dead mount is named so */
			return -errno;
		snprintf(out, n, "%s", parent);
		return 0;
	}
	if (realpath(parent, out) == NULL)
		return -errno;
	len = strlen(out);
	snprintf(out + len, n - len, "%s%s", len > 1 ? "/" : "", base);
	return 0;
}

/* ================================================================ mount table */

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = 0;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS] - TYPE
 * SOURCE SUPEROPTS". 1 if its mount point is path. */
static int line_matches(char *line, const char *path, char *type, size_t tn, char *source,
                        size_t sn)
{
	char *save = NULL, *f, *mp = NULL;
	int i;

	f = strtok_r(line, " \n", &save);
	for (i = 0; f != NULL && i < 4; i++)
		f = strtok_r(NULL, " \n", &save);
	if (f == NULL)
		return 0;
	mp = f;
	unescape(mp);
	if (strcmp(mp, path) != 0)
		return 0;
	while ((f = strtok_r(NULL, " \n", &save)) != NULL && strcmp(f, "-") != 0)
		;
	f = strtok_r(NULL, " \n", &save);
	snprintf(type, tn, "%s", f ? f : "");
	f = strtok_r(NULL, " \n", &save);
	if (f)
		unescape(f);
	snprintf(source, sn, "%s", f ? f : "");
	return 1;
}

int fbm_find(const char *path, char *type, size_t type_len, char *source,
             size_t source_len)
{
	char line[3 * PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	int found = 0;

	if (f == NULL)
		return -errno;
	/* The last match wins: it is the mount on top. */
	while (fgets(line, sizeof(line), f) != NULL)
		if (line_matches(line, path, type, type_len, source, source_len))
			found = 1;
	fclose(f);
	return found;
}

/* ================================================================ records */

static int record_dir(char *out, size_t n)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char base[PATH_MAX - 16];

	if (rt != NULL && rt[0] == '/')
		snprintf(base, sizeof(base), "%s/nanoos", rt);
	else
		snprintf(base, sizeof(base), "/tmp/nanoos-%u", (unsigned)getuid());
	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(out, n, "%s/mounts", base);
	if (mkdir(out, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The record's file: named by a hash of the mount point (FNV-1a 64), which
 * is written inside too and checked on reading. */
static int record_path(const char *mountpoint, char *out, size_t n)
{
	char dir[PATH_MAX];
	uint64_t h = 0xcbf29ce484222325ull;
	const char *p;
	int r = record_dir(dir, sizeof(dir));

	if (r < 0)
		return r;
	for (p = mountpoint; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	snprintf(out, n, "%s/%016llx", dir, (unsigned long long)h);
	return 0;
}

int fbm_record_write(const char *mountpoint, pid_t pid)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 40];
	FILE *f;
	int r = record_path(mountpoint, path, sizeof(path));

	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)pid);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "%d\n%s\n", (int)pid, mountpoint);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

pid_t fbm_record_read(const char *mountpoint)
{
	char path[PATH_MAX + 32], mp[PATH_MAX + 2];
	FILE *f;
	int pid = 0;

	if (record_path(mountpoint, path, sizeof(path)) < 0)
		return 0;
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%d\n", &pid) != 1 || fgets(mp, sizeof(mp), f) == NULL)
		pid = 0;
	fclose(f);
	mp[strcspn(mp, "\n")] = 0;
	if (pid <= 0 || strcmp(mp, mountpoint) != 0)
		return 0;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 0;
	return pid;
}

void fbm_record_remove(const char *mountpoint, pid_t pid)
{
	char path[PATH_MAX + 32];
	FILE *f;
	int in = 0;

	if (record_path(mountpoint, path, sizeof(path)) < 0)
		return;
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fscanf(f, "%d", &in) != 1)
		in = 0;
	fclose(f);
	if (in == (int)pid)             /* not a newer mount's record */
		unlink(path);
}

/* ================================================================ unmount */

/* fusermount3 -u [-z] DIR; its exit status, its stderr in err. */
static int fusermount(const char *dir, int lazy, char *err, size_t n)
{
	int pipefd[2], status = 0;
	ssize_t got;
	size_t len = 0;
	pid_t pid;

	err[0] = 0;
	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execlp("fusermount3", "fusermount3", lazy ? "-uz" : "-u", "--", dir, (char *)NULL);
		fprintf(stderr, "fusermount3: %s (install the fuse3 package)", strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	while (len + 1 < n && (got = read(pipefd[0], err + len, n - 1 - len)) > 0)
		len += (size_t)got;
	err[len] = 0;
	err[strcspn(err, "\n")] = 0;
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int fbm_unmount(const char *dir, int lazy, char *err, size_t n)
{
	int r;

	err[0] = 0;
	if (geteuid() == 0) {
		if (umount2(dir, lazy ? MNT_DETACH : 0) == 0)
			return 0;
		if (errno == EBUSY)
			return -EBUSY;
		snprintf(err, n, "%s", strerror(errno));
		return -1;
	}
	r = fusermount(dir, lazy, err, n);
	if (r == 0)
		return 0;
	if (strstr(err, "busy"))
		return -EBUSY;
	if (err[0] == 0)
		snprintf(err, n, "fusermount3 -u failed with no reason given");
	return -1;
}
