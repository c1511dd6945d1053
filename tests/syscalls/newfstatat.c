// SPDX-License-Identifier: MIT
/*
 * newfstatat(2) (glibc fstatat): a path relative to a directory descriptor,
 * AT_FDCWD, AT_SYMLINK_NOFOLLOW, and AT_EMPTY_PATH on a descriptor (including
 * an O_PATH one); EBADF for a bad dirfd, ENOTDIR when dirfd is a file,
 * ENOENT for an empty path without AT_EMPTY_PATH, EINVAL for unknown flags.
 */
#include "harness.h"

TEST(newfstatat, relative_to_dirfd)
{
	const char *dir = tmp_path("d");
	struct stat st;
	int dfd;

	umask(022);
	CHECK(mkdir(dir, 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0664)));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	EXPECT_RET(fstatat(dfd, "f", &st, 0), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0644);
	EXPECT_ERRNO(fstatat(dfd, "missing", &st, 0), ENOENT);
	EXPECT_RET(fstatat(dfd, ".", &st, 0), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	close(dfd);
}

TEST(newfstatat, at_fdcwd)
{
	struct stat st;

	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(chdir(tmp_path("d")));
	close(CHECK(open("f", O_RDWR | O_CREAT, 0600)));
	EXPECT_RET(fstatat(AT_FDCWD, "f", &st, 0), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST(newfstatat, symlink_nofollow)
{
	const char *dir = tmp_path("d");
	struct stat st;
	int dfd;

	CHECK(mkdir(dir, 0700));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	CHECK(symlinkat("nowhere", dfd, "l"));
	EXPECT_ERRNO(fstatat(dfd, "l", &st, 0), ENOENT);
	EXPECT_RET(fstatat(dfd, "l", &st, AT_SYMLINK_NOFOLLOW), 0);
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	EXPECT_EQ(st.st_size, 7);
	close(dfd);
}

TEST(newfstatat, empty_path)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int pfd = CHECK(open(tmp_path("f"), O_PATH));
	struct stat st;

	CHECK(write(fd, "abc", 3));
	EXPECT_RET(fstatat(fd, "", &st, AT_EMPTY_PATH), 0);
	EXPECT_EQ(st.st_size, 3);
	EXPECT_RET(fstatat(pfd, "", &st, AT_EMPTY_PATH), 0);
	EXPECT_EQ(st.st_size, 3);
	EXPECT_ERRNO(fstatat(fd, "", &st, 0), ENOENT);
	EXPECT_RET(fstat(pfd, &st), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	close(pfd);
	close(fd);
}

TEST(newfstatat, errors)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	struct stat st;

	EXPECT_ERRNO(fstatat(-1, "x", &st, 0), EBADF);
	EXPECT_ERRNO(fstatat(100000, "x", &st, 0), EBADF);
	EXPECT_ERRNO(fstatat(fd, "x", &st, 0), ENOTDIR);
	EXPECT_ERRNO(fstatat(AT_FDCWD, tmp_path("f"), &st, 0x40000000), EINVAL);
	EXPECT_RET(fstatat(-1, "/dev/null", &st, 0), 0);
	close(fd);
}
