/* start.c: the C half of program start-up (crt0.S jumps here with the
 * initial stack pointer).
 *
 * The kernel's initial stack (Linux layout): sp -> argc, argv[0..argc-1],
 * NULL, envp[..], NULL, auxv pairs (type, value) ending with AT_NULL.
 * Start-up then: environ = envp; a thread-local block for the main thread
 * (picolibc's errno is thread-local), carved from this never-returning
 * frame, filled from the TLS template (.tdata copied, .tbss zeroed, by
 * picolibc's _init_tls) and installed in tp (_set_tls); constructors
 * (__libc_init_array); exit(main(argc, argv, envp)). The loader has zeroed
 * .bss already, so nothing else is cleared here. */
#include <picolibc.h>
#include <picotls.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp);
void __libc_init_array(void);
void __nanoos_start(long *sp) __attribute__((noreturn, used));

static unsigned long *auxv;

unsigned long getauxval(unsigned long type)
{
	for (unsigned long *a = auxv; a && a[0]; a += 2)
		if (a[0] == type)
			return a[1];
	return 0;
}

void __nanoos_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	char **e = envp;
	while (*e)
		e++;
	auxv = (unsigned long *)(e + 1);
	environ = envp;

	size_t align = _tls_align() ? _tls_align() : 1;
	char *block = __builtin_alloca(_tls_size() + align);
	block = (char *)(((uintptr_t)block + align - 1) & ~(uintptr_t)(align - 1));
	_init_tls(block);
	_set_tls(block);

	__libc_init_array();
	exit(main(argc, argv, envp));
}
