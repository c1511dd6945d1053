// SPDX-License-Identifier: MIT
/*
 * close(2): closing frees the descriptor number for reuse, a second close is
 * EBADF, closing one of two dup'ed descriptors keeps the file open through
 * the other, closing the last pipe writer makes readers see EOF; EBADF for
 * negative and never-opened descriptors.
 */
#include "harness.h"

TEST(close, frees_the_number)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	int again;

	EXPECT_RET(close(fd), 0);
	EXPECT_ERRNO(fcntl(fd, F_GETFD), EBADF);
	again = CHECK(open("/dev/null", O_RDONLY));
	EXPECT_EQ(again, fd);
	close(again);
}

TEST(close, twice_is_ebadf)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));

	EXPECT_RET(close(fd), 0);
	EXPECT_ERRNO(close(fd), EBADF);
}

TEST(close, bad_fds)
{
	EXPECT_ERRNO(close(-1), EBADF);
	EXPECT_ERRNO(close(INT_MIN), EBADF);
	EXPECT_ERRNO(close(100000), EBADF);
	EXPECT_ERRNO(close(INT_MAX), EBADF);
}

TEST(close, dup_keeps_file_open)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int dup_fd = CHECK(dup(fd));
	char buf[4] = { 0 };

	EXPECT_RET(close(fd), 0);
	EXPECT_RET(write(dup_fd, "ok", 2), 2);
	EXPECT_RET(pread(dup_fd, buf, sizeof(buf), 0), 2);
	EXPECT_STREQ(buf, "ok");
	EXPECT_RET(close(dup_fd), 0);
}

TEST(close, last_writer_gives_eof)
{
	int p[2], w2;
	char buf[4];

	CHECK(pipe2(p, O_NONBLOCK));
	w2 = CHECK(dup(p[1]));
	EXPECT_RET(close(p[1]), 0);
	EXPECT_ERRNO(read(p[0], buf, sizeof(buf)), EAGAIN);
	EXPECT_RET(close(w2), 0);
	EXPECT_RET(read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
}
