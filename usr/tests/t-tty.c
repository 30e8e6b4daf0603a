/* t-tty: terminals: isatty and tcgetattr say no (ENOTTY) for a pipe, a
 * file and /dev/null when there is one; when stdin is a terminal, the
 * attributes, a tcsetattr round trip, the window size and the foreground
 * process group are checked too (else those are skipped). */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"

static void test_not_terminals(void)
{
	int p[2];
	pipe(p);
	struct termios t;
	errno = 0;
	ok(isatty(p[0]) == 0 && errno == ENOTTY, "isatty on a pipe: 0, ENOTTY");
	ok(tcgetattr(p[1], &t) == -1 && errno == ENOTTY, "tcgetattr on a pipe: ENOTTY");
	close(p[0]);
	close(p[1]);
	int fd = open("/tmp/t-tty.file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && tcgetattr(fd, &t) == -1 && errno == ENOTTY, "tcgetattr on a file: ENOTTY");
	close(fd);
	unlink("/tmp/t-tty.file");
	ok(isatty(99) == 0 && errno == EBADF, "isatty on a closed fd: 0, EBADF");
	fd = open("/dev/null", O_RDWR);
	if (fd < 0) {
		skip("isatty(/dev/null)", "no /dev/null here");
		return;
	}
	ok(isatty(fd) == 0 && errno == ENOTTY, "isatty(/dev/null): 0, ENOTTY");
	close(fd);
}

static void test_terminal(void)
{
	if (!isatty(0)) {
		skip("terminal attributes", "stdin is not a terminal");
		return;
	}
	struct termios t, raw, back;
	ok(tcgetattr(0, &t) == 0 && (t.c_lflag & ICANON), "tcgetattr: a canonical-mode terminal");
	raw = t;
	raw.c_lflag &= ~(ICANON | ECHO);
	ok(tcsetattr(0, TCSANOW, &raw) == 0 && tcgetattr(0, &back) == 0 &&
	   !(back.c_lflag & (ICANON | ECHO)), "tcsetattr turns off ICANON and ECHO");
	ok(tcsetattr(0, TCSAFLUSH, &t) == 0 && tcgetattr(0, &back) == 0 &&
	   (back.c_lflag & ICANON) == (t.c_lflag & ICANON) &&
	   (back.c_lflag & ECHO) == (t.c_lflag & ECHO), "and back on");
	struct winsize ws;
	ok(ioctl(0, TIOCGWINSZ, &ws) == 0, "TIOCGWINSZ (%d rows, %d columns)", ws.ws_row, ws.ws_col);
	ok(tcgetpgrp(0) > 0, "tcgetpgrp gives the foreground group");
}

int main(void)
{
	test_not_terminals();
	test_terminal();
	return tap_done();
}
