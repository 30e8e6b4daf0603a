/*
 * trap-fetch.S: a jump beyond guest memory (0xf0000000) faults on the fetch.
 */
#include "trap.h"
TRAP_PROGRAM(fetch)
	jalr ra, 0(s0)
