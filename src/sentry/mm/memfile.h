/* SPDX-License-Identifier: MIT */
/*
 * The sandbox memory file: one memfd holding every page of guest memory
 * (anonymous memory and tmpfs file data). The Sentry maps it whole at
 * g_memfile.base; stubs map ranges of it. Frames are page-sized slots of
 * the file, reference counted: a count above one on a private page means
 * copy-on-write.
 */
#pragma once
#include <stdint.h>
#include "lib/util.h"

typedef uint32_t frame_t;	/* frame number; offset = frame << PAGE_SHIFT */
#define FRAME_NONE 0		/* frame 0 is reserved so 0 can mean "none" */

struct memfile {
	int fd;
	uint8_t *base;
	uint64_t size;
	uint32_t *refs;		/* per-frame reference counts */
	frame_t next;		/* bump pointer for fresh frames */
	frame_t *free_list;	/* freed single frames, reused first */
	uint64_t free_count, free_cap;
	uint64_t used;		/* frames in use, for /proc/meminfo */
};

extern struct memfile g_memfile;

int memfile_init(uint64_t size);
/* A zeroed frame with one reference. Returns FRAME_NONE when out of memory. */
frame_t frame_alloc(void);
void frame_get(frame_t f);
void frame_put(frame_t f);

static inline uint32_t frame_refs(frame_t f)
{
	return g_memfile.refs[f];
}

static inline void *frame_ptr(frame_t f)
{
	return g_memfile.base + ((uint64_t)f << PAGE_SHIFT);
}

static inline uint64_t frame_offset(frame_t f)
{
	return (uint64_t)f << PAGE_SHIFT;
}
