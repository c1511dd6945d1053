/* SPDX-License-Identifier: MIT */
/*
 * The memory manager of one guest process: VMAs sorted by address, a frame
 * table from guest page to memory-file frame, and the platform address
 * space the pages are mapped into. Pages are populated lazily, on a fault
 * or on a Sentry access; private pages shared after fork() are
 * copy-on-write (frame reference count above one).
 *
 * Locking: the kernel lock (see kernel/kernel.h) guards every mm.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/linux/types.h"
#include "sentry/mm/frame_table.h"
#include "sentry/mm/mobj.h"

struct address_space;
struct file;
struct syscall_patches;

#define VMA_SHARED 0x1
#define VMA_GROWSDOWN 0x2
#define VMA_NOWRITE 0x4	/* mprotect may never add PROT_WRITE (shared, read-only fd) */

struct vma {
	uint64_t start, end;
	int prot;			/* PROT_READ | PROT_WRITE | PROT_EXEC */
	int flags;			/* VMA_* */
	struct mobj *obj;		/* NULL: private anonymous memory */
	uint64_t pgoff;			/* page offset of @start within @obj */
	struct file *file;		/* what was mapped, for /proc/pid/maps; may be NULL */
	const char *name;		/* "[heap]", "[stack]", or NULL */
};

/* Frame table entry of an mm: frame << PAGE_SHIFT | PTE_* */
#define PTE_PRESENT 0x1
#define PTE_STUB_MAPPED 0x2		/* the platform address space maps this page */
#define PTE_STUB_WRITE 0x4		/* ... and maps it writable */

struct mm {
	int refs;
	struct vma *vmas;
	size_t nr_vmas, cap_vmas;
	struct frame_table pages;
	struct address_space *as;	/* NULL until the owning task creates it */
	uint64_t brk_start, brk;
	uint64_t mmap_top;		/* top-down mmap search starts below this */
	uint64_t stack_top;
	uint64_t arg_start, arg_end, env_start, env_end;
	struct file *exe;
	struct syscall_patches *patches;	/* patched syscall sites; NULL: none yet */
	uint64_t stub_resets;		/* times the stub's mappings were dropped (see stub_reset) */
	/*
	 * Another task took pages of a file out of this mm (truncate, hole
	 * punch) but could not change its stub: the frames the stub may
	 * still map, held until mm_settle_stale() resets it (rmap.c).
	 */
	bool stub_stale;
	frame_t *stale_frames;
	size_t nr_stale, cap_stale;
};

struct mm *mm_new(void);
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);
/* fork(): a copy sharing private pages copy-on-write. Returns a new mm (one reference). */
struct mm *mm_fork(struct mm *parent);
/* Platform address space for @mm, created on first use by the calling (owning) thread. */
int mm_activate(struct mm *mm);

/* mmap(2) core. @fixed: MAP_FIXED; @noreplace: MAP_FIXED_NOREPLACE. Returns address or -errno. */
int64_t mm_map(struct mm *mm, uint64_t addr, uint64_t len, int prot, int flags, bool fixed, bool noreplace,
	       struct mobj *obj, uint64_t pgoff, struct file *file, const char *name);
int mm_unmap(struct mm *mm, uint64_t addr, uint64_t len);
int mm_protect(struct mm *mm, uint64_t addr, uint64_t len, int prot);
int64_t mm_remap(struct mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
		 uint64_t new_addr);
int mm_dontneed(struct mm *mm, uint64_t addr, uint64_t len);
uint64_t mm_set_brk(struct mm *mm, uint64_t brk);
/* Before a task of @mm runs guest code: drop stub mappings others made stale (see struct mm). */
void mm_settle_stale(struct mm *mm);
/* The same when the stub goes away anyway (mm_put): only release the frames. */
void mm_drop_stale(struct mm *mm);
/* Remove every mapping (execve into the same address space). */
void mm_unmap_all(struct mm *mm);

/*
 * A guest fault at @addr: 0 when handled (retry), -EFAULT for SIGSEGV, -EIO
 * for SIGBUS, -EAGAIN when the page already allows writing: retry once, as
 * another thread may have fixed it; the same fault again is a real one.
 */
int mm_fault(struct mm *mm, uint64_t addr, bool maperr);

struct vma *mm_find_vma(struct mm *mm, uint64_t addr);
/* Whether every page of [addr, addr+len) is inside some VMA. */
bool mm_range_mapped(struct mm *mm, uint64_t addr, uint64_t len);
/* Resident pages (populated frames) of @mm. */
uint64_t mm_rss_pages(struct mm *mm);
/* Highest free range of @len below mm->mmap_top, or 0. */
uint64_t find_free_range(struct mm *mm, uint64_t len);

/*
 * Pointer to the Sentry's view of guest byte @addr, valid up to the end of
 * its page. Checks protection (@write), populates, breaks copy-on-write.
 * @force ignores protection (the loader zeroing a read-only bss tail).
 */
int mm_translate(struct mm *mm, uint64_t addr, bool write, bool force, uint8_t **out);
