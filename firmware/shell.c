/*
 * shell.c: the firmware's shell, ("shell", 0): reads lines from the
 * console (which echoes and edits them), runs its built-in commands on the
 * volume, and runs any other word as a program from /bin on the card:
 * sched gives it a pid and a worker, the worker loads and runs it, sched
 * tells the shell when it ended. ^C on the console ends the program.
 *
 * Built-ins (a table): help, ls, cat, echo (with > and >>), rm, mkdir, df,
 * mem, time, halt. A line is split at spaces; no quoting, no pipes.
 */
#include <stdlib.h>
#include <string.h>

#include "firmware/config.h"
#include "firmware/system.h"
#include "kproc/kproc.h"
#include "kproc/nos_errno.h"
#include "kproc/sched.h"

#define LINE_MAX 136                     /* more than the console's line (128) */
#define ARGS_MAX 10

static struct nanoos_system *sys;
static const struct fs_cred root_cred = { 0, "root" };

/* ---------------------------------------------------------------- output */

static void out_n(const char *s, uint32_t n)
{
	struct console_io io = { 1, (void *)s, n, 0, 0 };
	msg_t m;

	msg_init(&m, CONSOLE_MSG_WRITE, &io, sizeof(io));
	msg_call(sys->console, &m, MSG_FOREVER);
}

static void out(const char *s)
{
	out_n(s, (uint32_t)strlen(s));
}

static void out_u32(uint32_t v)
{
	char d[11];
	int n = sizeof(d);

	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_n(d + n, (uint32_t)(sizeof(d) - n));
}

/* An error's phrase: copied first, since on AVR nos_strerror's text is
 * one shared buffer and out() lets the other processes run. */
