/*
 * binfmt_cmd.c: `nanoos binfmt install|remove|status|rule`: make RV32 ELF
 * executables run under NanoOs when started from a Linux shell (`./hello`),
 * through the kernel's binfmt_misc, on systems where no systemd-binfmt reads
 * packaging/binfmt/nanoos.conf.
 *
 * The rule (one source: rv32_magic, rv32_mask and RULE_FLAGS below; `rule`
 * prints it and tests/integration/binfmt.sh checks nanoos.conf against it)
 * claims static RV32 ELF executables with the magic and mask qemu's
 * riscv32 entry uses: ELFCLASS32, little endian, any OS/ABI, e_type
 * ET_EXEC (the mask lets ET_DYN match too: NanoOs refuses those with a
 * clear error) and e_machine EM_RISCV. Its interpreter is nanoos-binfmt
 * (cli/binfmt/), installed beside this nanoos in ../lib/nanoos/. Flags:
 *   P  the program gets the argv[0] it was started with (nanoos run --argv0);
 *   no F: the interpreter is found at each exec, so an upgrade takes effect
 *      at once; no O or C: nanoos reads the program by its path, and no
 *      credentials are ever taken from an RV32 file.
 *
 * Who wins when several entries match (measured on Linux 6.18, and checked
 * by the test): the kernel tries entries newest first and takes the first
 * enabled one that matches, so the entry registered LAST wins; a disabled
 * entry (`echo 0 > /proc/sys/fs/binfmt_misc/NAME`) is passed over. The
 * directory /proc/sys/fs/binfmt_misc lists entries in that same order,
 * which is how `status` tells the winner. qemu-user-binfmt's qemu-riscv32
 * claims the same files; at boot systemd-binfmt registers binfmt.d files
 * in name order, so qemu-riscv32.conf (after nanoos.conf) wins there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/binfmt_cmd.h"
#include "cli/cli_util.h"

#define CMD "binfmt"
#define BINFMT_DIR "/proc/sys/fs/binfmt_misc"
#define ENTRY_NAME "nanoos"
#define RULE_FLAGS "P"
#define MOUNT_HINT "mount -t binfmt_misc binfmt_misc " BINFMT_DIR
#define HDR_SIZE 256            /* what the kernel matches against (BINPRM_BUF_SIZE) */

/* ELF identification, e_type and e_machine of an RV32 executable. */
static const uint8_t rv32_magic[20] = {
	0x7f, 'E', 'L', 'F', 0x01, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0x02, 0x00, 0xf3, 0x00,
};
static const uint8_t rv32_mask[20] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff,
};

/* The header of a static RV32 executable as nanoos-cc links it: what the
 * entries are matched against when status is not given a file. */
static const uint8_t rv32_probe[52] = {
	0x7f, 'E', 'L', 'F', 0x01, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
	0x02, 0x00, 0xf3, 0x00, 0x01, 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0x34, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0x34, 0, 0x20, 0, 0x02, 0, 0x28, 0, 0, 0, 0, 0,
};

