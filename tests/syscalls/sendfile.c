// SPDX-License-Identifier: MIT
/*
 * sendfile(2): from a file into a pipe and into another file; with an
 * offset pointer (which advances, leaving the file position alone) and
 * without (the file position advances); a count past EOF; errors EBADF
 * (bad fds, write-only input) and EINVAL (negative offset).
 */
#include <sys/sendfile.h>
#include "harness.h"

static int make_file(const char *name, const char *text)
{
	int fd = CHECK(open(tmp_path(name), O_RDWR | O_CREAT | O_TRUNC, 0600));

	CHECK(write(fd, text, strlen(text)));
	CHECK(lseek(fd, 0, SEEK_SET));
	return fd;
}

TEST(sendfile, file_to_pipe_advances_position)
{
	int in = make_file("src", "hello world"), p[2];
	char buf[32] = { 0 };

	CHECK(pipe(p));
	EXPECT_RET(sendfile(p[1], in, NULL, 5), 5);
	EXPECT_RET(lseek(in, 0, SEEK_CUR), 5);
	EXPECT_RET(read(p[0], buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "hello");
	close(in);
	close(p[0]);
	close(p[1]);
}

TEST(sendfile, offset_pointer_leaves_position)
{
	int in = make_file("src2", "0123456789"), out = CHECK(open(tmp_path("dst2"), O_RDWR | O_CREAT, 0600));
	off_t off = 4;
	char buf[16] = { 0 };

	EXPECT_RET(sendfile(out, in, &off, 100), 6);
	EXPECT_EQ(off, 10);
	EXPECT_RET(lseek(in, 0, SEEK_CUR), 0);
	EXPECT_RET(pread(out, buf, sizeof(buf), 0), 6);
	EXPECT_STREQ(buf, "456789");
	EXPECT_RET(sendfile(out, in, &off, 100), 0);
	close(in);
	close(out);
}

TEST(sendfile, errors)
{
	int in = make_file("src3", "abc"), wo = CHECK(open(tmp_path("wo"), O_WRONLY | O_CREAT, 0600));
	int nul = CHECK(open("/dev/null", O_WRONLY));
	off_t neg = -1;

	EXPECT_ERRNO(sendfile(nul, 999, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(999, in, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(nul, wo, NULL, 1), EBADF);
	EXPECT_ERRNO(sendfile(nul, in, &neg, 1), EINVAL);
	EXPECT_RET(sendfile(nul, in, NULL, 3), 3);
	close(in);
	close(wo);
	close(nul);
}
