/* kill_cmd.h: `nanoos kill` (cli/kill_cmd.c). */
#ifndef NOS_KILL_CMD_H
#define NOS_KILL_CMD_H

int kill_main(int argc, char **argv);

#endif
