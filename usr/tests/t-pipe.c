/* t-pipe: pipes and descriptor plumbing: pipe/pipe2, EOF when the writers
 * are gone, EPIPE and SIGPIPE when the readers are, a large transfer that
 * must block and resume, dup/dup2 onto stdin/stdout for a two-child
 * pipeline, O_CLOEXEC and O_NONBLOCK, ESPIPE, and stdio over a pipe. */
#define _GNU_SOURCE   /* pipe2 */
#include <ctype.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

#define BIG (256 * 1024)

static int wait_status(pid_t pid)
{
	int status = -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void test_basics(void)
{
	int p[2];
	ok(pipe(p) == 0 && p[0] >= 0 && p[1] >= 0 && p[0] != p[1], "pipe gives two descriptors");
	char buf[16] = { 0 };
	ok(write(p[1], "hello", 5) == 5 && read(p[0], buf, sizeof(buf)) == 5 &&
	   strcmp(buf, "hello") == 0, "what goes in comes out");
	struct stat st;
	ok(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat: a FIFO");
	ok(lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE, "lseek on a pipe: ESPIPE");
	int extra = dup(p[1]);
	close(p[1]);
	ok(write(extra, "x", 1) == 1 && read(p[0], buf, 1) == 1,
	   "a dup of the write end keeps the pipe open");
	close(extra);
	ok(read(p[0], buf, 1) == 0, "with every writer closed, read returns 0 (EOF)");
	close(p[0]);
}

static void test_broken_pipe(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	pid_t pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	int status = wait_status(pid);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
	   "writing with no reader kills with SIGPIPE");
	signal(SIGPIPE, SIG_IGN);
	ok(write(p[1], "x", 1) == -1 && errno == EPIPE, "with SIGPIPE ignored: EPIPE");
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

static void test_flags(void)
{
	int p[2];
	ok(pipe2(p, O_CLOEXEC) == 0 && fcntl(p[0], F_GETFD) == FD_CLOEXEC &&
	   fcntl(p[1], F_GETFD) == FD_CLOEXEC, "pipe2(O_CLOEXEC) sets FD_CLOEXEC on both ends");
	close(p[0]);
	close(p[1]);
	char c;
	ok(pipe2(p, O_NONBLOCK) == 0 && read(p[0], &c, 1) == -1 && errno == EAGAIN,
	   "pipe2(O_NONBLOCK): reading an empty pipe gives EAGAIN");
	ok(fcntl(p[0], F_SETFL, 0) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK) == 0,
	   "F_SETFL clears O_NONBLOCK");
	close(p[0]);
	close(p[1]);
}

static void test_big_transfer(void)
{
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		static char block[4096];
		for (int sent = 0; sent < BIG; sent += (int)sizeof(block)) {
			for (int i = 0; i < (int)sizeof(block); i++)
				block[i] = (char)((sent + i) * 7);
			for (size_t off = 0; off < sizeof(block);) {
				ssize_t n = write(p[1], block + off, sizeof(block) - off);
				if (n <= 0)
					_exit(1);
				off += (size_t)n;
			}
		}
		_exit(0);
	}
	close(p[1]);
	static char buf[3000];
	long total = 0, bad = 0;
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			bad += buf[i] != (char)((total + i) * 7);
		total += n;
	}
	close(p[0]);
	int status = wait_status(pid);
	ok(total == BIG && bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "%d KiB from a child arrive whole and in order (got %ld bytes, %ld wrong)",
	   BIG / 1024, total, bad);
}

/* Child 1 writes a line on its stdout; child 2 upper-cases stdin to stdout. */
static pid_t spawn_stage(int in, int out, int upper)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (in >= 0 && dup2(in, 0) < 0)
		_exit(2);
	if (dup2(out, 1) < 0)
		_exit(2);
	for (int fd = 3; fd < 20; fd++)
		close(fd);
	if (!upper) {
		const char msg[] = "through two pipes\n";
		_exit(write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 1);
	}
	char c;
	while (read(0, &c, 1) == 1) {
		c = (char)toupper((unsigned char)c);
		if (write(1, &c, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static void test_pipeline(void)
{
	int a[2], b[2];
	pipe(a);
	pipe(b);
	pid_t first = spawn_stage(-1, a[1], 0);
	pid_t second = spawn_stage(a[0], b[1], 1);
	close(a[0]);
	close(a[1]);
	close(b[1]);
	char buf[64] = { 0 };
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(buf) - 1 && (n = read(b[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(b[0]);
	int s1 = wait_status(first), s2 = wait_status(second);
	ok(strcmp(buf, "THROUGH TWO PIPES\n") == 0 && s1 == 0 && s2 == 0,
	   "child | child with dup2 onto stdin and stdout");
}

static void test_stdio_over_pipe(void)
{
	int p[2];
	pipe(p);
	FILE *w = fdopen(p[1], "w");
	ok(w && fprintf(w, "number %d\n", 42) == 10 && fclose(w) == 0, "fdopen/fprintf on the write end");
	FILE *r = fdopen(p[0], "r");
	char line[32];
	ok(r && fgets(line, sizeof(line), r) && strcmp(line, "number 42\n") == 0 &&
	   !fgets(line, sizeof(line), r), "fdopen/fgets on the read end, then EOF");
	if (r)
		fclose(r);
}

int main(void)
{
	test_basics();
	test_broken_pipe();
	test_flags();
	test_big_transfer();
	test_pipeline();
	test_stdio_over_pipe();
	return tap_done();
}
