// SPDX-License-Identifier: MIT
/*
 * write(2): writes land at the file offset and extend the file, O_APPEND
 * always writes at the end, a zero count returns 0 and changes nothing,
 * /dev/null swallows everything; EBADF for bad, closed and read-only
 * descriptors, EPIPE (with SIGPIPE ignored) for a pipe without readers,
 * EAGAIN once a non-blocking pipe is full.
 */
#include <signal.h>

#include "harness.h"

TEST(write, extends_file_at_offset)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	struct stat st;
	char buf[16] = { 0 };

	EXPECT_RET(write(fd, "abcdef", 6), 6);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 6);
	CHECK(lseek(fd, 2, SEEK_SET));
	EXPECT_RET(write(fd, "XY", 2), 2);
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 6);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 6);
	EXPECT_STREQ(buf, "abXYef");
	close(fd);
}

TEST(write, o_append_writes_at_end)
{
	const char *path = tmp_path("f");
	int fd = CHECK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	int afd;
	char buf[16] = { 0 };

	CHECK(write(fd, "12345", 5));
	afd = CHECK(open(path, O_WRONLY | O_APPEND));
	CHECK(lseek(afd, 0, SEEK_SET));
	EXPECT_RET(write(afd, "ab", 2), 2);
	EXPECT_RET(lseek(afd, 0, SEEK_CUR), 7);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 7);
	EXPECT_STREQ(buf, "12345ab");
	close(afd);
	close(fd);
}

TEST(write, zero_count_returns_zero)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	struct stat st;

	EXPECT_RET(write(fd, "x", 0), 0);
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

TEST(write, dev_null_accepts_everything)
{
	int fd = CHECK(open("/dev/null", O_WRONLY));
	char buf[8192] = { 1 };

	EXPECT_RET(write(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
}

TEST(write, bad_fds)
{
	int fd = CHECK(open("/dev/null", O_WRONLY));

	CHECK(close(fd));
	EXPECT_ERRNO(write(-1, "x", 1), EBADF);
	EXPECT_ERRNO(write(fd, "x", 1), EBADF);
	EXPECT_ERRNO(write(100000, "x", 1), EBADF);
}

TEST(write, read_only_fd_is_ebadf)
{
	int fd = CHECK(open(tmp_path("f"), O_RDONLY | O_CREAT, 0600));

	EXPECT_ERRNO(write(fd, "x", 1), EBADF);
	close(fd);
}

TEST(write, pipe_without_reader_is_epipe)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int p[2];

	CHECK(sigaction(SIGPIPE, &ign, &old));
	CHECK(pipe(p));
	CHECK(close(p[0]));
	EXPECT_ERRNO(write(p[1], "x", 1), EPIPE);
	close(p[1]);
	CHECK(sigaction(SIGPIPE, &old, NULL));
}

TEST(write, sigpipe_default_kills_writer)
{
	int p[2];
	pid_t pid;

	CHECK(pipe(p));
	CHECK(close(p[0]));
	pid = CHECK(fork());
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		_exit(write(p[1], "x", 1) == -1 ? 1 : 2);
	}
	close(p[1]);
	EXPECT_SIGNALED(wait_status(pid), SIGPIPE);
}

TEST(write, full_nonblocking_pipe_is_eagain)
{
	char buf[4096] = { 0 };
	long total = 0, n;
	int p[2];

	CHECK(pipe2(p, O_NONBLOCK));
	while ((n = write(p[1], buf, sizeof(buf))) > 0)
		total += n;
	EXPECT_ERRNO(write(p[1], buf, sizeof(buf)), EAGAIN);
	EXPECT_TRUE(total >= 4096);
	EXPECT_RET(read(p[0], buf, sizeof(buf)), sizeof(buf));
	close(p[0]);
	close(p[1]);
}
