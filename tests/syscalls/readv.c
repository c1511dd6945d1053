// SPDX-License-Identifier: MIT
/*
 * readv(2): scatters a file into several buffers in order, skips zero-length
 * entries, stops short at EOF and returns 0 for iovcnt 0; EINVAL for a
 * negative iovcnt or one above IOV_MAX, EBADF for a bad descriptor, EISDIR
 * for a directory.
 */
#include <sys/uio.h>

#include "harness.h"

static int file_with(const char *data)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));

	CHECK(write(fd, data, strlen(data)));
	CHECK(lseek(fd, 0, SEEK_SET));
	return fd;
}

TEST(readv, scatters_in_order)
{
	int fd = file_with("abcdefghij");
	char a[3], b[4], c[8] = { 0 };
	struct iovec iov[] = {
		{ a, sizeof(a) }, { NULL, 0 }, { b, sizeof(b) }, { c, sizeof(c) },
	};

	EXPECT_RET(readv(fd, iov, 4), 10);
	EXPECT_MEMEQ(a, "abc", 3);
	EXPECT_MEMEQ(b, "defg", 4);
	EXPECT_MEMEQ(c, "hij", 4);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 10);
	EXPECT_RET(readv(fd, iov, 4), 0);
	close(fd);
}

TEST(readv, zero_iovcnt_returns_zero)
{
	int fd = file_with("abc");
	struct iovec iov = { NULL, 0 };

	EXPECT_RET(readv(fd, &iov, 0), 0);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
}

TEST(readv, bad_iovcnt_is_einval)
{
	int fd = file_with("abc");
	char a[4];
	struct iovec iov = { a, sizeof(a) };

	EXPECT_ERRNO(syscall(SYS_readv, fd, &iov, -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_readv, fd, &iov, 1025), EINVAL);
	close(fd);
}

TEST(readv, bad_fd_is_ebadf)
{
	char a[4];
	struct iovec iov = { a, sizeof(a) };

	EXPECT_ERRNO(readv(-1, &iov, 1), EBADF);
}

TEST(readv, directory_is_eisdir)
{
	int fd = CHECK(open("/tmp", O_RDONLY | O_DIRECTORY));
	char a[4];
	struct iovec iov = { a, sizeof(a) };

	EXPECT_ERRNO(readv(fd, &iov, 1), EISDIR);
	close(fd);
}

TEST(readv, from_pipe)
{
	int p[2];
	char a[2], b[8] = { 0 };
	struct iovec iov[] = { { a, sizeof(a) }, { b, sizeof(b) } };

	CHECK(pipe(p));
	CHECK(write(p[1], "12345", 5));
	EXPECT_RET(readv(p[0], iov, 2), 5);
	EXPECT_MEMEQ(a, "12", 2);
	EXPECT_MEMEQ(b, "345", 3);
	close(p[0]);
	close(p[1]);
}
