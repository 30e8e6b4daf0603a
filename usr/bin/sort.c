/* sort: sorts lines of text.
 *   sort [-rnufbs] [-t SEP] [-k POS1[,POS2]]... [-o FILE] [FILE]...
 *     -r  reverse            -n  numeric (a leading -?digits[.digits])
 *     -u  one line of each run of equal keys
 *     -f  fold lower case to upper case     -b  ignore leading blanks in keys
 *     -s  stable: no last-resort comparison of whole lines
 *     -t  field separator (default: a run of blanks starts a field)
 *     -k  key from field F1[.C1] to F2[.C2] (default: the line's end);
 *         letters after a position (-k2n, -k3,3r) apply to that key only
 *     -o  write to FILE (which may be an input) once all is read
 * Bytes compare as unsigned chars (the C locale). Lines with equal keys
 * are ordered by the whole line unless -s or -u, as GNU's sort does, so
 * the output matches GNU's. Exit 0, 2 on an error or bad usage. */
#define TOOL "sort"
#include "lib/tool.h"
#include <ctype.h>

#define USAGE "sort [-rnufbs] [-t SEP] [-k POS1[,POS2]]... [-o FILE] [FILE]..."
#define MAX_KEYS 16

struct key_opts {
	int numeric, reverse, fold, blanks;
};

struct key {
	int f1, c1, f2, c2;     /* fields and chars from 1; f2 0: to the line's end */
	struct key_opts o;
};

struct line {
	char *text;
	size_t len;
};

static struct key_opts global;
static struct key keys[MAX_KEYS];
static int n_keys, opt_unique, opt_stable, separator = -1;
static const char *output_name;

/* ---------------------------------------------------------------- options */

/* Reads "F[.C]" and any option letters after it into *f, *c, *o. */
static const char *parse_position(const char *s, int *f, int *c, struct key_opts *o, int *any)
{
	char *end;
	*f = (int)strtol(s, &end, 10);
	*c = 0;
	if (end == s || *f < 1)
		return NULL;
	if (*end == '.') {
		s = end + 1;
		*c = (int)strtol(s, &end, 10);
		if (end == s)
			return NULL;
	}
	for (; *end && strchr("nrfb", *end); end++) {
		*any = 1;
		o->numeric |= *end == 'n';
		o->reverse |= *end == 'r';
		o->fold |= *end == 'f';
		o->blanks |= *end == 'b';
	}
	return end;
}

static void parse_key(const char *spec)
{
	if (n_keys == MAX_KEYS) {
		tool_warn("too many keys (at most %d)", MAX_KEYS);
		exit(2);
	}
	struct key *k = &keys[n_keys++];
	int own = 0;
	memset(k, 0, sizeof(*k));
	const char *p = parse_position(spec, &k->f1, &k->c1, &k->o, &own);
	if (p && *p == ',')
		p = parse_position(p + 1, &k->f2, &k->c2, &k->o, &own);
	if (!p || *p) {
		tool_warn("invalid key '%s'", spec);
		tool_usage(USAGE, 2);
	}
	if (!k->c1)
		k->c1 = 1;
	if (!own)
		k->o.numeric = -1;      /* no letters: the global options, set later */
}

static void on_option(int c, char *arg)
{
	if (c == 'k') {
		parse_key(arg);
	} else if (c == 't') {
		if (strlen(arg) != 1) {
			tool_warn("the separator must be one character: '%s'", arg);
			exit(2);
		}
		separator = (unsigned char)arg[0];
	} else if (c == 'o') {
		output_name = arg;
	} else {
		global.numeric |= c == 'n';
		global.reverse |= c == 'r';
		global.fold |= c == 'f';
		global.blanks |= c == 'b';
		opt_unique |= c == 'u';
		opt_stable |= c == 's';
	}
}

