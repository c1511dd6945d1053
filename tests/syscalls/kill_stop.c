// SPDX-License-Identifier: MIT
/*
 * kill(2) with the stop and continue default actions: SIGSTOP stops a
 * child (waitpid WUNTRACED reports WIFSTOPPED with WSTOPSIG), SIGCONT
 * resumes it (WCONTINUED reports WIFCONTINUED, once), a stopped child can
 * still be killed by SIGKILL, and waitid(WSTOPPED/WCONTINUED) reports
 * CLD_STOPPED and CLD_CONTINUED. The child must stay blocked while these
 * states are collected, so they are polled with WNOHANG for at most 10 s
 * instead of waiting on a change that a broken kernel might never report.
 */
#include <signal.h>
#include <time.h>

#include "harness.h"

#define POLL_MS	10000

/* A child that exits 0 when @go's write end closes; returns its pid. */
static pid_t spawn_waiter(int *go_write)
{
	int go[2];
	pid_t pid;
	char c;

	CHECK(pipe(go));
	pid = CHECK(fork());
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	*go_write = go[1];
	return pid;
}

static void sleep_1ms(void)
{
	struct timespec ts = { 0, 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* waitpid(@pid, @flags | WNOHANG) until it reports; returns its result. */
static pid_t poll_waitpid(pid_t pid, int *st, int flags)
{
	pid_t r = 0;
	int i;

	for (i = 0; i < POLL_MS && r == 0; i++) {
		r = waitpid(pid, st, flags | WNOHANG);
		if (r == 0)
			sleep_1ms();
	}
	return r;
}

/* waitid(P_PID, @pid, @flags | WNOHANG) until it reports; returns its result. */
static int poll_waitid(pid_t pid, siginfo_t *si, int flags)
{
	int i, r = 0;

	for (i = 0; i < POLL_MS; i++) {
		memset(si, 0, sizeof(*si));
		r = waitid(P_PID, pid, si, flags | WNOHANG);
		if (r || si->si_pid)
			break;
		sleep_1ms();
	}
	return r;
}

TEST(kill_stop, stop_and_continue)
{
	int go, st = 0;
	pid_t pid = spawn_waiter(&go);

	EXPECT_RET(kill(pid, SIGSTOP), 0);
	EXPECT_RET(poll_waitpid(pid, &st, WUNTRACED), pid);
	EXPECT_TRUE(WIFSTOPPED(st));
	EXPECT_EQ(WSTOPSIG(st), SIGSTOP);
	EXPECT_RET(waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
	EXPECT_RET(kill(pid, SIGCONT), 0);
	EXPECT_RET(poll_waitpid(pid, &st, WCONTINUED), pid);
	EXPECT_TRUE(WIFCONTINUED(st));
	EXPECT_RET(waitpid(pid, &st, WCONTINUED | WNOHANG), 0);
	close(go);
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(kill_stop, sigkill_ends_stopped_child)
{
	int go, st = 0;
	pid_t pid = spawn_waiter(&go);

	CHECK(kill(pid, SIGSTOP));
	EXPECT_RET(poll_waitpid(pid, &st, WUNTRACED), pid);
	EXPECT_TRUE(WIFSTOPPED(st));
	EXPECT_RET(kill(pid, SIGKILL), 0);
	close(go);
	EXPECT_SIGNALED(wait_status(pid), SIGKILL);
}

TEST(kill_stop, waitid_stopped_and_continued)
{
	siginfo_t si;
	int go;
	pid_t pid = spawn_waiter(&go);

	CHECK(kill(pid, SIGSTOP));
	EXPECT_RET(poll_waitid(pid, &si, WSTOPPED), 0);
	EXPECT_EQ(si.si_code, CLD_STOPPED);
	EXPECT_EQ(si.si_status, SIGSTOP);
	EXPECT_EQ(si.si_pid, pid);
	CHECK(kill(pid, SIGCONT));
	EXPECT_RET(poll_waitid(pid, &si, WCONTINUED), 0);
	EXPECT_EQ(si.si_code, CLD_CONTINUED);
	EXPECT_EQ(si.si_status, SIGCONT);
	close(go);
	EXPECT_EXITED(wait_status(pid), 0);
}
