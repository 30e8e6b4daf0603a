/* t-proc: processes and signals through the glue library: getpid/getppid,
 * fork and vfork (clone), waitpid/wait (waitid) and the status word,
 * execve/execvp/posix_spawn, process groups and sessions, kill/raise,
 * signal handlers (signal, sigaction with SA_SIGINFO), SIG_IGN,
 * sigprocmask/sigpending, SIGCHLD, EINTR. Under qemu-riscv32, execve runs
 * host programs (/bin/true ...) fine but not RV32 ones (no binfmt_misc):
 * that one check is skipped unless uname says NanoOs. */
#define _GNU_SOURCE   /* pipe2 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

static volatile sig_atomic_t got_signal, got_chld;
static volatile int got_si_signo, got_si_pid, got_si_code;
static int shared_value = 1;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void on_chld(int sig)
{
	(void)sig;
	got_chld++;
}

static void on_siginfo(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_signal = sig;
	got_si_signo = si->si_signo;
	got_si_pid = si->si_pid;
	got_si_code = si->si_code;
}

/* The status of a child that runs fn and exits with its result. */
static int child_status(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static int exit_42(void) { return 42; }
static int exit_300(void) { return 300; }
static int change_shared(void) { shared_value = 99; return 0; }
static int raise_term(void) { raise(SIGTERM); return 0; }
static int call_abort(void) { abort(); }
static int own_group(void) { return setpgid(0, 0) == 0 && getpgrp() == getpid() ? 0 : 1; }
static int own_session(void) { return setsid() == getpid() && getpgid(0) == getpid() ? 0 : 1; }

static void test_ids_and_fork(void)
{
	pid_t me = getpid();
	ok(me > 0 && getppid() > 0 && getppid() != me, "getpid %d, getppid %d", (int)me, (int)getppid());
	int status = child_status(exit_42);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 42, "fork; the child exits 42; waitpid sees it");
	status = child_status(exit_300);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 300 % 256, "exit status is taken mod 256");
	char parent[16];
	snprintf(parent, sizeof(parent), "%d", (int)me);
	setenv("T_PARENT", parent, 1);
	pid_t pid = fork();
	if (pid == 0)
		_exit(getppid() == me ? 0 : 1);
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "the child's getppid is the parent's pid");
	status = child_status(change_shared);
	ok(status == 0 && shared_value == 1, "a child's writes do not reach the parent's memory");
	ok(child_status(own_group) == 0, "setpgid(0, 0) makes a new process group");
	ok(child_status(own_session) == 0, "setsid makes a new session");
	ok(getpgid(0) == getpgrp() && getpgrp() > 0, "getpgid(0) == getpgrp()");
}

static void test_vfork(void)
{
	int local = 5;
	pid_t pid = vfork();
	if (pid == 0)
		_exit(7);
	int status = -1;
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	   WEXITSTATUS(status) == 7 && local == 5,
	   "vfork; the child _exits 7; the parent's frame is intact");
}

static void test_wait_errors(void)
{
	int status;
	ok(waitpid(-1, &status, 0) == -1 && errno == ECHILD, "waitpid with no children: ECHILD");
	int gate[2];
	pipe(gate);
	pid_t pid = fork();
	if (pid == 0) {   /* runs until the parent closes the gate */
		char c;
		close(gate[1]);
		read(gate[0], &c, 1);
		_exit(3);
	}
	close(gate[0]);
	ok(waitpid(pid, &status, WNOHANG) == 0, "WNOHANG on a running child returns 0");
	close(gate[1]);
	ok(wait(&status) == pid && WEXITSTATUS(status) == 3, "wait reaps it");
	ok(kill(99999, SIGTERM) == -1 && errno == ESRCH, "kill a missing pid: ESRCH");
	ok(kill(getpid(), 999) == -1 && errno == EINVAL, "kill with a bad signal: EINVAL");
}

static void test_deaths(void)
{
	int status = child_status(raise_term);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "raise(SIGTERM) kills the child");
	status = child_status(call_abort);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "abort() dies of SIGABRT");
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		for (;;)
			sigsuspend(&none);
	}
	ok(kill(pid, SIGKILL) == 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	   WTERMSIG(status) == SIGKILL, "kill(SIGKILL) of a sleeping child");
}

