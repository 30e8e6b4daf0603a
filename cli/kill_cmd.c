/*
 * kill_cmd.c: `nanoos kill [-s SIG | -SIG] PID...` and `nanoos kill -l`:
 * send a signal (default TERM) to NanoOs processes through the daemon
 * (CTL_MSG_KILL). A PID below -1 names a process group. Signals are
 * Linux's, by name (with or without SIG) or number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/kill_cmd.h"
#include "kproc/nos_errno.h"

#define CMD "kill"

static const struct { const char *name; int sig; } signals[] = {
	{ "HUP", 1 }, { "INT", 2 }, { "QUIT", 3 }, { "ILL", 4 }, { "TRAP", 5 },
	{ "ABRT", 6 }, { "BUS", 7 }, { "FPE", 8 }, { "KILL", 9 }, { "USR1", 10 },
	{ "SEGV", 11 }, { "USR2", 12 }, { "PIPE", 13 }, { "ALRM", 14 }, { "TERM", 15 },
	{ "CHLD", 17 }, { "CONT", 18 }, { "STOP", 19 }, { "TSTP", 20 }, { "TTIN", 21 },
	{ "TTOU", 22 }, { "WINCH", 28 },
};
#define NSIGNALS (sizeof(signals) / sizeof(signals[0]))

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos kill [-s SIG | -SIG] PID...\n"
	        "       nanoos kill -l\n\n"
	        "Send a signal (default TERM) to NanoOs processes of the running daemon;\n"
	        "`nanoos ps -a` lists them. A PID below -1 is a process group (-PGID; put\n"
	        "`--` before it). SIG is a name (TERM, SIGKILL, int) or a number; -l lists them.\n"
	        "You may signal your account's processes; root may signal any.\n");
}

/* A signal name or number: its number, or -1. */
static int parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	size_t i;

	if (*s && !*end)
		return n >= 0 && n < 65 ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < NSIGNALS; i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

static void list_signals(void)
{
	size_t i;

	for (i = 0; i < NSIGNALS; i++)
		printf("%2d %s\n", signals[i].sig, signals[i].name);
}

static int kill_one(struct client *c, const char *arg, int sig)
{
	struct ctl_kill k;
	union ctl_payload r;
	char *end;
	long pid = strtol(arg, &end, 10);

	if (!*arg || *end || pid == 0 || pid == -1 || pid > INT32_MAX || pid < -INT32_MAX) {
		cli_error(CMD, arg, "not a process id; `nanoos ps -a` lists them");
		return 1;
	}
	k.pid = (int32_t)pid;
	k.sig = (uint32_t)sig;
	/* The daemon's text names the process and what to do. */
	return client_call(c, CMD, CTL_MSG_KILL, &k, sizeof(k), &r) < 0;
}

/* The signal from -s SIG / -SIG, and where the pids start: 0 or 2. */
static int parse_args(int argc, char **argv, int *sig, int *first)
{
	int i = 1;

	*sig = 15;
	if (i < argc && strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
		*sig = parse_signal(argv[i + 1]);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0 &&
	           (argv[i][1] < '0' || argv[i][1] > '9' || parse_signal(argv[i] + 1) >= 0)) {
		*sig = parse_signal(argv[i] + 1);
		i++;
	}
	if (*sig < 0) {
		cli_error(CMD, argv[i - 1], "no such signal; `nanoos kill -l` lists them");
		return 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		cli_error(CMD, NULL, "no process given; usage: nanoos kill [-s SIG] PID...");
		return 2;
	}
	*first = i;
	return 0;
}

int kill_main(int argc, char **argv)
{
	struct client c;
	int sig, first, i, failed = 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		list_signals();
		return 0;
	}
	if (parse_args(argc, argv, &sig, &first))
		return 2;
	if (client_require(&c, CMD))
		return 1;
	for (i = first; i < argc; i++)
		failed |= kill_one(&c, argv[i], sig);
	client_close(&c);
	return failed;
}
