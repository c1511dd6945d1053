/* SPDX-License-Identifier: MIT */
/*
 * The sandbox memory file: one memfd holding every page of guest memory
 * (anonymous memory and tmpfs file data). The Sentry maps it whole at
 * g_memfile.base; stubs map ranges of it. Frames are page-sized slots of
 * the file, reference counted: a count above one on a private page means
 * copy-on-write.
 *
 * Placement matters: a stub maps guest pages whose frames are consecutive
 * (and equally protected) with one host mapping, and the host allows a
 * process only vm.max_map_count of them. So frames are handed out next to
 * the frame of the neighbouring page where that is free, and otherwise
 * from the start of a free extent big enough for what will follow; freed
 * frames simply become free again in a bitmap, so extents coalesce.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "lib/util.h"

typedef uint32_t frame_t;	/* frame number; offset = frame << PAGE_SHIFT */
#define FRAME_NONE 0		/* frame 0 is reserved so 0 can mean "none" */

struct memfile {
	int fd;
	uint8_t *base;
	uint64_t size;
	uint64_t nframes;
	uint32_t *refs;		/* per-frame reference counts */
	uint64_t *used_map;	/* bit per frame: allocated */
	uint64_t *empty_map;	/* bit per used_map word: all 64 of its frames are free */
	uint64_t nwords;	/* words of used_map */
	uint64_t low_empty;	/* no empty used_map word below this one */
	uint64_t low_free;	/* no free frame below this one */
	frame_t punch_start, punch_end;	/* freed frames not yet punched out */
	uint64_t used;		/* frames in use, for /proc/meminfo */
};

extern struct memfile g_memfile;

int memfile_init(uint64_t size);
/* A zeroed frame with one reference. Returns FRAME_NONE when out of memory. */
frame_t frame_alloc(void);
/*
 * The same, placed for contiguity. @neighbour(@ctx, d) gives the frame of
 * the page d pages away in the same object (negative d: before), or
 * FRAME_NONE. The frame goes where it continues a nearby neighbour's run
 * if that is free; otherwise it starts a fresh extent of about @span frames
 * (@span: how many pages are likely to follow; 1 for a lone page).
 */
typedef frame_t (*frame_neighbour_fn)(void *ctx, int64_t delta);
frame_t frame_alloc_placed(frame_neighbour_fn neighbour, void *ctx, uint64_t span);
void frame_get(frame_t f);
void frame_put(frame_t f);
/* Return the frames freed since the last call to the host now (they are zeroed). */
void memfile_flush(void);

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
