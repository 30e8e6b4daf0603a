/* builtins.c: commands the shell runs itself. cd, exit, export, unset,
 * shift, break, continue and the job builtins must (they change the
 * shell); echo, pwd, read, test, true, false and : are here so that they
 * cost no program start.
 *   cd [DIR | -]    exit [N]    export [NAME[=VALUE]]...    unset NAME...
 *   shift [N]    break [N]    continue [N]    set [-ex] [--] ARG...    history
 *   eval ARG...    . FILE (source FILE)    return [N] local (funcs.c)    exec (exec.c)
 *   echo [-neE] ARG...    pwd    read [-r] [-p PROMPT] NAME...    true    false    :
 *   test / [ (test.c)    printf (printf.c)    jobs fg bg wait kill (jobs.c)
 *   command type (command.c)    trap (trap.c) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static int builtin_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : var_get("HOME");
	if (!dir)
		dir = "/";
	if (strcmp(dir, "-") == 0) {
		dir = var_get("OLDPWD");
		if (!dir) {
			sh_error("cd: OLDPWD not set");
			return 1;
		}
		puts(dir);
	}
	char old[4096];
	int have_old = getcwd(old, sizeof(old)) != NULL;
	if (chdir(dir) < 0) {
		sh_error("cd: %s: %s", dir, strerror(errno));
		return 1;
	}
	char now[4096];
	if (have_old) {
		var_set("OLDPWD", old);
		var_export("OLDPWD");
	}
	if (getcwd(now, sizeof(now))) {
		var_set("PWD", now);
		var_export("PWD");
	}
	return 0;
}

/* A count argument (break 2, shift 3): *n, or -1 reported. */
static int count_arg(int argc, char **argv, long *n)
{
	char *end;
	*n = 1;
	if (argc < 2)
		return 0;
	*n = strtol(argv[1], &end, 10);
	if (end == argv[1] || *end || *n < 0) {
		sh_error("%s: %s: numeric argument required", argv[0], argv[1]);
		return -1;
	}
	return 0;
}

static int builtin_exit(int argc, char **argv)
{
	long status = sh.last_status;
	if (argc > 1 && count_arg(argc, argv, &status) < 0)
		status = 2;
	fflush(stdout);
	exit((int)status & 0xff);
}

static int builtin_shift(int argc, char **argv)
{
	long n;
	if (count_arg(argc, argv, &n) < 0)
		return 2;
	if (n > sh.argc) {
		sh_error("shift: can't shift that many");
		return 1;
	}
	sh.argv += n;
	sh.argc -= (int)n;
	return 0;
}

/* break/continue N: the loops to leave; the loops themselves (exec.c) count it down. */
static int loop_control(int argc, char **argv, int *counter)
{
	long n;
	if (count_arg(argc, argv, &n) < 0 || n == 0)
		return 1;
	if (sh.loop_depth == 0)
		return 0;   /* POSIX leaves it open; like dash, do nothing */
	*counter = n > sh.loop_depth ? sh.loop_depth : (int)n;
	return 0;
}

static int builtin_break(int argc, char **argv)
{
	return loop_control(argc, argv, &sh.breaking);
}

static int builtin_continue(int argc, char **argv)
{
	return loop_control(argc, argv, &sh.continuing);
}

/* set -e/+e, -x/+x: one option letter string. 0, or -1 reported. */
static int set_options(const char *arg)
{
	int on = arg[0] == '-';
	for (const char *o = arg + 1; *o; o++) {
		if (*o == 'e') {
			sh.errexit = on;
		} else if (*o == 'x') {
			sh.xtrace = on;
		} else {
			sh_error("set: -%c: unknown option (set [-ex] [--] ARG...)", *o);
			return -1;
		}
	}
	return 0;
}

/* set [-ex] [+ex] [--] ARG...: options, then new positional parameters
 * (if any are given, or after --); set alone lists the variables. */
static int builtin_set(int argc, char **argv)
{
	int i = 1;
	if (argc == 1) {
		vars_print_all();
		return 0;
	}
	for (; i < argc && (argv[i][0] == '-' || argv[i][0] == '+') && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (set_options(argv[i]) < 0)
			return 2;
	}
	if (i == argc && strcmp(argv[i - 1], "--"))
		return 0;   /* options only: the arguments stay */
	char **args = calloc((size_t)(argc - i + 1), sizeof(char *));
	if (!args) {
		sh_error("set: out of memory");
		return 1;
	}
	for (int k = i; k < argc; k++)
		args[k - i] = xstrdup(argv[k]);
	sh.argv = args;   /* the old ones stay: they may be the process's own argv */
	sh.argc = argc - i;
	return 0;
}

/* eval ARG...: the arguments joined by spaces, run as a command. */
static int builtin_eval(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *text = sh_alloc(len);
	for (int i = 1; i < argc; i++) {
		strcat(text, argv[i]);
		if (i < argc - 1)
			strcat(text, " ");
	}
	return run_string(text);
}

int sh_source(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 4096, len = 0;
	char *text = sh_alloc(cap);
	ssize_t n;
	while ((n = read(fd, text + len, cap - 1 - len)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			char *bigger = sh_alloc(cap * 2);
			memcpy(bigger, text, len);
			text = bigger;
			cap *= 2;
		}
	}
	close(fd);
	text[len] = '\0';
	return run_string(text);
}

