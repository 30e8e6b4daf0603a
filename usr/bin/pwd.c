/* pwd: prints the working directory.
 *   pwd [-LP]   both mean the same here: NanoOs's FAT volume has no
 *               symbolic links, so the logical and physical paths agree */
#define TOOL "pwd"
#include "lib/tool.h"

#define USAGE "pwd [-LP]"

static void on_option(int c, char *arg)
{
	(void)c;
	(void)arg;
}

int main(int argc, char **argv)
{
	if (tool_options(argc, argv, "LP", on_option, USAGE, 1) > 0)
		tool_warn("ignoring non-option arguments");
	char buf[4096];
	if (!getcwd(buf, sizeof(buf))) {
		tool_warn("%s", strerror(errno));
		return 1;
	}
	puts(buf);
	tool_exit(0);
}
