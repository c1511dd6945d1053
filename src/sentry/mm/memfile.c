// SPDX-License-Identifier: MIT
/*
 * Frame allocation in the memory file. A bitmap says which frames are in
 * use, and a summary bitmap which 64-frame words of it are wholly free, so
 * a free extent is found a word at a time. Freed frames are punched out so
 * their memory returns to the host; runs of them are punched with one call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/log.h"
#include "sentry/mm/memfile.h"

#define BIT(n) (1ULL << (n))
/* A fresh extent is sought for at most this many words (4096 frames, 16 MiB). */
#define MAX_EXTENT_WORDS 64
/* How many pages away a neighbour's frame is looked at for placement. */
#define PLACE_REACH 4

struct memfile g_memfile = { .fd = -1 };

static void *map_table(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/* Stubs are cloned from the Sentry: keep these big ranges out of the copy. */
	madvise(p, bytes, MADV_DONTFORK);
	return p;
}

static void mark_used(frame_t f)
{
	struct memfile *m = &g_memfile;
	uint64_t w = f / 64;

	if (!m->used_map[w])
		m->empty_map[w / 64] &= ~BIT(w % 64);
	m->used_map[w] |= BIT(f % 64);
}

static void mark_free(frame_t f)
{
	struct memfile *m = &g_memfile;
	uint64_t w = f / 64;

	m->used_map[w] &= ~BIT(f % 64);
	if (!m->used_map[w]) {
		m->empty_map[w / 64] |= BIT(w % 64);
		m->low_empty = MIN(m->low_empty, w);
	}
	m->low_free = MIN(m->low_free, f);
}

int memfile_init(uint64_t size)
{
	struct memfile *m = &g_memfile;
	uint64_t nframes = (size >> PAGE_SHIFT) & ~63ULL;

	if (nframes < 64 || nframes > UINT32_MAX)
		return -EINVAL;
	size = nframes << PAGE_SHIFT;
	m->fd = memfd_create("cvisor-memory", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, size) < 0)
		return -errno;
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->fd, 0);
	if (m->base == MAP_FAILED)
		return -errno;
	madvise(m->base, size, MADV_DONTFORK);
	m->nwords = nframes / 64;
	m->refs = map_table(nframes * sizeof(uint32_t));
	m->used_map = map_table(m->nwords * sizeof(uint64_t));
	m->empty_map = map_table((m->nwords + 63) / 64 * sizeof(uint64_t));
	if (!m->refs || !m->used_map || !m->empty_map)
		return -ENOMEM;
	for (uint64_t w = 0; w < m->nwords; w++)
		m->empty_map[w / 64] |= BIT(w % 64);
	m->size = size;
	m->nframes = nframes;
	mark_used(FRAME_NONE);	/* reserved */
	m->low_free = 1;
	return 0;
}

static bool frame_is_free(frame_t f)
{
	return f != FRAME_NONE && f < g_memfile.nframes && !(g_memfile.used_map[f / 64] & BIT(f % 64));
}

/*
 * The first word of the lowest run of @k wholly free used_map words, or
 * failing that of the longest run there is, with its length in *len.
 * -1 when no word is wholly free.
 */
static int64_t find_empty_words(uint64_t k, uint64_t *len)
{
	struct memfile *m = &g_memfile;
	uint64_t run = 0, run_start = 0, best = 0, best_start = 0;
	bool seen = false;

	for (uint64_t w = m->low_empty; w < m->nwords; w++) {
		uint64_t s = m->empty_map[w / 64] >> (w % 64);

		if (!s) {
			/* No free word in the rest of this summary word. */
			run = 0;
			w |= 63;
			continue;
		}
		if (!(s & 1)) {
			run = 0;
			continue;
		}
		if (!seen) {
			m->low_empty = w;	/* nothing below is wholly free */
			seen = true;
		}
		if (!run++)
			run_start = w;
		if (run > best) {
			best = run;
			best_start = run_start;
		}
		if (run >= k)
			break;
	}
	if (!seen) {
		m->low_empty = m->nwords;
		return -1;
	}
	*len = best;
	return (int64_t)best_start;
}

