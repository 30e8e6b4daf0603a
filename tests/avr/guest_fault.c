/* guest_fault.c: an RV32 program for the firmware tests that says so and
 * then stores outside its address space (a store fault: SIGSEGV). */
#include "sys.h"

int main(void)
{
	sys_write(1, "about to fault\n", 15);
	*(volatile unsigned *)0x7ffffff0u = 1;
	sys_write(1, "still here\n", 11);
	return 0;
}
