// SPDX-License-Identifier: MIT
/*
 * mm lifetime and VMA bookkeeping: mmap, munmap, mprotect, mremap, brk,
 * madvise(DONTNEED), fork and exec teardown. Faults and Sentry access live
 * in fault.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/vfs.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/mm_internal.h"
#include "sentry/mm/syscall_patch.h"

/*
 * Linux's vm.mmap_min_addr default: below it a mapping needs CAP_SYS_RAWIO,
 * which no guest has (EPERM, as in a container). Page 0 mapped would also
 * turn the guest's NULL dereferences into loads that succeed (trinity's
 * children spun for ever walking a list from NULL) and put guest data at
 * address 0 of a host process, the stub.
 */
#define MMAP_MIN_ADDR 0x10000ULL
/*
 * VMAs an mm may have: Linux's vm.max_map_count default. Each can cost the
 * stub a host mapping, and the guest must not be able to use up more than
 * Linux would give it; checked where Linux checks it.
 */
#define MAX_MAP_COUNT 65530

struct mm *mm_new(void)
{
	struct mm *mm = xzalloc(sizeof(*mm));

	mm->refs = 1;
	return mm;
}

void mm_get(struct mm *mm)
{
	BUG_ON(mm->refs <= 0);
	mm->refs++;
}

static void vma_release(struct mm *mm, struct vma *v)
{
	if (v->obj) {
		mobj_rmap_del(v->obj, mm);
		mobj_put(v->obj);
	}
	if (v->file)
		file_put(v->file);
}

static void put_pte(uint64_t idx, uint64_t *slot, void *arg)
{
	(void)idx;
	(void)arg;
	frame_put(pte_frame(*slot));
	*slot = 0;
}

void mm_put(struct mm *mm)
{
	BUG_ON(mm->refs <= 0);
	if (--mm->refs)
		return;
	ftab_for_each(&mm->pages, 0, UINT64_MAX, put_pte, NULL);
	ftab_destroy(&mm->pages);
	memfile_flush();
	for (size_t i = 0; i < mm->nr_vmas; i++)
		vma_release(mm, &mm->vmas[i]);
	free(mm->vmas);
	mm_drop_stale(mm);
	syscall_patches_free(mm);
	if (mm->exe) {
		mm->exe->inode->exec_count--;
		file_put(mm->exe);
	}
	if (mm->as)
		g_platform->ops->release_address_space(mm->as);
	free(mm);
}

int mm_activate(struct mm *mm)
{
	if (mm->as)
		return 0;
	return g_platform->ops->new_address_space(g_platform, &mm->as);
}

/* Index of the first VMA that ends above @addr (== nr_vmas if none). */
size_t vma_index(struct mm *mm, uint64_t addr)
{
	size_t lo = 0, hi = mm->nr_vmas;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (mm->vmas[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vma *mm_find_vma(struct mm *mm, uint64_t addr)
{
	size_t i = vma_index(mm, addr);

	if (i < mm->nr_vmas && mm->vmas[i].start <= addr)
		return &mm->vmas[i];
	return NULL;
}

static void vma_insert_at(struct mm *mm, size_t i, const struct vma *v)
{
	if (mm->nr_vmas == mm->cap_vmas) {
		mm->cap_vmas = mm->cap_vmas ? mm->cap_vmas * 2 : 16;
		mm->vmas = xrealloc(mm->vmas, mm->cap_vmas * sizeof(*v));
	}
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nr_vmas - i) * sizeof(*v));
	mm->vmas[i] = *v;
	mm->nr_vmas++;
}

static void vma_remove_at(struct mm *mm, size_t i)
{
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nr_vmas - i - 1) * sizeof(struct vma));
	mm->nr_vmas--;
}

