/*
 * sdimage_cmd.h: `nanoos sdimage VERB ...`, the SD card image tool.
 *
 * Every verb but `create` boots sdcard (over sdimage/sd_file.c) and fs in
 * this process and works through fs's messages: one code path to the
 * volume. `create` formats with sdimage_format() before anything is mounted.
 */
#ifndef NOS_SDIMAGE_CMD_H
#define NOS_SDIMAGE_CMD_H

/* argv[0] is "sdimage". Exit status: 0 done, 1 failed, 2 bad usage. */
int sdimage_main(int argc, char **argv);

#endif
