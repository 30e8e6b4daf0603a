/* head: prints the first lines of files.
 *   head [-n N | -N] [FILE]...   default 10 lines; standard input for no
 *                                FILE; "==> FILE <==" headers for several */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copies up to `lines` lines. What was read past them is given back with
 * lseek where the input can seek (a file), so a shared offset ends right
 * after the last line printed, as POSIX asks of head. */
static int head_fd(int fd, long lines)
{
	static char buf[16384];
	while (lines > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		ssize_t used = 0;
		while (used < n && lines > 0)
			if (buf[used++] == '\n')
				lines--;
		fwrite(buf, 1, (size_t)used, stdout);
		if (used < n)
			lseek(fd, used - n, SEEK_CUR);
	}
	return 0;
}

static int parse_count(const char *s, long *n)
{
	char *end;
	*n = strtol(s, &end, 10);
	return end != s && !*end && *n >= 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	long lines = 10;
	int i = 1;
	if (i < argc && strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
		if (parse_count(argv[i + 1], &lines) < 0) {
			fprintf(stderr, "head: invalid number of lines: '%s'\n", argv[i + 1]);
			return 1;
		}
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1] >= '0' && argv[i][1] <= '9') {
		if (parse_count(argv[i] + 1, &lines) < 0) {
			fprintf(stderr, "head: invalid number of lines: '%s'\n", argv[i] + 1);
			return 1;
		}
		i++;
	}
	if (i >= argc)
		return head_fd(0, lines) < 0 ? 1 : 0;
	int status = 0, several = argc - i > 1;
	for (int first = i; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "head: cannot open '%s' for reading: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (several)
			printf("%s==> %s <==\n", i > first ? "\n" : "", argv[i]);
		if (head_fd(fd, lines) < 0) {
			fprintf(stderr, "head: error reading '%s': %s\n", argv[i], strerror(errno));
			status = 1;
		}
		close(fd);
	}
	return status;
}
