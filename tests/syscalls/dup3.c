// SPDX-License-Identifier: MIT
/*
 * dup3(2): like dup2 but O_CLOEXEC sets FD_CLOEXEC on the new descriptor
 * and flags 0 clears it; EINVAL when old == new (unlike dup2) and for any
 * flag other than O_CLOEXEC, EBADF for a bad source or negative target.
 */
#include "harness.h"

TEST(dup3, cloexec_flag)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	int target = CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC));

	EXPECT_RET(dup3(fd, target, O_CLOEXEC), target);
	EXPECT_RET(fcntl(target, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(dup3(fd, target, 0), target);
	EXPECT_RET(fcntl(target, F_GETFD), 0);
	EXPECT_RET(fcntl(fd, F_GETFD), 0);
	close(target);
	close(fd);
}

TEST(dup3, shares_file)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));

	EXPECT_RET(dup3(fd, 150, O_CLOEXEC), 150);
	CHECK(write(150, "abcd", 4));
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 4);
	close(150);
	close(fd);
}

TEST(dup3, errors)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	int other = CHECK(open("/dev/null", O_RDONLY));

	EXPECT_ERRNO(dup3(fd, fd, 0), EINVAL);
	EXPECT_ERRNO(dup3(fd, fd, O_CLOEXEC), EINVAL);
	EXPECT_ERRNO(dup3(fd, other, O_NONBLOCK), EINVAL);
	EXPECT_ERRNO(dup3(fd, other, -1), EINVAL);
	EXPECT_ERRNO(dup3(-1, other, 0), EBADF);
	EXPECT_ERRNO(dup3(fd, -1, 0), EBADF);
	EXPECT_ERRNO(dup3(fd, INT_MAX, 0), EBADF);
	EXPECT_RET(fcntl(other, F_GETFD), 0);
	close(other);
	close(fd);
}
