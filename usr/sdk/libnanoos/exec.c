/* exec.c: execve (221) and the exec family built on it. execvp searches
 * PATH (default "/bin", NanoOs's one program directory); a file the kernel
 * refuses as not executable (ENOEXEC) is run as a script by /bin/sh if it
 * is text (a binary for another machine stays ENOEXEC). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys.h"

#define DEFAULT_PATH "/bin"
#define SHELL_PATH "/bin/sh"
#define MAX_EXEC_ARGS 1024

int execve(const char *path, char *const argv[], char *const envp[])
{
	return sys_result(sys3(SYS_execve, path, argv, envp));
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* ENOEXEC: hand the file to the shell as a script, as POSIX asks. */
static void exec_script(const char *path, char *const argv[], char *const envp[])
{
	int argc = 0;
	while (argv[argc] && argc < MAX_EXEC_ARGS)
		argc++;
	char *sh_argv[MAX_EXEC_ARGS + 2];
	sh_argv[0] = (char *)SHELL_PATH;
	sh_argv[1] = (char *)path;
	for (int i = 1; i <= argc; i++)
		sh_argv[i + 1] = argv[i];
	sh_argv[argc + 1] = NULL;
	execve(SHELL_PATH, sh_argv, envp);
}

/* A text file, not a binary of another machine: no NUL byte in its first
 * line (as shells judge it before running a file as a script). */
static int looks_like_script(const char *path)
{
	char head[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, head, sizeof(head));
	close(fd);
	for (ssize_t i = 0; i < n && head[i] != '\n'; i++)
		if (head[i] == '\0')
			return 0;
	return n >= 0;
}

static void exec_one(const char *path, char *const argv[], char *const envp[])
{
	execve(path, argv, envp);
	if (errno == ENOEXEC && looks_like_script(path)) {
		exec_script(path, argv, envp);
		errno = ENOEXEC;
	}
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	if (!*file) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/')) {
		exec_one(file, argv, envp);
		return -1;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	size_t flen = strlen(file);
	int saw_eacces = 0;
	for (const char *dir = path;; dir++) {
		const char *end = strchrnul(dir, ':');
		size_t dlen = (size_t)(end - dir);
		char full[dlen + flen + 2];
		memcpy(full, dir, dlen);
		full[dlen] = '/';
		memcpy(full + dlen + (dlen > 0), file, flen + 1);
		exec_one(dlen ? full : file, argv, envp);
		if (errno == EACCES)
			saw_eacces = 1;
		else if (errno != ENOENT && errno != ENOTDIR)
			return -1;
		if (!*end)
			break;
		dir = end;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	return -1;
}

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* execl/execlp/execle: the variadic arguments become an argv array. */
static int collect_args(const char *arg0, va_list ap, char **argv, char ***envp_out)
{
	int n = 0;
	argv[n++] = (char *)arg0;
	while (arg0 && n < MAX_EXEC_ARGS && (argv[n] = va_arg(ap, char *)))
		n++;
	if (n >= MAX_EXEC_ARGS) {
		errno = E2BIG;
		return -1;
	}
	argv[n] = NULL;
	if (envp_out)
		*envp_out = va_arg(ap, char **);
	return 0;
}

int execl(const char *path, const char *arg0, ...)
{
	char *argv[MAX_EXEC_ARGS + 1];
	va_list ap;
	va_start(ap, arg0);
	int r = collect_args(arg0, ap, argv, NULL);
	va_end(ap);
	return r < 0 ? -1 : execv(path, argv);
}

int execlp(const char *file, const char *arg0, ...)
{
	char *argv[MAX_EXEC_ARGS + 1];
	va_list ap;
	va_start(ap, arg0);
	int r = collect_args(arg0, ap, argv, NULL);
	va_end(ap);
	return r < 0 ? -1 : execvp(file, argv);
}

int execle(const char *path, const char *arg0, ...)
{
	char *argv[MAX_EXEC_ARGS + 1];
	char **envp;
	va_list ap;
	va_start(ap, arg0);
	int r = collect_args(arg0, ap, argv, &envp);
	va_end(ap);
	return r < 0 ? -1 : execve(path, argv, envp);
}
