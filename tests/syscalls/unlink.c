// SPDX-License-Identifier: MIT
/*
 * unlink(2) and unlinkat(2): the name goes away but an open descriptor keeps
 * the data readable, a symlink is removed rather than its target, a hard
 * link keeps the file alive; EISDIR for a directory, ENOENT, ENOTDIR,
 * EBADF for a bad dirfd, EINVAL for unknown unlinkat flags, ENOTDIR for
 * AT_REMOVEDIR on a file.
 */
#include "harness.h"

TEST(unlink, open_fd_survives)
{
	const char *path = tmp_path("f");
	int fd = CHECK(open(path, O_RDWR | O_CREAT, 0600));
	char buf[8] = { 0 };
	struct stat st;

	CHECK(write(fd, "data", 4));
	EXPECT_RET(unlink(path), 0);
	EXPECT_ERRNO(stat(path, &st), ENOENT);
	EXPECT_ERRNO(unlink(path), ENOENT);
	EXPECT_RET(pread(fd, buf, sizeof(buf), 0), 4);
	EXPECT_STREQ(buf, "data");
	EXPECT_RET(write(fd, "more", 4), 4);
	close(fd);
	fd = CHECK(open(path, O_RDWR | O_CREAT | O_EXCL, 0600));
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

TEST(unlink, symlink_not_target)
{
	struct stat st;

	close(CHECK(open(tmp_path("t"), O_RDWR | O_CREAT, 0600)));
	CHECK(symlink(tmp_path("t"), tmp_path("l")));
	EXPECT_RET(unlink(tmp_path("l")), 0);
	EXPECT_ERRNO(lstat(tmp_path("l"), &st), ENOENT);
	EXPECT_RET(stat(tmp_path("t"), &st), 0);
}

TEST(unlink, hard_link_keeps_file)
{
	struct stat st;
	char buf[4] = { 0 };
	int fd;

	fd = CHECK(open(tmp_path("a"), O_RDWR | O_CREAT, 0600));
	CHECK(write(fd, "abc", 3));
	close(fd);
	CHECK(link(tmp_path("a"), tmp_path("b")));
	EXPECT_RET(unlink(tmp_path("a")), 0);
	CHECK(stat(tmp_path("b"), &st));
	EXPECT_EQ(st.st_nlink, 1);
	fd = CHECK(open(tmp_path("b"), O_RDONLY));
	EXPECT_RET(read(fd, buf, 3), 3);
	EXPECT_STREQ(buf, "abc");
	close(fd);
}

TEST(unlink, errors)
{
	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(unlink(tmp_path("d")), EISDIR);
	EXPECT_ERRNO(unlink(tmp_path("missing")), ENOENT);
	EXPECT_ERRNO(unlink(tmp_path("missing/x")), ENOENT);
	EXPECT_ERRNO(unlink(tmp_path("f/x")), ENOTDIR);
	EXPECT_ERRNO(unlink(""), ENOENT);
}

TEST(unlinkat, relative_and_errors)
{
	int dfd, fd;

	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_ERRNO(unlinkat(dfd, "f", 0x1), EINVAL);
	EXPECT_ERRNO(unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR);
	EXPECT_ERRNO(unlinkat(-1, "f", 0), EBADF);
	EXPECT_RET(unlinkat(dfd, "f", 0), 0);
	EXPECT_ERRNO(unlinkat(dfd, "f", 0), ENOENT);
	fd = CHECK(open(tmp_path("g"), O_RDWR | O_CREAT, 0600));
	EXPECT_ERRNO(unlinkat(fd, "x", 0), ENOTDIR);
	close(fd);
	close(dfd);
}
