/* stackdump.c: prints what a program finds on its initial stack -- argc,
 * argv, envp, the auxiliary vector entries whose values both Linux-style
 * loaders must agree on, and checks of the rest -- one fact a line, so a
 * test can compare our loader's layout with qemu-riscv32's. */
#include "sys.h"

static void put_str(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	sys_write(1, s, n);
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int main(int argc, char **argv, unsigned *sp)
{
	char **envp = argv + argc + 1;
	unsigned *aux, *rnd = 0;
	const char *execfn = 0;
	int i, envc = 0;

	put_hex("sp_aligned_16", ((unsigned)sp & 15u) == 0);
	put_hex("argc", (unsigned)argc);
	put_hex("argv_null", argv[argc] == 0);
	for (i = 0; i < argc; i++) {
		put_str("argv: ");
		put_str(argv[i]);
		put_str("\n");
	}
	while (envp[envc]) {
		put_str("env: ");
		put_str(envp[envc]);
		put_str("\n");
		envc++;
	}
	for (aux = (unsigned *)(envp + envc + 1); aux[0] != 0; aux += 2) {
		switch (aux[0]) {
		case 3: put_hex("AT_PHDR", aux[1]); break;
		case 4: put_hex("AT_PHENT", aux[1]); break;
		case 5: put_hex("AT_PHNUM", aux[1]); break;
		case 6: put_hex("AT_PAGESZ", aux[1]); break;
		case 9: put_hex("AT_ENTRY", aux[1]); break;
		case 11: put_hex("AT_UID", aux[1]); break;
		case 12: put_hex("AT_EUID", aux[1]); break;
		case 13: put_hex("AT_GID", aux[1]); break;
		case 14: put_hex("AT_EGID", aux[1]); break;
		case 23: put_hex("AT_SECURE", aux[1]); break;
		case 25: rnd = (unsigned *)aux[1]; break;
		case 31: execfn = (const char *)aux[1]; break;
		}
	}
	/* AT_RANDOM: 16 bytes above the pointer table, below the strings. */
	put_hex("AT_RANDOM_above_auxv", rnd != 0 && (unsigned *)rnd > aux);
	put_hex("AT_RANDOM_below_argv0", rnd != 0 && (char *)(rnd + 4) <= argv[0]);
	put_hex("AT_EXECFN_is_argv0", execfn != 0 && same(execfn, argv[0]));
	put_hex("strings_above_table", argc > 0 && (unsigned *)argv[0] > aux);
	return 0;
}
