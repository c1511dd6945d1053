// SPDX-License-Identifier: MIT
/*
 * Reverse map: which mms map a memory object, so that truncating or
 * punching a file can take its pages out of every mapping (Linux's
 * unmap_mapping_range), not only out of the page cache.
 *
 * Platform address-space operations act only through the calling task's
 * own context (platform.h). So the caller's mm loses the pages from its
 * stub at once; another mm with a stub keeps the zapped frames referenced
 * (its stub may still map them, and the guest must never see a frame
 * reused for other data) and drops its stub mappings before one of its
 * tasks next runs guest code (mm_settle_stale); its tasks in guest code
 * are interrupted for that. Until then they may still see the old data
 * (Linux waits for the TLB shootdown; we do not wait).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/mm_internal.h"

static struct mobj_mapper *find_mapper(struct mobj *o, struct mm *mm)
{
	for (size_t i = 0; i < o->nr_mappers; i++)
		if (o->mappers[i].mm == mm)
			return &o->mappers[i];
	return NULL;
}

void mobj_rmap_add(struct mobj *o, struct mm *mm)
{
	struct mobj_mapper *m = find_mapper(o, mm);

	if (m) {
		m->vmas++;
		return;
	}
	if (o->nr_mappers == o->cap_mappers) {
		o->cap_mappers = o->cap_mappers ? 2 * o->cap_mappers : 4;
		o->mappers = xrealloc(o->mappers, o->cap_mappers * sizeof(*o->mappers));
	}
	o->mappers[o->nr_mappers++] = (struct mobj_mapper){ mm, 1 };
}

void mobj_rmap_del(struct mobj *o, struct mm *mm)
{
	struct mobj_mapper *m = find_mapper(o, mm);

	BUG_ON(!m);
	if (--m->vmas)
		return;
	*m = o->mappers[--o->nr_mappers];
	if (!o->nr_mappers) {
		free(o->mappers);
		o->mappers = NULL;
		o->cap_mappers = 0;
	}
}

struct zap_arg {
	struct mm *mm;
	const struct frame_table *obj_pages;	/* non-NULL: keep private pages not from it (COW copies) */
	uint64_t obj_base;			/* object page of guest page 0 in this VMA: pgoff - start page */
	bool private;
	bool defer;				/* the stub is another task's to change: keep the frames */
};

static bool is_cow_copy(const struct zap_arg *z, uint64_t idx, frame_t f)
{
	uint64_t *slot;

	if (!z->private || !z->obj_pages)
		return false;
	slot = ftab_slot((struct frame_table *)z->obj_pages, idx + z->obj_base, false);
	return !slot || (frame_t)*slot != f;
}

static void defer_frame(struct mm *mm, frame_t f)
{
	if (mm->nr_stale == mm->cap_stale) {
		mm->cap_stale = mm->cap_stale ? 2 * mm->cap_stale : 16;
		mm->stale_frames = xrealloc(mm->stale_frames, mm->cap_stale * sizeof(*mm->stale_frames));
	}
	mm->stale_frames[mm->nr_stale++] = f;
}

/* First pass: with the frames still held, only decide and defer; frames are put after the stub lets go. */
static void zap_obj_pte(uint64_t idx, uint64_t *slot, void *arg)
{
	struct zap_arg *z = arg;
	frame_t f = pte_frame(*slot);

	if (is_cow_copy(z, idx, f)) {
		/* Stays; the stub loses its mapping of it below, like its neighbours. */
		*slot &= ~(uint64_t)(PTE_STUB_MAPPED | PTE_STUB_WRITE);
		return;
	}
	*slot = 0;
	defer_frame(z->mm, f);
}

static void put_stale(struct mm *mm)
{
	for (size_t i = 0; i < mm->nr_stale; i++)
		frame_put(mm->stale_frames[i]);
	free(mm->stale_frames);
	mm->stale_frames = NULL;
	mm->nr_stale = mm->cap_stale = 0;
	memfile_flush();
}

/* Pages of object pages [first, end) in @mm's VMAs of @o. */
static void zap_in_mm(struct mm *mm, struct mobj *o, uint64_t first, uint64_t end,
		      const struct frame_table *obj_pages)
{
	bool own = current && current->mm == mm;
	/* Stale frames from before may still be mapped by the stub: keep these with them until it is reset. */
	struct zap_arg z = { .mm = mm, .obj_pages = obj_pages, .defer = mm->as && (!own || mm->stub_stale) };

	for (size_t i = 0; i < mm->nr_vmas; i++) {
		struct vma *v = &mm->vmas[i];
		uint64_t vend = v->pgoff + ((v->end - v->start) >> PAGE_SHIFT);
		uint64_t lo = MAX(first, v->pgoff), hi = MIN(end, vend), start, stop;

		if (v->obj != o || lo >= hi)
			continue;
		start = v->start + ((lo - v->pgoff) << PAGE_SHIFT);
		stop = v->start + ((hi - v->pgoff) << PAGE_SHIFT);
		z.private = !(v->flags & VMA_SHARED);
		z.obj_base = v->pgoff - (v->start >> PAGE_SHIFT);
		ftab_for_each(&mm->pages, start >> PAGE_SHIFT, stop >> PAGE_SHIFT, zap_obj_pte, &z);
		if (!z.defer)
			stub_unmap(mm, start, stop);
	}
	if (z.defer) {
		if (mm->nr_stale) {
			mm->stub_stale = true;
			/* Those in guest code now come back to settle; asynchronous: not a shootdown. */
			task_kick_mm(mm);
		}
		return;
	}
	put_stale(mm);
}

void mobj_unmap_range(struct mobj *o, uint64_t first, uint64_t end, const struct frame_table *obj_pages)
{
	for (size_t i = 0; i < o->nr_mappers; i++)
		zap_in_mm(o->mappers[i].mm, o, first, end, obj_pages);
}

void mm_settle_stale(struct mm *mm)
{
	if (!mm->stub_stale)
		return;
	/* Which of the stub's mappings hold stale frames is not recorded: drop them all. */
	stub_reset(mm);
	mm->stub_stale = false;
	put_stale(mm);
}

void mm_drop_stale(struct mm *mm)
{
	mm->stub_stale = false;
	put_stale(mm);
}
