/* whoami: prints the name of the account the process runs as. */
#define TOOL "whoami"
#include "lib/tool.h"

#include <nanoos.h>

int main(int argc, char **argv)
{
	struct nanoos_account acct;
	unsigned uid = geteuid();

	(void)argv;
	if (argc > 1)
		tool_usage("whoami", 1);
	if (nanoos_getpw(NULL, uid, &acct) < 0) {
		tool_warn("cannot find name for user ID %u", uid);
		return 1;
	}
	puts(acct.name);
	tool_exit(0);
}
