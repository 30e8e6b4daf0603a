/* uname: prints what the uname system call says about the system.
 *   uname [-asnrvm]   -s kernel name (default), -n node name, -r release,
 *                     -v version, -m machine, -a all of them */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

enum { F_SYSNAME = 1, F_NODENAME = 2, F_RELEASE = 4, F_VERSION = 8, F_MACHINE = 16, F_ALL = 31 };

static const struct {
	char letter;
	int field;
} options[] = {
	{ 's', F_SYSNAME }, { 'n', F_NODENAME }, { 'r', F_RELEASE },
	{ 'v', F_VERSION }, { 'm', F_MACHINE },  { 'a', F_ALL },
};

static int field_of(char letter)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (options[i].letter == letter)
			return options[i].field;
	return 0;
}

int main(int argc, char **argv)
{
	int want = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1]) {
			fprintf(stderr, "uname: extra operand '%s'\nusage: uname [-asnrvm]\n", argv[i]);
			return 1;
		}
		for (const char *c = argv[i] + 1; *c; c++) {
			int f = field_of(*c);
			if (!f) {
				fprintf(stderr, "uname: invalid option -- '%c'\nusage: uname [-asnrvm]\n", *c);
				return 1;
			}
			want |= f;
		}
	}
	if (!want)
		want = F_SYSNAME;
	struct utsname u;
	if (uname(&u) < 0) {
		perror("uname");
		return 1;
	}
	const char *values[] = { u.sysname, u.nodename, u.release, u.version, u.machine };
	const char *sep = "";
	for (int i = 0; i < 5; i++) {
		if (want & (1 << i)) {
			printf("%s%s", sep, values[i]);
			sep = " ";
		}
	}
	putchar('\n');
	return 0;
}
