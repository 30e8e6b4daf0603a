/* flash_cmd.h: `nanoos flash` (cli/flash_cmd.c). */
#ifndef NOS_FLASH_CMD_H
#define NOS_FLASH_CMD_H

int flash_main(int argc, char **argv);

#endif
