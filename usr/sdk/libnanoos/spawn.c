/* spawn.c: posix_spawn and posix_spawnp as fork + exec.
 *
 * The child applies the attributes (process group, signal mask, default
 * signals) and the file actions (open, close, dup2) in order, then execs.
 * If any step fails it writes its errno into a close-on-exec pipe and exits
 * 127; the parent reads that pipe: end-of-file means exec succeeded, four
 * bytes are the error, which posix_spawn returns after reaping the child. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum spawn_action_kind { ACTION_OPEN, ACTION_CLOSE, ACTION_DUP2 };

struct spawn_action {
	enum spawn_action_kind kind;
	int fd, newfd, oflag;
	mode_t mode;
	char *path;
	struct spawn_action *next;
};

struct __posix_spawn_file_actions {
	struct spawn_action *head, *tail;
};

struct __posix_spawnattr {
	short flags;
	pid_t pgroup;
	sigset_t sigmask, sigdefault;
	int policy;
	struct sched_param param;
};

/* ---------------------------------------------------------------- file actions */

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	*fa = calloc(1, sizeof(**fa));
	return *fa ? 0 : ENOMEM;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	for (struct spawn_action *a = (*fa)->head, *next; a; a = next) {
		next = a->next;
		free(a->path);
		free(a);
	}
	free(*fa);
	*fa = NULL;
	return 0;
}

static int add_action(posix_spawn_file_actions_t *fa, struct spawn_action *model)
{
	if (model->fd < 0 || (model->kind == ACTION_DUP2 && model->newfd < 0))
		return EBADF;
	struct spawn_action *a = malloc(sizeof(*a));
	if (!a)
		return ENOMEM;
	*a = *model;
	a->next = NULL;
	if ((*fa)->tail)
		(*fa)->tail->next = a;
	else
		(*fa)->head = a;
	(*fa)->tail = a;
	return 0;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *__restrict fa, int fd,
				     const char *__restrict path, int oflag, mode_t mode)
{
	struct spawn_action a = { .kind = ACTION_OPEN, .fd = fd, .oflag = oflag, .mode = mode };
	if (!(a.path = strdup(path)))
		return ENOMEM;
	int r = add_action(fa, &a);
	if (r)
		free(a.path);
	return r;
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	struct spawn_action a = { .kind = ACTION_CLOSE, .fd = fd };
	return add_action(fa, &a);
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	struct spawn_action a = { .kind = ACTION_DUP2, .fd = fd, .newfd = newfd };
	return add_action(fa, &a);
}

/* ---------------------------------------------------------------- attributes */

int posix_spawnattr_init(posix_spawnattr_t *attr)
{
	*attr = calloc(1, sizeof(**attr));
	return *attr ? 0 : ENOMEM;
}

int posix_spawnattr_destroy(posix_spawnattr_t *attr)
{
	free(*attr);
	*attr = NULL;
	return 0;
}

int posix_spawnattr_getflags(const posix_spawnattr_t *__restrict a, short *__restrict f)
{
	*f = (*a)->flags;
	return 0;
}

int posix_spawnattr_setflags(posix_spawnattr_t *a, short flags)
{
	(*a)->flags = flags;
	return 0;
}

int posix_spawnattr_getpgroup(const posix_spawnattr_t *__restrict a, pid_t *__restrict p)
{
	*p = (*a)->pgroup;
	return 0;
}

int posix_spawnattr_setpgroup(posix_spawnattr_t *a, pid_t pgroup)
{
	(*a)->pgroup = pgroup;
	return 0;
}

int posix_spawnattr_getsigmask(const posix_spawnattr_t *__restrict a, sigset_t *__restrict s)
{
	*s = (*a)->sigmask;
	return 0;
}

int posix_spawnattr_setsigmask(posix_spawnattr_t *__restrict a, const sigset_t *__restrict s)
{
	(*a)->sigmask = *s;
	return 0;
}

int posix_spawnattr_getsigdefault(const posix_spawnattr_t *__restrict a, sigset_t *__restrict s)
{
	*s = (*a)->sigdefault;
	return 0;
}

int posix_spawnattr_setsigdefault(posix_spawnattr_t *__restrict a, const sigset_t *__restrict s)
{
	(*a)->sigdefault = *s;
	return 0;
}

