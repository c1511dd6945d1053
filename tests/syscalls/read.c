// SPDX-License-Identifier: MIT
/*
 * read(2): reading a regular file advances the offset and stops at EOF, a
 * zero count returns 0, a pipe returns what was written and 0 once every
 * writer is gone, /dev/zero fills the buffer; EBADF for bad, closed and
 * write-only descriptors, EISDIR for a directory, EAGAIN on an empty
 * non-blocking pipe.
 */
#include "harness.h"

static int make_file(const char *path, const char *data)
{
	int fd = CHECK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));

	CHECK(write(fd, data, strlen(data)));
	CHECK(lseek(fd, 0, SEEK_SET));
	return fd;
}

TEST(read, regular_file_advances_offset)
{
	int fd = make_file(tmp_path("f"), "hello world");
	char buf[16] = { 0 };

	EXPECT_RET(read(fd, buf, 5), 5);
	EXPECT_MEMEQ(buf, "hello", 5);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 5);
	EXPECT_RET(read(fd, buf, sizeof(buf)), 6);
	EXPECT_MEMEQ(buf, " world", 6);
	EXPECT_RET(read(fd, buf, sizeof(buf)), 0);
	EXPECT_RET(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}

TEST(read, zero_count_returns_zero)
{
	int fd = make_file(tmp_path("f"), "abc");
	char buf[4];

	EXPECT_RET(read(fd, buf, 0), 0);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 0);
	close(fd);
}

TEST(read, bad_fds)
{
	char buf[4];
	int fd = CHECK(open("/dev/null", O_RDONLY));

	CHECK(close(fd));
	EXPECT_ERRNO(read(-1, buf, 1), EBADF);
	EXPECT_ERRNO(read(fd, buf, 1), EBADF);
	EXPECT_ERRNO(read(100000, buf, 1), EBADF);
}

TEST(read, write_only_fd_is_ebadf)
{
	int fd = CHECK(open(tmp_path("f"), O_WRONLY | O_CREAT, 0600));
	char buf[4];

	EXPECT_ERRNO(read(fd, buf, 1), EBADF);
	close(fd);
}

TEST(read, directory_is_eisdir)
{
	int fd = CHECK(open("/tmp", O_RDONLY | O_DIRECTORY));
	char buf[4];

	EXPECT_ERRNO(read(fd, buf, sizeof(buf)), EISDIR);
	close(fd);
}

TEST(read, pipe_then_eof)
{
	int p[2];
	char buf[16];

	CHECK(pipe(p));
	EXPECT_RET(write(p[1], "xyz", 3), 3);
	EXPECT_RET(read(p[0], buf, sizeof(buf)), 3);
	EXPECT_MEMEQ(buf, "xyz", 3);
	CHECK(close(p[1]));
	EXPECT_RET(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
}

TEST(read, empty_nonblocking_pipe_is_eagain)
{
	int p[2];
	char buf[4];

	CHECK(pipe2(p, O_NONBLOCK));
	EXPECT_ERRNO(read(p[0], buf, sizeof(buf)), EAGAIN);
	close(p[0]);
	close(p[1]);
}

TEST(read, dev_zero_fills_buffer)
{
	int fd = CHECK(open("/dev/zero", O_RDONLY));
	char buf[4096], zero[4096] = { 0 };

	memset(buf, 0x5a, sizeof(buf));
	EXPECT_RET(read(fd, buf, sizeof(buf)), sizeof(buf));
	EXPECT_MEMEQ(buf, zero, sizeof(buf));
	close(fd);
}

TEST(read, dev_null_is_eof)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	char buf[4];

	EXPECT_RET(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}
