/* t-limits: resource limits and fair slices. Without arguments, a TAP test:
 * getrlimit/setrlimit/prlimit (defaults, lowering, cur > max, raising the
 * hard limit, inheritance, another pid, ESRCH; as `user`: EPERM), an fd leak
 * that ends in EMFILE, memory unmapped and mapped again reading as zeros, a
 * memory hog that ends in ENOMEM (malloc, brk and mmap) and gets the same
 * memory again after it ended, a fork bomb under a lowered RLIMIT_NPROC that
 * ends in EAGAIN while another program still starts at once and after which
 * ps counts what it counted before, ps showing a spinner's instructions
 * grow, SIGKILL ending a spinner and a vfork parent at once, RLIMIT_CPU
 * ending a spinner with SIGXCPU, and a pipe ping-pong that keeps its pace
 * beside spinners. Under qemu-riscv32 the NanoOs-only checks are skipped:
 * qemu-user does not apply RLIMIT_AS, Linux does not apply RLIMIT_NPROC to
 * root, and nanoos_ps is NanoOs's own.
 *
 * With arguments it is a load for tests/integration/limits.sh and
 * bench/bench_guests.sh:
 *   t-limits sleepers N SECONDS   fork N children that sleep, print
 *                                 "sleeping N" once all were forked, reap them
 *   t-limits spawn N PROG         fork+exec+wait PROG N times, then vfork+exec
 *                                 N times; print both rates per second
 *   t-limits spin                 spin forever
 *   t-limits bomb [N]             fork until EAGAIN under RLIMIT_NPROC N (64)
 *   t-limits hog [MIB]            malloc and touch until ENOMEM under RLIMIT_AS
 *                                 MIB (32)
 *   t-limits fdleak               dup until EMFILE
 * Each of the last three runs in a child that holds what it got while the
 * parent prints "NAME COUNT refused as expected" (or the error it got),
 * "responsive SECONDS" (/bin/true started and ended meanwhile), kills the
 * child, prints "released" and idles 1.5 s.
 * Every load that sets a limit also tries setuid(1000) first, to run as
 * `user` where the kernel has setuid. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nanoos.h>

#include "tap.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

static void become_user(void)
{
	(void)setuid(1000);                    /* ENOSYS/EPERM: stay who we are */
}

static int set_cur(int res, rlim_t cur)
{
	struct rlimit r;
	if (getrlimit(res, &r) < 0)
		return -1;
	r.rlim_cur = cur;
	if (r.rlim_max != RLIM_INFINITY && cur > r.rlim_max)
		r.rlim_cur = r.rlim_max;
	return setrlimit(res, &r);
}

/* ---------------------------------------------------------------- loads */

static int spin(void)
{
	volatile unsigned long n = 0;
	for (;;)
		n++;
	return 0;
}

/* Open /dev/null-like fds (dup of stdout) until the table is full. */
static int fd_leak(int *err)
{
	int n = 0;
	for (;;) {
		int fd = dup(1);
		if (fd < 0) {
			*err = errno;
			return n;
		}
		n++;
	}
}

/* Allocate and touch 64 KiB blocks until malloc refuses: the KiB got. */
static long hog(int *err)
{
	long kib = 0;
	for (;;) {
		char *p = malloc(64 << 10);
		if (!p) {
			*err = errno;
			return kib;
		}
		for (int i = 0; i < (64 << 10); i += 4096)
			p[i] = 1;
		kib += 64;
	}
}

/* Fork until refused; the children pause. The number forked, or -1. */
static int fork_until_refused(int *err)
{
	int n = 0;
	for (;;) {
		pid_t p = fork();
		if (p == 0)
			for (;;)
				sleep_ms(1000);
		if (p < 0) {
			*err = errno;
			return n;
		}
		n++;
	}
}

/* The time /bin/true (NanoOs) takes to start and end, or -1. */
static double true_time(void);

