// SPDX-License-Identifier: MIT
/*
 * Real-time signals queue every instance with its siginfo: sigqueue() values
 * come back in order within a signal, lowest signal number first; kill()
 * instances queue too; a standard signal stays one instance; a thread's own
 * queue (rt_tgsigqueueinfo); handlers run once per instance; and
 * RLIMIT_SIGPENDING: sigqueue() fails with EAGAIN past it, kill() still works.
 */
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include "harness.h"

static int take(int sig, siginfo_t *si)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	if (sig)
		sigaddset(&set, sig);
	else
		for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
			sigaddset(&set, s);
	return sigtimedwait(&set, si, &zero);
}

static void block_rt(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(&set, s);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL));
}

static void unblock_all(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

static int queue(int sig, int v)
{
	return sigqueue(getpid(), sig, (union sigval){ .sival_int = v });
}

TEST(rt_signals, every_instance_in_order_lowest_first)
{
	siginfo_t si;

	block_rt();
	for (int i = 0; i < 5; i++) {
		EXPECT_RET(queue(SIGRTMIN + 1, 100 + i), 0);
		if (i < 3)
			EXPECT_RET(queue(SIGRTMIN, 200 + i), 0);
	}
	for (int i = 0; i < 3; i++) {
		EXPECT_RET(take(0, &si), SIGRTMIN);
		EXPECT_EQ(si.si_code, SI_QUEUE);
		EXPECT_EQ(si.si_value.sival_int, 200 + i);
		EXPECT_EQ(si.si_pid, getpid());
	}
	for (int i = 0; i < 5; i++) {
		EXPECT_RET(take(0, &si), SIGRTMIN + 1);
		EXPECT_EQ(si.si_value.sival_int, 100 + i);
	}
	EXPECT_ERRNO(take(0, &si), EAGAIN);
	unblock_all();
}

TEST(rt_signals, kill_instances_queue_standard_signal_once)
{
	siginfo_t si;

	block_rt();
	for (int i = 0; i < 3; i++)
		EXPECT_RET(kill(getpid(), SIGRTMAX), 0);
	for (int i = 0; i < 3; i++) {
		EXPECT_RET(take(SIGRTMAX, &si), SIGRTMAX);
		EXPECT_EQ(si.si_code, SI_USER);
	}
	EXPECT_ERRNO(take(SIGRTMAX, &si), EAGAIN);
	for (int i = 0; i < 3; i++)
		EXPECT_RET(queue(SIGUSR1, i), 0);
	EXPECT_RET(take(SIGUSR1, &si), SIGUSR1);
	EXPECT_EQ(si.si_value.sival_int, 0);
	EXPECT_ERRNO(take(SIGUSR1, &si), EAGAIN);
	unblock_all();
}

TEST(rt_signals, thread_directed_queue)
{
	siginfo_t si, in;

	block_rt();
	for (int i = 0; i < 4; i++) {
		memset(&in, 0, sizeof(in));
		in.si_signo = SIGRTMIN + 2;
		in.si_code = SI_QUEUE;
		in.si_pid = getpid();
		in.si_uid = getuid();
		in.si_value.sival_int = 40 + i;
		EXPECT_RET(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGRTMIN + 2, &in), 0);
	}
	EXPECT_RET(queue(SIGRTMIN + 2, 99), 0);	/* process-directed: after the thread's own */
	for (int i = 0; i < 4; i++) {
		EXPECT_RET(take(SIGRTMIN + 2, &si), SIGRTMIN + 2);
		EXPECT_EQ(si.si_value.sival_int, 40 + i);
	}
	EXPECT_RET(take(SIGRTMIN + 2, &si), SIGRTMIN + 2);
	EXPECT_EQ(si.si_value.sival_int, 99);
	EXPECT_ERRNO(take(SIGRTMIN + 2, &si), EAGAIN);
	unblock_all();
}

static volatile int seen[16], nseen;	/* volatile: sigprocmask() is a leaf to gcc */

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	if (nseen < 16)
		seen[nseen++] = si->si_value.sival_int;
}

TEST(rt_signals, handler_runs_per_instance)
{
	struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };

	CHECK(sigaction(SIGRTMIN + 3, &sa, NULL));
	block_rt();
	for (int i = 0; i < 6; i++)
		EXPECT_RET(queue(SIGRTMIN + 3, 10 + i), 0);
	nseen = 0;
	unblock_all();
	EXPECT_EQ(nseen, 6);
	for (int i = 0; i < nseen; i++)
		EXPECT_EQ(seen[i], 10 + i);
	signal(SIGRTMIN + 3, SIG_DFL);
}

#define LIMIT 16

TEST(rt_signals, rlimit_sigpending)
{
	pid_t pid = fork();

	CHECK(pid);
	if (pid == 0) {
		struct rlimit rl = { LIMIT, LIMIT };
		siginfo_t si;
		int n = 0, r = 0;

		block_rt();
		if (setrlimit(RLIMIT_SIGPENDING, &rl))
			_exit(10);
		while (n <= LIMIT && (r = queue(SIGRTMIN, n)) == 0)
			n++;
		/* the user's other pending signals count too: at most LIMIT */
		if (r != -1 || errno != EAGAIN || n < 1 || n > LIMIT)
			_exit(11);
		if (kill(getpid(), SIGRTMIN))	/* kill() is never refused */
			_exit(12);
		for (int i = 0; i < n; i++)
			if (take(SIGRTMIN, &si) != SIGRTMIN || si.si_value.sival_int != i)
				_exit(13);
		/* the kill() found the queue full and the signal pending: nothing more (Linux) */
		if (take(SIGRTMIN, &si) != -1 || errno != EAGAIN)
			_exit(15);
		/* room again */
		if (queue(SIGRTMIN, 7) || take(SIGRTMIN, &si) != SIGRTMIN || si.si_value.sival_int != 7)
			_exit(16);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}
