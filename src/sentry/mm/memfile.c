// SPDX-License-Identifier: MIT
/* Frame allocation in the memory file; freed frames are punched out so their memory returns to the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib/log.h"
#include "sentry/mm/memfile.h"

struct memfile g_memfile = { .fd = -1 };

int memfile_init(uint64_t size)
{
	struct memfile *m = &g_memfile;
	uint64_t nframes = size >> PAGE_SHIFT;

	m->fd = memfd_create("cvisor-memory", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, size) < 0)
		return -errno;
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->fd, 0);
	if (m->base == MAP_FAILED)
		return -errno;
	m->refs = mmap(NULL, nframes * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->refs == MAP_FAILED)
		return -errno;
	/* Stubs are cloned from the Sentry: keep these big ranges out of the copy. */
	madvise(m->base, size, MADV_DONTFORK);
	madvise(m->refs, nframes * sizeof(uint32_t), MADV_DONTFORK);
	m->size = size;
	m->next = 1;
	return 0;
}

frame_t frame_alloc(void)
{
	struct memfile *m = &g_memfile;
	frame_t f;

	if (m->free_count) {
		f = m->free_list[--m->free_count];
	} else {
		if ((uint64_t)m->next >= (m->size >> PAGE_SHIFT))
			return FRAME_NONE;
		f = m->next++;
	}
	BUG_ON(m->refs[f] != 0);
	m->refs[f] = 1;
	m->used++;
	return f;
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
	/* Zero it for the next user and give the memory back to the host. */
	if (fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, frame_offset(f), PAGE_SIZE) < 0)
		memset(frame_ptr(f), 0, PAGE_SIZE);
	if (m->free_count == m->free_cap) {
		m->free_cap = m->free_cap ? m->free_cap * 2 : 1024;
		m->free_list = xrealloc(m->free_list, m->free_cap * sizeof(frame_t));
	}
	m->free_list[m->free_count++] = f;
	m->used--;
}
