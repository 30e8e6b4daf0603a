/* uname: prints what the uname system call says about the system.
 *   uname [-asnrvmpio]
 *     -s  kernel name (the default)   -n  node name     -r  release
 *     -v  version                     -m  machine
 *     -p  processor, -i  hardware platform: "unknown" (left out of -a,
 *         as GNU's uname leaves them out when unknown)
 *     -o  operating system: the kernel name (NanoOs) -- GNU's prints a
 *         constant of its build ("GNU/Linux"); ours says what it runs on
 *     -a  all of s n r v m (not o: it would repeat s)
 * Fields print in that fixed order, whatever the order of the options. */
#define TOOL "uname"
#include "lib/tool.h"
#include <sys/utsname.h>

#define USAGE "uname [-asnrvmpio]"

enum {
	F_SYSNAME = 1, F_NODENAME = 2, F_RELEASE = 4, F_VERSION = 8, F_MACHINE = 16,
	F_PROCESSOR = 32, F_PLATFORM = 64, F_OS = 128,
	F_ALL = F_SYSNAME | F_NODENAME | F_RELEASE | F_VERSION | F_MACHINE,
};

static const struct {
	char letter;
	int field;
} options[] = {
	{ 's', F_SYSNAME }, { 'n', F_NODENAME },  { 'r', F_RELEASE },  { 'v', F_VERSION },
	{ 'm', F_MACHINE }, { 'p', F_PROCESSOR }, { 'i', F_PLATFORM }, { 'o', F_OS },
	{ 'a', F_ALL },
};

static int want;

static void on_option(int c, char *arg)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (options[i].letter == c)
			want |= options[i].field;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "snrvmpioa", on_option, USAGE, 1);
	if (n > 0) {
		tool_warn("extra operand '%s'", argv[1]);
		tool_usage(USAGE, 1);
	}
	if (!want)
		want = F_SYSNAME;
	struct utsname u;
	if (uname(&u) < 0) {
		tool_warn("cannot get system name: %s", strerror(errno));
		return 1;
	}
	const char *values[] = { u.sysname, u.nodename, u.release, u.version, u.machine,
	                         "unknown", "unknown", u.sysname };
	const char *sep = "";
	for (int i = 0; i < 8; i++) {
		if (want & (1 << i)) {
			printf("%s%s", sep, values[i]);
			sep = " ";
		}
	}
	putchar('\n');
	tool_exit(0);
}