/* The lowest free frame, or FRAME_NONE. */
static frame_t find_free_frame(void)
{
	struct memfile *m = &g_memfile;

	for (uint64_t w = m->low_free / 64; w < m->nwords; w++) {
		uint64_t free_bits = ~m->used_map[w];

		if (free_bits) {
			m->low_free = w * 64 + (uint64_t)__builtin_ctzll(free_bits);
			return (frame_t)m->low_free;
		}
	}
	m->low_free = m->nframes;
	return FRAME_NONE;
}

/*
 * A free frame to start an extent of about @span frames: the first frame of
 * a run of free words (the last one when the pages will be filled
 * downwards), or for a lone page the lowest free frame, so holes are used
 * and runs kept for what needs them.
 */
static frame_t fresh_frame(uint64_t span, bool down)
{
	uint64_t k = MIN((span + 63) / 64, MAX_EXTENT_WORDS), len;
	int64_t w;

	if (span <= 1)
		return find_free_frame();
	w = find_empty_words(k, &len);
	if (w < 0)
		return find_free_frame();
	if (down)
		return (frame_t)(((uint64_t)w + MIN(len, k)) * 64 - 1);
	return (frame_t)((uint64_t)w * 64);
}

void memfile_flush(void)
{
	struct memfile *m = &g_memfile;
	uint64_t off = frame_offset(m->punch_start), len = frame_offset(m->punch_end) - off;

	if (!len)
		return;
	/* Zero them for the next user and give the memory back to the host. */
	if (fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) < 0)
		memset(m->base + off, 0, len);
	m->punch_start = m->punch_end = 0;
}

/* Take free frame @f. */
static frame_t take_frame(frame_t f)
{
	struct memfile *m = &g_memfile;

	if (f >= m->punch_start && f < m->punch_end)
		memfile_flush();	/* it must read as zeros */
	BUG_ON(m->refs[f] != 0);
	mark_used(f);
	m->refs[f] = 1;
	m->used++;
	return f;
}

frame_t frame_alloc_placed(frame_neighbour_fn neighbour, void *ctx, uint64_t span)
{
	frame_t f;

	/* Look a few pages each way: a neighbour may be a hole or shared copy-on-write. */
	for (int64_t d = 1; neighbour && d <= PLACE_REACH; d++) {
		f = neighbour(ctx, -d);
		if (f != FRAME_NONE && frame_is_free(f + (frame_t)d))
			return take_frame(f + (frame_t)d);
		f = neighbour(ctx, d);
		if (f > d && frame_is_free(f - (frame_t)d))
			return take_frame(f - (frame_t)d);
	}
	f = fresh_frame(span, neighbour && neighbour(ctx, -1) == FRAME_NONE && neighbour(ctx, 1) != FRAME_NONE);
	return f == FRAME_NONE ? FRAME_NONE : take_frame(f);
}

frame_t frame_alloc(void)
{
	return frame_alloc_placed(NULL, NULL, 1);
}

void frame_get(frame_t f)
{
	BUG_ON(f == FRAME_NONE || g_memfile.refs[f] == 0);
	g_memfile.refs[f]++;
}

void frame_put(frame_t f)
{
	struct memfile *m = &g_memfile;

	BUG_ON(f == FRAME_NONE || m->refs[f] == 0);
	if (--m->refs[f])
		return;
	mark_free(f);
	m->used--;
	/* Collect a run to punch with one call; freeing goes up or down an extent. */
	if (m->punch_end > m->punch_start && f == m->punch_end) {
		m->punch_end++;
	} else if (m->punch_end > m->punch_start && f + 1 == m->punch_start) {
		m->punch_start--;
	} else {
		memfile_flush();
		m->punch_start = f;
		m->punch_end = f + 1;
	}
}
