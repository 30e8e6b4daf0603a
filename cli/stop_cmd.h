/* stop_cmd.h: `nanoos stop` (cli/stop_cmd.c). */
#ifndef NOS_STOP_CMD_H
#define NOS_STOP_CMD_H

int stop_main(int argc, char **argv);

#endif
