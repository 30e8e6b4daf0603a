/* sys/mman.h: mmap/munmap with Linux's flag values. */
#ifndef _NANOOS_SYS_MMAN_H
#define _NANOOS_SYS_MMAN_H
#pragma GCC system_header

#include <sys/types.h>

#define PROT_NONE  0
#define PROT_READ  1
#define PROT_WRITE 2
#define PROT_EXEC  4

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON      MAP_ANONYMOUS
#define MAP_FAILED    ((void *)-1)

#ifdef __cplusplus
extern "C" {
#endif
void *mmap(void *, size_t, int, int, int, off_t);
int munmap(void *, size_t);
#ifdef __cplusplus
}
#endif

#endif
