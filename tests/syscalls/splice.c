// SPDX-License-Identifier: MIT
/*
 * splice and tee: pipe to file, file to pipe, pipe to pipe, offsets,
 * SPLICE_F_NONBLOCK, the error cases, and wake-ups: a writer blocked on a
 * full pipe while another process splices from it, a reader blocked on a
 * pipe that a splice fills.
 */
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include "harness.h"

#define BIG 200000

static int make_file(const char *content)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));

	if (content)
		CHECK(write(fd, content, strlen(content)));
	CHECK(lseek(fd, 0, SEEK_SET));
	return fd;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + i / 251);
}

TEST(splice, pipe_to_file_with_blocked_writer)
{
	static uint8_t buf[BIG];
	int p[2], fd = make_file(NULL);
	size_t total = 0;
	pid_t pid;
	ssize_t n;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[0]);
		for (size_t i = 0; i < BIG; i++)
			buf[i] = pattern(i);
		/* more than the pipe holds: blocks until the splicer drains it */
		_exit(write(p[1], buf, BIG) == BIG ? 0 : 1);
	}
	close(p[1]);
	while ((n = splice(p[0], NULL, fd, NULL, 65536, 0)) > 0)
		total += n;
	EXPECT_EQ(n, 0);
	EXPECT_EQ(total, BIG);
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), BIG);
	EXPECT_RET(pread(fd, buf, BIG, 0), BIG);
	for (size_t i = 0; i < BIG; i++)
		if (buf[i] != pattern(i)) {
			EXPECT_EQ(buf[i], pattern(i));
			break;
		}
	close(p[0]);
	close(fd);
}

/* A splice into a pipe wakes a reader blocked on it in another process. */
TEST(splice, file_to_pipe_wakes_reader)
{
	int p[2], fd = make_file("wake up");
	struct timespec nap = { 0, 30 * 1000 * 1000 };
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		char got[16] = { 0 };

		close(p[1]);
		_exit(read(p[0], got, sizeof(got)) == 7 && !memcmp(got, "wake up", 7) ? 0 : 1);
	}
	close(p[0]);
	nanosleep(&nap, NULL);
	EXPECT_RET(splice(fd, NULL, p[1], NULL, 100, 0), 7);
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[1]);
	close(fd);
}

/* A splice blocked on an empty pipe wakes when another process writes. */
TEST(splice, blocked_splice_wakes_on_write)
{
	int p[2], fd = make_file(NULL);
	struct timespec nap = { 0, 30 * 1000 * 1000 };
	char got[8] = { 0 };
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[0]);
		nanosleep(&nap, NULL);
		_exit(write(p[1], "late", 4) == 4 ? 0 : 1);
	}
	close(p[1]);
	EXPECT_RET(splice(p[0], NULL, fd, NULL, 100, 0), 4);
	EXPECT_RET(pread(fd, got, sizeof(got), 0), 4);
	EXPECT_STREQ(got, "late");
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[0]);
	close(fd);
}

TEST(splice, file_offsets)
{
	int p[2], fd = make_file("0123456789");
	loff_t off = 3;
	char got[16] = { 0 };

	CHECK(pipe(p));
	/* with an offset: read from there, the offset moves, the file position does not */
	EXPECT_RET(splice(fd, &off, p[1], NULL, 4, 0), 4);
	EXPECT_EQ(off, 7);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	EXPECT_RET(read(p[0], got, sizeof(got)), 4);
	EXPECT_STREQ(got, "3456");
	/* without: the file position is used and advanced */
	EXPECT_RET(splice(fd, NULL, p[1], NULL, 2, 0), 2);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
	/* into a file at an offset */
	off = 8;
	EXPECT_RET(splice(p[0], NULL, fd, &off, 10, 0), 2);
	EXPECT_EQ(off, 10);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 2);
	memset(got, 0, sizeof(got));
	EXPECT_RET(pread(fd, got, sizeof(got), 0), 10);
	EXPECT_STREQ(got, "0123456701");
	/* at the end of the file: 0 */
	off = 10;
	EXPECT_RET(splice(fd, &off, p[1], NULL, 4, 0), 0);
	close(p[0]);
	close(p[1]);
	close(fd);
}

