/* date: prints the date and time.
 *   date [-u] [-d WHEN | -r FILE] [+FORMAT]
 *     -u       in UTC (also the zone when TZ is unset, as on NanoOs)
 *     -d WHEN  that time instead of now: @SECONDS, or
 *              YYYY-MM-DD[ HH:MM[:SS]] (or with a T between)
 *     -r FILE  FILE's modification time
 *     +FORMAT  strftime's conversions, plus %N (nanoseconds); the default
 *              is "%a %b %e %H:%M:%S %Z %Y", as GNU's date prints
 * Setting the clock is not offered: NanoOs takes its time from the host. */
#define _GNU_SOURCE             /* strptime, timegm */
#define TOOL "date"
#include "lib/tool.h"
#include <sys/stat.h>
#include <time.h>

#include "lib/when.h"

#define USAGE "date [-u] [-d WHEN | -r FILE] [+FORMAT]"

static int opt_utc;
static const char *opt_when, *opt_file;

static void on_option(int c, char *arg)
{
	if (c == 'u')
		opt_utc = 1;
	else if (c == 'd')
		opt_when = arg;
	else
		opt_file = arg;
}

/* FORMAT with %N and (in UTC) %Z already expanded, for strftime. */
static char *expand(const char *format, const struct timespec *t, int utc)
{
	size_t cap = strlen(format) * 10 + 16, n = 0;
	char *out = tool_malloc(cap);
	for (const char *p = format; *p; p++) {
		if (n + 16 > cap)
			out = tool_realloc(out, cap *= 2);
		if (p[0] == '%' && p[1] == 'N') {
			n += (size_t)sprintf(out + n, "%09ld", (long)t->tv_nsec);
			p++;
		} else if (p[0] == '%' && p[1] == 'Z' && utc) {
			n += (size_t)sprintf(out + n, "UTC");
			p++;
		} else if (p[0] == '%' && p[1]) {
			out[n++] = *p++;    /* "%%" and the others go to strftime whole */
			out[n++] = *p;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	return out;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "ud:r:", on_option, USAGE, 1);
	const char *format = "%a %b %e %H:%M:%S %Z %Y";
	if (n > 1) {
		tool_warn("extra operand '%s'", argv[2]);
		tool_usage(USAGE, 1);
	}
	if (n == 1 && argv[1][0] != '+') {
		tool_warn("cannot set the date: NanoOs keeps the host's clock ('%s')", argv[1]);
		return 1;
	}
	if (n == 1)
		format = argv[1] + 1;
	struct timespec t;
	int64_t when_sec;
	if (opt_when) {
		if (tool_parse_when(opt_when, opt_utc, &when_sec) < 0) {
			tool_warn("invalid date '%s'", opt_when);
			return 1;
		}
		t.tv_sec = (time_t)when_sec;
		t.tv_nsec = 0;
	} else if (opt_file) {
		struct stat st;
		if (stat(opt_file, &st) < 0) {
			tool_warn("%s: %s", opt_file, strerror(errno));
			return 1;
		}
		t.tv_sec = st.st_mtime;
		t.tv_nsec = 0;
	} else if (clock_gettime(CLOCK_REALTIME, &t) < 0) {
		tool_warn("cannot read the clock: %s", strerror(errno));
		return 1;
	}
	int utc = opt_utc || !getenv("TZ");
	struct tm tm;
	if (!(utc ? gmtime_r(&t.tv_sec, &tm) : localtime_r(&t.tv_sec, &tm))) {
		tool_warn("time %lld is out of range", (long long)t.tv_sec);
		return 1;
	}
	char *fmt = expand(format, &t, utc);
	size_t cap = strlen(fmt) * 8 + 256;
	char *text = tool_malloc(cap);
	text[0] = '\0';
	strftime(text, cap, fmt, &tm);
	puts(text);
	free(text);
	free(fmt);
	tool_exit(0);
}
