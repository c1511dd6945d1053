// SPDX-License-Identifier: MIT
/*
 * statx(2): the basic fields are reported in stx_mask and agree with fstat(),
 * AT_EMPTY_PATH works on a descriptor, AT_SYMLINK_NOFOLLOW reports the link;
 * ENOENT, ENOTDIR, EBADF for a bad dirfd, EINVAL for STATX__RESERVED in the
 * mask, for unknown flags and for FORCE_SYNC together with DONT_SYNC.
 */
#include <sys/sysmacros.h>

#include "harness.h"

#define BASIC	(STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID | \
		 STATX_INO | STATX_SIZE)

TEST(statx, matches_fstat)
{
	const char *path = tmp_path("f");
	int fd = CHECK(open(path, O_RDWR | O_CREAT, 0600));
	struct statx stx;
	struct stat st;

	CHECK(write(fd, "hello", 5));
	CHECK(fstat(fd, &st));
	memset(&stx, 0xff, sizeof(stx));
	EXPECT_RET(statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx), 0);
	EXPECT_EQ(stx.stx_mask & BASIC, BASIC);
	EXPECT_TRUE(S_ISREG(stx.stx_mode));
	EXPECT_EQ(stx.stx_mode & 07777, 0600);
	EXPECT_EQ(stx.stx_size, 5);
	EXPECT_EQ(stx.stx_ino, st.st_ino);
	EXPECT_EQ(stx.stx_nlink, 1);
	EXPECT_EQ(stx.stx_uid, st.st_uid);
	EXPECT_EQ(stx.stx_gid, st.st_gid);
	EXPECT_EQ(makedev(stx.stx_dev_major, stx.stx_dev_minor), st.st_dev);
	close(fd);
}

TEST(statx, empty_path_on_fd)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	struct statx stx;

	CHECK(write(fd, "abc", 3));
	EXPECT_RET(statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx), 0);
	EXPECT_TRUE(stx.stx_mask & STATX_SIZE);
	EXPECT_EQ(stx.stx_size, 3);
	EXPECT_ERRNO(statx(fd, "", 0, STATX_SIZE, &stx), ENOENT);
	close(fd);
}

TEST(statx, symlink_nofollow)
{
	const char *link = tmp_path("l");
	struct statx stx;

	CHECK(symlink("/dev/null", link));
	EXPECT_RET(statx(AT_FDCWD, link, AT_SYMLINK_NOFOLLOW,
			 STATX_TYPE | STATX_SIZE, &stx), 0);
	EXPECT_TRUE(S_ISLNK(stx.stx_mode));
	EXPECT_EQ(stx.stx_size, 9);
	EXPECT_RET(statx(AT_FDCWD, link, 0, STATX_TYPE, &stx), 0);
	EXPECT_TRUE(S_ISCHR(stx.stx_mode));
	EXPECT_EQ(stx.stx_rdev_major, 1);
	EXPECT_EQ(stx.stx_rdev_minor, 3);
}

TEST(statx, directory_relative_to_dirfd)
{
	const char *dir = tmp_path("d");
	struct statx stx;
	int dfd;

	CHECK(mkdir(dir, 0700));
	CHECK(mkdir(tmp_path("d/sub"), 0700));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	EXPECT_RET(statx(dfd, "sub", 0, STATX_TYPE, &stx), 0);
	EXPECT_TRUE(S_ISDIR(stx.stx_mode));
	close(dfd);
}

TEST(statx, errors)
{
	const char *path = tmp_path("f");
	struct statx stx;
	int fd;

	fd = CHECK(open(path, O_RDWR | O_CREAT, 0600));
	EXPECT_ERRNO(statx(AT_FDCWD, tmp_path("missing"), 0, STATX_BASIC_STATS,
			   &stx),
		     ENOENT);
	EXPECT_ERRNO(statx(AT_FDCWD, tmp_path("f/x"), 0, STATX_BASIC_STATS,
			   &stx),
		     ENOTDIR);
	EXPECT_ERRNO(statx(-1, "x", 0, STATX_BASIC_STATS, &stx), EBADF);
	EXPECT_ERRNO(statx(fd, "x", 0, STATX_BASIC_STATS, &stx), ENOTDIR);
	EXPECT_ERRNO(statx(AT_FDCWD, path, 0, STATX__RESERVED, &stx), EINVAL);
	EXPECT_ERRNO(statx(AT_FDCWD, path, 0x40000000, STATX_BASIC_STATS, &stx),
		     EINVAL);
	EXPECT_ERRNO(statx(AT_FDCWD, path, AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC,
			   STATX_BASIC_STATS, &stx), EINVAL);
	close(fd);
}