/* A load for limits.sh: a child runs the abuse and reports on a pipe, then
 * holds what it got; meanwhile the parent times /bin/true; then the child
 * is killed and reaped, "released" is printed and the instance idles 1.5 s
 * (for the script to see the memory given back). */
static int abuse(const char *name, long (*fn)(int *err, long arg), long arg, int want)
{
	int fds[2];
	char line[64] = "";
	if (pipe(fds) < 0)
		return 2;
	pid_t child = fork();
	if (child == 0) {
		int err = 0;
		close(fds[0]);
		become_user();
		setpgid(0, 0);
		long n = fn(&err, arg);
		int len = snprintf(line, sizeof(line), "%ld %d\n", n, err);
		if (write(fds[1], line, (size_t)len) != len)
			_exit(1);
		for (;;)
			sleep_ms(1000);
	}
	close(fds[1]);
	long n = -1;
	int err = 0;
	if (read(fds[0], line, sizeof(line) - 1) > 0)
		sscanf(line, "%ld %d", &n, &err);
	printf("%s %ld %s\n", name, n, err == want ? "refused as expected" : strerror(err));
	fflush(stdout);
	sleep_ms(300);
	printf("responsive %.3f\n", true_time());
	fflush(stdout);
	kill(-child, SIGKILL);
	waitpid(child, NULL, 0);
	sleep_ms(300);
	printf("released\n");
	fflush(stdout);
	sleep_ms(1500);
	return err == want ? 0 : 1;
}

static long hog_to(int *err, long mib)
{
	if (set_cur(RLIMIT_AS, (rlim_t)mib << 20) < 0)
		return *err = errno, -1;
	return hog(err);
}

static long fds_until_full(int *err, long unused)
{
	(void)unused;
	return fd_leak(err);
}

static long bomb_under(int *err, long limit)
{
	if (set_cur(RLIMIT_NPROC, (rlim_t)limit) < 0)
		return *err = errno, -1;
	return fork_until_refused(err);
}

static int load_main(int argc, char **argv)
{
	const char *what = argv[1];
	long arg = argc > 2 ? atol(argv[2]) : 0;

	if (!strcmp(what, "spin"))
		return spin();
	if (!strcmp(what, "fdleak"))
		return abuse("fdleak", fds_until_full, 0, EMFILE);
	if (!strcmp(what, "hog"))
		return abuse("hog", hog_to, arg ? arg : 32, ENOMEM);
	if (!strcmp(what, "bomb"))
		return abuse("bomb", bomb_under, arg ? arg : 64, EAGAIN);
	if (!strcmp(what, "sleepers") && argc > 3) {
		int n = atoi(argv[2]), forked = 0;
		long ms = atol(argv[3]) * 1000;
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				sleep_ms(ms);
				_exit(0);
			}
			if (p < 0) {
				printf("fork %d: %s\n", i, strerror(errno));
				break;
			}
			forked++;
		}
		printf("sleeping %d\n", forked);
		fflush(stdout);
		int reaped = 0;
		while (wait(NULL) > 0)
			reaped++;
		printf("reaped %d\n", reaped);
		return reaped == n ? 0 : 1;
	}
	if (!strcmp(what, "spawn") && argc > 3) {
		int n = atoi(argv[2]);
		char *args[] = { argv[3], NULL };
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				execv(argv[3], args);
				_exit(127);
			}
			int st;
			if (p < 0 || waitpid(p, &st, 0) != p || st != 0)
				return printf("fork+exec %d failed\n", i), 1;
		}
		double t1 = now_s();
		for (int i = 0; i < n; i++) {
			pid_t p = vfork();
			if (p == 0) {
				execv(argv[3], args);
				_exit(127);
			}
			int st;
			if (p < 0 || waitpid(p, &st, 0) != p || st != 0)
				return printf("vfork+exec %d failed\n", i), 1;
		}
		double t2 = now_s();
		printf("fork+exec+wait %.0f/s\nvfork+exec+wait %.0f/s\n", n / (t1 - t0),
		       n / (t2 - t1));
		return 0;
	}
	fprintf(stderr, "t-limits: unknown load %s\n", what);
	return 2;
}

