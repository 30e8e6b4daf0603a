/* rm: removes files.
 *   rm [-rf] FILE...   -r: directories and their contents; -f: no error for
 *                      missing files, and no error when there is nothing */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int opt_recursive, opt_force;

static int complain(const char *path)
{
	if (opt_force && errno == ENOENT)
		return 0;
	fprintf(stderr, "rm: cannot remove '%s': %s\n", path, strerror(errno));
	return 1;
}

static int remove_path(const char *path);

static int remove_contents(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return complain(dir);
	int status = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		char *child = malloc(len);
		if (!child) {
			fputs("rm: out of memory\n", stderr);
			closedir(d);
			return 1;
		}
		snprintf(child, len, "%s/%s", dir, e->d_name);
		status |= remove_path(child);
		free(child);
	}
	closedir(d);
	return status;
}

static int remove_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return complain(path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? complain(path) : 0;
	if (!opt_recursive) {
		fprintf(stderr, "rm: cannot remove '%s': Is a directory\n", path);
		return 1;
	}
	int status = remove_contents(path);
	if (rmdir(path) < 0)
		status |= complain(path);
	return status;
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *c = argv[i] + 1; *c; c++) {
			if (*c == 'r' || *c == 'R')
				opt_recursive = 1;
			else if (*c == 'f')
				opt_force = 1;
			else {
				fprintf(stderr, "rm: invalid option -- '%c'\nusage: rm [-rf] FILE...\n", *c);
				return 1;
			}
		}
	}
	if (i >= argc && !opt_force) {
		fputs("rm: missing operand\nusage: rm [-rf] FILE...\n", stderr);
		return 1;
	}
	int status = 0;
	for (; i < argc; i++)
		status |= remove_path(argv[i]);
	return status;
}
