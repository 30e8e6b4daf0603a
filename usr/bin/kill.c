/* kill: sends a signal to processes.
 *   kill [-s SIGNAL | -SIGNAL] PID...   SIGNAL: a name (TERM, SIGKILL, kill)
 *                                       or a number; default TERM; a PID
 *                                       below -1 is a process group ("--"
 *                                       before it)
 *   kill -l [SIGNAL]...                 the signal names; or each
 *                                       SIGNAL's name (for a number, or an
 *                                       exit status above 128) or number
 * Numbers are Linux's, as NanoOs's are. Messages as util-linux's kill:
 * "kill: (123): No such process". Exit 0 when every PID got the signal. */
#define TOOL "kill"
#include "lib/tool.h"
#include <signal.h>
#include <strings.h>

#define USAGE "kill [-s SIGNAL | -SIGNAL] PID... | kill -l [SIGNAL]..."

static const struct {
	const char *name;
	int number;
} signals[] = {
	{ "HUP", 1 },    { "INT", 2 },     { "QUIT", 3 },  { "ILL", 4 },     { "TRAP", 5 },
	{ "ABRT", 6 },   { "BUS", 7 },     { "FPE", 8 },   { "KILL", 9 },    { "USR1", 10 },
	{ "SEGV", 11 },  { "USR2", 12 },   { "PIPE", 13 }, { "ALRM", 14 },   { "TERM", 15 },
	{ "STKFLT", 16 }, { "CHLD", 17 },  { "CONT", 18 }, { "STOP", 19 },   { "TSTP", 20 },
	{ "TTIN", 21 },  { "TTOU", 22 },   { "URG", 23 },  { "XCPU", 24 },   { "XFSZ", 25 },
	{ "VTALRM", 26 }, { "PROF", 27 },  { "WINCH", 28 }, { "IO", 29 },    { "PWR", 30 },
	{ "SYS", 31 },
};
#define N_SIGNALS (sizeof(signals) / sizeof(signals[0]))

/* The signal a name or number means (0 is "check only"), or -1. */
static int signal_of(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end != s && !*end)
		return n >= 0 && n <= 31 ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < N_SIGNALS; i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].number;
	return -1;
}

static const char *name_of(int sig)
{
	for (size_t i = 0; i < N_SIGNALS; i++)
		if (signals[i].number == sig)
			return signals[i].name;
	return NULL;
}

/* kill -l: all names on one line; with arguments, each one translated. */
static int list(char **args)
{
	if (!*args) {
		for (size_t i = 0; i < N_SIGNALS; i++)
			printf("%s%s", signals[i].name, i + 1 < N_SIGNALS ? " " : "\n");
		tool_exit(0);
	}
	int status = 0;
	for (; *args; args++) {
		char *end;
		long n = strtol(*args, &end, 10);
		if (end != *args && !*end) {
			const char *name = name_of(n > 128 ? (int)(n - 128) : (int)n);
			if (name)
				puts(name);
			else {
				tool_warn("unknown signal: %s", *args);
				status = 1;
			}
		} else if (signal_of(*args) > 0) {
			printf("%d\n", signal_of(*args));
		} else {
			tool_warn("unknown signal: %s", *args);
			status = 1;
		}
	}
	tool_exit(status);
}

int main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1;
	if (i < argc && strcmp(argv[i], "-l") == 0)
		return list(argv + i + 1);
	if (i < argc && strcmp(argv[i], "-s") == 0) {
		if (i + 1 >= argc) {
			tool_warn("option requires an argument -- 's'");
			tool_usage(USAGE, 1);
		}
		sig = signal_of(argv[i + 1]);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
		sig = signal_of(argv[i] + 1);
		i++;
	}
	if (sig < 0) {
		tool_warn("unknown signal: %s", argv[i - 1]);
		return 1;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		tool_warn("not enough arguments");
		tool_usage(USAGE, 1);
	}
	int status = 0;
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (end == argv[i] || *end) {
			tool_warn("cannot find process \"%s\"", argv[i]);
			status = 1;
		} else if (kill((pid_t)pid, sig) < 0) {
			tool_warn("(%ld): %s", pid, strerror(errno));
			status = 1;
		}
	}
	tool_exit(status);
}
