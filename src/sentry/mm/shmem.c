// SPDX-License-Identifier: MIT
/* shmem: page-indexed file data in the memory file (tmpfs data, shared anonymous memory). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sentry/mm/mobj.h"

/*
 * A page table entry is a frame number; above it, this flag marks a page
 * fallocate() allocated that nothing has written (or faulted in) since:
 * Linux's !uptodate shmem folio, a hole to SEEK_DATA yet counted in st_blocks.
 */
#define SLOT_UNWRITTEN (1ULL << 32)
_Static_assert(sizeof(frame_t) == 4, "SLOT_UNWRITTEN sits above the frame number");
/* A page filled from the lower file and not written since: droppable (shmem_make_room). */
#define SLOT_CLEAN (1ULL << 33)

static void slot_mark_clean(struct shmem *s, uint64_t *slot);

int shmem_file_get_frame(struct mobj *o, uint64_t pgoff, frame_t *out)
{
	struct shmem *s = container_of(o, struct shmem, obj);
	uint64_t *slot = ftab_slot(&s->pages, pgoff, false);
	bool clean;
	int err;

	if (pgoff >= PAGE_ALIGN_UP(s->size) >> PAGE_SHIFT)
		return -EFAULT;
	/* a mapping that cannot write unseen leaves a clean page clean (o->may_write_unseen) */
	clean = slot && (*slot & SLOT_CLEAN);
	err = shmem_frame(s, pgoff, true, out);
	if (err)
		return err;
	if (clean)
		slot_mark_clean(s, ftab_slot(&s->pages, pgoff, false));
	frame_get(*out);
	return 0;
}


/* Files with clean pages, least recently filled first; counts. Kernel lock. */
static struct list_head g_clean_files = LIST_HEAD_INIT(g_clean_files);
static uint64_t g_clean_pages;

static void clean_unlist(struct shmem *s)
{
	if (s->nr_clean == 0 && s->clean_node.next) {
		list_del(&s->clean_node);
		s->clean_node.next = s->clean_node.prev = NULL;
	}
}

static void slot_unclean(struct shmem *s, uint64_t *slot)
{
	if (!(*slot & SLOT_CLEAN))
		return;
	*slot &= ~SLOT_CLEAN;
	s->nr_clean--;
	g_clean_pages--;
	clean_unlist(s);
}

static void slot_mark_clean(struct shmem *s, uint64_t *slot)
{
	if (*slot & SLOT_CLEAN)
		return;
	*slot |= SLOT_CLEAN;
	s->nr_clean++;
	g_clean_pages++;
	/* most recently filled last */
	if (s->clean_node.next)
		list_del(&s->clean_node);
	list_add_tail(&s->clean_node, &g_clean_files);
}

static void slot_unclean(struct shmem *s, uint64_t *slot);

static void put_slot(uint64_t idx, uint64_t *slot, void *arg)
{
	struct shmem *s = arg;

	(void)idx;
	slot_unclean(s, slot);
	frame_put((frame_t)*slot);
	*slot = 0;
	s->nr_pages--;
}

static void clear_slot(uint64_t idx, uint64_t *slot, void *arg)
{
	(void)idx;
	(void)arg;
	*slot = 0;
}

static void count_slot(uint64_t idx, uint64_t *slot, void *arg)
{
	(void)idx;
	(void)slot;
	(*(uint64_t *)arg)++;
}

/* Non-zero entries of @t in [lo, hi): O(entries), not O(range). */
static uint64_t count_entries(struct frame_table *t, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;

	ftab_for_each(t, lo, hi, count_slot, &n);
	return n;
}

void shmem_release_pages(struct shmem *s)
{
	ftab_for_each(&s->pages, 0, UINT64_MAX, put_slot, s);
	BUG_ON(s->nr_clean);
	ftab_destroy(&s->pages);
	ftab_destroy(&s->holes);
	memfile_flush();
}

static void shmem_anon_release(struct mobj *o)
{
	struct shmem *s = container_of(o, struct shmem, obj);

	shmem_release_pages(s);
	free(s);
}

static const struct mobj_ops shmem_anon_ops = {
	.get_frame = shmem_file_get_frame,
	.release = shmem_anon_release,
};

void shmem_file_release(struct mobj *o)
{
	struct shmem *s = container_of(o, struct shmem, obj);

	if (s->on_release)
		s->on_release(s);
}

static const struct mobj_ops shmem_file_ops = {
	.get_frame = shmem_file_get_frame,
	.release = shmem_file_release,
};

