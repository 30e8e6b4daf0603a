/*
 * worker_small.c: the CPU worker of a small machine (see worker_small.h):
 * one guest, paged from a swap file, loaded piece by piece, run in slices
 * between looks at the inbox. Messages: see worker_small.h.
 *
 * Why not worker.c: a Linux guest record (signal handlers, 64 fds, rlimits,
 * two paths and a request union) is ~3 KB, and the AVR has 8. This worker
 * keeps what one program at a time needs, in static memory, and calls the
 * kernel processes synchronously: it has nothing else to run meanwhile.
 * The system calls are in worker_small_sys.c.
 */
#include <string.h>

#include "kproc/fs.h"
#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/elf_stream.h"
#include "vm-rv32i/guest_stack.h"
#include "vm-rv32i/worker_small_priv.h"

static struct wsmall the_worker;

/* ---------------------------------------------------------------- the swap file */

static int page_touched(const struct wsmall *w, uint32_t page)
{
	return (w->touched[page >> 3] >> (page & 7)) & 1;
}

/* Pages this guest never wrote read as zeros without a trip to the card:
 * the file keeps whatever an earlier guest left there. */
static int swap_read(void *ctx, uint32_t page, void *buf)
{
	struct wsmall *w = ctx;
	int32_t r;

	if (!page_touched(w, page)) {
		memset(buf, 0, GMEM_PAGE_SIZE);
		return 0;
	}
	w->cfg->page_ins++;
	r = fs_pread(w->cfg->fs, w->swap, buf, GMEM_PAGE_SIZE, (int64_t)page * GMEM_PAGE_SIZE);
	return r == (int32_t)GMEM_PAGE_SIZE ? 0 : -NOS_EIO;
}

static int swap_write(void *ctx, uint32_t page, const void *buf)
{
	struct wsmall *w = ctx;
	int32_t r;

	w->cfg->page_outs++;
	r = fs_pwrite(w->cfg->fs, w->swap, buf, GMEM_PAGE_SIZE, (int64_t)page * GMEM_PAGE_SIZE);
	if (r != (int32_t)GMEM_PAGE_SIZE)
		return -NOS_EIO;
	w->touched[page >> 3] |= (uint8_t)(1u << (page & 7));
	return 0;
}

static const struct fs_cred kernel_cred = { 0, "root" };

/* Open the swap file, making it as large as the guest space. */
static int swap_open(struct wsmall *w, char *why, uint16_t whylen)
{
	struct fs_stat st;
	int h, r;

	if (w->swap >= 0)
		return 0;
	h = fs_open(w->cfg->fs, &kernel_cred, w->cfg->swap_path, FS_O_RDWR | FS_O_CREAT);
	if (h < 0) {
		wsmall_why(why, whylen, "cannot open the swap file ", w->cfg->swap_path, h);
		return h;
	}
	r = fs_fstat(w->cfg->fs, h, &st);
	if (r == 0 && st.size < w->cfg->space) {
		wsmall_log(w, "making the swap file (once per card)\r\n");
		r = fs_ftruncate(w->cfg->fs, h, w->cfg->space);
		if (r == 0)
			r = fs_fsync(w->cfg->fs, h);
	}
	if (r < 0) {
		/* A card too full for it: give the space back, and say so. */
		fs_close(w->cfg->fs, h);
		fs_unlink(w->cfg->fs, &kernel_cred, w->cfg->swap_path);
		wsmall_why(why, whylen, "cannot make the swap file ", w->cfg->swap_path, r);
		return r;
	}
	w->swap = h;
	return 0;
}

/* ---------------------------------------------------------------- loading */

struct elf_source {
	msg_pid_t fs;
	int handle;
};

static int32_t elf_read(void *ctx, uint32_t off, void *buf, uint32_t n)
{
	struct elf_source *src = ctx;

	return fs_pread(src->fs, src->handle, buf, n, off);
}

static uint64_t worker_time(void *ctx)
{
	(void)ctx;
	return msg_now_ns() / (1000000000u / RV32_TIME_HZ);
}

