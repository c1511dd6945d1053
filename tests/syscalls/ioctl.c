// SPDX-License-Identifier: MIT
/*
 * ioctl(2), generic commands: FIONREAD counts the bytes waiting in a pipe
 * and the bytes after the offset of a regular file, FIOCLEX/FIONCLEX toggle
 * FD_CLOEXEC, FIONBIO toggles O_NONBLOCK; ENOTTY for TCGETS (and unknown
 * commands) on pipes, files and /dev/null, EBADF for a bad descriptor.
 */
#include <sys/ioctl.h>
#include <termios.h>

#include "harness.h"

TEST(ioctl, fionread_pipe)
{
	int p[2], n = -1;
	char buf[8];

	CHECK(pipe(p));
	EXPECT_RET(ioctl(p[0], FIONREAD, &n), 0);
	EXPECT_EQ(n, 0);
	CHECK(write(p[1], "hello", 5));
	EXPECT_RET(ioctl(p[0], FIONREAD, &n), 0);
	EXPECT_EQ(n, 5);
	CHECK(read(p[0], buf, 2));
	EXPECT_RET(ioctl(p[0], FIONREAD, &n), 0);
	EXPECT_EQ(n, 3);
	close(p[0]);
	close(p[1]);
}

TEST(ioctl, fionread_regular_file)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int n = -1;

	CHECK(write(fd, "0123456789", 10));
	CHECK(lseek(fd, 4, SEEK_SET));
	EXPECT_RET(ioctl(fd, FIONREAD, &n), 0);
	EXPECT_EQ(n, 6);
	close(fd);
}

TEST(ioctl, fioclex_fionclex)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));

	EXPECT_RET(ioctl(fd, FIOCLEX), 0);
	EXPECT_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(ioctl(fd, FIONCLEX), 0);
	EXPECT_RET(fcntl(fd, F_GETFD), 0);
	close(fd);
}

TEST(ioctl, fionbio)
{
	int p[2], on = 1, off = 0;
	char c;

	CHECK(pipe(p));
	EXPECT_RET(ioctl(p[0], FIONBIO, &on), 0);
	EXPECT_TRUE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	EXPECT_ERRNO(read(p[0], &c, 1), EAGAIN);
	EXPECT_RET(ioctl(p[0], FIONBIO, &off), 0);
	EXPECT_TRUE(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	close(p[0]);
	close(p[1]);
}

TEST(ioctl, tcgets_on_non_tty_is_enotty)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int null = CHECK(open("/dev/null", O_RDWR));
	struct termios t;
	int p[2];

	CHECK(pipe(p));
	EXPECT_ERRNO(ioctl(p[0], TCGETS, &t), ENOTTY);
	EXPECT_ERRNO(ioctl(fd, TCGETS, &t), ENOTTY);
	EXPECT_ERRNO(ioctl(null, TCGETS, &t), ENOTTY);
	EXPECT_ERRNO(ioctl(p[0], 0x7fff4242, 0), ENOTTY);
	errno = 0;
	EXPECT_RET(isatty(p[0]), 0);
	EXPECT_EQ(errno, ENOTTY);
	close(p[0]);
	close(p[1]);
	close(null);
	close(fd);
}

TEST(ioctl, bad_fd_is_ebadf)
{
	int n;

	EXPECT_ERRNO(ioctl(-1, FIONREAD, &n), EBADF);
	EXPECT_ERRNO(ioctl(100000, FIOCLEX), EBADF);
}
