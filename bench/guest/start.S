/*
 * start.S: entry of the CPU benchmark's guest programs (the C files here).
 * Sets the global pointer (the linker relaxes accesses to small data
 * against it), calls main(), and passes its result, the program's
 * checksum, to bench_finish (runtime.c), which prints it and exits.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	call main
	tail bench_finish