/* ---------------------------------------------------------------- checks */

static void check_get_set(void)
{
	struct rlimit r, s;

	ok(getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur > 3 && r.rlim_cur <= r.rlim_max,
	   "getrlimit(RLIMIT_NOFILE): %llu of %llu", r.rlim_cur, r.rlim_max);
	ok(getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur >= (1u << 20),
	   "getrlimit(RLIMIT_AS): %llu", r.rlim_cur);
	ok(getrlimit(99, &r) < 0 && errno == EINVAL, "an unknown resource is EINVAL");
	s.rlim_cur = 10;
	s.rlim_max = 5;
	ok(setrlimit(RLIMIT_NOFILE, &s) < 0 && errno == EINVAL, "cur above max is EINVAL");

	getrlimit(RLIMIT_NOFILE, &r);
	s.rlim_cur = r.rlim_cur > 32 ? 32 : r.rlim_cur;
	s.rlim_max = r.rlim_max;
	ok(setrlimit(RLIMIT_NOFILE, &s) == 0 && getrlimit(RLIMIT_NOFILE, &r) == 0 &&
	   r.rlim_cur == s.rlim_cur, "lowering the soft limit (NOFILE to %llu)", s.rlim_cur);
	s.rlim_cur = s.rlim_max;
	ok(setrlimit(RLIMIT_NOFILE, &s) == 0, "raising it again up to the hard limit");

	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit c;
		getrlimit(RLIMIT_STACK, &c);
		c.rlim_cur = c.rlim_max = c.rlim_max == RLIM_INFINITY ? (4u << 20) : c.rlim_max / 2;
		if (setrlimit(RLIMIT_STACK, &c) < 0)
			_exit(1);
		c.rlim_max *= 2;
		int raised = setrlimit(RLIMIT_STACK, &c);
		/* raising the hard limit: only root may */
		_exit(getuid() == 0 ? (raised == 0 ? 0 : 2) : (raised < 0 && errno == EPERM ? 0 : 3));
	}
	int st = -1;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "lowering the hard limit; raising it is for root only (uid %d, status %d)",
	   (int)getuid(), st);

	/* Limits are inherited across fork. */
	getrlimit(RLIMIT_NPROC, &r);
	struct rlimit low = { 1000, r.rlim_max };
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < 1000)
		low.rlim_cur = r.rlim_max;
	setrlimit(RLIMIT_NPROC, &low);
	pid = fork();
	if (pid == 0) {
		struct rlimit c;
		_exit(getrlimit(RLIMIT_NPROC, &c) == 0 && c.rlim_cur == low.rlim_cur ? 0 : 1);
	}
	st = -1;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a child inherits RLIMIT_NPROC");
	setrlimit(RLIMIT_NPROC, &r);
	ok(prlimit(getpid(), RLIMIT_NOFILE, NULL, &s) == 0, "prlimit on its own pid");

	/* On a child: set, then read back; a pid nobody has is ESRCH. */
	pid = fork();
	if (pid == 0) {
		sleep_ms(2000);
		_exit(0);
	}
	struct rlimit c = { 20, 40 }, back = { 0, 0 };
	int set = prlimit(pid, RLIMIT_NOFILE, &c, NULL);
	int got = prlimit(pid, RLIMIT_NOFILE, NULL, &back);
	ok(set == 0 && got == 0 && back.rlim_cur == 20 && back.rlim_max == 40,
	   "prlimit sets and reads a child's limit (%llu of %llu)", back.rlim_cur, back.rlim_max);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ok(prlimit(30999, RLIMIT_NOFILE, NULL, &back) < 0 && errno == ESRCH,
	   "prlimit on a pid nobody has is ESRCH");
}

/* As `user` (setuid 1000, where the kernel has it): raising a hard limit
 * is EPERM, lowering works, and root's processes are not its to change. */
