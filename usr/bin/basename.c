/* basename: prints NAME without its leading directories, and without
 * SUFFIX when it ends with it (and is not all SUFFIX).
 *   basename NAME [SUFFIX]
 *   basename -a [-s SUFFIX] NAME...
 * Trailing slashes are ignored; "/" stays "/"; "" prints an empty line. */
#define TOOL "basename"
#include "lib/tool.h"

#define USAGE "basename NAME [SUFFIX] | basename -a [-s SUFFIX] NAME..."

static void print_base(const char *name, const char *suffix)
{
	size_t end = strlen(name);
	while (end > 1 && name[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && name[start - 1] != '/')
		start--;
	if (end == 1 && name[0] == '/')
		start = 0;              /* "/" (or "///") is its own base name */
	size_t len = end - start, s = suffix ? strlen(suffix) : 0;
	if (s && s < len && memcmp(name + end - s, suffix, s) == 0)
		len -= s;
	printf("%.*s\n", (int)len, name + start);
}

static int multiple;
static const char *suffix;

static void on_option(int c, char *arg)
{
	multiple = 1;
	if (c == 's')
		suffix = arg;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "as:", on_option, USAGE, 1);
	if (n < 1) {
		tool_warn("missing operand");
		tool_usage(USAGE, 1);
	}
	if (!multiple && n > 2) {
		tool_warn("extra operand '%s'", argv[3]);
		tool_usage(USAGE, 1);
	}
	if (!multiple) {
		print_base(argv[1], n == 2 ? argv[2] : NULL);
		tool_exit(0);
	}
	for (int i = 1; i <= n; i++)
		print_base(argv[i], suffix);
	tool_exit(0);
}
