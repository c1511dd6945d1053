/* SPDX-License-Identifier: MIT */
/*
 * A sparse table from page index to entry (a 4-level radix tree, 9 bits a
 * level, like a hardware page table). Used for an mm's pages (index = guest
 * page number) and for a memory object's pages (index = file page offset).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct frame_table {
	void *root;
};

/* Indexes a table can hold: 4 levels of 9 bits (for pages: 256 TiB). */
#define FTAB_MAX_INDEX (1ULL << 36)

/* Returns a pointer to the slot for @idx, creating levels if @create. NULL if absent. */
uint64_t *ftab_slot(struct frame_table *t, uint64_t idx, bool create);
/* Visit every non-zero entry with index in [@lo, @hi), in order. */
void ftab_for_each(struct frame_table *t, uint64_t lo, uint64_t hi,
		   void (*fn)(uint64_t idx, uint64_t *slot, void *arg), void *arg);
/* The index of the first non-zero entry in [@lo, @hi) in *@out; false if none. */
bool ftab_next(struct frame_table *t, uint64_t lo, uint64_t hi, uint64_t *out);
/* Free the table's nodes (entries must have been released by the caller). */
void ftab_destroy(struct frame_table *t);
