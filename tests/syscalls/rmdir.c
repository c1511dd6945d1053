// SPDX-License-Identifier: MIT
/*
 * rmdir(2): removes an empty directory, after which stat is ENOENT and a
 * descriptor still open on it can be fstat'ed but lists and creates with
 * ENOENT; ENOTEMPTY for a directory with an entry, ENOTDIR for a file or a
 * symlink to a directory, ENOENT for a missing name, EINVAL for a last
 * component of "."; unlinkat(AT_REMOVEDIR) behaves the same.
 */
#include "harness.h"

TEST(rmdir, removes_empty_directory)
{
	struct stat st;
	char buf[4096];
	int dfd;

	CHECK(mkdir(tmp_path("d"), 0700));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_RET(rmdir(tmp_path("d")), 0);
	EXPECT_ERRNO(stat(tmp_path("d"), &st), ENOENT);
	EXPECT_RET(fstat(dfd, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_ERRNO(syscall(SYS_getdents64, dfd, buf, sizeof(buf)), ENOENT);
	EXPECT_ERRNO(openat(dfd, "x", O_RDWR | O_CREAT, 0600), ENOENT);
	close(dfd);
}

TEST(rmdir, not_empty)
{
	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(rmdir(tmp_path("d")), ENOTEMPTY);
	CHECK(unlink(tmp_path("d/f")));
	CHECK(mkdir(tmp_path("d/sub"), 0700));
	EXPECT_ERRNO(rmdir(tmp_path("d")), ENOTEMPTY);
	CHECK(rmdir(tmp_path("d/sub")));
	EXPECT_RET(rmdir(tmp_path("d")), 0);
}

TEST(rmdir, errors)
{
	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)));
	CHECK(symlink(tmp_path("d"), tmp_path("l")));
	EXPECT_ERRNO(rmdir(tmp_path("f")), ENOTDIR);
	EXPECT_ERRNO(rmdir(tmp_path("l")), ENOTDIR);
	EXPECT_ERRNO(rmdir(tmp_path("missing")), ENOENT);
	EXPECT_ERRNO(rmdir(tmp_path("f/x")), ENOTDIR);
	EXPECT_ERRNO(rmdir(tmp_path("d/.")), EINVAL);
	EXPECT_ERRNO(rmdir(""), ENOENT);
	EXPECT_RET(access(tmp_path("d"), F_OK), 0);
}

TEST(rmdir, unlinkat_removedir)
{
	int dfd;

	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(mkdir(tmp_path("d/sub"), 0700));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_ERRNO(unlinkat(dfd, "sub", 0), EISDIR);
	EXPECT_RET(unlinkat(dfd, "sub", AT_REMOVEDIR), 0);
	EXPECT_ERRNO(unlinkat(dfd, "sub", AT_REMOVEDIR), ENOENT);
	close(dfd);
}
