// SPDX-License-Identifier: MIT
/*
 * symlink(2) and symlinkat(2): the link stores its target verbatim (which
 * need not exist), relative targets resolve from the link's directory,
 * chains of links are followed, a loop gives ELOOP; EEXIST for an existing
 * name, ENOENT for an empty target or missing parent, ENOTDIR, EBADF.
 */
#include "harness.h"

TEST(symlink, stores_target_verbatim)
{
	char buf[64];
	struct stat st;

	EXPECT_RET(symlink("../some//odd/target", tmp_path("l")), 0);
	EXPECT_RET(readlink(tmp_path("l"), buf, sizeof(buf)), 19);
	EXPECT_MEMEQ(buf, "../some//odd/target", 19);
	CHECK(lstat(tmp_path("l"), &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	EXPECT_EQ(st.st_size, 19);
}

TEST(symlink, relative_target_resolves_from_link_dir)
{
	char buf[8] = { 0 };
	int fd;

	CHECK(mkdir(tmp_path("d"), 0700));
	fd = CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600));
	CHECK(write(fd, "hi", 2));
	close(fd);
	EXPECT_RET(symlink("d/f", tmp_path("l")), 0);
	EXPECT_RET(symlink("../d", tmp_path("d/up")), 0);
	fd = CHECK(open(tmp_path("l"), O_RDONLY));
	EXPECT_RET(read(fd, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "hi");
	close(fd);
	EXPECT_RET(access(tmp_path("d/up/up/up/f"), F_OK), 0);
}

TEST(symlink, chains_and_loops)
{
	CHECK(mkdir(tmp_path("d"), 0700));
	EXPECT_RET(symlink(tmp_path("d"), tmp_path("l1")), 0);
	EXPECT_RET(symlink(tmp_path("l1"), tmp_path("l2")), 0);
	EXPECT_RET(symlink(tmp_path("l2"), tmp_path("l3")), 0);
	close(CHECK(open(tmp_path("l3/f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_RET(access(tmp_path("d/f"), F_OK), 0);
	EXPECT_RET(symlink("self", tmp_path("self")), 0);
	EXPECT_ERRNO(access(tmp_path("self"), F_OK), ELOOP);
	EXPECT_ERRNO(open(tmp_path("self/x"), O_RDONLY), ELOOP);
}

TEST(symlink, errors)
{
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(symlink("x", tmp_path("f")), EEXIST);
	CHECK(symlink("x", tmp_path("l")));
	EXPECT_ERRNO(symlink("y", tmp_path("l")), EEXIST);
	EXPECT_ERRNO(symlink("", tmp_path("empty")), ENOENT);
	EXPECT_ERRNO(symlink("x", tmp_path("missing/l")), ENOENT);
	EXPECT_ERRNO(symlink("x", tmp_path("f/l")), ENOTDIR);
	EXPECT_ERRNO(symlink("x", ""), ENOENT);
}

TEST(symlinkat, relative_to_dirfd)
{
	char buf[16];
	int dfd, fd;

	CHECK(mkdir(tmp_path("d"), 0700));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_RET(symlinkat("target", dfd, "l"), 0);
	EXPECT_RET(readlink(tmp_path("d/l"), buf, sizeof(buf)), 6);
	EXPECT_ERRNO(symlinkat("target", dfd, "l"), EEXIST);
	EXPECT_ERRNO(symlinkat("target", -1, "l"), EBADF);
	fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	EXPECT_ERRNO(symlinkat("target", fd, "l"), ENOTDIR);
	close(fd);
	close(dfd);
}
