/* printf.c: the printf builtin (POSIX): printf FORMAT [ARG]...
 * Conversions %s %b %c %d %i %u %o %x %X %%, with flags (-+ #0), width and
 * precision; escapes \n \t \r \a \b \f \v \e \\ \NNN \xHH in FORMAT (and in
 * %b's argument; echo -e uses them too). The format is used again while arguments remain; missing
 * arguments are "" or 0. Status 1 if a number was malformed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char escape(const char *s, size_t *used)
{
	static const char from[] = "ntrabfve\\\"'", to[] = "\n\t\r\a\b\f\v\033\\\"'";
	const char *hit = *s ? strchr(from, *s) : NULL;
	*used = 1;
	if (hit)
		return to[hit - from];
	if (*s == 'x' && hex_digit(s[1]) >= 0) {   /* \xHH */
		int v = hex_digit(s[1]);
		*used = 2;
		if (hex_digit(s[2]) >= 0) {
			v = v * 16 + hex_digit(s[2]);
			*used = 3;
		}
		return (char)v;
	}
	if (*s >= '0' && *s <= '7') {
		int v = 0;
		size_t n = 0;
		if (*s == '0')
			s++, n++;
		for (size_t k = 0; k < 3 && s[k] >= '0' && s[k] <= '7'; k++, n++)
			v = v * 8 + (s[k] - '0');
		*used = n;
		return (char)v;
	}
	*used = 0;
	return '\\';
}

static void put_escaped(const char *s)
{
	for (; *s; s++) {
		size_t used = 0;
		char c = *s == '\\' ? escape(s + 1, &used) : *s;
		putchar(c);
		s += used;
	}
}

struct printer {
	char **args;
	int n, next;
	int bad;
};

static const char *next_arg(struct printer *p)
{
	return p->next < p->n ? p->args[p->next++] : NULL;
}

static long number_arg(struct printer *p)
{
	const char *a = next_arg(p);
	if (!a || !*a)
		return 0;
	if (a[0] == '\'' || a[0] == '"')
		return (unsigned char)a[1];   /* 'c: the character's code */
	char *end;
	long v = strtol(a, &end, 0);
	if (*end) {
		sh_error("printf: %s: not a number", a);
		p->bad = 1;
	}
	return v;
}

/* The conversion at f (the '%'); returns where the format goes on. */
static const char *convert(struct printer *p, const char *f)
{
	char spec[32];
	size_t len = strspn(f + 1, "-+ #0123456789.") + 1;
	char conv = f[len];
	if (!conv || len + 3 > sizeof(spec)) {
		fputs(f, stdout);
		return f + strlen(f);
	}
	memcpy(spec, f, len);
	if (strchr("diouxX", conv)) {
		spec[len] = 'l';
		spec[len + 1] = conv;
		spec[len + 2] = '\0';
		printf(spec, number_arg(p));
	} else if (conv == 'c') {
		const char *a = next_arg(p);
		if (a && *a)
			putchar(*a);
	} else if (conv == 'b') {
		const char *a = next_arg(p);
		put_escaped(a ? a : "");
	} else if (conv == 's') {
		spec[len] = 's';
		spec[len + 1] = '\0';
		const char *a = next_arg(p);
		printf(spec, a ? a : "");
	} else if (conv == '%') {
		putchar('%');
	} else {
		sh_error("printf: %%%c: unknown conversion", conv);
		p->bad = 1;
	}
	return f + len + 1;
}

/* The format once; whether it took an argument. */
static int format_once(struct printer *p, const char *f)
{
	int before = p->next;
	while (*f) {
		if (*f == '%') {
			f = convert(p, f);
		} else if (*f == '\\') {
			size_t used;
			putchar(escape(f + 1, &used));
			f += 1 + used;
		} else {
			putchar(*f++);
		}
	}
	return p->next > before;
}

int builtin_printf(int argc, char **argv)
{
	if (argc < 2) {
		sh_error("printf: usage: printf FORMAT [ARG]...");
		return 2;
	}
	struct printer p = { argv + 2, argc - 2, 0, 0 };
	while (format_once(&p, argv[1]) && p.next < p.n)
		;
	return fflush(stdout) == 0 && !p.bad ? 0 : 1;
}
