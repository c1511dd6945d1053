// SPDX-License-Identifier: MIT
/*
 * readlink(2) and readlinkat(2): return the target's length without a
 * terminating NUL, truncate silently to the buffer, resolve relative to a
 * directory descriptor, and read the link itself through AT_EMPTY_PATH on an
 * O_PATH|O_NOFOLLOW descriptor; EINVAL for a non-link or a size of 0,
 * ENOENT, ENOTDIR, EBADF; /proc/self/exe names the running program.
 */
#include "harness.h"

TEST(readlink, returns_target_without_nul)
{
	const char *link = tmp_path("l");
	char buf[64];

	memset(buf, 'X', sizeof(buf));
	CHECK(symlink("some/target", link));
	EXPECT_RET(readlink(link, buf, sizeof(buf)), 11);
	EXPECT_MEMEQ(buf, "some/target", 11);
	EXPECT_EQ(buf[11], 'X');
}

TEST(readlink, truncates_to_buffer)
{
	const char *link = tmp_path("l");
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	CHECK(symlink("abcdefghijkl", link));
	EXPECT_RET(readlink(link, buf, 4), 4);
	EXPECT_MEMEQ(buf, "abcdX", 5);
}

TEST(readlink, errors)
{
	const char *file = tmp_path("f");
	const char *link = tmp_path("l");
	char buf[64];

	close(CHECK(open(file, O_RDWR | O_CREAT, 0600)));
	CHECK(symlink("f", link));
	EXPECT_ERRNO(readlink(file, buf, sizeof(buf)), EINVAL);
	EXPECT_ERRNO(readlink(tmp_path("missing"), buf, sizeof(buf)), ENOENT);
	EXPECT_ERRNO(readlink(tmp_path("f/x"), buf, sizeof(buf)), ENOTDIR);
	EXPECT_ERRNO(syscall(SYS_readlink, link, buf, 0), EINVAL);
	EXPECT_ERRNO(syscall(SYS_readlink, link, buf, -1), EINVAL);
	EXPECT_ERRNO(readlink("/tmp", buf, sizeof(buf)), EINVAL);
}

TEST(readlinkat, relative_to_dirfd)
{
	const char *dir = tmp_path("d");
	char buf[64];
	int dfd, fd;

	CHECK(mkdir(dir, 0700));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	CHECK(symlinkat("/x/y", dfd, "l"));
	EXPECT_RET(readlinkat(dfd, "l", buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "/x/y", 4);
	EXPECT_ERRNO(readlinkat(-1, "l", buf, sizeof(buf)), EBADF);
	fd = CHECK(openat(dfd, "l", O_PATH | O_NOFOLLOW));
	EXPECT_RET(readlinkat(fd, "", buf, sizeof(buf)), 4);
	EXPECT_MEMEQ(buf, "/x/y", 4);
	close(fd);
	fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	EXPECT_ERRNO(readlinkat(fd, "l", buf, sizeof(buf)), ENOTDIR);
	close(fd);
	close(dfd);
}

TEST(readlink, proc_self_exe)
{
	char buf[PATH_MAX];
	struct stat a, b;
	long n;

	n = CHECK(readlink("/proc/self/exe", buf, sizeof(buf) - 1));
	buf[n] = '\0';
	EXPECT_EQ(buf[0], '/');
	CHECK(stat(buf, &a));
	CHECK(stat("/proc/self/exe", &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
}