/* Split the VMA containing @addr so that a VMA boundary falls on @addr. */
static void vma_split(struct mm *mm, uint64_t addr)
{
	size_t i = vma_index(mm, addr);
	struct vma *v, tail;

	if (i >= mm->nr_vmas || mm->vmas[i].start >= addr)
		return;
	v = &mm->vmas[i];
	tail = *v;
	tail.start = addr;
	if (tail.obj) {
		tail.pgoff += (addr - v->start) >> PAGE_SHIFT;
		mobj_get(tail.obj);
		mobj_rmap_add(tail.obj, mm);
	}
	if (tail.file)
		file_get(tail.file);
	v->end = addr;
	vma_insert_at(mm, i + 1, &tail);
}

static bool vma_can_merge(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && !a->obj && !b->obj && !a->file && !b->file && a->prot == b->prot &&
	       a->flags == b->flags && a->name == b->name;
}

static void vma_try_merge(struct mm *mm, size_t i)
{
	if (i + 1 < mm->nr_vmas && vma_can_merge(&mm->vmas[i], &mm->vmas[i + 1])) {
		mm->vmas[i].end = mm->vmas[i + 1].end;
		vma_remove_at(mm, i + 1);
	}
	if (i > 0 && vma_can_merge(&mm->vmas[i - 1], &mm->vmas[i])) {
		mm->vmas[i - 1].end = mm->vmas[i].end;
		vma_remove_at(mm, i);
	}
}

static void zap_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	ftab_for_each(&mm->pages, start >> PAGE_SHIFT, end >> PAGE_SHIFT, put_pte, NULL);
	memfile_flush();
}

void stub_unmap(struct mm *mm, uint64_t start, uint64_t end)
{
	/*
	 * Splitting a host mapping can fail at the host's map count; the
	 * range's frames are being freed, so the stub must lose them anyway.
	 */
	if (mm->as && end > start && g_platform->ops->unmap(mm->as, start, end - start))
		stub_reset(mm);
}

/* Linux: an unmap that splits one VMA in two needs room for one more (the last may not split). */
static bool unmap_needs_room(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = mm_find_vma(mm, start);

	return v && v->start < start && end < v->end && mm->nr_vmas >= MAX_MAP_COUNT;
}

/* Remove all VMAs and pages in [start, end). */
static void remove_range(struct mm *mm, uint64_t start, uint64_t end)
{
	size_t i;
	bool any = false;

	syscall_patch_range_changing(mm, start, end);
	vma_split(mm, start);
	vma_split(mm, end);
	i = vma_index(mm, start);
	while (i < mm->nr_vmas && mm->vmas[i].start < end) {
		vma_release(mm, &mm->vmas[i]);
		vma_remove_at(mm, i);
		any = true;
	}
	if (!any)
		return;
	zap_pages(mm, start, end);
	stub_unmap(mm, start, end);
}

static bool range_is_free(struct mm *mm, uint64_t start, uint64_t end)
{
	size_t i = vma_index(mm, start);

	return i >= mm->nr_vmas || mm->vmas[i].start >= end;
}

/* Highest free range of @len below mm->mmap_top, or 0. */
uint64_t find_free_range(struct mm *mm, uint64_t len)
{
	uint64_t top = mm->mmap_top ? mm->mmap_top : GUEST_TASK_SIZE;

	for (ssize_t i = (ssize_t)mm->nr_vmas - 1; i >= -1; i--) {
		uint64_t lo = i >= 0 ? mm->vmas[i].end : MMAP_MIN_ADDR;
		uint64_t hi = i + 1 < (ssize_t)mm->nr_vmas ? mm->vmas[i + 1].start : GUEST_TASK_SIZE;

		hi = MIN(hi, top);
		lo = MAX(lo, MMAP_MIN_ADDR);
		if (hi > lo && hi - lo >= len)
			return hi - len;
	}
	return 0;
}

int64_t mm_map(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, bool fixed, bool noreplace,
	       struct mobj *obj, uint64_t pgoff, struct file *file, const char *name)
{
	struct vma v = { 0 };
	size_t i;

