/*
 * worker_small_sys.c: the small worker's system calls (see worker_small.h
 * for the list): a table by Linux RV32 number, each handler calling fs,
 * the console or memmgr synchronously and returning a0 (>= 0 or -errno).
 * Guest bytes move through a WSMALL_IO_CHUNK buffer on the stack.
 */
#include <string.h>

#include "kproc/fs.h"
#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/worker_small_priv.h"

typedef int32_t (*wsys_fn)(struct wsmall *w, const uint32_t a[6]);

#define L_AT_FDCWD (-100)
#define L_AT_REMOVEDIR 0x200
#define L_O_CREAT 0100
#define L_O_EXCL 0200
#define L_O_TRUNC 01000
#define L_O_APPEND 02000
#define L_O_DIRECTORY 0200000

/* ---------------------------------------------------------------- text */

static char *put_str(char *p, char *end, const char *s)
{
	while (s && *s && p < end)
		*p++ = *s++;
	return p;
}

static char *put_hex(char *p, char *end, uint32_t v)
{
	int shift;

	p = put_str(p, end, "0x");
	for (shift = 28; shift >= 0 && p < end; shift -= 4)
		*p++ = "0123456789abcdef"[(v >> shift) & 15];
	return p;
}

void wsmall_why(char *why, uint16_t whylen, const char *text, const char *name, int err)
{
	char *p = why, *end = why + whylen - 1;

	p = put_str(p, end, text);
	p = put_str(p, end, name);
	if (err < 0) {
		if (name)
			p = put_str(p, end, ": ");
		p = put_str(p, end, nos_strerror(err));
	}
	*p = 0;
}

void wsmall_fault_text(char *out, uint16_t n, const char *cmd, const char *what,
                       const char *stop, uint32_t pc, uint32_t value, int is_insn)
{
	char *p = out, *end = out + n - 3;

	p = put_str(p, end, cmd);
	p = put_str(p, end, ": ");
	p = put_str(p, end, what);
	p = put_str(p, end, " (");
	p = put_str(p, end, stop);
	p = put_str(p, end, is_insn ? ", instruction " : " at ");
	p = put_hex(p, end, value);
	p = put_str(p, end, "), pc ");
	p = put_hex(p, end, pc);
	*p++ = '\r';
	*p++ = '\n';
	*p = 0;
}

/* ---------------------------------------------------------------- console */

static int32_t console_call(struct wsmall *w, uint16_t type, void *payload, uint32_t size);

void wsmall_console_text(struct wsmall *w, unsigned stream, const char *text)
{
	struct console_io io = { stream, (void *)text, (uint32_t)strlen(text), 0, 0 };

	console_call(w, CONSOLE_MSG_WRITE, &io, sizeof(io));
}

/* A plain call: the log is written while START is handled, when the
 * inbox must not be read (a signal or STOP there would be lost). */
void wsmall_log(struct wsmall *w, const char *text)
{
	struct console_io io = { 2, (void *)text, (uint32_t)strlen(text), 0, 0 };
	msg_t m;

	if (!w->console)
		return;
	msg_init(&m, CONSOLE_MSG_WRITE, &io, sizeof(io));
	msg_call(w->console, &m, MSG_FOREVER);
}

/* Let the inbox in (a signal from sched) without waiting. */
static void drain_inbox(struct wsmall *w)
{
	msg_t *in;

	while (msg_receive(&in, 0) == 0)
		wsmall_handle(w, in);
}

/* Call the console, reading the inbox while the call waits (a read waits
 * for a line): a signal that ends the guest cancels the call. */
static int32_t console_call(struct wsmall *w, uint16_t type, void *payload, uint32_t size)
{
	msg_t m;
	int r;

	msg_init(&m, type, payload, size);
	r = msg_send(w->console, &m);
	if (r < 0)
		return r;
	while ((r = msg_wait(&m, 20000000)) == -NOS_ETIMEDOUT) {
		drain_inbox(w);
		if (w->kill_sig && msg_cancel(&m) == 0) {
			msg_wait(&m, MSG_FOREVER);
			return -NOS_EINTR;
		}
	}
	drain_inbox(w);
	return r;
}

/* The reply is read from the message, not msg_call's int: on AVR an int
 * is 16 bits, and a program break (BRK's reply) is a 32-bit address. */
int32_t wsmall_memmgr(struct wsmall *w, uint16_t type, uint32_t a, uint32_t b)
{
	struct memmgr_req q = { w->pid, a, b, b > a ? b - a : 0 };
	msg_t m;
	int r;

	msg_init(&m, type, &q, sizeof(q));
	r = msg_call(w->cfg->memmgr, &m, MSG_FOREVER);
	return msg_done(&m) ? m.status : r;
}

