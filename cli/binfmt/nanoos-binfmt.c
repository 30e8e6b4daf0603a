/*
 * nanoos-binfmt.c: the interpreter binfmt_misc runs for an RV32 ELF
 * executable (the rule `nanoos binfmt rule` prints, packaging/binfmt/
 * nanoos.conf). With the rule's P flag the kernel calls
 *
 *     nanoos-binfmt FILE ARGV0 ARGS...
 *
 * (FILE: the path the program was started by; ARGV0: the argv[0] it was
 * given) and this becomes
 *
 *     nanoos run --auto-daemon --argv0 ARGV0 --host FILE ARGS...
 *
 * by exec, so the program runs exactly as `nanoos run` runs it, through
 * the daemon that answers, or one started for it on the default image
 * (--auto-daemon: two programs of a pipeline must share one NanoOs; it ends
 * itself a minute after the last), and its exit status is ours. The nanoos used is the one installed beside us
 * (DIR/../../bin/nanoos: /usr/lib/nanoos -> /usr/bin, build/lib/nanoos ->
 * build/bin), else the first in PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_util.h"

#define ME "nanoos-binfmt"

/* DIR/../../bin/nanoos for our own DIR, if it is there: 0, else -1. */
static int nanoos_beside_us(char *out, size_t n)
{
	return cli_beside_self("../../bin/nanoos", out, n) == 0 ? access(out, X_OK) : -1;
}

int main(int argc, char **argv)
{
	char nanoos[PATH_MAX];
	char **args;
	int i, n = 0;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fprintf(stderr, "usage: %s FILE [ARGV0 ARGS...]\n"
		        "The interpreter binfmt_misc runs for RV32 ELF executables (with the P\n"
		        "flag: FILE, then the program's own argv). It runs FILE with `nanoos run`.\n"
		        "Register it with `nanoos binfmt install`; see `nanoos binfmt --help`.\n", ME);
		return argc < 2 ? 2 : 0;
	}
	args = calloc((size_t)argc + 6, sizeof(*args));
	if (!args) {
		fprintf(stderr, "%s: %s: out of memory\n", ME, argv[1]);
		return 1;
	}
	args[n++] = "nanoos";
	args[n++] = "run";
	args[n++] = "--auto-daemon";    /* `./a | ./b` must share one NanoOs */
	if (argc > 2) {         /* the program's argv[0] (P flag) */
		args[n++] = "--argv0";
		args[n++] = argv[2];
	}
	args[n++] = "--host";
	args[n++] = argv[1];
	for (i = 3; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	if (nanoos_beside_us(nanoos, sizeof(nanoos)) == 0)
		execv(nanoos, args);
	else
		execvp("nanoos", args);
	fprintf(stderr, "%s: %s: cannot run nanoos (%s): it is neither beside %s (../../bin) "
	        "nor in PATH; install NanoOs again, or `nanoos binfmt remove` this entry\n",
	        ME, argv[1], strerror(errno), ME);
	return 127;
}
