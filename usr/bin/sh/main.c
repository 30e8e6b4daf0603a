/* sh: the NanoOs shell.
 *   sh -c 'COMMANDS' [NAME [ARG]...]   run COMMANDS ($0 = NAME, $1.. = ARGs)
 *   sh FILE [ARG]...                   run the script FILE
 *   sh [-i]                            read commands from standard input,
 *                                      interactive when it is a terminal
 *                                      (or with -i): prompts (prompt.c),
 *                                      the line editor, job control
 * Started as "-sh" (a login shell), it first reads /etc/profile and
 * ~/.profile.
 * Commands: pipelines (a | b, ! a), lists (; && || &), if/while/until/
 * for/case, { }, ( ), functions, quoting ('..' ".." \), parameters and
 * $(...) `...` $((...)), field splitting, globbing, NAME=VALUE,
 * redirections (< > >> 2> 2>&1 <> <<here-documents), comments, the
 * builtins (builtins.c, jobs.c, test.c, funcs.c), and other programs
 * found through PATH (default /bin). The exit status is the last
 * command's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
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
	char *text = input_line(in, sh.interactive ? prompt_text(0) : NULL);
	if (!text)
		return 0;
	for (;;) {
		struct token *tokens;
		int count;
		struct node *tree = NULL;
		int r = lex_line(text, &tokens, &count);
		if (r == LEX_OK)
			r = parse_line(text, tokens, count, &tree);
		if (r == LEX_OK) {
			if (tree)
				exec_node(tree);
			return 1;
		}
		if (r == LEX_ERROR) {
			sh.last_status = 2;
			return 1;
		}
		char *more = input_line(in, sh.interactive ? prompt_text(1) : NULL);
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

static void run_input(struct input *in)
{
	for (;;) {
		if (sh.interactive)
			jobs_report();
		else
			jobs_reap();
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

/* With job control (jobs.c) the shell ignores ^C and friends; without
 * it (-i on a pipe), ^C must still not kill it. */
static void be_interactive(struct input *in)
{
	struct termios t;
	sh.interactive = 1;
	struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = 0 };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGQUIT, SIG_IGN);
	jobs_init();
	in->edit = tcgetattr(0, &t) == 0;
	if (in->edit)
		history_load();
}

/* A login shell (argv[0] "-sh", as login starts it) reads /etc/profile
 * and ~/.profile first, when they are there. */
static void read_profiles(void)
{
	const char *home = var_get("HOME");
	sh_source("/etc/profile");
	sh_arena_reset();
	if (home && *home) {
		size_t len = strlen(home) + sizeof("/.profile");
		char *path = malloc(len);
		if (path) {
			snprintf(path, len, "%s/.profile", home);
			sh_source(path);
			free(path);
		}
		sh_arena_reset();
	}
}

int main(int argc, char **argv)
{
	vars_import(environ);
	atexit(trap_run_exit);
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
	} else if (argc > 1 && argv[1][0] != '-') {
		in.fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (in.fd < 0) {
			sh_error("%s: %s", argv[1], strerror(errno));
			return 127;
		}
		sh.name = argv[1];
		sh.argc = argc - 2;
		sh.argv = argv + 2;
	} else if (argc > 1 && strcmp(argv[1], "-i") == 0) {
		be_interactive(&in);
	} else if (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		sh_error("%s: unknown option (sh [-i] | sh -c COMMANDS | sh FILE)", argv[1]);
		return 2;
	} else if (isatty(0) && isatty(2)) {
		be_interactive(&in);
	}
	if (argv[0][0] == '-')
		read_profiles();
	run_input(&in);
	return sh.last_status;
}
