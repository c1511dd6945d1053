// SPDX-License-Identifier: MIT
/*
 * msync(2) on shared file mappings (created and lower files, lower.h),
 * private and anonymous ones: MS_SYNC, MS_ASYNC, MS_INVALIDATE succeed and
 * keep the data; EINVAL for MS_SYNC|MS_ASYNC, an unaligned address or an
 * unknown flag; ENOMEM for a range that is not all mapped or that wraps;
 * the length is rounded up to pages first.
 */
#include "harness.h"
#include "lower.h"

/* Fixture numbers (lower.h): one per case that uses a lower file. */
enum {
	FX_MSYNC,
};

static void msync_calls(int fd)
{
	uint8_t *p = CHECK(mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0));
	uint8_t c = 0;

	p[PG] = 'm';
	EXPECT_RET(msync(p, 4 * PG, MS_SYNC), 0);
	EXPECT_RET(msync(p, 4 * PG, MS_ASYNC), 0);
	EXPECT_RET(msync(p, 4 * PG, MS_INVALIDATE), 0);
	EXPECT_RET(msync(p, 4 * PG, MS_SYNC | MS_INVALIDATE), 0);
	EXPECT_RET(msync(p + PG, 1, MS_SYNC), 0);
	EXPECT_RET(msync(p, 0, MS_SYNC), 0);
	/* MS_INVALIDATE keeps a shared mapping's data: it is the file's. */
	EXPECT_EQ(p[PG], 'm');
	EXPECT_RET(pread(fd, &c, 1, PG), 1);
	EXPECT_EQ(c, 'm');
	EXPECT_ERRNO(msync(p, 4 * PG, MS_SYNC | MS_ASYNC), EINVAL);
	EXPECT_ERRNO(msync(p + 1, PG, MS_SYNC), EINVAL);
	EXPECT_ERRNO(msync(p, PG, 0x100), EINVAL);
	/* The length is rounded up to pages: SIZE_MAX wraps to 0. */
	EXPECT_RET(msync(p, SIZE_MAX, MS_SYNC), 0);
	EXPECT_ERRNO(msync(p, SIZE_MAX - 2 * PG, MS_SYNC), ENOMEM);
	munmap(p + 2 * PG, 2 * PG);
	/* A range that is partly unmapped. */
	EXPECT_ERRNO(msync(p, 4 * PG, MS_SYNC), ENOMEM);
	EXPECT_ERRNO(msync(p + 2 * PG, PG, MS_ASYNC), ENOMEM);
	munmap(p, 2 * PG);
}

TEST(msync, created_file)
{
	int fd = open_new("f");

	CHECK(ftruncate(fd, 4 * PG));
	msync_calls(fd);
	close(fd);
}

TEST(msync, lower_file)
{
	int fd = open_lower(FX_MSYNC, 0);

	msync_calls(fd);
	EXPECT_PAT(fd, FX_MSYNC, 0, PG);
	close(fd);
}

TEST(msync, private_and_anonymous)
{
	int fd = open_new("f");
	uint8_t *p, *a;

	CHECK(ftruncate(fd, PG));
	p = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	a = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	p[0] = 1;
	a[0] = 1;
	EXPECT_RET(msync(p, PG, MS_SYNC), 0);
	EXPECT_RET(msync(a, PG, MS_SYNC), 0);
	EXPECT_RET(msync(a, PG, MS_INVALIDATE), 0);
	EXPECT_EQ(p[0], 1);
	EXPECT_EQ(a[0], 1);
	munmap(p, PG);
	munmap(a, PG);
	close(fd);
}
