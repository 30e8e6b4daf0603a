/*
 * elf_stream.h: load a static RV32 ELF executable into guest memory from a
 * file read piece by piece (portable; the AVR firmware's loader, where Linux
 * has libelf and the whole file in memory: elf_load.h).
 *
 * It accepts and refuses exactly what elf_load accepts and refuses, with
 * the same reasons in why[] and the same errors, and leaves guest memory
 * and *out as elf_load would: the two are checked against each other on
 * every program of the userland (tests/unit/test_elf_stream.c). It never
 * holds more than two program headers and a small copy buffer in RAM
 * (about 180 bytes of stack on AVR, and 330 with the calls below it, the
 * reader's and guest memory's own aside), and reads each program header up
 * to three times, plus once for each later PT_LOAD (the overlap check).
 */
#ifndef NOS_ELF_STREAM_H
#define NOS_ELF_STREAM_H

#include <stdint.h>

#include "vm-rv32i/elf_load.h"

/* Bytes elf_stream_load copies at a time (on its stack). */
#define ELF_STREAM_CHUNK 64u

/* Read n bytes (1..ELF_STREAM_CHUNK) at offset off of the file into buf:
 * the bytes read or a negative NOS_E*. Fewer bytes than asked are fine --
 * the loader asks again for the rest -- but 0 before file_len is the file
 * ending early: -NOS_EIO, "the file ends before byte N". */
typedef int32_t (*elf_read_fn)(void *ctx, uint32_t off, void *buf, uint32_t n);

/* Load the ELF of file_len bytes that `read` gives into m. 0, or a negative
 * NOS_E* with a one-line reason in why[] (as elf_load; cut to whylen, and
 * why may be NULL). A read error is returned as it came, with why[] saying
 * what was being read: "cannot read segment 1 (error 5)". *out is written
 * only on success. */
int elf_stream_load(guest_mem *m, elf_read_fn read, void *ctx, uint32_t file_len,
                    struct elf_image *out, char *why, uint16_t whylen);

#endif
