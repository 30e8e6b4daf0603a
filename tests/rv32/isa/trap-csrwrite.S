/*
 * trap-csrwrite.S: writing a read-only counter (cycle) is illegal.
 */
#include "trap.h"
TRAP_PROGRAM(csrwrite)
	csrw cycle, t0
