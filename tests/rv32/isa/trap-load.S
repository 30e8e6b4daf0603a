/*
 * trap-load.S: a load beyond guest memory (0xf0000000) is a segmentation fault.
 */
#include "trap.h"
TRAP_PROGRAM(load)
	lw t0, 0(s0)
