/*
 * trap-zero.S: the all-zero word is an illegal instruction.
 */
#include "trap.h"
TRAP_PROGRAM(zero)
	.word 0
