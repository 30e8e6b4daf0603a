/* vars.c: shell variables. Each has a value and an exported flag; the
 * exported ones make the environment of the commands the shell runs. The
 * shell starts with its own environment, all exported. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct var {
	char *name;
	char *value;
	int exported;
};

static struct var *vars;
static int nvars, capvars;

static struct var *find(const char *name)
{
	for (int i = 0; i < nvars; i++)
		if (strcmp(vars[i].name, name) == 0)
			return &vars[i];
	return NULL;
}

static struct var *find_or_add(const char *name)
{
	struct var *v = find(name);
	if (v)
		return v;
	if (nvars == capvars) {
		capvars = capvars ? capvars * 2 : 32;
		vars = realloc(vars, (size_t)capvars * sizeof(*vars));
		if (!vars) {
			fputs("sh: out of memory\n", stderr);
			exit(2);
		}
	}
	v = &vars[nvars++];
	v->name = xstrdup(name);
	v->value = NULL;
	v->exported = 0;
	return v;
}

int var_name_ok(const char *s, size_t len)
{
	if (len == 0 || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_' && !isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

void vars_import(char **envp)
{
	for (char **e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq || !var_name_ok(*e, (size_t)(eq - *e)))
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
		var_set(name, eq + 1);
		var_export(name);
	}
}

const char *var_get(const char *name)
{
	struct var *v = find(name);
	return v ? v->value : NULL;
}

void var_set(const char *name, const char *value)
{
	struct var *v = find_or_add(name);
	free(v->value);
	v->value = xstrdup(value);
}

void var_export(const char *name)
{
	struct var *v = find_or_add(name);
	if (!v->value)
		v->value = xstrdup("");
	v->exported = 1;
}

void var_unset(const char *name)
{
	struct var *v = find(name);
	if (!v)
		return;
	free(v->name);
	free(v->value);
	*v = vars[--nvars];
}

/* Whether one of the NAME=VALUE strings in extra sets name. */
static int overridden(const char *name, char **extra, int nextra)
{
	size_t len = strlen(name);
	for (int i = 0; i < nextra; i++)
		if (strncmp(extra[i], name, len) == 0 && extra[i][len] == '=')
			return 1;
	return 0;
}

char **vars_environ(char **extra, int nextra)
{
	char **env = sh_alloc((size_t)(nvars + nextra + 1) * sizeof(char *));
	int n = 0;
	for (int i = 0; i < nvars; i++) {
		if (!vars[i].exported || overridden(vars[i].name, extra, nextra))
			continue;
		size_t len = strlen(vars[i].name) + strlen(vars[i].value) + 2;
		env[n] = sh_alloc(len);
		snprintf(env[n++], len, "%s=%s", vars[i].name, vars[i].value);
	}
	for (int i = 0; i < nextra; i++)
		env[n++] = extra[i];
	return env;
}

void vars_print_exported(void)
{
	for (int i = 0; i < nvars; i++)
		if (vars[i].exported)
			printf("export %s='%s'\n", vars[i].name, vars[i].value);
}

void vars_print_all(void)
{
	for (int i = 0; i < nvars; i++)
		printf("%s='%s'\n", vars[i].name, vars[i].value);
}
