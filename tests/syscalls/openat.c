// SPDX-License-Identifier: MIT
/*
 * openat(2): a relative path resolves against the directory descriptor,
 * AT_FDCWD means the working directory, an absolute path ignores the
 * descriptor, ".." climbs out of it, O_PATH descriptors serve as a base;
 * EBADF for a bad dirfd with a relative path, ENOTDIR when dirfd is a file,
 * ENOENT for an empty path.
 */
#include "harness.h"

TEST(openat, relative_to_dirfd)
{
	const char *dir = tmp_path("d");
	struct stat st;
	int dfd, fd;

	CHECK(mkdir(dir, 0700));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	fd = CHECK(openat(dfd, "f", O_RDWR | O_CREAT | O_EXCL, 0600));
	CHECK(write(fd, "abc", 3));
	close(fd);
	EXPECT_RET(stat(tmp_path("d/f"), &st), 0);
	EXPECT_EQ(st.st_size, 3);
	EXPECT_ERRNO(openat(dfd, "f", O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	EXPECT_ERRNO(openat(dfd, "missing", O_RDONLY), ENOENT);
	close(dfd);
}

TEST(openat, at_fdcwd_uses_working_directory)
{
	const char *dir = tmp_path("d");
	struct stat st;
	int fd;

	CHECK(mkdir(dir, 0700));
	CHECK(chdir(dir));
	fd = CHECK(openat(AT_FDCWD, "g", O_RDWR | O_CREAT, 0600));
	close(fd);
	EXPECT_RET(stat(tmp_path("d/g"), &st), 0);
}

TEST(openat, absolute_path_ignores_dirfd)
{
	int fd = CHECK(openat(-1, "/dev/null", O_RDONLY));

	close(fd);
	fd = CHECK(openat(100000, "/dev/null", O_RDONLY));
	close(fd);
}

TEST(openat, dotdot_leaves_dirfd)
{
	const char *dir = tmp_path("d");
	struct stat st;
	int dfd, fd;

	CHECK(mkdir(dir, 0700));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	fd = CHECK(openat(dfd, "../up", O_RDWR | O_CREAT, 0600));
	close(fd);
	EXPECT_RET(stat(tmp_path("up"), &st), 0);
	close(dfd);
}

TEST(openat, o_path_dirfd)
{
	const char *dir = tmp_path("d");
	int dfd, fd;
	char buf[4];

	CHECK(mkdir(dir, 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	dfd = CHECK(open(dir, O_PATH | O_DIRECTORY));
	fd = CHECK(openat(dfd, "f", O_RDONLY));
	EXPECT_RET(read(fd, buf, sizeof(buf)), 0);
	EXPECT_ERRNO(read(dfd, buf, sizeof(buf)), EBADF);
	close(fd);
	close(dfd);
}

TEST(openat, bad_dirfd_is_ebadf)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));

	close(fd);
	EXPECT_ERRNO(openat(-1, "x", O_RDONLY), EBADF);
	EXPECT_ERRNO(openat(fd, "x", O_RDONLY), EBADF);
}

TEST(openat, file_dirfd_is_enotdir)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));

	EXPECT_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR);
	EXPECT_ERRNO(openat(fd, "", O_RDONLY), ENOENT);
	close(fd);
}
