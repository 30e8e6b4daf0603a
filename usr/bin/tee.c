/* tee: copies standard input to standard output and to each FILE.
 *   tee [-a] [FILE]...    -a: append to the files instead of truncating
 * A file that cannot be opened or written is reported and dropped; the
 * copy goes on to the others, and the exit status is then 1. */
#define TOOL "tee"
#include "lib/tool.h"

#define USAGE "tee [-a] [FILE]..."

struct output {
	int fd;
	const char *name;
};

static char buf[16384];

/* Writes n bytes to every live output; a failing one is closed and
 * marked dead (fd -1). Returns 1 when one failed. */
static int write_outputs(struct output *out, int n_out, size_t n)
{
	int status = 0;
	for (int i = 0; i < n_out; i++) {
		if (out[i].fd < 0 || tool_write_all(out[i].fd, buf, n) == 0)
			continue;
		tool_warn("%s: %s", out[i].name, strerror(errno));
		if (out[i].fd > 1)
			close(out[i].fd);
		out[i].fd = -1;
		status = 1;
	}
	return status;
}

static int open_flags = O_WRONLY | O_CREAT | O_TRUNC;

/* -i (ignore SIGINT) is accepted: an interrupt from the terminal goes to
 * the whole foreground group anyway. */
static void on_option(int c, char *arg)
{
	(void)arg;
	if (c == 'a')
		open_flags = O_WRONLY | O_CREAT | O_APPEND;
}

int main(int argc, char **argv)
{
	int files = tool_options(argc, argv, "ai", on_option, USAGE, 1), status = 0;
	int n_out = 1, flags = open_flags;
	struct output *out = tool_malloc(sizeof(*out) * (size_t)(files + 1));
	out[0] = (struct output){ 1, "standard output" };
	for (int i = 1; i <= files; i++) {
		int fd = open(argv[i], flags, 0666);
		if (fd < 0) {
			tool_warn("%s: %s", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		out[n_out++] = (struct output){ fd, argv[i] };
	}
	ssize_t n;
	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tool_warn("read error: %s", strerror(errno));
			status = 1;
			break;
		}
		status |= write_outputs(out, n_out, (size_t)n);
	}
	for (int i = 1; i < n_out; i++)
		if (out[i].fd >= 0 && close(out[i].fd) < 0) {
			tool_warn("%s: %s", out[i].name, strerror(errno));
			status = 1;
		}
	free(out);
	tool_exit(status);
}