static int as_user_limits(void)
{
	pid_t root_pid = getppid();
	if (setuid(1000) < 0)
		return 100;                     /* no setuid here: skipped */
	struct rlimit r = { 16, 32 };
	if (setrlimit(RLIMIT_NOFILE, &r) < 0)
		return 1;
	r.rlim_max = 33;
	if (setrlimit(RLIMIT_NOFILE, &r) == 0 || errno != EPERM)
		return 2;
	if (prlimit(root_pid, RLIMIT_NOFILE, NULL, &r) == 0 || errno != EPERM)
		return 3;
	return 0;
}

/* Run fn in a child; its exit status (or -1). */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int child_fd_leak(void)
{
	int err = 0;
	set_cur(RLIMIT_NOFILE, 64);
	struct rlimit r;
	getrlimit(RLIMIT_NOFILE, &r);
	int n = fd_leak(&err);
	printf("# %d fds opened, then %s\n", n, strerror(err));
	return err == EMFILE && n + 3 <= (int)r.rlim_cur ? 0 : 1;
}

static int child_hog(void)
{
	int err = 0;
	if (set_cur(RLIMIT_AS, 8u << 20) < 0)
		return 2;
	long kib = hog(&err);
	printf("# %ld KiB allocated, then %s\n", kib, strerror(err));
	if (err != ENOMEM || kib < 1024 || kib > 8192)
		return 1;
	void *m = mmap(NULL, 4u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED || errno != ENOMEM)
		return 3;
	if (sbrk(1 << 20) != (void *)-1 || errno != ENOMEM)
		return 4;
	return 10 + (int)(kib / 256);       /* 14..42: the parent compares runs */
}

/* Memory unmapped and mapped again reads as zeros (NanoOs gives the host
 * pages back on munmap and hands out zero pages untouched). */
static void check_remap_zero(void)
{
	size_t len = 4u << 20;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                        -1, 0);
	if (p == MAP_FAILED) {
		ok(0, "mmap 4 MiB: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < len; i += 4096)
		p[i] = 0xa5;
	ok(munmap(p, len) == 0, "munmap 4 MiB");
	unsigned char *q = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                        -1, 0);
	int zero = q != MAP_FAILED;
	for (size_t i = 0; zero && i < len; i += 4096)
		zero = q[i] == 0 && q[i + 4095] == 0;
	ok(zero, "mapped again, it reads as zeros");
	if (q != MAP_FAILED)
		munmap(q, len);
}

static void check_hog(void)
{
	if (!on_nanoos()) {
		skip("a memory hog gets ENOMEM", "qemu-user does not apply RLIMIT_AS");
		return;
	}
	int first = in_child(child_hog);
	ok(first >= 14 && first <= 42, "a memory hog under RLIMIT_AS 8 MiB: ENOMEM from malloc, "
	   "mmap and sbrk (status %d: %d KiB)", first, (first - 10) * 256);
	int second = in_child(child_hog);
	ok(second == first, "after it ended, the next one gets the same memory (%d, %d)",
	   first, second);
}

static double true_time(void)
{
	double t0 = now_s();
	pid_t p = fork();
	if (p == 0) {
		char *args[] = { "/bin/true", NULL };
		execv(args[0], args);
		_exit(127);
	}
	int st = -1;
	if (p < 0 || waitpid(p, &st, 0) != p || st != 0)
		return -1;
	return now_s() - t0;
}

/* Processes in the table (NanoOs's ps), or -1. */
static int proc_count(void)
{
	static struct nanoos_ps_entry ents[512];
	return nanoos_ps(ents, 512);
}

