/* seq: prints a sequence of numbers, one a line.
 *   seq [-s SEP] [-w] [FIRST [STEP]] LAST
 *     -s SEP  between numbers instead of a newline
 *     -w      pad with leading zeros to the widest number's width
 * Integers print as integers; when an argument has a fraction, every
 * number prints with the most fraction digits any argument has. */
#define TOOL "seq"
#include "lib/tool.h"

#define USAGE "seq [-s SEP] [-w] [FIRST [STEP]] LAST"

static int decimals(const char *s)
{
	const char *dot = strchr(s, '.');
	return dot ? (int)strspn(dot + 1, "0123456789") : 0;
}

static double number(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end) {
		tool_warn("invalid floating point argument: '%s'", s);
		tool_usage(USAGE, 1);
	}
	return v;
}

static int width_of(double v, int prec)
{
	char tmp[64];
	return snprintf(tmp, sizeof(tmp), "%.*f", prec, v);
}

static const char *sep = "\n";
static int pad;

static void on_option(int c, char *arg)
{
	if (c == 's')
		sep = arg;
	else
		pad = 1;
}

/* Options end at the first number, so "seq -3 -1 -5" counts down. */
static int options_before_numbers(int argc, char **argv)
{
	int k = 1;
	while (k < argc && argv[k][0] == '-' && argv[k][1] && strchr("0123456789.", argv[k][1]) == NULL)
		k += argv[k][1] == 's' && !argv[k][2] ? 2 : 1;
	return k < argc ? k : argc;
}

int main(int argc, char **argv)
{
	int k = options_before_numbers(argc, argv);
	char *first_number = argv[k];
	tool_options(k, argv, "s:w", on_option, USAGE, 1);
	argv[k] = first_number;         /* tool_options ended its argv[0..k) there */
	char **a = argv + k;
	int n = argc - k;
	if (n < 1 || n > 3) {
		tool_warn(n < 1 ? "missing operand" : "extra operand '%s'", argv[argc - 1]);
		tool_usage(USAGE, 1);
	}
	double first = n > 1 ? number(a[0]) : 1, step = n > 2 ? number(a[1]) : 1;
	double last = number(a[n - 1]);
	if (step == 0) {
		tool_warn("invalid Zero increment value: '%s'", a[1]);
		tool_usage(USAGE, 1);
	}
	int prec = 0;
	for (int i = 0; i < n; i++)
		if (decimals(a[i]) > prec && i != n - 1)
			prec = decimals(a[i]);
	int width = 0;
	if (pad) {
		width = width_of(first, prec);
		if (width_of(last, prec) > width)
			width = width_of(last, prec);
	}
	/* Count steps instead of adding them up, so 0.1 steps do not drift. */
	long i = 0;
	for (;; i++) {
		double v = first + (double)i * step;
		if (step > 0 ? v > last + 1e-9 * step : v < last + 1e-9 * step)
			break;
		printf("%s%0*.*f", i ? sep : "", width, prec, v);
	}
	if (i > 0)
		putchar('\n');
	tool_exit(0);
}
