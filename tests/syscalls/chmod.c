// SPDX-License-Identifier: MIT
/*
 * chmod(2), fchmod(2), fchmodat(2): permission and set-id/sticky bits read
 * back through stat, bits above 07777 are ignored, chmod follows symlinks,
 * fchmod works on an open (even unlinked) file, fchmodat resolves against a
 * directory descriptor, the umask does not apply; ENOENT, ENOTDIR, ELOOP,
 * EBADF (including fchmod on an O_PATH descriptor).
 */
#include "harness.h"

static mode_t mode_of(const char *path)
{
	struct stat st;

	CHECK(stat(path, &st));
	return st.st_mode & 07777;
}

TEST(chmod, sets_bits)
{
	const char *f = tmp_path("f");

	close(CHECK(open(f, O_RDWR | O_CREAT, 0600)));
	umask(077);
	EXPECT_RET(chmod(f, 0755), 0);
	EXPECT_EQ(mode_of(f), 0755);
	EXPECT_RET(chmod(f, 0), 0);
	EXPECT_EQ(mode_of(f), 0);
	EXPECT_RET(chmod(f, 04711), 0);
	EXPECT_EQ(mode_of(f), 04711);
	EXPECT_RET(chmod(f, 0170644), 0);
	EXPECT_EQ(mode_of(f), 0644);
	CHECK(mkdir(tmp_path("d"), 0700));
	EXPECT_RET(chmod(tmp_path("d"), 01777), 0);
	EXPECT_EQ(mode_of(tmp_path("d")), 01777);
}

TEST(chmod, follows_symlink)
{
	struct stat st;

	close(CHECK(open(tmp_path("t"), O_RDWR | O_CREAT, 0600)));
	CHECK(symlink(tmp_path("t"), tmp_path("l")));
	EXPECT_RET(chmod(tmp_path("l"), 0640), 0);
	EXPECT_EQ(mode_of(tmp_path("t")), 0640);
	CHECK(lstat(tmp_path("l"), &st));
	EXPECT_EQ(st.st_mode & 0777, 0777);
}

TEST(chmod, errors)
{
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600)));
	CHECK(symlink("loop", tmp_path("loop")));
	EXPECT_ERRNO(chmod(tmp_path("missing"), 0600), ENOENT);
	EXPECT_ERRNO(chmod(tmp_path("f/x"), 0600), ENOTDIR);
	EXPECT_ERRNO(chmod(tmp_path("loop"), 0600), ELOOP);
	EXPECT_ERRNO(chmod("", 0600), ENOENT);
}

TEST(fchmod, open_and_unlinked_file)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	struct stat st;

	EXPECT_RET(fchmod(fd, 0604), 0);
	EXPECT_EQ(mode_of(tmp_path("f")), 0604);
	CHECK(unlink(tmp_path("f")));
	EXPECT_RET(fchmod(fd, 0400), 0);
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_mode & 07777, 0400);
	close(fd);
}

TEST(fchmod, bad_fds)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int pfd = CHECK(open(tmp_path("f"), O_PATH));

	EXPECT_ERRNO(fchmod(-1, 0600), EBADF);
	EXPECT_ERRNO(fchmod(pfd, 0600), EBADF);
	close(fd);
	EXPECT_ERRNO(fchmod(fd, 0600), EBADF);
	close(pfd);
}

TEST(fchmodat, relative_to_dirfd)
{
	int dfd;

	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_RET(syscall(SYS_fchmodat, dfd, "f", 0611), 0);
	EXPECT_EQ(mode_of(tmp_path("d/f")), 0611);
	EXPECT_ERRNO(syscall(SYS_fchmodat, dfd, "missing", 0600), ENOENT);
	EXPECT_ERRNO(syscall(SYS_fchmodat, -1, "f", 0600), EBADF);
	EXPECT_RET(syscall(SYS_fchmodat, -1, tmp_path("d/f"), 0600), 0);
	EXPECT_EQ(mode_of(tmp_path("d/f")), 0600);
	close(dfd);
}
