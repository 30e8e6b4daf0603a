/*
 * instance.h: boot a NanoOs instance in this Linux process: sdcard and fs
 * on an image, sched, memmgr, a console on the invoking terminal, and the
 * CPU workers. `nanoos run` boots one when no daemon runs; the daemon
 * boots the same.
 */
#ifndef NOS_INSTANCE_H
#define NOS_INSTANCE_H

#include "kproc/console.h"
#include "kproc/fs.h"
#include "kproc/memmgr.h"
#include "kproc/sched.h"
#include "sdimage/sd_file.h"

struct instance {
	const char *img;
	struct sd_file file;
	int file_open;
	msg_pid_t sd, fs, sched, memmgr, console;
	msg_pid_t workers[SCHED_WORKERS_MAX];
	unsigned nworkers;
	struct fs_config fs_cfg;
	struct sched_config sched_cfg;
	struct memmgr_config mem_cfg;
	struct console_term term;
	struct host_tty *tty;
	char err[600];
};

/* Boot on img with n workers (0: one per core). 0, or -1 with in->err
 * saying what failed and what to do. The caller started the runtime. */
int instance_boot(struct instance *in, const char *img, unsigned nworkers);
/* Stop everything in reverse order, sync and unlock the image. 0 or -1. */
int instance_halt(struct instance *in);

#endif
