// SPDX-License-Identifier: MIT
/*
 * chown(2), fchown(2), lchown(2), fchownat(2): -1 leaves an id unchanged,
 * chown follows a symlink while lchown and AT_SYMLINK_NOFOLLOW change the
 * link itself, AT_EMPTY_PATH changes an open file; root may give a file away
 * and that clears the set-user-ID bit of an executable (the cases that need
 * root skip without it); ENOENT, ENOTDIR, EBADF, EINVAL for unknown
 * fchownat flags.
 */
#include "harness.h"

static struct stat stat_of(const char *path)
{
	struct stat st;

	CHECK(lstat(path, &st));
	return st;
}

TEST(chown, to_own_ids_and_minus_one)
{
	const char *f = tmp_path("f");
	uid_t uid = geteuid();
	gid_t gid = getegid();

	close(CHECK(open(f, O_RDWR | O_CREAT, 0600)));
	EXPECT_RET(chown(f, uid, gid), 0);
	EXPECT_RET(chown(f, -1, -1), 0);
	EXPECT_EQ(stat_of(f).st_uid, uid);
	EXPECT_EQ(stat_of(f).st_gid, gid);
}

TEST(chown, root_gives_away_and_clears_setuid)
{
	const char *f = tmp_path("f");

	if (geteuid() != 0)
		SKIP("needs root");
	close(CHECK(open(f, O_RDWR | O_CREAT, 0600)));
	CHECK(chmod(f, 04755));
	EXPECT_RET(chown(f, 1234, -1), 0);
	EXPECT_EQ(stat_of(f).st_uid, 1234);
	EXPECT_EQ(stat_of(f).st_gid, getegid());
	EXPECT_EQ(stat_of(f).st_mode & 07777, 0755);
	EXPECT_RET(chown(f, -1, 4321), 0);
	EXPECT_EQ(stat_of(f).st_uid, 1234);
	EXPECT_EQ(stat_of(f).st_gid, 4321);
}

TEST(lchown, changes_the_link)
{
	const char *t = tmp_path("t"), *l = tmp_path("l");

	if (geteuid() != 0)
		SKIP("needs root");
	close(CHECK(open(t, O_RDWR | O_CREAT, 0600)));
	CHECK(symlink(t, l));
	EXPECT_RET(lchown(l, 2000, 2001), 0);
	EXPECT_EQ(stat_of(l).st_uid, 2000);
	EXPECT_EQ(stat_of(l).st_gid, 2001);
	EXPECT_EQ(stat_of(t).st_uid, 0);
	EXPECT_RET(chown(l, 3000, 3001), 0);
	EXPECT_EQ(stat_of(t).st_uid, 3000);
	EXPECT_EQ(stat_of(t).st_gid, 3001);
	EXPECT_EQ(stat_of(l).st_uid, 2000);
	EXPECT_RET(fchownat(AT_FDCWD, l, 4000, -1, AT_SYMLINK_NOFOLLOW), 0);
	EXPECT_EQ(stat_of(l).st_uid, 4000);
	EXPECT_EQ(stat_of(t).st_uid, 3000);
}

TEST(fchown, open_file)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	struct stat st;

	EXPECT_RET(fchown(fd, geteuid(), getegid()), 0);
	if (geteuid() == 0) {
		EXPECT_RET(fchown(fd, 55, 66), 0);
		CHECK(fstat(fd, &st));
		EXPECT_EQ(st.st_uid, 55);
		EXPECT_EQ(st.st_gid, 66);
	}
	EXPECT_ERRNO(fchown(-1, 0, 0), EBADF);
	close(fd);
	EXPECT_ERRNO(fchown(fd, 0, 0), EBADF);
}

TEST(fchownat, dirfd_and_errors)
{
	int dfd, fd;

	CHECK(mkdir(tmp_path("d"), 0700));
	close(CHECK(open(tmp_path("d/f"), O_RDWR | O_CREAT, 0600)));
	dfd = CHECK(open(tmp_path("d"), O_RDONLY | O_DIRECTORY));
	EXPECT_RET(fchownat(dfd, "f", geteuid(), getegid(), 0), 0);
	EXPECT_ERRNO(fchownat(dfd, "missing", 0, 0, 0), ENOENT);
	EXPECT_ERRNO(fchownat(-1, "f", 0, 0, 0), EBADF);
	EXPECT_ERRNO(fchownat(dfd, "f", 0, 0, 0x1), EINVAL);
	fd = CHECK(openat(dfd, "f", O_RDONLY));
	EXPECT_ERRNO(fchownat(fd, "x", 0, 0, 0), ENOTDIR);
	EXPECT_RET(fchownat(fd, "", geteuid(), -1, AT_EMPTY_PATH), 0);
	EXPECT_ERRNO(chown(tmp_path("missing"), 0, 0), ENOENT);
	EXPECT_ERRNO(chown(tmp_path("d/f/x"), 0, 0), ENOTDIR);
	close(fd);
	close(dfd);
}
