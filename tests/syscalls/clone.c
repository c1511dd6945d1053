// SPDX-License-Identifier: MIT
/*
 * clone(2) creating processes (no new stack, so the child runs on a copy
 * of the parent's like fork): SIGCHLD children are copy-on-write both
 * ways; CLONE_PARENT_SETTID stores the child's tid in the parent's memory
 * only and CLONE_CHILD_SETTID in the child's only; CLONE_FILES shares the
 * descriptor table and CLONE_FS the umask and working directory; a child
 * with exit signal 0 is only reaped with __WALL/__WCLONE (ECHILD
 * otherwise); EINVAL for CLONE_SIGHAND without CLONE_VM and CLONE_THREAD
 * without CLONE_SIGHAND.
 */
#include <sched.h>
#include <signal.h>

#include "harness.h"

#define BIG	(2 << 20)

static unsigned char big[BIG];

/* The raw x86-64 argument order: flags, stack, parent_tid, child_tid, tls. */
static long raw_clone(unsigned long flags, int *ptid, int *ctid)
{
	return syscall(SYS_clone, flags, NULL, ptid, ctid, NULL);
}

static bool all_equal(unsigned char v)
{
	size_t i;

	for (i = 0; i < BIG; i++)
		if (big[i] != v)
			return false;
	return true;
}

TEST(clone, sigchld_child_is_copy_on_write)
{
	int go[2];
	long pid;
	char c = 'g';

	memset(big, 1, BIG);
	CHECK(pipe(go));
	pid = CHECK(raw_clone(SIGCHLD, NULL, NULL));
	if (pid == 0) {
		if (read(go[0], &c, 1) != 1 || !all_equal(1))
			_exit(1);
		memset(big, 3, BIG);
		_exit(all_equal(3) ? 0 : 2);
	}
	memset(big, 2, BIG);
	EXPECT_RET(write(go[1], &c, 1), 1);
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_TRUE(all_equal(2));
	close(go[0]);
	close(go[1]);
}

TEST(clone, settid_flags)
{
	static int ptid, ctid;
	long pid;

	ptid = ctid = 0;
	pid = CHECK(raw_clone(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD,
			      &ptid, &ctid));
	/* PARENT_SETTID writes after the memory was copied: not in the child */
	if (pid == 0)
		_exit(ctid == syscall(SYS_gettid) && ptid == 0 ? 0 : 1);
	EXPECT_EQ(ptid, pid);
	EXPECT_EQ(ctid, 0);
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(clone, files_shares_fd_table)
{
	long pid;
	int st;

	pid = CHECK(raw_clone(CLONE_FILES | SIGCHLD, NULL, NULL));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);

		_exit(fd < 0 || fd > 250 ? 255 : fd);
	}
	st = wait_status(pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) != 255);
	EXPECT_RET(fcntl(WEXITSTATUS(st), F_GETFD), 0);
	close(WEXITSTATUS(st));
}

TEST(clone, fs_shares_umask_and_cwd)
{
	struct stat a, b;
	long pid;

	umask(022);
	CHECK(mkdir(tmp_path("d"), 0700));
	pid = CHECK(raw_clone(CLONE_FS | SIGCHLD, NULL, NULL));
	if (pid == 0) {
		umask(0777);
		_exit(chdir(tmp_path("d")) ? 1 : 0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_RET(umask(022), 0777);
	CHECK(stat(".", &a));
	CHECK(stat(tmp_path("d"), &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST(clone, exit_signal_zero_needs_wall)
{
	long pid;
	int st;

	pid = CHECK(raw_clone(0, NULL, NULL));
	if (pid == 0)
		_exit(6);
	EXPECT_ERRNO(waitpid(pid, &st, 0), ECHILD);
	EXPECT_RET(waitpid(pid, &st, __WALL), pid);
	EXPECT_EXITED(st, 6);
	pid = CHECK(raw_clone(0, NULL, NULL));
	if (pid == 0)
		_exit(7);
	EXPECT_RET(waitpid(pid, &st, __WCLONE), pid);
	EXPECT_EXITED(st, 7);
}

TEST(clone, invalid_flag_combinations)
{
	EXPECT_ERRNO(raw_clone(CLONE_SIGHAND | SIGCHLD, NULL, NULL), EINVAL);
	EXPECT_ERRNO(raw_clone(CLONE_THREAD | SIGCHLD, NULL, NULL), EINVAL);
	EXPECT_ERRNO(raw_clone(CLONE_THREAD | CLONE_SIGHAND | SIGCHLD, NULL,
			       NULL),
		     EINVAL);
}
