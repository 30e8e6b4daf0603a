/*
 * notify.c: the sd_notify protocol, for a daemon systemd runs as
 * Type=notify (nanoosd.service): one datagram "READY=1" to the socket named
 * by $NOTIFY_SOCKET once the control socket accepts connections, and
 * "STOPPING=1" when a stop begins. Written here, not linked from libsystemd,
 * because it is one sendto() and nanoosd runs where there is no systemd too.
 * A path starting with '@' is in the abstract namespace. Without the
 * variable, or if sending fails, nothing happens: readiness is a courtesy
 * to the service manager, never a reason to stop.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "nanoosd/daemon.h"

void notify_systemd(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	           (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		log_msg(LOG_WARN, "cannot tell systemd %s", state);
	close(fd);
}