static void out_strerror(int err)
{
	char text[48];

	strncpy(text, nos_strerror(err), sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	out(text);
}

/* "WHAT: NAME: phrase" and the end of the line. */
static void out_err(const char *what, const char *name, int err)
{
	out(what);
	out(": ");
	if (name) {
		out(name);
		out(": ");
	}
	out_strerror(err);
	out("\r\n");
}

/* Built-ins that need the volume say why it is not there. */
static int have_volume(const char *cmd)
{
	if (sys->fs_err == 0)
		return 1;
	out(cmd);
	out(": no volume: ");
	out(sys->card_err != SD_OK ? sd_spi_strerror(sys->card_err) : sys->fs_cfg.err);
	out("\r\n");
	return 0;
}

/* An absolute path on the volume: relative names are under "/". */
static const char *canon(const char *path, char *out_path)
{
	return fs_path_canon("/", path, out_path) == 0 ? out_path : NULL;
}

/* ---------------------------------------------------------------- built-ins */

static int cmd_help(int argc, char **argv);

static int cmd_ls(int argc, char **argv)
{
	struct fs_readdir_req q;
	char path[FS_PATH_MAX];
	int h, r;

	if (!have_volume("ls") || !canon(argc > 1 ? argv[1] : "/", path))
		return 1;
	h = fs_open(sys->fs, &root_cred, path, FS_O_RDONLY | FS_O_DIRECTORY);
	if (h < 0) {
		out_err("ls", path, h);
		return 1;
	}
	while ((r = fs_readdir_r(sys->fs, h, &q)) == 1) {
		out(q.ent.name);
		out(q.ent.st.is_dir ? "/" : "");
		if (!q.ent.st.is_dir) {
			out("  ");
			out_u32(q.ent.st.size);
		}
		out("\r\n");
	}
	fs_close(sys->fs, h);
	if (r < 0)
		out_err("ls", path, r);
	return r < 0;
}

static int cmd_cat(int argc, char **argv)
{
	char path[FS_PATH_MAX], buf[64];
	uint32_t off = 0;
	int32_t n = 0;
	int h, i, bad = 0;

	if (!have_volume("cat"))
		return 1;
	for (i = 1; i < argc; i++) {
		h = canon(argv[i], path) ? fs_open(sys->fs, &root_cred, path, FS_O_RDONLY)
		                         : -NOS_ENAMETOOLONG;
		if (h < 0) {
			out_err("cat", argv[i], h);
			bad = 1;
			continue;
		}
		for (off = 0; (n = fs_pread(sys->fs, h, buf, sizeof(buf), off)) > 0; off += (uint32_t)n)
			out_n(buf, (uint32_t)n);
		if (n < 0) {
			out_err("cat", argv[i], n);
			bad = 1;
		}
		fs_close(sys->fs, h);
	}
	return bad;
}

/* echo WORDS [> FILE | >> FILE]: the words, to the console or a file. */
static int cmd_echo(int argc, char **argv)
{
	char path[FS_PATH_MAX];
	int i, n = argc, h = -1, r = 0;
	unsigned flags = FS_O_WRONLY | FS_O_CREAT;
	uint32_t pos = 0;
	struct fs_stat st;

	if (argc >= 3 && (!strcmp(argv[argc - 2], ">") || !strcmp(argv[argc - 2], ">>"))) {
		n = argc - 2;
		if (!have_volume("echo") || !canon(argv[argc - 1], path))
			return 1;
		flags |= argv[argc - 2][1] ? 0 : FS_O_TRUNC;
		h = fs_open(sys->fs, &root_cred, path, flags);
		if (h < 0) {
			out_err("echo", argv[argc - 1], h);
			return 1;
		}
		if (fs_fstat(sys->fs, h, &st) == 0)
			pos = st.size;
	}
	for (i = 1; i < n && r >= 0; i++) {
		const char *sep = i + 1 < n ? " " : "\n";

		if (h < 0) {
			out(argv[i]);
			out(i + 1 < n ? " " : "\r\n");
			continue;
		}
		r = fs_pwrite(sys->fs, h, argv[i], (uint32_t)strlen(argv[i]), pos);
		pos += r > 0 ? (uint32_t)r : 0;
		if (r >= 0)
			r = fs_pwrite(sys->fs, h, sep, 1, pos++);
	}
	if (n == 1 && h < 0)
		out("\r\n");
	if (h >= 0) {
		if (n == 1)
			r = fs_pwrite(sys->fs, h, "\n", 1, pos);
		if (r >= 0)
			r = fs_fsync(sys->fs, h);     /* on the card when the prompt returns */
		fs_close(sys->fs, h);
		if (r < 0)
			out_err("echo", argv[argc - 1], r);
	}
	return r < 0;
}

/* rm and mkdir: op on each path named, the errors said; 1 if any failed. */
static int each_path(int argc, char **argv, const char *name,
                     int (*op)(msg_pid_t, const struct fs_cred *, const char *))
{
	char path[FS_PATH_MAX];
	int i, r, bad = 0;

	if (!have_volume(name))
		return 1;
	for (i = 1; i < argc; i++) {
		r = canon(argv[i], path) ? op(sys->fs, &root_cred, path) : -NOS_EINVAL;
		if (r < 0) {
			out_err(name, argv[i], r);
			bad = 1;
		}
	}
	return bad;
}

static int cmd_rm(int argc, char **argv)
{
	return each_path(argc, argv, "rm", fs_unlink);
}

static int cmd_mkdir(int argc, char **argv)
{
	return each_path(argc, argv, "mkdir", fs_mkdir);
}

static int cmd_df(int argc, char **argv)
{
	struct fs_statfs st;
	int r;

	(void)argc;
	(void)argv;
	if (!have_volume("df"))
		return 1;
	if ((r = fs_statfs(sys->fs, &st)) < 0) {
		out_err("df", NULL, r);
		return 1;
	}
	out("FAT");
	out_u32(st.fat_type);
	out(", ");
	out_u32(st.free_clusters * (st.cluster_size / 1024u));
	out(" KiB free of ");
	out_u32(st.total_clusters * (st.cluster_size / 1024u));
	out(" KiB\r\n");
	return 0;
}

static int cmd_mem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	shell_mem_report(sys);
	return 0;
}

/* ---------------------------------------------------------------- programs */

static int run_program(int argc, char **argv, int timed);

static int cmd_time(int argc, char **argv)
{
	if (argc < 2) {
		out("time: usage: time PROGRAM [ARGS]\r\n");
		return 1;
	}
	return run_program(argc - 1, argv + 1, 1);
}

