// SPDX-License-Identifier: MIT
/*
 * RLIMIT_CPU: SIGXCPU at the soft limit (which then moves on by a second),
 * SIGKILL at the hard limit, counted on the process's own CPU time. Each
 * child spins for one or two seconds of CPU.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"

static volatile sig_atomic_t got_xcpu;
static volatile int xcpu_code;
static volatile long spin_sink;

static void on_xcpu(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	xcpu_code = si->si_code;
	got_xcpu++;
}

/* Spins until @flag is set (or forever when @flag is NULL). */
static void spin(volatile sig_atomic_t *flag)
{
	while (!flag || !*flag)
		spin_sink++;
}

static void set_cpu_limit(rlim_t soft, rlim_t hard)
{
	struct rlimit rl = { soft, hard }, nocore = { 0, 0 };

	setrlimit(RLIMIT_CORE, &nocore);
	if (setrlimit(RLIMIT_CPU, &rl))
		_exit(100);
}

TEST(rlimit_cpu, soft_limit_sends_sigxcpu)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_xcpu, .sa_flags = SA_SIGINFO };
		struct rlimit rl;

		sigaction(SIGXCPU, &sa, NULL);
		set_cpu_limit(1, 3);
		spin(&got_xcpu);
		if (xcpu_code != SI_KERNEL)
			_exit(1);
		/* Linux moves the soft limit on by a second, for the next SIGXCPU */
		if (getrlimit(RLIMIT_CPU, &rl) || rl.rlim_cur != 2 || rl.rlim_max != 3)
			_exit(2);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(rlimit_cpu, hard_limit_kills)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		set_cpu_limit(1, 1);
		spin(NULL);
		_exit(0);
	}
	EXPECT_SIGNALED(wait_status(pid), SIGKILL);
}

/* Without a handler SIGXCPU's default action ends the process. */
TEST(rlimit_cpu, sigxcpu_default_terminates)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		set_cpu_limit(1, RLIM_INFINITY);
		spin(NULL);
		_exit(0);
	}
	EXPECT_SIGNALED(wait_status(pid), SIGXCPU);
}

/* The limit is inherited by fork, and the child's own CPU time counts (from zero). */
TEST(rlimit_cpu, inherited_by_child)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		pid_t inner;
		int st;

		set_cpu_limit(1, 1);
		inner = fork();
		if (inner == 0) {
			spin(NULL);
			_exit(0);
		}
		if (inner < 0 || waitpid(inner, &st, 0) != inner)
			_exit(3);
		_exit(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 4);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

/*
 * prlimit(RLIMIT_CPU) on a zombie arms nothing that outlives it: after the
 * zombie is reaped and its memory reused by new processes, timers still work
 * (the Sentry once kept the freed process's CPU poll timer armed; found by
 * the fuzzer, seed 26).
 */
TEST(rlimit_cpu, prlimit_on_zombie_then_reap)
{
	for (int round = 0; round < 20; round++) {
		struct rlimit rl = { 100, 200 };
		struct itimerval it = { .it_value = { 0, 1000 } };
		pid_t pid = CHECK(fork());
		siginfo_t si;

		if (pid == 0)
			_exit(0);
		/* Wait until it is a zombie, without reaping it. */
		CHECK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
		EXPECT_EQ(prlimit(pid, RLIMIT_CPU, &rl, NULL), 0);
		EXPECT_EXITED(wait_status(pid), 0);
		/* New processes reuse the freed memory; the timer list is walked again. */
		for (int k = 0; k < 4; k++) {
			pid_t c = CHECK(fork());

			if (c == 0)
				_exit(0);
			EXPECT_EXITED(wait_status(c), 0);
		}
		signal(SIGALRM, SIG_IGN);
		EXPECT_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
		usleep(20000);
	}
}
