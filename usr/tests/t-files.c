/* t-files: files and directories through the glue library: open, read,
 * write, lseek, pread/pwrite, readv/writev, ftruncate, fsync, fcntl, dup,
 * stat/fstat/lstat (statx), getdents64 (readdir), mkdir, rename, unlink,
 * rmdir, getcwd/chdir, stdio on files, and the errors each must give.
 * Works in a fresh directory under argv[1] (default $TMPDIR or /tmp). */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tap.h"

#define BIG 10000

static char pattern[BIG];

static int fails_with(int result, int err)
{
	return result == -1 && errno == err;
}

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, len);
	return close(fd) == 0 && n == (ssize_t)len ? 0 : -1;
}

static void test_create_read_seek(void)
{
	for (int i = 0; i < BIG; i++)
		pattern[i] = (char)('a' + i % 23);
	ok(write_file("big", pattern, BIG) == 0, "create and write %d bytes", BIG);
	struct stat st;
	ok(stat("big", &st) == 0 && st.st_size == BIG && S_ISREG(st.st_mode),
	   "stat: a regular file of %d bytes", BIG);

	static char back[BIG];
	int fd = open("big", O_RDONLY);
	ssize_t got = 0, n;
	while ((n = read(fd, back + got, sizeof(back) - (size_t)got)) > 0)
		got += n;
	ok(got == BIG && memcmp(back, pattern, BIG) == 0, "read back the same bytes");
	ok(read(fd, back, 10) == 0, "read at the end returns 0");
	ok(lseek(fd, 5000, SEEK_SET) == 5000 && read(fd, back, 10) == 10 &&
	   memcmp(back, pattern + 5000, 10) == 0, "lseek SEEK_SET then read");
	ok(lseek(fd, -10, SEEK_CUR) == 5000, "lseek SEEK_CUR");
	ok(lseek(fd, 0, SEEK_END) == BIG, "lseek SEEK_END gives the size");
	ok(fails_with((int)lseek(fd, -1, SEEK_SET), EINVAL), "lseek before 0: EINVAL");
	ok(fstat(fd, &st) == 0 && st.st_size == BIG, "fstat");
	ok(fails_with((int)write(fd, "x", 1), EBADF), "write on a read-only fd: EBADF");
	ok(pread(fd, back, 5, 100) == 5 && memcmp(back, pattern + 100, 5) == 0 &&
	   lseek(fd, 0, SEEK_CUR) == BIG, "pread leaves the offset alone");
	close(fd);
	ok(fails_with((int)read(fd, back, 1), EBADF), "read on a closed fd: EBADF");
}