static int load_program(struct wsmall *w, struct worker_start *ws, struct elf_image *img)
{
	struct fs_cred cred;
	struct elf_source src = { w->cfg->fs, -1 };
	struct fs_stat st;
	int r;

	cred.uid = ws->cred.uid;
	memcpy(cred.name, ws->cred.name, sizeof(cred.name));
	cred.name[sizeof(cred.name) - 1] = 0;
	src.handle = fs_open(w->cfg->fs, &cred, ws->path, FS_O_RDONLY);
	if (src.handle < 0) {
		wsmall_why(ws->why, sizeof(ws->why), "", NULL, src.handle);
		return src.handle;
	}
	r = fs_fstat(w->cfg->fs, src.handle, &st);
	if (r == 0 && st.is_dir)
		r = -NOS_EISDIR;
	if (r < 0) {
		wsmall_why(ws->why, sizeof(ws->why), "", NULL, r);
	} else {
		memset(w->touched, 0, sizeof(w->touched));
		r = gmem_paged_init_mem(&w->mem, w->cfg->space, &w->store, w->cfg->slots,
		                        w->cfg->cache_bytes);
		if (r == 0)
			r = elf_stream_load(&w->mem, elf_read, &src, st.size, img, ws->why,
			                    sizeof(ws->why));
	}
	fs_close(w->cfg->fs, src.handle);
	return r;
}

/* The initial stack, the CPU, the program break. */
static int set_up_guest(struct wsmall *w, struct worker_start *ws, const struct elf_image *img)
{
	struct guest_ids ids = { ws->cred.uid, ws->cred.uid, ws->cred.gid, ws->cred.gid };
	uint64_t t = msg_now_ns();
	uint8_t random16[16];
	uint32_t sp;
	unsigned i;
	int r;

	if (img->highest > w->cfg->space - WSMALL_STACK_MAX) {
		wsmall_why(ws->why, sizeof(ws->why), "the program reaches into the stack's 32 KiB "
		           "at the top of its space", NULL, 0);
		return -NOS_ENOEXEC;
	}
	for (i = 0; i < sizeof(random16); i++)   /* no entropy source: the clock */
		random16[i] = (uint8_t)(t >> ((i % 8) * 8)) ^ (uint8_t)(i * 37u);
	r = guest_stack_init(&w->mem, w->cfg->space, WSMALL_STACK_ARGS, ws->argv, ws->envp, img,
	                     &ids, random16, &sp);
	if (r < 0) {
		wsmall_why(ws->why, sizeof(ws->why), "arguments do not fit: ", NULL, r);
		return r;
	}
	r = rv32_init(&w->cpu, &w->mem);
	if (r < 0)
		return r;
	w->cpu.x[RV_SP] = sp;
	w->cpu.pc = img->entry;
	w->cpu.read_time = worker_time;
	w->brk = w->brk_high = img->brk_start;
	return wsmall_memmgr(w, MEMMGR_MSG_NEW, img->brk_start,
	                     w->cfg->space - WSMALL_STACK_MAX);
}

static int start_guest(struct wsmall *w, struct worker_start *ws)
{
	struct elf_image img;
	unsigned i;
	int r;

	ws->why[0] = 0;
	if (w->running) {
		wsmall_why(ws->why, sizeof(ws->why), "a program is running already", NULL, 0);
		return -NOS_EBUSY;
	}
	if (ws->image || !ws->path) {
		wsmall_why(ws->why, sizeof(ws->why), "this worker runs programs from the card", NULL, 0);
		return -NOS_EINVAL;
	}
	w->pid = ws->pid;
	w->cred = ws->cred;
	w->console = ws->console;
	if ((r = swap_open(w, ws->why, sizeof(ws->why))) < 0 ||
	    (r = load_program(w, ws, &img)) < 0 ||
	    (r = set_up_guest(w, ws, &img)) < 0) {
		gmem_destroy(&w->mem);
		return r;
	}
	for (i = 0; i < WSMALL_FDS; i++)
		w->fd[i].kind = i < 3 ? WFD_CONSOLE : WFD_FREE;
	w->kill_sig = 0;
	w->syscalls = 0;
	w->running = 1;
	wsmall_tty_save(w);
	strncpy(w->cmd, ws->path, sizeof(w->cmd) - 1);
	w->cmd[sizeof(w->cmd) - 1] = 0;
	return 0;
}

/* ---------------------------------------------------------------- ending */

void wsmall_end_guest(struct wsmall *w, int32_t wstatus)
{
	struct sched_exited ex;
	msg_t m;
	unsigned i;

	for (i = 3; i < WSMALL_FDS; i++)
		if (w->fd[i].kind == WFD_FILE)
			fs_close(w->cfg->fs, w->fd[i].handle);
	gmem_destroy(&w->mem);
	rv32_destroy(&w->cpu);
	wsmall_memmgr(w, MEMMGR_MSG_FREE, 0, 0);
	wsmall_tty_restore(w);
	w->running = 0;
	ex.pid = w->pid;
	ex.wstatus = wstatus;
	ex.instret = w->cpu.instret;
	ex.syscalls = w->syscalls;
	msg_init(&m, SCHED_MSG_EXITED, &ex, sizeof(ex));
	msg_call(w->cfg->sched, &m, MSG_FOREVER);
}

