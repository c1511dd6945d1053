// SPDX-License-Identifier: MIT
/*
 * A directory tree far deeper than PATH_MAX: building, walking with "..",
 * getcwd (ENAMETOOLONG once the path passes a page), /proc/self/cwd,
 * renaming the top into its own subtree from the bottom (EINVAL), and
 * tearing it down level by level. A Sentry that recursed over such a tree
 * (path building, the ancestor check of rename, teardown) would overflow
 * its stack here.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "harness.h"

#define DEPTH 5000	/* "d/" each: a 10000-byte path, over a page */

static int build(const char *top)
{
	CHECK(mkdir(top, 0755));
	CHECK(chdir(top));
	for (int i = 0; i < DEPTH; i++) {
		if (mkdir("d", 0755) || chdir("d"))
			return -1;
	}
	return 0;
}

/* From the bottom, remove every level on the way up. */
static int teardown(void)
{
	for (int i = 0; i < DEPTH; i++) {
		if (chdir("..") || rmdir("d"))
			return -1;
	}
	return 0;
}

TEST(deep_tree, build_walk_and_teardown)
{
	char *top = tmp_path("top"), buf[16384], *back;
	int parent = CHECK(open(tmp_path(""), O_DIRECTORY | O_RDONLY));
	struct stat st, st2;

	EXPECT_RET(build(top), 0);
	/* the raw call: glibc's getcwd() falls back to walking ".." itself */
	EXPECT_ERRNO(syscall(SYS_getcwd, buf, sizeof(buf)), ENAMETOOLONG);
	EXPECT_ERRNO(readlink("/proc/self/cwd", buf, sizeof(buf)), ENAMETOOLONG);
	/* a relative ".." path of 1300 levels is still within PATH_MAX */
	back = malloc(3 * 1300 + 1);
	back[0] = '\0';
	for (int i = 0; i < 1300; i++)
		strcat(back, "../");
	CHECK(stat(back, &st));
	CHECK(mkdir("leaf", 0755));
	EXPECT_ERRNO(rename(back, "x"), EBUSY);		/* a path ending in ".." */
	/* the top, 5000 levels up, into its own subtree */
	EXPECT_ERRNO(renameat(parent, "top", AT_FDCWD, "leaf/x"), EINVAL);
	EXPECT_ERRNO(renameat(parent, "top", AT_FDCWD, "x"), EINVAL);
	CHECK(stat(back, &st2));
	EXPECT_EQ(st.st_ino, st2.st_ino);
	CHECK(rmdir("leaf"));
	EXPECT_RET(teardown(), 0);
	CHECK(chdir(".."));
	EXPECT_RET(rmdir(top), 0);
	close(parent);
	free(back);
}

/* A deep tree left behind when the process exits: the sandbox's teardown. */
TEST(deep_tree, left_for_exit)
{
	char *top = tmp_path("left");
	pid_t pid = CHECK(fork());
	int status;

	if (pid == 0)
		_exit(build(top) ? 1 : 0);
	CHECK(waitpid(pid, &status, 0));
	EXPECT_EQ(status, 0);
	/* the harness removes the scratch tree; a child builds, the parent leaves it */
	CHECK(chdir(top));
	for (int i = 0; i < DEPTH; i++)
		CHECK(chdir("d"));
	EXPECT_RET(teardown(), 0);
	CHECK(chdir(".."));
	CHECK(rmdir(top));
}
