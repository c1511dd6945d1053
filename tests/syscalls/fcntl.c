// SPDX-License-Identifier: MIT
/*
 * fcntl(2): F_DUPFD and F_DUPFD_CLOEXEC pick the lowest free descriptor at or
 * above the argument; F_GETFD/F_SETFD read and write FD_CLOEXEC only on that
 * descriptor; F_GETFL reports the access mode and status flags, F_SETFL
 * changes O_APPEND and O_NONBLOCK (shared with dup'ed descriptors) but not
 * the access mode; EBADF, EINVAL for a negative or too-large F_DUPFD
 * argument and for an unknown command.
 */
#include <sys/resource.h>

#include "harness.h"

TEST(fcntl, dupfd_lowest_at_or_above)
{
	int fd = CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int a, b;

	a = CHECK(fcntl(fd, F_DUPFD, 100));
	EXPECT_EQ(a, 100);
	EXPECT_RET(fcntl(a, F_GETFD), 0);
	b = CHECK(fcntl(fd, F_DUPFD, 100));
	EXPECT_EQ(b, 101);
	close(a);
	EXPECT_RET(fcntl(fd, F_DUPFD_CLOEXEC, 100), 100);
	EXPECT_RET(fcntl(100, F_GETFD), FD_CLOEXEC);
	close(100);
	close(b);
	close(fd);
}

TEST(fcntl, dupfd_errors)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL);
	EXPECT_ERRNO(fcntl(fd, F_DUPFD_CLOEXEC, -1), EINVAL);
	EXPECT_ERRNO(fcntl(fd, F_DUPFD, (long)rl.rlim_cur), EINVAL);
	EXPECT_ERRNO(fcntl(-1, F_DUPFD, 0), EBADF);
	close(fd);
}

TEST(fcntl, getfd_setfd)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	int d = CHECK(dup(fd));

	EXPECT_RET(fcntl(fd, F_GETFD), 0);
	EXPECT_RET(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
	EXPECT_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(fcntl(d, F_GETFD), 0);
	EXPECT_RET(fcntl(fd, F_SETFD, 0), 0);
	EXPECT_RET(fcntl(fd, F_GETFD), 0);
	EXPECT_RET(fcntl(fd, F_SETFD, ~0), 0);
	EXPECT_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(d);
	close(fd);
}

TEST(fcntl, getfl_access_modes)
{
	int r = CHECK(open(tmp_path("f"), O_RDONLY | O_CREAT, 0600));
	int w = CHECK(open(tmp_path("f"), O_WRONLY | O_APPEND));
	int rw = CHECK(open(tmp_path("f"), O_RDWR | O_NONBLOCK));

	EXPECT_EQ(fcntl(r, F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_EQ(fcntl(w, F_GETFL) & O_ACCMODE, O_WRONLY);
	EXPECT_EQ(fcntl(rw, F_GETFL) & O_ACCMODE, O_RDWR);
	EXPECT_TRUE(fcntl(w, F_GETFL) & O_APPEND);
	EXPECT_TRUE(fcntl(rw, F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(!(fcntl(r, F_GETFL) & (O_APPEND | O_NONBLOCK)));
	EXPECT_TRUE(!(fcntl(r, F_GETFL) & (O_CREAT | O_CLOEXEC)));
	close(r);
	close(w);
	close(rw);
}

TEST(fcntl, setfl_changes_status_flags_only)
{
	int fd = CHECK(open(tmp_path("f"), O_RDONLY | O_CREAT, 0600));
	int d = CHECK(dup(fd));
	char c;

	EXPECT_RET(fcntl(fd, F_SETFL, O_RDWR | O_APPEND | O_NONBLOCK), 0);
	EXPECT_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_APPEND);
	EXPECT_TRUE(fcntl(d, F_GETFL) & O_NONBLOCK);
	EXPECT_ERRNO(write(fd, "x", 1), EBADF);
	EXPECT_RET(fcntl(d, F_SETFL, 0), 0);
	EXPECT_TRUE(!(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK)));
	EXPECT_RET(read(fd, &c, 1), 0);
	close(d);
	close(fd);
}

TEST(fcntl, nonblock_on_pipe)
{
	int p[2];
	char c;

	CHECK(pipe(p));
	EXPECT_RET(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	EXPECT_ERRNO(read(p[0], &c, 1), EAGAIN);
	EXPECT_TRUE(!(fcntl(p[1], F_GETFL) & O_NONBLOCK));
	EXPECT_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	close(p[0]);
	close(p[1]);
}

TEST(fcntl, errors)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));

	EXPECT_ERRNO(fcntl(-1, F_GETFD), EBADF);
	EXPECT_ERRNO(fcntl(-1, F_GETFL), EBADF);
	EXPECT_ERRNO(fcntl(-1, F_SETFD, 0), EBADF);
	EXPECT_ERRNO(fcntl(fd, 9999), EINVAL);
	close(fd);
	EXPECT_ERRNO(fcntl(fd, F_GETFD), EBADF);
}
