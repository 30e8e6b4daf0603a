/* cat: copies each FILE (or standard input for none or "-") to standard
 * output. A file it cannot read is reported ("cat: x: No such file or
 * directory") and the exit status is then 1; the other files are copied. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[16384];

static int write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 0: copied; -1: a read error (errno); -2: a write error (errno). */
static int copy_fd(int fd)
{
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (write_all(buf, (size_t)n) < 0)
			return -2;
	}
}

static int cat_one(const char *name)
{
	int fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
		return 1;
	}
	int r = copy_fd(fd);
	int err = errno;
	if (fd != 0)
		close(fd);
	if (r == -1)
		fprintf(stderr, "cat: %s: %s\n", name, strerror(err));
	if (r == -2)
		fprintf(stderr, "cat: write error: %s\n", strerror(err));
	return r == 0 ? 0 : r == -2 ? 2 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cat_one("-") ? 1 : 0;
	int status = 0;
	for (int i = 1; i < argc; i++) {
		int r = cat_one(argv[i]);
		if (r == 2)
			return 1;
		status |= r;
	}
	return status;
}
