// SPDX-License-Identifier: MIT
/*
 * mremap(2): growing with MREMAP_MAYMOVE keeps the contents (and the old
 * range faults if it moved), shrinking keeps the address and unmaps the
 * tail, growing without MREMAP_MAYMOVE stays in place when the next pages
 * are free, MREMAP_FIXED moves to a chosen address, growing in place fails with
 * ENOMEM when the next page is taken; EINVAL for unknown flags, an
 * unaligned address, MREMAP_FIXED without MREMAP_MAYMOVE and a new length
 * of 0; EFAULT for an old range that is not mapped.
 */
#include <signal.h>
#include <sys/mman.h>

#include "harness.h"

#define PG	4096

static char *map_rw(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int read_in_child(volatile char *p)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		(void)*p;
		_exit(0);
	}
	return wait_status(pid);
}

static void fill(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (char)(i * 13);
}

static bool filled(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (char)(i * 13))
			return false;
	return true;
}

TEST(mremap, grow_maymove_keeps_content)
{
	char *p = CHECK(map_rw(3 * PG));
	char *q;

	fill(p, 2 * PG);
	/* a different mapping right after blocks growth in place: it must move */
	CHECK(mmap(p + 2 * PG, PG, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	q = CHECK(mremap(p, 2 * PG, 8 * PG, MREMAP_MAYMOVE));
	EXPECT_TRUE(q != p);
	EXPECT_TRUE(filled(q, 2 * PG));
	EXPECT_EQ(q[8 * PG - 1], 0);
	q[8 * PG - 1] = 1;
	EXPECT_SIGNALED(read_in_child(p), SIGSEGV);
	munmap(q, 8 * PG);
	munmap(p + 2 * PG, PG);
}

TEST(mremap, shrink_keeps_address)
{
	char *p = CHECK(map_rw(4 * PG));

	fill(p, 4 * PG);
	EXPECT_TRUE(mremap(p, 4 * PG, PG, 0) == p);
	EXPECT_TRUE(filled(p, PG));
	EXPECT_SIGNALED(read_in_child(p + PG), SIGSEGV);
	EXPECT_SIGNALED(read_in_child(p + 3 * PG), SIGSEGV);
	munmap(p, PG);
}

TEST(mremap, grow_in_place_when_free)
{
	char *p = CHECK(map_rw(3 * PG));

	CHECK(munmap(p + PG, 2 * PG));
	fill(p, PG);
	EXPECT_TRUE(mremap(p, PG, 3 * PG, 0) == p);
	EXPECT_TRUE(filled(p, PG));
	p[3 * PG - 1] = 1;
	munmap(p, 3 * PG);
}

TEST(mremap, fixed_moves_to_address)
{
	char *p = CHECK(map_rw(PG));
	char *target = CHECK(map_rw(2 * PG));
	char *q;

	fill(p, PG);
	q = mremap(p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, target + PG);
	EXPECT_TRUE(q == target + PG);
	EXPECT_TRUE(filled(target + PG, PG));
	EXPECT_SIGNALED(read_in_child(p), SIGSEGV);
	munmap(target, 2 * PG);
}

TEST(mremap, grow_in_place_blocked_is_enomem)
{
	char *p = CHECK(map_rw(2 * PG));

	CHECK(munmap(p + PG, PG));
	CHECK(mmap(p + PG, PG, PROT_READ,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	p[0] = 'g';
	EXPECT_ERRNO(mremap(p, PG, 2 * PG, 0), ENOMEM);
	EXPECT_EQ(p[0], 'g');
	munmap(p, 2 * PG);
}

TEST(mremap, errors)
{
	char *p = CHECK(map_rw(2 * PG));
	char *hole = CHECK(map_rw(PG));

	CHECK(munmap(hole, PG));
	EXPECT_ERRNO(mremap(p, PG, 2 * PG, 0x40), EINVAL);
	EXPECT_ERRNO(mremap(p + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL);
	EXPECT_ERRNO(mremap(p, PG, PG, MREMAP_FIXED, p + PG), EINVAL);
	EXPECT_ERRNO(mremap(p, PG, 0, MREMAP_MAYMOVE), EINVAL);
	EXPECT_ERRNO(mremap(hole, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT);
	munmap(p, 2 * PG);
}
