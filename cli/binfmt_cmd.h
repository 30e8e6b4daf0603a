/* binfmt_cmd.h: `nanoos binfmt` (cli/binfmt_cmd.c). */
#ifndef NOS_BINFMT_CMD_H
#define NOS_BINFMT_CMD_H

int binfmt_main(int argc, char **argv);

#endif
