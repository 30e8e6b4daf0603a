/*
 * trap-ebreak.S: ebreak stops the program as a breakpoint trap (SIGTRAP).
 */
#include "trap.h"
TRAP_PROGRAM(ebreak)
	ebreak
