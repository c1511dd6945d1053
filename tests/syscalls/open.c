// SPDX-License-Identifier: MIT
/*
 * open(2): O_CREAT applies the mode, O_EXCL refuses an existing name, O_TRUNC
 * empties a file, the lowest free descriptor is returned, O_CLOEXEC sets
 * FD_CLOEXEC; ENOENT, EEXIST, ENOTDIR (a file used as a directory and
 * O_DIRECTORY on a file), EISDIR (writing a directory), ENAMETOOLONG, ELOOP
 * (symlink loop and O_NOFOLLOW), EINVAL (O_CREAT|O_DIRECTORY).
 */
#include "harness.h"

TEST(open, creat_uses_mode_and_excl_refuses)
{
	const char *path = tmp_path("f");
	struct stat st;
	int fd;

	umask(022);
	fd = CHECK(open(path, O_RDWR | O_CREAT | O_EXCL, 0640));
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_mode & 07777, 0640);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
	EXPECT_ERRNO(open(path, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	fd = CHECK(open(path, O_RDWR | O_CREAT, 0600));
	close(fd);
}

TEST(open, missing_is_enoent)
{
	EXPECT_ERRNO(open(tmp_path("missing"), O_RDONLY), ENOENT);
	EXPECT_ERRNO(open(tmp_path("nodir/f"), O_RDWR | O_CREAT, 0600), ENOENT);
	EXPECT_ERRNO(open("", O_RDONLY), ENOENT);
}

TEST(open, trunc_empties_file)
{
	const char *path = tmp_path("f");
	int fd = CHECK(open(path, O_RDWR | O_CREAT, 0600));
	struct stat st;

	CHECK(write(fd, "data", 4));
	close(fd);
	fd = CHECK(open(path, O_RDWR | O_TRUNC));
	CHECK(fstat(fd, &st));
	EXPECT_EQ(st.st_size, 0);
	close(fd);
}

TEST(open, returns_lowest_free_fd)
{
	int a = CHECK(open("/dev/null", O_RDONLY));
	int b = CHECK(open("/dev/null", O_RDONLY));
	int c;

	EXPECT_TRUE(b > a);
	CHECK(close(a));
	c = CHECK(open("/dev/null", O_RDONLY));
	EXPECT_EQ(c, a);
	close(b);
	close(c);
}

TEST(open, cloexec_flag)
{
	int fd = CHECK(open("/dev/null", O_RDONLY | O_CLOEXEC));
	int plain = CHECK(open("/dev/null", O_RDONLY));

	EXPECT_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
	EXPECT_RET(fcntl(plain, F_GETFD), 0);
	close(fd);
	close(plain);
}

TEST(open, enotdir)
{
	const char *path = tmp_path("f");
	char *sub = tmp_path("f/x");

	close(CHECK(open(path, O_RDWR | O_CREAT, 0600)));
	EXPECT_ERRNO(open(sub, O_RDONLY), ENOTDIR);
	EXPECT_ERRNO(open(path, O_RDONLY | O_DIRECTORY), ENOTDIR);
}

TEST(open, directory_for_writing_is_eisdir)
{
	const char *dir = tmp_path("d");
	int fd;

	CHECK(mkdir(dir, 0700));
	EXPECT_ERRNO(open(dir, O_WRONLY), EISDIR);
	EXPECT_ERRNO(open(dir, O_RDWR), EISDIR);
	EXPECT_ERRNO(open(dir, O_RDWR | O_CREAT, 0600), EISDIR);
	fd = CHECK(open(dir, O_RDONLY | O_DIRECTORY));
	close(fd);
}

TEST(open, creat_directory_is_einval)
{
	EXPECT_ERRNO(open(tmp_path("new"), O_RDWR | O_CREAT | O_DIRECTORY,
			  0600),
		     EINVAL);
}

TEST(open, name_too_long)
{
	char name[300], *path;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	EXPECT_ERRNO(open(tmp_path(name), O_RDWR | O_CREAT, 0600), ENAMETOOLONG);
	path = malloc(PATH_MAX + 16);
	memset(path, '/', PATH_MAX + 15);
	path[PATH_MAX + 15] = '\0';
	EXPECT_ERRNO(open(path, O_RDONLY), ENAMETOOLONG);
	free(path);
}

TEST(open, symlink_loop_and_nofollow_are_eloop)
{
	const char *a = tmp_path("a"), *b = tmp_path("b");
	const char *target = tmp_path("t"), *link = tmp_path("l");

	CHECK(symlink(b, a));
	CHECK(symlink(a, b));
	EXPECT_ERRNO(open(a, O_RDONLY), ELOOP);
	close(CHECK(open(target, O_RDWR | O_CREAT, 0600)));
	CHECK(symlink(target, link));
	EXPECT_ERRNO(open(link, O_RDONLY | O_NOFOLLOW), ELOOP);
	close(CHECK(open(link, O_RDONLY)));
}

TEST(open, creat_through_dangling_symlink)
{
	const char *target = tmp_path("t"), *link = tmp_path("l");
	struct stat st;

	CHECK(symlink(target, link));
	close(CHECK(open(link, O_WRONLY | O_CREAT, 0600)));
	EXPECT_RET(stat(target, &st), 0);
	EXPECT_ERRNO(open(link, O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
}