static void test_truncate_sync(void)
{
	int fd = open("big", O_RDWR);
	struct stat st;
	ok(ftruncate(fd, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100,
	   "ftruncate shrinks to 100");
	ok(ftruncate(fd, 200) == 0 && fstat(fd, &st) == 0 && st.st_size == 200,
	   "ftruncate grows to 200");
	char back[100];
	int zeros = pread(fd, back, 100, 100) == 100;
	for (int i = 0; i < 100 && zeros; i++)
		zeros = back[i] == 0;
	ok(zeros, "the grown part reads as zeros");
	ok(pwrite(fd, "XYZ", 3, 10) == 3 && pread(fd, back, 3, 10) == 3 &&
	   memcmp(back, "XYZ", 3) == 0, "pwrite then pread");
	ok(fsync(fd) == 0, "fsync");
	close(fd);
	ok(fails_with(fsync(fd), EBADF), "fsync on a closed fd: EBADF");
}

static void test_open_errors(void)
{
	ok(fails_with(open("missing", O_RDONLY), ENOENT), "open a missing file: ENOENT");
	ok(fails_with(open("big", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST),
	   "O_CREAT|O_EXCL on an existing file: EEXIST");
	ok(fails_with(open("nodir/x", O_WRONLY | O_CREAT, 0644), ENOENT),
	   "create in a missing directory: ENOENT");
	ok(fails_with(open("big/x", O_RDONLY), ENOTDIR), "a file as a directory: ENOTDIR");
	ok(fails_with(open("big", O_RDONLY | O_DIRECTORY), ENOTDIR), "O_DIRECTORY on a file: ENOTDIR");
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	ok(fd >= 0, "O_DIRECTORY on a directory");
	ok(fails_with((int)read(fd, pattern, 1), EISDIR), "read a directory: EISDIR");
	close(fd);
}

static void test_append_dup_fcntl(void)
{
	write_file("log", "one\n", 4);
	int fd = open("log", O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, "two\n", 4) == 4, "write with O_APPEND");
	ok((fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND),
	   "F_GETFL gives O_WRONLY|O_APPEND back");
	ok(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC,
	   "F_SETFD/F_GETFD FD_CLOEXEC");
	close(fd);
	char back[16] = { 0 };
	fd = open("log", O_RDONLY);
	ok(read(fd, back, sizeof(back)) == 8 && strcmp(back, "one\ntwo\n") == 0,
	   "appended after the old end");
	int fd2 = dup(fd);
	lseek(fd, 4, SEEK_SET);
	ok(fd2 > fd && lseek(fd2, 0, SEEK_CUR) == 4, "dup shares the offset");
	ok(dup2(fd, 20) == 20 && lseek(20, 0, SEEK_CUR) == 4, "dup2 to a chosen number");
	ok(dup2(fd, fd) == fd, "dup2 of an fd onto itself");
	ok(fails_with(dup(99), EBADF), "dup of a closed fd: EBADF");
	close(fd);
	close(fd2);
	close(20);

	fd = open("vec", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct iovec out[3] = { { "ab", 2 }, { "cde", 3 }, { "f", 1 } };
	char a[3] = { 0 }, b[5] = { 0 };
	struct iovec in[2] = { { a, 2 }, { b, 4 } };
	ok(writev(fd, out, 3) == 6 && lseek(fd, 0, SEEK_SET) == 0 && readv(fd, in, 2) == 6 &&
	   strcmp(a, "ab") == 0 && strcmp(b, "cdef") == 0, "writev then readv");
	close(fd);
}

static void test_stdio_files(void)
{
	FILE *f = fopen("text", "w");
	ok(f && fprintf(f, "line %d\nline %s\n", 1, "two") == 16 && fclose(f) == 0,
	   "fopen/fprintf/fclose");
	char line[32];
	f = fopen("text", "r");
	ok(f && fgets(line, sizeof(line), f) && strcmp(line, "line 1\n") == 0 &&
	   fgets(line, sizeof(line), f) && strcmp(line, "line two\n") == 0 &&
	   !fgets(line, sizeof(line), f), "fopen/fgets reads it back");
	if (f)
		fclose(f);
	ok(fopen("missing", "r") == NULL && errno == ENOENT, "fopen a missing file: ENOENT");
}

static int count_entries(const char *path, int *files, int *dirs, int *dots)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	*files = *dirs = *dots = 0;
	errno = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			(*dots)++;
		else if (e->d_type == DT_DIR)
			(*dirs)++;
		else if (e->d_type == DT_REG)
			(*files)++;
	}
	int err = errno;
	closedir(d);
	return err ? -1 : 0;
}

