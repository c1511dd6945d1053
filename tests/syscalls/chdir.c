// SPDX-License-Identifier: MIT
/*
 * chdir(2) and fchdir(2): relative paths resolve against the new working
 * directory, ".." climbs, fchdir accepts directory descriptors (O_PATH too),
 * a forked child's chdir leaves the parent alone; ENOENT, ENOTDIR, ELOOP,
 * ENAMETOOLONG for chdir, EBADF and ENOTDIR for fchdir.
 */
#include "harness.h"

TEST(chdir, relative_paths_follow)
{
	struct stat a, b;

	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	EXPECT_RET(chdir(tmp_path("d")), 0);
	EXPECT_RET(stat("f", &a), 0);
	CHECK(stat(tmp_path("d/f"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_RET(chdir(".."), 0);
	EXPECT_RET(stat("d/f", &a), 0);
	EXPECT_RET(chdir("."), 0);
	EXPECT_RET(chdir("/"), 0);
	EXPECT_RET(chdir(".."), 0);
	CHECK(stat(".", &a));
	CHECK(stat("/", &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST(chdir, errors)
{
	const char *file = tmp_path("f");
	const char *a = tmp_path("a"), *b = tmp_path("b");
	char name[300];

	close(CHECK(open(file, O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(chdir(tmp_path("missing")), ENOENT);
	EXPECT_ERRNO(chdir(""), ENOENT);
	EXPECT_ERRNO(chdir(file), ENOTDIR);
	CHECK(symlink(a, b));
	CHECK(symlink(b, a));
	EXPECT_ERRNO(chdir(a), ELOOP);
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_ERRNO(chdir(tmp_path(name)), ENAMETOOLONG);
}

TEST(chdir, through_symlink)
{
	struct stat a, b;

	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(symlink(tmp_path("d"), tmp_path("l")));
	EXPECT_RET(chdir(tmp_path("l")), 0);
	CHECK(stat(".", &a));
	CHECK(stat(tmp_path("d"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST(fchdir, to_descriptor)
{
	struct stat a, b;
	int fd, pfd;

	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(mkdir(tmp_path("e"), 0700));
	fd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	pfd = CHECK(open(tmp_path("e"), O_PATH | O_DIRECTORY));
	EXPECT_RET(fchdir(fd), 0);
	CHECK(stat(".", &a));
	CHECK(fstat(fd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_RET(fchdir(pfd), 0);
	CHECK(stat(".", &a));
	CHECK(fstat(pfd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	close(fd);
	close(pfd);
}

TEST(fchdir, errors)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));

	EXPECT_ERRNO(fchdir(fd), ENOTDIR);
	EXPECT_ERRNO(fchdir(-1), EBADF);
	close(fd);
	EXPECT_ERRNO(fchdir(fd), EBADF);
}

TEST(chdir, child_does_not_affect_parent)
{
	struct stat before, after;
	pid_t pid;

	CHECK(mkdir(tmp_path("d"), 0700));
	CHECK(chdir(tmp_path("d")));
	CHECK(stat(".", &before));
	pid = CHECK(fork());
	if (pid == 0)
		_exit(chdir("/") == 0 ? 0 : 1);
	EXPECT_EXITED(wait_status(pid), 0);
	CHECK(stat(".", &after));
	EXPECT_EQ(after.st_ino, before.st_ino);
}
