/* arena.c: memory for one command line. Everything the lexer, parser and
 * expander make is carved from chained blocks and dropped all at once by
 * sh_arena_reset() when the line has run, so no path needs a free().
 * A loop gives back what each turn took (sh_arena_mark/release), so a
 * long loop runs in constant memory. xstrdup is for what outlives a line
 * (variables, jobs, history). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

#define BLOCK_SIZE 16384

struct block {
	struct block *next;
	size_t used, size;
	_Alignas(8) char data[];
};

static struct block *blocks;

static struct block *new_block(size_t at_least)
{
	size_t size = at_least > BLOCK_SIZE ? at_least : BLOCK_SIZE;
	struct block *b = malloc(sizeof(*b) + size);
	if (!b) {
		static const char msg[] = "sh: out of memory\n";
		write(2, msg, sizeof(msg) - 1);
		_exit(2);
	}
	b->used = 0;
	b->size = size;
	b->next = blocks;
	blocks = b;
	return b;
}

void *sh_alloc(size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct block *b = blocks;
	if (!b || b->size - b->used < n)
		b = new_block(n);
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *sh_strndup(const char *s, size_t n)
{
	char *p = sh_alloc(n + 1);
	memcpy(p, s, n);
	return p;
}

char *sh_strdup(const char *s)
{
	return sh_strndup(s, strlen(s));
}

struct arena_mark sh_arena_mark(void)
{
	struct arena_mark m = { blocks, blocks ? blocks->used : 0 };
	return m;
}

void sh_arena_release(struct arena_mark m)
{
	while (blocks && blocks != m.block) {
		struct block *next = blocks->next;
		free(blocks);
		blocks = next;
	}
	if (blocks)
		blocks->used = m.used;
}

void sh_arena_keep(void)
{
	blocks = NULL;   /* never freed: the blocks hold a function's tree */
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p) {
		static const char msg[] = "sh: out of memory\n";
		write(2, msg, sizeof(msg) - 1);
		_exit(2);
	}
	return p;
}

void sh_arena_reset(void)
{
	while (blocks) {
		struct block *next = blocks->next;
		free(blocks);
		blocks = next;
	}
}
