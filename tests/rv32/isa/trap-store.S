/*
 * trap-store.S: a store beyond guest memory (0xf0000000) is a segmentation fault.
 */
#include "trap.h"
TRAP_PROGRAM(store)
	sw t0, 4(s0)
