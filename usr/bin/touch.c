/* touch: updates files' times, creating the files that do not exist.
 *   touch [-acm] [-d WHEN | -r FILE] FILE...
 *     -c  do not create missing files (and say nothing about them)
 *     -a / -m  only the access / only the modification time
 *     -d WHEN  that time instead of now: @SECONDS or
 *              YYYY-MM-DD[ HH:MM[:SS]] (UTC, the volume's zone)
 *     -r FILE  FILE's times instead of now
 * Through utimensat, which NanoOs's fs turns into FAT time stamps (kept
 * to two seconds, and for the access time to the day). */
#define _GNU_SOURCE             /* strptime, timegm */
#define TOOL "touch"
#include "lib/tool.h"
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "lib/when.h"

#define USAGE "touch [-acm] [-d WHEN | -r FILE] FILE..."
/* RV32 Linux has only the 64-bit time utimensat (asm-generic 412). */
#define SYS_utimensat_time64 412
#define LINUX_AT_FDCWD (-100)

/* Linux's struct timespec with 64-bit time, as RV32 utimensat takes it. */
struct timespec64 {
	int64_t sec;
	int32_t nsec, pad;
};

static int opt_no_create, opt_access, opt_modify;
static const char *opt_when, *opt_ref;

static void on_option(int c, char *arg)
{
	opt_no_create |= c == 'c';
	opt_access |= c == 'a';
	opt_modify |= c == 'm';
	if (c == 'd')
		opt_when = arg;
	if (c == 'r')
		opt_ref = arg;
}

/* The time the options ask for (now, -d or -r's) as access and
 * modification seconds; -1 after a message when they cannot be had. */
static int new_times(int64_t *atime, int64_t *mtime)
{
	if (opt_when) {
		if (tool_parse_when(opt_when, 1, atime) < 0) {
			tool_warn("invalid date format '%s'", opt_when);
			return -1;
		}
		*mtime = *atime;
	} else if (opt_ref) {
		struct stat st;
		if (stat(opt_ref, &st) < 0) {
			tool_warn("failed to get attributes of '%s': %s", opt_ref, strerror(errno));
			return -1;
		}
		*atime = st.st_atime;
		*mtime = st.st_mtime;
	} else {
		struct timespec now;
		if (clock_gettime(CLOCK_REALTIME, &now) < 0) {
			tool_warn("cannot read the clock: %s", strerror(errno));
			return -1;
		}
		*atime = *mtime = now.tv_sec;
	}
	return 0;
}

/* Sets path's times. Always explicit seconds, never UTIME_NOW or
 * UTIME_OMIT: NanoOs's fs stores those as time 0 (1980), so the time
 * that -a or -m leaves alone is passed as it is now. */
static int set_times(const char *path, int64_t atime, int64_t mtime)
{
	struct stat st;
	int only_one = opt_access != opt_modify;
	if (only_one && stat(path, &st) < 0)
		return -1;
	struct timespec64 t[2] = {
		{ only_one && !opt_access ? (int64_t)st.st_atime : atime, 0, 0 },
		{ only_one && !opt_modify ? (int64_t)st.st_mtime : mtime, 0, 0 },
	};
	return (int)syscall(SYS_utimensat_time64, (long)LINUX_AT_FDCWD, path, t, 0L);
}

static int touch(const char *path, int64_t atime, int64_t mtime)
{
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		if (opt_no_create)
			return 0;
		int fd = open(path, O_WRONLY | O_CREAT, 0666);
		if (fd < 0 || close(fd) < 0) {
			tool_warn("cannot touch '%s': %s", path, strerror(errno));
			return 1;
		}
	}
	if (set_times(path, atime, mtime) < 0) {
		tool_warn("setting times of '%s': %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "acmd:r:", on_option, USAGE, 1), status = 0;
	if (n == 0) {
		tool_warn("missing file operand");
		tool_usage(USAGE, 1);
	}
	int64_t atime, mtime;
	if (new_times(&atime, &mtime) < 0)
		return 1;
	for (int i = 1; i <= n; i++)
		status |= touch(argv[i], atime, mtime);
	tool_exit(status);
}