	len = PAGE_ALIGN_UP(len);
	if (!len)
		return -EINVAL;
	/* Linux lets a new mapping take the count one past the limit. */
	if (mm->nr_vmas > MAX_MAP_COUNT)
		return -ENOMEM;
	if (fixed || noreplace) {
		if (!IS_PAGE_ALIGNED(addr))
			return -EINVAL;
		if (addr + len > GUEST_TASK_SIZE || addr + len < addr)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		if (!range_is_free(mm, addr, addr + len)) {
			if (noreplace)
				return -EEXIST;
			if (unmap_needs_room(mm, addr, addr + len))
				return -ENOMEM;
			remove_range(mm, addr, addr + len);
		}
	} else {
		addr = PAGE_ALIGN_DOWN(addr);
		if (!addr || addr < MMAP_MIN_ADDR || addr + len > GUEST_TASK_SIZE ||
		    !range_is_free(mm, addr, addr + len))
			addr = find_free_range(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	v.start = addr;
	v.end = addr + len;
	v.prot = prot;
	v.flags = flags;
	v.obj = obj;
	v.pgoff = pgoff;
	v.file = file;
	v.name = name;
	if (obj) {
		mobj_get(obj);
		mobj_rmap_add(obj, mm);
		if ((flags & VMA_SHARED) && !(flags & VMA_NOWRITE))
			obj->may_write_unseen = true;	/* stores through it bypass the Sentry */
	}
	if (file)
		file_get(file);
	i = vma_index(mm, addr);
	vma_insert_at(mm, i, &v);
	vma_try_merge(mm, i);
	return (int64_t)addr;
}

int mm_unmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	if (!IS_PAGE_ALIGNED(addr) || !len)
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	if (addr + len > GUEST_TASK_SIZE || addr + len < addr)
		return -EINVAL;
	if (unmap_needs_room(mm, addr, addr + len))
		return -ENOMEM;
	remove_range(mm, addr, addr + len);
	return 0;
}

void mm_unmap_all(struct mm *mm)
{
	syscall_patches_free(mm);
	remove_range(mm, 0, GUEST_TASK_SIZE);
}

/* True when every byte of [start, end) is covered by some VMA. */
static bool range_is_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	size_t i = vma_index(mm, start);
	uint64_t at = start;

	for (; i < mm->nr_vmas && at < end; i++) {
		if (mm->vmas[i].start > at)
			return false;
		at = mm->vmas[i].end;
	}
	return at >= end;
}

bool mm_range_mapped(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + PAGE_ALIGN_UP(len);

	return end >= addr && range_is_mapped(mm, addr, end);
}

static void count_pte(uint64_t idx, uint64_t *slot, void *arg)
{
	(void)idx;
	(void)slot;
	(*(uint64_t *)arg)++;
}

uint64_t mm_rss_pages(struct mm *mm)
{
	uint64_t n = 0;

	ftab_for_each(&mm->pages, 0, UINT64_MAX, count_pte, &n);
	return n;
}

/*
 * Linux splits a VMA only while the count is below the limit, once per end
 * of the range whose VMA changes; a piece at one end of a VMA that can join the neighbour
 * there moves over instead of splitting off.
 */
static bool protect_needs_room(struct mm *mm, uint64_t start, uint64_t end, int prot)
{
	size_t i = vma_index(mm, start), j = vma_index(mm, end - 1);
	struct vma piece = mm->vmas[i];
	/* A VMA that already has @prot is left alone. */
	size_t splits = (mm->vmas[i].start < start && mm->vmas[i].prot != prot) +
			(end < mm->vmas[j].end && mm->vmas[j].prot != prot);

	piece.start = start;
	piece.end = end;
	piece.prot = prot;
	if (splits == 1 && i == j &&
	    ((start == mm->vmas[i].start && i > 0 && vma_can_merge(&mm->vmas[i - 1], &piece)) ||
	     (end == mm->vmas[i].end && i + 1 < mm->nr_vmas && vma_can_merge(&piece, &mm->vmas[i + 1]))))
		splits = 0;
	return splits && mm->nr_vmas + splits > MAX_MAP_COUNT;
}

