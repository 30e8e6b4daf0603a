/*
 * rv32.h: the RV32IM + Zicsr (counters) + Zifencei CPU (portable).
 *
 * rv32_run() executes up to `budget` instructions and returns why it
 * stopped. It never calls out: an ecall, a fault or the end of the budget
 * returns to the caller (a CPU worker), which handles the system call and
 * resumes. The CPU keeps a pre-decoded copy of code it ran; a store to code
 * takes effect after fence.i, as Zifencei says (and after rv32_flush_decode).
 *
 * Counters: instret counts executed instructions, the ecall/ebreak that
 * stopped the run included; rv32_run leaves pc AT the ecall and the caller
 * sets pc += 4 after handling it. cycle reads as instret; time comes from
 * cpu->read_time (RV32_TIME_HZ ticks per second; 0 when NULL).
 *
 * Stops, precisely (instret is exact at every one):
 *  - BUDGET: exactly `budget` instructions ran; pc is the next one.
 *  - ECALL/EBREAK: pc at the instruction, which counts as executed.
 *  - LOAD/STORE_FAULT, ILLEGAL: pc at the instruction, not executed (no
 *    register or memory changed); fault_addr is the first byte's address.
 *  - FETCH_FAULT, two cases, as the ISA reports them: a taken jump or branch
 *    to a misaligned target (bit 1 set) stops AT the jump, not executed (rd
 *    unchanged), fault_addr = the target; fetching from outside the space
 *    (a jump there, running off the end, or a bad cpu->pc) stops with pc =
 *    fault_addr = that address, the jump executed.
 *
 * Decode cache (RV32_DECODE_CACHE, on by default except on AVR): rv32_init
 * reserves it with the port's rv32_dcache_map (Linux: rv32_dcache_linux.c,
 * an mmap of 4 bytes per guest byte, committed only for code that runs);
 * without it every instruction is fetched and decoded from guest memory.
 * Code the kernel writes into a guest (execve, or a program's own loader
 * asking with riscv_flush_icache, Linux system call 259) runs once
 * rv32_flush_decode was called; after pointing cpu->mem at another
 * guest_mem, call it too.
 *
 * Block translator (x86-64 Linux, rv32_jit_x86_64.c): rv32_run turns basic
 * blocks of a flat-memory guest into host code, with the same stops and
 * instret as the interpreter; NANOOS_JIT=0 in the environment when
 * rv32_init runs leaves that CPU to the interpreter.
 */
#ifndef NOS_RV32_H
#define NOS_RV32_H

#include <stdint.h>

#include "vm-rv32i/gmem.h"

#ifndef RV32_DECODE_CACHE
#ifdef __AVR__
#define RV32_DECODE_CACHE 0
#else
#define RV32_DECODE_CACHE 1
#endif
#endif

#define RV32_TIME_HZ 1000000u        /* rdtime ticks per second */

enum rv32_stop {
	RV32_STOP_BUDGET = 0,            /* budget used up; resume later */
	RV32_STOP_ECALL,                 /* pc at the ecall; a7/a0..a5 hold it */
	RV32_STOP_EBREAK,                /* pc at the ebreak */
	RV32_STOP_LOAD_FAULT,            /* fault_addr: the bad address */
	RV32_STOP_STORE_FAULT,
	RV32_STOP_FETCH_FAULT,           /* pc outside the space or misaligned */
	RV32_STOP_ILLEGAL,               /* fault_insn: the instruction word */
};

struct rv32_decode_cache;            /* private to the CPU */
struct rv32_jit;                     /* likewise (x86-64 Linux only) */

typedef struct rv32_cpu {
	uint32_t x[32];                  /* x[0] reads as 0 */
	uint32_t pc;
	uint64_t instret;
	uint64_t (*read_time)(void *ctx); /* rdtime, in RV32_TIME_HZ ticks */
	void *time_ctx;
	guest_mem *mem;
	uint32_t fault_addr;
	uint32_t fault_insn;
	struct rv32_decode_cache *dc;    /* owned by the CPU */
	struct rv32_jit *jit;            /* owned by the CPU; NULL: no translator */
} rv32_cpu;

/* Register names of the ABI, for syscalls and traces. */
enum { RV_ZERO = 0, RV_RA = 1, RV_SP = 2, RV_GP = 3, RV_TP = 4,
       RV_A0 = 10, RV_A1, RV_A2, RV_A3, RV_A4, RV_A5, RV_A6, RV_A7 };

int rv32_init(rv32_cpu *cpu, guest_mem *mem);      /* 0 or -NOS_ENOMEM */
void rv32_destroy(rv32_cpu *cpu);
enum rv32_stop rv32_run(rv32_cpu *cpu, uint64_t budget);
void rv32_flush_decode(rv32_cpu *cpu);              /* e.g. after execve */

/* Added: a short name for a stop ("illegal instruction", "load fault"...),
 * for messages. */
const char *rv32_stop_name(enum rv32_stop stop);

#endif
