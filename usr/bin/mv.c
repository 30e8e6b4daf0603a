/* mv: renames files.
 *   mv SOURCE DEST          rename SOURCE to DEST
 *   mv SOURCE... DIRECTORY  move each SOURCE into DIRECTORY
 * Within one volume only (rename); NanoOs has one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

static int move(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return 0;
	fprintf(stderr, "mv: cannot move '%s' to '%s': %s\n", from, to, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("mv: missing operand\nusage: mv SOURCE DEST | mv SOURCE... DIRECTORY\n", stderr);
		return 1;
	}
	const char *dest = argv[argc - 1];
	if (!is_directory(dest)) {
		if (argc > 3) {
			fprintf(stderr, "mv: target '%s' is not a directory\n", dest);
			return 1;
		}
		return move(argv[1], dest);
	}
	int status = 0;
	for (int i = 1; i < argc - 1; i++) {
		char to[4096];
		snprintf(to, sizeof(to), "%s/%s", dest, base_name(argv[i]));
		status |= move(argv[i], to);
	}
	return status;
}
