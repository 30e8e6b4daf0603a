/*
 * worker_small.h: the CPU worker of a small machine (portable; the AVR
 * firmware's, where vm-rv32i/worker.c is Linux's): one guest at a time, its
 * memory paged from a swap file on the card, its program read from the card
 * piece by piece (elf_stream.h), its system calls a short table over the
 * same kernel processes (fs, console, sched, memmgr).
 *
 * Registered as ("sched", index) like any worker, so sched hands it the
 * guests it spawns and fs and the console serve it. Messages it accepts:
 *   WORKER_MSG_START  worker_start -> 0 once the program is loaded and runs,
 *                     or why not (why[]); image must be NULL and path the
 *                     program on the volume. From cfg.starter only.
 *                     -NOS_EBUSY while a guest runs.
 *   WORKER_MSG_SIGNAL worker_signal -> 0, -ESRCH          from sched
 *   KPROC_MSG_STOP                   -> kills its guest, then ends  from its parent
 * When the guest ends it tells sched (SCHED_MSG_EXITED), with its
 * instructions and system calls, as worker.c does.
 *
 * Guest system calls (Linux RV32 numbers, syscall.h's layout): read, write,
 * writev, openat, close, lseek/llseek, fstat via statx, ioctl (TCGETS and
 * TIOCGWINSZ on the console), brk (memmgr), getpid, getppid, getuid and the
 * like, uname ("NanoOs"), clock_gettime64, clock_nanosleep_time64,
 * set_tid_address, exit, exit_group, unlinkat, mkdirat, getcwd; any other
 * gives -ENOSYS. A fault ends the guest with the signal Linux would send
 * (SIGSEGV, SIGILL, SIGBUS) and a line on the console saying what and where.
 */
#ifndef NOS_WORKER_SMALL_H
#define NOS_WORKER_SMALL_H

#include <stdint.h>

#include "msg/msg.h"
#include "vm-rv32i/gmem.h"

#ifdef __AVR__
#define WSMALL_SLICE 100u            /* instructions between looks at the inbox: ~12 ms,
                                      * while the UART's ring fills in 22 */
#else
#define WSMALL_SLICE 20000u
#endif
#define WSMALL_FDS 8                 /* 0..2 the console, the rest files */
#define WSMALL_PAGES_MAX 8u

struct worker_small_config {
	msg_pid_t sched, fs, memmgr;
	msg_pid_t starter;               /* who may send WORKER_MSG_START */
	const char *swap_path;           /* the swap file, made at start if missing */
	uint32_t space;                  /* bytes of guest space (= the swap file's
	                                  * size): a multiple of GMEM_PAGE_SIZE */
	void *slots;                     /* the page cache: cache_bytes of RAM,
	                                  * 4-byte aligned (GMEM_SLOT_BYTES each) */
	uint32_t cache_bytes;
	uint16_t stack_size;             /* the worker's coroutine stack; 0: default */
	/* out: measured, for the shell's report (`mem`, `time`) */
	uint32_t page_ins, page_outs;
};

/* Start the worker as ("sched", index) under the caller. The swap file is
 * opened (created and sized when missing or short) on the first START.
 * cfg must outlive the worker. */
int worker_small_start(unsigned index, struct worker_small_config *cfg, msg_pid_t *pid);

#endif
