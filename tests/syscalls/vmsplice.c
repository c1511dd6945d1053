// SPDX-License-Identifier: MIT
/*
 * vmsplice(2): user memory into a pipe (several segments), a pipe into user
 * memory from its read end, at most a pipe's worth per call, SPLICE_F_NONBLOCK
 * on a full or empty pipe (EAGAIN), end of input (0), no reader (EPIPE), and
 * the errors: not a pipe (EBADF), unknown flags or too many segments
 * (EINVAL), a bad iovec (EFAULT).
 */
#include <signal.h>
#include <sys/uio.h>
#include "harness.h"

static long vmsplice_(int fd, const struct iovec *iov, unsigned long n, unsigned flags)
{
	return syscall(SYS_vmsplice, fd, iov, n, flags);
}

TEST(vmsplice, into_and_out_of_a_pipe)
{
	char a[] = "hello ", b[] = "world", got[32] = { 0 }, x[3], y[10];
	struct iovec in[2] = { { a, 6 }, { b, 5 } }, out[2] = { { x, 3 }, { y, 10 } };
	int p[2];

	CHECK(pipe(p));
	EXPECT_RET(vmsplice_(p[1], in, 2, 0), 11);
	EXPECT_RET(read(p[0], got, sizeof(got)), 11);
	EXPECT_STREQ(got, "hello world");
	CHECK(write(p[1], "abcdef", 6));
	EXPECT_RET(vmsplice_(p[0], out, 2, SPLICE_F_GIFT), 6);
	EXPECT_MEMEQ(x, "abc", 3);
	EXPECT_MEMEQ(y, "def", 3);
	EXPECT_RET(vmsplice_(p[1], in, 0, 0), 0);
	/* empty, nonblocking: EAGAIN; no writer left: 0 */
	EXPECT_ERRNO(vmsplice_(p[0], out, 2, SPLICE_F_NONBLOCK), EAGAIN);
	close(p[1]);
	EXPECT_RET(vmsplice_(p[0], out, 2, 0), 0);
	close(p[0]);
}

TEST(vmsplice, full_pipe_and_no_reader)
{
	static char big[256 * 1024];
	struct iovec iov = { big, sizeof(big) };
	int p[2], size;
	long n;

	CHECK(pipe(p));
	size = CHECK(fcntl(p[1], F_GETPIPE_SZ));
	n = vmsplice_(p[1], &iov, 1, 0);	/* room for one pipe's worth at most */
	EXPECT_TRUE(n > 0 && n <= size);
	while (vmsplice_(p[1], &iov, 1, SPLICE_F_NONBLOCK) > 0)
		;
	EXPECT_ERRNO(vmsplice_(p[1], &iov, 1, SPLICE_F_NONBLOCK), EAGAIN);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	EXPECT_ERRNO(vmsplice_(p[1], &iov, 1, 0), EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

TEST(vmsplice, errors)
{
	char c = 'x';
	struct iovec iov = { &c, 1 };
	int p[2], fd = CHECK(open("/dev/null", O_WRONLY));

	CHECK(pipe(p));
	EXPECT_ERRNO(vmsplice_(fd, &iov, 1, 0), EBADF);
	EXPECT_ERRNO(vmsplice_(1000, &iov, 1, 0), EBADF);
	EXPECT_ERRNO(vmsplice_(p[1], &iov, 1, 0x10), EINVAL);
	EXPECT_ERRNO(vmsplice_(p[1], &iov, 1025, 0), EINVAL);
	EXPECT_ERRNO(vmsplice_(p[1], (struct iovec *)8, 1, 0), EFAULT);
	iov.iov_base = (void *)8;
	EXPECT_ERRNO(vmsplice_(p[1], &iov, 1, 0), EFAULT);
	close(fd);
	close(p[0]);
	close(p[1]);
}
