// SPDX-License-Identifier: MIT
/*
 * munmap(2): an unmapped page faults (a forked child touching it dies of
 * SIGSEGV), unmapping the middle of a mapping leaves both sides intact,
 * a length that is not a page multiple is rounded up, unmapping a range
 * with nothing mapped succeeds, the freed range can be mapped again;
 * EINVAL for an unaligned address and for length 0.
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

TEST(munmap, access_after_unmap_faults)
{
	char *p = CHECK(map_rw(PG));

	p[0] = 1;
	EXPECT_EXITED(read_in_child(p), 0);
	EXPECT_RET(munmap(p, PG), 0);
	EXPECT_SIGNALED(read_in_child(p), SIGSEGV);
}

TEST(munmap, middle_leaves_sides)
{
	char *p = CHECK(map_rw(3 * PG));

	memset(p, 'm', 3 * PG);
	EXPECT_RET(munmap(p + PG, PG), 0);
	EXPECT_EQ(p[0], 'm');
	EXPECT_EQ(p[PG - 1], 'm');
	EXPECT_EQ(p[2 * PG], 'm');
	EXPECT_SIGNALED(read_in_child(p + PG), SIGSEGV);
	EXPECT_SIGNALED(read_in_child(p + 2 * PG - 1), SIGSEGV);
	EXPECT_RET(munmap(p, 3 * PG), 0);
	EXPECT_SIGNALED(read_in_child(p), SIGSEGV);
}

TEST(munmap, length_rounds_up)
{
	char *p = CHECK(map_rw(2 * PG));

	EXPECT_RET(munmap(p, 1), 0);
	EXPECT_SIGNALED(read_in_child(p + PG - 1), SIGSEGV);
	EXPECT_EXITED(read_in_child(p + PG), 0);
	munmap(p + PG, PG);
}

TEST(munmap, unmapped_range_is_ok_and_reusable)
{
	char *p = CHECK(map_rw(2 * PG));
	char *q;

	CHECK(munmap(p, 2 * PG));
	EXPECT_RET(munmap(p, 2 * PG), 0);
	q = CHECK(mmap(p, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
	EXPECT_TRUE(q == p);
	EXPECT_EQ(q[0], 0);
	munmap(q, PG);
}

TEST(munmap, errors)
{
	char *p = CHECK(map_rw(PG));

	EXPECT_ERRNO(munmap(p + 1, PG), EINVAL);
	EXPECT_ERRNO(munmap(p, 0), EINVAL);
	EXPECT_ERRNO(munmap((void *)-PG, 2 * PG), EINVAL);
	p[0] = 'k';
	EXPECT_EQ(p[0], 'k');
	munmap(p, PG);
}