int posix_spawnattr_getschedpolicy(const posix_spawnattr_t *__restrict a, int *__restrict p)
{
	*p = (*a)->policy;
	return 0;
}

int posix_spawnattr_setschedpolicy(posix_spawnattr_t *a, int policy)
{
	(*a)->policy = policy;
	return 0;
}

int posix_spawnattr_getschedparam(const posix_spawnattr_t *__restrict a,
				  struct sched_param *__restrict p)
{
	*p = (*a)->param;
	return 0;
}

int posix_spawnattr_setschedparam(posix_spawnattr_t *__restrict a,
				  const struct sched_param *__restrict p)
{
	(*a)->param = *p;
	return 0;
}

/* ---------------------------------------------------------------- the child */

static int apply_attr(const struct __posix_spawnattr *a)
{
	if (a->flags & (POSIX_SPAWN_SETSCHEDULER | POSIX_SPAWN_SETSCHEDPARAM))
		return ENOTSUP;   /* NanoOs has one scheduling policy */
	if ((a->flags & POSIX_SPAWN_SETPGROUP) && setpgid(0, a->pgroup) < 0)
		return errno;
	if (a->flags & POSIX_SPAWN_SETSIGDEF)
		for (int sig = 1; sig < NSIG; sig++)
			if (sigismember(&a->sigdefault, sig) == 1 && sig != SIGKILL &&
			    sig != SIGSTOP)
				signal(sig, SIG_DFL);
	if ((a->flags & POSIX_SPAWN_SETSIGMASK) &&
	    sigprocmask(SIG_SETMASK, &a->sigmask, NULL) < 0)
		return errno;
	/* POSIX_SPAWN_RESETIDS: real and effective ids never differ here. */
	return 0;
}

static int apply_action(const struct spawn_action *a)
{
	switch (a->kind) {
	case ACTION_CLOSE:
		if (close(a->fd) < 0 && errno != EBADF)
			return errno;
		return 0;
	case ACTION_DUP2:
		return dup2(a->fd, a->newfd) < 0 ? errno : 0;
	case ACTION_OPEN: {
		int fd = open(a->path, a->oflag, a->mode);
		if (fd < 0)
			return errno;
		if (fd != a->fd) {
			int r = dup2(fd, a->fd) < 0 ? errno : 0;
			close(fd);
			return r;
		}
		return 0;
	}
	}
	return EINVAL;
}

static void run_child(int report_fd, const char *path, const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[], char *const envp[],
		      int use_path)
{
	int err = attr && *attr ? apply_attr(*attr) : 0;
	for (const struct spawn_action *a = fa && *fa ? (*fa)->head : NULL; a && !err; a = a->next)
		err = apply_action(a);
	if (!err) {
		if (use_path)
			execvpe(path, argv, envp);
		else
			execve(path, argv, envp);
		err = errno;
	}
	while (write(report_fd, &err, sizeof(err)) < 0 && errno == EINTR)
		;
	_exit(127);
}

static int spawn(pid_t *__restrict pid, const char *__restrict path,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *__restrict attr,
		 char *const argv[], char *const envp[], int use_path)
{
	int report[2];
	if (pipe2(report, O_CLOEXEC) < 0)
		return errno;
	pid_t child = fork();
	if (child < 0) {
		int err = errno;
		close(report[0]);
		close(report[1]);
		return err;
	}
	if (child == 0) {
		close(report[0]);
		run_child(report[1], path, fa, attr, argv, envp, use_path);
	}
	close(report[1]);
	int err = 0;
	ssize_t n;
	while ((n = read(report[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(report[0]);
	if (n == (ssize_t)sizeof(err) && err) {
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return err;
	}
	if (pid)
		*pid = child;
	return 0;
}

int posix_spawn(pid_t *__restrict pid, const char *__restrict path,
		const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *__restrict attr,
		char *const argv[], char *const envp[])
{
	return spawn(pid, path, fa, attr, argv, envp, 0);
}

int posix_spawnp(pid_t *__restrict pid, const char *__restrict file,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *__restrict attr,
		 char *const argv[], char *const envp[])
{
	return spawn(pid, file, fa, attr, argv, envp, 1);
}