/* ---------------------------------------------------------------- fds */

static struct wsmall_fd *fd_of(struct wsmall *w, uint32_t fd)
{
	return fd < WSMALL_FDS && w->fd[fd].kind != WFD_FREE ? &w->fd[fd] : NULL;
}

static int32_t console_write(struct wsmall *w, unsigned stream, uint32_t addr, uint32_t len)
{
	uint8_t buf[WSMALL_IO_CHUNK];
	struct console_io io;
	uint32_t done = 0, n;
	int32_t r;

	while (done < len && !w->kill_sig) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (gmem_read(&w->mem, addr + done, buf, n) < 0)
			return done ? (int32_t)done : -NOS_EFAULT;
		io = (struct console_io){ stream, buf, n, 0, 0 };
		r = console_call(w, CONSOLE_MSG_WRITE, &io, sizeof(io));
		if (r <= 0)
			return done ? (int32_t)done : r;
		done += (uint32_t)r;
	}
	return (int32_t)done;
}

static int32_t console_read(struct wsmall *w, uint32_t addr, uint32_t len)
{
	uint8_t buf[WSMALL_IO_CHUNK];
	struct console_io io = { 0, buf, len < sizeof(buf) ? len : sizeof(buf), 0, w->pid };
	int32_t r = console_call(w, CONSOLE_MSG_READ, &io, sizeof(io));

	if (r > 0 && gmem_write(&w->mem, addr, buf, (uint32_t)r) < 0)
		return -NOS_EFAULT;
	return r;
}

/* A write past the end: FAT has no holes, the gap is zeros on the card.
 * Refused at once when the volume has no room for it; else written here
 * a block at a time, so ^C stops it and the worker keeps answering
 * (fs would write it all in one call). */
static int32_t fill_gap(struct wsmall *w, struct wsmall_fd *f, uint32_t size)
{
	static uint8_t zeros[GMEM_PAGE_SIZE];    /* .bss: AVR keeps consts in RAM too */
	struct fs_statfs sf;
	uint32_t n;
	int32_t r;

	if ((r = fs_statfs(w->cfg->fs, &sf)) < 0)
		return r;
	if ((f->pos - size) / sf.cluster_size >= sf.free_clusters)
		return -NOS_ENOSPC;
	while (size < f->pos) {
		drain_inbox(w);
		if (w->kill_sig)
			return -NOS_EINTR;
		n = f->pos - size < sizeof(zeros) ? f->pos - size : sizeof(zeros);
		if ((r = fs_pwrite(w->cfg->fs, f->handle, zeros, n, size)) < 0)
			return r;
		size += (uint32_t)r;
	}
	return 0;
}

/* File I/O at the fd's position, a chunk at a time. */
static int32_t file_io(struct wsmall *w, struct wsmall_fd *f, uint32_t addr, uint32_t len,
                       int writing)
{
	uint8_t buf[WSMALL_IO_CHUNK];
	uint32_t done = 0, n;
	struct fs_stat st;
	int32_t r;

	if (writing) {
		if ((r = fs_fstat(w->cfg->fs, f->handle, &st)) < 0)
			return r;
		if (f->append)
			f->pos = st.size;
		else if (len && f->pos > st.size && (r = fill_gap(w, f, st.size)) < 0)
			return r;
	}
	while (done < len && !w->kill_sig) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (writing && gmem_read(&w->mem, addr + done, buf, n) < 0)
			return done ? (int32_t)done : -NOS_EFAULT;
		r = writing ? fs_pwrite(w->cfg->fs, f->handle, buf, n, f->pos)
		            : fs_pread(w->cfg->fs, f->handle, buf, n, f->pos);
		if (r < 0)
			return done ? (int32_t)done : r;
		if (!writing && r > 0 && gmem_write(&w->mem, addr + done, buf, (uint32_t)r) < 0)
			return done ? (int32_t)done : -NOS_EFAULT;
		f->pos += (uint32_t)r;
		done += (uint32_t)r;
		if ((uint32_t)r < n)
			break;
	}
	return (int32_t)done;
}

/* read and write: the console, or a file at the fd's position. */
static int32_t read_or_write(struct wsmall *w, const uint32_t a[6], int writing)
{
	struct wsmall_fd *f = fd_of(w, a[0]);

	if (!f)
		return -NOS_EBADF;
	if (!gmem_in_range(&w->mem, a[1], a[2]))
		return -NOS_EFAULT;
	if (f->kind == WFD_FILE)
		return file_io(w, f, a[1], a[2], writing);
	if (writing)
		return console_write(w, a[0] == 2 ? 2 : 1, a[1], a[2]);
	return a[2] ? console_read(w, a[1], a[2]) : 0;
}

