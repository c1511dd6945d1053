// SPDX-License-Identifier: MIT
/*
 * kill(2) with default and ignored dispositions (no handlers): SIGKILL and
 * SIGTERM terminate a child (WIFSIGNALED, WTERMSIG), SIGURG is ignored by
 * default, SIG_IGN discards SIGTERM, a blocked SIGTERM stays pending and
 * kills on unblock; signal 0 probes a live child, a zombie, the caller and
 * its process group, and gives ESRCH once the child is reaped; EINVAL for
 * signal 99 and -1. Children wait for a pipe to close, and it is closed
 * before every wait, so nothing can hang.
 */
#include <signal.h>

#include "harness.h"

struct kid {
	pid_t pid;
	int go;		/* write end: closing it lets the child finish */
};

/*
 * Forks a child that applies @how to SIGTERM (0: leave, 1: SIG_IGN, 2: block),
 * reports ready, then waits for the go pipe to close and exits 0.
 */
static struct kid spawn(int how)
{
	int ready[2], go[2];
	struct kid k;
	char c;

	CHECK(pipe(ready));
	CHECK(pipe(go));
	k.pid = CHECK(fork());
	if (k.pid == 0) {
		sigset_t set;

		close(go[1]);
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		if (how == 1)
			signal(SIGTERM, SIG_IGN);
		if (how == 2)
			sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		if (read(go[0], &c, 1) != 0)
			_exit(5);
		if (how == 2) {
			sigset_t pending;

			if (sigpending(&pending) || !sigismember(&pending, SIGTERM))
				_exit(3);
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			_exit(4);	/* not reached: SIGTERM kills on unblock */
		}
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	EXPECT_RET(read(ready[0], &c, 1), 1);
	close(ready[0]);
	k.go = go[1];
	return k;
}

TEST(kill, sigkill_and_sigterm_terminate)
{
	struct kid a = spawn(0), b = spawn(0);

	EXPECT_RET(kill(a.pid, SIGKILL), 0);
	EXPECT_RET(kill(b.pid, SIGTERM), 0);
	/* closed first, so that a child the signal missed exits 0, not hangs */
	close(a.go);
	close(b.go);
	EXPECT_SIGNALED(wait_status(a.pid), SIGKILL);
	EXPECT_SIGNALED(wait_status(b.pid), SIGTERM);
}

TEST(kill, default_ignored_signal)
{
	struct kid k = spawn(0);

	EXPECT_RET(kill(k.pid, SIGURG), 0);
	EXPECT_RET(kill(k.pid, SIGCHLD), 0);
	EXPECT_RET(kill(k.pid, SIGWINCH), 0);
	EXPECT_RET(kill(k.pid, 0), 0);
	close(k.go);
	EXPECT_EXITED(wait_status(k.pid), 0);
}

TEST(kill, sig_ign_discards)
{
	struct kid k = spawn(1);

	EXPECT_RET(kill(k.pid, SIGTERM), 0);
	close(k.go);
	EXPECT_EXITED(wait_status(k.pid), 0);
}

TEST(kill, blocked_signal_kills_on_unblock)
{
	struct kid k = spawn(2);

	EXPECT_RET(kill(k.pid, SIGTERM), 0);
	close(k.go);
	EXPECT_SIGNALED(wait_status(k.pid), SIGTERM);
}

TEST(kill, signal_zero_probes)
{
	siginfo_t si;
	pid_t pid;

	EXPECT_RET(kill(getpid(), 0), 0);
	EXPECT_RET(kill(0, 0), 0);
	/* As pid 1 of a container our group is 1, and -1 means "everyone but
	 * init and me", which may be nobody: probe the group only elsewhere. */
	if (getpgrp() != 1)
		EXPECT_RET(kill(-getpgrp(), 0), 0);
	pid = CHECK(fork());
	if (pid == 0)
		_exit(0);
	CHECK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	EXPECT_RET(kill(pid, 0), 0);	/* a zombie still exists */
	CHECK(waitpid(pid, NULL, 0));
	EXPECT_ERRNO(kill(pid, 0), ESRCH);
	EXPECT_ERRNO(kill(pid, SIGKILL), ESRCH);
	EXPECT_ERRNO(kill(INT_MAX, 0), ESRCH);
}

TEST(kill, bad_signal_is_einval)
{
	struct kid k = spawn(0);

	EXPECT_ERRNO(kill(k.pid, 99), EINVAL);
	EXPECT_ERRNO(kill(k.pid, -1), EINVAL);
	EXPECT_ERRNO(kill(k.pid, 65), EINVAL);
	EXPECT_ERRNO(kill(getpid(), 99), EINVAL);
	close(k.go);
	EXPECT_EXITED(wait_status(k.pid), 0);
}