static void test_directories(void)
{
	ok(mkdir("sub", 0755) == 0, "mkdir");
	ok(fails_with(mkdir("sub", 0755), EEXIST), "mkdir of an existing name: EEXIST");
	ok(fails_with(mkdir("nodir/sub", 0755), ENOENT), "mkdir in a missing directory: ENOENT");
	struct stat st;
	ok(stat("sub", &st) == 0 && S_ISDIR(st.st_mode), "stat: a directory");
	ok(lstat("sub", &st) == 0 && S_ISDIR(st.st_mode), "lstat: a directory");

	int made = 0;
	char name[32];
	for (int i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "sub/file-with-a-long-name-%03d", i);
		made += write_file(name, "x", 1) == 0;
	}
	ok(made == 150, "150 files created");
	ok(mkdir("sub/inner", 0755) == 0, "mkdir inside it");
	int files = 0, dirs = 0, dots = 0;
	ok(count_entries("sub", &files, &dirs, &dots) == 0 && files == 150 && dirs == 1 && dots == 2,
	   "readdir: 150 files (DT_REG), 1 directory (DT_DIR), . and .. (got %d, %d, %d)",
	   files, dirs, dots);
	ok(opendir("missing") == NULL && errno == ENOENT, "opendir a missing directory: ENOENT");

	ok(fails_with(rmdir("sub"), ENOTEMPTY), "rmdir a non-empty directory: ENOTEMPTY");
	ok(fails_with(rmdir("big"), ENOTDIR), "rmdir a file: ENOTDIR");
	ok(fails_with(unlink("sub"), EISDIR), "unlink a directory: EISDIR");
	int removed = 0;
	for (int i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "sub/file-with-a-long-name-%03d", i);
		removed += unlink(name) == 0;
	}
	ok(removed == 150, "150 files unlinked");
	ok(rmdir("sub/inner") == 0 && rmdir("sub") == 0, "rmdir the emptied directories");
	ok(fails_with(stat("sub", &st), ENOENT), "gone: stat gives ENOENT");
}

static void test_rename_unlink(void)
{
	ok(rename("log", "log2") == 0, "rename");
	struct stat st;
	ok(fails_with(stat("log", &st), ENOENT) && stat("log2", &st) == 0 && st.st_size == 8,
	   "the old name is gone, the new one has the data");
	write_file("other", "x", 1);
	ok(rename("other", "log2") == 0 && stat("log2", &st) == 0 && st.st_size == 1,
	   "rename over an existing file replaces it");
	ok(fails_with(rename("missing", "x"), ENOENT), "rename a missing file: ENOENT");
	ok(unlink("log2") == 0 && fails_with(unlink("log2"), ENOENT),
	   "unlink, then unlink again: ENOENT");
}

static void test_cwd(void)
{
	char here[256], there[256];
	ok(getcwd(here, sizeof(here)) == here && here[0] == '/', "getcwd gives an absolute path");
	mkdir("cwd", 0755);
	ok(chdir("cwd") == 0 && getcwd(there, sizeof(there)) &&
	   strcmp(there + strlen(there) - 4, "/cwd") == 0, "chdir into a directory");
	ok(write_file("inside", "y", 1) == 0 && chdir("..") == 0 && access("cwd/inside", F_OK) == 0,
	   "relative paths follow the working directory");
	ok(fails_with(chdir("missing"), ENOENT), "chdir to a missing directory: ENOENT");
	ok(fails_with(getcwd(there, 2) ? 0 : -1, ERANGE), "getcwd into a small buffer: ERANGE");
	unlink("cwd/inside");
	rmdir("cwd");
}

/* /dev/null swallows writes, reads as empty, and is a character device
 * anyone may use (Linux and NanoOs alike). */
static void test_dev_null(void)
{
	char c;
	struct stat st;
	int fd = open("/dev/null", O_RDWR);
	ok(fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, &c, 1) == 0, "/dev/null: write, read");
	ok(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode), "/dev/null: fstat says a device");
	close(fd);
	ok(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null: stat says a device");
	ok(access("/dev/null", R_OK | W_OK) == 0, "/dev/null: access");
	ok(open("/dev/nosuch", O_RDONLY) < 0 && errno == ENOENT, "/dev/nosuch: ENOENT");
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/t-files.%d", base, (int)getpid());
	if (!ok(mkdir(dir, 0755) == 0 && chdir(dir) == 0, "work in %s", dir))
		return tap_done();
	test_create_read_seek();
	test_truncate_sync();
	test_open_errors();
	test_append_dup_fcntl();
	test_stdio_files();
	test_directories();
	test_rename_unlink();
	test_cwd();
	test_dev_null();
	unlink("big");
	unlink("vec");
	unlink("text");
	ok(chdir("..") == 0 && rmdir(dir) == 0, "clean up %s", dir);
	return tap_done();
}
