// SPDX-License-Identifier: MIT
/*
 * getcwd(2): the raw call returns the length including the NUL and the
 * absolute path of the working directory, which follows chdir() and
 * fchdir(); ERANGE for a buffer too small (or of size 0), ENOENT once the
 * working directory has been removed.
 */
#include "harness.h"

/* The canonical path of the case's scratch directory plus @sub. */
static void canonical(char *out, size_t size, const char *sub)
{
	char *dir = CHECK(realpath(tmp_path(""), NULL));

	snprintf(out, size, "%s%s%s", dir, *sub ? "/" : "", sub);
	free(dir);
}

TEST(getcwd, raw_returns_length_with_nul)
{
	char want[PATH_MAX], buf[PATH_MAX];

	CHECK(mkdir(tmp_path("d"), 0700));
	canonical(want, sizeof(want), "d");
	CHECK(chdir(want));
	memset(buf, 'X', sizeof(buf));
	EXPECT_RET(syscall(SYS_getcwd, buf, sizeof(buf)), strlen(want) + 1);
	EXPECT_STREQ(buf, want);
	EXPECT_TRUE(getcwd(buf, sizeof(buf)) == buf);
	EXPECT_STREQ(buf, want);
}

TEST(getcwd, follows_chdir_and_fchdir)
{
	char base[PATH_MAX], buf[PATH_MAX];
	int fd;

	CHECK(mkdir(tmp_path("a"), 0700));
	CHECK(mkdir(tmp_path("a/b"), 0700));
	canonical(base, sizeof(base), "");
	CHECK(chdir(base));
	CHECK(chdir("a/b"));
	CHECK(syscall(SYS_getcwd, buf, sizeof(buf)));
	EXPECT_TRUE(strlen(buf) == strlen(base) + 4 &&
		    !strcmp(buf + strlen(base), "/a/b"));
	CHECK(chdir(".."));
	CHECK(syscall(SYS_getcwd, buf, sizeof(buf)));
	EXPECT_TRUE(!strncmp(buf, base, strlen(base)) &&
		    !strcmp(buf + strlen(base), "/a"));
	fd = CHECK(open("/", O_RDONLY | O_DIRECTORY));
	CHECK(fchdir(fd));
	EXPECT_RET(syscall(SYS_getcwd, buf, sizeof(buf)), 2);
	EXPECT_STREQ(buf, "/");
	close(fd);
}

TEST(getcwd, small_buffer_is_erange)
{
	char want[PATH_MAX], buf[PATH_MAX];
	size_t len;

	canonical(want, sizeof(want), "");
	CHECK(chdir(want));
	len = strlen(want);
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, len), ERANGE);
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, 1), ERANGE);
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, 0), ERANGE);
	EXPECT_RET(syscall(SYS_getcwd, buf, len + 1), len + 1);
	EXPECT_STREQ(buf, want);
}

TEST(getcwd, removed_directory_is_enoent)
{
	char buf[PATH_MAX];
	const char *dir = tmp_path("gone");

	CHECK(mkdir(dir, 0700));
	CHECK(chdir(dir));
	CHECK(rmdir(dir));
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, sizeof(buf)), ENOENT);
	EXPECT_ERRNO(open("new", O_RDWR | O_CREAT, 0600), ENOENT);
}
