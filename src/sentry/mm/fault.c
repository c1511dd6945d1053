// SPDX-License-Identifier: MIT
/*
 * Page population: guest faults reported by the platform, and the Sentry's
 * own accesses (mm_translate, used by the user-copy API). A fault maps a
 * window of up to FAULT_AROUND pages at once to save platform round trips.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/mm_internal.h"

#define FAULT_AROUND 16	/* pages */
#define FILL_TRIES 8	/* fills one fault may wait for before it gives up (SIGBUS) */

static bool vma_is_private(const struct vma *v)
{
	return !(v->flags & VMA_SHARED);
}

/* The frame table entry of guest page @page, 0 if none. */
static uint64_t pte_of(struct mm *mm, uint64_t page)
{
	uint64_t *slot = ftab_slot(&mm->pages, page >> PAGE_SHIFT, false);

	return slot ? *slot : 0;
}

struct private_place {
	struct mm *mm;
	struct vma *v;
	uint64_t page;
};

/* The frame of the page @delta pages from p->page in its VMA, or FRAME_NONE. */
static frame_t private_neighbour(void *ctx, int64_t delta)
{
	struct private_place *p = ctx;
	uint64_t page = p->page + (uint64_t)delta * PAGE_SIZE;

	if (page < p->v->start || page >= p->v->end)
		return FRAME_NONE;
	return pte_frame(pte_of(p->mm, page));
}

/*
 * A fresh frame for private page @page of @v, next to its neighbours'
 * frames where possible, so the stub can map them with one host mapping.
 */
static frame_t alloc_private_frame(struct mm *mm, struct vma *v, uint64_t page)
{
	struct private_place p = { mm, v, page };

	return frame_alloc_placed(private_neighbour, &p, (v->end - page) >> PAGE_SHIFT);
}

/* The frame table entry of page @page in @v, populated if absent. */
static int populate_page(struct mm *mm, struct vma *v, uint64_t page, uint64_t **out)
{
	uint64_t *slot = ftab_slot(&mm->pages, page >> PAGE_SHIFT, true);
	frame_t f;

	if (!*slot) {
		if (v->obj) {
			int err = v->obj->ops->get_frame(v->obj, v->pgoff + ((page - v->start) >> PAGE_SHIFT), &f);

			if (err)
				return err;
		} else {
			f = alloc_private_frame(mm, v, page);
			if (f == FRAME_NONE)
				return -ENOMEM;
		}
		*slot = ((uint64_t)f << PAGE_SHIFT) | PTE_PRESENT;
	}
	*out = slot;
	return 0;
}

/* Protection the stub may use for a page: no write while a private page is shared. */
static int stub_prot(const struct vma *v, uint64_t pte)
{
	int prot = v->prot;

	if (vma_is_private(v) && frame_refs(pte_frame(pte)) > 1)
		prot &= ~PROT_WRITE;
	return prot;
}

/* Give a private page its own frame, copying the shared one. */
static int break_cow(struct mm *mm, struct vma *v, uint64_t page, uint64_t *slot)
{
	frame_t old = pte_frame(*slot), f;

	if (frame_refs(old) == 1)
		return 0;
	f = alloc_private_frame(mm, v, page);
	if (f == FRAME_NONE)
		return -ENOMEM;
	memcpy(frame_ptr(f), frame_ptr(old), PAGE_SIZE);
	frame_put(old);
	*slot = ((uint64_t)f << PAGE_SHIFT) | (*slot & (PAGE_SIZE - 1));
	return 0;
}

static void clear_stub_bits(uint64_t idx, uint64_t *slot, void *arg)
{
	(void)idx;
	(void)arg;
	*slot &= ~(uint64_t)(PTE_STUB_MAPPED | PTE_STUB_WRITE);
}

int stub_reset(struct mm *mm)
{
	int err;

	if (!mm->as)
		return 0;
	/*
	 * Whole host mappings only, so this munmap cannot need a split (the
	 * stub's own pages live above GUEST_TASK_SIZE) and cannot run out of room.
	 */
	err = g_platform->ops->unmap(mm->as, 0, GUEST_TASK_SIZE);
	ftab_for_each(&mm->pages, 0, UINT64_MAX, clear_stub_bits, NULL);
	mm->stub_resets++;
	log_debug("mm %p: dropped the stub's mappings (reset %lu): %d", (void *)mm,
		  (unsigned long)mm->stub_resets, err);
	if (err)
		log_error("cannot empty a stub address space: %d", err);
	return err;
}

