/* command.c: how a command name is found, for people and scripts.
 *   type NAME...               "NAME is a shell function", "... a shell
 *                              builtin", or "NAME is /bin/NAME"
 *   command -v NAME            the path, or NAME for a function or builtin;
 *                              status 1 if there is none
 *   command NAME [ARG]...      runs NAME as a builtin or a program, never
 *                              as a function (run_program: fork, exec, wait)
 * The search is the one exec.c does: functions, builtins, then $PATH. */
#define _GNU_SOURCE   /* execvpe */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

/* What NAME is: 0 and *what ("function", "builtin", or the path), or -1. */
static int lookup(const char *name, const char **what)
{
	if (func_find(name)) {
		*what = "function";
		return 0;
	}
	if (builtin_find(name) || !strcmp(name, "exec")) {
		*what = "builtin";
		return 0;
	}
	if (strchr(name, '/')) {
		*what = name;
		return access(name, X_OK) == 0 ? 0 : -1;
	}
	const char *path = var_get("PATH");
	for (const char *dir = path ? path : SH_DEFAULT_PATH; *dir;) {
		size_t dlen = strcspn(dir, ":");
		char *full = sh_alloc(dlen + strlen(name) + 2);
		memcpy(full, dir, dlen);
		full[dlen] = '/';
		strcpy(full + dlen + 1, name);
		if (access(full, X_OK) == 0) {
			*what = full;
			return 0;
		}
		dir += dlen + (dir[dlen] == ':');
	}
	return -1;
}

int builtin_type(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		const char *what;
		if (lookup(argv[i], &what) < 0) {
			sh_error("type: %s: not found", argv[i]);
			status = 1;
		} else if (what[0] == '/') {
			printf("%s is %s\n", argv[i], what);
		} else {
			printf("%s is a shell %s\n", argv[i], what);
		}
	}
	return fflush(stdout) == 0 ? status : 1;
}

/* command -v NAME: how NAME would run; command NAME ARG...: run it,
 * never as a function. */
int builtin_command(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "-v")) {
		const char *what;
		if (lookup(argv[2], &what) < 0)
			return 1;
		puts(what[0] == '/' ? what : argv[2]);
		return 0;
	}
	if (argc < 2)
		return 0;
	builtin_fn builtin = builtin_find(argv[1]);
	if (builtin)
		return builtin(argc - 1, argv + 1);
	return run_program(argv + 1);
}

int run_program(char **argv)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		jobs_child_signals();
		trap_reset_in_child();
		char **envp = vars_environ(NULL, 0);
		environ = envp;
		execvpe(argv[0], argv, envp);
		sh_error("%s: %s", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	int wstatus;
	if (pid < 0) {
		sh_error("fork: %s", strerror(errno));
		return 126;
	}
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			return 126;
	return status_of_wait(wstatus);
}
