/* SPDX-License-Identifier: MIT */
/*
 * Memory objects: something whose pages can be mapped into a guest (a tmpfs
 * file, a shared anonymous region). A VMA points at one; the mm asks it for
 * the frame backing a page. Later, Gofer-donated host files will be another
 * kind, backed by a host fd instead of the memory file.
 */
#pragma once
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include "lib/list.h"
#include "lib/log.h"
#include "sentry/mm/frame_table.h"
#include "sentry/mm/memfile.h"

struct mobj;

/*
 * get_frame's answer for a page whose data is still elsewhere (a lower
 * file not read in yet): call ->fill for it, then ask again.
 */
#define MOBJ_NEEDS_FILL (-ENODATA)

struct mobj_ops {
	/*
	 * The frame backing page @pgoff with a new reference; may allocate.
	 * -EFAULT past the end; MOBJ_NEEDS_FILL (objects with ->fill only).
	 */
	int (*get_frame)(struct mobj *o, uint64_t pgoff, frame_t *out);
	/*
	 * Optional: bring in the data of pages [@pgoff, @pgoff + @npages)
	 * that need it. Kernel lock held; dropped meanwhile when @may_drop
	 * (the caller holds a reference on @o and re-checks everything
	 * after). 0 when the pages are in, or -EIO / -ENOMEM.
	 */
	int (*fill)(struct mobj *o, uint64_t pgoff, uint64_t npages, bool may_drop);
	void (*release)(struct mobj *o);
};

/* One mm mapping an object, with how many of its VMAs do (reverse map, rmap.c). */
struct mobj_mapper {
	struct mm *mm;
	unsigned vmas;
};

struct mobj {
	const struct mobj_ops *ops;
	int refs;
	/*
	 * A shared mapping that may write (or a forced write through one) has
	 * existed: its pages may differ from what the Sentry saw written, so
	 * none of them is ever dropped as clean (shmem_make_room).
	 */
	bool may_write_unseen;
	struct mobj_mapper *mappers;	/* at most one entry per mm */
	size_t nr_mappers, cap_mappers;
};

static inline void mobj_get(struct mobj *o)
{
	BUG_ON(o->refs <= 0);
	o->refs++;
}

static inline void mobj_put(struct mobj *o)
{
	BUG_ON(o->refs <= 0);
	if (--o->refs == 0)
		o->ops->release(o);
}

struct mm;
/* A VMA of @mm now maps @o / no longer does (mm.c, wherever a VMA takes or drops its reference). */
void mobj_rmap_add(struct mobj *o, struct mm *mm);
void mobj_rmap_del(struct mobj *o, struct mm *mm);
/*
 * Take object pages [@first, @end) out of every mapping of @o (their PTEs
 * and stub mappings), so the next access faults and asks @o again. Private
 * pages too, unless @obj_pages (the object's page table) is given: then a
 * private page whose frame is not the object's (a copy-on-write copy)
 * stays, as for Linux's hole punch; truncation passes NULL.
 */
void mobj_unmap_range(struct mobj *o, uint64_t first, uint64_t end, const struct frame_table *obj_pages);

/*
 * shmem: pages held in the memory file, indexed by page offset; the data of
 * tmpfs files and of MAP_SHARED|MAP_ANONYMOUS regions.
 */
/*
 * A file backed by a lower file (tmpfs over the Gofer) has lower_valid > 0:
 * a page present in the table is authoritative; an absent page below
 * lower_valid holds the lower file's bytes (up to lower_valid, zeros after)
 * and must be filled before use (MOBJ_NEEDS_FILL); an absent page at or
 * past it reads as zeros. Truncation only lowers lower_valid.
 */
struct shmem {
	struct mobj obj;
	struct frame_table pages;	/* pgoff -> frame */
	/*
	 * pgoff -> 1: an absent page below lower_valid that reads as zeros,
	 * not as the lower file (a hole punched there). Never also present.
	 */
	struct frame_table holes;
	uint64_t size;			/* bytes; pages at or past it are not mappable */
	uint64_t lower_valid;		/* bytes of lower data behind absent pages */
	uint64_t nr_pages;		/* present pages */
	uint64_t nr_lower;		/* absent pages below lower_valid, not holes (SHMEM_PAGE_LOWER) */
	/*
	 * Present pages filled from the lower file and not written since
	 * (the page cache): they may be dropped back to SHMEM_PAGE_LOWER when
	 * the cache is over its budget. A file with any is on the clean list.
	 */
	uint64_t nr_clean;
	struct list_head clean_node;	/* in the clean list when nr_clean > 0 */
	void (*on_release)(struct shmem *s);
};

