/*
 * elf_load.h: load a static RV32 ELF executable into guest memory (Linux
 * port: libelf).
 *
 * Accepted: ELFCLASS32, ELFDATA2LSB, EV_CURRENT, EM_RISCV, ET_EXEC, no
 * PT_INTERP, no PT_DYNAMIC. Each PT_LOAD is copied to p_vaddr (p_filesz
 * bytes) and its bss (p_memsz - p_filesz) zeroed; segments must lie within
 * [4096, size) -- page 0 stays unused, so a null pointer never reads code --
 * must not overlap, and the entry point must lie in one of them.
 */
#ifndef NOS_ELF_LOAD_H
#define NOS_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "vm-rv32i/gmem.h"

#define ELF_LOAD_MIN_VADDR 4096u     /* lowest address a segment may use */
#define ELF_LOAD_MAX_PHNUM 64u       /* more program headers is refused */

struct elf_image {
	uint32_t entry;
	uint32_t lowest, highest;   /* lowest vaddr loaded, end of the highest segment */
	uint32_t brk_start;         /* highest rounded up to 4096: where brk begins */
	uint32_t phdr_addr;         /* guest address of the program headers if loaded, else 0 */
	uint16_t phnum, phent;
};

/* Load an ELF held in memory (file, len) into m. 0, or a negative NOS_E* with a
 * one-line reason in why[] naming the problem, e.g.
 * "not an ELF file", "ELF class is 64-bit, NanoOs runs 32-bit RISC-V (ELFCLASS32)",
 * "machine is x86-64 (62), not RISC-V (243)", "not a static executable (ET_DYN)",
 * "segment 2 [0x...-0x...) lies outside the guest's 64 MiB space",
 * "segments 1 and 2 overlap at 0x...", "segment 3 is truncated: file has N bytes, needs M",
 * "has an interpreter (PT_INTERP): dynamic programs are not supported".
 * (the caller prefixes the file name). Reject absurd sizes without allocating.
 * Errors: -NOS_ENOEXEC for a file that is not a loadable RV32 program,
 * -NOS_EFAULT/-NOS_EIO if guest memory refuses the copy. On error m may
 * hold part of the image: the caller destroys the guest. Segment numbers
 * are program-header indexes, as readelf -l counts them (from 0). */
int elf_load(guest_mem *m, const void *file, size_t len, struct elf_image *out,
             char *why, size_t whylen);

#endif
