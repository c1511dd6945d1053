// SPDX-License-Identifier: MIT
/*
 * truncate(2) and ftruncate(2): shrinking drops data, growing reads back as
 * zeros, the file offset is not moved, a MAP_SHARED mapping sees the change;
 * EINVAL for a negative length, EISDIR for a directory, ENOENT, ENOTDIR,
 * EBADF for a bad descriptor, EINVAL (ftruncate) for a read-only descriptor
 * and for a pipe.
 */
#include <sys/mman.h>

#include "harness.h"

static int file_with(const char *data)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));

	CHECK(write(fd, data, strlen(data)));
	return fd;
}

static off_t size_of(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st));
	return st.st_size;
}

TEST(ftruncate, shrink_and_grow)
{
	int fd = file_with("0123456789");
	char buf[16], want[8] = { '0', '1', '2', 0, 0, 0, 0, 0 };

	EXPECT_RET(ftruncate(fd, 3), 0);
	EXPECT_EQ(size_of(fd), 3);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 10);
	EXPECT_RET(ftruncate(fd, 8), 0);
	EXPECT_EQ(size_of(fd), 8);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 8);
	EXPECT_MEMEQ(buf, want, 8);
	EXPECT_RET(ftruncate(fd, 0), 0);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 0);
	close(fd);
}

TEST(truncate, by_path)
{
	int fd = file_with("abcdef");

	EXPECT_RET(truncate(tmp_path("f"), 2), 0);
	EXPECT_EQ(size_of(fd), 2);
	EXPECT_RET(truncate(tmp_path("f"), 1 << 20), 0);
	EXPECT_EQ(size_of(fd), 1 << 20);
	close(fd);
}

TEST(ftruncate, visible_through_shared_mapping)
{
	int fd = file_with("");
	char *p;

	EXPECT_RET(ftruncate(fd, 4096), 0);
	p = CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(p[100], 0);
	p[100] = 'z';
	CHECK(ftruncate(fd, 200));
	CHECK(ftruncate(fd, 4096));
	EXPECT_EQ(p[100], 'z');
	CHECK(ftruncate(fd, 50));
	CHECK(ftruncate(fd, 4096));
	EXPECT_EQ(p[100], 0);
	munmap(p, 4096);
	close(fd);
}

TEST(truncate, errors)
{
	int fd = file_with("abc");

	CHECK(mkdir(tmp_path("d"), 0700));
	EXPECT_ERRNO(truncate(tmp_path("f"), -1), EINVAL);
	EXPECT_ERRNO(truncate(tmp_path("d"), 0), EISDIR);
	EXPECT_ERRNO(truncate(tmp_path("missing"), 0), ENOENT);
	EXPECT_ERRNO(truncate(tmp_path("f/x"), 0), ENOTDIR);
	EXPECT_EQ(size_of(fd), 3);
	close(fd);
}

TEST(ftruncate, errors)
{
	int fd = file_with("abc");
	int ro = CHECK(open(tmp_path("f"), O_RDONLY));
	int p[2];

	CHECK(pipe(p));
	EXPECT_ERRNO(ftruncate(fd, -1), EINVAL);
	EXPECT_ERRNO(ftruncate(ro, 0), EINVAL);
	EXPECT_ERRNO(ftruncate(p[1], 0), EINVAL);
	EXPECT_ERRNO(ftruncate(-1, 0), EBADF);
	EXPECT_EQ(size_of(fd), 3);
	close(p[0]);
	close(p[1]);
	close(ro);
	close(fd);
}
