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

static bool vma_is_private(const struct vma *v)
{
	return !(v->flags & VMA_SHARED);
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
			f = frame_alloc();
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
static int break_cow(uint64_t *slot)
{
	frame_t old = pte_frame(*slot), f;

	if (frame_refs(old) == 1)
		return 0;
	f = frame_alloc();
	if (f == FRAME_NONE)
		return -ENOMEM;
	memcpy(frame_ptr(f), frame_ptr(old), PAGE_SIZE);
	frame_put(old);
	*slot = ((uint64_t)f << PAGE_SHIFT) | (*slot & (PAGE_SIZE - 1));
	return 0;
}

/* Map runs of pages with contiguous frames and equal protection in one platform call each. */
static int map_window(struct mm *mm, struct vma *v, uint64_t start, uint64_t end)
{
	uint64_t run_start = 0, run_off = 0;
	int run_prot = -1, err = 0;

	for (uint64_t a = start; a <= end; a += PAGE_SIZE) {
		uint64_t *slot = a < end ? ftab_slot(&mm->pages, a >> PAGE_SHIFT, false) : NULL;
		bool have = slot && *slot;
		int prot = have ? stub_prot(v, *slot) : -1;
		uint64_t off = have ? frame_offset(pte_frame(*slot)) : 0;

		if (run_prot >= 0 && (!have || prot != run_prot || off != run_off + (a - run_start))) {
			int r = g_platform->ops->map(mm->as, run_start, a - run_start, run_prot, run_off);

			if (r)
				err = r;
			run_prot = -1;
		}
		if (!have)
			continue;
		*slot |= PTE_STUB_MAPPED;
		if (prot & PROT_WRITE)
			*slot |= PTE_STUB_WRITE;
		else
			*slot &= ~(uint64_t)PTE_STUB_WRITE;
		if (run_prot < 0) {
			run_start = a;
			run_off = off;
			run_prot = prot;
		}
	}
	return err;
}

int mm_fault(struct mm *mm, uint64_t addr, bool maperr)
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
			err = break_cow(slot);
			if (err)
				return err;
		}
		return map_window(mm, v, page, page + PAGE_SIZE);
	}
	lo = MAX(v->start, page & ~(FAULT_AROUND * PAGE_SIZE - 1));
	hi = MIN(v->end, lo + FAULT_AROUND * PAGE_SIZE);
	if (page >= hi)
		hi = page + PAGE_SIZE;
	for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
		err = populate_page(mm, v, a, &slot);
		if (err) {
			if (a <= page)
				return err == -EFAULT ? -EIO : err;
			hi = a;
			break;
		}
	}
	return map_window(mm, v, lo, hi);
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
	if (err)
		return -EFAULT;
	if (write && vma_is_private(v) && frame_refs(pte_frame(*slot)) > 1) {
		err = break_cow(slot);
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
};

static void flush_run(struct protect_run *r)
{
	if (r->end > r->start)
		g_platform->ops->protect(r->mm->as, r->start, r->end - r->start, r->prot);
	r->start = r->end = 0;
}

static void protect_pte(uint64_t idx, uint64_t *slot, void *arg)
{
	struct protect_run *r = arg;
	uint64_t addr = idx << PAGE_SHIFT;

	if (!(*slot & PTE_STUB_MAPPED))
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
}
