/* arith.c: $((...)), signed long arithmetic after $ expansion, C's
 * precedence: ( ) ; unary + - ! ~ ; * / % ; + - ; << >> ; < <= > >= ;
 * == != ; & ; ^ ; | ; && ; || ; and a bare NAME is the variable's value
 * (empty or unset: 0). Decimal, 0x hex and 0 octal numbers. Division by
 * zero and a malformed expression are errors. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sh.h"

struct arith {
	const char *s;
	int failed;
	int reported;    /* the failure was already named */
};

static void skip_blanks(struct arith *a)
{
	while (isspace((unsigned char)*a->s))
		a->s++;
}

static int take(struct arith *a, const char *op)
{
	skip_blanks(a);
	size_t n = strlen(op);
	if (strncmp(a->s, op, n) != 0)
		return 0;
	/* "<" must not take the first half of "<<" or "<=", nor "&" of "&&" ... */
	if (n == 1 && a->s[1] && strchr("<>&|=", op[0]) && (a->s[1] == op[0] || a->s[1] == '='))
		return 0;
	if (n == 1 && op[0] == '!' && a->s[1] == '=')
		return 0;
	a->s += n;
	return 1;
}

static long parse_or(struct arith *a);

static long primary(struct arith *a)
{
	skip_blanks(a);
	if (take(a, "(")) {
		long v = parse_or(a);
		if (!take(a, ")"))
			a->failed = 1;
		return v;
	}
	if (isdigit((unsigned char)*a->s)) {
		char *end;
		long v = strtol(a->s, &end, 0);
		a->s = end;
		return v;
	}
	if (*a->s == '_' || isalpha((unsigned char)*a->s)) {
		const char *start = a->s;
		while (*a->s == '_' || isalnum((unsigned char)*a->s))
			a->s++;
		const char *value = var_get(sh_strndup(start, (size_t)(a->s - start)));
		return value ? strtol(value, NULL, 0) : 0;
	}
	a->failed = 1;
	return 0;
}

static long unary(struct arith *a)
{
	if (take(a, "-"))
		return -unary(a);
	if (take(a, "+"))
		return unary(a);
	if (take(a, "!"))
		return !unary(a);
	if (take(a, "~"))
		return ~unary(a);
	return primary(a);
}

/* One precedence level of binary operators, table driven. */
enum op { OP_MUL, OP_DIV, OP_MOD, OP_ADD, OP_SUB, OP_SHL, OP_SHR, OP_LE, OP_GE, OP_LT, OP_GT,
	  OP_EQ, OP_NE, OP_BAND, OP_XOR, OP_BOR, OP_AND, OP_OR };

static const struct {
	const char *text;
	enum op op;
	int level;   /* 0 binds tightest */
} ops[] = {
	{ "*", OP_MUL, 0 },  { "/", OP_DIV, 0 },  { "%", OP_MOD, 0 }, { "+", OP_ADD, 1 },
	{ "-", OP_SUB, 1 },  { "<<", OP_SHL, 2 }, { ">>", OP_SHR, 2 }, { "<=", OP_LE, 3 },
	{ ">=", OP_GE, 3 },  { "<", OP_LT, 3 },   { ">", OP_GT, 3 },  { "==", OP_EQ, 4 },
	{ "!=", OP_NE, 4 },  { "&&", OP_AND, 8 }, { "||", OP_OR, 9 }, { "&", OP_BAND, 5 },
	{ "^", OP_XOR, 6 },  { "|", OP_BOR, 7 },
};
#define TOP_LEVEL 9

static long apply(struct arith *a, enum op op, long l, long r)
{
	switch (op) {
	case OP_MUL: return l * r;
	case OP_DIV:
	case OP_MOD:
		if (r == 0) {
			sh_error("arithmetic: division by zero");
			a->failed = a->reported = 1;
			return 0;
		}
		return op == OP_DIV ? l / r : l % r;
	case OP_ADD: return l + r;
	case OP_SUB: return l - r;
	case OP_SHL: return l << r;
	case OP_SHR: return l >> r;
	case OP_LE: return l <= r;
	case OP_GE: return l >= r;
	case OP_LT: return l < r;
	case OP_GT: return l > r;
	case OP_EQ: return l == r;
	case OP_NE: return l != r;
	case OP_BAND: return l & r;
	case OP_XOR: return l ^ r;
	case OP_BOR: return l | r;
	case OP_AND: return l && r;
	default: return l || r;
	}
}

static long binary(struct arith *a, int level)
{
	if (level < 0)
		return unary(a);
	long left = binary(a, level - 1);
	for (;;) {
		size_t k = 0;
		while (k < sizeof(ops) / sizeof(ops[0]) && (ops[k].level != level || !take(a, ops[k].text)))
			k++;
		if (k == sizeof(ops) / sizeof(ops[0]))
			return left;
		left = apply(a, ops[k].op, left, binary(a, level - 1));
	}
}

static long parse_or(struct arith *a)
{
	return binary(a, TOP_LEVEL);
}

int arith_eval(const char *expr, long *value)
{
	struct arith a = { expr, 0, 0 };
	*value = parse_or(&a);
	skip_blanks(&a);
	if (*a.s)
		a.failed = 1;
	if (!a.failed)
		return 0;
	if (!a.reported)
		sh_error("arithmetic: syntax error in '%s'", expr);
	*value = 0;
	return -1;
}
