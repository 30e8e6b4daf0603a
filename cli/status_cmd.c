/*
 * status_cmd.c: `nanoos status`: what the running daemon serves and uses
 * (CTL_MSG_STATUS): image, pid, uptime, processes, sessions, memory and
 * the volume's space.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/status_cmd.h"

#define CMD "status"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos status\n\n"
	        "Show the running NanoOs daemon: its image, pid, socket and uptime, the\n"
	        "processes and sessions it hosts, the memory its guests use, and the\n"
	        "volume's used and free space. Exits 1 when no daemon runs.\n");
}

static void uptime_text(uint64_t started, char *out, size_t n)
{
	uint64_t now = (uint64_t)time(NULL), s = now > started ? now - started : 0;

	if (s >= 86400)
		snprintf(out, n, "%llud %lluh %llum", (unsigned long long)(s / 86400),
		         (unsigned long long)(s % 86400 / 3600), (unsigned long long)(s % 3600 / 60));
	else if (s >= 3600)
		snprintf(out, n, "%lluh %llum", (unsigned long long)(s / 3600),
		         (unsigned long long)(s % 3600 / 60));
	else
		snprintf(out, n, "%llum %llus", (unsigned long long)(s / 60),
		         (unsigned long long)(s % 60));
}

static void print_status(const struct client *c, const struct ctl_status *st)
{
	char up[64], mem[16], rss[16], used[16], total[16], avail[16];
	uint64_t vol_used = st->vol_total > st->vol_free ? st->vol_total - st->vol_free : 0;

	uptime_text(st->started, up, sizeof(up));
	cli_human(st->mem_used, mem, sizeof(mem));
	cli_human(st->rss, rss, sizeof(rss));
	cli_human(vol_used, used, sizeof(used));
	cli_human(st->vol_total, total, sizeof(total));
	cli_human(st->vol_free, avail, sizeof(avail));
	printf("image:      %.*s\n", (int)st->image_len, st->image);
	printf("daemon:     pid %u, nanoosd %.*s (client protocol %u), up %s\n", st->pid,
	       (int)st->version_len, st->version ? st->version : "", CTL_VERSION, up);
	printf("socket:     %s (you are `%s`)\n", c->path, c->account);
	printf("processes:  %u\n", st->procs);
	printf("sessions:   %u\n", st->sessions);
	printf("workers:    %u\n", st->workers);
	printf("memory:     %s in guests, %s resident in the daemon\n", mem, rss);
	printf("volume:     %s used of %s, %s free (%u%% used)\n", used, total, avail,
	       st->vol_total ? (unsigned)(vol_used * 100 / st->vol_total) : 0);
}

int status_main(int argc, char **argv)
{
	struct ctl_status q;
	union ctl_payload r;
	struct client c;
	int rc;

	if (argc > 1) {
		int help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;

		usage(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	if (client_require(&c, CMD))
		return 1;
	memset(&q, 0, sizeof(q));
	rc = client_call(&c, CMD, CTL_MSG_STATUS, &q, sizeof(q), &r);
	if (rc >= 0)
		print_status(&c, &r.status);
	client_close(&c);
	return rc < 0;
}
