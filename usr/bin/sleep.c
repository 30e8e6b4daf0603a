/* sleep: waits for a number of seconds (a decimal fraction is fine).
 *   sleep SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: sleep SECONDS\n", stderr);
		return 1;
	}
	char *end;
	double seconds = strtod(argv[1], &end);
	if (end == argv[1] || *end || seconds < 0) {
		fprintf(stderr, "sleep: invalid time interval '%s'\n", argv[1]);
		return 1;
	}
	struct timespec t = { .tv_sec = (time_t)seconds };
	t.tv_nsec = (long)((seconds - (double)t.tv_sec) * 1e9);
	while (nanosleep(&t, &t) < 0)
		;
	return 0;
}
