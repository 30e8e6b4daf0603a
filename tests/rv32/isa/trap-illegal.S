/*
 * trap-illegal.S: an opcode no extension defines (custom-0) is illegal.
 */
#include "trap.h"
TRAP_PROGRAM(illegal)
	.word 0x0000000b
