// SPDX-License-Identifier: MIT
/*
 * writev(2): gathers several buffers into one write in order, honours
 * O_APPEND, returns 0 for iovcnt 0 or all-empty buffers, accepts IOV_MAX
 * entries; EINVAL for a negative iovcnt or one above IOV_MAX, EBADF for a
 * bad or read-only descriptor, EPIPE for a pipe without readers.
 */
#include <signal.h>
#include <sys/uio.h>

#include "harness.h"

/* writev() only reads these, so dropping const from a literal is safe. */
#define IOV(s)	{ (void *)(s), sizeof(s) - 1 }

TEST(writev, gathers_in_order)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	struct iovec iov[] = {
		IOV("ab"), IOV(""), IOV("cde"), IOV("f"),
	};
	char buf[16] = { 0 };

	EXPECT_RET(writev(fd, iov, 4), 6);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 6);
	EXPECT_STREQ(buf, "abcdef");
	close(fd);
}

TEST(writev, empty_writes_return_zero)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	struct iovec iov[] = { { (void *)"x", 0 }, { (void *)"y", 0 } };
	struct stat st;

	EXPECT_RET(writev(fd, iov, 0), 0);
	EXPECT_RET(writev(fd, iov, 2), 0);
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

TEST(writev, iov_max_entries)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	static struct iovec iov[1025];
	int i;

	for (i = 0; i < 1025; i++)
		iov[i] = (struct iovec)IOV("z");
	EXPECT_RET(writev(fd, iov, 1024), 1024);
	EXPECT_ERRNO(syscall(SYS_writev, fd, iov, 1025), EINVAL);
	EXPECT_ERRNO(syscall(SYS_writev, fd, iov, -1), EINVAL);
	EXPECT_RET(lseek(fd, 0, SEEK_END), 1024);
	close(fd);
}

TEST(writev, o_append)
{
	const char *path = tmp_path("f");
	int fd = CHECK(open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600));
	struct iovec iov[] = { IOV("12"), IOV("34") };
	char buf[16] = { 0 };

	CHECK(write(fd, "xx", 2));
	CHECK(lseek(fd, 0, SEEK_SET));
	EXPECT_RET(writev(fd, iov, 2), 4);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 6);
	EXPECT_STREQ(buf, "xx1234");
	close(fd);
}

TEST(writev, bad_fds)
{
	int fd = CHECK(open(tmp_path("f"), O_RDONLY | O_CREAT, 0600));
	struct iovec iov = IOV("x");

	EXPECT_ERRNO(writev(-1, &iov, 1), EBADF);
	EXPECT_ERRNO(writev(fd, &iov, 1), EBADF);
	close(fd);
	EXPECT_ERRNO(writev(fd, &iov, 1), EBADF);
}

TEST(writev, pipe_without_reader_is_epipe)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct iovec iov = IOV("x");
	int p[2];

	CHECK(sigaction(SIGPIPE, &ign, &old));
	CHECK(pipe(p));
	close(p[0]);
	EXPECT_ERRNO(writev(p[1], &iov, 1), EPIPE);
	close(p[1]);
	CHECK(sigaction(SIGPIPE, &old, NULL));
}