enum shmem_page_kind {
	SHMEM_PAGE_PRESENT,
	SHMEM_PAGE_ZERO,		/* a hole: reads as zeros */
	SHMEM_PAGE_LOWER,		/* absent, its data in the lower file */
};

/* @ops: NULL for the plain file ops (no ->fill), else ops built on shmem_file_get_frame. */
void shmem_init(struct shmem *s, uint64_t size, const struct mobj_ops *ops);
int shmem_file_get_frame(struct mobj *o, uint64_t pgoff, frame_t *out);
void shmem_file_release(struct mobj *o);
/* The data of the first @bytes of the file is in the lower file (set once, at creation). */
void shmem_set_lower(struct shmem *s, uint64_t bytes);
enum shmem_page_kind shmem_page_kind(struct shmem *s, uint64_t pgoff);
/* 512-byte blocks the file's data takes: present pages, and lower pages (the lower file holds them). */
uint64_t shmem_blocks(const struct shmem *s);
/*
 * SEEK_DATA / SEEK_HOLE at page granularity: the first page at or after
 * @pgoff, below @end, that holds data (lower, or present and written to:
 * a page fallocate() allocated is a hole until then) / that is a hole;
 * @end if none.
 */
uint64_t shmem_next_data(struct shmem *s, uint64_t pgoff, uint64_t end);
uint64_t shmem_next_hole(struct shmem *s, uint64_t pgoff, uint64_t end);
/*
 * Make lower page @pgoff present with @len bytes of @data (the rest of the
 * page zero, and bytes at or past lower_valid too). False, nothing done,
 * when it is no longer a lower page (written or truncated meanwhile) or
 * no frame is left (*nomem set).
 */
bool shmem_install_lower(struct shmem *s, uint64_t pgoff, const void *data, size_t len, bool *nomem);
struct shmem *shmem_new_anon(uint64_t size);
/*
 * Frame for @pgoff, allocating a zero page for a hole; borrowed reference.
 * MOBJ_NEEDS_FILL for a lower page (with or without @alloc).
 */
int shmem_frame(struct shmem *s, uint64_t pgoff, bool alloc, frame_t *out);
/*
 * The page cache's budget: before a fill brings in @npages lower pages,
 * drop clean pages of lower files (least recently filled file first)
 * so that at most SHMEM_CLEAN_MAX_PAGES stay, unmapping them from every
 * mapping; their next use fills them again. Kernel lock held.
 */
#define SHMEM_CLEAN_MAX_PAGES (128ULL << (20 - PAGE_SHIFT))	/* 128 MiB */
void shmem_make_room(uint64_t npages);

/* Drop pages at or past @size (truncate), unmapping them from every mapping. */
void shmem_truncate(struct shmem *s, uint64_t size);
/*
 * Punch whole pages [@first, @end) out (they read as zeros, and are
 * unmapped from every mapping but for private copy-on-write copies).
 */
void shmem_punch(struct shmem *s, uint64_t first, uint64_t end);
/*
 * Give every hole among pages [@first, @end) a zero frame (fallocate);
 * -ENOSPC when the memory file cannot hold them (checked before any is
 * allocated, unless it runs out meanwhile: those allocated stay).
 */
int shmem_allocate(struct shmem *s, uint64_t first, uint64_t end);
/* Zero [@off, @off + @len) within one page if it is present (a lower page must be filled first). */
void shmem_zero_range(struct shmem *s, uint64_t off, uint64_t len);
/*
 * Copy to/from the file's pages. shmem_read: lower pages must have been
 * filled (they read as zeros otherwise). shmem_write: a lower page it
 * covers whole needs no fill; one it covers in part gives MOBJ_NEEDS_FILL
 * (nothing is written from that page on).
 */
void shmem_read(struct shmem *s, void *buf, uint64_t off, size_t n);
int shmem_write(struct shmem *s, const void *buf, uint64_t off, size_t n);
void shmem_release_pages(struct shmem *s);