/* Job control: a stopped child is reported to WUNTRACED, a continued one
 * to WCONTINUED, each once; a plain wait still waits for the exit. */
static void test_stop_and_continue(void)
{
	int status = 0;
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			usleep(1000);
	}
	ok(kill(pid, SIGSTOP) == 0 && waitpid(pid, &status, WUNTRACED) == pid &&
	   WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "WUNTRACED reports SIGSTOP");
	ok(waitpid(pid, &status, WUNTRACED | WNOHANG) == 0, "a stop is reported once");
	ok(kill(pid, SIGCONT) == 0 && waitpid(pid, &status, WCONTINUED) == pid &&
	   WIFCONTINUED(status), "WCONTINUED reports SIGCONT");
	ok(kill(pid, SIGTSTP) == 0 && waitpid(pid, &status, WUNTRACED) == pid &&
	   WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP, "WUNTRACED reports SIGTSTP");
	ok(kill(pid, SIGKILL) == 0 && waitpid(pid, &status, WUNTRACED) == pid &&
	   WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a stopped child dies of SIGKILL");

	/* A sleep stopped for 0.3 s and continued ends when it would have
	 * (1 s after it began), neither at once (EINTR) nor 1 s after SIGCONT. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid == 0)
		_exit(usleep(1000000) == 0 ? 0 : 1);
	usleep(200000);
	kill(pid, SIGSTOP);
	usleep(300000);
	kill(pid, SIGCONT);
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && took > 0.95 && took < 1.45,
	   "a stopped and continued sleep keeps its end (%.2f s)", took);
}

static void test_handlers(void)
{
	got_signal = 0;
	ok(signal(SIGUSR1, on_signal) == SIG_DFL, "signal() installs a handler (old one SIG_DFL)");
	ok(raise(SIGUSR1) == 0 && got_signal == SIGUSR1, "raise(SIGUSR1) runs it with signal %d", SIGUSR1);
	ok(signal(SIGUSR1, SIG_IGN) == on_signal, "signal() returns the previous handler");
	got_signal = 0;
	ok(raise(SIGUSR1) == 0 && got_signal == 0, "SIG_IGN: the signal is ignored");

	struct sigaction sa = { .sa_sigaction = on_siginfo, .sa_flags = SA_SIGINFO }, old;
	sigemptyset(&sa.sa_mask);
	ok(sigaction(SIGUSR2, &sa, NULL) == 0, "sigaction with SA_SIGINFO");
	got_signal = 0;
	int sent = kill(getpid(), SIGUSR2);
	ok(sent == 0 && got_signal == SIGUSR2 && got_si_signo == SIGUSR2 &&
	   got_si_pid == getpid() && got_si_code == SI_USER,
	   "the handler gets a siginfo_t (signo %d, pid %d, code %d)", got_si_signo, got_si_pid,
	   got_si_code);
	ok(sigaction(SIGUSR2, NULL, &old) == 0 && old.sa_sigaction == on_siginfo &&
	   (old.sa_flags & SA_SIGINFO), "sigaction reports the installed action");
	ok(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "a handler for SIGKILL: EINVAL");
	ok(sigaction(0, &sa, NULL) == -1 && errno == EINVAL, "signal 0: EINVAL");

	/* Blocked signals wait; unblocking delivers them. */
	signal(SIGUSR1, on_signal);
	sigset_t block, old_mask, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	got_signal = 0;
	ok(sigprocmask(SIG_BLOCK, &block, &old_mask) == 0 && raise(SIGUSR1) == 0 && got_signal == 0,
	   "sigprocmask(SIG_BLOCK): a raised signal waits");
	ok(sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1) == 1, "sigpending shows it");
	ok(sigprocmask(SIG_SETMASK, &old_mask, NULL) == 0 && got_signal == SIGUSR1,
	   "unblocking delivers it");
	sigset_t now;
	ok(sigprocmask(SIG_SETMASK, NULL, &now) == 0 && sigismember(&now, SIGUSR1) == 0,
	   "the mask is back as it was");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void test_sigchld_and_eintr(void)
{
	got_chld = 0;
	signal(SIGCHLD, on_chld);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int status;
	waitpid(pid, &status, 0);
	ok(got_chld == 1, "SIGCHLD arrives when a child exits");
	signal(SIGCHLD, SIG_DFL);

	/* A read on an empty pipe, interrupted by a handler without SA_RESTART.
	 * The child signals every 50 ms (one may come before the read blocks)
	 * until the parent closes the done pipe. */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = 0 };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	int p[2], done[2];
	pipe(p);
	pipe2(done, O_NONBLOCK);
	pid_t parent = getpid();
	pid = fork();
	if (pid == 0) {
		close(done[1]);
		char c;
		for (int i = 0; i < 200 && read(done[0], &c, 1) < 0; i++) {
			struct timespec t = { 0, 50 * 1000 * 1000 };
			nanosleep(&t, NULL);
			kill(parent, SIGUSR1);
		}
		_exit(0);
	}
	char c;
	got_signal = 0;
	ssize_t n = read(p[0], &c, 1);
	int err = errno;
	close(done[1]);
	ok(n == -1 && err == EINTR && got_signal == SIGUSR1,
	   "a blocked read interrupted by a signal: EINTR");
	waitpid(pid, &status, 0);
	close(done[0]);
	close(p[0]);
	close(p[1]);
	signal(SIGUSR1, SIG_DFL);
}