static int cmd_halt(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return -1;                          /* the loop stops */
}

static const struct builtin {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} builtins[] = {
	{ "help", cmd_help, "this list" },
	{ "ls", cmd_ls, "ls [DIR]: the names in DIR (/), sizes of files" },
	{ "cat", cmd_cat, "cat FILE...: print files" },
	{ "echo", cmd_echo, "echo WORDS [> FILE | >> FILE]: print or write words" },
	{ "rm", cmd_rm, "rm FILE...: remove files" },
	{ "mkdir", cmd_mkdir, "mkdir DIR...: make directories" },
	{ "df", cmd_df, "df: the volume's free space" },
	{ "mem", cmd_mem, "mem: RAM, heap and stack use" },
	{ "time", cmd_time, "time PROGRAM [ARGS]: run it, then its instructions and time" },
	{ "halt", cmd_halt, "halt: write everything to the card and stop the board" },
};
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

static int cmd_help(int argc, char **argv)
{
	unsigned i;

	(void)argc;
	(void)argv;
	for (i = 0; i < NBUILTINS; i++) {
		out(builtins[i].help);
		out("\r\n");
	}
	out("PROGRAM [ARGS]: run /bin/PROGRAM (or a path) from the card; ^C ends it\r\n");
	return 0;
}

/* Whatever sched and the worker said, the program's end in words. */
static void report_end(const char *name, int32_t wstatus)
{
	if ((wstatus & 0x7f) == 0)
		return;                          /* an exit: its code is its own business */
	if (wstatus == 2)
		out("\r\n");                    /* after the console's echo of ^C */
	out(name);
	out(wstatus == 2 ? ": interrupted\r\n" : ": killed by signal ");
	if (wstatus != 2) {
		out_u32((uint32_t)wstatus & 0x7f);
		out("\r\n");
	}
}

/* Simulated time on simavr: the cycle count at 16 MHz is the clock. */
static void report_time(uint64_t instret, uint64_t ns, uint32_t page_ins, uint32_t page_outs,
                        uint32_t bus_bytes)
{
	uint32_t ms = (uint32_t)(ns / 1000000u);

	out_u32((uint32_t)instret);
	out(" instructions in ");
	out_u32(ms);
	out(" ms: ");
	out_u32(ms ? (uint32_t)(instret * 1000u / ms) : 0);
	out(" per second; ");
	out_u32(page_ins);
	out(" pages in, ");
	out_u32(page_outs);
	out(" out; ");
	out_u32(bus_bytes);
	out(" bytes on the SD card's bus\r\n");
}

static int spawn(const char *path, struct sched_spawn *sp)
{
	msg_t m;

	memset(sp, 0, sizeof(*sp));
	sp->cred.uid = 0;
	sp->cred.gid = 0;
	strcpy(sp->cred.name, "root");
	sp->cmd = path;
	msg_init(&m, SCHED_MSG_SPAWN, sp, sizeof(*sp));
	return msg_call(sys->sched, &m, MSG_FOREVER);
}

/* The console's foreground is the program: ^C goes to it. */
static void give_terminal(uint32_t pid)
{
	struct console_control c;
	msg_t m;

	memset(&c, 0, sizeof(c));
	c.op = CONSOLE_CTL_SESSION;
	c.pgid = pid;
	msg_init(&m, CONSOLE_MSG_CONTROL, &c, sizeof(c));
	msg_call(sys->console, &m, MSG_FOREVER);
}