/* One binfmt_misc entry as /proc/sys/fs/binfmt_misc/NAME shows it. */
struct entry {
	char name[NAME_MAX + 1];
	int enabled;
	char interp[PATH_MAX];
	char flags[16];
	int is_extension;               /* matched by the file name's .extension */
	char extension[NAME_MAX + 1];
	unsigned offset;
	uint8_t magic[128], mask[128];
	size_t len;                     /* bytes of magic (and of mask) */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos binfmt install\n"
	        "       nanoos binfmt remove\n"
	        "       nanoos binfmt status [FILE]\n"
	        "       nanoos binfmt rule [--interpreter PATH]\n\n"
	        "Make RV32 ELF executables run under NanoOs from a Linux shell (./hello runs\n"
	        "`nanoos run --host ./hello`), through the kernel's binfmt_misc, on systems\n"
	        "without systemd-binfmt (the package installs /usr/lib/binfmt.d/nanoos.conf).\n"
	        "  install  register the entry \"nanoos\" with the interpreter beside this nanoos\n"
	        "           (../lib/nanoos/nanoos-binfmt); mounts binfmt_misc if needed (root)\n"
	        "  remove   unregister it (root)\n"
	        "  status   the entry, and every entry that claims RV32 executables (or FILE),\n"
	        "           in the order the kernel tries them, and which one runs them\n"
	        "  rule     print the rule (the line of binfmt.d(5) and of " BINFMT_DIR "/register)\n\n"
	        "Several entries can claim the same files (qemu-user-binfmt's qemu-riscv32\n"
	        "does): the kernel takes the newest enabled one, so the entry registered last\n"
	        "wins; at boot systemd-binfmt registers binfmt.d files in name order (so\n"
	        "qemu-riscv32.conf wins over nanoos.conf). Choose by disabling the other: now\n"
	        "with echo 0 > " BINFMT_DIR "/NAME; for good with\n"
	        "ln -s /dev/null /etc/binfmt.d/NAME.conf, and where binfmt-support is installed\n"
	        "also update-binfmts --unimport NAME.\n");
}

/* ---------------------------------------------------------------- the rule */

/* The interpreter installed beside this nanoos: 0, or -1 (said why, if
 * say). */
static int interpreter_beside_us(char *out, size_t n, int say)
{
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (len <= 0 || !(slash = memrchr(exe, '/', (size_t)len))) {
		if (say)
			cli_error(CMD, "/proc/self/exe", "cannot tell where this nanoos is; is "
			          "/proc mounted?");
		return -1;
	}
	*slash = 0;
	snprintf(path, sizeof(path), "%s/../lib/nanoos/nanoos-binfmt", exe);
	if (!realpath(path, exe) || access(exe, X_OK) < 0) {
		if (say)
			cli_error(CMD, path, "the interpreter is missing (%s); build it with `make`, or "
			          "install the nanoos package again", strerror(errno));
		return -1;
	}
	if (strlen(exe) >= n)
		return -1;
	strcpy(out, exe);
	return 0;
}

static void put_hex(FILE *f, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "\\x%02x", b[i]);
}

/* ":nanoos:M::MAGIC:MASK:INTERPRETER:FLAGS" */
static void print_rule(FILE *f, const char *interp)
{
	fprintf(f, ":%s:M::", ENTRY_NAME);
	put_hex(f, rv32_magic, sizeof(rv32_magic));
	fputc(':', f);
	put_hex(f, rv32_mask, sizeof(rv32_mask));
	fprintf(f, ":%s:%s\n", interp, RULE_FLAGS);
}

/* ---------------------------------------------------------------- binfmt_misc */

static int binfmt_mounted(void)
{
	return access(BINFMT_DIR "/register", F_OK) == 0;
}

/* Mount binfmt_misc where the kernel expects it: 0, or -1 (said why). */
static int mount_binfmt(void)
{
	if (binfmt_mounted())
		return 0;
	if (mount("binfmt_misc", BINFMT_DIR, "binfmt_misc", 0, NULL) == 0 && binfmt_mounted()) {
		fprintf(stderr, "nanoos binfmt: mounted binfmt_misc on %s\n", BINFMT_DIR);
		return 0;
	}
	cli_error(CMD, BINFMT_DIR, "binfmt_misc is not mounted and mounting it failed (%s); "
	          "load it (modprobe binfmt_misc) and mount it: %s", strerror(errno), MOUNT_HINT);
	return -1;
}

/* Write text to a binfmt_misc file: 0, or -errno. */
static int write_binfmt(const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", BINFMT_DIR, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		rc = -errno;
	close(fd);
	return rc;
}