static int run_status(const char *path, char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		execve(path, argv, environ);
		_exit(errno == ENOEXEC ? 125 : 126);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	return status;
}

/* /bin/true, /bin/false and echo are NanoOs's programs there, and the host's
 * under qemu-riscv32 (which hands execve to Linux): either way this checks
 * the path, argv, environment, descriptors and exit status. Running an RV32
 * program (this test itself, again) needs NanoOs. */
static void test_exec(const char *self)
{
	char *argv[] = { "nothing-here", NULL };
	ok(execve("/no/such/program", argv, environ) == -1 && errno == ENOENT,
	   "execve of a missing file: ENOENT");
	ok(execvp("no-such-program-anywhere", argv) == -1 && errno == ENOENT,
	   "execvp searches PATH and fails with ENOENT");
	pid_t pid;
	ok(posix_spawn(&pid, "/no/such/program", NULL, NULL, argv, environ) == ENOENT,
	   "posix_spawn reports the child's exec error (ENOENT)");
	char *true_argv[] = { "true", NULL }, *false_argv[] = { "false", NULL };
	int t = run_status("/bin/true", true_argv), f = run_status("/bin/false", false_argv);
	ok(WIFEXITED(t) && WEXITSTATUS(t) == 0 && WIFEXITED(f) && WEXITSTATUS(f) == 1,
	   "execve /bin/true exits 0, /bin/false exits 1");

	int p[2];
	pipe(p);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	char *echo_argv[] = { "echo", "spawned", NULL };
	int r = posix_spawnp(&pid, "echo", &fa, NULL, echo_argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	char buf[32] = { 0 };
	ssize_t n = read(p[0], buf, sizeof(buf) - 1);
	int status = -1;
	waitpid(pid, &status, 0);
	close(p[0]);
	ok(r == 0 && n == 8 && strcmp(buf, "spawned\n") == 0 && status == 0,
	   "posix_spawnp echo with stdout on a pipe");

	if (!on_nanoos()) {
		skip("execve of an RV32 program (this test, again)",
		     "not on NanoOs (qemu-user cannot execve RV32 without binfmt_misc)");
		return;
	}
	char *again[] = { (char *)self, "--exit-33", NULL };
	status = run_status(self, again);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 33,
	   "execve of an RV32 program with arguments (%s --exit-33)", self);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--exit-33") == 0)
		return 33;
	test_ids_and_fork();
	test_vfork();
	test_wait_errors();
	test_deaths();
	test_stop_and_continue();
	test_handlers();
	test_sigchld_and_eintr();
	test_exec(argv[0]);
	return tap_done();
}
