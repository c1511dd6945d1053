// SPDX-License-Identifier: MIT
/*
 * waitid(2): WEXITED with P_PID and P_ALL fills siginfo (si_signo SIGCHLD,
 * si_code CLD_EXITED or CLD_KILLED, si_pid, si_uid, si_status); WNOHANG
 * with a running child returns 0 and a zeroed si_pid; WNOWAIT leaves the
 * child waitable; ECHILD without children, EINVAL without any of
 * WEXITED/WSTOPPED/WCONTINUED or for a bad idtype.
 */
#include <signal.h>

#include "harness.h"

TEST(waitid, exited_child_siginfo)
{
	siginfo_t si;
	pid_t pid = CHECK(fork());

	if (pid == 0)
		_exit(17);
	memset(&si, 0xff, sizeof(si));
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED), 0);
	EXPECT_EQ(si.si_signo, SIGCHLD);
	EXPECT_EQ(si.si_code, CLD_EXITED);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_uid, getuid());
	EXPECT_EQ(si.si_status, 17);
	EXPECT_ERRNO(waitid(P_PID, pid, &si, WEXITED), ECHILD);
}

TEST(waitid, killed_child_siginfo)
{
	int p[2];
	siginfo_t si;
	pid_t pid;
	char c;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	CHECK(kill(pid, SIGTERM));
	close(p[1]);
	EXPECT_RET(waitid(P_ALL, 0, &si, WEXITED), 0);
	EXPECT_EQ(si.si_code, CLD_KILLED);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_status, SIGTERM);
}

TEST(waitid, wnohang_running_child)
{
	int p[2];
	siginfo_t si;
	pid_t pid;
	char c;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 4 : 5);
	}
	close(p[0]);
	memset(&si, 0xff, sizeof(si));
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
	EXPECT_EQ(si.si_pid, 0);
	close(p[1]);
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED), 0);
	EXPECT_EQ(si.si_status, 4);
}

TEST(waitid, wnowait_keeps_child)
{
	siginfo_t si;
	pid_t pid = CHECK(fork());
	int st = 0;

	if (pid == 0)
		_exit(2);
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_status, 2);
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	EXPECT_RET(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED(st, 2);
}

TEST(waitid, errors)
{
	siginfo_t si;
	pid_t pid;

	EXPECT_ERRNO(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	EXPECT_ERRNO(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);
	pid = CHECK(fork());
	if (pid == 0)
		_exit(0);
	EXPECT_ERRNO(waitid(P_PID, pid, &si, 0), EINVAL);
	EXPECT_ERRNO(waitid(P_PID, pid, &si, WNOHANG), EINVAL);
	EXPECT_ERRNO(syscall(SYS_waitid, 42, pid, &si, WEXITED, NULL), EINVAL);
	EXPECT_ERRNO(waitid(P_PID, getpid(), &si, WEXITED), ECHILD);
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED), 0);
}
