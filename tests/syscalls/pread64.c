// SPDX-License-Identifier: MIT
/*
 * pread64(2) and pwrite64(2): positional I/O that leaves the file offset
 * alone, reads 0 at or past EOF, and extends the file with a zero-filled
 * hole when writing past the end; ESPIPE on a pipe, EINVAL for a negative
 * offset, EBADF for bad and wrong-mode descriptors, EISDIR for a directory.
 */
#include "harness.h"

static int file_with(const char *data)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));

	CHECK(write(fd, data, strlen(data)));
	return fd;
}

TEST(pread64, reads_at_offset_without_moving)
{
	int fd = file_with("0123456789");
	char buf[8] = { 0 };

	CHECK(lseek(fd, 1, SEEK_SET));
	EXPECT_RET(pread(fd, buf, 3, 4), 3);
	EXPECT_MEMEQ(buf, "456", 3);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 1);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 8), 2);
	EXPECT_MEMEQ(buf, "89", 2);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 10), 0);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 1000), 0);
	close(fd);
}

TEST(pwrite64, writes_at_offset_without_moving)
{
	int fd = file_with("0123456789");
	char buf[16] = { 0 };

	CHECK(lseek(fd, 2, SEEK_SET));
	EXPECT_RET(pwrite(fd, "ab", 2, 5), 2);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 2);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 10);
	EXPECT_STREQ(buf, "01234ab789");
	close(fd);
}

TEST(pwrite64, past_eof_leaves_zero_hole)
{
	int fd = file_with("ab");
	char buf[8], want[8] = { 'a', 'b', 0, 0, 0, 0, 'c', 'd' };
	struct stat st;

	EXPECT_RET(pwrite(fd, "cd", 2, 6), 2);
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 8);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 8);
	EXPECT_MEMEQ(buf, want, 8);
	close(fd);
}

TEST(pread64, pipe_is_espipe)
{
	int p[2];
	char buf[4];

	CHECK(pipe(p));
	CHECK(write(p[1], "x", 1));
	EXPECT_ERRNO(pread(p[0], buf, 1, 0), ESPIPE);
	EXPECT_ERRNO(pwrite(p[1], "x", 1, 0), ESPIPE);
	close(p[0]);
	close(p[1]);
}

TEST(pread64, negative_offset_is_einval)
{
	int fd = file_with("abc");
	char buf[4];

	EXPECT_ERRNO(pread(fd, buf, 1, -1), EINVAL);
	EXPECT_ERRNO(pwrite(fd, "x", 1, -1), EINVAL);
	close(fd);
}

TEST(pread64, bad_fds)
{
	int rd = CHECK(open(tmp_path("r"), O_RDONLY | O_CREAT, 0600));
	int wr = CHECK(open(tmp_path("w"), O_WRONLY | O_CREAT, 0600));
	char buf[4];

	EXPECT_ERRNO(pread(-1, buf, 1, 0), EBADF);
	EXPECT_ERRNO(pwrite(-1, "x", 1, 0), EBADF);
	EXPECT_ERRNO(pread(wr, buf, 1, 0), EBADF);
	EXPECT_ERRNO(pwrite(rd, "x", 1, 0), EBADF);
	close(rd);
	close(wr);
}

TEST(pread64, directory_is_eisdir)
{
	int fd = CHECK(open("/tmp", O_RDONLY | O_DIRECTORY));
	char buf[4];

	EXPECT_ERRNO(pread(fd, buf, sizeof(buf), 0), EISDIR);
	close(fd);
}
