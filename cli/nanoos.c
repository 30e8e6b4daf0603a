/*
 * nanoos.c: the `nanoos` command: one table of verbs (DESIGN.md section 7),
 * each a main of its own. Verbs of later issues (run, shell, ps, mount ...)
 * join the table as they are built.
 */
#include <stdio.h>
#include <string.h>

#include "cli/run_cmd.h"
#include "cli/sdimage_cmd.h"

struct verb {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *what;
};

static const struct verb verbs[] = {
	{ "run", run_main, "run an RV32 program on NanoOs (boots an instance on the image)" },
	{ "sdimage", sdimage_main, "make, inspect and change SD card images (FAT volumes)" },
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: nanoos VERB [ARGS]\n\nverbs:\n");
	for (i = 0; i < NVERBS; i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].what);
	fprintf(out, "\n`nanoos VERB --help` tells more about a verb.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NVERBS; i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].main(argc - 1, argv + 1);
	fprintf(stderr, "nanoos: %s: no such verb; `nanoos --help` lists them\n", argv[1]);
	return 2;
}
