// SPDX-License-Identifier: MIT
/* shmem: page-indexed file data in the memory file (tmpfs data, shared anonymous memory). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sentry/mm/mobj.h"

static int shmem_get_frame(struct mobj *o, uint64_t pgoff, frame_t *out)
{
	struct shmem *s = container_of(o, struct shmem, obj);
	int err;

	if (pgoff >= PAGE_ALIGN_UP(s->size) >> PAGE_SHIFT)
		return -EFAULT;
	err = shmem_frame(s, pgoff, true, out);
	if (err)
		return err;
	frame_get(*out);
	return 0;
}

static void put_slot(uint64_t idx, uint64_t *slot, void *arg)
{
	(void)idx;
	(void)arg;
	frame_put((frame_t)*slot);
	*slot = 0;
}

void shmem_release_pages(struct shmem *s)
{
	ftab_for_each(&s->pages, 0, UINT64_MAX, put_slot, NULL);
	ftab_destroy(&s->pages);
}

static void shmem_anon_release(struct mobj *o)
{
	struct shmem *s = container_of(o, struct shmem, obj);

	shmem_release_pages(s);
	free(s);
}

static const struct mobj_ops shmem_anon_ops = {
	.get_frame = shmem_get_frame,
	.release = shmem_anon_release,
};

static void shmem_file_release(struct mobj *o)
{
	struct shmem *s = container_of(o, struct shmem, obj);

	if (s->on_release)
		s->on_release(s);
}

static const struct mobj_ops shmem_file_ops = {
	.get_frame = shmem_get_frame,
	.release = shmem_file_release,
};

void shmem_init(struct shmem *s, uint64_t size)
{
	memset(s, 0, sizeof(*s));
	s->obj.ops = &shmem_file_ops;
	s->obj.refs = 1;
	s->size = size;
}

struct shmem *shmem_new_anon(uint64_t size)
{
	struct shmem *s = xzalloc(sizeof(*s));

	s->obj.ops = &shmem_anon_ops;
	s->obj.refs = 1;
	s->size = size;
	return s;
}

int shmem_frame(struct shmem *s, uint64_t pgoff, bool alloc, frame_t *out)
{
	uint64_t *slot;

	if (s->fill) {
		int err = s->fill(s);

		if (err)
			return err;
	}
	slot = ftab_slot(&s->pages, pgoff, alloc);
	if (!slot || !*slot) {
		if (!alloc) {
			*out = FRAME_NONE;
			return 0;
		}
		frame_t f = frame_alloc();

		if (f == FRAME_NONE)
			return -ENOMEM;
		*slot = f;
	}
	*out = (frame_t)*slot;
	return 0;
}

void shmem_truncate(struct shmem *s, uint64_t size)
{
	uint64_t first = PAGE_ALIGN_UP(size) >> PAGE_SHIFT;

	if (size < s->size) {
		frame_t f;

		/* Zero the tail of the last partial page so a later extension reads zeros. */
		if (size & (PAGE_SIZE - 1)) {
			shmem_frame(s, size >> PAGE_SHIFT, false, &f);
			if (f != FRAME_NONE)
				memset((char *)frame_ptr(f) + (size & (PAGE_SIZE - 1)), 0,
				       PAGE_SIZE - (size & (PAGE_SIZE - 1)));
		}
		ftab_for_each(&s->pages, first, UINT64_MAX, put_slot, NULL);
	}
	s->size = size;
}

void shmem_read(struct shmem *s, void *buf, uint64_t off, size_t n)
{
	char *dst = buf;

	while (n) {
		size_t in_page = PAGE_SIZE - (off & (PAGE_SIZE - 1));
		size_t chunk = MIN(n, in_page);
		frame_t f = FRAME_NONE;

		shmem_frame(s, off >> PAGE_SHIFT, false, &f);
		if (f == FRAME_NONE)
			memset(dst, 0, chunk);
		else
			memcpy(dst, (char *)frame_ptr(f) + (off & (PAGE_SIZE - 1)), chunk);
		dst += chunk;
		off += chunk;
		n -= chunk;
	}
}

int shmem_write(struct shmem *s, const void *buf, uint64_t off, size_t n)
{
	const char *src = buf;

	while (n) {
		size_t in_page = PAGE_SIZE - (off & (PAGE_SIZE - 1));
		size_t chunk = MIN(n, in_page);
		frame_t f;
		int err = shmem_frame(s, off >> PAGE_SHIFT, true, &f);

		if (err)
			return err;
		memcpy((char *)frame_ptr(f) + (off & (PAGE_SIZE - 1)), src, chunk);
		src += chunk;
		off += chunk;
		n -= chunk;
	}
	return 0;
}