void shmem_init(struct shmem *s, uint64_t size, const struct mobj_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->obj.ops = ops ? ops : &shmem_file_ops;
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

struct shmem_place {
	struct shmem *s;
	uint64_t pgoff;
};

static frame_t shmem_neighbour(void *ctx, int64_t delta)
{
	struct shmem_place *p = ctx;
	uint64_t pgoff = p->pgoff + (uint64_t)delta, *slot;

	if (delta < 0 && (uint64_t)-delta > p->pgoff)
		return FRAME_NONE;
	slot = ftab_slot(&p->s->pages, pgoff, false);
	return slot ? (frame_t)*slot : FRAME_NONE;
}

static uint64_t lower_pages(const struct shmem *s)
{
	return PAGE_ALIGN_UP(s->lower_valid) >> PAGE_SHIFT;
}

static bool is_hole(struct shmem *s, uint64_t pgoff)
{
	uint64_t *slot = ftab_slot(&s->holes, pgoff, false);

	return slot && *slot;
}

/* Absent or not: whether an absent @pgoff would hold lower data. */
static bool is_lower(struct shmem *s, uint64_t pgoff)
{
	return pgoff < lower_pages(s) && !is_hole(s, pgoff);
}

void shmem_set_lower(struct shmem *s, uint64_t bytes)
{
	BUG_ON(s->nr_pages || s->lower_valid);
	s->lower_valid = bytes;
	s->nr_lower = lower_pages(s);
}

enum shmem_page_kind shmem_page_kind(struct shmem *s, uint64_t pgoff)
{
	uint64_t *slot = ftab_slot(&s->pages, pgoff, false);

	if (slot && *slot)
		return SHMEM_PAGE_PRESENT;
	return is_lower(s, pgoff) ? SHMEM_PAGE_LOWER : SHMEM_PAGE_ZERO;
}

uint64_t shmem_blocks(const struct shmem *s)
{
	return (s->nr_pages + s->nr_lower) * (PAGE_SIZE / 512);
}

/* Data for SEEK_DATA: a lower page, or a present one something wrote. */
static bool is_data(struct shmem *s, uint64_t pgoff)
{
	uint64_t *slot = ftab_slot(&s->pages, pgoff, false);

	if (slot && *slot)
		return !(*slot & SLOT_UNWRITTEN);
	return is_lower(s, pgoff);
}

uint64_t shmem_next_data(struct shmem *s, uint64_t pgoff, uint64_t end)
{
	uint64_t lend = MIN(end, lower_pages(s));

	/* Below lower_valid every page is data but for holes: this passes only holes (and unwritten pages). */
	for (; pgoff < lend; pgoff++)
		if (is_data(s, pgoff))
			return pgoff;
	/* Above it only present pages can be: visit those, not the range. */
	while (pgoff < end && ftab_next(&s->pages, pgoff, end, &pgoff)) {
		if (is_data(s, pgoff))
			return pgoff;
		pgoff++;
	}
	return end;
}

uint64_t shmem_next_hole(struct shmem *s, uint64_t pgoff, uint64_t end)
{
	/* Passes only data pages: bounded by what the file holds. */
	while (pgoff < end && is_data(s, pgoff))
		pgoff++;
	return pgoff;
}

/*
 * The frame for @pgoff; a hole gets a zero page if @alloc, placed after its
 * neighbours' frames so that a mapping of the file is contiguous in the
 * memory file. @end: the page the file is about to reach (a write's end).
 *
 * @whole: the caller overwrites the whole page, so a lower page needs no fill.
 */
static int shmem_frame_upto(struct shmem *s, uint64_t pgoff, bool alloc, uint64_t end, bool whole, frame_t *out)
{
	uint64_t *slot;

	slot = ftab_slot(&s->pages, pgoff, alloc);
	if (!slot || !*slot) {
		struct shmem_place p = { s, pgoff };
		bool lower = is_lower(s, pgoff);
		uint64_t span;
		frame_t f;

		if (!whole && lower) {
			*out = FRAME_NONE;
			return MOBJ_NEEDS_FILL;
		}
		if (!alloc) {
			*out = FRAME_NONE;
			return 0;
		}
		/* A file past its first page tends to grow: keep room for it. */
		end = MAX(end, PAGE_ALIGN_UP(s->size) >> PAGE_SHIFT);
		span = end > pgoff ? end - pgoff : 1;
		if (pgoff)
			span = MAX(span, 64);
		f = frame_alloc_placed(shmem_neighbour, &p, span);
		if (f == FRAME_NONE)
			return -ENOMEM;
		*slot = f;
		s->nr_pages++;
		if (lower) {
			s->nr_lower--;
		} else if (pgoff < lower_pages(s)) {
			uint64_t *hole = ftab_slot(&s->holes, pgoff, false);

			if (hole)
				*hole = 0;	/* a hole filled: present now */
		}
	}
	if (alloc) {
		*slot &= ~SLOT_UNWRITTEN;	/* written, faulted in or filled: data now */
		slot_unclean(s, slot);		/* and maybe no longer what the lower file holds */
	}
	*out = (frame_t)*slot;
	return 0;
}

int shmem_frame(struct shmem *s, uint64_t pgoff, bool alloc, frame_t *out)
{
	return shmem_frame_upto(s, pgoff, alloc, 0, false, out);
}

bool shmem_install_lower(struct shmem *s, uint64_t pgoff, const void *data, size_t len, bool *nomem)
{
	uint64_t page_off = pgoff << PAGE_SHIFT;
	frame_t f;
	char *p;

	if (shmem_page_kind(s, pgoff) != SHMEM_PAGE_LOWER)
		return false;
	len = MIN(len, (size_t)PAGE_SIZE);
	if (page_off + len > s->lower_valid)
		len = (size_t)(s->lower_valid - page_off);
	if (shmem_frame_upto(s, pgoff, true, 0, true, &f)) {
		*nomem = true;
		return false;
	}
	p = frame_ptr(f);
	memcpy(p, data, len);
	memset(p + len, 0, PAGE_SIZE - len);	/* a recycled frame may hold old bytes */
	slot_mark_clean(s, ftab_slot(&s->pages, pgoff, false));
	return true;
}

/* The lower data ends at @size now: absent lower pages past it go, and so do the holes there. */
static void cut_lower(struct shmem *s, uint64_t size)
{
	uint64_t old_end = lower_pages(s), new_end = PAGE_ALIGN_UP(size) >> PAGE_SHIFT;

	uint64_t gone = (old_end - new_end) - count_entries(&s->pages, new_end, old_end) -
			count_entries(&s->holes, new_end, old_end);

	BUG_ON(gone > s->nr_lower);
	s->nr_lower -= gone;
	ftab_for_each(&s->holes, new_end, UINT64_MAX, clear_slot, NULL);
	s->lower_valid = size;	/* an absent page's fill zeroes its bytes past the end */
}

void shmem_truncate(struct shmem *s, uint64_t size)
{
	uint64_t first = PAGE_ALIGN_UP(size) >> PAGE_SHIFT;

	if (size < s->lower_valid)
		cut_lower(s, size);
	if (size < s->size) {
		frame_t f = FRAME_NONE;

		/* Zero the tail of the last partial page so a later extension reads zeros. */
		if (size & (PAGE_SIZE - 1)) {
			shmem_frame(s, size >> PAGE_SHIFT, false, &f);
			if (f != FRAME_NONE)
				slot_unclean(s, ftab_slot(&s->pages, size >> PAGE_SHIFT, false));
			if (f != FRAME_NONE)
				memset((char *)frame_ptr(f) + (size & (PAGE_SIZE - 1)), 0,
				       PAGE_SIZE - (size & (PAGE_SIZE - 1)));
		}
		/* Linux's unmap_mapping_range: mappings fault past EOF (SIGBUS), copy-on-write copies too. */
		mobj_unmap_range(&s->obj, first, UINT64_MAX, NULL);
		ftab_for_each(&s->pages, first, UINT64_MAX, put_slot, s);
		memfile_flush();
	}
	s->size = size;
}

void shmem_punch(struct shmem *s, uint64_t first, uint64_t end)
{
	uint64_t lend;

	/* Pages past EOF (fallocate KEEP_SIZE) go too; only those below it can be mapped. */
	if (first >= end)
		return;
	mobj_unmap_range(&s->obj, first, MIN(end, PAGE_ALIGN_UP(s->size) >> PAGE_SHIFT), &s->pages);
	/* Below lower_valid an absent page would read the lower file: mark these holes. */
	lend = MIN(end, lower_pages(s));
	for (uint64_t pg = first; pg < lend; pg++) {
		enum shmem_page_kind k = shmem_page_kind(s, pg);

		if (k == SHMEM_PAGE_ZERO)
			continue;
		if (k == SHMEM_PAGE_LOWER)
			s->nr_lower--;
		*ftab_slot(&s->holes, pg, true) = 1;
	}
	ftab_for_each(&s->pages, first, end, put_slot, s);
	memfile_flush();
}

int shmem_allocate(struct shmem *s, uint64_t first, uint64_t end)
{
	uint64_t free_frames = g_memfile.nframes - MIN(g_memfile.used, g_memfile.nframes);

	/* Checked first, so the loop below is bounded by memory that exists. */
	if (end - first - count_entries(&s->pages, first, end) > free_frames)
		return -ENOSPC;
	for (uint64_t pg = first; pg < end; pg++) {
		frame_t f;

		/* A lower page is allocated already: the lower file holds it. */
		if (shmem_page_kind(s, pg) != SHMEM_PAGE_ZERO)
			continue;
		if (shmem_frame_upto(s, pg, true, end, false, &f))
			return -ENOSPC;
		*ftab_slot(&s->pages, pg, false) |= SLOT_UNWRITTEN;
	}
	return 0;
}

void shmem_zero_range(struct shmem *s, uint64_t off, uint64_t len)
{
	frame_t f = FRAME_NONE;

	BUG_ON((off & (PAGE_SIZE - 1)) + len > PAGE_SIZE);
	shmem_frame(s, off >> PAGE_SHIFT, false, &f);
	if (f == FRAME_NONE)
		return;
	slot_unclean(s, ftab_slot(&s->pages, off >> PAGE_SHIFT, false));
	memset((char *)frame_ptr(f) + (off & (PAGE_SIZE - 1)), 0, len);
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
		bool whole = chunk == PAGE_SIZE;
		frame_t f;
		int err = shmem_frame_upto(s, off >> PAGE_SHIFT, true, PAGE_ALIGN_UP(off + n) >> PAGE_SHIFT, whole, &f);

		if (err)
			return err;
		memcpy((char *)frame_ptr(f) + (off & (PAGE_SIZE - 1)), src, chunk);
		src += chunk;
		off += chunk;
		n -= chunk;
	}
	return 0;
}