/* ---------------------------------------------------------------- keys */

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Where field f (from 1) starts in s[0..len). */
static size_t field_start(const char *s, size_t len, int f)
{
	size_t i = 0;
	for (int n = 1; n < f && i < len; n++) {
		if (separator >= 0) {
			while (i < len && (unsigned char)s[i] != separator)
				i++;
			if (i < len)
				i++;
		} else {
			while (i < len && is_blank(s[i]))
				i++;
			while (i < len && !is_blank(s[i]))
				i++;
		}
	}
	return i;
}

/* Where field f ends (the separator after it, or len). */
static size_t field_end(const char *s, size_t len, int f)
{
	size_t i = field_start(s, len, f);
	if (separator >= 0) {
		while (i < len && (unsigned char)s[i] != separator)
			i++;
	} else {
		while (i < len && is_blank(s[i]))
			i++;
		while (i < len && !is_blank(s[i]))
			i++;
	}
	return i;
}

/* The span of key k in line l. */
static void key_span(const struct key *k, const struct line *l, size_t *from, size_t *to)
{
	size_t start = field_start(l->text, l->len, k->f1);
	if (k->o.blanks)
		while (start < l->len && is_blank(l->text[start]))
			start++;
	start += (size_t)k->c1 - 1;
	size_t end = l->len;
	if (k->f2) {
		end = k->c2 ? field_start(l->text, l->len, k->f2) + (size_t)k->c2 :
		              field_end(l->text, l->len, k->f2);
		if (k->c2 && k->o.blanks) {
			size_t fs = field_start(l->text, l->len, k->f2), b = fs;
			while (b < l->len && is_blank(l->text[b]))
				b++;
			end = b + (size_t)k->c2;
		}
	}
	*from = start < l->len ? start : l->len;
	*to = end < *from ? *from : end > l->len ? l->len : end;
}

/* ---------------------------------------------------------------- comparing */

/* Compares the numbers that start a and b as -n does, exactly (any
 * length): blanks, an optional '-', digits, an optional fraction. */
static int compare_numbers(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *ae = a + alen, *be = b + blen;
	while (a < ae && is_blank(*a))
		a++;
	while (b < be && is_blank(*b))
		b++;
	int aneg = a < ae && *a == '-', bneg = b < be && *b == '-';
	a += aneg;
	b += bneg;
	while (a < ae && *a == '0')
		a++;
	while (b < be && *b == '0')
		b++;
	size_t ai = 0, bi = 0;
	while (a + ai < ae && isdigit((unsigned char)a[ai]))
		ai++;
	while (b + bi < be && isdigit((unsigned char)b[bi]))
		bi++;
	const char *af = a + ai, *bf = b + bi;
	size_t afl = 0, bfl = 0;
	if (af < ae && *af == '.')
		for (af++; af + afl < ae && isdigit((unsigned char)af[afl]); afl++)
			;
	if (bf < be && *bf == '.')
		for (bf++; bf + bfl < be && isdigit((unsigned char)bf[bfl]); bfl++)
			;
	int azero = ai == 0 && strspn(af, "0") >= afl, bzero = bi == 0 && strspn(bf, "0") >= bfl;
	if (azero)
		aneg = 0;               /* -0 is 0 */
	if (bzero)
		bneg = 0;
	if (aneg != bneg)
		return aneg ? -1 : 1;
	int mag;                        /* compare the magnitudes */
	if (ai != bi) {
		mag = ai < bi ? -1 : 1;
	} else {
		mag = memcmp(a, b, ai);
		for (size_t i = 0; !mag && (i < afl || i < bfl); i++) {
			char x = i < afl ? af[i] : '0', y = i < bfl ? bf[i] : '0';
			mag = (x > y) - (x < y);
		}
	}
	mag = (mag > 0) - (mag < 0);
	return aneg ? -mag : mag;
}

static int compare_text(const char *a, size_t alen, const char *b, size_t blen, int fold)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (fold) {
			x = (unsigned char)toupper(x);
			y = (unsigned char)toupper(y);
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (alen > blen) - (alen < blen);
}

static int compare_spans(const char *a, size_t alen, const char *b, size_t blen,
                         const struct key_opts *o)
{
	if (o->blanks && !o->numeric) {
		for (; alen && is_blank(*a); a++, alen--)
			;
		for (; blen && is_blank(*b); b++, blen--)
			;
	}
	int r = o->numeric ? compare_numbers(a, alen, b, blen) : compare_text(a, alen, b, blen, o->fold);
	return o->reverse ? -r : r;
}

