/* SPDX-License-Identifier: MIT */
/*
 * Memory objects: something whose pages can be mapped into a guest (a tmpfs
 * file, a shared anonymous region). A VMA points at one; the mm asks it for
 * the frame backing a page. Later, Gofer-donated host files will be another
 * kind, backed by a host fd instead of the memory file.
 */
#pragma once
#include <stdint.h>
#include "lib/log.h"
#include "sentry/mm/frame_table.h"
#include "sentry/mm/memfile.h"

struct mobj;

struct mobj_ops {
	/* The frame backing page @pgoff with a new reference; may allocate. -EFAULT past the end. */
	int (*get_frame)(struct mobj *o, uint64_t pgoff, frame_t *out);
	void (*release)(struct mobj *o);
};

struct mobj {
	const struct mobj_ops *ops;
	int refs;
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

/*
 * shmem: pages held in the memory file, indexed by page offset; the data of
 * tmpfs files and of MAP_SHARED|MAP_ANONYMOUS regions.
 */
struct shmem {
	struct mobj obj;
	struct frame_table pages;	/* pgoff -> frame */
	uint64_t size;			/* bytes; pages at or past it are not mappable */
	/* Optional hook run before any page is handed out (lazily filled files). */
	int (*fill)(struct shmem *s);
	void (*on_release)(struct shmem *s);
};

void shmem_init(struct shmem *s, uint64_t size);
struct shmem *shmem_new_anon(uint64_t size);
/* Frame for @pgoff, allocating a zero page for a hole; borrowed reference. */
int shmem_frame(struct shmem *s, uint64_t pgoff, bool alloc, frame_t *out);
/* Drop pages at or past @size (truncate). */
void shmem_truncate(struct shmem *s, uint64_t size);
/* Copy to/from the file's pages. */
void shmem_read(struct shmem *s, void *buf, uint64_t off, size_t n);
int shmem_write(struct shmem *s, const void *buf, uint64_t off, size_t n);
void shmem_release_pages(struct shmem *s);
