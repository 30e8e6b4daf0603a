/* cp: copies files.
 *   cp SOURCE DEST          copy SOURCE to DEST
 *   cp SOURCE... DIRECTORY  copy each SOURCE into DIRECTORY
 *   -r: copy directories and their contents */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int opt_recursive;
static char buf[16384];

static int is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "cp: %s '%s': %s\n", what, path, strerror(errno));
	return 1;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY);
	if (in < 0)
		return fail("cannot open", from);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode & 0777);
	if (out < 0) {
		close(in);
		return fail("cannot create", to);
	}
	int status = 0;
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0) {
				status = fail("error writing", to);
				goto done;
			}
			off += w;
		}
	}
	if (n < 0)
		status = fail("error reading", from);
done:
	close(in);
	if (close(out) < 0 && !status)
		status = fail("error writing", to);
	return status;
}

static int copy_path(const char *from, const char *to);

static int copy_directory(const char *from, const char *to, mode_t mode)
{
	if (mkdir(to, mode & 0777) < 0 && !(errno == EEXIST && is_directory(to)))
		return fail("cannot create directory", to);
	DIR *d = opendir(from);
	if (!d)
		return fail("cannot open directory", from);
	int status = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *src = malloc(strlen(from) + strlen(e->d_name) + 2);
		char *dst = malloc(strlen(to) + strlen(e->d_name) + 2);
		if (!src || !dst) {
			fputs("cp: out of memory\n", stderr);
			free(src);
			free(dst);
			closedir(d);
			return 1;
		}
		sprintf(src, "%s/%s", from, e->d_name);
		sprintf(dst, "%s/%s", to, e->d_name);
		status |= copy_path(src, dst);
		free(src);
		free(dst);
	}
	closedir(d);
	return status;
}

static int copy_path(const char *from, const char *to)
{
	struct stat st;
	if (stat(from, &st) < 0)
		return fail("cannot stat", from);
	if (!S_ISDIR(st.st_mode))
		return copy_file(from, to, st.st_mode);
	if (!opt_recursive) {
		fprintf(stderr, "cp: -r not specified; omitting directory '%s'\n", from);
		return 1;
	}
	return copy_directory(from, to, st.st_mode);
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && (strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "-R") == 0); i++)
		opt_recursive = 1;
	if (argc - i < 2) {
		fputs("cp: missing operand\nusage: cp [-r] SOURCE DEST | cp [-r] SOURCE... DIRECTORY\n",
		      stderr);
		return 1;
	}
	const char *dest = argv[argc - 1];
	if (!is_directory(dest)) {
		if (argc - i > 2) {
			fprintf(stderr, "cp: target '%s' is not a directory\n", dest);
			return 1;
		}
		return copy_path(argv[i], dest);
	}
	int status = 0;
	for (; i < argc - 1; i++) {
		char to[4096];
		snprintf(to, sizeof(to), "%s/%s", dest, base_name(argv[i]));
		status |= copy_path(argv[i], to);
	}
	return status;
}
