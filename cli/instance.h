/*
 * instance.h: boot a NanoOs instance in this Linux process: sdcard and fs
 * on an image, sched, memmgr, users, a console on the invoking terminal,
 * and the CPU workers. `nanoos run` boots one when no daemon runs; the
 * daemon (nanoosd) boots the same without a terminal: each of its
 * sessions starts a console of its own.
 */
#ifndef NOS_INSTANCE_H
#define NOS_INSTANCE_H

#include "kproc/console.h"
#include "kproc/fs.h"
#include "kproc/memmgr.h"
#include "kproc/sched.h"
#include "kproc/users.h"
#include "sdimage/sd_file.h"

struct instance {
	const char *img;
	struct sd_file file;
	int file_open;
	msg_pid_t sd, fs, sched, memmgr, console, users;
	msg_pid_t workers[SCHED_WORKERS_MAX];
	unsigned nworkers;
	struct fs_config fs_cfg;
	struct sched_config sched_cfg;
	struct memmgr_config mem_cfg;
	struct users_config users_cfg;
	struct console_term term;
	struct host_tty *tty;
	char err[600];
};

#define INSTANCE_HOST_TTY 0x1u         /* a console ("console", 0) on our terminal */

/* Boot on img with n workers (0: one per core). 0, or -1 with in->err
 * saying what failed and what to do. The caller started the runtime and
 * is the instance's own thread: the workers take WORKER_MSG_START and fs
 * takes its requests from it alone. */
int instance_start(struct instance *in, const char *img, unsigned nworkers, unsigned flags);
/* instance_start with the host terminal (nanoos run in-process). */
int instance_boot(struct instance *in, const char *img, unsigned nworkers);
/* Stop everything in reverse order, sync and unlock the image. 0 or -1. */
int instance_halt(struct instance *in);

#endif
