/*
 * main.c: nanoosd, the NanoOs daemon (DESIGN.md section 7).
 *
 *   nanoosd [--image IMG] [--socket PATH] [--system] [--foreground]
 *           [--log-level error|warn|info|debug] [--workers N] [--idle-exit S]
 *
 * Boots one instance on the image (sdcard, fs, sched, memmgr, users, the
 * CPU workers; no terminal: each session brings its console) and serves
 * the control socket (nanoosd/ctl.h). Without --foreground it detaches
 * (fork, setsid, fork) and the command returns 0 only once the socket
 * answers; the detached daemon logs to stderr unless that is a terminal,
 * then to nanoosd.log beside the socket. SIGTERM/SIGINT stop it cleanly:
 * no more clients, sessions hung up, guests sent SIGTERM then (after
 * GUEST_GRACE) SIGKILL, the volume synced and closed clean, the socket
 * removed, exit 0. SIGHUP reopens the log file. With $NOTIFY_SOCKET (systemd,
 * Type=notify) it says READY=1 when serving and STOPPING=1 (notify.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kproc/nos_errno.h"
#include "nanoosd/daemon.h"

#define GUEST_GRACE_NS 2000000000LL
#define SESSION_GRACE_NS 3000000000LL

struct daemon D;

struct opts {
	const char *image, *socket, *level;
	int foreground, system;
	unsigned workers;
	unsigned idle_exit;             /* --idle-exit: seconds, 0 = never */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoosd [--image IMG] [--socket PATH] [--system] [--foreground]\n"
	        "               [--log-level error|warn|info|debug] [--workers N]\n\n"
	        "The NanoOs daemon: boots NanoOs on an SD image and serves the `nanoos`\n"
	        "command on a Unix socket.\n"
	        "  --image IMG     the SD image (default: $NANOOS_IMAGE, else\n"
	        "                  ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img); make one with\n"
	        "                  `nanoos sdimage create IMG --rootfs`\n"
	        "  --socket PATH   the control socket (default: $NANOOS_SOCKET, else\n"
	        "                  $XDG_RUNTIME_DIR/nanoos/nanoosd.sock, or\n"
	        "                  /tmp/nanoos-$UID/nanoosd.sock; for root with --system or under\n"
	        "                  systemd: /run/nanoos/nanoosd.sock, group nanoos)\n"
	        "  --system        serve the system socket (root only)\n"
	        "  --foreground    stay attached; log to stderr\n"
	        "  --log-level L   error, warn, info (default) or debug\n"
	        "  --workers N     CPU workers (default: one per core)\n"
	        "  --idle-exit S   stop after S seconds with no session and no guest (what\n"
	        "                  `nanoos run --auto-daemon` starts it with)\n"
	        "  --version       print the version\n\n"
	        "Detached, it logs to stderr, or to nanoosd.log beside the socket when stderr\n"
	        "is a terminal. SIGTERM stops it cleanly; SIGHUP reopens its log. Under\n"
	        "systemd (Type=notify) it says READY=1 once its socket accepts connections.\n");
}

/* ---------------------------------------------------------------- stopping */

int daemon_stopping(void)
{
	return __atomic_load_n(&D.stopping, __ATOMIC_ACQUIRE);
}

void daemon_request_stop(const char *why)
{
	char b = 'T';

	if (why && !daemon_stopping())
		log_msg(LOG_INFO, "stopping: %s", why);
	__atomic_store_n(&D.stopping, 1, __ATOMIC_RELEASE);
	if (write(D.wake_fd[1], &b, 1) < 0)
		return;
}

static void on_signal(int sig)
{
	int saved = errno;
	char b = sig == SIGHUP ? 'H' : 'T';

	if (write(D.wake_fd[1], &b, 1) < 0)
		errno = saved;
	errno = saved;
}