static int32_t sys_read(struct wsmall *w, const uint32_t a[6])
{
	return read_or_write(w, a, 0);
}

static int32_t sys_write(struct wsmall *w, const uint32_t a[6])
{
	return read_or_write(w, a, 1);
}

/* writev: the iovecs one after the other, as write would. */
static int32_t sys_writev(struct wsmall *w, const uint32_t a[6])
{
	uint32_t iov[2], total = 0, i;
	uint32_t b[6] = { a[0], 0, 0, 0, 0, 0 };
	int32_t r;

	if (a[2] > 1024)
		return -NOS_EINVAL;
	for (i = 0; i < a[2]; i++) {
		if (gmem_read(&w->mem, a[1] + i * 8, iov, sizeof(iov)) < 0)
			return total ? (int32_t)total : -NOS_EFAULT;
		b[1] = iov[0];
		b[2] = iov[1];
		r = sys_write(w, b);
		if (r < 0)
			return total ? (int32_t)total : r;
		total += (uint32_t)r;
		if ((uint32_t)r < iov[1])
			break;
	}
	return (int32_t)total;
}

/* The canonical path of a guest path (relative ones to "/": no chdir). */
static int guest_path(struct wsmall *w, int32_t dirfd, uint32_t addr)
{
	int r = gmem_read_str(&w->mem, addr, w->path, sizeof(w->path));

	if (r < 0)
		return r;
	if (w->path[0] != '/' && dirfd != L_AT_FDCWD)
		return -NOS_ENOSYS;     /* no directory fds here */
	return fs_path_canon("/", w->path, w->canon);
}

static struct fs_cred guest_cred(const struct wsmall *w)
{
	struct fs_cred c;

	c.uid = w->cred.uid;
	memcpy(c.name, w->cred.name, sizeof(c.name));
	c.name[sizeof(c.name) - 1] = 0;
	return c;
}

static unsigned fs_flags(uint32_t lflags)
{
	return (lflags & 3u) | (lflags & L_O_CREAT ? FS_O_CREAT : 0) |
	       (lflags & L_O_TRUNC ? FS_O_TRUNC : 0) | (lflags & L_O_EXCL ? FS_O_EXCL : 0) |
	       (lflags & L_O_DIRECTORY ? FS_O_DIRECTORY : 0);
}

static int32_t sys_openat(struct wsmall *w, const uint32_t a[6])
{
	struct fs_cred cred = guest_cred(w);
	unsigned fd;
	int r = guest_path(w, (int32_t)a[0], a[1]);

	if (r < 0)
		return r;
	for (fd = 3; fd < WSMALL_FDS && w->fd[fd].kind != WFD_FREE; fd++)
		;
	if (fd == WSMALL_FDS)
		return -NOS_EMFILE;
	r = fs_open(w->cfg->fs, &cred, w->canon, fs_flags(a[2]));
	if (r < 0)
		return r;
	w->fd[fd] = (struct wsmall_fd){ WFD_FILE, (a[2] & L_O_APPEND) != 0, (int16_t)r, 0 };
	return (int32_t)fd;
}

static int32_t sys_close(struct wsmall *w, const uint32_t a[6])
{
	struct wsmall_fd *f = fd_of(w, a[0]);
	int r = 0;

	if (!f)
		return -NOS_EBADF;
	if (f->kind == WFD_FILE)
		r = fs_close(w->cfg->fs, f->handle);
	f->kind = WFD_FREE;
	return r;
}

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence) */
static int32_t sys_llseek(struct wsmall *w, const uint32_t a[6])
{
	struct wsmall_fd *f = fd_of(w, a[0]);
	struct fs_stat st;
	int64_t base, pos;
	uint64_t out;
	int r;

	if (!f)
		return -NOS_EBADF;
	if (f->kind != WFD_FILE)
		return -NOS_ESPIPE;
	if (a[4] > 2)
		return -NOS_EINVAL;
	base = a[4] == 0 ? 0 : (int64_t)f->pos;
	if (a[4] == 2) {
		if ((r = fs_fstat(w->cfg->fs, f->handle, &st)) < 0)
			return r;
		base = st.size;
	}
	pos = base + (int64_t)(((uint64_t)a[1] << 32) | a[2]);
	if (pos < 0 || pos > 0xFFFFFFFFll)
		return -NOS_EINVAL;
	out = (uint64_t)pos;
	if (gmem_write(&w->mem, a[3], &out, sizeof(out)) < 0)
		return -NOS_EFAULT;
	f->pos = (uint32_t)pos;
	return 0;
}