static int start(const char *path, int argc, char **argv, struct sched_spawn *sp)
{
	static const char *const envp[] = { "PATH=/bin", "HOME=/root", "USER=root",
	                                    "LOGNAME=root", "TERM=vt100", NULL };
	struct worker_start ws;
	struct sched_exited ex;
	msg_t m;
	int r;

	memset(&ws, 0, sizeof(ws));
	ws.pid = sp->pid;
	ws.path = path;
	ws.argv = (const char *const *)argv;
	ws.envp = envp;
	ws.cred = sp->cred;
	ws.cwd = "/";
	ws.console = sys->console;
	(void)argc;
	msg_init(&m, WORKER_MSG_START, &ws, sizeof(ws));
	r = msg_call(sp->worker, &m, MSG_FOREVER);
	if (r < 0) {
		out(path);
		out(": ");
		if (ws.why[0])
			out(ws.why);
		else
			out_strerror(r);
		out("\r\n");
		ex = (struct sched_exited){ sp->pid, 127 << 8, 0, 0 };
		msg_init(&m, SCHED_MSG_EXITED, &ex, sizeof(ex));
		msg_call(sys->sched, &m, MSG_FOREVER);
	}
	return r;
}

/* A word with a slash is a path; any other names a program in /bin. */
static const char *program_path(const char *word, char *path)
{
	char in_bin[FS_PATH_MAX];

	if (strchr(word, '/'))
		return canon(word, path);
	if (strlen(word) + 6 > sizeof(in_bin))
		return NULL;
	strcpy(in_bin, "/bin/");
	strcat(in_bin, word);
	return canon(in_bin, path);
}

static int run_program(int argc, char **argv, int timed)
{
	char path[FS_PATH_MAX];
	struct sched_spawn sp;
	struct sched_wait w;
	uint32_t ins = sys->worker_cfg.page_ins, outs = sys->worker_cfg.page_outs;
	uint32_t bus = sd_spi_bytes;
	uint64_t t0;
	msg_t m;
	int r;

	if (!have_volume(argv[0]))
		return 127;
	if (!program_path(argv[0], path)) {
		out_err(argv[0], NULL, -NOS_ENAMETOOLONG);
		return 127;
	}
	if ((r = spawn(path, &sp)) < 0) {
		out_err(argv[0], "sched refused a new process", r);
		return 127;
	}
	give_terminal(sp.pid);
	t0 = msg_now_ns();
	start(path, argc, argv, &sp);
	memset(&w, 0, sizeof(w));
	w.pid = (int32_t)sp.pid;
	msg_init(&m, SCHED_MSG_WAIT, &w, sizeof(w));
	r = msg_call(sys->sched, &m, MSG_FOREVER);
	if (r < 0) {
		out_err(argv[0], "wait", r);
		return 127;
	}
	report_end(argv[0], w.wstatus);
	if (timed)
		report_time(w.instret, msg_now_ns() - t0, sys->worker_cfg.page_ins - ins,
		            sys->worker_cfg.page_outs - outs, sd_spi_bytes - bus);
	return (w.wstatus >> 8) & 0xff;
}

/* ---------------------------------------------------------------- the loop */

/* The words of line in argv[]; -1 when there are more than ARGS_MAX. */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == ARGS_MAX)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
	}
	argv[argc] = NULL;
	return argc;
}

/* One line from the console, NUL-terminated: its length, 0 at the end of
 * input. */
static int read_line(char *line)
{
	struct console_io io = { 0, line, LINE_MAX - 1, 0, 0 };
	msg_t m;
	int r;

	msg_init(&m, CONSOLE_MSG_READ, &io, sizeof(io));
	r = msg_call(sys->console, &m, MSG_FOREVER);
	if (r < 0)
		r = 0;
	line[r] = 0;
	return r;
}

static int run_line(char *line)
{
	char *argv[ARGS_MAX + 1];
	int argc = split(line, argv);
	unsigned i;

	if (argc < 0) {
		out("nanoos: too many words: a line takes a command and at most 9 arguments\r\n");
		return 1;
	}
	if (argc == 0)
		return 0;
	for (i = 0; i < NBUILTINS; i++)
		if (!strcmp(argv[0], builtins[i].name))
			return builtins[i].fn(argc, argv);
	return run_program(argc, argv, 0);
}

void shell_run(struct nanoos_system *s)
{
	char line[LINE_MAX];

	sys = s;
	out("Type help for the commands.\r\n");
	for (;;) {
		out("nanoos> ");
		if (read_line(line) == 0) {
			out("\r\n");                /* ^D: the board's input never ends */
			continue;
		}
		if (run_line(line) < 0)
			break;
	}
}
