// SPDX-License-Identifier: MIT
/*
 * rename(2) and renameat(2): a file moves (keeping its inode and an open
 * descriptor), atomically replaces an existing file or empty directory,
 * renaming a name onto itself or onto another link of the same inode does
 * nothing; EISDIR (file over directory), ENOTDIR (directory over file),
 * ENOTEMPTY, EINVAL (directory into its own subtree), EBUSY for ".",
 * ENOENT, and EBADF for renameat with a bad dirfd.
 */
#include "harness.h"

static ino_t ino_of(const char *path)
{
	struct stat st;

	CHECK(lstat(path, &st));
	return st.st_ino;
}

TEST(rename, moves_file)
{
	int fd = CHECK(open(tmp_path("a"), O_RDWR | O_CREAT, 0600));
	ino_t ino = ino_of(tmp_path("a"));
	char buf[8] = { 0 };
	struct stat st;

	CHECK(write(fd, "abc", 3));
	EXPECT_RET(rename(tmp_path("a"), tmp_path("b")), 0);
	EXPECT_ERRNO(stat(tmp_path("a"), &st), ENOENT);
	EXPECT_EQ(ino_of(tmp_path("b")), ino);
	EXPECT_RET(write(fd, "d", 1), 1);
	close(fd);
	fd = CHECK(open(tmp_path("b"), O_RDONLY));
	EXPECT_RET(read(fd, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "abcd");
	close(fd);
}

TEST(rename, replaces_file_and_empty_dir)
{
	ino_t a, d;

	close(CHECK(open(tmp_path("a"), O_RDWR | O_CREAT, 0600)));
	close(CHECK(open(tmp_path("b"), O_RDWR | O_CREAT, 0600)));
	a = ino_of(tmp_path("a"));
	EXPECT_RET(rename(tmp_path("a"), tmp_path("b")), 0);
	EXPECT_EQ(ino_of(tmp_path("b")), a);
	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(mkdir(tmp_path("e"), 0700));
	d = ino_of(tmp_path("d"));
	EXPECT_RET(rename(tmp_path("d"), tmp_path("e")), 0);
	EXPECT_EQ(ino_of(tmp_path("e")), d);
	EXPECT_ERRNO(access(tmp_path("d"), F_OK), ENOENT);
}

TEST(rename, same_inode_is_noop)
{
	struct stat st;

	close(CHECK(open(tmp_path("a"), O_RDWR | O_CREAT, 0600)));
	EXPECT_RET(rename(tmp_path("a"), tmp_path("a")), 0);
	CHECK(link(tmp_path("a"), tmp_path("b")));
	EXPECT_RET(rename(tmp_path("a"), tmp_path("b")), 0);
	EXPECT_RET(stat(tmp_path("a"), &st), 0);
	EXPECT_EQ(st.st_nlink, 2);
}

TEST(rename, directory_moves_with_contents)
{
	struct stat st;

	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(mkdir(tmp_path("x"), 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_RET(rename(tmp_path("d"), tmp_path("x/moved")), 0);
	EXPECT_RET(stat(tmp_path("x/moved/f"), &st), 0);
	EXPECT_ERRNO(stat(tmp_path("d"), &st), ENOENT);
}

TEST(rename, type_errors)
{
	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(mkdir(tmp_path("full"), 0700));
	close(CHECK(open(tmp_path("full/x"), O_RDWR | O_CREAT, 0600)));
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(rename(tmp_path("f"), tmp_path("d")), EISDIR);
	EXPECT_ERRNO(rename(tmp_path("d"), tmp_path("f")), ENOTDIR);
	EXPECT_ERRNO(rename(tmp_path("d"), tmp_path("full")), ENOTEMPTY);
	EXPECT_ERRNO(rename(tmp_path("d"), tmp_path("d/sub")), EINVAL);
	EXPECT_ERRNO(rename(tmp_path("d/."), tmp_path("y")), EBUSY);
	EXPECT_ERRNO(rename(tmp_path("f/x"), tmp_path("y")), ENOTDIR);
}

TEST(rename, missing_names)
{
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(rename(tmp_path("missing"), tmp_path("y")), ENOENT);
	EXPECT_ERRNO(rename(tmp_path("f"), tmp_path("nodir/y")), ENOENT);
	EXPECT_ERRNO(rename("", tmp_path("y")), ENOENT);
	EXPECT_RET(access(tmp_path("f"), F_OK), 0);
}

TEST(renameat, relative_to_dirfds)
{
	int a, b;

	CHECK(mkdir(tmp_path("a"), 0700));
	CHECK(mkdir(tmp_path("b"), 0700));
	close(CHECK(open(tmp_path("a/f"), O_RDWR | O_CREAT, 0600)));
	a = CHECK(open(tmp_path("a"), O_RDONLY | O_DIRECTORY));
	b = CHECK(open(tmp_path("b"), O_RDONLY | O_DIRECTORY));
	EXPECT_RET(renameat(a, "f", b, "g"), 0);
	EXPECT_RET(faccessat(b, "g", F_OK, 0), 0);
	EXPECT_ERRNO(renameat(-1, "g", b, "h"), EBADF);
	EXPECT_ERRNO(renameat(b, "g", -1, "h"), EBADF);
	close(a);
	close(b);
}
