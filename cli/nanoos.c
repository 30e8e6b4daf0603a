/*
 * nanoos.c: the `nanoos` command: one table of verbs (DESIGN.md section 7),
 * each a main of its own. A verb not built yet stays in the table marked
 * as coming, with what to do meanwhile.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/binfmt_cmd.h"
#include "cli/flash_cmd.h"
#include "cli/kill_cmd.h"
#include "cli/ps_cmd.h"
#include "cli/run_cmd.h"
#include "cli/sdimage_cmd.h"
#include "cli/shell_cmd.h"
#include "cli/status_cmd.h"
#include "cli/stop_cmd.h"
#include "fuse-bridge/mount.h"

struct verb {
	const char *name;
	int (*main)(int argc, char **argv);     /* NULL: coming */
	const char *what;
	const char *meanwhile;                  /* coming: what to use until then */
};

static const struct verb verbs[] = {
	{ "run", run_main, "run an RV32 program on NanoOs (through the daemon, or in-process)",
	  NULL },
	{ "shell", shell_main, "a NanoOs shell in this terminal (--login: a login: prompt)",
	  NULL },
	{ "ps", ps_main, "list the daemon's processes (-a: every account's)", NULL },
	{ "kill", kill_main, "send a signal to NanoOs processes", NULL },
	{ "status", status_main, "show the daemon: image, uptime, processes, memory, volume",
	  NULL },
	{ "stop", stop_main, "stop the daemon (its guests end, the volume is synced)", NULL },
	{ "sdimage", sdimage_main, "make, inspect and change SD card images (FAT volumes)",
	  NULL },
	{ "mount", mount_main, "mount the volume on a Linux directory with FUSE", NULL },
	{ "umount", umount_main, "unmount a directory `nanoos mount` mounted", NULL },
	{ "flash", flash_main, "write the firmware to an Arduino with avrdude", NULL },
	{ "binfmt", binfmt_main, "run RV32 executables from a Linux shell (binfmt_misc)", NULL },
};

#define NVERBS (sizeof(verbs) / sizeof(verbs[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: nanoos VERB [ARGS]\n       nanoos --version\n\nverbs:\n");
	for (i = 0; i < NVERBS; i++)
		fprintf(out, "  %-10s %s%s\n", verbs[i].name, verbs[i].what,
		        verbs[i].main ? "" : " (coming)");
	fprintf(out, "\n`nanoos VERB --help` tells more about a verb.\n"
	        "The daemon (nanoosd --image IMG) hosts NanoOs for run, shell, ps, kill, status\n"
	        "and stop; its socket is $NANOOS_SOCKET, else $XDG_RUNTIME_DIR/nanoos/nanoosd.sock\n"
	        "(or /tmp/nanoos-$UID/nanoosd.sock), else /run/nanoos/nanoosd.sock. Without a\n"
	        "daemon, run and shell boot NanoOs in their own process on the image\n"
	        "($NANOOS_IMAGE, else ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img).\n");
}

static int coming(const struct verb *v, int argc, char **argv)
{
	int help = argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);

	fprintf(help ? stdout : stderr, "nanoos %s: not in this build yet: it will %s.\n"
	        "Meanwhile: %s.\n", v->name, v->what, v->meanwhile);
	return help ? 0 : 1;
}

int main(int argc, char **argv)
{
	size_t i;

	/* A caller that ignores SIGCHLD (it survives exec) would make every
	 * waitpid of ours fail: the default image's maker, the daemon starter. */
	signal(SIGCHLD, SIG_DFL);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("nanoos %s\n", NANOOS_VERSION);
		return 0;
	}
	for (i = 0; i < NVERBS; i++) {
		if (strcmp(argv[1], verbs[i].name) != 0)
			continue;
		if (!verbs[i].main)
			return coming(&verbs[i], argc - 1, argv + 1);
		return verbs[i].main(argc - 1, argv + 1);
	}
	fprintf(stderr, "nanoos: %s: no such verb; `nanoos --help` lists them\n", argv[1]);
	return 2;
}
