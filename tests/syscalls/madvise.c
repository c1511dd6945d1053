// SPDX-License-Identifier: MIT
/*
 * madvise(2): MADV_DONTNEED makes private anonymous memory read back as
 * zeros, leaves shared anonymous memory intact, drops a private file
 * mapping's changes (the file's data shows again) and, in a forked child,
 * leaves the parent's copy alone; the hints NORMAL, RANDOM, SEQUENTIAL and
 * WILLNEED succeed; a length of 0 succeeds; EINVAL for an unaligned start
 * and an unknown advice, ENOMEM for an unmapped range.
 */
#include <sys/mman.h>

#include "harness.h"

#define PG	4096

static char *map_anon(size_t len, int flags)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS,
		    -1, 0);
}

static bool all_equal(const char *p, size_t len, char v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

TEST(madvise, dontneed_private_anon_reads_zero)
{
	char *p = CHECK(map_anon(4 * PG, MAP_PRIVATE));

	memset(p, 'd', 4 * PG);
	EXPECT_RET(madvise(p + PG, 2 * PG, MADV_DONTNEED), 0);
	EXPECT_TRUE(all_equal(p, PG, 'd'));
	EXPECT_TRUE(all_equal(p + PG, 2 * PG, 0));
	EXPECT_TRUE(all_equal(p + 3 * PG, PG, 'd'));
	p[PG] = 'w';
	EXPECT_EQ(p[PG], 'w');
	munmap(p, 4 * PG);
}

TEST(madvise, dontneed_shared_anon_keeps_data)
{
	char *p = CHECK(map_anon(2 * PG, MAP_SHARED));

	memset(p, 's', 2 * PG);
	EXPECT_RET(madvise(p, 2 * PG, MADV_DONTNEED), 0);
	EXPECT_TRUE(all_equal(p, 2 * PG, 's'));
	munmap(p, 2 * PG);
}

TEST(madvise, dontneed_private_file_restores_file)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	char page[PG], *p;

	memset(page, 'F', sizeof(page));
	CHECK(write(fd, page, sizeof(page)));
	p = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	memset(p, 'm', PG);
	EXPECT_RET(madvise(p, PG, MADV_DONTNEED), 0);
	EXPECT_TRUE(all_equal(p, PG, 'F'));
	munmap(p, PG);
	close(fd);
}

TEST(madvise, dontneed_in_child_spares_parent)
{
	char *p = CHECK(map_anon(PG, MAP_PRIVATE));
	pid_t pid;

	memset(p, 'p', PG);
	pid = CHECK(fork());
	if (pid == 0) {
		if (madvise(p, PG, MADV_DONTNEED))
			_exit(1);
		_exit(all_equal(p, PG, 0) ? 0 : 2);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_TRUE(all_equal(p, PG, 'p'));
	munmap(p, PG);
}

TEST(madvise, hints)
{
	char *p = CHECK(map_anon(4 * PG, MAP_PRIVATE));

	EXPECT_RET(madvise(p, 4 * PG, MADV_NORMAL), 0);
	EXPECT_RET(madvise(p, 4 * PG, MADV_RANDOM), 0);
	EXPECT_RET(madvise(p, 4 * PG, MADV_SEQUENTIAL), 0);
	EXPECT_RET(madvise(p, 4 * PG, MADV_WILLNEED), 0);
	EXPECT_RET(madvise(p, 0, MADV_DONTNEED), 0);
	munmap(p, 4 * PG);
}

TEST(madvise, errors)
{
	char *p = CHECK(map_anon(3 * PG, MAP_PRIVATE));

	CHECK(munmap(p + PG, 2 * PG));
	EXPECT_ERRNO(madvise(p + 1, PG, MADV_DONTNEED), EINVAL);
	EXPECT_ERRNO(madvise(p, PG, 9999), EINVAL);
	EXPECT_ERRNO(madvise(p + PG, PG, MADV_DONTNEED), ENOMEM);
	EXPECT_ERRNO(madvise(p + PG, PG, MADV_NORMAL), ENOMEM);
	munmap(p, PG);
}
