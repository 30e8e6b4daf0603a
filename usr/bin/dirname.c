/* dirname: prints each NAME without its last component.
 *   dirname NAME...
 *   dirname -z NAME...   each ends with a NUL instead of a newline
 * "a/b/" -> "a"; "a" -> "."; "/a" -> "/"; "/" -> "/"; "//a//b//" -> "//a". */
#define TOOL "dirname"
#include "lib/tool.h"

#define USAGE "dirname [-z] NAME..."

static char end_char = '\n';

static void print_dir(const char *name)
{
	size_t end = strlen(name);
	while (end > 1 && name[end - 1] == '/')      /* trailing slashes */
		end--;
	while (end > 0 && name[end - 1] != '/')      /* the last component */
		end--;
	if (end == 0) {
		printf("%s%c", name[0] == '/' ? "/" : ".", end_char);
		return;
	}
	while (end > 1 && name[end - 1] == '/')      /* the slashes before it */
		end--;
	printf("%.*s%c", (int)end, name, end_char);
}

static void on_option(int c, char *arg)
{
	(void)c;
	(void)arg;
	end_char = '\0';
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "z", on_option, USAGE, 1);
	if (n == 0) {
		tool_warn("missing operand");
		tool_usage(USAGE, 1);
	}
	for (int i = 1; i <= n; i++)
		print_dir(argv[i]);
	tool_exit(0);
}
