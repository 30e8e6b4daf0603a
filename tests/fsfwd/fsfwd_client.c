/*
 * fsfwd_client.c: a test client of nanoosd's FUSE forwarding for
 * tests/integration/fuse-daemon.sh. It drives the remote backend
 * (fuse-bridge/remote.c) without FUSE, and sends the FS frames no good
 * client would.
 *
 *   fsfwd_client threads N BYTES   N threads at once on one connection, each
 *                                  writes /tmp/fsfwd.I (BYTES, a pattern of
 *                                  its own), reads it back, stats it, lists
 *                                  /tmp and removes it; "ok" or what differed
 *   fsfwd_client garbage KIND      HELLO, then a malformed FS frame: readbig
 *                                  (a READ of 2 MiB), dirzero (a READDIR of 0
 *                                  entries), shortdata (a WRITE whose data is
 *                                  longer than its frame), hugewrite (a WRITE
 *                                  frame over what the type can carry); exit 0
 *                                  when the daemon closed the connection
 *   fsfwd_client hold SECONDS      open /tmp/fsfwd.hold for writing and keep
 *                                  the connection that long (a handle the
 *                                  daemon must close when we go)
 *   fsfwd_client write PATH TEXT   create PATH holding TEXT: "ok", or
 *                                  "PATH: why" and exit 1 (policy checks)
 *   fsfwd_client mkdir PATH        the same for a directory
 * The daemon is found as `nanoos` finds it (NANOOS_SOCKET, ...).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/client.h"
#include "fuse-bridge/backend.h"
#include "kproc/le.h"
#include "kproc/nos_errno.h"

static struct fb_backend *B;
static uint32_t Bytes;

static int fail(const char *what, int i, int r)
{
	fprintf(stderr, "fsfwd_client: thread %d: %s: %s\n", i, what,
	        r < 0 ? nos_strerror(r) : "wrong result");
	return 1;
}

static uint8_t pattern(int i, uint32_t at)
{
	return (uint8_t)(at * 31u + (uint32_t)i * 7u + (at >> 12));
}

/* One thread's round in buf: write, read back, stat, list, remove. 0 or 1. */
static int round_in(int i, uint8_t *buf)
{
	char path[64];
	struct fs_stat st;
	struct fs_dirent ents[16];
	uint32_t at;
	int h, r, n, seen = 0;

	snprintf(path, sizeof(path), "/tmp/fsfwd.%d", i);
	for (at = 0; at < Bytes; at++)
		buf[at] = pattern(i, at);
	h = B->open(B, path, FS_O_RDWR | FS_O_CREAT | FS_O_TRUNC);
	if (h < 0)
		return fail("open", i, h);
	for (at = 0; at < Bytes; at += (uint32_t)r) {
		r = B->pwrite(B, h, buf + at, Bytes - at, at);
		if (r <= 0)
			return fail("pwrite", i, r);
	}
	memset(buf, 0, Bytes);
	for (at = 0; at < Bytes; at += (uint32_t)r) {
		r = B->pread(B, h, buf + at, Bytes - at, at);
		if (r <= 0)
			return fail("pread", i, r);
	}
	for (at = 0; at < Bytes; at++)
		if (buf[at] != pattern(i, at))
			return fail("the bytes read back", i, 0);
	r = B->fstat(B, h, &st);
	if (r < 0 || st.size != Bytes)
		return fail("fstat", i, r);
	if ((r = B->close(B, h)) < 0)
		return fail("close", i, r);
	if ((r = B->stat(B, path, &st)) < 0 || st.size != Bytes || st.is_dir)
		return fail("stat", i, r);
	h = B->open(B, "/tmp", FS_O_RDONLY | FS_O_DIRECTORY);
	if (h < 0)
		return fail("opendir /tmp", i, h);
	while ((n = B->readdir(B, h, ents, 16)) > 0)
		for (r = 0; r < n; r++)
			seen += strcmp(ents[r].name, path + 5) == 0 && ents[r].st.size == Bytes;
	B->close(B, h);
	if (n < 0 || seen != 1)
		return fail("readdir /tmp", i, n);
	if ((r = B->unlink(B, path)) < 0)
		return fail("unlink", i, r);
	return 0;
}

static int one_round(int i)
{
	uint8_t *buf = malloc(Bytes ? Bytes : 1);
	int r = buf ? round_in(i, buf) : fail("malloc", i, -NOS_ENOMEM);

	free(buf);
	return r;
}

static void *thread_main(void *arg)
{
	return (void *)(intptr_t)one_round((int)(intptr_t)arg);
}

