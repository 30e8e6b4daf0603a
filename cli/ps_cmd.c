/*
 * ps_cmd.c: `nanoos ps [-a]`: the daemon's process table (CTL_MSG_PS,
 * paged), one line a guest: PID PPID PGID USER STATE START INSTR CMD.
 * Without -a only the processes of the NanoOs account we are (the
 * daemon's HELLO says which).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_util.h"
#include "cli/client.h"
#include "cli/ps_cmd.h"
#include "kproc/le.h"

#define CMD "ps"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: nanoos ps [-a]\n\n"
	        "The NanoOs daemon's processes: PID PPID PGID USER STATE START INSTR CMD.\n"
	        "STATE is R (running), S (sleeping), T (stopped) or Z (exited, not yet\n"
	        "waited for); INSTR counts the instructions it ran.\n"
	        "  -a, --all    every account's processes (default: your account's)\n");
}

static void field(const uint8_t *rec, unsigned off, unsigned len, char *out)
{
	memcpy(out, rec + off, len);
	out[len] = 0;
}

/* START as ps prints it: the time today, else the day. */
static void start_text(uint32_t start, char *out, size_t n)
{
	time_t t = (time_t)start, now = time(NULL);
	struct tm tm;

	if (!start) {
		snprintf(out, n, "-");
		return;
	}
	localtime_r(&t, &tm);
	strftime(out, n, now - t < 24 * 3600 ? "%H:%M" : "%b%d", &tm);
}

/* Instructions in thousands (K), millions (M), billions (G). */
static void count_text(uint64_t v, char *out, size_t n)
{
	static const char units[] = " KMGT";
	int u = 0;

	while (v >= 100000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u)
		snprintf(out, n, "%llu%c", (unsigned long long)v, units[u]);
	else
		snprintf(out, n, "%llu", (unsigned long long)v);
}

static void print_rec(const uint8_t *rec)
{
	char user[33], cmd[48], start[16], instr[24];

	field(rec, CTL_PS_USER, 32, user);
	field(rec, CTL_PS_CMD, 47, cmd);
	start_text(ld_32(rec + CTL_PS_START), start, sizeof(start));
	count_text(ld_64(rec + CTL_PS_INSTRET), instr, sizeof(instr));
	printf("%5u %5u %5u %-8s %c     %-5s %7s %s\n", ld_32(rec + CTL_PS_PID),
	       ld_32(rec + CTL_PS_PPID), ld_32(rec + CTL_PS_PGID), user,
	       rec[CTL_PS_STATE] ? rec[CTL_PS_STATE] : '?', start, instr, cmd);
}

static int mine(const uint8_t *rec, const char *account)
{
	return strncmp((const char *)rec + CTL_PS_USER, account, 32) == 0;
}

/* Print the table, page by page. 0 or 1 (said why). */
static int list(struct client *c, int all)
{
	uint32_t skip = 0;

	printf("%5s %5s %5s %-8s %-5s %-5s %7s %s\n", "PID", "PPID", "PGID", "USER", "STATE",
	       "START", "INSTR", "CMD");
	for (;;) {
		struct ctl_ps q;
		union ctl_payload r;
		uint32_t n, i;

		memset(&q, 0, sizeof(q));
		q.skip = skip;
		if (client_call(c, CMD, CTL_MSG_PS, &q, sizeof(q), &r) < 0)
			return 1;
		n = r.ps.recs_len / CTL_PS_REC;
		for (i = 0; i < n; i++) {
			const uint8_t *rec = (const uint8_t *)r.ps.recs + i * CTL_PS_REC;

			if (all || !c->account[0] || mine(rec, c->account))
				print_rec(rec);
		}
		skip += n;
		if (!n || skip >= r.ps.total)
			return 0;
	}
}

int ps_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct client c;
	int all = 0, ch, rc;

	while ((ch = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		if (ch == 'a') {
			all = 1;
		} else if (ch == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_error(CMD, argv[optind], "unexpected; `nanoos ps -a` lists every process");
		return 2;
	}
	if (client_require(&c, CMD))
		return 1;
	rc = list(&c, all);
	client_close(&c);
	return rc;
}
