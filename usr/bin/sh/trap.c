/* trap.c: the trap builtin and running what it sets.
 *   trap                      list the traps, as commands that set them again
 *   trap 'COMMANDS' SIG...    run COMMANDS when SIG comes (EXIT or 0: when
 *                             the shell ends)
 *   trap '' SIG...            ignore SIG (its children ignore it too)
 *   trap - SIG...             the default action again
 * SIG is a name (INT, SIGINT) or a number. The handler only notes the
 * signal; the commands run between commands (trap_run_pending), never
 * inside the handler. A subshell starts with the caught traps reset
 * (trap_reset_in_child), as POSIX says. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

#define TRAP_SIGNALS 32   /* 0 is EXIT */

static char *actions[TRAP_SIGNALS];          /* NULL: default; "": ignored */
static volatile sig_atomic_t pending[TRAP_SIGNALS];
static volatile sig_atomic_t any_pending;

static const char *const names[TRAP_SIGNALS] = {
	[0] = "EXIT",   [SIGHUP] = "HUP",   [SIGINT] = "INT",   [SIGQUIT] = "QUIT",
	[SIGILL] = "ILL", [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT", [SIGBUS] = "BUS",
	[SIGFPE] = "FPE", [SIGKILL] = "KILL", [SIGUSR1] = "USR1", [SIGSEGV] = "SEGV",
	[SIGUSR2] = "USR2", [SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
	[SIGCHLD] = "CHLD", [SIGCONT] = "CONT", [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU", [SIGWINCH] = "WINCH",
};

static void note_signal(int sig)
{
	pending[sig] = 1;
	any_pending = 1;
}

/* A signal's number from "INT", "SIGINT", "2" or "EXIT"; -1 if none. */
static int signal_number(const char *name)
{
	char *end;
	long n = strtol(name, &end, 10);
	if (*name && !*end)
		return n >= 0 && n < TRAP_SIGNALS ? (int)n : -1;
	if (!strncmp(name, "SIG", 3))
		name += 3;
	for (int i = 0; i < TRAP_SIGNALS; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return -1;
}

static void install(int sig, const char *action)
{
	free(actions[sig]);
	actions[sig] = action ? xstrdup(action) : NULL;
	if (sig == 0)
		return;
	if (!action) {   /* what the shell itself wants (job control ignores some) */
		int ignored = sh.job_control && (sig == SIGINT || sig == SIGQUIT || sig == SIGTERM ||
		                                 sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU);
		signal(sig, ignored ? SIG_IGN : SIG_DFL);
	} else if (!*action) {
		signal(sig, SIG_IGN);
	} else {
		struct sigaction sa = { .sa_handler = note_signal, .sa_flags = 0 };
		sigemptyset(&sa.sa_mask);
		sigaction(sig, &sa, NULL);
	}
}

static void print_traps(void)
{
	for (int i = 0; i < TRAP_SIGNALS; i++) {
		if (!actions[i])
			continue;
		fputs("trap -- '", stdout);
		for (const char *a = actions[i]; *a; a++)   /* ' inside: '\'' */
			fputs(*a == '\'' ? "'\\''" : (char[]){ *a, 0 }, stdout);
		printf("' %s\n", names[i] ? names[i] : "?");
	}
}

int builtin_trap(int argc, char **argv)
{
	if (argc == 1) {
		print_traps();
		return fflush(stdout) == 0 ? 0 : 1;
	}
	int i = 1;
	if (!strcmp(argv[i], "--"))
		i++;
	const char *action = argv[i];
	if (signal_number(action) >= 0 && i == argc - 1) {
		action = "-";   /* trap SIG: reset it, as POSIX allows */
	} else {
		i++;
	}
	int status = 0;
	for (; i < argc; i++) {
		int sig = signal_number(argv[i]);
		if (sig < 0 || sig == SIGKILL || sig == SIGSTOP) {
			sh_error("trap: %s: bad signal", argv[i]);
			status = 1;
			continue;
		}
		install(sig, strcmp(action, "-") ? action : NULL);
	}
	return status;
}

void trap_run_pending(void)
{
	if (!any_pending)
		return;
	any_pending = 0;
	int saved = sh.last_status;
	for (int sig = 1; sig < TRAP_SIGNALS; sig++) {
		if (!pending[sig])
			continue;
		pending[sig] = 0;
		if (actions[sig] && *actions[sig])
			run_string(actions[sig]);
	}
	sh.last_status = saved;
}

void trap_run_exit(void)
{
	char *action = actions[0];
	if (!action)
		return;
	actions[0] = NULL;   /* once, even if it calls exit */
	run_string(action);
	fflush(stdout);
	fflush(stderr);
}

void trap_reset_in_child(void)
{
	for (int sig = 0; sig < TRAP_SIGNALS; sig++) {
		if (actions[sig] && *actions[sig]) {
			free(actions[sig]);
			actions[sig] = NULL;
			if (sig)
				signal(sig, SIG_DFL);
		}
	}
}
