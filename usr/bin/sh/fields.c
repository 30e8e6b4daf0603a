/* fields.c: field splitting (POSIX 2.6.5). An expanded word is cut at the
 * characters of $IFS (unset: space, tab, newline; empty: no splitting) -
 * but only where an unquoted expansion put them (mask M_SPLIT), never in
 * the word's own text or inside quotes. IFS white space gathers: runs of
 * it, and any at the ends, make no empty fields; every other IFS
 * character ends a field, even an empty one ("a::b" is a, "", b). A word
 * that had quotes yields a field even when empty (""), one that had none
 * and expanded to nothing yields no field. "$@" breaks fields (M_BREAK). */
#include <string.h>

#include "sh.h"

struct splitter {
	struct field *out;
	int n, cap;
	struct xword cur;
	int started;          /* the current field exists (text or quotes) */
	int after_white;      /* a field just ended at IFS white space */
};

static void emit(struct splitter *sp)
{
	if (sp->n == sp->cap) {
		int cap = sp->cap ? sp->cap * 2 : 4;
		struct field *bigger = sh_alloc((size_t)cap * sizeof(*bigger));
		if (sp->n)
			memcpy(bigger, sp->out, (size_t)sp->n * sizeof(*bigger));
		sp->out = bigger;
		sp->cap = cap;
	}
	struct field *f = &sp->out[sp->n++];
	f->s = sp->cur.s ? sp->cur.s : sh_strdup("");
	f->m = sp->cur.m ? sp->cur.m : sh_strdup("");
	f->len = sp->cur.len;
	memset(&sp->cur, 0, sizeof(sp->cur));
	sp->started = 0;
}

static int is_ifs_white(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int fields_split(const struct xword *w, struct field **out)
{
	const char *ifs = var_get("IFS");
	if (!ifs)
		ifs = " \t\n";
	struct splitter sp = { 0 };
	for (size_t i = 0; i < w->len; i++) {
		char c = w->s[i], m = w->m[i];
		if (m == M_MARK) {
			sp.started = 1;
		} else if (m == M_BREAK) {
			emit(&sp);
			sp.started = 1;
		} else if (m == M_SPLIT && c && strchr(ifs, c)) {
			if (is_ifs_white(c)) {
				if (sp.started) {
					emit(&sp);
					sp.after_white = 1;
				}
			} else {
				if (sp.started || !sp.after_white)
					emit(&sp);
				sp.after_white = 0;
			}
		} else {
			xword_put(&sp.cur, &c, 1, m);
			sp.started = 1;
			sp.after_white = 0;
		}
	}
	if (sp.started)
		emit(&sp);
	*out = sp.out;
	return sp.n;
}