int mm_protect(struct mm *mm, uint64_t addr, uint64_t len, int prot)
{
	uint64_t end;

	if (!IS_PAGE_ALIGNED(addr) || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	end = addr + len;
	if (end < addr)
		return -ENOMEM;
	if (!len)
		return 0;
	if (!range_is_mapped(mm, addr, end))
		return -ENOMEM;
	if (prot & PROT_WRITE)
		for (size_t i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i].start < end; i++)
			if (mm->vmas[i].flags & VMA_NOWRITE)
				return -EACCES;
	if (protect_needs_room(mm, addr, end, prot))
		return -ENOMEM;
	syscall_patch_range_changing(mm, addr, end);
	vma_split(mm, addr);
	vma_split(mm, end);
	for (size_t i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i].start < end; i++) {
		struct vma *v = &mm->vmas[i];
		int stub_prot = prot;

		v->prot = prot;
		/* Private pages may be shared copy-on-write: grant write on the next write fault. */
		if (!(v->flags & VMA_SHARED))
			stub_prot &= ~PROT_WRITE;
		stub_protect_mapped(mm, v->start, v->end, stub_prot);
	}
	for (size_t i = vma_index(mm, addr); i < mm->nr_vmas && mm->vmas[i].start <= end; i++)
		vma_try_merge(mm, i);
	return 0;
}

int mm_dontneed(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t end;

	if (!IS_PAGE_ALIGNED(addr))
		return -EINVAL;
	len = PAGE_ALIGN_UP(len);
	end = addr + len;
	if (end < addr)
		return -EINVAL;
	if (!range_is_mapped(mm, addr, end))
		return -ENOMEM;
	syscall_patch_range_changing(mm, addr, end);
	/* Private pages go back to zero (or the file); shared pages keep their data in the object. */
	zap_pages(mm, addr, end);
	stub_unmap(mm, addr, end);
	return 0;
}

struct move_arg {
	struct mm *mm;
	int64_t delta;
};

static void move_pte(uint64_t idx, uint64_t *slot, void *arg)
{
	struct move_arg *m = arg;
	uint64_t *dst = ftab_slot(&m->mm->pages, idx + m->delta, true);

	*dst = *slot & ~(uint64_t)(PTE_STUB_MAPPED | PTE_STUB_WRITE);
	*slot = 0;
}

/* Move the single VMA exactly covering [old, old+old_len) to [dst, dst+new_len). */
static void move_vma(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t dst, uint64_t new_len)
{
	size_t i = vma_index(mm, old);
	struct vma v = mm->vmas[i];
	struct move_arg m = { mm, (int64_t)((dst >> PAGE_SHIFT) - (old >> PAGE_SHIFT)) };

	vma_remove_at(mm, i);
	ftab_for_each(&mm->pages, old >> PAGE_SHIFT, (old + MIN(old_len, new_len)) >> PAGE_SHIFT, move_pte, &m);
	zap_pages(mm, old, old + old_len);
	stub_unmap(mm, old, old + old_len);
	v.start = dst;
	v.end = dst + new_len;
	i = vma_index(mm, dst);
	vma_insert_at(mm, i, &v);
}

/* Linux: a move may split into three before unmapping, so it wants room for three more. */
static bool move_needs_room(struct mm *mm)
{
	return mm->nr_vmas >= MAX_MAP_COUNT - 3;
}

