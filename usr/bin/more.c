/* more: shows files (or standard input) a screenful at a time.
 *   more [FILE]...
 * The screen's size comes from TIOCGWINSZ on standard output (24x80 when
 * the terminal does not say); a line wider than the screen counts as the
 * rows it wraps to. After each screenful it prompts "--More--" (with how
 * far through a file it is, when the size is known) and reads one key,
 * unechoed, from the terminal (standard input when that is the terminal,
 * else standard error, which a terminal session opens read-write):
 *     space  the next screenful      return, j  one more line
 *     d      half a screenful        q          quit
 * Several files are shown one after another under a ":::" header. When
 * standard output is not a terminal, more is cat. Exit 0, or 1 when a
 * FILE could not be read. */
#define TOOL "more"
#include "lib/tool.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#define USAGE "more [FILE]..."

static int rows = 24, cols = 80;
static int room = -1;           /* rows left before the next prompt */
static int key_fd = -1;
static struct termios saved;
static int raw_mode;

/* ---------------------------------------------------------------- terminal */

static void screen_size(void)
{
	struct winsize ws;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1 && ws.ws_col > 0) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
}

static void restore_terminal(void)
{
	if (raw_mode)
		tcsetattr(key_fd, TCSANOW, &saved);
	raw_mode = 0;
}

static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Keys one at a time, unechoed; the terminal is put back at exit. */
static void open_keyboard(void)
{
	key_fd = isatty(0) ? 0 : isatty(2) ? 2 : -1;
	if (key_fd < 0 || tcgetattr(key_fd, &saved) < 0)
		return;
	struct termios t = saved;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(key_fd, TCSANOW, &t) == 0) {
		raw_mode = 1;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
	}
}

/* The key pressed at the prompt; 'q' when there is no keyboard. */
static int ask(long long done, long long size)
{
	if (size > 0)
		printf("\033[7m--More--(%d%%)\033[m", (int)(done * 100 / size));
	else
		fputs("\033[7m--More--\033[m", stdout);
	fflush(stdout);
	unsigned char key = 'q';
	while (key_fd >= 0 && read(key_fd, &key, 1) < 0 && errno == EINTR)
		;
	fputs("\r\033[K", stdout);
	return key;
}

/* ---------------------------------------------------------------- paging */

/* The screen rows a line of len bytes takes. */
static int rows_of(size_t len)
{
	return len == 0 ? 1 : (int)((len + (size_t)cols - 1) / (size_t)cols);
}

/* Pages fd, going on from the screen the previous file left; 1 when the
 * user asked to quit, -1 on a read error. */
static int page(int fd, long long size)
{
	struct tool_lines in;
	char *line;
	size_t len;
	int newline, r;
	long long done = 0;
	tool_lines_init(&in, fd);
	while ((r = tool_next_line(&in, &line, &len, &newline)) > 0) {
		if (room <= 0) {
			int key = ask(done, size);
			if (key == 'q' || key == 'Q')
				break;
			room = key == ' ' ? rows - 1 : key == 'd' ? rows / 2 : 1;
		}
		fwrite(line, 1, len, stdout);
		putchar('\n');
		done += (long long)len + newline;
		room -= rows_of(len);
	}
	tool_lines_free(&in);
	return r < 0 ? -1 : r > 0;
}

/* Not a terminal: copies fd as it is. */
static int copy(int fd)
{
	static char buf[16384];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			tool_exit(1);
	}
	return 0;
}

static void no_options(int c, char *arg)
{
	(void)c;
	(void)arg;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "", no_options, USAGE, 1), status = 0;
	int paging = isatty(1);
	char *dash[] = { "-", NULL };
	char **files = n ? argv + 1 : dash;
	if (paging) {
		screen_size();
		open_keyboard();
		room = rows - 1;
	}
	for (int i = 0; files[i]; i++) {
		int fd = tool_open_input(files[i]);
		if (fd < 0) {
			tool_warn("cannot open %s: %s", files[i], strerror(errno));
			status = 1;
			continue;
		}
		struct stat st;
		long long size = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
		if (paging && n > 1) {
			printf("::::::::::::::\n%s\n::::::::::::::\n", files[i]);
			room -= 3;
		}
		int r = paging ? page(fd, size) : copy(fd);
		if (r < 0) {
			tool_warn("%s: %s", tool_input_name(files[i]), strerror(errno));
			status = 1;
		}
		tool_close_input(fd);
		if (r > 0)
			break;
	}
	restore_terminal();
	tool_exit(status);
}
