/*
 * shell_cmd.c: `nanoos shell [--login] [--image IMG]`: a NanoOs terminal
 * session in this terminal. Through the daemon it asks for the account's
 * shell (CTL_RUN_SHELL: the daemon knows who we are from the socket) or a
 * login: prompt (CTL_RUN_LOGIN). Without a daemon it boots an instance in
 * this process and runs the shell of the account named like the Linux
 * user (Linux root is `root`; a name /etc/passwd on the volume does not
 * have is `user`), or /bin/login as root for --login.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/run_cmd.h"
#include "cli/shell_cmd.h"
#include "kproc/fs.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/worker.h"

#define CMD "shell"
#define PASSWD_MAX (64u * 1024u)

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos shell [--login] [--image IMG]\n\n"
	        "A NanoOs shell in this terminal; `exit` (or ^D) ends it, and its exit\n"
	        "status becomes ours.\n"
	        "  --login      show a login: prompt and ask for an account and password\n"
	        "               (else you are the NanoOs account named like your Linux\n"
	        "               user: root for root, else `user` when there is no such one)\n"
	        "  --image IMG  the SD image (default: the daemon's; with no daemon running,\n"
	        "               $NANOOS_IMAGE, else ${XDG_DATA_HOME:-~/.local/share}/nanoos/sd.img)\n\n"
	        "With a daemon (nanoosd) the session lives there; without one NanoOs boots\n"
	        "in this process for the session.\n");
}

/* The NanoOs account for the Linux user who runs us. */
static void wanted_account(char *out, size_t n)
{
	struct passwd *pw = getuid() == 0 ? NULL : getpwuid(getuid());

	snprintf(out, n, "%s", getuid() == 0 ? "root" : pw ? pw->pw_name : "user");
}

/* /etc/passwd of the volume into buf (NUL-terminated): 0 or -NOS_E*. */
static int read_passwd(msg_pid_t fs, char *buf, uint32_t n)
{
	static const struct fs_cred root = { 0, "root" };
	int h = fs_open(fs, &root, "/etc/passwd", FS_O_RDONLY);
	int32_t got;

	if (h < 0)
		return h;
	got = fs_pread(fs, h, buf, n - 1, 0);
	fs_close(fs, h);
	if (got < 0)
		return got;
	buf[got] = 0;
	return 0;
}

/* The fields of one passwd line (name:x:uid:gid:gecos:home:shell). */
static int split_line(char *line, char *f[7])
{
	int i;

	for (i = 0; i < 7; i++) {
		f[i] = line;
		line = strchr(line, ':');
		if (!line)
			return i == 6 ? 0 : -1;
		*line++ = 0;
	}
	return -1;
}

/* Fill job from the line of account `name`: 1, 0 (none). */
static int find_account(char *passwd, const char *name, struct run_job *job)
{
	char *save = NULL, *line, *f[7];

	for (line = strtok_r(passwd, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *shell, *base;

		if (split_line(line, f) < 0 || strcmp(f[0], name) != 0)
			continue;
		job->cred.uid = (uint32_t)strtoul(f[2], NULL, 10);
		job->cred.gid = (uint32_t)strtoul(f[3], NULL, 10);
		snprintf(job->cred.name, sizeof(job->cred.name), "%s", f[0]);
		snprintf(job->home, sizeof(job->home), "%s", *f[5] ? f[5] : "/");
		shell = *f[6] ? f[6] : "/bin/sh";
		snprintf(job->prog, sizeof(job->prog), "%s", shell);
		base = strrchr(shell, '/');
		snprintf(job->argv0, sizeof(job->argv0), "-%s", base ? base + 1 : shell);
		return 1;
	}
	return 0;
}

int shell_pick_account(struct instance *in, const char *img, struct run_job *job)
{
	char want[64], *buf = malloc(PASSWD_MAX), *copy = malloc(PASSWD_MAX);
	int rc = buf && copy ? read_passwd(in->fs, buf, PASSWD_MAX) : -NOS_ENOMEM;

	wanted_account(want, sizeof(want));
	if (rc < 0) {
		cli_error(CMD, "/etc/passwd", "%s on %s; make the image with `nanoos sdimage "
		          "create IMG --rootfs build/rootfs`", nos_strerror(rc), img);
	} else {
		memcpy(copy, buf, strlen(buf) + 1);
		if (!find_account(buf, want, job) && !find_account(copy, "user", job)) {
			cli_error(CMD, "/etc/passwd", "%s has neither `%s` nor `user`; add an "
			          "account, or use `nanoos shell --login`", img, want);
			rc = -1;
		}
	}
	free(buf);
	free(copy);
	return rc < 0 ? -1 : 0;
}

int shell_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "login", no_argument, NULL, 'l' },
		{ "image", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o;
	int c;

	memset(&o, 0, sizeof(o));
	o.cmd = CMD;
	o.what = RUN_SHELL;
	o.mem = GUEST_MEM_DEFAULT;
	while ((c = getopt_long(argc, argv, "+hl", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.what = RUN_LOGIN;
			break;
		case 'i':
			o.image = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_error(CMD, argv[optind], "unexpected; to run one program use `nanoos run "
		          "PROG [ARGS...]`");
		return 2;
	}
	return run_either(&o, argv + optind);
}
