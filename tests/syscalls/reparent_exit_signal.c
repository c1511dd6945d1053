// SPDX-License-Identifier: MIT
/*
 * An orphan reparented to init (or to a child subreaper) has its exit signal
 * reset to SIGCHLD, as Linux's reparent_leader() does ("we don't want people
 * slaying init"): a grandchild cloned with exit signal SIGUSR1 whose parent
 * exits must not send SIGUSR1 to its new parent, which sees it as an
 * ordinary child (waitpid without __WALL finds it) and gets SIGCHLD.
 * Found by tests/fuzz (a random clone() exit signal killed the driver).
 * In the sandbox the test is pid 1; natively it makes itself a subreaper.
 */
#include <signal.h>
#include <sys/prctl.h>

#include "harness.h"

static volatile sig_atomic_t g_usr1, g_chld;

static void on_usr1(int sig)
{
	(void)sig;
	g_usr1++;
}

static void on_chld(int sig)
{
	(void)sig;
	g_chld++;
}

TEST(reparent, exit_signal_becomes_sigchld)
{
	struct sigaction su = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	struct sigaction sc = { .sa_handler = on_chld, .sa_flags = SA_RESTART };
	pid_t c, g = 0;
	int p[2], go[2], st = 0;
	char b = 0;

	if (getpid() != 1)
		CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	CHECK(sigaction(SIGUSR1, &su, NULL));
	CHECK(sigaction(SIGCHLD, &sc, NULL));
	CHECK(pipe(p));
	CHECK(pipe(go));
	c = CHECK(fork());
	if (c == 0) {
		/* fork-like clone with SIGUSR1 as the exit signal */
		pid_t gc = (pid_t)syscall(SYS_clone, SIGUSR1, 0, 0, 0, 0);

		if (gc == 0) {
			/* exit only once reparented and the test counts SIGCHLDs afresh */
			close(go[1]);
			_exit(read(go[0], &b, 1) == 1 ? 7 : 8);
		}
		if (write(p[1], &gc, sizeof(gc)) != sizeof(gc))
			_exit(2);
		_exit(gc > 0 ? 0 : 1);
	}
	close(p[1]);
	close(go[0]);
	EXPECT_RET(read(p[0], &g, sizeof(g)), (ssize_t)sizeof(g));
	close(p[0]);
	EXPECT_RET(waitpid(c, &st, 0), c);
	EXPECT_EXITED(st, 0);
	CHECK(g > 0 ? 0 : -1);
	g_chld = 0;
	EXPECT_RET(write(go[1], "x", 1), 1);
	close(go[1]);
	/* The orphan is now an ordinary child: found without __WALL. */
	while ((c = waitpid(g, &st, 0)) < 0 && errno == EINTR)
		;
	EXPECT_RET(c, g);
	EXPECT_EXITED(st, 7);
	EXPECT_EQ(g_usr1, 0);
	EXPECT_EQ(g_chld, 1);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}
