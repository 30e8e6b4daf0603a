/* sleep: waits for a while.
 *   sleep NUMBER[SUFFIX]...
 *     NUMBER may have a fraction ("0.25"); SUFFIX is s (seconds, the
 *     default), m (minutes), h (hours) or d (days); several are added up
 * A signal that interrupts the wait does not end it early (unless it
 * kills sleep): the rest is slept. */
#define TOOL "sleep"
#include "lib/tool.h"
#include <time.h>

#define USAGE "sleep NUMBER[smhd]..."

static const struct {
	char suffix;
	double seconds;
} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };

/* The seconds an argument means, or -1. */
static double seconds_of(const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || v < 0 || v != v)
		return -1;
	if (!*end)
		return v;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (end[0] == units[i].suffix && !end[1])
			return v * units[i].seconds;
	return -1;
}

int main(int argc, char **argv)
{
	/* "sleep -1" is an invalid interval, not an option: operands only. */
	int n = argc > 1 && strcmp(argv[1], "--") == 0 ? argc - 2 : argc - 1;
	char **args = argv + (argc - n);
	if (n == 0) {
		tool_warn("missing operand");
		tool_usage(USAGE, 1);
	}
	double total = 0;
	int bad = 0;
	for (int i = 0; i < n; i++) {
		double s = seconds_of(args[i]);
		if (s < 0) {
			tool_warn("invalid time interval '%s'", args[i]);
			bad = 1;
		}
		total += s;
	}
	if (bad)
		tool_usage(USAGE, 1);
	if (total > 1e9)
		total = 1e9;            /* about 31 years: "forever" for our purpose */
	struct timespec t = { .tv_sec = (time_t)total };
	t.tv_nsec = (long)((total - (double)t.tv_sec) * 1e9);
	while (nanosleep(&t, &t) < 0) {
		if (errno != EINTR) {
			tool_warn("cannot sleep: %s", strerror(errno));
			return 1;
		}
	}
	return 0;
}
