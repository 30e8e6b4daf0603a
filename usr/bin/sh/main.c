/* sh: the NanoOs shell.
 *   sh -c 'COMMANDS' [NAME [ARG]...]   run COMMANDS ($0 = NAME, $1.. = ARGs)
 *   sh FILE [ARG]...                   run the script FILE
 *   sh                                 read commands from standard input,
 *                                      with a prompt when it is a terminal
 * Commands: pipelines (a | b), lists (; && || &), quoting ('..' ".." \),
 * $VAR ${VAR} $? $$ $! $0..$9 $# $@, NAME=VALUE, redirections (< > >> 2>
 * N>&M), comments, the builtins in builtins.c, and other programs found
 * through PATH (default /bin). The exit status is the last command's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

struct shell sh;

void sh_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sh: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Reads one complete command (continuing over lines while a quote is open
 * or the line ends in | && ||) and runs it. 0 at the end of the input. */
static int run_next(struct input *in)
{
	const char *ps1 = !sh.interactive ? NULL : geteuid() == 0 ? "# " : "$ ";
	char *text = input_line(in, ps1);
	if (!text)
		return 0;
	for (;;) {
		struct token *tokens;
		int count;
		struct list list;
		int r = lex_line(text, &tokens, &count);
		if (r == LEX_OK)
			r = parse_tokens(tokens, count, &list);
		if (r == LEX_OK) {
			run_list(&list);
			return 1;
		}
		if (r == LEX_ERROR) {
			sh.last_status = 2;
			return 1;
		}
		char *more = input_line(in, sh.interactive ? "> " : NULL);
		if (!more) {
			sh_error("syntax error: unexpected end of input");
			sh.last_status = 2;
			return 0;
		}
		size_t len = strlen(text) + strlen(more) + 2;
		char *joined = sh_alloc(len);
		snprintf(joined, len, "%s\n%s", text, more);
		text = joined;
	}
}

static void reap_background(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void run_input(struct input *in)
{
	for (;;) {
		if (sh.interactive)
			reap_background();
		int more = run_next(in);
		sh_arena_reset();
		if (!more)
			break;
	}
}

/* At the prompt, Ctrl-C drops the line; while a command runs, it is the
 * command's (children go back to the default action). */
static void on_interrupt(int sig)
{
	(void)sig;
}

static void be_interactive(void)
{
	sh.interactive = 1;
	struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = 0 };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGQUIT, SIG_IGN);
}

int main(int argc, char **argv)
{
	vars_import(environ);
	if (!var_get("PATH")) {
		var_set("PATH", SH_DEFAULT_PATH);
		var_export("PATH");
	}
	sh.name = argv[0];
	struct input in = { .fd = 0 };
	if (argc > 1 && strcmp(argv[1], "-c") == 0) {
		if (argc < 3) {
			sh_error("-c: option requires an argument");
			return 2;
		}
		in.fd = -1;
		in.str = argv[2];
		if (argc > 3)
			sh.name = argv[3];
		sh.argc = argc > 4 ? argc - 4 : 0;
		sh.argv = argv + 4;
	} else if (argc > 1) {
		in.fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (in.fd < 0) {
			sh_error("%s: %s", argv[1], strerror(errno));
			return 127;
		}
		sh.name = argv[1];
		sh.argc = argc - 2;
		sh.argv = argv + 2;
	} else if (isatty(0) && isatty(2)) {
		be_interactive();
	}
	run_input(&in);
	return sh.last_status;
}
