/*
 * instance.c: boot and halt a NanoOs instance in this process (see
 * instance.h). The order matters: the workers call sched, memmgr, fs,
 * users and the console, so they start last and stop first; users reads
 * the volume through fs, so it stops before fs; fs stops before sdcard so
 * the volume is synced and unmounted cleanly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/host_tty.h"
#include "cli/instance.h"
#include "kproc/fat.h"
#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/worker.h"

static uint32_t wall_clock(void *ctx)
{
	(void)ctx;
	return (uint32_t)time(NULL);
}

static uint32_t sched_clock(void)
{
	return (uint32_t)time(NULL);
}

/* A failed login is answered this long after the attempt. */
#define LOGIN_FAIL_DELAY_NS 1000000000LL

static int boot_volume(struct instance *in)
{
	int r = sd_file_open(&in->file, in->img, 0, in->err, sizeof(in->err));

	if (r < 0)
		return -1;
	in->file_open = 1;
	r = sdcard_start(&in->file.be, &in->sd);
	if (r < 0) {
		snprintf(in->err, sizeof(in->err), "%s: cannot start the sdcard process: %s",
		         in->img, nos_strerror(r));
		return -1;
	}
	memset(&in->fs_cfg, 0, sizeof(in->fs_cfg));
	in->fs_cfg.sdcard = in->sd;
	in->fs_cfg.now = wall_clock;
	in->fs_cfg.alloc = malloc;
	in->fs_cfg.release = free;
	r = fs_start(&in->fs_cfg, &in->fs);
	if (r < 0) {
		in->fs = MSG_PID_NONE;
		/* fs's reason already ends with what to do when it has one. */
		if (in->fs_cfg.err[0])
			snprintf(in->err, sizeof(in->err), "%s: cannot mount its FAT volume: %s",
			         in->img, in->fs_cfg.err);
		else
			snprintf(in->err, sizeof(in->err), "%s: cannot mount its FAT volume: %s; "
			         "check it with `nanoos sdimage fsck %s`", in->img,
			         nos_strerror(r), in->img);
		return -1;
	}
	return 0;
}

static int boot_services(struct instance *in)
{
	int r;

	in->sched_cfg.alloc = malloc;
	in->sched_cfg.release = free;
	in->sched_cfg.now = sched_clock;
	in->mem_cfg.alloc = malloc;
	in->mem_cfg.release = free;
	in->users_cfg.fs = in->fs;
	in->users_cfg.hash = users_crypt_hash;
	in->users_cfg.verify = users_crypt_verify;
	in->users_cfg.fail_delay_ns = LOGIN_FAIL_DELAY_NS;
	if ((r = sched_start(&in->sched_cfg, &in->sched)) < 0 ||
	    (r = memmgr_start(&in->mem_cfg, &in->memmgr)) < 0 ||
	    (r = users_start(&in->users_cfg, &in->users)) < 0)
		return r;
	return 0;
}

/* The console on the invoking terminal, ("console", 0). */
static int boot_host_console(struct instance *in)
{
	int r;

	in->tty = host_tty_new(&in->term);
	if (!in->tty)
		return -NOS_ENOMEM;
	if ((r = console_start(&in->term, &in->console)) < 0 ||
	    (r = host_tty_start(in->tty, in->console)) < 0)
		return r;
	return 0;
}

static int boot_workers(struct instance *in, unsigned nworkers)
{
	struct worker_config wc;
	unsigned i;
	int r;

	memset(&wc, 0, sizeof(wc));
	wc.sched = in->sched;
	wc.fs = in->fs;
	wc.memmgr = in->memmgr;
	wc.starter = msg_self();
	if (!nworkers) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		nworkers = n > 0 ? (unsigned)n : 1;
	}
	if (nworkers > SCHED_WORKERS_MAX)
		nworkers = SCHED_WORKERS_MAX;
	for (i = 0; i < nworkers; i++) {
		r = worker_start(i + 1, &wc, &in->workers[i]);
		if (r < 0)
			return r;
		in->nworkers++;
	}
	return 0;
}

static int boot_kernel(struct instance *in, unsigned nworkers, unsigned flags)
{
	int r = boot_services(in);

	if (r == 0 && (flags & INSTANCE_HOST_TTY))
		r = boot_host_console(in);
	if (r == 0)
		r = boot_workers(in, nworkers);
	return r;
}

int instance_start(struct instance *in, const char *img, unsigned nworkers, unsigned flags)
{
	int r;

	memset(in, 0, sizeof(*in));
	in->img = img;
	if (boot_volume(in) < 0)
		return -1;
	r = boot_kernel(in, nworkers, flags);
	if (r < 0) {
		snprintf(in->err, sizeof(in->err), "cannot start the NanoOs kernel: %s",
		         nos_strerror(r));
		return -1;
	}
	return 0;
}

int instance_boot(struct instance *in, const char *img, unsigned nworkers)
{
	return instance_start(in, img, nworkers, INSTANCE_HOST_TTY);
}

static void stop(msg_pid_t *pid, int *worst)
{
	int r;

	if (*pid == MSG_PID_NONE)
		return;
	r = kproc_stop(*pid, MSG_FOREVER);
	if (r < 0 && *worst == 0)
		*worst = r;
	*pid = MSG_PID_NONE;
}

int instance_halt(struct instance *in)
{
	int worst = 0, r;
	unsigned i;

	for (i = 0; i < in->nworkers; i++)
		stop(&in->workers[i], &worst);
	in->nworkers = 0;
	if (in->tty)
		host_tty_stop(in->tty);
	in->tty = NULL;
	stop(&in->console, &worst);
	stop(&in->users, &worst);
	stop(&in->memmgr, &worst);
	stop(&in->sched, &worst);
	if (in->fs != MSG_PID_NONE) {
		r = fs_sync(in->fs);
		if (r < 0 && !worst)
			worst = r;
	}
	stop(&in->fs, &worst);
	stop(&in->sd, &worst);
	if (in->file_open) {
		r = sd_file_close(&in->file);
		if (r < 0 && !worst)
			worst = r;
		in->file_open = 0;
	}
	if (worst < 0) {
		snprintf(in->err, sizeof(in->err), "%s: writing the volume back failed: %s; "
		         "check the host disk", in->img, nos_strerror(worst));
		return -1;
	}
	return 0;
}
