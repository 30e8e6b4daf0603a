/* ps: lists the processes of the instance.
 *   ps [-l]
 * PID PPID USER STAT CMD for every process (NanoOs's table is public, as
 * /proc is on Linux); -l adds PGID, SID and the instructions run. */
#define TOOL "ps"
#include "lib/tool.h"

#include <nanoos.h>

static int long_format;

static void on_option(int c, char *arg)
{
	(void)c;
	(void)arg;
	long_format = 1;
}

/* The whole table: grow the buffer until it holds every entry. */
static struct nanoos_ps_entry *read_table(int *count)
{
	unsigned max = 64;
	struct nanoos_ps_entry *ents = NULL;

	for (;;) {
		ents = tool_realloc(ents, max * sizeof(*ents));
		int n = nanoos_ps(ents, max);
		if (n < 0) {
			tool_warn("cannot read the process table: %s", strerror(errno));
			exit(1);
		}
		if ((unsigned)n < max) {
			*count = n;
			return ents;
		}
		max *= 2;
	}
}

int main(int argc, char **argv)
{
	if (tool_options(argc, argv, "l", on_option, "ps [-l]", 1) > 0)
		tool_usage("ps [-l]", 1);
	int n;
	struct nanoos_ps_entry *ents = read_table(&n);
	if (long_format)
		printf("%5s %5s %5s %5s %-8s %4s %12s %s\n", "PID", "PPID", "PGID", "SID",
		       "USER", "STAT", "INSTR", "CMD");
	else
		printf("%5s %5s %-8s %4s %s\n", "PID", "PPID", "USER", "STAT", "CMD");
	for (int i = 0; i < n; i++) {
		const struct nanoos_ps_entry *e = &ents[i];
		char user[33];
		if (e->user[0])
			snprintf(user, sizeof(user), "%.32s", e->user);
		else
			snprintf(user, sizeof(user), "%u", (unsigned)e->uid);
		if (long_format)
			printf("%5u %5u %5u %5u %-8s %4c %12llu %.47s\n", (unsigned)e->pid,
			       (unsigned)e->ppid, (unsigned)e->pgid, (unsigned)e->sid, user,
			       e->state, (unsigned long long)e->instret, e->cmd);
		else
			printf("%5u %5u %-8s %4c %.47s\n", (unsigned)e->pid, (unsigned)e->ppid, user,
			       e->state, e->cmd);
	}
	free(ents);
	tool_exit(0);
}