static void check_bomb(void)
{
	int fds[2];
	char line[64] = "";
	int procs_before = proc_count();

	if (!on_nanoos()) {
		skip("a fork bomb gets EAGAIN", "Linux does not apply RLIMIT_NPROC to root");
		return;
	}
	if (pipe(fds) < 0)
		return;
	pid_t bomb = fork();
	if (bomb == 0) {
		int err = 0;
		close(fds[0]);
		become_user();
		setpgid(0, 0);
		set_cur(RLIMIT_NPROC, 48);
		int n = fork_until_refused(&err);
		char report[32];
		int len = snprintf(report, sizeof(report), "%d %d\n", n, err);
		if (write(fds[1], report, (size_t)len) != len)
			_exit(1);
		for (;;)
			sleep_ms(1000);
	}
	close(fds[1]);
	int n = -1, err = 0;
	ssize_t got = read(fds[0], line, sizeof(line) - 1);
	if (got > 0)
		sscanf(line, "%d %d", &n, &err);
	ok(got > 0 && err == EAGAIN && n > 0 && n < 48,
	   "a fork bomb under RLIMIT_NPROC 48 gets EAGAIN after %d forks", n);
	double t = true_time();
	ok(t >= 0 && t < 3.0, "meanwhile /bin/true starts and ends in %.3f s", t);
	kill(-bomb, SIGKILL);
	int st = -1;
	ok(waitpid(bomb, &st, 0) == bomb && WIFSIGNALED(st), "the bomb is killed");
	sleep_ms(200);                          /* its children end as orphans */
	int forked = 0;
	pid_t kids[40];
	for (int i = 0; i < 40; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(0);
		if (kids[i] > 0)
			forked++;
	}
	for (int i = 0; i < 40; i++)
		if (kids[i] > 0)
			waitpid(kids[i], NULL, 0);
	ok(forked == 40, "afterwards 40 forks in a row work again (%d)", forked);
	int procs_after = -1;
	for (int i = 0; i < 20 && procs_after != procs_before; i++) {
		sleep_ms(100);
		procs_after = proc_count();
	}
	ok(procs_before > 0 && procs_after == procs_before,
	   "and the process table is back to its size (ps: %d before, %d after)", procs_before,
	   procs_after);
	close(fds[0]);
}

/* The instructions ps shows for pid so far (NanoOs), or 0. */
static uint64_t ps_instret(pid_t pid)
{
	static struct nanoos_ps_entry ents[512];
	int n = nanoos_ps(ents, 512);
	for (int i = 0; i < n; i++)
		if (ents[i].pid == (uint32_t)pid)
			return ents[i].instret;
	return 0;
}

static void check_kill_spinner(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(spin());
	sleep_ms(50);
	if (on_nanoos()) {
		uint64_t first = ps_instret(p);
		sleep_ms(600);
		uint64_t later = ps_instret(p);
		ok(later > first && later > 1000000, "ps shows a running spinner's instructions "
		   "grow (%llu, then %llu)", (unsigned long long)first, (unsigned long long)later);
	}
	double t0 = now_s();
	kill(p, SIGKILL);
	int st = -1;
	pid_t w = waitpid(p, &st, 0);
	double t = now_s() - t0;
	ok(w == p && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && t < 1.0,
	   "SIGKILL ends a spinner in %.3f s", t);
}

/* SIGKILL reaches a vfork parent at once, while its child still runs in
 * its space (sleeping, or blocked in a read): the instance survives, the
 * parent dies at once, and the sleeping child goes on to its end. */