/* ---- the page cache's budget ---- */

struct clean_list {
	uint64_t *idx;
	size_t n, want;
};

static void collect_clean(uint64_t idx, uint64_t *slot, void *arg)
{
	struct clean_list *l = arg;

	if ((*slot & SLOT_CLEAN) && l->n < l->want)
		l->idx[l->n++] = idx;
}

/* Drop clean pages [first, end) of @s: out of every mapping, then back to the lower file's data. */
static void drop_run(struct shmem *s, uint64_t first, uint64_t end)
{
	/* copy-on-write copies stay theirs: only the file's own frames go */
	mobj_unmap_range(&s->obj, first, end, &s->pages);
	for (uint64_t pg = first; pg < end; pg++) {
		uint64_t *slot = ftab_slot(&s->pages, pg, false);

		slot_unclean(s, slot);
		frame_put((frame_t)*slot);
		*slot = 0;
		s->nr_pages--;
		s->nr_lower++;	/* absent below lower_valid, not a hole: SHMEM_PAGE_LOWER */
	}
}

/* Drop up to @want clean pages of @s, lowest first (found in one walk, dropped in runs); how many. */
static uint64_t drop_clean_pages(struct shmem *s, uint64_t want)
{
	struct clean_list l = { xmalloc(MIN(want, s->nr_clean) * sizeof(uint64_t)), 0, (size_t)MIN(want, s->nr_clean) };

	ftab_for_each(&s->pages, 0, UINT64_MAX, collect_clean, &l);
	for (size_t k = 0; k < l.n;) {
		size_t j = k + 1;

		while (j < l.n && l.idx[j] == l.idx[j - 1] + 1)
			j++;
		drop_run(s, l.idx[k], l.idx[j - 1] + 1);
		k = j;
	}
	free(l.idx);
	return l.n;
}

void shmem_make_room(uint64_t npages)
{
	struct list_head *n, *next;
	uint64_t budget = SHMEM_CLEAN_MAX_PAGES, dropped = 0;

	if (g_clean_pages + npages <= budget)
		return;
	/* bounded: each file is visited once, and each drop shrinks g_clean_pages */
	for (n = g_clean_files.next; n != &g_clean_files && g_clean_pages + npages > budget; n = next) {
		struct shmem *s = container_of(n, struct shmem, clean_node);
		uint64_t excess = g_clean_pages + npages - budget;

		next = n->next;	/* s may leave the list */
		if (s->obj.may_write_unseen)
			continue;
		dropped += drop_clean_pages(s, excess);
	}
	if (dropped)
		memfile_flush();
}
