/*
 * system.h: the kernel processes the firmware booted (firmware/nanoos.c),
 * as the shell (firmware/shell.c) finds them.
 */
#ifndef NOS_FIRMWARE_SYSTEM_H
#define NOS_FIRMWARE_SYSTEM_H

#include "firmware/sd_spi.h"
#include "kproc/fs.h"
#include "vm-rv32i/worker_small.h"

struct nanoos_system {
	struct sd_spi card;
	enum sd_spi_error card_err;         /* SD_OK: the card answered */
	msg_pid_t sdcard, fs, sched, memmgr, console, conin, worker;
	int fs_err;                         /* 0: the volume is mounted */
	struct fs_config fs_cfg;            /* fs_cfg.err: why it did not mount */
	struct worker_small_config worker_cfg;
};

/* The shell on the console: returns when asked to halt. */
void shell_run(struct nanoos_system *sys);
/* `mem`: RAM in use, the heap and every stack's low-water mark. */
void shell_mem_report(struct nanoos_system *sys);

#endif
