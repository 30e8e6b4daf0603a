/* echo: writes its arguments separated by spaces, then a newline.
 *   echo [-n] [STRING]...     -n: no newline at the end */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	int i = 1, newline = 1;
	for (; i < argc && strcmp(argv[i], "-n") == 0; i++)
		newline = 0;
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		fputs(argv[i], stdout);
	}
	if (newline)
		putchar('\n');
	if (fflush(stdout) != 0) {
		perror("echo: write error");
		return 1;
	}
	return 0;
}
