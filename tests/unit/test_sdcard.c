/*
 * test_sdcard.c: the sdcard kernel process and its backends -- RAM disk,
 * fault injection (I/O errors, power cuts), image file and block device
 * (sdimage/sd_file.c) with its lock and holder record -- on both msg
 * backends.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kproc/kproc.h"
#include "kproc/sdcard.h"
#include "sdimage/sd_file.h"
#include "testutil.h"

#define BS SDCARD_BLOCK_SIZE
#define RAM_BLOCKS 64

static uint8_t disk[RAM_BLOCKS * BS];
static struct sd_ram ram;
static struct sd_backend ram_be;
static msg_pid_t sd;

/* A byte of block `block` as written by writer `tag`: every block differs. */
static uint8_t pattern(uint32_t tag, uint32_t block, size_t i)
{
	return (uint8_t)(tag * 31u + block * 7u + i);
}

static void fill(uint8_t *buf, uint32_t tag, uint32_t block, uint32_t count)
{
	size_t i;

	for (i = 0; i < (size_t)count * BS; i++)
		buf[i] = pattern(tag, block + (uint32_t)(i / BS), i % BS);
}

static int holds(const uint8_t *buf, uint32_t tag, uint32_t block, uint32_t count)
{
	size_t i;

	for (i = 0; i < (size_t)count * BS; i++)
		if (buf[i] != pattern(tag, block + (uint32_t)(i / BS), i % BS))
			return 0;
	return 1;
}

static void setup(void)
{
	ck_assert_int_eq(msg_init_runtime("main"), 0);
	fill(disk, 0, 0, RAM_BLOCKS);           /* tag 0: the "old" contents */
	ck_assert_int_eq(sd_ram_init(&ram, disk, sizeof(disk), 0, &ram_be), 0);
	sd = MSG_PID_NONE;
}

