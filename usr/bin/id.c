/* id: prints who the process runs as.
 *   id [-u | -g | -G] [-n] [USER]
 * "uid=0(root) gid=0(root) groups=0(root)" by default; -u, -g, -G print
 * just the uid, the gid or the groups, -n their names. NanoOs processes
 * have one group (their gid); group names come from /etc/group. */
#define TOOL "id"
#include "lib/tool.h"

#include <nanoos.h>
#include <pwd.h>

#define USAGE "id [-u | -g | -G] [-n] [USER]"

static char which;                      /* 'u', 'g', 'G' or 0: everything */
static int names;

static void on_option(int c, char *arg)
{
	(void)arg;
	if (c == 'n')
		names = 1;
	else
		which = (char)c;
}

/* The name of group gid from /etc/group (name:x:gid:members), or NULL. */
static const char *group_name(unsigned gid)
{
	static char line[256];
	FILE *f = fopen("/etc/group", "r");
	const char *found = NULL;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *gid_field;
		if (!colon || !(gid_field = strchr(colon + 1, ':')))
			continue;
		*colon = 0;
		char *end;
		unsigned long v = strtoul(gid_field + 1, &end, 10);
		if (end != gid_field + 1 && *end == ':' && v == gid)
			found = line;
	}
	if (f)
		fclose(f);
	return found;
}

/* "N(name)", or "N" when the id has no name. */
static void print_id(const char *label, unsigned id, const char *name)
{
	printf("%s%u", label, id);
	if (name)
		printf("(%s)", name);
}

static void print_one(unsigned id, const char *name)
{
	if (names && name)
		puts(name);
	else
		printf("%u\n", id);
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "ugGn", on_option, USAGE, 1);
	unsigned uid = getuid(), gid = getgid();
	struct nanoos_account acct;
	const char *user = NULL;

	if (n > 1)
		tool_usage(USAGE, 1);
	if (n == 1) {
		if (nanoos_getpw(argv[1], 0, &acct) < 0) {
			tool_warn("'%s': no such user", argv[1]);
			return 1;
		}
		uid = acct.uid;
		gid = acct.gid;
		user = acct.name;
	} else if (nanoos_getpw(NULL, uid, &acct) == 0) {
		user = acct.name;
	}
	const char *gname = group_name(gid);
	if (which == 'u')
		print_one(uid, user);
	else if (which == 'g' || which == 'G')
		print_one(gid, gname);
	else {
		print_id("uid=", uid, user);
		print_id(" gid=", gid, gname);
		print_id(" groups=", gid, gname);
		putchar('\n');
	}
	tool_exit(0);
}