/* Map [start, end) to memory-file offset @off in the stub and note it in the PTEs. */
static int map_run(struct mm *mm, uint64_t start, uint64_t end, int prot, uint64_t off)
{
	int err = g_platform->ops->map(mm->as, start, end - start, prot, off);

	if (err)
		return err;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		uint64_t *slot = ftab_slot(&mm->pages, a >> PAGE_SHIFT, false);

		*slot |= PTE_STUB_MAPPED;
		if (prot & PROT_WRITE)
			*slot |= PTE_STUB_WRITE;
		else
			*slot &= ~(uint64_t)PTE_STUB_WRITE;
	}
	return 0;
}

/* Map runs of pages with contiguous frames and equal protection in one platform call each. */
static int map_window_once(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	uint64_t run_start = 0, run_off = 0;
	int run_prot = -1;

	for (uint64_t a = start; a <= end; a += PAGE_SIZE) {
		uint64_t pte = a < end ? pte_of(mm, a) : 0;
		int prot = pte ? stub_prot(v, pte) : -1;
		uint64_t off = pte ? frame_offset(pte_frame(pte)) : 0;

		if (run_prot >= 0 && (!pte || prot != run_prot || off != run_off + (a - run_start))) {
			int err = map_run(mm, run_start, a, run_prot, run_off);

			if (err)
				return err;
			run_prot = -1;
		}
		if (pte && run_prot < 0) {
			run_start = a;
			run_off = off;
			run_prot = prot;
		}
	}
	return 0;
}

/*
 * A failed map may leave the stub mapping a frame the page no longer has
 * (a copy-on-write break), and the usual failure is the host's per-process
 * map count, which the guest can reach (pages whose frames or protections
 * alternate need a host mapping each). Either way: drop all of the stub's
 * mappings of this mm, let pages fault back in, and map the window again.
 */
static int map_window(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	int err = map_window_once(mm, v, start, end);

	if (!err)
		return 0;
	if (stub_reset(mm))
		return err;
	return map_window_once(mm, v, start, end);
}

/*
 * Populate [*lo, *hi) around the faulting @page, shrinking the window past
 * pages that cannot be had. Filled downwards when it continues a run below
 * (a stack, a buffer walked backwards), so the frames stay in order.
 */
static int populate_window(struct mm *mm, struct vma *v, uint64_t page, uint64_t *lo, uint64_t *hi)
{
	uint64_t n = (*hi - *lo) >> PAGE_SHIFT, start = *lo, end = *hi, *slot;
	bool down = start > v->start && end < v->end && !pte_of(mm, start - PAGE_SIZE) && pte_of(mm, end);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t a = down ? end - (i + 1) * PAGE_SIZE : start + i * PAGE_SIZE;
		int err;

		if (a < *lo || a >= *hi)
			continue;
		err = populate_page(mm, v, a, &slot);
		if (!err)
			continue;
		if (a == page)
			return err == -EFAULT ? -EIO : err;	/* MOBJ_NEEDS_FILL passes */
		if (a < page)
			*lo = a + PAGE_SIZE;
		else
			*hi = a;
	}
	return 0;
}

/*
 * Bring in the data of pages [@lo, @hi) of @v that still live in a lower
 * file. The kernel lock may be dropped (@may_drop): @v is not used after,
 * its object is held meanwhile.
 */
static int fill_range(struct vma *v, uint64_t lo, uint64_t hi, bool may_drop)
{
	struct mobj *o = v->obj;
	int err;

	if (!o || !o->ops->fill)
		return -EIO;
	mobj_get(o);
	err = o->ops->fill(o, v->pgoff + ((lo - v->start) >> PAGE_SHIFT), (hi - lo) >> PAGE_SHIFT, may_drop);
	mobj_put(o);
	return err;
}

/* One try at a fault; MOBJ_NEEDS_FILL with the window to fill in fill_lo, fill_hi. */
static int fault_once(struct mm *mm, uint64_t addr, bool maperr, struct vma **vout, uint64_t *fill_lo, uint64_t *fill_hi)
{
	struct vma *v = mm_find_vma(mm, addr);
	uint64_t page = PAGE_ALIGN_DOWN(addr), lo, hi, *slot;
	int err;

	if (!v || !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) || !mm->as)
		return -EFAULT;
	if (!maperr) {
		/* Access error on a mapped page: only a pending write upgrade is ours to fix. */
		slot = ftab_slot(&mm->pages, page >> PAGE_SHIFT, false);
		if (!slot || !*slot || !(v->prot & PROT_WRITE))
			return -EFAULT;
		/* Already writable: another thread fixed it meanwhile, or the access was not a write. */
		if (*slot & PTE_STUB_WRITE)
			return -EAGAIN;
		if (vma_is_private(v)) {
			err = break_cow(mm, v, page, slot);
			if (err)
				return err;
		}
		return map_window(mm, v, page, page + PAGE_SIZE);
	}
	lo = MAX(v->start, page & ~(FAULT_AROUND * PAGE_SIZE - 1));
	hi = MIN(v->end, lo + FAULT_AROUND * PAGE_SIZE);
	if (page >= hi)
		hi = page + PAGE_SIZE;
	*vout = v;
	*fill_lo = MAX(lo, page);	/* from the faulting page on: reads run forwards */
	*fill_hi = MIN(v->end, *fill_lo + FAULT_AROUND * PAGE_SIZE);
	err = populate_window(mm, v, page, &lo, &hi);
	if (err)
		return err;
	return map_window(mm, v, lo, hi);
}