static int setup_signals(void)
{
	struct sigaction sa;

	if (pipe2(D.wake_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* ---------------------------------------------------------------- detaching */

/* Fork twice; the first process waits for "ready" on a pipe and exits
 * with 0 only then. Returns in the daemon with the pipe's write end. */
static int detach(void)
{
	int p[2];
	pid_t pid;
	char b;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		int status;

		close(p[1]);
		if (read(p[0], &b, 1) == 1 && b == 'R')
			_exit(0);
		waitpid(pid, &status, 0);
		_exit(1);                   /* the daemon said why on stderr */
	}
	close(p[0]);
	setsid();
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	return p[1];
}

/* A detached daemon whose stderr is a terminal logs to nanoosd.log beside
 * its socket instead (before any other thread logs). */
static void detached_log(int ready_fd)
{
	char file[4096 + 16], *slash;

	if (ready_fd < 0 || !isatty(2))
		return;
	snprintf(file, sizeof(file), "%s", D.socket);
	slash = strrchr(file, '/');
	snprintf(slash ? slash + 1 : file, sizeof(file) - (size_t)(slash ? slash + 1 - file : 0),
	         "nanoosd.log");
	log_init(file);
}

/* Tell the waiting command that the socket answers. */
static void tell_ready(int fd)
{
	char b = 'R';
	int null;

	if (fd < 0)
		return;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		close(null);
	}
	if (write(fd, &b, 1) < 0)
		log_msg(LOG_WARN, "the starting command went away before we were ready");
	close(fd);
}

/* ---------------------------------------------------------------- stopping guests */

static int guests_left(void)
{
	struct sched_ps_entry *ents;
	int n = info_table(&ents), i, alive = 0;

	for (i = 0; i < n; i++)
		if (ents[i].state != 'Z')
			alive++;
	free(ents);
	return n < 0 ? 0 : alive;
}

static void signal_all(uint32_t sig)
{
	struct sched_ps_entry *ents;
	int n = info_table(&ents), i;

	for (i = 0; i < n; i++) {
		struct sched_kill k = { 0, (int32_t)ents[i].pid, sig, 0 };
		msg_t m;

		if (ents[i].state == 'Z')
			continue;
		msg_init(&m, SCHED_MSG_KILL, &k, sizeof(k));
		msg_call(D.in.sched, &m, MSG_FOREVER);
	}
	free(ents);
}

/* Serve the sessions' calls while waiting, up to ns, for done() to hold. */
static int wait_until(int (*done)(void), int64_t ns)
{
	uint64_t end = msg_now_ns() + (uint64_t)ns;

	while (!done()) {
		if (msg_now_ns() >= end)
			return 0;
		broker_serve_for(50000000);
	}
	return 1;
}

static int no_guests(void)
{
	return guests_left() == 0;
}

static int no_sessions(void)
{
	unsigned n;

	pthread_mutex_lock(&D.lock);
	n = D.nconns;
	pthread_mutex_unlock(&D.lock);
	return n == 0;
}

static void hang_up_all(void)
{
	struct conn *c;

	pthread_mutex_lock(&D.lock);
	for (c = D.conns; c; c = c->next)
		conn_hang_up(c);
	pthread_mutex_unlock(&D.lock);
}

/* The start lock of `nanoos run --auto-daemon` (cli/run_autod.c), beside
 * the image: programs hold it shared while they connect and exclusive
 * while they start a daemon. -1 when it cannot be opened (then idle exit
 * goes on without it). */
static int open_start_lock(void)
{
	char lock[sizeof(D.image) + 32];
	const char *slash = strrchr(D.image, '/');

	if (slash)
		snprintf(lock, sizeof(lock), "%.*s/.nanoosd-start.lock", (int)(slash - D.image),
		         D.image);
	else
		snprintf(lock, sizeof(lock), ".nanoosd-start.lock");
	return open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/* Idle long enough to stop? Only with the start lock exclusive, which we
 * then keep until we exit, past the image's release: no program is then
 * halfway through connecting to us, and none starts a daemon while we
 * still hold the image. */
static int may_stop_idle(int lock)
{
	if (lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) < 0)
		return 0;               /* a program is connecting or starting one */
	if (no_sessions() && no_guests())
		return 1;
	if (lock >= 0)
		flock(lock, LOCK_UN);
	return 0;
}

/* Serve until a stop is asked for; with idle_exit, also until nothing
 * (no session, no guest) has been there for that many seconds. */
static void serve(unsigned idle_exit)
{
	uint64_t idle_since = msg_now_ns(), limit = (uint64_t)idle_exit * 1000000000u;
	int lock;

	if (!idle_exit) {
		broker_serve();
		return;
	}
	lock = open_start_lock();
	while (!daemon_stopping()) {
		broker_serve_for(200000000);
		if (!no_sessions() || !no_guests())
			idle_since = msg_now_ns();
		else if (msg_now_ns() - idle_since < limit)
			continue;
		else if (may_stop_idle(lock))
			daemon_request_stop("idle: no session and no guest for --idle-exit seconds");
		else
			idle_since = msg_now_ns();
	}
	/* lock stays open (and held, if we took it) until the process ends */
}

static int shut_down(void)
{
	int n = guests_left();

	listen_join();
	hang_up_all();
	if (n)
		log_msg(LOG_INFO, "sending SIGTERM to %d guest%s", n, n == 1 ? "" : "s");
	signal_all(15);
	if (!wait_until(no_guests, GUEST_GRACE_NS)) {
		log_msg(LOG_INFO, "sending SIGKILL to %d guest%s that stayed", guests_left(),
		        guests_left() == 1 ? "" : "s");
		signal_all(9);
		wait_until(no_guests, GUEST_GRACE_NS);
	}
	if (!wait_until(no_sessions, SESSION_GRACE_NS))
		log_msg(LOG_WARN, "some sessions did not end; halting anyway");
	if (instance_halt(&D.in) < 0) {
		log_msg(LOG_ERR, "%s", D.in.err);
		return 1;
	}
	unlink(D.socket);
	log_msg(LOG_INFO, "stopped; %s closed cleanly", D.image);
	return 0;
}

/* ---------------------------------------------------------------- starting */

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option long_opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 's' },
		{ "system", no_argument, NULL, 'S' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "idle-exit", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'i': o->image = optarg; break;
		case 's': o->socket = optarg; break;
		case 'S': o->system = 1; break;
		case 'f': o->foreground = 1; break;
		case 'l': o->level = optarg; break;
		case 'w': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*end || n < 1 || n > SCHED_WORKERS_MAX) {
				fprintf(stderr, "nanoosd: --workers %s: give 1 to %u\n", optarg,
				        SCHED_WORKERS_MAX);
				return -1;
			}
			o->workers = (unsigned)n;
			break;
		}
		case 'I': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*end || *optarg == '-' || n < 1 || n > 86400) {
				fprintf(stderr, "nanoosd: --idle-exit %s: give 1 to 86400 seconds\n",
				        optarg);
				return -1;
			}
			o->idle_exit = (unsigned)n;
			break;
		}
		case 'h': usage(stdout); exit(0);
		case 'V': printf("nanoosd %s\n", NANOOS_VERSION); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nanoosd: %s: unexpected argument; `nanoosd --help` lists the "
		        "options\n", argv[optind]);
		return -1;
	}
	if (o->level && (log_level = log_parse_level(o->level)) < 0) {
		fprintf(stderr, "nanoosd: --log-level %s: give error, warn, info or debug\n",
		        o->level);
		return -1;
	}
	return 0;
}

