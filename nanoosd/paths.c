/*
 * paths.c: where nanoosd's image and socket are (DESIGN.md section 7).
 *
 *   image:  --image, else $NANOOS_IMAGE, else
 *           ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img; it must exist.
 *   socket: --socket, else $NANOOS_SOCKET, else the system socket
 *           /run/nanoos/nanoosd.sock when root asks for it (--system) or
 *           systemd runs us ($INVOCATION_ID), else the user socket
 *           $XDG_RUNTIME_DIR/nanoos/nanoosd.sock, or /tmp/nanoos-$UID/
 *           nanoosd.sock when XDG_RUNTIME_DIR is unset.
 * The user socket's directory is ours alone (0700): one owned by someone
 * else, or open to others, is refused -- in /tmp anyone could have made it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nanoosd/daemon.h"

#define SYSTEM_SOCKET "/run/nanoos/nanoosd.sock"

static int fits(int n, size_t cap)
{
	return n > 0 && (size_t)n < cap;
}

int paths_image(const char *opt, char *out, size_t n, char *why, size_t whyn)
{
	const char *env = getenv("NANOOS_IMAGE");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	struct stat st;
	int r;

	if (opt)
		r = snprintf(out, n, "%s", opt);
	else if (env && *env)
		r = snprintf(out, n, "%s", env);
	else if (xdg && *xdg)
		r = snprintf(out, n, "%s/nanoos/sd.img", xdg);
	else if (home && *home)
		r = snprintf(out, n, "%s/.local/share/nanoos/sd.img", home);
	else {
		snprintf(why, whyn, "HOME is not set, so there is no default image; give "
		         "--image IMG or set NANOOS_IMAGE");
		return -1;
	}
	if (!fits(r, n)) {
		snprintf(why, whyn, "the image path is too long");
		return -1;
	}
	if (stat(out, &st) < 0) {
		snprintf(why, whyn, "%s: %s; make it with `nanoos sdimage create %s --rootfs` "
		         "(or `make run`), or give --image IMG", out, strerror(errno), out);
		return -1;
	}
	return 0;
}

static int run_by_systemd(void)
{
	const char *id = getenv("INVOCATION_ID");

	return id && *id;
}

int paths_socket(const char *opt, int want_system, char *out, size_t n, int *system,
                 char *why, size_t whyn)
{
	const char *env = getenv("NANOOS_SOCKET");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int r;

	*system = 0;
	if (opt)
		r = snprintf(out, n, "%s", opt);
	else if (env && *env)
		r = snprintf(out, n, "%s", env);
	else if (geteuid() == 0 && (want_system || run_by_systemd())) {
		r = snprintf(out, n, "%s", SYSTEM_SOCKET);
		*system = 1;
	} else if (want_system) {
		snprintf(why, whyn, "--system needs root (the system socket is %s)", SYSTEM_SOCKET);
		return -1;
	} else if (xdg && *xdg)
		r = snprintf(out, n, "%s/nanoos/nanoosd.sock", xdg);
	else
		r = snprintf(out, n, "/tmp/nanoos-%lu/nanoosd.sock", (unsigned long)getuid());
	if (!fits(r, n) || (size_t)r >= 108) {   /* sun_path */
		snprintf(why, whyn, "%s: too long for a Unix socket path (107 bytes at most); "
		         "give a shorter --socket", out);
		return -1;
	}
	return 0;
}

/* The directory of path, into dir. */
static void dir_of(const char *path, char *dir, size_t n)
{
	char *slash;

	snprintf(dir, n, "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		snprintf(dir, n, ".");
}

int paths_socket_dir(const char *sock, int system, int check_owner, char *why, size_t whyn)
{
	char dir[4096];
	struct stat st;
	mode_t mode = system ? 0755 : 0700;

	dir_of(sock, dir, sizeof(dir));
	if (mkdir(dir, mode) < 0 && errno != EEXIST) {
		snprintf(why, whyn, "%s: cannot make the socket's directory: %s", dir,
		         strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whyn, "%s: not a directory; remove it or give --socket PATH", dir);
		return -1;
	}
	if (!check_owner)
		return 0;
	if (st.st_uid != geteuid()) {
		snprintf(why, whyn, "%s: the socket's directory belongs to uid %lu, not to us "
		         "(uid %lu); remove it, or give --socket PATH", dir,
		         (unsigned long)st.st_uid, (unsigned long)geteuid());
		return -1;
	}
	if (!system && (st.st_mode & 077)) {
		snprintf(why, whyn, "%s: the socket's directory is open to others (mode %03o); "
		         "`chmod 700 %s`, or give --socket PATH", dir,
		         (unsigned)(st.st_mode & 0777), dir);
		return -1;
	}
	return 0;
}
