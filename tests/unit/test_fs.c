/*
 * test_fs.c: the fs kernel process over sdcard over a RAM card formatted by
 * sdimage_format: the client calls, the permission policy, who may ask,
 * handle ownership, a failed mount, and fsck.fat's verdict on what fs left.
 * Runs on both msg backends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kproc/fs.h"
#include "kproc/kproc.h"
#include "sdimage/fat_format.h"
#include "testutil.h"

#define CARD_BYTES (8u << 20)
#define PART_OFFSET (1u << 20)

static uint8_t card[CARD_BYTES];
static struct sd_ram ram;
static struct sd_backend ram_be;
static struct fs_config cfg;
static msg_pid_t sd, fs;

static const struct fs_cred root = { 0, "root" };
static const struct fs_cred alice = { 1000, "alice" };

static uint32_t fixed_clock(void *ctx)
{
	(void)ctx;
	return 1700000000u;     /* 2023-11-14 22:13:20 UTC */
}

static void format_card(void)
{
	struct fat_format_opts opts;
	char err[160];

	memset(card, 0xa5, sizeof(card));      /* garbage, as on a real card */
	ck_assert_int_eq(sd_ram_init(&ram, card, sizeof(card), 0, &ram_be), 0);
	memset(&opts, 0, sizeof(opts));
	opts.label = "NANOOS";
	opts.volume_id = 0x1234abcd;
	ck_assert_msg(sdimage_format(&ram_be, 0, &opts, NULL, err, sizeof(err)) == 0, "%s", err);
}

