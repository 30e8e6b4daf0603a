/*
 * trap.h: for the ISA programs that end in a trap instead of test_end.
 * TRAP_PROGRAM(name) starts test_main by printing "trap test NAME\n" (so
 * the output shows that the program ran up to the trap), sets s0 to an
 * address beyond guest memory (0xf0000000), and defines an empty data
 * area; the program's trapping instruction follows. Both machines must end
 * it the same way: the same exit status (139 for a segmentation fault, 132
 * for an illegal instruction, 133 for ebreak).
 */
#define TRAP_PROGRAM(name)                              \
	.section .rodata;                               \
trap_text: .ascii "trap test " #name "\n";              \
trap_text_end:                                          \
	.bss;                                           \
	.globl test_data, test_data_end;                \
test_data:                                              \
test_data_end:                                          \
	.text;                                          \
	.globl test_main;                               \
test_main:                                              \
	li a0, 1;                                       \
	la a1, trap_text;                               \
	la a2, trap_text_end;                           \
	sub a2, a2, a1;                                 \
	li a7, 64;                                      \
	ecall;                                          \
	li s0, 0xf0000000