static int find_paths(const struct opts *o)
{
	const char *env_sock = getenv("NANOOS_SOCKET");
	char why[1024];
	int chosen = o->socket || (env_sock && *env_sock);

	if (paths_image(o->image, D.image, sizeof(D.image), why, sizeof(why)) < 0 ||
	    paths_socket(o->socket, o->system, D.socket, sizeof(D.socket), &D.system, why,
	                 sizeof(why)) < 0 ||
	    paths_socket_dir(D.socket, D.system, !chosen, why, sizeof(why)) < 0) {
		fprintf(stderr, "nanoosd: %s\n", why);
		return -1;
	}
	return 0;
}

static void find_group(void)
{
	struct group *g = getgrnam("nanoos");

	D.nanoos_gid = g ? g->gr_gid : (gid_t)-1;
}

static int boot(const struct opts *o)
{
	if (msg_init_runtime("nanoosd") < 0) {
		log_msg(LOG_ERR, "cannot start the message runtime");
		return -1;
	}
	D.main_pid = msg_self();
	if (instance_start(&D.in, D.image, o->workers, 0) < 0) {
		log_msg(LOG_ERR, "%s", D.in.err);
		instance_halt(&D.in);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	int ready = -1, lfd;

	memset(&D, 0, sizeof(D));
	pthread_mutex_init(&D.lock, NULL);
	D.uid = getuid();
	D.started = (uint64_t)time(NULL);
	D.wake_fd[0] = D.wake_fd[1] = -1;
	if (parse(argc, argv, &o) < 0)
		return 2;
	log_init(NULL);
	find_group();
	if (find_paths(&o) < 0 || listen_check_existing(D.socket) < 0)
		return 1;
	if (!o.foreground && (ready = detach()) < 0) {
		fprintf(stderr, "nanoosd: cannot detach: %s\n", strerror(errno));
		return 1;
	}
	if (setup_signals() < 0 || boot(&o) < 0)
		return 1;
	lfd = listen_open(D.socket, D.system);
	if (lfd >= 0)
		detached_log(ready);
	if (lfd < 0 || listen_start(lfd) < 0) {
		instance_halt(&D.in);
		return 1;
	}
	log_msg(LOG_INFO, "serving %s on %s (%u workers)", D.image, D.socket, D.in.nworkers);
	tell_ready(ready);
	notify_systemd("READY=1");
	serve(o.idle_exit);
	notify_systemd("STOPPING=1");
	return shut_down();
}
