/* shell_cmd.h: `nanoos shell` (cli/shell_cmd.c). */
#ifndef NOS_SHELL_CMD_H
#define NOS_SHELL_CMD_H

int shell_main(int argc, char **argv);

#endif