static int32_t sys_unlinkat(struct wsmall *w, const uint32_t a[6])
{
	struct fs_cred cred = guest_cred(w);
	int r = guest_path(w, (int32_t)a[0], a[1]);

	if (r < 0)
		return r;
	return a[2] & L_AT_REMOVEDIR ? fs_rmdir(w->cfg->fs, &cred, w->canon)
	                             : fs_unlink(w->cfg->fs, &cred, w->canon);
}

static int32_t sys_mkdirat(struct wsmall *w, const uint32_t a[6])
{
	struct fs_cred cred = guest_cred(w);
	int r = guest_path(w, (int32_t)a[0], a[1]);

	return r < 0 ? r : fs_mkdir(w->cfg->fs, &cred, w->canon);
}

static int32_t sys_getcwd(struct wsmall *w, const uint32_t a[6])
{
	if (a[1] < 2)
		return -NOS_ERANGE;
	return gmem_write(&w->mem, a[0], "/", 2) < 0 ? -NOS_EFAULT : 2;
}

/* ---------------------------------------------------------------- ioctl */

#define L_TCGETS 0x5401
#define L_TCSETS 0x5402
#define L_TCSETSF 0x5404
#define L_TIOCGWINSZ 0x5413
#define TERMIOS_BYTES 36u     /* asm-generic termios: 4 flag words, line, 19 cc */

static int32_t sys_ioctl(struct wsmall *w, const uint32_t a[6])
{
	struct wsmall_fd *f = fd_of(w, a[0]);
	struct console_ioctl c;
	uint16_t ws[4];
	int32_t r;

	if (!f)
		return -NOS_EBADF;
	if (f->kind != WFD_CONSOLE || (a[1] != L_TCGETS && a[1] != L_TIOCGWINSZ &&
	                              (a[1] < L_TCSETS || a[1] > L_TCSETSF)))
		return -NOS_ENOTTY;
	memset(&c, 0, sizeof(c));
	c.request = a[1];
	c.caller_pgid = c.caller_sid = w->pid;
	if (a[1] >= L_TCSETS && a[1] <= L_TCSETSF &&
	    gmem_read(&w->mem, a[2], &c.tio, TERMIOS_BYTES) < 0)
		return -NOS_EFAULT;
	r = console_call(w, CONSOLE_MSG_IOCTL, &c, sizeof(c));
	if (r < 0)
		return r;
	if (a[1] == L_TCGETS)
		return gmem_write(&w->mem, a[2], &c.tio, TERMIOS_BYTES) < 0 ? -NOS_EFAULT : 0;
	if (a[1] == L_TIOCGWINSZ) {
		ws[0] = c.rows;
		ws[1] = c.cols;
		ws[2] = ws[3] = 0;
		return gmem_write(&w->mem, a[2], ws, sizeof(ws)) < 0 ? -NOS_EFAULT : 0;
	}
	return 0;
}

static int tty_call(struct wsmall *w, uint32_t request)
{
	struct console_ioctl c;
	msg_t m;
	int r;

	memset(&c, 0, sizeof(c));
	c.request = request;
	c.caller_pgid = c.caller_sid = w->pid;
	c.tio = w->tty;
	msg_init(&m, CONSOLE_MSG_IOCTL, &c, sizeof(c));
	r = msg_call(w->console, &m, MSG_FOREVER);
	if (r == 0 && request == L_TCGETS)
		w->tty = c.tio;
	return r;
}

void wsmall_tty_save(struct wsmall *w)
{
	w->tty_saved = w->console && tty_call(w, L_TCGETS) == 0;
}

void wsmall_tty_restore(struct wsmall *w)
{
	if (w->tty_saved)
		tty_call(w, L_TCSETS);   /* TCSETS, not ...F: what was typed ahead stays */
	w->tty_saved = 0;
}

/* ---------------------------------------------------------------- process */

static int32_t sys_exit(struct wsmall *w, const uint32_t a[6])
{
	wsmall_end_guest(w, (int32_t)((a[0] & 0xff) << 8));
	return 0;
}

static int32_t sys_getpid(struct wsmall *w, const uint32_t a[6])
{
	(void)a;
	return (int32_t)w->pid;
}

static int32_t sys_getppid(struct wsmall *w, const uint32_t a[6])
{
	(void)w;
	(void)a;
	return 0;
}

static int32_t sys_getuid(struct wsmall *w, const uint32_t a[6])
{
	(void)a;
	return (int32_t)w->cred.uid;
}

static int32_t sys_getgid(struct wsmall *w, const uint32_t a[6])
{
	(void)a;
	return (int32_t)w->cred.gid;
}