/* src into dst[n], cut to fit. */
static void copy_field(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = 0;
}

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* Read entry NAME: 0, or -1 when there is none (or it is unreadable). */
static int read_entry(const char *name, struct entry *e)
{
	char path[PATH_MAX], line[PATH_MAX + 32];
	FILE *f;

	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s", BINFMT_DIR, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (strcmp(line, "enabled") == 0)
			e->enabled = 1;
		else if (strncmp(line, "interpreter ", 12) == 0)
			copy_field(e->interp, sizeof(e->interp), line + 12);
		else if (strncmp(line, "flags: ", 7) == 0)
			copy_field(e->flags, sizeof(e->flags), line + 7);
		else if (strncmp(line, "offset ", 7) == 0)
			e->offset = (unsigned)strtoul(line + 7, NULL, 10);
		else if (strncmp(line, "magic ", 6) == 0)
			e->len = unhex(line + 6, e->magic, sizeof(e->magic));
		else if (strncmp(line, "mask ", 5) == 0)
			unhex(line + 5, e->mask, sizeof(e->mask));
		else if (strncmp(line, "extension .", 11) == 0) {
			e->is_extension = 1;
			copy_field(e->extension, sizeof(e->extension), line + 11);
		}
	}
	fclose(f);
	return 0;
}

/* Does entry e claim a file with this header and name? As the kernel
 * decides: the masked bytes at e's offset equal its magic (no mask line:
 * every bit counts), or the name ends in e's extension. */
static int entry_matches(const struct entry *e, const uint8_t hdr[HDR_SIZE], const char *file)
{
	int has_mask = 0;
	size_t i;

	if (e->is_extension) {
		const char *dot = file ? strrchr(file, '.') : NULL;

		return dot && strcmp(dot + 1, e->extension) == 0;
	}
	if (e->len == 0 || e->offset + e->len > HDR_SIZE)
		return 0;
	for (i = 0; i < e->len; i++)
		has_mask |= e->mask[i];
	for (i = 0; i < e->len; i++) {
		uint8_t m = has_mask ? e->mask[i] : 0xff;

		if ((hdr[e->offset + i] ^ e->magic[i]) & m)
			return 0;
	}
	return 1;
}

/* The entries that claim hdr/file, in the order the kernel tries them
 * (the directory's order: newest first). Their count, or -1 (said why). */
static int claiming_entries(const uint8_t hdr[HDR_SIZE], const char *file,
                            struct entry *out, int max)
{
	DIR *d = opendir(BINFMT_DIR);
	struct dirent *de;
	int n = 0;

	if (!d) {
		cli_error(CMD, BINFMT_DIR, "cannot list it: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "register") == 0 ||
		    strcmp(de->d_name, "status") == 0)
			continue;
		if (read_entry(de->d_name, &out[n]) == 0 && entry_matches(&out[n], hdr, file))
			n++;
	}
	closedir(d);
	return n;
}

/* binfmt_misc as a whole on (its status file says "enabled")? */
static int binfmt_enabled(void)
{
	char buf[16] = "";
	FILE *f = fopen(BINFMT_DIR "/status", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strncmp(buf, "enabled", 7) == 0;
}

/* The first enabled entry of list (the winner), or NULL. */
static const struct entry *winner(const struct entry *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i].enabled)
			return &list[i];
	return NULL;
}

/* ---------------------------------------------------------------- the verbs */

static int need_root(const char *verb)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, "nanoos binfmt: %s: needs root (binfmt_misc is the whole system's); "
	        "run `sudo nanoos binfmt %s`\n", verb, verb);
	return -1;
}

/* After install: say who else claims RV32 executables and how to choose. */
static void warn_competitors(void)
{
	uint8_t hdr[HDR_SIZE] = { 0 };
	struct entry list[16];
	int i, n;

	memcpy(hdr, rv32_probe, sizeof(rv32_probe));
	n = claiming_entries(hdr, NULL, list, 16);
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].name, ENTRY_NAME) == 0 || !list[i].enabled)
			continue;
		fprintf(stderr,
		        "nanoos binfmt: note: %s (%s) claims RV32 executables too. NanoOs wins now\n"
		        "  (the kernel takes the entry registered last), but whichever is registered\n"
		        "  last wins after a reboot (systemd-binfmt registers binfmt.d files in name\n"
		        "  order: qemu-riscv32.conf after nanoos.conf). To keep NanoOs, disable it:\n"
		        "  now: echo 0 > %s/%s\n"
		        "  for good: ln -s /dev/null /etc/binfmt.d/%s.conf\n"
		        "  (and with binfmt-support: update-binfmts --unimport %s)\n",
		        list[i].name, list[i].interp, BINFMT_DIR, list[i].name, list[i].name,
		        list[i].name);
	}
}

