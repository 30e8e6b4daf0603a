/* sys/dirent.h: directory streams over Linux's getdents64 (NanoOs guests).
 * picolibc's <dirent.h> declares opendir/readdir/closedir and includes this
 * file for DIR and struct dirent, which it leaves to the system. */
#ifndef _NANOOS_SYS_DIRENT_H
#define _NANOOS_SYS_DIRENT_H
#pragma GCC system_header

#include <sys/types.h>

#define DT_UNKNOWN 0
#define DT_FIFO    1
#define DT_CHR     2
#define DT_DIR     4
#define DT_BLK     6
#define DT_REG     8
#define DT_LNK     10
#define DT_SOCK    12

#define MAXNAMLEN 255

struct dirent {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[MAXNAMLEN + 1];
};

typedef struct __nanoos_dir DIR;

#endif
