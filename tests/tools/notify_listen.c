/*
 * notify_listen.c: the service manager's end of sd_notify, for tests
 * (tests/integration/package.sh runs nanoosd as nanoosd.service would).
 *
 *   notify_listen PATH SECONDS
 *
 * Binds a datagram socket at PATH and prints each message it receives, a
 * line each, until one is "READY=1" (exit 0) or SECONDS pass (exit 1).
 * Run it in the background, wait for PATH to exist, then start the daemon
 * with NOTIFY_SOCKET=PATH.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Print each line of one datagram; 1 when it says READY=1. */
static int show(char *buf)
{
	int ready = 0;
	char *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		printf("%s\n", line);
		ready |= strcmp(line, "READY=1") == 0;
	}
	fflush(stdout);
	return ready;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long end;
	char buf[4096];
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notify_listen PATH SECONDS\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[1]);
		return 1;
	}
	end = now_ms() + atoll(argv[2]) * 1000;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long left = end - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			fprintf(stderr, "notify_listen: no READY=1 within %s s\n", argv[2]);
			return 1;
		}
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = 0;
		if (show(buf))
			return 0;
	}
}