static int do_install(void)
{
	char interp[PATH_MAX], *rule = NULL;
	size_t rule_len = 0;
	FILE *f;
	int rc;

	if (need_root("install") < 0 || interpreter_beside_us(interp, sizeof(interp), 1) < 0 ||
	    mount_binfmt() < 0)
		return 1;
	f = open_memstream(&rule, &rule_len);
	if (!f) {
		cli_error(CMD, NULL, "out of memory; close something and try again");
		return 1;
	}
	print_rule(f, interp);
	fclose(f);
	/* Registered again, it becomes the newest entry: the one that wins. */
	rc = access(BINFMT_DIR "/" ENTRY_NAME, F_OK) == 0 ? write_binfmt(ENTRY_NAME, "-1") : 0;
	if (rc < 0) {
		cli_error(CMD, BINFMT_DIR "/" ENTRY_NAME, "cannot replace the entry: %s",
		          strerror(-rc));
		free(rule);
		return 1;
	}
	rc = write_binfmt("register", rule);
	free(rule);
	if (rc < 0) {
		cli_error(CMD, BINFMT_DIR "/register", "the kernel refused the entry: %s; see "
		          "`nanoos binfmt rule`", strerror(-rc));
		return 1;
	}
	fprintf(stderr, "nanoos binfmt: registered %s: RV32 executables run with %s "
	        "(nanoos run)\n", ENTRY_NAME, interp);
	warn_competitors();
	return 0;
}

static int do_remove(void)
{
	int rc;

	if (need_root("remove") < 0)
		return 1;
	if (access(BINFMT_DIR "/" ENTRY_NAME, F_OK) < 0) {
		fprintf(stderr, "nanoos binfmt: %s is not registered; nothing to remove\n",
		        ENTRY_NAME);
		return 0;
	}
	rc = write_binfmt(ENTRY_NAME, "-1");
	if (rc < 0) {
		cli_error(CMD, BINFMT_DIR "/" ENTRY_NAME, "cannot remove it: %s", strerror(-rc));
		return 1;
	}
	fprintf(stderr, "nanoos binfmt: removed %s\n", ENTRY_NAME);
	if (access("/usr/lib/binfmt.d/nanoos.conf", F_OK) == 0 ||
	    access("/etc/binfmt.d/nanoos.conf", F_OK) == 0)
		fprintf(stderr, "nanoos binfmt: note: systemd-binfmt registers it again at boot "
		        "from binfmt.d/nanoos.conf; to stop that: "
		        "ln -s /dev/null /etc/binfmt.d/nanoos.conf\n");
	return 0;
}

