/*
 * run_cmd.c: `nanoos run [--image IMG] [--mem SIZE] [--stats] [--trace]
 * PROG [ARGS...]`: run one RV32 program on NanoOs and pass its exit status
 * through (128 + N when signal N killed it, like a shell).
 *
 * When a daemon answers (DESIGN.md section 7) the program runs there: a
 * session on the control socket (nanoosd/ctl.h) -- a host program goes up
 * first as UPLOAD pieces, then RUN; our stdin goes as INPUT (its end as an
 * empty INPUT), OUTPUT comes back to fds 1 and 2, EXIT ends it. A terminal
 * on stdin is raw for the session (the NanoOs console edits lines and
 * turns ^C into a signal) and restored on every way out; SIGWINCH sends
 * WINSIZE; SIGINT, SIGTERM and SIGHUP send SIGNAL when stdin is not a
 * terminal. (A terminal on stdin with stdout redirected counts as none:
 * see host_tty_interactive.) With no daemon (or `--image` naming an image no daemon
 * serves) it boots an instance in this process on the image (the default
 * image is made from the rootfs on first use). `nanoos shell` runs the
 * same two ways (shell_cmd.c). The parts: run_prog.c (the image and the
 * program), run_remote.c (through the daemon), run_local.c (in-process).
 * `--argv0 NAME` gives the program NAME as its argv[0] instead of PROG (the
 * binfmt_misc interpreter, cli/binfmt/nanoos-binfmt.c, passes the name the
 * program was started by).
 *
 * PROG: `/path` is on the volume, unless the host has an RV32 program at
 * that very path (`nanoos run /usr/lib/nanoos/rootfs/bin/hello`): then that
 * one; `./x`, `../x` or `--host PATH` is a host file (an RV32 ELF); a bare
 * name is looked up in /bin on the volume.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/run_cmd.h"
#include "vm-rv32i/worker.h"

#define CMD "run"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos run [--image IMG] [--mem SIZE] [--stats] [--trace] PROG [ARGS...]\n"
	        "       nanoos run [OPTIONS] --host PATH [ARGS...]\n\n"
	        "Run an RV32 program on NanoOs; its exit status becomes ours (128 + N when\n"
	        "signal N ended it). When a NanoOs daemon runs (nanoosd) the program runs\n"
	        "there, as the NanoOs account named like you; else in this process, as root,\n"
	        "on the image.\n"
	        "  PROG         /path on the volume (a host RV32 program at that path is taken\n"
	        "               first), ./x or ../x on the host, or a name in /bin\n"
	        "  --host PATH  a program file on the host (an RV32 ELF: build it with nanoos-cc)\n"
	        "  --argv0 NAME the program's argv[0] (default: PROG or PATH as given)\n"
	        "  --auto-daemon  when no daemon answers, start one on the image and run there\n"
	        "               (it stops after a minute with nothing to do; nanoos-binfmt uses\n"
	        "               it, so programs started together share one NanoOs)\n"
	        "  --image IMG  the SD image (default: the daemon's, else $NANOOS_IMAGE, else\n"
	        "               ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img, made on first\n"
	        "               use); an image no daemon serves is run in this process\n"
	        "  --mem SIZE   the guest's address space (default 64M)\n"
	        "  --stats      print instructions, MIPS and system calls at the end (in-process)\n"
	        "  --trace      print each system call with its arguments and result (in-process)\n"
	        "  --workers N  CPU workers of the in-process instance (default: one per core)\n\n"
	        "The daemon's socket: $NANOOS_SOCKET, else $XDG_RUNTIME_DIR/nanoos/nanoosd.sock\n"
	        "(or /tmp/nanoos-$UID/nanoosd.sock), then /run/nanoos/nanoosd.sock.\n");
}

/* ---------------------------------------------------------------- the verb */

int run_either(const struct run_opts *o, char **argv)
{
	int lock = o->auto_daemon ? run_start_lock(o) : -1;
	struct client c;
	int rc = run_connect(&c, o);

	if ((rc == -NOS_ENOENT || rc == -NOS_EACCES) && o->auto_daemon &&
	    run_start_daemon(o, lock) == 0)
		rc = run_connect(&c, o);
	if (lock >= 0)
		close(lock);            /* connected: the daemon counts us now */
	if (rc == -NOS_EACCES)
		client_denied(o->cmd, "meanwhile NanoOs runs in this process, on your own image");
	if (rc == -NOS_ENOENT || rc == -NOS_EACCES)
		return run_local(o, argv);
	if (rc < 0)
		return 1;
	rc = run_remote(&c, o, argv);
	client_close(&c);
	return rc;
}

int run_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image", required_argument, NULL, 'i' },
		{ "mem", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 's' },
		{ "trace", no_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "argv0", required_argument, NULL, '0' },
		{ "auto-daemon", no_argument, NULL, 'A' },
		{ "workers", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o;
	int c;

	memset(&o, 0, sizeof(o));
	o.cmd = "run";
	o.what = RUN_PROG;
	o.mem = GUEST_MEM_DEFAULT;
	/* --host PATH ends our options: what follows is the program's. */
	while (!o.host && (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.image = optarg;
			break;
		case 'm':
			if (cli_parse_size(optarg, &o.mem) < 0 || o.mem < (1u << 20) ||
			    o.mem > (1u << 30) || (o.mem & 4095)) {
				cli_error(CMD, optarg, "not a guest size; give 1M to 1G, e.g. --mem 64M");
				return 2;
			}
			break;
		case 's':
			o.stats = 1;
			break;
		case 't':
			o.trace = 1;
			break;
		case 'H':
			o.host = optarg;
			break;
		case '0':
			o.argv0 = optarg;
			break;
		case 'A':
			o.auto_daemon = 1;
			break;
		case 'w':
			o.workers = (unsigned)atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.host && optind >= argc) {
		cli_error(CMD, NULL, "no program given; usage: nanoos run PROG [ARGS...]");
		return 2;
	}
	return run_either(&o, argv + optind);
}
