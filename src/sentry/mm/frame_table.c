// SPDX-License-Identifier: MIT
/* The frame table: a 4-level, 512-way radix tree of 64-bit entries. */
#define _GNU_SOURCE
#include <stdlib.h>
#include "lib/util.h"
#include "sentry/mm/frame_table.h"

#define FT_BITS 9
#define FT_FANOUT (1 << FT_BITS)
#define FT_LEVELS 4

struct ft_node {
	void *slot[FT_FANOUT];
};

uint64_t *ftab_slot(struct frame_table *t, uint64_t idx, bool create)
{
	void **p = &t->root;

	for (int level = FT_LEVELS - 1; level >= 0; level--) {
		if (!*p) {
			if (!create)
				return NULL;
			*p = xzalloc(sizeof(struct ft_node));
		}
		unsigned i = (idx >> (level * FT_BITS)) & (FT_FANOUT - 1);

		if (level == 0)
			return &((uint64_t *)*p)[i];
		p = &((struct ft_node *)*p)->slot[i];
	}
	return NULL;
}

static void walk(void *node, int level, uint64_t base, uint64_t lo, uint64_t hi,
		 void (*fn)(uint64_t, uint64_t *, void *), void *arg)
{
	uint64_t span = 1ULL << (level * FT_BITS);

	for (unsigned i = 0; i < FT_FANOUT; i++) {
		uint64_t start = base + i * span;

		if (start >= hi)
			return;
		if (start + span <= lo)
			continue;
		if (level == 0) {
			uint64_t *e = &((uint64_t *)node)[i];

			if (*e)
				fn(start, e, arg);
		} else if (((struct ft_node *)node)->slot[i]) {
			walk(((struct ft_node *)node)->slot[i], level - 1, start, lo, hi, fn, arg);
		}
	}
}

void ftab_for_each(struct frame_table *t, uint64_t lo, uint64_t hi,
		   void (*fn)(uint64_t idx, uint64_t *slot, void *arg), void *arg)
{
	if (t->root)
		walk(t->root, FT_LEVELS - 1, 0, lo, hi, fn, arg);
}

/* Depth-first, stopping at the first entry found (FT_LEVELS deep at most). */
static bool find_next(void *node, int level, uint64_t base, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t span = 1ULL << (level * FT_BITS);

	for (unsigned i = 0; i < FT_FANOUT; i++) {
		uint64_t start = base + i * span;

		if (start >= hi)
			return false;
		if (start + span <= lo)
			continue;
		if (level == 0) {
			if (((uint64_t *)node)[i]) {
				*out = start;
				return true;
			}
		} else if (((struct ft_node *)node)->slot[i] &&
			   find_next(((struct ft_node *)node)->slot[i], level - 1, start, lo, hi, out)) {
			return true;
		}
	}
	return false;
}

bool ftab_next(struct frame_table *t, uint64_t lo, uint64_t hi, uint64_t *out)
{
	return t->root && lo < hi && find_next(t->root, FT_LEVELS - 1, 0, lo, hi, out);
}

static void destroy(void *node, int level)
{
	if (level > 0)
		for (unsigned i = 0; i < FT_FANOUT; i++)
			if (((struct ft_node *)node)->slot[i])
				destroy(((struct ft_node *)node)->slot[i], level - 1);
	free(node);
}

void ftab_destroy(struct frame_table *t)
{
	if (t->root)
		destroy(t->root, FT_LEVELS - 1);
	t->root = NULL;
}
