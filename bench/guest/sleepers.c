/* sleepers: the scale benchmark's guest (bench/bench_guests.sh), small on
 * purpose: every child costs the pages it copies. `sleepers N SECONDS`
 * forks N children that each sleep SECONDS and exit, writes "sleeping K\n"
 * once K of them were forked, reaps them all and writes "reaped K\n".
 * Exit status 0 when all N were forked and reaped. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *what, int n)
{
	char buf[48], num[12];
	int i = (int)sizeof(num);

	do
		num[--i] = (char)('0' + n % 10);
	while ((n /= 10) > 0 && i > 0);
	size_t len = strlen(what);
	memcpy(buf, what, len);
	memcpy(buf + len, num + i, sizeof(num) - (size_t)i);
	len += sizeof(num) - (size_t)i;
	buf[len++] = '\n';
	if (write(1, buf, len) < 0)
		_exit(3);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10, forked = 0, reaped = 0;
	struct timespec t = { argc > 2 ? atoi(argv[2]) : 1, 0 };

	for (; forked < n; forked++) {
		pid_t p = fork();
		if (p == 0) {
			while (nanosleep(&t, &t) < 0)
				;
			_exit(0);
		}
		if (p < 0)
			break;
	}
	say("sleeping ", forked);
	while (wait(NULL) > 0)
		reaped++;
	say("reaped ", reaped);
	return forked == n && reaped == n ? 0 : 1;
}