static int connect_backend(void)
{
	static struct client c;
	char err[1024];
	int r;

	if (client_require(&c, "fsfwd_client"))
		return 1;
	r = fb_remote_open(&c, 0, &B, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "fsfwd_client: %s\n", err);
		return 1;
	}
	return 0;
}

static int cmd_threads(int n)
{
	pthread_t t[64];
	void *res;
	int i, bad = 0;

	if (n < 1 || n > 64 || connect_backend())
		return 2;
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &res);
		bad += res != NULL;
	}
	B->shutdown(B);
	printf(bad ? "%d of %d threads failed\n" : "ok\n", bad, n);
	return bad ? 1 : 0;
}

static int cmd_hold(int seconds)
{
	int h;

	if (connect_backend())
		return 2;
	h = B->open(B, "/tmp/fsfwd.hold", FS_O_WRONLY | FS_O_CREAT);
	if (h < 0) {
		fprintf(stderr, "fsfwd_client: open /tmp/fsfwd.hold: %s\n", nos_strerror(h));
		return 1;
	}
	printf("holding handle %d\n", h);
	fflush(stdout);
	sleep((unsigned)seconds);
	return 0;                       /* no close: the daemon must do it */
}

/* ---------------------------------------------------------------- garbage */

static void header(uint8_t *p, uint16_t type, uint32_t tag, uint32_t length)
{
	struct wire_header h;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.from = tag;
	h.length = length;
	wire_header_encode(&h, p);
}

/* Whether the daemon closes the connection within 5 s (what it sends
 * before, if anything, is read and dropped). */
static int closed_by_daemon(int fd)
{
	uint8_t buf[4096];
	int i;

	for (i = 0; i < 50; i++) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return 1;
	}
	return 0;
}

static int cmd_garbage(const char *kind)
{
	static struct client c;
	uint8_t f[WIRE_HEADER_SIZE + 64];
	size_t n = WIRE_HEADER_SIZE;

	if (client_require(&c, "fsfwd_client"))
		return 2;
	memset(f, 0, sizeof(f));
	if (strcmp(kind, "readbig") == 0) {          /* handle, len, offset, data_len */
		header(f, CTL_MSG_FS_READ, 7, 20);
		st_32(f + n + 4, 2u << 20);
		n += 20;
	} else if (strcmp(kind, "dirzero") == 0) {   /* handle, max, recs_len */
		header(f, CTL_MSG_FS_READDIR, 7, 12);
		n += 12;
	} else if (strcmp(kind, "shortdata") == 0) { /* says 4096 bytes, carries 8 */
		header(f, CTL_MSG_FS_WRITE, 7, 28);
		st_32(f + n + 16, 4096);
		n += 28;
	} else if (strcmp(kind, "hugewrite") == 0) {
		header(f, CTL_MSG_FS_WRITE, 7, (1u << 20) + 1024);
	} else {
		fprintf(stderr, "fsfwd_client: unknown garbage %s\n", kind);
		return 2;
	}
	if (send(c.fd, f, n, MSG_NOSIGNAL) != (ssize_t)n) {
		fprintf(stderr, "fsfwd_client: send: %s\n", strerror(errno));
		return 1;
	}
	if (!closed_by_daemon(c.fd)) {
		fprintf(stderr, "fsfwd_client: the daemon kept the connection after %s\n", kind);
		return 1;
	}
	printf("closed\n");
	return 0;
}

static int cmd_write(const char *path, const char *text)
{
	int h, r;

	if (connect_backend())
		return 2;
	h = r = B->open(B, path, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);
	if (h >= 0) {
		r = B->pwrite(B, h, text, (uint32_t)strlen(text), 0);
		B->close(B, h);
	}
	B->shutdown(B);
	if (r < 0) {
		printf("%s: %s\n", path, nos_strerror(r));
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int cmd_mkdir(const char *path)
{
	int r;

	if (connect_backend())
		return 2;
	r = B->mkdir(B, path);
	B->shutdown(B);
	if (r < 0) {
		printf("%s: %s\n", path, nos_strerror(r));
		return 1;
	}
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return cmd_write(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "mkdir") == 0)
		return cmd_mkdir(argv[2]);
	if (argc == 4 && strcmp(argv[1], "threads") == 0) {
		Bytes = (uint32_t)strtoul(argv[3], NULL, 0);
		return cmd_threads(atoi(argv[2]));
	}
	if (argc == 3 && strcmp(argv[1], "garbage") == 0)
		return cmd_garbage(argv[2]);
	if (argc == 3 && strcmp(argv[1], "hold") == 0)
		return cmd_hold(atoi(argv[2]));
	fprintf(stderr, "usage: fsfwd_client threads N BYTES | garbage KIND | hold SECONDS | "
	        "write PATH TEXT | mkdir PATH\n");
	return 2;
}
