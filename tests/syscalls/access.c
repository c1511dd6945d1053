// SPDX-License-Identifier: MIT
/*
 * access(2), faccessat(2), faccessat2(2): F_OK on existing and missing names,
 * permission bits for an ordinary user and for root (who may read and write
 * anything, but may execute only a file with some x bit), a path relative to
 * a directory descriptor, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH and AT_EACCESS
 * for faccessat2; ENOENT, ENOTDIR, ELOOP, EBADF, EINVAL for bad mode or flags.
 */
#include "harness.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2	439
#endif

static int faccessat2_raw(int dfd, const char *path, int mode, int flags)
{
	return syscall(SYS_faccessat2, dfd, path, mode, flags);
}

TEST(access, existence)
{
	const char *path = tmp_path("f");

	close(CHECK(open(path, O_RDWR | O_CREAT, 0600)));
	EXPECT_RET(access(path, F_OK), 0);
	EXPECT_ERRNO(access(tmp_path("missing"), F_OK), ENOENT);
	EXPECT_ERRNO(access(tmp_path("f/x"), F_OK), ENOTDIR);
	EXPECT_ERRNO(access("", F_OK), ENOENT);
	EXPECT_RET(access("/dev/null", R_OK | W_OK), 0);
}

TEST(access, permission_bits)
{
	const char *none = tmp_path("none"), *rx = tmp_path("rx");
	bool root = geteuid() == 0;

	close(CHECK(open(none, O_RDWR | O_CREAT, 0600)));
	close(CHECK(open(rx, O_RDWR | O_CREAT, 0600)));
	CHECK(chmod(none, 0));
	CHECK(chmod(rx, 0500));
	EXPECT_RET(access(none, F_OK), 0);
	if (root) {
		EXPECT_RET(access(none, R_OK | W_OK), 0);
		EXPECT_RET(access(rx, R_OK | W_OK | X_OK), 0);
	} else {
		EXPECT_ERRNO(access(none, R_OK), EACCES);
		EXPECT_ERRNO(access(rx, W_OK), EACCES);
		EXPECT_RET(access(rx, R_OK | X_OK), 0);
	}
	EXPECT_ERRNO(access(none, X_OK), EACCES);
	CHECK(chmod(none, 0600));
}

TEST(access, directories_and_bad_mode)
{
	const char *dir = tmp_path("d");

	CHECK(mkdir(dir, 0700));
	EXPECT_RET(access(dir, R_OK | W_OK | X_OK), 0);
	EXPECT_ERRNO(access(dir, 8), EINVAL);
	EXPECT_ERRNO(access(dir, -1), EINVAL);
}

TEST(access, symlink_loop_is_eloop)
{
	const char *a = tmp_path("a"), *b = tmp_path("b");

	CHECK(symlink(a, b));
	CHECK(symlink(b, a));
	EXPECT_ERRNO(access(a, F_OK), ELOOP);
}

TEST(faccessat, relative_to_dirfd)
{
	const char *dir = tmp_path("d");
	int dfd, fd;

	CHECK(mkdir(dir, 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	dfd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	fd = CHECK(open(tmp_path("d/f"), O_RDONLY));
	EXPECT_RET(syscall(SYS_faccessat, dfd, "f", R_OK), 0);
	EXPECT_ERRNO(syscall(SYS_faccessat, dfd, "missing", F_OK), ENOENT);
	EXPECT_ERRNO(syscall(SYS_faccessat, -1, "f", F_OK), EBADF);
	EXPECT_ERRNO(syscall(SYS_faccessat, fd, "f", F_OK), ENOTDIR);
	EXPECT_RET(syscall(SYS_faccessat, -1, "/dev/null", F_OK), 0);
	close(fd);
	close(dfd);
}

TEST(faccessat2, flags)
{
	const char *link = tmp_path("l");
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));

	CHECK(symlink(tmp_path("missing"), link));
	EXPECT_ERRNO(faccessat2_raw(AT_FDCWD, link, F_OK, 0), ENOENT);
	EXPECT_RET(faccessat2_raw(AT_FDCWD, link, F_OK, AT_SYMLINK_NOFOLLOW), 0);
	EXPECT_RET(faccessat2_raw(fd, "", R_OK, AT_EMPTY_PATH), 0);
	EXPECT_ERRNO(faccessat2_raw(fd, "", R_OK, 0), ENOENT);
	EXPECT_RET(faccessat2_raw(AT_FDCWD, tmp_path("f"), R_OK | W_OK,
				  AT_EACCESS), 0);
	EXPECT_ERRNO(faccessat2_raw(AT_FDCWD, tmp_path("f"), F_OK, 0x1), EINVAL);
	EXPECT_ERRNO(faccessat2_raw(AT_FDCWD, tmp_path("f"), 8, 0), EINVAL);
	close(fd);
}
