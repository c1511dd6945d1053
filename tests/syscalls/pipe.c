// SPDX-License-Identifier: MIT
/*
 * pipe(2) and pipe2(2): two fresh descriptors, read end O_RDONLY and write
 * end O_WRONLY; data arrives in order across a fork; pipe2 applies
 * O_CLOEXEC and O_NONBLOCK to both ends; reading an empty pipe with
 * O_NONBLOCK is EAGAIN, with no writers left it is EOF; writing with no
 * readers is EPIPE (SIGPIPE ignored); EINVAL for unknown pipe2 flags; the
 * wrong end gives EBADF.
 */
#include <signal.h>

#include "harness.h"

TEST(pipe, ends_and_modes)
{
	int p[2] = { -1, -1 };
	char c;

	EXPECT_RET(pipe(p), 0);
	EXPECT_TRUE(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
	EXPECT_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	EXPECT_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	EXPECT_RET(fcntl(p[0], F_GETFD), 0);
	EXPECT_ERRNO(write(p[0], "x", 1), EBADF);
	EXPECT_ERRNO(read(p[1], &c, 1), EBADF);
	close(p[0]);
	close(p[1]);
}

TEST(pipe, data_in_order_across_fork)
{
	char buf[64] = { 0 }, *q = buf;
	int p[2];
	pid_t pid;
	long n;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[0]);
		if (write(p[1], "one,", 4) != 4 || write(p[1], "two,", 4) != 4 ||
		    write(p[1], "three", 5) != 5)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while ((n = CHECK(read(p[0], q, buf + sizeof(buf) - 1 - q))) > 0)
		q += n;
	EXPECT_STREQ(buf, "one,two,three");
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[0]);
}

TEST(pipe2, flags)
{
	int p[2];
	char c;

	EXPECT_RET(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	EXPECT_RET(fcntl(p[0], F_GETFD), FD_CLOEXEC);
	EXPECT_RET(fcntl(p[1], F_GETFD), FD_CLOEXEC);
	EXPECT_TRUE(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	EXPECT_TRUE(fcntl(p[1], F_GETFL) & O_NONBLOCK);
	EXPECT_ERRNO(read(p[0], &c, 1), EAGAIN);
	close(p[0]);
	close(p[1]);
	EXPECT_RET(pipe2(p, 0), 0);
	EXPECT_RET(fcntl(p[0], F_GETFD), 0);
	EXPECT_TRUE(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
	close(p[0]);
	close(p[1]);
}

TEST(pipe2, bad_flags_is_einval)
{
	int p[2];

	EXPECT_ERRNO(pipe2(p, O_APPEND), EINVAL);
	EXPECT_ERRNO(pipe2(p, O_RDWR), EINVAL);
	EXPECT_ERRNO(pipe2(p, -1), EINVAL);
}

TEST(pipe, eof_and_epipe)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int p[2];
	char c;

	CHECK(pipe(p));
	CHECK(write(p[1], "z", 1));
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 1);
	EXPECT_EQ(c, 'z');
	EXPECT_RET(read(p[0], &c, 1), 0);
	close(p[0]);
	CHECK(pipe(p));
	close(p[0]);
	CHECK(sigaction(SIGPIPE, &ign, &old));
	EXPECT_ERRNO(write(p[1], "z", 1), EPIPE);
	CHECK(sigaction(SIGPIPE, &old, NULL));
	close(p[1]);
}

TEST(pipe, partial_read_keeps_rest)
{
	char buf[8] = { 0 };
	int p[2];

	CHECK(pipe(p));
	CHECK(write(p[1], "abcdef", 6));
	EXPECT_RET(read(p[0], buf, 2), 2);
	EXPECT_STREQ(buf, "ab");
	EXPECT_RET(read(p[0], buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "cdef", 4);
	close(p[0]);
	close(p[1]);
}