/* By the keys only: 0 means equal keys (what -u folds together). */
static int compare_keys(const struct line *x, const struct line *y)
{
	if (n_keys == 0)
		return compare_spans(x->text, x->len, y->text, y->len, &global);
	for (int i = 0; i < n_keys; i++) {
		size_t xf, xt, yf, yt;
		key_span(&keys[i], x, &xf, &xt);
		key_span(&keys[i], y, &yf, &yt);
		int r = compare_spans(x->text + xf, xt - xf, y->text + yf, yt - yf, &keys[i].o);
		if (r)
			return r;
	}
	return 0;
}

/* Keys, then (unless -s or -u) the whole line by bytes, reversed with -r. */
static int compare_lines(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int r = compare_keys(x, y);
	if (r || opt_stable || opt_unique)
		return r;
	r = compare_text(x->text, x->len, y->text, y->len, 0);
	return global.reverse ? -r : r;
}

/* ---------------------------------------------------------------- input, output */

static struct line *lines;
static size_t n_lines, cap_lines;

static int read_lines(const char *name)
{
	int fd = tool_open_input(name);
	if (fd < 0) {
		tool_warn("cannot read: %s: %s", name, strerror(errno));
		return -1;
	}
	struct tool_lines in;
	char *text;
	size_t len;
	int newline, r;
	tool_lines_init(&in, fd);
	while ((r = tool_next_line(&in, &text, &len, &newline)) > 0) {
		if (n_lines == cap_lines) {
			cap_lines = cap_lines ? cap_lines * 2 : 1024;
			lines = tool_realloc(lines, cap_lines * sizeof(*lines));
		}
		char *copy = tool_malloc(len + 1);
		memcpy(copy, text, len + 1);
		lines[n_lines++] = (struct line){ copy, len };
	}
	if (r < 0)
		tool_warn("read failed: %s: %s", name, strerror(errno));
	tool_lines_free(&in);
	tool_close_input(fd);
	return r < 0 ? -1 : 0;
}

/* A stable merge sort: qsort's order of equal lines is not defined, and
 * -s promises input order for them. */
static void merge_sort(struct line *a, struct line *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(a, tmp, h);
	merge_sort(a + h, tmp, n - h);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = compare_lines(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	memcpy(a, tmp, k * sizeof(*a));
}

static int write_lines(FILE *out)
{
	for (size_t i = 0; i < n_lines; i++) {
		if (opt_unique && i > 0 && compare_keys(&lines[i - 1], &lines[i]) == 0)
			continue;
		fwrite(lines[i].text, 1, lines[i].len, out);
		putc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

int main(int argc, char **argv)
{
	int n = tool_options(argc, argv, "rnufbsk:t:o:", on_option, USAGE, 2), status = 0;
	for (int i = 0; i < n_keys; i++)
		if (keys[i].o.numeric < 0)
			keys[i].o = global;
	char *dash[] = { "-", NULL };
	char **files = n ? argv + 1 : dash;
	for (int i = 0; files[i]; i++)
		if (read_lines(files[i]) < 0)
			status = 2;
	struct line *tmp = tool_malloc((n_lines ? n_lines : 1) * sizeof(*tmp));
	merge_sort(lines, tmp, n_lines);
	free(tmp);
	if (!output_name) {
		if (write_lines(stdout) < 0 || fflush(stdout) != 0) {
			tool_warn("write failed: standard output: %s", strerror(errno));
			return 2;
		}
		return status;
	}
	FILE *out = fopen(output_name, "w");
	if (!out) {
		tool_warn("open failed: %s: %s", output_name, strerror(errno));
		return 2;
	}
	int written = write_lines(out);
	if (fclose(out) != 0 || written < 0) {
		tool_warn("write failed: %s: %s", output_name, strerror(errno));
		return 2;
	}
	return status;
}
