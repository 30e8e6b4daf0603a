/* kill: sends a signal to processes.
 *   kill [-SIGNAL | -s SIGNAL] PID...   SIGNAL: a name (TERM, SIGKILL) or a
 *                                       number; default TERM
 *   kill -l                             lists the signal names */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	int number;
} signals[] = {
	{ "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "ILL", SIGILL },
	{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS },   { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
	{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU }, { "URG", SIGURG },   { "WINCH", SIGWINCH }, { "SYS", SIGSYS },
};
#define N_SIGNALS (sizeof(signals) / sizeof(signals[0]))

/* The signal a name or number means, or -1. */
static int signal_of(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end != s && !*end)
		return n >= 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < N_SIGNALS; i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].number;
	return -1;
}

int main(int argc, char **argv)
{
	int sig = SIGTERM, i = 1;
	if (i < argc && strcmp(argv[i], "-l") == 0) {
		for (size_t s = 0; s < N_SIGNALS; s++)
			printf("%2d %s\n", signals[s].number, signals[s].name);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
		sig = signal_of(argv[i + 1]);
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1]) {
		sig = signal_of(argv[i] + 1);
		i++;
	}
	if (sig < 0) {
		fprintf(stderr, "kill: unknown signal '%s'\n", argv[i - 1]);
		return 1;
	}
	if (i >= argc) {
		fputs("usage: kill [-SIGNAL | -s SIGNAL] PID... | kill -l\n", stderr);
		return 1;
	}
	int status = 0;
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (end == argv[i] || *end) {
			fprintf(stderr, "kill: '%s': not a process id\n", argv[i]);
			status = 1;
		} else if (kill((pid_t)pid, sig) < 0) {
			fprintf(stderr, "kill: (%ld): %s\n", pid, strerror(errno));
			status = 1;
		}
	}
	return status;
}
