/* hello: the first NanoOs program. Prints a greeting and exits 0. */
#include <stdio.h>

int main(void)
{
	puts("Hello from NanoOs!");
	return 0;
}
