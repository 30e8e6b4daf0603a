/*
 * worker_small_priv.h: the small worker's state, shared by its loop
 * (worker_small.c) and its system calls (worker_small_sys.c). Private to
 * vm-rv32i/.
 */
#ifndef NOS_WORKER_SMALL_PRIV_H
#define NOS_WORKER_SMALL_PRIV_H

#include "kproc/fs_policy.h"
#include "kproc/proto.h"
#include "vm-rv32i/rv32.h"
#include "vm-rv32i/worker_small.h"

#define WSMALL_SPACE_MAX (512ul * 1024ul)   /* the largest guest space (touched map) */
#define WSMALL_STACK_MAX (32ul * 1024ul)   /* the stack's share of the space */
#define WSMALL_STACK_ARGS 4096u           /* room for argv, envp and auxv */
#define WSMALL_IO_CHUNK 64u               /* bytes moved per message, on the stack */

enum wfd_kind { WFD_FREE = 0, WFD_CONSOLE, WFD_FILE };

struct wsmall_fd {
	uint8_t kind;
	uint8_t append;
	int16_t handle;                   /* WFD_FILE: the fs handle */
	uint32_t pos;
};

struct wsmall {
	struct worker_small_config *cfg;
	guest_mem mem;
	rv32_cpu cpu;
	struct gmem_store store;
	int swap;                         /* fs handle of the swap file; -1: not open */
	uint8_t touched[WSMALL_SPACE_MAX / GMEM_PAGE_SIZE / 8]; /* pages written */
	uint8_t running, stopping;
	uint8_t kill_sig;                 /* a signal that ends the guest; 0: none */
	uint32_t pid;
	struct sched_cred cred;
	msg_pid_t console;
	struct wsmall_fd fd[WSMALL_FDS];
	uint32_t brk, brk_high;           /* the break; the highest it has been */
	uint32_t syscalls;
	struct console_termios tty;       /* the terminal's settings at start */
	uint8_t tty_saved;
	char cmd[24];
	char path[FS_PATH_MAX], canon[FS_PATH_MAX];
};

/* worker_small.c */
void wsmall_handle(struct wsmall *w, msg_t *m);
void wsmall_end_guest(struct wsmall *w, int32_t wstatus);

/* worker_small_sys.c */
void wsmall_syscall(struct wsmall *w);
/* why = text + name + ": " + the error's phrase (err < 0), within whylen. */
void wsmall_why(char *why, uint16_t whylen, const char *text, const char *name, int err);
/* A line to the console the worker's guests use (stream 2), or its log. */
void wsmall_console_text(struct wsmall *w, unsigned stream, const char *text);
void wsmall_log(struct wsmall *w, const char *text);
/* "CMD: segmentation fault (load fault at 0x...), pc 0x..." */
void wsmall_fault_text(char *out, uint16_t n, const char *cmd, const char *what,
                       const char *stop, uint32_t pc, uint32_t value, int is_insn);
int32_t wsmall_memmgr(struct wsmall *w, uint16_t type, uint32_t a, uint32_t b);
/* The terminal as the guest found it: saved at its start, set back at its
 * end (a program killed in raw mode must not leave the shell there). */
void wsmall_tty_save(struct wsmall *w);
void wsmall_tty_restore(struct wsmall *w);

#endif
