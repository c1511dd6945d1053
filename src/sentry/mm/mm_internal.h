/* SPDX-License-Identifier: MIT */
/* Helpers shared by mm.c and fault.c only. */
#pragma once
#include "sentry/mm/mm.h"

void file_get(struct file *f);
void file_put(struct file *f);

static inline frame_t pte_frame(uint64_t pte)
{
	return (frame_t)(pte >> PAGE_SHIFT);
}

size_t vma_index(struct mm *mm, uint64_t addr);
void stub_unmap(struct mm *mm, uint64_t start, uint64_t end);
/*
 * Drop every stub mapping of @mm (its pages fault back in): the way out
 * when the host refuses a mapping change, e.g. at its map-count limit.
 */
int stub_reset(struct mm *mm);
/* Change the stub's protection of the pages it has mapped in [start, end). */
void stub_protect_mapped(struct mm *mm, uint64_t start, uint64_t end, int prot);
