// SPDX-License-Identifier: MIT
/*
 * A program that takes SIGSYS for itself (systrap's trap signal on the host)
 * keeps working like on Linux: its own SIGSYS handler, SIGSYS blocked or
 * ignored, and a raised SIGSYS are all its business; system calls go on
 * working meanwhile and the handler sees exactly the SIGSYS it raised.
 */
#include <signal.h>
#include <time.h>
#include "harness.h"

static volatile int got_sig, got_code, hits;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	hits++;
}

static void own_sigsys(void)
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO };

	CHECK(sigaction(SIGSYS, &sa, NULL));
	got_sig = got_code = hits = 0;
}

/* Syscalls of several kinds still work: ids, a pipe round trip, the clock. */
static void syscalls_work(void)
{
	char buf[4] = { 0 };
	struct timespec ts;
	int p[2];

	EXPECT_EQ(getpid(), (pid_t)syscall(SYS_getpid));
	CHECK(pipe(p));
	EXPECT_RET(write(p[1], "abc", 3), 3);
	EXPECT_RET(read(p[0], buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "abc");
	EXPECT_RET(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	close(p[0]);
	close(p[1]);
}

TEST(sigsys, own_handler_sees_raise)
{
	own_sigsys();
	syscalls_work();
	EXPECT_EQ(hits, 0);
	EXPECT_RET(raise(SIGSYS), 0);
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(got_sig, SIGSYS);
	EXPECT_EQ(got_code, SI_TKILL);
}

TEST(sigsys, blocked_then_delivered)
{
	sigset_t set, old;

	own_sigsys();
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old));
	syscalls_work();
	EXPECT_RET(kill(getpid(), SIGSYS), 0);
	syscalls_work();
	EXPECT_EQ(hits, 0);
	CHECK(sigpending(&set));
	EXPECT_TRUE(sigismember(&set, SIGSYS));
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL));
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(got_code, SI_USER);
}

TEST(sigsys, ignored)
{
	struct sigaction sa = { .sa_handler = SIG_IGN }, old;

	CHECK(sigaction(SIGSYS, &sa, &old));
	syscalls_work();
	EXPECT_RET(raise(SIGSYS), 0);
	syscalls_work();
	CHECK(sigaction(SIGSYS, &old, NULL));
}

TEST(sigsys, default_action_kills_child)
{
	pid_t pid = fork();
	int status;

	CHECK(pid >= 0);
	if (pid == 0) {
		signal(SIGSYS, SIG_DFL);
		syscalls_work();
		raise(SIGSYS);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
}
