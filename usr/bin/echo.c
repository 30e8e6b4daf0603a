/* echo: writes its arguments separated by spaces, then a newline.
 *   echo [-neE] [STRING]...
 *     -n  no newline at the end
 *     -e  interpret backslash escapes: \\ \a \b \c (stop here) \e \f \n \r
 *         \t \v \0NNN (octal) \xHH (hex)
 *     -E  do not interpret them (the default)
 * An argument is an option only when it is all of n, e, E after the dash,
 * as in GNU's echo ("echo -x" prints "-x"). */
#define TOOL "echo"
#include "lib/tool.h"

static const struct {
	char letter, value;
} simple_escapes[] = {
	{ '\\', '\\' }, { 'a', '\a' }, { 'b', '\b' }, { 'e', 033 }, { 'f', '\f' },
	{ 'n', '\n' },  { 'r', '\r' }, { 't', '\t' }, { 'v', '\v' },
};

static int digit_value(char c, int base)
{
	int v = c >= '0' && c <= '9' ? c - '0' :
	        c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	        c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return v < base ? v : -1;
}

/* Reads up to max digits of base from *s into one byte. */
static int number_escape(const char **s, int base, int max)
{
	int v = 0, n = 0;
	for (; n < max && digit_value(**s, base) >= 0; n++, (*s)++)
		v = v * base + digit_value(**s, base);
	return n ? v : -1;
}

/* Prints s with escapes; 1 when \c asked to stop all output. */
static int put_escaped(const char *s)
{
	while (*s) {
		if (*s != '\\' || !s[1]) {
			putchar(*s++);
			continue;
		}
		char e = s[1];
		s += 2;
		if (e == 'c')
			return 1;
		int done = 0;
		for (size_t i = 0; i < sizeof(simple_escapes) / sizeof(simple_escapes[0]); i++)
			if (simple_escapes[i].letter == e) {
				putchar(simple_escapes[i].value);
				done = 1;
			}
		if (done)
			continue;
		int v = e == '0' ? number_escape(&s, 8, 3) : e == 'x' ? number_escape(&s, 16, 2) : -2;
		if (e == '0' && v < 0)
			v = 0;                  /* a bare \0 is NUL */
		if (v >= 0) {
			putchar(v);
		} else {
			putchar('\\');      /* unknown, or \x without digits: as written */
			putchar(e);
		}
	}
	return 0;
}

static int is_option(const char *a)
{
	if (a[0] != '-' || !a[1])
		return 0;
	return strspn(a + 1, "neE") == strlen(a + 1);
}

int main(int argc, char **argv)
{
	int i = 1, newline = 1, escapes = 0;
	for (; i < argc && is_option(argv[i]); i++)
		for (const char *c = argv[i] + 1; *c; c++) {
			if (*c == 'n')
				newline = 0;
			else
				escapes = *c == 'e';
		}
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		if (!escapes)
			fputs(argv[i], stdout);
		else if (put_escaped(argv[i]))
			tool_exit(0);
	}
	if (newline)
		putchar('\n');
	tool_exit(0);
}