static int32_t sys_set_tid_address(struct wsmall *w, const uint32_t a[6])
{
	(void)a;
	return (int32_t)w->pid;
}

/* brk: memmgr keeps the account; memory above the highest break this
 * guest ever had is untouched swap and reads as zeros already. */
static int32_t sys_brk(struct wsmall *w, const uint32_t a[6])
{
	int32_t r = wsmall_memmgr(w, MEMMGR_MSG_BRK, a[0], 0);
	uint32_t top;

	if (r < 0)
		return (int32_t)w->brk;
	if ((uint32_t)r > w->brk) {
		top = (uint32_t)r < w->brk_high ? (uint32_t)r : w->brk_high;
		if (top > w->brk && gmem_fill(&w->mem, w->brk, 0, top - w->brk) < 0)
			return (int32_t)w->brk;
	}
	w->brk = (uint32_t)r;
	if (w->brk > w->brk_high)
		w->brk_high = w->brk;
	return r;
}

static int32_t sys_uname(struct wsmall *w, const uint32_t a[6])
{
	static const char *const fields[5] = {
		"NanoOs", "nanoos", "0.8", "#1 NanoOs RV32 on AVR", "riscv32",
	};
	char field[65];
	unsigned i;

	for (i = 0; i < 6; i++) {
		memset(field, 0, sizeof(field));
		strcpy(field, i < 5 ? fields[i] : "(none)");
		if (gmem_write(&w->mem, a[0] + i * 65u, field, sizeof(field)) < 0)
			return -NOS_EFAULT;
	}
	return 0;
}

/* Both clocks count from boot: the board has no calendar clock. */
static int32_t sys_clock_gettime64(struct wsmall *w, const uint32_t a[6])
{
	uint64_t ns = msg_now_ns();
	uint32_t ts[4] = { (uint32_t)(ns / 1000000000u), 0, (uint32_t)(ns % 1000000000u), 0 };

	if (a[0] > 7)
		return -NOS_EINVAL;
	return gmem_write(&w->mem, a[1], ts, sizeof(ts)) < 0 ? -NOS_EFAULT : 0;
}

/* clock_nanosleep(clock, flags, request, remain): relative sleeps, a
 * signal that ends the guest cuts them short. */
static int32_t sys_nanosleep(struct wsmall *w, const uint32_t a[6])
{
	uint32_t ts[4];
	uint64_t until;
	msg_t *in;

	if (gmem_read(&w->mem, a[2], ts, sizeof(ts)) < 0)
		return -NOS_EFAULT;
	if (ts[2] >= 1000000000u || ts[1])
		return -NOS_EINVAL;
	until = msg_now_ns() + (uint64_t)ts[0] * 1000000000u + ts[2];
	if (a[1] & 1)                           /* TIMER_ABSTIME */
		until = (uint64_t)ts[0] * 1000000000u + ts[2];
	while (!w->kill_sig && msg_now_ns() < until) {
		uint64_t left = until - msg_now_ns();

		if (msg_receive(&in, (int64_t)(left < 20000000u ? left : 20000000u)) == 0)
			wsmall_handle(w, in);
	}
	return w->kill_sig ? -NOS_EINTR : 0;
}

/* ---------------------------------------------------------------- the table */

static const struct {
	uint16_t nr;
	wsys_fn fn;
} calls[] = {
	{ 17, sys_getcwd }, { 29, sys_ioctl }, { 34, sys_mkdirat }, { 35, sys_unlinkat },
	{ 56, sys_openat }, { 57, sys_close }, { 62, sys_llseek }, { 63, sys_read },
	{ 64, sys_write }, { 66, sys_writev }, { 93, sys_exit }, { 94, sys_exit },
	{ 96, sys_set_tid_address }, { 160, sys_uname }, { 172, sys_getpid },
	{ 173, sys_getppid }, { 174, sys_getuid }, { 175, sys_getuid }, { 176, sys_getgid },
	{ 177, sys_getgid }, { 178, sys_getpid }, { 214, sys_brk },
	{ 403, sys_clock_gettime64 }, { 407, sys_nanosleep },
};

void wsmall_syscall(struct wsmall *w)
{
	uint32_t nr = w->cpu.x[RV_A7];
	int32_t r = -NOS_ENOSYS;
	unsigned i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (calls[i].nr == nr) {
			r = calls[i].fn(w, &w->cpu.x[RV_A0]);
			break;
		}
	}
	if (!w->running)
		return;                         /* it exited */
	w->cpu.x[RV_A0] = (uint32_t)r;
	w->cpu.pc += 4;
}
