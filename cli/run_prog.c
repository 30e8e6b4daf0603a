/*
 * run_prog.c: what `nanoos run` and `nanoos shell` need before a program
 * runs, either way: the image (the default one is made from the rootfs on
 * first use) and the program (a host file or a file on the volume, checked
 * to be an RV32 ELF).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/run_cmd.h"
#include "kproc/fs.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/worker.h"

#define CMD run_verb

const char *run_verb = "run";

/* ---------------------------------------------------------------- the image */

static int default_image(char *out, size_t n)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		return snprintf(out, n, "%s/nanoos/sd.img", xdg) < (int)n ? 0 : -1;
	if (!home || !*home)
		return -1;
	return snprintf(out, n, "%s/.local/share/nanoos/sd.img", home) < (int)n ? 0 : -1;
}

static int mkdir_parents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int run_create_default(const char *img)
{
	char rootfs[4096];
	pid_t pid;
	int status;

	if (cli_find_rootfs(rootfs, sizeof(rootfs)) < 0) {
		cli_error(CMD, img, "no image yet, and no userland to make one from; build it "
		          "with `make`, or set NANOOS_ROOTFS, or give --image IMG");
		return -1;
	}
	if (run_image_dir(img) < 0)
		return -1;
	fprintf(stderr, "nanoos %s: creating the default image %s from %s\n", CMD, img, rootfs);
	pid = fork();
	if (pid == 0) {
		/* Its report (and the first passwords) to our stderr: stdout is
		 * the program's, maybe a pipe or a file (`./hello > out`). */
		dup2(2, 1);
		execl("/proc/self/exe", "nanoos", "sdimage", "create", img, "--size", "64M",
		      "--rootfs", rootfs, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		cli_error(CMD, img, "making the default image failed (see above)");
		return -1;
	}
	return 0;
}

int run_image_path(const struct run_opts *o, char *out, size_t n)
{
	const char *env = getenv("NANOOS_IMAGE");

	if (o->image) {
		snprintf(out, n, "%s", o->image);
		return 0;
	}
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0;
	}
	if (default_image(out, n) < 0) {
		cli_error(CMD, NULL, "HOME is not set, so there is no default image; "
		          "give --image IMG or set NANOOS_IMAGE");
		return -1;
	}
	return 0;
}

int run_pick_image(const struct run_opts *o, char *out, size_t n)
{
	const char *env = getenv("NANOOS_IMAGE");
	struct stat st;

	if (run_image_path(o, out, n) < 0)
		return -1;
	if (o->image || (env && *env) || stat(out, &st) == 0)
		return 0;               /* one named is used as it is: not made */
	return run_create_default(out);
}

int run_image_dir(const char *img)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", img);
	if (mkdir_parents(dir) < 0) {
		cli_error(CMD, img, "cannot make its directory: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- the program */

int run_read_host(const char *host, struct run_program *p)
{
	FILE *f = fopen(host, "rb");
	long size;

	if (!f) {
		cli_error(CMD, host, "%s; check the path", strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0 ||
	    size > (long)RUN_PROG_MAX) {
		cli_error(CMD, host, "cannot read it as a program (not a regular file, or more "
		          "than 32 MiB)");
		fclose(f);
		return -1;
	}
	p->image = malloc(size ? (size_t)size : 1);
	if (!p->image || fread(p->image, 1, (size_t)size, f) != (size_t)size) {
		cli_error(CMD, host, "cannot read it: %s", strerror(errno ? errno : EIO));
		fclose(f);
		return -1;
	}
	fclose(f);
	p->len = (uint32_t)size;
	snprintf(p->path, sizeof(p->path), "%s", host);
	return 0;
}

int run_read_volume(msg_pid_t fs, const char *img, const char *path, struct run_program *p)
{
	static const struct fs_cred root = { 0, "root" };
	struct fs_stat st;
	int h = fs_open(fs, &root, path, FS_O_RDONLY);
	int32_t n;

	if (h < 0) {
		cli_error(CMD, path, "%s on %s; list the volume with `nanoos sdimage ls %s /bin`",
		          nos_strerror(h), img, img);
		return -1;
	}
	if (fs_fstat(fs, h, &st) < 0 || st.size > RUN_PROG_MAX) {
		cli_error(CMD, path, "cannot read it as a program (more than 32 MiB?)");
		fs_close(fs, h);
		return -1;
	}
	p->image = malloc(st.size ? st.size : 1);
	n = p->image ? fs_pread(fs, h, p->image, st.size, 0) : -NOS_ENOMEM;
	fs_close(fs, h);
	if (n < 0 || (uint32_t)n != st.size) {
		cli_error(CMD, path, "reading it failed: %s", nos_strerror(n < 0 ? n : -NOS_EIO));
		return -1;
	}
	p->len = st.size;
	snprintf(p->path, sizeof(p->path), "%s", path);
	return 0;
}

/* A host file at this absolute path that starts like a static RV32 ELF
 * executable (the same bytes binfmt_misc's rule looks at). */
static int host_has_rv32_program(const char *path)
{
	uint8_t b[20];
	struct stat st;
	FILE *f;
	size_t n;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fopen(path, "rb")))
		return 0;
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	return n == sizeof(b) && memcmp(b, "\x7f" "ELF\x01\x01", 6) == 0 &&
	       (b[18] | b[19] << 8) == 243;
}

int run_is_host_path(const char *prog)
{
	return strncmp(prog, "./", 2) == 0 || strncmp(prog, "../", 3) == 0 ||
	       (prog[0] == '/' && host_has_rv32_program(prog));
}

/* An RV32 ELF file: 0, or -1 with what it is instead said. */
int run_check_rv32_elf(const char *name, const uint8_t *b, uint32_t len)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	const char *what = NULL;

	if (len < 52 || memcmp(b, magic, 4) != 0)
		what = "not an ELF file";
	else if (b[4] != 1)
		what = "a 64-bit ELF file";
	else if (b[5] != 1)
		what = "a big-endian ELF file";
	else if ((b[18] | b[19] << 8) != 243)
		what = "an ELF file for another machine";
	if (!what)
		return 0;
	cli_error(CMD, name, "%s, not an RV32 program; NanoOs runs static RV32 ELF "
	          "programs: build them with nanoos-cc", what);
	return -1;
}

/* The program's path on the volume as typed: /path, or a name in /bin. */
void run_volume_path(const char *prog, char *out, size_t n)
{
	snprintf(out, n, "%s%s", prog[0] == '/' ? "" : "/bin/", prog);
}

int run_exit_code(int wstatus)
{
	if ((wstatus & 0x7f) == 0)
		return (wstatus >> 8) & 0xff;
	return 128 + (wstatus & 0x7f);
}
