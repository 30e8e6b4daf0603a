/* stdio.c: picolibc's stdin, stdout and stderr as buffered streams on file
 * descriptors 0, 1 and 2 (tinystdio "bufio" streams over read/write/lseek).
 *
 * stdout is fully buffered, or line-buffered when fd 1 is a terminal;
 * stderr is line-buffered (C asks only that it not be fully buffered);
 * reading stdin flushes stdout first (bufio does that). Both output streams
 * are flushed at exit(). fopen/fdopen streams are picolibc's own (it is
 * built with POSIX I/O); tinystdio does not track them, so exit() does not
 * flush them: fclose or fflush every stream you open. */
#include <stdio.h>
#include <stdio-bufio.h>
#include <unistd.h>

static char in_buf[BUFSIZ];
static char out_buf[BUFSIZ];
static char err_buf[256];

static struct __file_bufio in_stream =
	FDEV_SETUP_BUFIO(0, in_buf, sizeof(in_buf), read, write, lseek, close, __SRD, 0);
static struct __file_bufio out_stream =
	FDEV_SETUP_BUFIO(1, out_buf, sizeof(out_buf), read, write, lseek, close, __SWR, 0);
static struct __file_bufio err_stream =
	FDEV_SETUP_BUFIO(2, err_buf, sizeof(err_buf), read, write, lseek, close, __SWR, __BLBF);

FILE *const stdin = &in_stream.xfile.cfile.file;
FILE *const stdout = &out_stream.xfile.cfile.file;
FILE *const stderr = &err_stream.xfile.cfile.file;

/* Whether fd 1 is a terminal is asked at the first output (one ioctl), not
 * at start-up: a program that never writes to stdout never asks. A program
 * that chose its buffering with setvbuf (which replaces the buffer) keeps it. */
static int first_put(char c, FILE *f)
{
	f->put = __bufio_put;
	if (out_stream.buf == out_buf && isatty(1))
		out_stream.bflags |= __BLBF;
	return __bufio_put(c, f);
}

__attribute__((constructor)) static void ask_for_a_terminal_later(void)
{
	stdout->put = first_put;
}

__attribute__((destructor)) static void flush_standard_streams(void)
{
	fflush(stdout);
	fflush(stderr);
}
