// SPDX-License-Identifier: MIT
/*
 * link(2) and linkat(2): a hard link shares the inode and data and raises
 * st_nlink, link does not follow a symlink source but linkat with
 * AT_SYMLINK_FOLLOW does, AT_EMPTY_PATH links an open descriptor; EEXIST,
 * EPERM for a directory, ENOENT, ENOTDIR, EBADF, EINVAL for unknown flags.
 */
#include "harness.h"

TEST(link, shares_inode)
{
	struct stat a, b;
	char buf[4] = { 0 };
	int fd;

	fd = CHECK(open(tmp_path("a"), O_RDWR | O_CREAT, 0600));
	EXPECT_RET(link(tmp_path("a"), tmp_path("b")), 0);
	CHECK(write(fd, "xyz", 3));
	close(fd);
	CHECK(stat(tmp_path("a"), &a));
	CHECK(stat(tmp_path("b"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_nlink, 2);
	fd = CHECK(open(tmp_path("b"), O_RDONLY));
	EXPECT_RET(read(fd, buf, 3), 3);
	EXPECT_STREQ(buf, "xyz");
	close(fd);
	CHECK(unlink(tmp_path("a")));
	CHECK(stat(tmp_path("b"), &b));
	EXPECT_EQ(b.st_nlink, 1);
}

TEST(link, symlink_source)
{
	struct stat t, l, s;

	close(CHECK(open(tmp_path("t"), O_RDWR | O_CREAT, 0600)));
	CHECK(symlink(tmp_path("t"), tmp_path("s")));
	EXPECT_RET(link(tmp_path("s"), tmp_path("nofollow")), 0);
	CHECK(lstat(tmp_path("nofollow"), &l));
	CHECK(lstat(tmp_path("s"), &s));
	EXPECT_TRUE(S_ISLNK(l.st_mode));
	EXPECT_EQ(l.st_ino, s.st_ino);
	EXPECT_RET(linkat(AT_FDCWD, tmp_path("s"), AT_FDCWD, tmp_path("follow"),
			  AT_SYMLINK_FOLLOW), 0);
	CHECK(lstat(tmp_path("follow"), &l));
	CHECK(stat(tmp_path("t"), &t));
	EXPECT_TRUE(S_ISREG(l.st_mode));
	EXPECT_EQ(l.st_ino, t.st_ino);
}

TEST(link, errors)
{
	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)));
	close(CHECK(open(tmp_path("g"), O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(link(tmp_path("f"), tmp_path("g")), EEXIST);
	EXPECT_ERRNO(link(tmp_path("f"), tmp_path("d")), EEXIST);
	EXPECT_ERRNO(link(tmp_path("d"), tmp_path("d2")), EPERM);
	EXPECT_ERRNO(link(tmp_path("missing"), tmp_path("x")), ENOENT);
	EXPECT_ERRNO(link(tmp_path("f"), tmp_path("missing/x")), ENOENT);
	EXPECT_ERRNO(link(tmp_path("f/x"), tmp_path("x")), ENOTDIR);
	EXPECT_ERRNO(link(tmp_path("f"), tmp_path("f/x")), ENOTDIR);
}

TEST(linkat, dirfds_and_flags)
{
	struct stat st;
	int dfd, fd;

	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_RET(linkat(dfd, "f", dfd, "g", 0), 0);
	CHECK(stat(tmp_path("d/g"), &st));
	EXPECT_EQ(st.st_nlink, 2);
	EXPECT_ERRNO(linkat(-1, "f", dfd, "h", 0), EBADF);
	EXPECT_ERRNO(linkat(dfd, "f", -1, "h", 0), EBADF);
	EXPECT_ERRNO(linkat(dfd, "f", dfd, "h", 0x1), EINVAL);
	fd = CHECK(openat(dfd, "f", O_RDONLY));
	EXPECT_ERRNO(linkat(fd, "", dfd, "h", 0), ENOENT);
	EXPECT_RET(linkat(fd, "", dfd, "h", AT_EMPTY_PATH), 0);
	CHECK(stat(tmp_path("d/h"), &st));
	EXPECT_EQ(st.st_nlink, 3);
	close(fd);
	close(dfd);
}
