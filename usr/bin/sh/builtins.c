/* builtins.c: commands the shell runs itself. cd, exit, export and unset
 * must (they change the shell); echo, pwd, read, true, false and : are here
 * so that they cost no program start.
 *   cd [DIR | -]    exit [N]    export [NAME[=VALUE]]...    unset NAME...
 *   echo [-n] ARG...    pwd    read [-r] NAME...    true    false    : */
#include <errno.h>
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

static int builtin_exit(int argc, char **argv)
{
	int status = argc > 1 ? atoi(argv[1]) : sh.last_status;
	exit(status & 0xff);
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

static int builtin_echo(int argc, char **argv)
{
	int i = 1, newline = 1;
	for (; i < argc && strcmp(argv[i], "-n") == 0; i++)
		newline = 0;
	for (int first = i; i < argc; i++)
		printf("%s%s", i > first ? " " : "", argv[i]);
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
	if (i < argc && strcmp(argv[i], "-r") == 0) {
		raw = 1;
		i++;
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
	{ ":", builtin_true },
};

builtin_fn builtin_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].fn;
	return NULL;
}
