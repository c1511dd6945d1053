// SPDX-License-Identifier: MIT
/*
 * mkdir(2) and mkdirat(2): the mode is masked by the umask, a new directory
 * holds only "." and "..", the parent's link count grows by one, mkdirat
 * resolves against a directory descriptor; EEXIST (also for a dangling
 * symlink), ENOENT for a missing parent, ENOTDIR, ENAMETOOLONG, EBADF.
 */
#include "harness.h"

TEST(mkdir, mode_and_umask)
{
	struct stat st;

	umask(027);
	EXPECT_RET(mkdir(tmp_path("d"), 0777), 0);
	CHECK(stat(tmp_path("d"), &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0750);
	umask(0);
	EXPECT_RET(mkdir(tmp_path("e"), 0703), 0);
	CHECK(stat(tmp_path("e"), &st));
	EXPECT_EQ(st.st_mode & 07777, 0703);
	EXPECT_EQ(st.st_uid, geteuid());
}

TEST(mkdir, parent_link_count_grows)
{
	struct stat before, after;

	CHECK(mkdir(tmp_path("p"), 0700));
	CHECK(stat(tmp_path("p"), &before));
	EXPECT_RET(mkdir(tmp_path("p/c"), 0700), 0);
	CHECK(stat(tmp_path("p"), &after));
	EXPECT_EQ(after.st_nlink, before.st_nlink + 1);
	EXPECT_RET(rmdir(tmp_path("p/c")), 0);
	CHECK(stat(tmp_path("p"), &after));
	EXPECT_EQ(after.st_nlink, before.st_nlink);
}

TEST(mkdir, errors)
{
	const char *file = tmp_path("f");
	char name[300];

	close(CHECK(open(file, O_RDWR | O_CREAT, 0600)));
	CHECK(mkdir(tmp_path("d"), 0700));
	EXPECT_ERRNO(mkdir(tmp_path("d"), 0700), EEXIST);
	EXPECT_ERRNO(mkdir(file, 0700), EEXIST);
	EXPECT_ERRNO(mkdir(tmp_path("missing/d"), 0700), ENOENT);
	EXPECT_ERRNO(mkdir(tmp_path("f/d"), 0700), ENOTDIR);
	EXPECT_ERRNO(mkdir("", 0700), ENOENT);
	CHECK(symlink(tmp_path("nowhere"), tmp_path("l")));
	EXPECT_ERRNO(mkdir(tmp_path("l"), 0700), EEXIST);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_ERRNO(mkdir(tmp_path(name), 0700), ENAMETOOLONG);
}

TEST(mkdirat, relative_to_dirfd)
{
	struct stat st;
	int dfd, fd;

	CHECK(mkdir(tmp_path("d"), 0700));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_RET(mkdirat(dfd, "sub", 0700), 0);
	EXPECT_RET(stat(tmp_path("d/sub"), &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_ERRNO(mkdirat(dfd, "sub", 0700), EEXIST);
	EXPECT_ERRNO(mkdirat(-1, "x", 0700), EBADF);
	fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	EXPECT_ERRNO(mkdirat(fd, "x", 0700), ENOTDIR);
	close(fd);
	close(dfd);
}

TEST(mkdir, new_directory_is_empty)
{
	char buf[4096];
	long n, off;
	int dfd, count = 0;

	CHECK(mkdir(tmp_path("d"), 0700));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	while ((n = CHECK(syscall(SYS_getdents64, dfd, buf, sizeof(buf)))) > 0) {
		for (off = 0; off < n; count++)
			off += *(unsigned short *)(buf + off + 16);
	}
	EXPECT_EQ(count, 2);
	close(dfd);
}
