/*
 * trap-mstatus.S: a machine-mode CSR (mstatus) is illegal in user mode.
 */
#include "trap.h"
TRAP_PROGRAM(mstatus)
	csrr t0, mstatus
