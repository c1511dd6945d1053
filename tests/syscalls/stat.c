// SPDX-License-Identifier: MIT
/*
 * stat(2), fstat(2), lstat(2): type, permission bits, size, link count and
 * owner of files, directories, symlinks, pipes and /dev/null; stat follows a
 * symlink and lstat does not; all three agree on the inode; ENOENT, ENOTDIR,
 * ELOOP, ENAMETOOLONG, and EBADF for fstat on a bad descriptor.
 */
#include <sys/sysmacros.h>

#include "harness.h"

TEST(stat, regular_file)
{
	const char *path = tmp_path("f");
	int fd = CHECK(open(path, O_RDWR | O_CREAT, 0600));
	struct stat st, fst;

	CHECK(write(fd, "12345", 5));
	EXPECT_RET(stat(path, &st), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0600);
	EXPECT_EQ(st.st_size, 5);
	EXPECT_EQ(st.st_nlink, 1);
	EXPECT_EQ(st.st_uid, geteuid());
	EXPECT_EQ(st.st_gid, getegid());
	EXPECT_RET(fstat(fd, &fst), 0);
	EXPECT_EQ(fst.st_ino, st.st_ino);
	EXPECT_EQ(fst.st_dev, st.st_dev);
	EXPECT_EQ(fst.st_size, 5);
	close(fd);
}

TEST(stat, directory)
{
	const char *dir = tmp_path("d");
	struct stat st;

	umask(022);
	CHECK(mkdir(dir, 0775));
	CHECK(mkdir(tmp_path("d/sub"), 0700));
	EXPECT_RET(stat(dir, &st), 0);
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(st.st_mode & 07777, 0755);
	EXPECT_TRUE(st.st_nlink >= 2);
}

TEST(lstat, symlink_is_not_followed)
{
	const char *target = tmp_path("t"), *link = tmp_path("l");
	struct stat st, lst, tst;

	close(CHECK(open(target, O_RDWR | O_CREAT, 0600)));
	CHECK(symlink(target, link));
	EXPECT_RET(stat(link, &st), 0);
	EXPECT_RET(stat(target, &tst), 0);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_ino, tst.st_ino);
	EXPECT_RET(lstat(link, &lst), 0);
	EXPECT_TRUE(S_ISLNK(lst.st_mode));
	EXPECT_EQ(lst.st_size, strlen(target));
	EXPECT_TRUE(lst.st_ino != tst.st_ino);
	EXPECT_RET(lstat(target, &lst), 0);
	EXPECT_EQ(lst.st_ino, tst.st_ino);
}

TEST(fstat, pipe_and_dev_null)
{
	int p[2], fd = CHECK(open("/dev/null", O_RDWR));
	struct stat st;

	CHECK(pipe(p));
	EXPECT_RET(fstat(p[0], &st), 0);
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_RET(fstat(fd, &st), 0);
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(st.st_rdev, makedev(1, 3));
	close(p[0]);
	close(p[1]);
	close(fd);
}

TEST(stat, dangling_symlink)
{
	const char *link = tmp_path("l");
	struct stat st;

	CHECK(symlink(tmp_path("missing"), link));
	EXPECT_ERRNO(stat(link, &st), ENOENT);
	EXPECT_RET(lstat(link, &st), 0);
	EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST(stat, errors)
{
	const char *file = tmp_path("f");
	const char *a = tmp_path("a"), *b = tmp_path("b");
	char name[300];
	struct stat st;

	close(CHECK(open(file, O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(stat(tmp_path("missing"), &st), ENOENT);
	EXPECT_ERRNO(lstat(tmp_path("missing"), &st), ENOENT);
	EXPECT_ERRNO(stat(tmp_path("f/x"), &st), ENOTDIR);
	EXPECT_ERRNO(stat("", &st), ENOENT);
	CHECK(symlink(a, b));
	CHECK(symlink(b, a));
	EXPECT_ERRNO(stat(a, &st), ELOOP);
	EXPECT_RET(lstat(a, &st), 0);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_ERRNO(stat(tmp_path(name), &st), ENAMETOOLONG);
}

TEST(fstat, bad_fd_is_ebadf)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	struct stat st;

	close(fd);
	EXPECT_ERRNO(fstat(-1, &st), EBADF);
	EXPECT_ERRNO(fstat(fd, &st), EBADF);
}

TEST(fstat, size_follows_writes_and_unlink_drops_nlink)
{
	const char *path = tmp_path("f");
	int fd = CHECK(open(path, O_RDWR | O_CREAT, 0600));
	struct stat st;

	CHECK(pwrite(fd, "x", 1, 4095));
	EXPECT_RET(fstat(fd, &st), 0);
	EXPECT_EQ(st.st_size, 4096);
	CHECK(unlink(path));
	EXPECT_RET(fstat(fd, &st), 0);
	EXPECT_EQ(st.st_nlink, 0);
	close(fd);
}
