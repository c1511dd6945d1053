// SPDX-License-Identifier: MIT
/*
 * dup(2) and dup2(2): dup returns the lowest free descriptor, the copies
 * share the offset and status flags but not FD_CLOEXEC, dup2 onto an open
 * descriptor closes it first, dup2 of a descriptor onto itself returns it
 * unchanged; EBADF for a bad source, and for dup2 a bad source or a target
 * beyond the limit; EMFILE once RLIMIT_NOFILE is exhausted (in a child).
 */
#include <sys/resource.h>

#include "harness.h"

/* The lowest descriptor number not in use. */
static int lowest_free(void)
{
	int fd = 0;

	while (fcntl(fd, F_GETFD) != -1)
		fd++;
	return fd;
}

TEST(dup, lowest_free_and_shared_offset)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int d, want;

	want = lowest_free();
	d = CHECK(dup(fd));
	EXPECT_EQ(d, want);
	EXPECT_TRUE(d != fd);
	CHECK(write(fd, "abc", 3));
	EXPECT_RET(lseek(d, 0, SEEK_CUR), 3);
	CHECK(lseek(d, 1, SEEK_SET));
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 1);
	close(d);
	close(fd);
}

TEST(dup, shares_status_flags_not_cloexec)
{
	int fd = CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int d = CHECK(dup(fd));

	EXPECT_RET(fcntl(d, F_GETFD), 0);
	EXPECT_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK(fcntl(fd, F_SETFL, O_NONBLOCK));
	EXPECT_TRUE(fcntl(d, F_GETFL) & O_NONBLOCK);
	close(d);
	close(fd);
}

TEST(dup, bad_fd)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));

	close(fd);
	EXPECT_ERRNO(dup(-1), EBADF);
	EXPECT_ERRNO(dup(fd), EBADF);
	EXPECT_ERRNO(dup(100000), EBADF);
}

TEST(dup2, replaces_target)
{
	int a = CHECK(open(tmp_path("a"), O_RDWR | O_CREAT, 0600));
	int b = CHECK(open(tmp_path("b"), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
	struct stat sa, sb;

	EXPECT_RET(dup2(a, b), b);
	CHECK(fstat(a, &sa));
	CHECK(fstat(b, &sb));
	EXPECT_EQ(sa.st_ino, sb.st_ino);
	EXPECT_RET(fcntl(b, F_GETFD), 0);
	EXPECT_RET(dup2(a, 200), 200);
	CHECK(fstat(200, &sb));
	EXPECT_EQ(sb.st_ino, sa.st_ino);
	close(200);
	close(b);
	close(a);
}

TEST(dup2, same_fd_is_noop)
{
	int fd = CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC));

	EXPECT_RET(dup2(fd, fd), fd);
	EXPECT_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
	EXPECT_ERRNO(dup2(fd, fd), EBADF);
}

TEST(dup2, errors)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	struct rlimit rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_ERRNO(dup2(-1, fd), EBADF);
	EXPECT_ERRNO(dup2(fd, -1), EBADF);
	EXPECT_ERRNO(dup2(fd, (int)rl.rlim_cur), EBADF);
	EXPECT_ERRNO(dup2(fd, INT_MAX), EBADF);
	close(fd);
}

TEST(dup, emfile_at_limit)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		int src = open("/dev/null", O_RDONLY);
		struct rlimit rl;
		int fd;

		if (src < 0 || src >= 16 || getrlimit(RLIMIT_NOFILE, &rl))
			_exit(10);
		rl.rlim_cur = 16;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(11);
		while ((fd = dup(src)) >= 0) {
			if (fd >= 16)
				_exit(12);
		}
		if (errno != EMFILE)
			_exit(13);
		_exit(lowest_free() == 16 ? 0 : 14);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}
