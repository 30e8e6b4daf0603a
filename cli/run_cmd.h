/*
 * run_cmd.h: `nanoos run` (cli/run_cmd.c), and the two ways of running a
 * program that `nanoos shell` shares: through the daemon (a session on the
 * control socket) or in an instance booted in this process.
 */
#ifndef NOS_RUN_CMD_H
#define NOS_RUN_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "cli/client.h"
#include "cli/instance.h"

enum run_what {
	RUN_PROG,                       /* argv[0]: a program on the volume or the host */
	RUN_SHELL,                      /* the account's shell, as a login shell */
	RUN_LOGIN,                      /* /bin/login as root (a login: prompt) */
};

struct run_opts {
	const char *cmd;                /* the verb, for messages: "run", "shell" */
	enum run_what what;
	const char *image;              /* --image, or NULL: the default */
	const char *host;               /* --host PATH, or NULL */
	const char *argv0;              /* --argv0 NAME: the program's argv[0], or NULL */
	int auto_daemon;                /* --auto-daemon: start one if none answers */
	uint64_t mem;
	int stats, trace;
	unsigned workers;
};

/* Who runs what in-process, once the volume is up. */
struct run_job {
	struct sched_cred cred;
	char home[64];
	char prog[1024];                /* the program's path on the volume */
	char argv0[64];                 /* RUN_SHELL/RUN_LOGIN: the program's argv[0] */
};

int run_main(int argc, char **argv);

/* Connect to the daemon that should run this: the one that answers, or
 * with --image the one serving that image. 0: connected; -NOS_ENOENT: no
 * such daemon (run in-process); -1: it refused us (said why). */
int run_connect(struct client *c, const struct run_opts *o);

/* Run through the daemon / in this process; our exit status
 * (a guest's exit code, 128 + signal, or 1, 126, 127 for our failures). */
int run_remote(struct client *c, const struct run_opts *o, char **argv);
int run_local(const struct run_opts *o, char **argv);
/* Through the daemon when one answers, else in this process. */
int run_either(const struct run_opts *o, char **argv);

/* ---- shared by run_cmd.c, run_prog.c, run_remote.c and run_local.c ---- */

#define RUN_PROG_MAX (32u << 20)        /* bytes of a program */

/* The verb we run for ("run" or "shell"), for messages. */
extern const char *run_verb;

struct run_program {
	char path[FS_PATH_MAX];         /* as the guest sees it */
	uint8_t *image;
	uint32_t len;
};

/* The image to boot in-process: --image, $NANOOS_IMAGE or the default one
 * (made from the rootfs if missing). 0, or -1 (said why). */
int run_pick_image(const struct run_opts *o, char *out, size_t n);
/* The same path, without making anything; its directories, made. */
int run_image_path(const struct run_opts *o, char *out, size_t n);
int run_image_dir(const char *img);
/* Make the default image img with `nanoos sdimage create --rootfs` (its
 * report to stderr). 0, or -1 (said why). */
int run_create_default(const char *img);
/* --auto-daemon (run_autod.c): with no daemon answering, start nanoosd on
 * the image with --idle-exit, so that programs run at once (a pipeline
 * through binfmt_misc) share one NanoOs. run_start_lock: the start lock,
 * held shared (an fd to close), or -1 (said why); run_start_daemon takes
 * it exclusive and starts one: 0 when one should answer now. */
int run_start_lock(const struct run_opts *o);
int run_start_daemon(const struct run_opts *o, int lock);
/* Read a program from the host / from the volume: 0, or -1 (said why). */
int run_read_host(const char *host, struct run_program *p);
int run_read_volume(msg_pid_t fs, const char *img, const char *path, struct run_program *p);
/* ./x and ../x are host files, and so is /path when the host has an RV32
 * program there (else /path is on the volume). */
int run_is_host_path(const char *prog);
/* An RV32 ELF file: 0, or -1 with what it is instead said. */
int run_check_rv32_elf(const char *name, const uint8_t *b, uint32_t len);
/* The program's path on the volume as typed: /path, or a name in /bin. */
void run_volume_path(const char *prog, char *out, size_t n);
/* A wait status as a shell's exit status (128 + N for signal N). */
int run_exit_code(int wstatus);

/* The account `nanoos shell` logs in as without a daemon (shell_cmd.c):
 * fills job from /etc/passwd on the volume. 0 or -1 (said why). */
int shell_pick_account(struct instance *in, const char *img, struct run_job *job);

#endif
