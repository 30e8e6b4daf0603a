/* sys/ioctl.h: ioctl() and the Linux terminal requests NanoOs guests use. */
#ifndef _NANOOS_SYS_IOCTL_H
#define _NANOOS_SYS_IOCTL_H
#pragma GCC system_header

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B
#define TIOCNOTTY  0x5422

#ifdef __cplusplus
extern "C" {
#endif
int ioctl(int, unsigned long, ...);
#ifdef __cplusplus
}
#endif

#endif
