/*
 * guest_stack.h: a new program's initial stack, as Linux lays it out
 * (portable).
 *
 * From sp (16-byte aligned) upward: argc; argv[0..argc-1]; NULL; envp[];
 * NULL; the auxiliary vector (AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID, AT_GID,
 * AT_EGID, AT_SECURE, AT_RANDOM, AT_EXECFN, AT_NULL; the three AT_PH* only
 * when the program headers are loaded); then, above, the 16 AT_RANDOM
 * bytes, the argv strings, the envp strings, and at the top the file name
 * AT_EXECFN points to (argv[0]'s text, as execve's path usually is).
 * This is what qemu-riscv32 and Linux give a program and what picolibc's,
 * glibc's and musl's start files read.
 */
#ifndef NOS_GUEST_STACK_H
#define NOS_GUEST_STACK_H

#include <stdint.h>

#include "vm-rv32i/elf_load.h"
#include "vm-rv32i/gmem.h"

/* Auxiliary vector types (Linux's numbers). */
enum {
	GUEST_AT_NULL = 0, GUEST_AT_PHDR = 3, GUEST_AT_PHENT = 4, GUEST_AT_PHNUM = 5,
	GUEST_AT_PAGESZ = 6, GUEST_AT_BASE = 7, GUEST_AT_FLAGS = 8, GUEST_AT_ENTRY = 9,
	GUEST_AT_UID = 11, GUEST_AT_EUID = 12, GUEST_AT_GID = 13, GUEST_AT_EGID = 14,
	GUEST_AT_HWCAP = 16, GUEST_AT_CLKTCK = 17, GUEST_AT_SECURE = 23,
	GUEST_AT_RANDOM = 25, GUEST_AT_EXECFN = 31,
};

/* Build the Linux initial stack below stack_top (16-byte aligned sp): argc, argv[],
 * NULL, envp[], NULL, auxv (AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ=4096, AT_ENTRY,
 * AT_UID/EUID/GID/EGID, AT_SECURE=0, AT_RANDOM -> 16 bytes, AT_EXECFN, AT_NULL), the
 * strings above. -NOS_E2BIG if it does not fit in max_bytes. argv and envp
 * may be NULL (empty); -NOS_EFAULT if the stack lies outside guest memory,
 * -NOS_EINVAL without img or ids. */
struct guest_ids { uint32_t uid, euid, gid, egid; };
int guest_stack_init(guest_mem *m, uint32_t stack_top, uint32_t max_bytes,
                     const char *const argv[], const char *const envp[],
                     const struct elf_image *img, const struct guest_ids *ids,
                     const uint8_t random16[16], uint32_t *sp_out);

#endif