int64_t mm_remap(struct mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr)
{
	const int MAYMOVE = 1, FIXED = 2;
	struct vma *v;
	uint64_t dst;

	if (!IS_PAGE_ALIGNED(old) || (flags & ~(MAYMOVE | FIXED)) || ((flags & FIXED) && !(flags & MAYMOVE)))
		return -EINVAL;
	old_len = PAGE_ALIGN_UP(old_len);
	new_len = PAGE_ALIGN_UP(new_len);
	if (!new_len || !old_len)
		return -EINVAL;
	v = mm_find_vma(mm, old);
	if (!v || old + old_len > v->end)
		return -EFAULT;
	syscall_patch_range_changing(mm, old, old + old_len);
	if (flags & FIXED) {
		if (!IS_PAGE_ALIGNED(new_addr) || new_addr + new_len > GUEST_TASK_SIZE)
			return -EINVAL;
		if (new_addr < old + old_len && old < new_addr + new_len)
			return -EINVAL;
		if (new_addr < MMAP_MIN_ADDR)
			return -EPERM;
		if (move_needs_room(mm))
			return -ENOMEM;
		remove_range(mm, new_addr, new_addr + new_len);
		vma_split(mm, old);
		vma_split(mm, old + old_len);
		move_vma(mm, old, old_len, new_addr, new_len);
		return (int64_t)new_addr;
	}
	if (new_len <= old_len) {
		if (unmap_needs_room(mm, old + new_len, old + old_len))
			return -ENOMEM;
		remove_range(mm, old + new_len, old + old_len);
		return (int64_t)old;
	}
	if (v->end == old + old_len && old + new_len <= GUEST_TASK_SIZE &&
	    range_is_free(mm, old + old_len, old + new_len)) {
		v->end = old + new_len;
		return (int64_t)old;
	}
	if (!(flags & MAYMOVE) || move_needs_room(mm))
		return -ENOMEM;
	dst = find_free_range(mm, new_len);
	if (!dst)
		return -ENOMEM;
	vma_split(mm, old);
	vma_split(mm, old + old_len);
	move_vma(mm, old, old_len, dst, new_len);
	return (int64_t)dst;
}

uint64_t mm_set_brk(struct mm *mm, uint64_t brk)
{
	uint64_t old_end = PAGE_ALIGN_UP(mm->brk), new_end = PAGE_ALIGN_UP(brk);

	if (brk < mm->brk_start || brk > GUEST_TASK_SIZE)
		return mm->brk;
	if (new_end > old_end) {
		if (!range_is_free(mm, old_end, new_end))
			return mm->brk;
		if (mm_map(mm, old_end, new_end - old_end, PROT_READ | PROT_WRITE, 0, true, false, NULL, 0, NULL,
			   "[heap]") < 0)
			return mm->brk;
	} else if (new_end < old_end) {
		remove_range(mm, new_end, old_end);
	}
	mm->brk = brk;
	return brk;
}

struct fork_arg {
	struct mm *child;
};

static void fork_pte(uint64_t idx, uint64_t *slot, void *arg)
{
	struct fork_arg *f = arg;

	frame_get(pte_frame(*slot));
	*ftab_slot(&f->child->pages, idx, true) = *slot & ~(uint64_t)(PTE_STUB_MAPPED | PTE_STUB_WRITE);
}

struct mm *mm_fork(struct mm *parent)
{
	struct mm *child = mm_new();
	struct fork_arg fa = { child };

	child->cap_vmas = parent->nr_vmas ? parent->nr_vmas : 16;
	child->vmas = xmalloc(child->cap_vmas * sizeof(struct vma));
	memcpy(child->vmas, parent->vmas, parent->nr_vmas * sizeof(struct vma));
	child->nr_vmas = parent->nr_vmas;
	for (size_t i = 0; i < child->nr_vmas; i++) {
		if (child->vmas[i].obj) {
			mobj_get(child->vmas[i].obj);
			mobj_rmap_add(child->vmas[i].obj, child);
		}
		if (child->vmas[i].file)
			file_get(child->vmas[i].file);
	}
	ftab_for_each(&parent->pages, 0, UINT64_MAX, fork_pte, &fa);
	/* The parent's writable private pages become copy-on-write. */
	for (size_t i = 0; i < parent->nr_vmas; i++) {
		struct vma *v = &parent->vmas[i];

		if ((v->flags & VMA_SHARED) || !(v->prot & PROT_WRITE))
			continue;
		stub_protect_mapped(parent, v->start, v->end, v->prot & ~PROT_WRITE);
	}
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->mmap_top = parent->mmap_top;
	child->stack_top = parent->stack_top;
	child->arg_start = parent->arg_start;
	child->arg_end = parent->arg_end;
	child->env_start = parent->env_start;
	child->env_end = parent->env_end;
	child->patches = syscall_patches_copy(parent->patches);
	child->exe = parent->exe;
	if (child->exe) {
		child->exe->inode->exec_count++;
		file_get(child->exe);
	}
	return child;
}