static void teardown(void)
{
	if (sd != MSG_PID_NONE)
		ck_assert_int_eq(kproc_stop(sd, MSG_FOREVER), 0);
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

static void start(const struct sd_backend *be)
{
	ck_assert_int_eq(sdcard_start(be, &sd), 0);
}

/* Stop sdcard: it no longer touches the backend, so the test may. */
static void stop(void)
{
	ck_assert_int_eq(kproc_stop(sd, MSG_FOREVER), 0);
	sd = MSG_PID_NONE;
}

static int32_t call_io(uint16_t type, uint32_t block, uint32_t count, void *buf,
                       uint32_t len)
{
	struct sdcard_io io = { block, count, buf, len };
	msg_t m;

	msg_init(&m, type, &io, sizeof(io));
	return msg_call(sd, &m, MSG_FOREVER);
}

/* ---------------------------------------------------------------- RAM disk */

/* Writes of 1..4 blocks all over the disk, each read back at once. */
static void round_trips(uint32_t blocks, long n)
{
	static uint8_t out[4 * BS], in[4 * BS];
	uint32_t block, count;
	long i;

	for (i = 1; i <= n; i++) {
		count = 1 + (uint32_t)i % 4;
		block = (uint32_t)(i * 13) % (blocks - count + 1);
		fill(out, (uint32_t)i, block, count);
		require(sdcard_write(sd, block, count, out) == 0);
		memset(in, 0, sizeof(in));
		require(sdcard_read(sd, block, count, in) == 0);
		require(holds(in, (uint32_t)i, block, count));
	}
	ck_assert_int_eq(sdcard_flush(sd), 0);
}

START_TEST(test_ram_round_trip)
{
	static uint8_t all[RAM_BLOCKS * BS];
	uint8_t one[BS];

	start(&ram_be);
	round_trips(RAM_BLOCKS, 200 * test_scale());
	/* The disk holds what was written (zero copy, no cache in between). */
	fill(one, 5, 40, 1);
	ck_assert_int_eq(sdcard_write(sd, 40, 1, one), 0);
	ck_assert_mem_eq(disk + 40 * BS, one, BS);
	/* A whole-disk read in one message. */
	ck_assert_int_eq(sdcard_read(sd, 0, RAM_BLOCKS, all), 0);
	ck_assert_mem_eq(all, disk, sizeof(disk));
}
END_TEST

START_TEST(test_info)
{
	struct sdcard_info info;

	start(&ram_be);
	memset(&info, 0xff, sizeof(info));
	ck_assert_int_eq(sdcard_info(sd, &info), 0);
	ck_assert_uint_eq(info.blocks, RAM_BLOCKS);
	ck_assert_uint_eq(info.block_size, 512);
	ck_assert_uint_eq(info.read_only, 0);
	ck_assert_str_eq(info.model, "NanoOs RAM disk");
}
END_TEST

START_TEST(test_range_and_length)
{
	static uint8_t before[RAM_BLOCKS * BS];
	uint8_t buf[2 * BS] = { 0 };
	msg_t m;

	memcpy(before, disk, sizeof(disk));
	start(&ram_be);
	ck_assert_int_eq(sdcard_read(sd, RAM_BLOCKS, 1, buf), -NOS_ENXIO);
	ck_assert_int_eq(sdcard_write(sd, RAM_BLOCKS - 1, 2, buf), -NOS_ENXIO);
	ck_assert_int_eq(sdcard_write(sd, UINT32_MAX, 2, buf), -NOS_ENXIO);
	/* block + count would wrap to 0 here: still past the end. */
	ck_assert_int_eq(sd_check_range(UINT32_MAX, UINT32_MAX - 1, 2), -NOS_ENXIO);
	ck_assert_int_eq(sd_check_range(UINT32_MAX, UINT32_MAX - 2, 2), 0);
	ck_assert_int_eq(sdcard_read(sd, 0, 0, buf), -NOS_EINVAL);
	ck_assert_int_eq(call_io(SDCARD_MSG_WRITE, 0, 2, buf, BS), -NOS_EINVAL);
	ck_assert_int_eq(call_io(SDCARD_MSG_READ, 0, 1, buf, 2 * BS), -NOS_EINVAL);
	/* count * 512 wraps to 512: refused, not taken for one block. */
	ck_assert_int_eq(call_io(SDCARD_MSG_WRITE, 0, 0x00800001u, buf, BS), -NOS_EINVAL);
	ck_assert_int_eq(call_io(SDCARD_MSG_READ, 0, 1, NULL, BS), -NOS_EINVAL);
	msg_init(&m, SDCARD_MSG_READ, buf, 3);
	ck_assert_int_eq(msg_call(sd, &m, MSG_FOREVER), -NOS_EBADMSG);
	ck_assert_mem_eq(disk, before, sizeof(disk));    /* nothing written */
	ck_assert_int_eq(sdcard_read(sd, RAM_BLOCKS - 2, 2, buf), 0);  /* the last */
	ck_assert(holds(buf, 0, RAM_BLOCKS - 2, 2));
}
END_TEST

START_TEST(test_read_only)
{
	struct sd_backend ro;
	struct sdcard_info info;
	uint8_t buf[BS];

	ck_assert_int_eq(sd_ram_init(&ram, disk, sizeof(disk), 1, &ro), 0);
	start(&ro);
	fill(buf, 9, 3, 1);
	ck_assert_int_eq(sdcard_write(sd, 3, 1, buf), -NOS_EROFS);
	ck_assert_int_eq(sdcard_read(sd, 3, 1, buf), 0);
	ck_assert(holds(buf, 0, 3, 1));
	ck_assert_int_eq(sdcard_flush(sd), 0);
	ck_assert_int_eq(sdcard_info(sd, &info), 0);
	ck_assert_uint_eq(info.read_only, 1);
}
END_TEST

START_TEST(test_bad_backend)
{
	struct sd_backend be = ram_be;
	msg_pid_t pid;

	be.flush = NULL;
	ck_assert_int_eq(sdcard_start(&be, &pid), -NOS_EINVAL);
	be = ram_be;
	be.blocks = 0;
	ck_assert_int_eq(sdcard_start(&be, &pid), -NOS_EINVAL);
	ck_assert_int_eq(sd_ram_init(&ram, disk, BS - 1, 0, &be), -NOS_EINVAL);
}
END_TEST

/* ---------------------------------------------------------------- senders */

struct client_result {
	int read, write, flush, info;
};

/* Each request once, from a process that is not sdcard's parent. */
static void client_main(void *arg)
{
	struct client_result *r = arg;
	struct sdcard_info info;
	uint8_t buf[BS];

	fill(buf, 3, 7, 1);
	r->write = sdcard_write(sd, 7, 1, buf);
	r->read = sdcard_read(sd, 7, 1, buf);
	r->flush = sdcard_flush(sd);
	r->info = sdcard_info(sd, &info);
}

static void run_client(const char *name, unsigned index, struct client_result *r)
{
	msg_pid_t pid;

	ck_assert_int_eq(kproc_start(name, index, client_main, r, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
}

START_TEST(test_only_fs_or_parent)
{
	struct client_result r;
	uint8_t buf[BS];

	start(&ram_be);
	run_client("shell", 0, &r);
	ck_assert_int_eq(r.write, -NOS_EPERM);
	ck_assert_int_eq(r.read, -NOS_EPERM);
	ck_assert_int_eq(r.flush, -NOS_EPERM);
	ck_assert_int_eq(r.info, -NOS_EPERM);
	ck_assert(holds(disk + 7 * BS, 0, 7, 1));        /* not written */
	run_client("fs", 1, &r);                          /* fs, but not index 0 */
	ck_assert_int_eq(r.write, -NOS_EPERM);
	run_client("fs", 0, &r);
	ck_assert_int_eq(r.write, 0);
	ck_assert_int_eq(r.read, 0);
	ck_assert_int_eq(r.flush, 0);
	ck_assert_int_eq(r.info, 0);
	ck_assert(holds(disk + 7 * BS, 3, 7, 1));
	ck_assert_int_eq(sdcard_read(sd, 7, 1, buf), 0);  /* the parent may */
}
END_TEST

/* A process named like fs mounts the card through sd_msg: the backend the
 * FAT engine sees is sdcard itself, reached by messages. */
struct via_msg {
	int init;
	int round_trip;
	uint32_t blocks;
};

static void via_msg_main(void *arg)
{
	struct via_msg *v = arg;
	struct sd_msg client;
	struct sd_backend be;
	uint8_t out[2 * BS], in[2 * BS];

	v->init = sd_msg_init(&client, sd, &be);
	if (v->init < 0)
		return;
	v->blocks = be.blocks;
	fill(out, 9, 20, 2);
	v->round_trip = be.write(be.ctx, 20, 2, out) || be.flush(be.ctx) ||
	                be.read(be.ctx, 20, 2, in) || memcmp(in, out, sizeof(in)) ? -1 : 0;
}

START_TEST(test_sd_msg_backend)
{
	struct via_msg v = { -1, -1, 0 };
	msg_pid_t pid;

	start(&ram_be);
	ck_assert_int_eq(kproc_start("fs", 0, via_msg_main, &v, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(v.init, 0);
	ck_assert_uint_eq(v.blocks, RAM_BLOCKS);
	ck_assert_int_eq(v.round_trip, 0);
	ck_assert(holds(disk + 20 * BS, 9, 20, 2));       /* on the medium */
	/* Anyone else is refused at once, before any I/O. */
	v.init = 0;
	ck_assert_int_eq(kproc_start("shell", 0, via_msg_main, &v, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(v.init, -NOS_EPERM);
}
END_TEST

/* ---------------------------------------------------------------- faults */

static struct sd_fault fault;
static struct sd_fault_slot journal[8];
static struct sd_backend fault_be;

static void start_fault(uint32_t fail_read, uint32_t fail_write, uint32_t cut,
                        uint32_t nslots)
{
	struct sd_fault_plan plan = { fail_read, fail_write, cut };

	ck_assert_int_eq(sd_fault_init(&fault, &ram_be, &plan, journal, nslots, &fault_be), 0);
	start(&fault_be);
}

START_TEST(test_fault_nth_read_and_write)
{
	struct kproc_ping ping = { 1 };
	uint8_t buf[BS];
	msg_t m;

	start_fault(2, 3, 0, 8);
	ck_assert_int_eq(sdcard_read(sd, 1, 1, buf), 0);
	ck_assert_int_eq(sdcard_read(sd, 1, 1, buf), -NOS_EIO);
	ck_assert_int_eq(sdcard_read(sd, 1, 1, buf), 0);
	ck_assert(holds(buf, 0, 1, 1));
	fill(buf, 4, 2, 1);
	ck_assert_int_eq(sdcard_write(sd, 2, 1, buf), 0);
	ck_assert_int_eq(sdcard_write(sd, 2, 1, buf), 0);
	fill(buf, 5, 2, 1);
	ck_assert_int_eq(sdcard_write(sd, 2, 1, buf), -NOS_EIO);   /* the 3rd */
	ck_assert_int_eq(sdcard_read(sd, 2, 1, buf), 0);
	ck_assert(holds(buf, 4, 2, 1));                 /* the failed one left nothing */
	ck_assert_int_eq(sdcard_write(sd, 2, 1, buf), 0);
	/* sdcard lives on after the errors. */
	msg_init(&m, KPROC_MSG_PING, &ping, sizeof(ping));
	ck_assert_int_eq(msg_call(sd, &m, MSG_FOREVER), 0);
	ck_assert_uint_eq(ping.value, 2);
	ck_assert_int_eq(sdcard_flush(sd), 0);
	ck_assert(holds(disk + 2 * BS, 4, 2, 1));
}
END_TEST

/* Write A, flush, write B, cut: A is new, B old, later writes dropped. */
START_TEST(test_power_cut)
{
	uint8_t buf[3 * BS];
	enum { A = 10, B = 20, C = 30 };

	start_fault(0, 0, 3, 8);
	fill(buf, 1, A, 2);
	ck_assert_int_eq(sdcard_write(sd, A, 2, buf), 0);          /* write 1 */
	ck_assert_int_eq(sdcard_flush(sd), 0);
	fill(buf, 1, B, 2);
	ck_assert_int_eq(sdcard_write(sd, B, 2, buf), 0);          /* write 2 */
	ck_assert(holds(disk + B * BS, 0, B, 2));       /* still in the journal */
	ck_assert_int_eq(sdcard_read(sd, B - 1, 3, buf), 0);       /* sees its writes */
	ck_assert(holds(buf, 0, B - 1, 1) && holds(buf + BS, 1, B, 2));
	fill(buf, 1, B + 1, 1);
	ck_assert_int_eq(sdcard_write(sd, B + 1, 1, buf), 0);      /* write 3: cut */
	ck_assert(fault.cut);
	fill(buf, 2, C, 1);
	ck_assert_int_eq(sdcard_write(sd, C, 1, buf), 0);          /* dropped */
	ck_assert_int_eq(sdcard_flush(sd), 0);
	ck_assert_int_eq(sdcard_read(sd, A, 2, buf), 0);
	ck_assert(holds(buf, 1, A, 2));
	ck_assert_int_eq(sdcard_read(sd, B, 2, buf), 0);
	ck_assert(holds(buf, 0, B, 2));
	ck_assert_int_eq(sdcard_read(sd, C, 1, buf), 0);
	ck_assert(holds(buf, 0, C, 1));
	stop();
	/* After "reboot" the medium itself holds only the flushed data. */
	ck_assert(holds(disk + A * BS, 1, A, 2));
	ck_assert(holds(disk + B * BS, 0, B, 2));
	ck_assert(holds(disk + C * BS, 0, C, 1));
}
END_TEST

/* A full journal is written back early: a cut loses only what it holds. */
START_TEST(test_power_cut_full_journal)
{
	uint8_t buf[BS];
	uint32_t b;

	start_fault(0, 0, 3, 2);
	for (b = 1; b <= 3; b++) {
		fill(buf, 6, b, 1);
		ck_assert_int_eq(sdcard_write(sd, b, 1, buf), 0);
	}
	stop();
	ck_assert(holds(disk + 1 * BS, 6, 1, 1));
	ck_assert(holds(disk + 2 * BS, 6, 2, 1));
	ck_assert(holds(disk + 3 * BS, 0, 3, 1));       /* the journal's last */
}
END_TEST

/* Write-through (no journal): a cut loses nothing already written. */
START_TEST(test_fault_write_through)
{
	uint8_t buf[BS];

	start_fault(0, 0, 1, 0);
	fill(buf, 8, 5, 1);
	ck_assert_int_eq(sdcard_write(sd, 5, 1, buf), 0);
	ck_assert_int_eq(sdcard_write(sd, 6, 1, buf), 0);          /* after the cut */
	stop();
	ck_assert(holds(disk + 5 * BS, 8, 5, 1));
	ck_assert(holds(disk + 6 * BS, 0, 6, 1));
}
END_TEST

/* ---------------------------------------------------------------- images */

static char dir[64], image[128], record[160];

static void make_image(size_t blocks)
{
	static uint8_t block[BS];
	size_t b;
	int fd;

	strcpy(dir, "/tmp/nanoos-sdcard-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(image, sizeof(image), "%s/sd.img", dir);
	snprintf(record, sizeof(record), "%s.lock", image);
	fd = open(image, O_RDWR | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	for (b = 0; b < blocks; b++) {
		fill(block, 0, (uint32_t)b, 1);
		require(pwrite(fd, block, BS, (off_t)(b * BS)) == BS);
	}
	close(fd);
}

static void remove_image(void)
{
	unlink(record);
	unlink(image);
	ck_assert_int_eq(rmdir(dir), 0);
}

static void read_file(const char *path, char *buf, size_t n)
{
	FILE *fp = fopen(path, "r");
	size_t len;

	ck_assert_ptr_nonnull(fp);
	len = fread(buf, 1, n - 1, fp);
	buf[len] = 0;
	fclose(fp);
}

START_TEST(test_image_round_trip)
{
	struct sdcard_info info;
	struct sd_file f;
	char err[256];
	uint8_t buf[BS];
	int fd;

	make_image(128);
	ck_assert_int_eq(sd_file_open(&f, image, 0, err, sizeof(err)), 0);
	start(&f.be);
	ck_assert_int_eq(sdcard_info(sd, &info), 0);
	ck_assert_uint_eq(info.blocks, 128);
	ck_assert_str_eq(info.model, "NanoOs image file");
	ck_assert_int_eq(sdcard_read(sd, 77, 1, buf), 0);
	ck_assert(holds(buf, 0, 77, 1));
	round_trips(128, 100 * test_scale());
	fill(buf, 11, 127, 1);
	ck_assert_int_eq(sdcard_write(sd, 127, 1, buf), 0);
	ck_assert_int_eq(sdcard_read(sd, 128, 1, buf), -NOS_ENXIO);
	ck_assert_int_eq(sdcard_flush(sd), 0);
	/* A failing disk: shrink the file under sdcard, so a read finds EOF. */
	ck_assert_int_eq(truncate(image, 64 * BS), 0);
	ck_assert_int_eq(sdcard_read(sd, 100, 1, buf), -NOS_EIO);
	ck_assert_int_eq(sdcard_read(sd, 10, 1, buf), 0);           /* still alive */
	fill(buf, 12, 127, 1);
	ck_assert_int_eq(sdcard_write(sd, 127, 1, buf), 0);         /* grows it back */
	ck_assert_int_eq(sdcard_flush(sd), 0);
	stop();
	ck_assert_int_eq(sd_file_close(&f), 0);
	ck_assert_int_ne(access(record, F_OK), 0);        /* record removed */
	fd = open(image, O_RDONLY);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(pread(fd, buf, BS, 127 * BS), BS);
	close(fd);
	ck_assert(holds(buf, 12, 127, 1));                /* it is in the file */
	remove_image();
}
END_TEST

/* A second opener, even in the same process (flock belongs to the open
 * file description), is refused with the holder's pid and command. */
START_TEST(test_image_lock_names_holder)
{
	struct sd_file a, b;
	char err[512], rec[300], pid[32];

	make_image(8);
	ck_assert_int_eq(sd_file_open(&a, image, 0, err, sizeof(err)), 0);
	snprintf(pid, sizeof(pid), "pid %ld: ", (long)getpid());
	read_file(record, rec, sizeof(rec));
	ck_assert_ptr_eq(strstr(rec, pid), rec);
	ck_assert_ptr_nonnull(strstr(rec, "test_sdcard"));     /* the command */
	ck_assert_int_eq(sd_file_open(&b, image, 0, err, sizeof(err)), -NOS_EBUSY);
	ck_assert_ptr_nonnull(strstr(err, image));
	ck_assert_ptr_nonnull(strstr(err, pid));
	ck_assert_ptr_nonnull(strstr(err, "test_sdcard"));
	ck_assert_ptr_nonnull(strstr(err, "nanoos"));
	/* Read-only openers are refused too: one instance per image. */
	ck_assert_int_eq(sd_file_open(&b, image, SD_FILE_READ_ONLY, err, sizeof(err)),
	                 -NOS_EBUSY);
	/* Without a record the refusal still stands, and says so. */
	unlink(record);
	ck_assert_int_eq(sd_file_open(&b, image, 0, err, sizeof(err)), -NOS_EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "no holder record"));
	ck_assert_int_eq(sd_file_close(&a), 0);
	ck_assert_int_eq(sd_file_open(&b, image, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(sd_file_close(&b), 0);
	remove_image();
}
END_TEST

/* The same from another Linux process: what a second daemon would see. */
START_TEST(test_image_lock_other_process)
{
	struct sd_file a, b;
	char err[512], pid[32];
	int fds[2], status;
	ssize_t n;
	pid_t child;

	make_image(8);
	ck_assert_int_eq(sd_file_open(&a, image, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(pipe(fds), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		close(a.fd);    /* a real second process shares no open file */
		n = sd_file_open(&b, image, 0, err, sizeof(err)) == -NOS_EBUSY ?
		    (ssize_t)strlen(err) : 0;
		_exit(write(fds[1], err, (size_t)n) == n ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], err, sizeof(err) - 1);
	err[n > 0 ? n : 0] = 0;
	close(fds[0]);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	snprintf(pid, sizeof(pid), "pid %ld: ", (long)getpid());
	ck_assert_msg(strstr(err, pid) != NULL, "child saw: %s", err);
	ck_assert_int_eq(sd_file_close(&a), 0);
	remove_image();
}
END_TEST

START_TEST(test_image_stale_record_replaced)
{
	struct sd_file f;
	char err[256], rec[300], pid[32];
	FILE *fp;

	make_image(8);
	fp = fopen(record, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("pid 999999999: nanoosd --image gone.img\n", fp);
	fclose(fp);
	ck_assert_int_eq(sd_file_open(&f, image, 0, err, sizeof(err)), 0);
	read_file(record, rec, sizeof(rec));
	snprintf(pid, sizeof(pid), "pid %ld: ", (long)getpid());
	ck_assert_ptr_eq(strstr(rec, pid), rec);
	ck_assert_ptr_null(strstr(rec, "gone.img"));
	ck_assert_int_eq(sd_file_close(&f), 0);
	remove_image();
}
END_TEST

START_TEST(test_image_refusals)
{
	struct sd_file f;
	char err[256];

	make_image(0);
	ck_assert_int_eq(sd_file_open(&f, image, 0, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "512-byte block"));
	ck_assert_int_ne(access(record, F_OK), 0);        /* no record left behind */
	ck_assert_int_eq(sd_file_open(&f, dir, 0, err, sizeof(err)), -NOS_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "neither an image file nor a block device"));
	unlink(image);
	ck_assert_int_eq(sd_file_open(&f, image, 0, err, sizeof(err)), -NOS_ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "nanoos sdimage create"));
	remove_image();
}
END_TEST

/* ---------------------------------------------------------------- devices */

/* Run a shell command; its first output line in out (if any). */
static int sh(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	int status;

	if (out)
		out[0] = 0;
	if (p == NULL)
		return -1;
	if (out && fgets(out, (int)n, p))
		out[strcspn(out, "\n")] = 0;
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct dev_results {
	int no_force, force, mounted, mkfs_mount;
	uint32_t blocks;
	char no_force_err[256], mounted_err[256], model[32], record[PATH_MAX];
};

/* Everything that needs the loop device, cleaned up before any assert. */
static void try_loop_device(const char *loop, struct dev_results *r)
{
	struct sd_file f;
	char cmd[512], mnt[96];

	r->no_force = sd_file_open(&f, loop, 0, r->no_force_err, sizeof(r->no_force_err));
	r->force = sd_file_open(&f, loop, SD_FILE_FORCE, cmd, sizeof(cmd));
	if (r->force == 0) {
		r->blocks = f.be.blocks;
		snprintf(r->model, sizeof(r->model), "%s", f.model);
		snprintf(r->record, sizeof(r->record), "%s", f.record);
		sd_file_close(&f);
	}
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(cmd, sizeof(cmd), "mkfs.ext2 -q -F %s >/dev/null 2>&1 && mkdir %s && "
	         "mount %s %s 2>/dev/null", loop, mnt, loop, mnt);
	r->mkfs_mount = sh(cmd, NULL, 0);
	if (r->mkfs_mount == 0) {
		r->mounted = sd_file_open(&f, loop, SD_FILE_FORCE, r->mounted_err,
		                          sizeof(r->mounted_err));
		if (r->mounted == 0)
			sd_file_close(&f);
		snprintf(cmd, sizeof(cmd), "umount %s", mnt);
		sh(cmd, NULL, 0);
	}
	rmdir(mnt);
}

START_TEST(test_block_device)
{
	struct dev_results r;
	char loop[64], cmd[256];

	make_image(256);
	memset(&r, 0, sizeof(r));
	snprintf(cmd, sizeof(cmd), "losetup -f --show %s 2>/dev/null", image);
	if (geteuid() != 0 || sh(cmd, loop, sizeof(loop)) != 0 || loop[0] != '/') {
		/* No loop devices here: only the image-side checks ran. */
		fprintf(stderr, "test_block_device: losetup unavailable, skipped\n");
		remove_image();
		return;
	}
	try_loop_device(loop, &r);
	snprintf(cmd, sizeof(cmd), "losetup -d %s", loop);
	sh(cmd, NULL, 0);
	remove_image();

	ck_assert_int_eq(r.no_force, -NOS_EPERM);
	ck_assert_ptr_nonnull(strstr(r.no_force_err, loop));
	ck_assert_ptr_nonnull(strstr(r.no_force_err, "--force"));
	ck_assert_int_eq(r.force, 0);
	ck_assert_uint_eq(r.blocks, 256);
	ck_assert_ptr_nonnull(strstr(r.model, strrchr(loop, '/') + 1));
	ck_assert_ptr_nonnull(strstr(r.record, "nanoos-"));
	if (r.mkfs_mount != 0) {
		fprintf(stderr, "test_block_device: cannot mount here, mounted case skipped\n");
		return;
	}
	ck_assert_int_eq(r.mounted, -NOS_EBUSY);
	ck_assert_ptr_nonnull(strstr(r.mounted_err, "is mounted"));
	ck_assert_ptr_nonnull(strstr(r.mounted_err, "umount"));
}
END_TEST

static Suite *sdcard_suite(void)
{
	Suite *s = suite_create("sdcard");
	TCase *tc = tcase_create("sdcard");
	TCase *files = tcase_create("sd_file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ram_round_trip);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_range_and_length);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_bad_backend);
	tcase_add_test(tc, test_only_fs_or_parent);
	tcase_add_test(tc, test_sd_msg_backend);
	tcase_add_test(tc, test_fault_nth_read_and_write);
	tcase_add_test(tc, test_power_cut);
	tcase_add_test(tc, test_power_cut_full_journal);
	tcase_add_test(tc, test_fault_write_through);
	tcase_add_test(tc, test_image_round_trip);
	suite_add_tcase(s, tc);

	/* No runtime here: these fork and run commands. */
	tcase_set_timeout(files, 60);
	tcase_add_test(files, test_image_lock_names_holder);
	tcase_add_test(files, test_image_lock_other_process);
	tcase_add_test(files, test_image_stale_record_replaced);
	tcase_add_test(files, test_image_refusals);
	tcase_add_test(files, test_block_device);
	suite_add_tcase(s, files);
	return s;
}

TEST_MAIN(sdcard_suite)