/* A signal's default action on a board without handlers or job control:
 * those Linux ignores by default are ignored, every other one ends it. */
static int signal_ends(uint32_t sig)
{
	return sig != 17 && sig != 18 && sig != 28 && sig != 23 &&   /* CHLD CONT WINCH URG */
	       sig != 19 && sig != 20 && sig != 21 && sig != 22;    /* no job control here */
}

/* ---------------------------------------------------------------- the inbox */

static void on_signal(struct wsmall *w, msg_t *m)
{
	struct worker_signal *s = m->payload;

	if (!kproc_sent_by(m, "sched", 0) || m->size != sizeof(*s)) {
		msg_reply(m, -NOS_EPERM);
		return;
	}
	if (!w->running || s->pid != w->pid) {
		msg_reply(m, -NOS_ESRCH);
		return;
	}
	if (signal_ends(s->sig) && !w->kill_sig)
		w->kill_sig = (uint8_t)s->sig;
	msg_reply(m, 0);
}

void wsmall_handle(struct wsmall *w, msg_t *m)
{
	int stop = 0;

	if (kproc_serve_common(m, &stop)) {
		if (stop) {
			w->stopping = 1;
			if (w->running && !w->kill_sig)
				w->kill_sig = 9;
		}
		return;
	}
	switch (m->type) {
	case WORKER_MSG_START:
		if (m->from != w->cfg->starter && !kproc_sent_by(m, "sched", 0))
			msg_reply(m, -NOS_EPERM);
		else if (m->size != sizeof(struct worker_start))
			msg_reply(m, -NOS_EBADMSG);
		else
			msg_reply(m, start_guest(w, m->payload));
		break;
	case WORKER_MSG_SIGNAL:
		on_signal(w, m);
		break;
	default:
		msg_reply(m, -NOS_ENOSYS);
	}
}

/* ---------------------------------------------------------------- running */

static const char *const stop_signal_names[] = {
	[4] = "illegal instruction", [5] = "breakpoint", [11] = "segmentation fault",
};

/* A fault: say what and where on the guest's console, end it with the
 * signal Linux would send. */
static void fault(struct wsmall *w, enum rv32_stop stop)
{
	uint32_t sig = stop == RV32_STOP_ILLEGAL ? 4 : stop == RV32_STOP_EBREAK ? 5 : 11;
	char line[96];

	wsmall_fault_text(line, sizeof(line), w->cmd, stop_signal_names[sig],
	                  rv32_stop_name(stop), w->cpu.pc,
	                  stop == RV32_STOP_ILLEGAL ? w->cpu.fault_insn : w->cpu.fault_addr,
	                  stop == RV32_STOP_ILLEGAL);
	wsmall_console_text(w, 2, line);
	wsmall_end_guest(w, (int32_t)sig);
}

static void run_slice(struct wsmall *w)
{
	enum rv32_stop stop = rv32_run(&w->cpu, WSMALL_SLICE);

	if (stop == RV32_STOP_ECALL) {
		w->syscalls++;
		wsmall_syscall(w);
	} else if (stop != RV32_STOP_BUDGET) {
		fault(w, stop);
		return;
	}
	if (w->running && w->kill_sig)
		wsmall_end_guest(w, w->kill_sig);
}

static void worker_main(void *arg)
{
	struct wsmall *w = &the_worker;
	msg_t *m;

	w->cfg = arg;
	w->swap = -1;
	w->store.read_page = swap_read;
	w->store.write_page = swap_write;
	w->store.ctx = w;
	for (;;) {
		while (msg_receive(&m, w->running ? 0 : MSG_FOREVER) == 0) {
			wsmall_handle(w, m);
			if (w->running || w->stopping)
				break;
		}
		if (w->running)
			run_slice(w);
		else if (w->stopping)
			break;
		if (w->running)
			msg_yield();            /* coroutines: let the others run */
	}
	if (w->swap >= 0)
		fs_close(w->cfg->fs, w->swap);
	w->swap = -1;
}

int worker_small_start(unsigned index, struct worker_small_config *cfg, msg_pid_t *pid)
{
	if (cfg->space == 0 || cfg->space % GMEM_PAGE_SIZE || cfg->space > WSMALL_SPACE_MAX ||
	    cfg->cache_bytes < GMEM_SLOT_BYTES || !cfg->slots || !cfg->swap_path)
		return -NOS_EINVAL;
	return kproc_start("sched", index, worker_main, cfg, cfg->stack_size, pid);
}