/* The probe: the first bytes of file, or a static RV32 header. 0 or -1. */
static int read_probe(const char *file, uint8_t hdr[HDR_SIZE])
{
	int fd;

	memset(hdr, 0, HDR_SIZE);
	if (!file) {
		memcpy(hdr, rv32_probe, sizeof(rv32_probe));
		return 0;
	}
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, hdr, HDR_SIZE) < 0) {
		cli_error(CMD, file, "cannot read it: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void show_own_entry(void)
{
	struct entry e;
	char interp[PATH_MAX];
	int i, same = 1;

	if (read_entry(ENTRY_NAME, &e) < 0) {
		printf("%s: not registered (`nanoos binfmt install` registers it)\n", ENTRY_NAME);
		return;
	}
	printf("%s: registered, %s\n  interpreter %s\n  flags %s\n", ENTRY_NAME,
	       e.enabled ? "enabled" : "disabled (echo 1 > " BINFMT_DIR "/" ENTRY_NAME ")",
	       e.interp, e.flags[0] ? e.flags : "(none)");
	if (access(e.interp, X_OK) < 0)
		printf("  its interpreter is missing: `nanoos binfmt install` registers it again\n");
	same = e.len == sizeof(rv32_magic) && e.offset == 0 && strcmp(e.flags, RULE_FLAGS) == 0;
	for (i = 0; same && i < (int)e.len; i++)
		same = e.magic[i] == (rv32_magic[i] & rv32_mask[i]) && e.mask[i] == rv32_mask[i];
	if (!same)
		printf("  its rule is not this nanoos's (see `nanoos binfmt rule`): "
		       "`nanoos binfmt install` registers it again\n");
	if (interpreter_beside_us(interp, sizeof(interp), 0) == 0 && strcmp(interp, e.interp) != 0)
		printf("  (this nanoos's interpreter is %s)\n", interp);
}

/* An ELF header of a 32-bit little-endian RISC-V file (what the rule's
 * magic looks at, but for the file type). */
static int is_rv32_header(const uint8_t *h)
{
	return memcmp(h, "\x7f" "ELF\x01\x01", 6) == 0 && (h[18] | h[19] << 8) == 0xf3;
}

static int do_status(const char *file)
{
	uint8_t hdr[HDR_SIZE];
	struct entry list[16];
	const struct entry *w;
	int i, n;

	if (read_probe(file, hdr) < 0)
		return 1;
	if (!binfmt_mounted()) {
		printf("binfmt_misc: not mounted on %s: no entry is registered\n"
		       "  (`nanoos binfmt install` mounts it, or as root: %s)\n"
		       "RV32 executables run with: none\n", BINFMT_DIR, MOUNT_HINT);
		return 0;
	}
	printf("binfmt_misc: %s, %s\n", BINFMT_DIR,
	       binfmt_enabled() ? "enabled" : "disabled (echo 1 > " BINFMT_DIR "/status)");
	show_own_entry();
	n = claiming_entries(hdr, file, list, 16);
	if (n < 0)
		return 1;
	printf("entries that claim %s, in the order the kernel tries them:\n",
	       file ? file : "RV32 executables");
	for (i = 0; i < n; i++)
		printf("  %-16s %-8s %s\n", list[i].name, list[i].enabled ? "enabled" : "disabled",
		       list[i].interp);
	if (n == 0)
		printf("  (none)\n");
	w = binfmt_enabled() ? winner(list, n) : NULL;
	if (!w && file && !is_rv32_header(hdr)) {
		printf("%s run with: no binfmt_misc entry (not an RV32 executable: the kernel "
		       "runs it as usual, or refuses it)\n", file);
		return 0;
	}
	printf("%s run with: %s\n", file ? file : "RV32 executables",
	       w ? w->name : "none (exec fails: \"Exec format error\")");
	if (w && n > 1)
		printf("  (the kernel takes the newest enabled entry; choose by disabling the "
		       "others:\n  echo 0 > %s/NAME)\n", BINFMT_DIR);
	return 0;
}

static int do_rule(int argc, char **argv)
{
	char interp[PATH_MAX];

	if (argc == 3 && strcmp(argv[1], "--interpreter") == 0 && argv[2][0] == '/') {
		print_rule(stdout, argv[2]);
		return 0;
	}
	if (argc != 1) {
		cli_error(CMD, NULL, "rule takes only --interpreter /ABSOLUTE/PATH; "
		          "see `nanoos binfmt --help`");
		return 2;
	}
	if (interpreter_beside_us(interp, sizeof(interp), 1) < 0)
		return 1;
	print_rule(stdout, interp);
	return 0;
}

int binfmt_main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";

	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(verb, "install") == 0 && argc == 2)
		return do_install();
	if (strcmp(verb, "remove") == 0 && argc == 2)
		return do_remove();
	if (strcmp(verb, "status") == 0 && argc <= 3)
		return do_status(argc == 3 ? argv[2] : NULL);
	if (strcmp(verb, "rule") == 0)
		return do_rule(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