static void check_kill_vfork_parent(void)
{
	int fds[2], block[2];
	if (pipe(fds) < 0 || pipe(block) < 0)
		return;
	for (int blocked = 0; blocked < 2; blocked++) {
		pid_t parent = fork();
		if (parent == 0) {
			pid_t c = vfork();
			if (c == 0) {
				char b;
				if (blocked) {
					close(block[1]);
					if (read(block[0], &b, 1) < 0)
						_exit(3);
				} else {
					sleep_ms(300);
				}
				if (write(fds[1], "c", 1) != 1)
					_exit(2);
				_exit(0);
			}
			_exit(c > 0 ? 0 : 1);
		}
		sleep_ms(100);
		double t0 = now_s();
		kill(parent, SIGKILL);
		int st = -1;
		pid_t w = waitpid(parent, &st, 0);
		double t = now_s() - t0;
		/* (qemu-user's vfork is a fork: there the parent has ended.) */
		int gone = WIFSIGNALED(st) || (!on_nanoos() && WIFEXITED(st) && !WEXITSTATUS(st));
		ok(w == parent && gone && t < 1.0,
		   "SIGKILL ends a vfork parent whose child %s, in %.3f s",
		   blocked ? "is blocked in read" : "sleeps", t);
		if (!blocked) {
			char b = 0;
			ok(read(fds[0], &b, 1) == 1 && b == 'c',
			   "its sleeping child goes on in a space of its own");
		}
	}
	/* Where the blocked child outlived its parent (Linux), let it go. */
	if (write(block[1], "x", 1) != 1)
		ok(0, "releasing the blocked child");
	close(fds[0]); close(fds[1]); close(block[0]); close(block[1]);
}

static int spin_under_cpu_limit(void)
{
	struct rlimit r = { 1, 3 };
	if (setrlimit(RLIMIT_CPU, &r) < 0)
		return 1;
	return spin();
}

/* RLIMIT_CPU: a spinner past its soft limit gets SIGXCPU (default: end). */
static void check_cpu_limit(void)
{
	double t0 = now_s();
	int st = in_child(spin_under_cpu_limit);
	ok(st == 128 + SIGXCPU, "a spinner under RLIMIT_CPU 1 s ends with SIGXCPU "
	   "(status %d, after %.2f s)", st, now_s() - t0);
}

/* Round trips of one byte between the parent and a child over two pipes,
 * beside `nspin` spinners: the time they take. */
static double ping_pong(int rounds)
{
	int up[2], down[2];
	char c = 'x';
	if (pipe(up) < 0 || pipe(down) < 0)
		return -1;
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < rounds; i++)
			if (read(down[0], &c, 1) != 1 || write(up[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	double t0 = now_s();
	int okay = 1;
	for (int i = 0; i < rounds && okay; i++)
		okay = write(down[1], &c, 1) == 1 && read(up[0], &c, 1) == 1;
	double t = now_s() - t0;
	int st = -1;
	waitpid(p, &st, 0);
	close(up[0]); close(up[1]); close(down[0]); close(down[1]);
	return okay && st == 0 ? t : -1;
}

static void check_fair(void)
{
	enum { SPINNERS = 4, ROUNDS = 200 };
	pid_t spinners[SPINNERS];
	double alone = ping_pong(ROUNDS);

	for (int i = 0; i < SPINNERS; i++) {
		spinners[i] = fork();
		if (spinners[i] == 0)
			_exit(spin());
	}
	sleep_ms(20);
	double busy = ping_pong(ROUNDS);
	for (int i = 0; i < SPINNERS; i++)
		kill(spinners[i], SIGKILL);
	for (int i = 0; i < SPINNERS; i++)
		waitpid(spinners[i], NULL, 0);
	ok(alone >= 0 && busy >= 0 && busy < 5.0,
	   "%d pipe round trips beside %d spinners: %.3f s (alone %.3f s)", ROUNDS, SPINNERS,
	   busy, alone);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return load_main(argc, argv);
	check_get_set();
	ok(in_child(child_fd_leak) == 0, "an fd leak ends in EMFILE within RLIMIT_NOFILE");
	if (on_nanoos() && getuid() == 0) {
		int st = in_child(as_user_limits);
		if (st == 100)
			skip("limits as user", "no setuid in this kernel");
		else
			ok(st == 0, "as user: lowering works, raising a hard limit and root's "
			   "limits are EPERM (status %d)", st);
	}
	check_remap_zero();
	check_hog();
	check_bomb();
	check_kill_spinner();
	check_kill_vfork_parent();
	check_cpu_limit();
	check_fair();
	return tap_done();
}
