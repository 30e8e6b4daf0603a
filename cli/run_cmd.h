/* run_cmd.h: `nanoos run` (cli/run_cmd.c). */
#ifndef NOS_RUN_CMD_H
#define NOS_RUN_CMD_H

int run_main(int argc, char **argv);

#endif
