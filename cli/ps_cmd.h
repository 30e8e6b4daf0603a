/* ps_cmd.h: `nanoos ps` (cli/ps_cmd.c). */
#ifndef NOS_PS_CMD_H
#define NOS_PS_CMD_H

int ps_main(int argc, char **argv);

#endif
