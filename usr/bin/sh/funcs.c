/* funcs.c: shell functions. `NAME() COMPOUND` stores the body (its tree
 * stays in the arena for good: sh_arena_keep); calling NAME runs it in the
 * shell with the call's words as $1.. ($0 stays), and `return [N]` leaves
 * it. `local NAME[=VALUE]...` gives a variable back its old value (or
 * unsets it again) when the function returns. A function is looked up
 * before the builtins and PATH. */
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct func {
	char *name;
	const struct node *body;
	struct func *next;
};

static struct func *funcs;

/* What `local` saved in the running function. */
struct saved_var {
	char *name, *value;      /* value NULL: it was unset */
	struct saved_var *next;
};

struct frame {
	struct saved_var *saved;
};

static struct frame *frame;

static void restore_locals(struct frame *f)
{
	while (f->saved) {
		struct saved_var *v = f->saved;
		f->saved = v->next;
		if (v->value)
			var_set(v->name, v->value);
		else
			var_unset(v->name);
		free(v->name);
		free(v->value);
		free(v);
	}
}

static int saved_already(const struct frame *f, const char *name)
{
	for (const struct saved_var *v = f->saved; v; v = v->next)
		if (!strcmp(v->name, name))
			return 1;
	return 0;
}

int builtin_local(int argc, char **argv)
{
	if (!frame) {
		sh_error("local: not in a function");
		return 1;
	}
	int status = 0;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		size_t len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		if (!var_name_ok(argv[i], len)) {
			sh_error("local: '%s': not a valid name", argv[i]);
			status = 1;
			continue;
		}
		char *name = sh_strndup(argv[i], len);
		if (!saved_already(frame, name)) {
			struct saved_var *v = malloc(sizeof(*v));
			if (!v) {
				sh_error("out of memory");
				exit(2);
			}
			const char *old = var_get(name);
			v->name = xstrdup(name);
			v->value = old ? xstrdup(old) : NULL;
			v->next = frame->saved;
			frame->saved = v;
		}
		if (eq)
			var_set(name, eq + 1);
	}
	return status;
}

void func_define(const char *name, const struct node *body)
{
	sh_arena_keep();
	for (struct func *f = funcs; f; f = f->next) {
		if (!strcmp(f->name, name)) {
			f->body = body;   /* the old tree stays: it may be running */
			return;
		}
	}
	struct func *f = malloc(sizeof(*f));
	if (!f) {
		sh_error("out of memory");
		exit(2);
	}
	f->name = xstrdup(name);
	f->body = body;
	f->next = funcs;
	funcs = f;
}

const struct node *func_find(const char *name)
{
	for (struct func *f = funcs; f; f = f->next)
		if (!strcmp(f->name, name))
			return f->body;
	return NULL;
}

/* Deeper calls would run the guest's stack out: stop before that. */
#define FUNC_DEPTH_MAX 200

int func_call(const struct node *body, int argc, char **argv)
{
	if (sh.func_depth >= FUNC_DEPTH_MAX) {
		sh_error("%s: functions nested too deep (%d)", argv[0], FUNC_DEPTH_MAX);
		return 2;
	}
	char **saved_argv = sh.argv;
	int saved_argc = sh.argc, saved_loops = sh.loop_depth;
	sh.argv = argv + 1;
	sh.argc = argc - 1;
	sh.loop_depth = 0;   /* break in a function does not reach the caller's loop */
	sh.func_depth++;
	struct frame mine = { NULL }, *caller = frame;
	frame = &mine;
	int status = exec_node(body);
	restore_locals(&mine);
	frame = caller;
	if (sh.returning) {
		status = sh.last_status;
		sh.returning = 0;
	}
	sh.func_depth--;
	sh.loop_depth = saved_loops;
	sh.argv = saved_argv;
	sh.argc = saved_argc;
	return status;
}

int builtin_return(int argc, char **argv)
{
	if (sh.func_depth == 0) {
		sh_error("return: not in a function");
		return 1;
	}
	int status = argc > 1 ? atoi(argv[1]) & 0xff : sh.last_status;
	sh.returning = 1;
	sh.last_status = status;
	return status;
}
