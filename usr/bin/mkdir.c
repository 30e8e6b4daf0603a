/* mkdir: makes directories.
 *   mkdir [-p] DIR...   -p: make missing parents too; no error if it exists */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int make_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0777);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
	int parents = 0, i = 1, status = 0;
	if (i < argc && strcmp(argv[i], "-p") == 0) {
		parents = 1;
		i++;
	}
	if (i >= argc) {
		fputs("mkdir: missing operand\nusage: mkdir [-p] DIR...\n", stderr);
		return 1;
	}
	for (; i < argc; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s", argv[i]);
		if (parents && make_parents(path) < 0) {
			fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", path, strerror(errno));
			status = 1;
			continue;
		}
		if (mkdir(path, 0777) < 0 && !(parents && errno == EEXIST && is_directory(path))) {
			fprintf(stderr, "mkdir: cannot create directory '%s': %s\n", path, strerror(errno));
			status = 1;
		}
	}
	return status;
}
