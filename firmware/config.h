/*
 * config.h: what the firmware holds.
 *
 * The board: an Arduino Mega 2560 with 32 KiB of SRAM on its XMEM bus (an
 * SRAM expansion shield). The same kernel as nanoosd -- seven kernel
 * processes with their own stacks, sched's process table, the FAT engine
 * with long names, a paged guest -- needs 12-13 KiB of RAM before the
 * guest's page cache, and the chip has 8: the .data strings and tables and
 * the shell's stack stay inside, everything else goes out (rules.mk).
 */
#ifndef NOS_FIRMWARE_CONFIG_H
#define NOS_FIRMWARE_CONFIG_H

#define CFG_BOARD "Arduino Mega 2560 + 32 KiB XMEM SRAM"
#define CFG_XMEM_START 0x2200u
#define CFG_XMEM_BYTES 32768u
#define CFG_INTERNAL_RAM 8192u

#define CFG_GUEST_PAGES 16u              /* page cache: 520 bytes a page, on the heap */
#define CFG_GUEST_SPACE (256ul * 1024ul)   /* a guest's space = the swap file */
#define CFG_SWAP_PATH "/swap"
#define CFG_BAUD 115200u

/* Coroutine stacks (bytes), checked with the `mem` command's low-water
 * marks; the rest of the processes take msg_coro.s default (512). */
#define CFG_STACK_FS 1024u
#define CFG_STACK_WORKER 1536u
#define CFG_STACK_CONIN 512u

#endif
