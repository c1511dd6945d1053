// SPDX-License-Identifier: MIT
/*
 * lseek(2): SEEK_SET, SEEK_CUR and SEEK_END return the new offset, seeking
 * past EOF is allowed and a write there leaves a zero-filled gap, dup'ed
 * descriptors share the offset; ESPIPE on a pipe, EINVAL for a negative
 * result or an unknown whence, EBADF for a bad descriptor.
 */
#include "harness.h"

static int file_with(const char *data)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));

	CHECK(write(fd, data, strlen(data)));
	return fd;
}

TEST(lseek, whence_values)
{
	int fd = file_with("0123456789");
	char c;

	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 10);
	EXPECT_RET(lseek(fd, 3, SEEK_SET), 3);
	EXPECT_RET(read(fd, &c, 1), 1);
	EXPECT_EQ(c, '3');
	EXPECT_RET(lseek(fd, 2, SEEK_CUR), 6);
	EXPECT_RET(lseek(fd, -1, SEEK_CUR), 5);
	EXPECT_RET(lseek(fd, -2, SEEK_END), 8);
	EXPECT_RET(read(fd, &c, 1), 1);
	EXPECT_EQ(c, '8');
	EXPECT_RET(lseek(fd, 0, SEEK_END), 10);
	close(fd);
}

TEST(lseek, past_eof_then_write_leaves_gap)
{
	int fd = file_with("ab");
	char buf[6], want[6] = { 'a', 'b', 0, 0, 0, 'z' };
	struct stat st;

	EXPECT_RET(lseek(fd, 100, SEEK_SET), 100);
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 2);
	EXPECT_RET(lseek(fd, 5, SEEK_SET), 5);
	EXPECT_RET(write(fd, "z", 1), 1);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 6);
	EXPECT_MEMEQ(buf, want, 6);
	close(fd);
}

TEST(lseek, dup_shares_offset)
{
	int fd = file_with("abcdef");
	int d = CHECK(dup(fd));

	EXPECT_RET(lseek(fd, 4, SEEK_SET), 4);
	EXPECT_RET(lseek(d, 0, SEEK_CUR), 4);
	close(d);
	close(fd);
}

TEST(lseek, separate_opens_have_own_offsets)
{
	int fd = file_with("abcdef");
	int other = CHECK(open(tmp_path("f"), O_RDONLY));

	EXPECT_RET(lseek(fd, 4, SEEK_SET), 4);
	EXPECT_RET(lseek(other, 0, SEEK_CUR), 0);
	close(other);
	close(fd);
}

TEST(lseek, pipe_is_espipe)
{
	int p[2];

	CHECK(pipe(p));
	EXPECT_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
	EXPECT_ERRNO(lseek(p[1], 0, SEEK_CUR), ESPIPE);
	close(p[0]);
	close(p[1]);
}

TEST(lseek, negative_result_is_einval)
{
	int fd = file_with("abc");

	EXPECT_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
	EXPECT_ERRNO(lseek(fd, -4, SEEK_END), EINVAL);
	CHECK(lseek(fd, 1, SEEK_SET));
	EXPECT_ERRNO(lseek(fd, -2, SEEK_CUR), EINVAL);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 1);
	close(fd);
}

TEST(lseek, bad_whence_is_einval)
{
	int fd = file_with("abc");

	EXPECT_ERRNO(lseek(fd, 0, 42), EINVAL);
	EXPECT_ERRNO(lseek(fd, 0, -1), EINVAL);
	close(fd);
}

TEST(lseek, bad_fd_is_ebadf)
{
	EXPECT_ERRNO(lseek(-1, 0, SEEK_SET), EBADF);
	EXPECT_ERRNO(lseek(100000, 0, SEEK_SET), EBADF);
}