static void boot(void)
{
	ck_assert_int_eq(sdcard_start(&ram_be, &sd), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.sdcard = sd;
	cfg.now = fixed_clock;
	ck_assert_msg(fs_start(&cfg, &fs) == 0, "fs_start: %s", cfg.err);
}

static void halt(void)
{
	ck_assert_int_eq(kproc_stop(fs, MSG_FOREVER), 0);
	ck_assert_int_eq(kproc_stop(sd, MSG_FOREVER), 0);
	fs = sd = MSG_PID_NONE;
}

static void setup(void)
{
	ck_assert_int_eq(msg_init_runtime("main"), 0);
	format_card();
	boot();
}

static void teardown(void)
{
	if (fs != MSG_PID_NONE)
		halt();
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

/* The partition, written out, judged by fsck.fat -n (0: nothing found). */
static int fsck_verdict(void)
{
	char dir[] = "/tmp/nanoos-fs-XXXXXX", cmd[256], path[64];
	FILE *f;
	int r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/part.img", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(card + PART_OFFSET, 1, CARD_BYTES - PART_OFFSET, f),
	                  CARD_BYTES - PART_OFFSET);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "fsck.fat -n %s >%s/fsck.out 2>&1; r=$?; "
	         "[ $r -eq 0 ] || cat %s/fsck.out; rm -rf %s; exit $r", path, dir, dir, dir);
	r = system(cmd);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static int create(const struct fs_cred *c, const char *path, const char *text)
{
	int h = fs_open(fs, c, path, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);

	if (h < 0)
		return h;
	ck_assert_int_eq(fs_pwrite(fs, h, text, (uint32_t)strlen(text), FS_AT_POSITION),
	                 (int)strlen(text));
	ck_assert_int_eq(fs_close(fs, h), 0);
	return 0;
}

/* ---------------------------------------------------------------- files */

START_TEST(test_write_read_stat_through_messages)
{
	char buf[64];
	struct fs_stat st;
	struct fs_statfs sf;
	int h;

	ck_assert_int_eq(fs_mkdir(fs, &root, "/etc"), 0);
	ck_assert_int_eq(create(&root, "/etc/motd", "Welcome to NanoOs\n"), 0);
	h = fs_open(fs, &alice, "/etc/motd", FS_O_RDONLY);
	ck_assert_int_ge(h, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(fs_pread(fs, h, buf, sizeof(buf), 0), 18);
	ck_assert_str_eq(buf, "Welcome to NanoOs\n");
	ck_assert_int_eq(fs_pread(fs, h, buf, 7, 11), 7);            /* pread */
	ck_assert_int_eq(memcmp(buf, "NanoOs\n", 7), 0);
	ck_assert_int_eq(fs_fstat(fs, h, &st), 0);
	ck_assert_uint_eq(st.size, 18);
	ck_assert_uint_eq(st.mtime, 1700000000u);
	ck_assert_int_eq(fs_close(fs, h), 0);
	ck_assert_int_eq(fs_close(fs, h), -NOS_EBADF);                /* closed */
	ck_assert_int_eq(fs_stat(fs, &alice, "/ETC/MOTD", &st), 0);  /* case-blind */
	ck_assert_uint_eq(st.size, 18);
	ck_assert_int_eq(fs_stat(fs, &alice, "/etc/nothing", &st), -NOS_ENOENT);
	ck_assert_int_eq(fs_statfs(fs, &sf), 0);
	ck_assert_uint_eq(sf.fat_type, 12);
	ck_assert_str_eq(sf.label, "NANOOS");
	ck_assert_uint_lt(sf.free_clusters, sf.total_clusters);
	halt();
	ck_assert_int_eq(fsck_verdict(), 0);
}
END_TEST

START_TEST(test_readdir_rename_unlink)
{
	struct fs_dirent ent;
	int h, n = 0, seen_b = 0;

	ck_assert_int_eq(fs_mkdir(fs, &root, "/tmp"), 0);
	ck_assert_int_eq(create(&alice, "/tmp/a.txt", "a"), 0);
	ck_assert_int_eq(create(&alice, "/tmp/Long Name, Mixed Case.txt", "b"), 0);
	ck_assert_int_eq(fs_rename(fs, &alice, "/tmp/a.txt", "/tmp/b.txt", 0), 0);
	ck_assert_int_eq(fs_rename(fs, &alice, "/tmp/b.txt", "/tmp/Long Name, Mixed Case.txt",
	                           FS_RENAME_NOREPLACE), -NOS_EEXIST);
	h = fs_open(fs, &alice, "/tmp", FS_O_RDONLY | FS_O_DIRECTORY);
	ck_assert_int_ge(h, 0);
	while (fs_readdir(fs, h, &ent) == 1) {
		if (strcmp(ent.name, ".") == 0 || strcmp(ent.name, "..") == 0)
			continue;
		n++;
		seen_b += strcmp(ent.name, "b.txt") == 0;
	}
	ck_assert_int_eq(fs_close(fs, h), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(seen_b, 1);
	ck_assert_int_eq(fs_unlink(fs, &alice, "/tmp/b.txt"), 0);
	ck_assert_int_eq(fs_rmdir(fs, &root, "/tmp"), -NOS_ENOTEMPTY);
	ck_assert_int_eq(fs_unlink(fs, &alice, "/tmp/long name, mixed case.TXT"), 0);
	ck_assert_int_eq(fs_rmdir(fs, &root, "/tmp"), 0);
	halt();
	ck_assert_int_eq(fsck_verdict(), 0);
}
END_TEST

/* ---------------------------------------------------------------- policy */

START_TEST(test_policy_enforced)
{
	struct fs_stat st;
	int h;

	ck_assert_int_eq(fs_mkdir(fs, &root, "/etc"), 0);
	ck_assert_int_eq(fs_mkdir(fs, &root, "/home"), 0);
	ck_assert_int_eq(fs_mkdir(fs, &root, "/home/alice"), 0);
	ck_assert_int_eq(fs_mkdir(fs, &root, "/home/bob"), 0);
	ck_assert_int_eq(create(&root, "/etc/shadow", "root:x:\n"), 0);
	/* shadow: root only, even to read; but its metadata is visible */
	ck_assert_int_eq(fs_open(fs, &alice, "/etc/shadow", FS_O_RDONLY), -NOS_EACCES);
	ck_assert_int_eq(fs_open(fs, &alice, "/ETC/../etc/Shadow", FS_O_RDONLY), -NOS_EACCES);
	ck_assert_int_eq(fs_stat(fs, &alice, "/etc/shadow", &st), 0);
	/* system directories: no writes by users */
	ck_assert_int_eq(create(&alice, "/etc/evil", "x"), -NOS_EACCES);
	ck_assert_int_eq(fs_unlink(fs, &alice, "/etc/shadow"), -NOS_EACCES);
	ck_assert_int_eq(fs_mkdir(fs, &alice, "/etc/dir"), -NOS_EACCES);
	ck_assert_int_eq(fs_rename(fs, &alice, "/etc/shadow", "/home/alice/s", 0), -NOS_EACCES);
	/* her home is hers, bob's is not */
	ck_assert_int_eq(create(&alice, "/home/alice/notes", "mine"), 0);
	ck_assert_int_eq(create(&alice, "/home/bob/notes", "his?"), -NOS_EACCES);
	ck_assert_int_eq(fs_rename(fs, &alice, "/home/alice/notes", "/home/bob/notes", 0),
	                 -NOS_EACCES);
	h = fs_open(fs, &alice, "/home/alice/notes", FS_O_RDWR);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(fs_close(fs, h), 0);
	/* creating at the root is root's */
	ck_assert_int_eq(fs_mkdir(fs, &alice, "/mine"), -NOS_EACCES);
	ck_assert_int_eq(fs_mkdir(fs, &root, "/mine"), 0);
	/* nothing was changed by the refused requests */
	ck_assert_int_eq(fs_stat(fs, &root, "/etc/evil", &st), -NOS_ENOENT);
	ck_assert_int_eq(fs_stat(fs, &root, "/home/bob/notes", &st), -NOS_ENOENT);
}
END_TEST

/* ---------------------------------------------------------------- who may ask */

struct asker {
	int open;
	int handle_use;
	int stat;
	int handle;                     /* someone else's, to try */
};

static void asker_main(void *arg)
{
	struct asker *a = arg;
	struct fs_stat st;
	char c;

	a->open = fs_open(fs, &root, "/x", FS_O_RDONLY);
	a->stat = fs_stat(fs, &root, "/x", &st);
	a->handle_use = fs_pread(fs, a->handle, &c, 1, 0);
	if (a->open >= 0)
		fs_close(fs, a->open);
}

START_TEST(test_only_kernel_processes_and_own_handles)
{
	struct asker a;
	msg_pid_t pid;
	int h;

	ck_assert_int_eq(create(&root, "/x", "data"), 0);
	h = fs_open(fs, &root, "/x", FS_O_RDONLY);
	ck_assert_int_ge(h, 0);
	/* A process that is neither fs's parent nor sched: refused outright. */
	a.handle = h;
	ck_assert_int_eq(kproc_start("guestish", 0, asker_main, &a, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(a.open, -NOS_EPERM);
	ck_assert_int_eq(a.stat, -NOS_EPERM);
	ck_assert_int_eq(a.handle_use, -NOS_EPERM);
	/* sched is trusted, but my handle is still mine. */
	ck_assert_int_eq(kproc_start("sched", 0, asker_main, &a, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_ge(a.open, 0);
	ck_assert_int_eq(a.stat, 0);
	ck_assert_int_eq(a.handle_use, -NOS_EBADF);
	ck_assert_int_eq(fs_close(fs, h), 0);
}
END_TEST

/* sched opens files and dies without closing them: when the table fills,
 * fs closes what the dead left open. */
static void leaker_main(void *arg)
{
	int *opened = arg;

	while (fs_open(fs, &root, "/x", FS_O_RDONLY) >= 0)
		(*opened)++;
}

START_TEST(test_handles_of_the_dead_are_reclaimed)
{
	msg_pid_t pid;
	int opened = 0, h;

	ck_assert_int_eq(create(&root, "/x", "data"), 0);
	ck_assert_int_eq(kproc_start("sched", 0, leaker_main, &opened, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_gt(opened, 1);
	h = fs_open(fs, &root, "/x", FS_O_RDONLY);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(fs_close(fs, h), 0);
}
END_TEST

/* ---------------------------------------------------------------- mounting */

START_TEST(test_unformatted_card_says_why)
{
	msg_pid_t pid;

	halt();
	memset(card, 0, sizeof(card));         /* no MBR, no boot sector */
	ck_assert_int_eq(sdcard_start(&ram_be, &sd), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.sdcard = sd;
	cfg.now = fixed_clock;
	ck_assert_int_lt(fs_start(&cfg, &pid), 0);
	ck_assert_msg(cfg.err[0] != 0, "no explanation given");
	ck_assert_int_eq(msg_alive(pid), 0);
	ck_assert_int_eq(kproc_stop(sd, MSG_FOREVER), 0);
	sd = MSG_PID_NONE;
	/* fs was never started, so teardown must not stop it. */
	fs = MSG_PID_NONE;
}
END_TEST

START_TEST(test_survives_restart)
{
	char buf[16] = { 0 };
	int h;

	ck_assert_int_eq(fs_mkdir(fs, &root, "/home"), 0);
	ck_assert_int_eq(create(&root, "/home/kept", "still here"), 0);
	halt();
	boot();
	h = fs_open(fs, &root, "/home/kept", FS_O_RDONLY);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(fs_pread(fs, h, buf, sizeof(buf), 0), 10);
	ck_assert_str_eq(buf, "still here");
	ck_assert_int_eq(fs_close(fs, h), 0);
}
END_TEST

/* ---------------------------------------------------------------- check and repair */

#define DIRTY_AT (PART_OFFSET + 37)         /* BS16_RESERVED1: bit 0 (FAT12/16) */

static void boot_with(void *(*alloc)(size_t), void (*release)(void *))
{
	ck_assert_int_eq(sdcard_start(&ram_be, &sd), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.sdcard = sd;
	cfg.now = fixed_clock;
	cfg.alloc = alloc;
	cfg.release = release;
	ck_assert_msg(fs_start(&cfg, &fs) == 0, "fs_start: %s", cfg.err);
}

START_TEST(test_check_clean_volume)
{
	struct fs_check_req rep;
	char text[512];

	ck_assert_int_eq(fs_mkdir(fs, &root, "/d"), 0);
	ck_assert_int_eq(create(&root, "/d/f", "data"), 0);
	ck_assert_int_eq(fs_sync(fs), 0);
	ck_assert_int_eq(fs_check(fs, 0, text, sizeof(text), malloc, free, &rep), 0);
	ck_assert_uint_eq(rep.files, 1);
	ck_assert_uint_ge(rep.dirs, 1);
	ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(test_dirty_volume_repaired_at_mount)
{
	char text[512];

	ck_assert_int_eq(create(&root, "/kept", "still here"), 0);
	halt();
	card[DIRTY_AT] |= 1;                    /* as a crash leaves it */
	boot_with(malloc, free);
	ck_assert_int_gt(cfg.repaired, 0);
	ck_assert_int_eq(fs_check(fs, 0, text, sizeof(text), malloc, free, NULL), 0);
	halt();
	ck_assert_int_eq(card[DIRTY_AT] & 1, 0);
	ck_assert_int_eq(fsck_verdict(), 0);
}
END_TEST

START_TEST(test_check_only_changes_nothing_then_repair)
{
	static uint8_t before[CARD_BYTES];
	struct fs_check_req rep;
	char text[512];

	halt();
	card[DIRTY_AT] |= 1;
	boot_with(NULL, NULL);                  /* no memory lent: no repair at mount */
	ck_assert_int_eq(cfg.repaired, 0);
	memcpy(before, card, sizeof(card));
	ck_assert_int_gt(fs_check(fs, 0, text, sizeof(text), malloc, free, &rep), 0);
	ck_assert_msg(strlen(text) > 0, "no line says what was found");
	ck_assert_int_eq(memcmp(before, card, sizeof(card)), 0);
	ck_assert_int_gt(fs_check(fs, FS_CHECK_REPAIR, text, sizeof(text), malloc, free, &rep), 0);
	ck_assert_int_eq(fs_check(fs, FS_CHECK_REPAIR, text, sizeof(text), malloc, free, &rep), 0);
	halt();
	ck_assert_int_eq(card[DIRTY_AT] & 1, 0);
	ck_assert_int_eq(fsck_verdict(), 0);
}
END_TEST

static void checker_main(void *arg)
{
	*(int *)arg = fs_check(fs, FS_CHECK_REPAIR, NULL, 0, malloc, free, NULL);
}

START_TEST(test_only_the_parent_checks)
{
	msg_pid_t pid;
	int r = 0;

	ck_assert_int_eq(kproc_start("sched", 0, checker_main, &r, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(r, -NOS_EPERM);
}
END_TEST

static Suite *fs_suite(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("fs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_write_read_stat_through_messages);
	tcase_add_test(tc, test_readdir_rename_unlink);
	tcase_add_test(tc, test_policy_enforced);
	tcase_add_test(tc, test_only_kernel_processes_and_own_handles);
	tcase_add_test(tc, test_handles_of_the_dead_are_reclaimed);
	tcase_add_test(tc, test_unformatted_card_says_why);
	tcase_add_test(tc, test_survives_restart);
	tcase_add_test(tc, test_check_clean_volume);
	tcase_add_test(tc, test_dirty_volume_repaired_at_mount);
	tcase_add_test(tc, test_check_only_changes_nothing_then_repair);
	tcase_add_test(tc, test_only_the_parent_checks);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(fs_suite)
