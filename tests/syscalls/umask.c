// SPDX-License-Identifier: MIT
/*
 * umask(2): returns the previous mask, keeps only the 0777 bits, masks the
 * mode of files, directories and mkfifo nodes created afterwards (but not
 * symlinks, which are always 0777), and is inherited across fork while a
 * child's change stays in the child.
 */
#include "harness.h"

TEST(umask, returns_previous)
{
	umask(022);
	EXPECT_RET(umask(077), 022);
	EXPECT_RET(umask(0), 077);
	EXPECT_RET(umask(0777777), 0);
	EXPECT_RET(umask(022), 0777);
}

TEST(umask, masks_new_files_and_dirs)
{
	struct stat st;

	umask(027);
	close(CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0666)));
	CHECK(stat(tmp_path("f"), &st));
	EXPECT_EQ(st.st_mode & 0777, 0640);
	CHECK(mkdir(tmp_path("d"), 0777));
	CHECK(stat(tmp_path("d"), &st));
	EXPECT_EQ(st.st_mode & 0777, 0750);
	CHECK(mkfifo(tmp_path("p"), 0666));
	CHECK(stat(tmp_path("p"), &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	EXPECT_EQ(st.st_mode & 0777, 0640);
	CHECK(symlink("x", tmp_path("l")));
	CHECK(lstat(tmp_path("l"), &st));
	EXPECT_EQ(st.st_mode & 0777, 0777);
}

TEST(umask, inherited_by_child)
{
	pid_t pid;

	umask(037);
	pid = CHECK(fork());
	if (pid == 0) {
		mode_t old = umask(0);

		_exit(old == 037 ? 0 : 1);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_RET(umask(022), 037);
}