TEST(splice, pipe_to_pipe)
{
	int a[2], b[2];
	char got[16] = { 0 };

	CHECK(pipe(a));
	CHECK(pipe(b));
	CHECK(write(a[1], "hello", 5));
	EXPECT_RET(splice(a[0], NULL, b[1], NULL, 3, 0), 3);
	EXPECT_RET(splice(a[0], NULL, b[1], NULL, 100, SPLICE_F_MOVE | SPLICE_F_MORE), 2);
	EXPECT_RET(read(b[0], got, sizeof(got)), 5);
	EXPECT_STREQ(got, "hello");
	/* empty input, writer still open */
	EXPECT_ERRNO(splice(a[0], NULL, b[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	close(a[1]);
	EXPECT_RET(splice(a[0], NULL, b[1], NULL, 10, 0), 0);
	close(a[0]);
	close(b[0]);
	close(b[1]);
}

TEST(splice, nonblock)
{
	static char fill[65536];
	int p[2], fd = make_file("data");

	CHECK(pipe(p));
	EXPECT_ERRNO(splice(p[0], NULL, fd, NULL, 10, SPLICE_F_NONBLOCK), EAGAIN);
	/* O_NONBLOCK on the pipe counts too */
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK));
	EXPECT_ERRNO(splice(p[0], NULL, fd, NULL, 10, 0), EAGAIN);
	CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK));
	while (write(p[1], fill, sizeof(fill)) > 0)
		;
	CHECK(fcntl(p[1], F_SETFL, 0));
	EXPECT_ERRNO(splice(fd, NULL, p[1], NULL, 4, SPLICE_F_NONBLOCK), EAGAIN);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	close(p[0]);
	close(p[1]);
	close(fd);
}

TEST(splice, errors)
{
	int p[2], q[2], fd = make_file("abc"), fd2 = make_file(NULL), afd, rdonly;
	loff_t off = 0;

	CHECK(pipe(p));
	CHECK(pipe(q));
	EXPECT_RET(splice(p[0], NULL, fd, NULL, 0, 0), 0);
	EXPECT_ERRNO(splice(p[0], NULL, fd, NULL, 1, 0x100), EINVAL);
	EXPECT_ERRNO(splice(-1, NULL, fd, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(p[0], NULL, 999, NULL, 1, 0), EBADF);
	/* the write end cannot be read, the read end cannot be written */
	EXPECT_ERRNO(splice(p[1], NULL, fd, NULL, 1, 0), EBADF);
	EXPECT_ERRNO(splice(fd, NULL, p[0], NULL, 1, 0), EBADF);
	/* no pipe on either side */
	EXPECT_ERRNO(splice(fd, NULL, fd2, NULL, 1, 0), EINVAL);
	/* a pipe takes no offset */
	EXPECT_ERRNO(splice(p[0], &off, fd, NULL, 1, 0), ESPIPE);
	EXPECT_ERRNO(splice(fd, NULL, p[1], &off, 1, 0), ESPIPE);
	EXPECT_ERRNO(splice(p[0], &off, q[1], NULL, 1, 0), ESPIPE);
	/* a pipe into itself */
	EXPECT_ERRNO(splice(p[0], NULL, p[1], NULL, 1, 0), EINVAL);
	/* a negative offset, a bad offset pointer */
	off = -1;
	EXPECT_ERRNO(splice(fd, &off, p[1], NULL, 1, 0), EINVAL);
	EXPECT_ERRNO(splice(fd, (loff_t *)8, p[1], NULL, 1, 0), EFAULT);
	/* an O_APPEND output */
	CHECK(write(p[1], "x", 1));
	afd = CHECK(open(tmp_path("f"), O_WRONLY | O_APPEND));
	EXPECT_ERRNO(splice(p[0], NULL, afd, NULL, 1, 0), EINVAL);
	/* a read-only output file */
	rdonly = CHECK(open(tmp_path("f"), O_RDONLY));
	EXPECT_ERRNO(splice(p[0], NULL, rdonly, NULL, 1, 0), EBADF);
	close(afd);
	close(rdonly);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(fd);
	close(fd2);
}

TEST(splice, no_reader_is_epipe)
{
	int p[2], fd = make_file("abc");
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	CHECK(pipe(p));
	close(p[0]);
	EXPECT_ERRNO(splice(fd, NULL, p[1], NULL, 3, 0), EPIPE);
	close(p[1]);
	close(fd);
	signal(SIGPIPE, old);
}

TEST(tee, duplicates_without_consuming)
{
	int a[2], b[2], fd = make_file(NULL);
	char got[16] = { 0 };

	CHECK(pipe(a));
	CHECK(pipe(b));
	CHECK(write(a[1], "abcdef", 6));
	EXPECT_RET(tee(a[0], b[1], 4, 0), 4);
	EXPECT_RET(read(b[0], got, sizeof(got)), 4);
	EXPECT_STREQ(got, "abcd");
	memset(got, 0, sizeof(got));
	EXPECT_RET(read(a[0], got, sizeof(got)), 6);
	EXPECT_STREQ(got, "abcdef");
	EXPECT_ERRNO(tee(a[0], b[1], 4, SPLICE_F_NONBLOCK), EAGAIN);
	EXPECT_ERRNO(tee(a[0], a[1], 4, 0), EINVAL);
	EXPECT_ERRNO(tee(a[0], fd, 4, 0), EINVAL);
	EXPECT_ERRNO(tee(a[1], b[1], 4, 0), EBADF);
	EXPECT_ERRNO(tee(a[0], b[1], 4, 0x100), EINVAL);
	close(a[1]);
	EXPECT_RET(tee(a[0], b[1], 4, 0), 0);
	close(a[0]);
	close(b[0]);
	close(b[1]);
	close(fd);
}
