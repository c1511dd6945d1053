// SPDX-License-Identifier: MIT
/*
 * renameat2(2): flags 0 behaves like renameat, RENAME_NOREPLACE refuses an
 * existing target with EEXIST but moves onto a free name, RENAME_EXCHANGE
 * swaps two names atomically (also a file with a directory) and needs both
 * to exist (ENOENT); EINVAL for NOREPLACE|EXCHANGE and for unknown flags.
 */
#include <stdio.h>

#include "harness.h"

static ino_t ino_of(const char *path)
{
	struct stat st;

	CHECK(lstat(path, &st));
	return st.st_ino;
}

/* renameat2() between two names in the case's scratch directory. */
static int rename2(const char *from, const char *to, unsigned int flags)
{
	return renameat2(AT_FDCWD, tmp_path(from), AT_FDCWD, tmp_path(to), flags);
}

static void make_file(const char *path, const char *data)
{
	int fd = CHECK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));

	CHECK(write(fd, data, strlen(data)));
	close(fd);
}

TEST(renameat2, no_flags)
{
	make_file(tmp_path("a"), "a");
	make_file(tmp_path("b"), "b");
	EXPECT_RET(rename2("a", "b", 0), 0);
	EXPECT_ERRNO(access(tmp_path("a"), F_OK), ENOENT);
}

TEST(renameat2, noreplace)
{
	ino_t a, b;

	make_file(tmp_path("a"), "a");
	make_file(tmp_path("b"), "b");
	a = ino_of(tmp_path("a"));
	b = ino_of(tmp_path("b"));
	EXPECT_ERRNO(rename2("a", "b", RENAME_NOREPLACE), EEXIST);
	EXPECT_EQ(ino_of(tmp_path("a")), a);
	EXPECT_EQ(ino_of(tmp_path("b")), b);
	EXPECT_RET(rename2("a", "c", RENAME_NOREPLACE), 0);
	EXPECT_EQ(ino_of(tmp_path("c")), a);
	CHECK(symlink("nowhere", tmp_path("l")));
	EXPECT_ERRNO(rename2("c", "l", RENAME_NOREPLACE), EEXIST);
}

TEST(renameat2, exchange_files)
{
	char buf[4] = { 0 };
	ino_t a, b;
	int fd;

	make_file(tmp_path("a"), "AAA");
	make_file(tmp_path("b"), "BBB");
	a = ino_of(tmp_path("a"));
	b = ino_of(tmp_path("b"));
	EXPECT_RET(rename2("a", "b", RENAME_EXCHANGE), 0);
	EXPECT_EQ(ino_of(tmp_path("a")), b);
	EXPECT_EQ(ino_of(tmp_path("b")), a);
	fd = CHECK(open(tmp_path("a"), O_RDONLY));
	EXPECT_RET(read(fd, buf, 3), 3);
	EXPECT_STREQ(buf, "BBB");
	close(fd);
}

TEST(renameat2, exchange_file_and_directory)
{
	struct stat st;

	make_file(tmp_path("f"), "x");
	CHECK(mkdir(tmp_path("d"), 0700));
	make_file(tmp_path("d/inner"), "y");
	EXPECT_RET(rename2("f", "d", RENAME_EXCHANGE), 0);
	CHECK(stat(tmp_path("f"), &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_RET(access(tmp_path("f/inner"), F_OK), 0);
	CHECK(stat(tmp_path("d"), &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST(renameat2, errors)
{
	make_file(tmp_path("a"), "a");
	make_file(tmp_path("b"), "b");
	EXPECT_ERRNO(rename2("a", "missing", RENAME_EXCHANGE), ENOENT);
	EXPECT_ERRNO(rename2("missing", "a", RENAME_EXCHANGE), ENOENT);
	EXPECT_ERRNO(rename2("a", "b", RENAME_NOREPLACE | RENAME_EXCHANGE),
		     EINVAL);
	EXPECT_ERRNO(rename2("a", "c", 1u << 20), EINVAL);
	EXPECT_RET(access(tmp_path("a"), F_OK), 0);
	EXPECT_RET(access(tmp_path("b"), F_OK), 0);
}
