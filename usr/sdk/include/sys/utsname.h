/* sys/utsname.h: uname() as Linux fills it (six 65-byte strings). */
#ifndef _NANOOS_SYS_UTSNAME_H
#define _NANOOS_SYS_UTSNAME_H
#pragma GCC system_header

#define _UTSNAME_LENGTH 65

struct utsname {
	char sysname[_UTSNAME_LENGTH];
	char nodename[_UTSNAME_LENGTH];
	char release[_UTSNAME_LENGTH];
	char version[_UTSNAME_LENGTH];
	char machine[_UTSNAME_LENGTH];
	char domainname[_UTSNAME_LENGTH];
};

#ifdef __cplusplus
extern "C" {
#endif
int uname(struct utsname *);
#ifdef __cplusplus
}
#endif

#endif
