/* status_cmd.h: `nanoos status` (cli/status_cmd.c). */
#ifndef NOS_STATUS_CMD_H
#define NOS_STATUS_CMD_H

int status_main(int argc, char **argv);

#endif