/*
 * A page of a lower-backed file is read in with the kernel lock dropped,
 * then the fault starts over: the mapping may have changed meanwhile.
 */
int mm_fault(struct mm *mm, uint64_t addr, bool maperr)
{
	for (int tries = 0;; tries++) {
		struct vma *v = NULL;
		uint64_t lo = 0, hi = 0;
		int err = fault_once(mm, addr, maperr, &v, &lo, &hi);

		if (err != MOBJ_NEEDS_FILL)
			return err;
		if (tries == FILL_TRIES)
			return -EIO;
		err = fill_range(v, lo, hi, true);
		if (err)
			return -EIO;	/* the file cannot be read: SIGBUS, as Linux */
	}
}

int mm_translate(struct mm *mm, uint64_t addr, bool write, bool force, uint8_t **out)
{
	struct vma *v = mm_find_vma(mm, addr);
	uint64_t page = PAGE_ALIGN_DOWN(addr), *slot;
	int err;

	if (!v)
		return -EFAULT;
	if (!force && !(v->prot & (write ? PROT_WRITE : (PROT_READ | PROT_WRITE | PROT_EXEC))))
		return -EFAULT;
	err = populate_page(mm, v, page, &slot);
	if (err == MOBJ_NEEDS_FILL) {
		/*
		 * The user-copy callers cannot have the kernel lock dropped
		 * under them: read the lower data with it held (an exception to
		 * the rule, for pages of mapped files the Sentry touches first).
		 */
		if (!fill_range(v, page, MIN(v->end, page + FAULT_AROUND * PAGE_SIZE), false))
			err = populate_page(mm, v, page, &slot);
	}
	if (err)
		return -EFAULT;
	if (write && !vma_is_private(v) && v->obj)
		v->obj->may_write_unseen = true;	/* a (forced) store the file's write path does not see */
	if (write && vma_is_private(v) && frame_refs(pte_frame(*slot)) > 1) {
		err = break_cow(mm, v, page, slot);
		if (err)
			return -EFAULT;
		/* The stub still maps the shared frame: point it at the new one. */
		if ((*slot & PTE_STUB_MAPPED) && mm->as)
			map_window(mm, v, page, page + PAGE_SIZE);
	}
	*out = (uint8_t *)frame_ptr(pte_frame(*slot)) + (addr & (PAGE_SIZE - 1));
	return 0;
}

struct protect_run {
	struct mm *mm;
	uint64_t start, end;	/* current run of stub-mapped pages */
	int prot;
	bool failed;
};

static void flush_run(struct protect_run *r)
{
	if (r->end > r->start && g_platform->ops->protect(r->mm->as, r->start, r->end - r->start, r->prot))
		r->failed = true;
	r->start = r->end = 0;
}

static void protect_pte(uint64_t idx, uint64_t *slot, void *arg)
{
	struct protect_run *r = arg;
	uint64_t addr = idx << PAGE_SHIFT;

	if (!(*slot & PTE_STUB_MAPPED) || r->failed)
		return;
	if (!(r->prot & PROT_WRITE))
		*slot &= ~(uint64_t)PTE_STUB_WRITE;
	if (addr != r->end)
		flush_run(r);
	if (!r->end)
		r->start = addr;
	r->end = addr + PAGE_SIZE;
}

void stub_protect_mapped(struct mm *mm, uint64_t start, uint64_t end, int prot)
{
	struct protect_run r = { .mm = mm, .prot = prot };

	if (!mm->as)
		return;
	/* The host refuses mprotect over holes, and lazily mapped ranges have them. */
	ftab_for_each(&mm->pages, start >> PAGE_SHIFT, end >> PAGE_SHIFT, protect_pte, &r);
	flush_run(&r);
	/* A page left writable could write to a shared frame: rather map nothing. */
	if (r.failed)
		stub_reset(mm);
}