/* . FILE (source FILE): the file's commands, run in this shell. */
static int builtin_dot(int argc, char **argv)
{
	if (argc < 2) {
		sh_error("%s: a file name is needed", argv[0]);
		return 2;
	}
	int status = sh_source(argv[1]);
	if (status < 0) {
		sh_error("%s: %s: %s", argv[0], argv[1], strerror(errno));
		return 1;
	}
	return status;
}

static int builtin_history(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (int i = 0; i < history_count(); i++)
		printf("%5d  %s\n", i + 1, history_get(i));
	return fflush(stdout) == 0 ? 0 : 1;
}

static int builtin_export(int argc, char **argv)
{
	if (argc == 1) {
		vars_print_exported();
		return 0;
	}
	int status = 0;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (!var_name_ok(argv[i], len)) {
			sh_error("export: '%s': not a valid name", argv[i]);
			status = 1;
			continue;
		}
		if (eq) {
			*eq = '\0';
			var_set(argv[i], eq + 1);
		}
		var_export(argv[i]);
	}
	return status;
}

static int builtin_unset(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		var_unset(argv[i]);
	return 0;
}

/* An echo option: all of its letters n, e or E (GNU's rule, as /bin/echo). */
static int echo_option(const char *arg)
{
	return arg[0] == '-' && arg[1] && strspn(arg + 1, "neE") == strlen(arg + 1);
}

/* echo [-neE] ARG...: like /bin/echo (-e: backslash escapes, \c stops). */
static int builtin_echo(int argc, char **argv)
{
	int i = 1, newline = 1, escapes = 0;
	for (; i < argc && echo_option(argv[i]); i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'n')
				newline = 0;
			else
				escapes = *o == 'e';
		}
	}
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		for (const char *s = argv[i]; *s; s++) {
			size_t used = 0;
			if (escapes && s[0] == '\\' && s[1] == 'c')
				return fflush(stdout) == 0 ? 0 : 1;   /* \c: nothing more */
			putchar(escapes && *s == '\\' ? escape(s + 1, &used) : *s);
			s += used;
		}
	}
	if (newline)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}

static int builtin_pwd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char buf[4096];
	if (!getcwd(buf, sizeof(buf))) {
		sh_error("pwd: %s", strerror(errno));
		return 1;
	}
	puts(buf);
	return 0;
}

/* read: one line of standard input, a byte at a time (the rest stays for
 * the next reader), split at blanks into the names; the last takes what
 * is left. Status 1 at end of input with nothing read. */
static int builtin_read(int argc, char **argv)
{
	int i = 1, raw = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-r")) {
			raw = 1;
		} else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			fputs(argv[++i], stderr);   /* the prompt, like bash's read -p */
			fflush(stderr);
		} else {
			break;
		}
	}
	size_t cap = 256, len = 0;
	char *line = sh_alloc(cap);
	char c;
	ssize_t n;
	while ((n = read(0, &c, 1)) == 1 && c != '\n') {
		if (c == '\\' && !raw && read(0, &c, 1) != 1)
			break;
		if (len + 1 == cap) {
			char *bigger = sh_alloc(cap * 2);
			memcpy(bigger, line, len);
			line = bigger;
			cap *= 2;
		}
		line[len++] = c;
	}
	int at_end = n != 1 && len == 0;
	char *p = line;
	for (; i < argc; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		char *value = p;
		if (i < argc - 1) {
			while (*p && *p != ' ' && *p != '\t')
				p++;
			if (*p)
				*p++ = '\0';
		} else {
			size_t end = strlen(value);
			while (end && (value[end - 1] == ' ' || value[end - 1] == '\t'))
				value[--end] = '\0';
		}
		var_set(argv[i], value);
	}
	return at_end ? 1 : 0;
}

static int builtin_true(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int builtin_false(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}

static const struct {
	const char *name;
	builtin_fn fn;
} builtins[] = {
	{ "cd", builtin_cd },       { "exit", builtin_exit }, { "export", builtin_export },
	{ "unset", builtin_unset }, { "echo", builtin_echo }, { "pwd", builtin_pwd },
	{ "read", builtin_read },   { "true", builtin_true }, { "false", builtin_false },
	{ ":", builtin_true },      { "shift", builtin_shift }, { "break", builtin_break },
	{ "continue", builtin_continue }, { "history", builtin_history },
	{ "set", builtin_set },     { "return", builtin_return }, { "eval", builtin_eval },
	{ "local", builtin_local },
	{ ".", builtin_dot },       { "source", builtin_dot }, { "printf", builtin_printf },
	{ "command", builtin_command }, { "type", builtin_type }, { "trap", builtin_trap },
	{ "test", builtin_test },   { "[", builtin_test },    { "jobs", builtin_jobs },
	{ "fg", builtin_fg },       { "bg", builtin_bg },     { "wait", builtin_wait },
	{ "kill", builtin_kill },
};

builtin_fn builtin_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].fn;
	return NULL;
}

void builtin_names_matching(const char *prefix, void (*fn)(void *, const char *), void *arg)
{
	size_t len = strlen(prefix);
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strncmp(builtins[i].name, prefix, len) == 0)
			fn(arg, builtins[i].name);
}
