/*
 * guest_stack.c: the initial stack of a new guest program (portable) --
 * see guest_stack.h for the layout. The size is worked out in full first
 * (every sum checked against max_bytes), then strings, random bytes and the
 * pointer table are written through gmem, so a stack that does not fit
 * changes nothing.
 */
#include <string.h>

#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/guest_stack.h"

#define GUEST_HWCAP ((1u << ('I' - 'A')) | (1u << ('M' - 'A')))
#define GUEST_CLKTCK 100u
#define AUXV_MAX 17u                 /* pairs, AT_NULL included */

struct stack_plan {
	uint32_t argc, envc;
	uint32_t strings;                /* bytes of argv, envp and execfn text */
	uint32_t words;                  /* argc, pointers and auxv, in words */
	uint32_t sp, rand_at, str_at, execfn_at;
};

static uint32_t count(const char *const v[])
{
	uint32_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/* Add len + 1 string bytes to *total; -1 past the limit. */
static int add_string(uint32_t *total, const char *s, uint32_t limit)
{
	size_t len = strlen(s);

	if (len >= limit || *total > limit - (uint32_t)len - 1u)
		return -1;
	*total += (uint32_t)len + 1u;
	return 0;
}

static int plan(struct stack_plan *p, uint32_t top, uint32_t max_bytes,
                const char *const argv[], const char *const envp[], const char *execfn)
{
	int64_t str_at, rand_at, sp;
	uint32_t i;

	p->argc = count(argv);
	p->envc = count(envp);
	p->strings = 0;
	for (i = 0; i < p->argc; i++)
		if (add_string(&p->strings, argv[i], max_bytes) < 0)
			return -NOS_E2BIG;
	for (i = 0; i < p->envc; i++)
		if (add_string(&p->strings, envp[i], max_bytes) < 0)
			return -NOS_E2BIG;
	if (add_string(&p->strings, execfn, max_bytes) < 0)
		return -NOS_E2BIG;
	if (p->argc > max_bytes / 4u || p->envc > max_bytes / 4u)
		return -NOS_E2BIG;
	p->words = 1u + p->argc + 1u + p->envc + 1u + 2u * AUXV_MAX;
	/* Signed 64-bit positions: a stack too big for the space goes below 0
	 * instead of wrapping. */
	str_at = (int64_t)(top & ~(uint32_t)15) - 4 - p->strings;
	rand_at = (str_at & ~(int64_t)15) - 16;
	sp = (rand_at - (int64_t)p->words * 4) & ~(int64_t)15;
	if ((int64_t)top - sp > (int64_t)max_bytes)
		return -NOS_E2BIG;
	if (sp < 0)
		return -NOS_EFAULT;
	p->str_at = (uint32_t)str_at;
	p->execfn_at = (top & ~(uint32_t)15) - 4u - (uint32_t)strlen(execfn) - 1u;
	p->rand_at = (uint32_t)rand_at;
	p->sp = (uint32_t)sp;
	return 0;
}

static int put_word(guest_mem *m, uint32_t *at, uint32_t v)
{
	uint8_t b[4];

	st_32(b, v);
	*at += 4u;
	return gmem_write(m, *at - 4u, b, 4);
}

static int put_aux(guest_mem *m, uint32_t *at, uint32_t type, uint32_t v)
{
	int r = put_word(m, at, type);

	return r < 0 ? r : put_word(m, at, v);
}

/* Copy the strings of v upward from *str, their addresses upward from
 * *ptr, then the closing NULL. */
static int put_strings(guest_mem *m, uint32_t *ptr, uint32_t *str, const char *const v[],
                       uint32_t n)
{
	uint32_t i;
	int r;

	for (i = 0; i < n; i++) {
		uint32_t len = (uint32_t)strlen(v[i]) + 1u;

		if ((r = gmem_write(m, *str, v[i], len)) < 0 || (r = put_word(m, ptr, *str)) < 0)
			return r;
		*str += len;
	}
	return put_word(m, ptr, 0);
}

static int put_auxv(guest_mem *m, uint32_t *at, const struct stack_plan *p,
                    const struct elf_image *img, const struct guest_ids *ids)
{
	const uint32_t pairs[][2] = {
		{ GUEST_AT_HWCAP, GUEST_HWCAP }, { GUEST_AT_PAGESZ, 4096u },
		{ GUEST_AT_CLKTCK, GUEST_CLKTCK },
		{ GUEST_AT_PHDR, img->phdr_addr }, { GUEST_AT_PHENT, img->phent },
		{ GUEST_AT_PHNUM, img->phnum },
		{ GUEST_AT_BASE, 0 }, { GUEST_AT_FLAGS, 0 }, { GUEST_AT_ENTRY, img->entry },
		{ GUEST_AT_UID, ids->uid }, { GUEST_AT_EUID, ids->euid },
		{ GUEST_AT_GID, ids->gid }, { GUEST_AT_EGID, ids->egid },
		{ GUEST_AT_SECURE, 0 }, { GUEST_AT_RANDOM, p->rand_at },
		{ GUEST_AT_EXECFN, p->execfn_at }, { GUEST_AT_NULL, 0 },
	};
	uint32_t i;
	int r;

	_Static_assert(sizeof(pairs) / sizeof(pairs[0]) == AUXV_MAX, "AUXV_MAX counts the pairs");
	for (i = 0; i < AUXV_MAX; i++) {
		uint32_t t = pairs[i][0];

		if (img->phdr_addr == 0 && (t == GUEST_AT_PHDR || t == GUEST_AT_PHENT ||
		                            t == GUEST_AT_PHNUM))
			continue;
		if ((r = put_aux(m, at, t, pairs[i][1])) < 0)
			return r;
	}
	return 0;
}

int guest_stack_init(guest_mem *m, uint32_t stack_top, uint32_t max_bytes,
                     const char *const argv[], const char *const envp[],
                     const struct elf_image *img, const struct guest_ids *ids,
                     const uint8_t random16[16], uint32_t *sp_out)
{
	const char *execfn = count(argv) > 0 ? argv[0] : "";
	struct stack_plan p;
	uint32_t at, str;
	int r;

	if (img == NULL || ids == NULL || random16 == NULL || sp_out == NULL)
		return -NOS_EINVAL;
	if ((r = plan(&p, stack_top, max_bytes, argv, envp, execfn)) < 0)
		return r;
	if (!gmem_in_range(m, p.sp, stack_top - p.sp))
		return -NOS_EFAULT;
	at = p.sp;
	str = p.str_at;
	if ((r = put_word(m, &at, p.argc)) < 0 ||
	    (r = put_strings(m, &at, &str, argv, p.argc)) < 0 ||
	    (r = put_strings(m, &at, &str, envp, p.envc)) < 0 ||
	    (r = put_auxv(m, &at, &p, img, ids)) < 0)
		return r;
	if ((r = gmem_write(m, p.execfn_at, execfn, (uint32_t)strlen(execfn) + 1u)) < 0 ||
	    (r = gmem_write(m, p.rand_at, random16, 16)) < 0 ||
	    (r = gmem_fill(m, p.execfn_at + (uint32_t)strlen(execfn) + 1u, 0,
	                   (stack_top & ~(uint32_t)15) - p.execfn_at - (uint32_t)strlen(execfn) - 1u)) < 0)
		return r;
	*sp_out = p.sp;
	return 0;
}
