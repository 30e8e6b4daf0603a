/*
 * rv32_jit.h: the CPU's block translator (private to vm-rv32i/), built
 * where RV32_JIT is 1: x86-64 Linux with the decode cache.
 *
 * rv32_jit_create makes cpu->jit unless the environment says NANOOS_JIT=0
 * (then cpu->jit stays NULL and the interpreter runs everything);
 * rv32_run hands rv32_jit_run its budget when cpu->jit is set and the
 * guest memory is flat. Same stops and instret as the interpreter.
 */
#ifndef NOS_RV32_JIT_H
#define NOS_RV32_JIT_H

#include "vm-rv32i/rv32_exec.h"

#if RV32_DECODE_CACHE && defined(__x86_64__) && defined(__linux__)
#define RV32_JIT 1
#else
#define RV32_JIT 0
#endif

#if RV32_JIT
int rv32_jit_create(rv32_cpu *cpu);           /* 0 or -NOS_ENOMEM */
void rv32_jit_destroy(rv32_cpu *cpu);
void rv32_jit_flush(rv32_cpu *cpu);           /* drop all translated code */
/* Added: interpret the next n instructions before translating (a program
 * just started: short-lived and sleeping guests then cost no code pages). */
void rv32_jit_cold(rv32_cpu *cpu, uint32_t n);
enum rv32_stop rv32_jit_run(rv32_cpu *cpu, uint32_t budget);
#endif

#endif
