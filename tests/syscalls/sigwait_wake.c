// SPDX-License-Identifier: MIT
/*
 * A process-directed signal wakes the thread that waits for it in
 * rt_sigtimedwait (the signal blocked, as sigwait users do): single- and
 * multi-threaded waiters, senders in other processes, sigqueue values,
 * signals whose default action is "ignore", timeouts and EINTR.
 * The short sleeps before sending only make it likely that the waiter is
 * already asleep; the results do not depend on them.
 */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include "harness.h"

static void nap(void)
{
	struct timespec ts = { 0, 30 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void block(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Child: block @sig, tell the parent through @fd, wait for @sig; exit code 0 = got it with the right info. */
static int wait_child(int sig, int fd, pid_t sender, int want_value)
{
	sigset_t set;
	siginfo_t si;
	int r;

	block(sig);
	if (write(fd, "r", 1) != 1)
		return 10;
	sigemptyset(&set);
	sigaddset(&set, sig);
	r = sigwaitinfo(&set, &si);
	if (r != sig)
		return 11;
	if (si.si_signo != sig || si.si_pid != sender)
		return 12;
	if (want_value >= 0 && (si.si_code != SI_QUEUE || si.si_value.sival_int != want_value))
		return 13;
	if (want_value < 0 && si.si_code != SI_USER)
		return 14;
	return 0;
}

static pid_t spawn_waiter(int sig, int want_value)
{
	int p[2];
	char c;
	pid_t parent = getpid(), pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[0]);
		_exit(wait_child(sig, p[1], parent, want_value));
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 1);
	close(p[0]);
	nap();
	return pid;
}

TEST(sigwait_wake, kill_from_other_process)
{
	pid_t pid = spawn_waiter(SIGUSR1, -1);

	CHECK(kill(pid, SIGUSR1));
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(sigwait_wake, sigqueue_value_and_pid)
{
	union sigval v = { .sival_int = 4321 };
	pid_t pid = spawn_waiter(SIGRTMIN + 1, 4321);

	CHECK(sigqueue(pid, SIGRTMIN + 1, v));
	EXPECT_EXITED(wait_status(pid), 0);
}

/* Blocked signals are never ignored (Linux's sig_ignored): a default-ignore signal still wakes sigwait. */
TEST(sigwait_wake, default_ignored_signal)
{
	static const int sigs[] = { SIGCHLD, SIGURG, SIGWINCH };

	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid_t pid = spawn_waiter(sigs[i], -1);

		CHECK(kill(pid, sigs[i]));
		EXPECT_EXITED(wait_status(pid), 0);
	}
}

/* The classic: block SIGCHLD, fork, sigwait for the child's exit. */
TEST(sigwait_wake, sigchld_of_exiting_child)
{
	sigset_t set, old;
	siginfo_t si;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old));
	pid = CHECK(fork());
	if (pid == 0) {
		nap();
		_exit(7);
	}
	EXPECT_RET(sigwaitinfo(&set, &si), SIGCHLD);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(si.si_code, CLD_EXITED);
	EXPECT_EQ(si.si_status, 7);
	EXPECT_EXITED(wait_status(pid), 7);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL));
}

struct waiter_arg {
	int sig;
	int got;
	siginfo_t si;
};

static void *waiter_thread(void *p)
{
	struct waiter_arg *w = p;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, w->sig);
	w->got = sigwaitinfo(&set, &w->si);
	return NULL;
}

/* A non-main thread waits; the main thread sits in pthread_join; all threads block the signal. */
static int threaded_child(int fd, int sig)
{
	struct waiter_arg w = { .sig = sig };
	pthread_t th;

	block(sig);
	if (pthread_create(&th, NULL, waiter_thread, &w))
		return 20;
	if (write(fd, "r", 1) != 1)
		return 21;
	pthread_join(th, NULL);
	if (w.got != sig)
		return 22;
	if (w.si.si_pid != getppid())
		return 23;
	return 0;
}

TEST(sigwait_wake, non_main_thread_waits)
{
	int p[2];
	char c;
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[0]);
		_exit(threaded_child(p[1], SIGUSR2));
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 1);
	close(p[0]);
	nap();
	CHECK(kill(pid, SIGUSR2));
	EXPECT_EXITED(wait_status(pid), 0);
}

/* Same in one process: the main thread kill()s its own process while a thread waits. */
TEST(sigwait_wake, own_process_thread_waits)
{
	struct waiter_arg w = { .sig = SIGURG };
	sigset_t set, old;
	pthread_t th;

	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old));
	CHECK(pthread_create(&th, NULL, waiter_thread, &w) ? -1 : 0);
	nap();
	CHECK(kill(getpid(), SIGURG));
	pthread_join(th, NULL);
	EXPECT_EQ(w.got, SIGURG);
	EXPECT_EQ(w.si.si_pid, getpid());
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL));
}

TEST(sigwait_wake, timeout_is_eagain)
{
	sigset_t set, old;
	siginfo_t si;
	struct timespec ts = { 0, 10 * 1000 * 1000 }, zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old));
	EXPECT_ERRNO(sigtimedwait(&set, &si, &ts), EAGAIN);
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	CHECK(sigprocmask(SIG_SETMASK, &old, NULL));
}

static volatile sig_atomic_t handled;

static void on_sig(int sig)
{
	handled = sig;
}

/* An unblocked, handled signal other than the awaited one: the handler runs and sigwait fails with EINTR. */
TEST(sigwait_wake, other_signal_is_eintr)
{
	int p[2];
	char c;
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
		sigset_t set;
		siginfo_t si;
		int r, e;

		close(p[0]);
		sigaction(SIGUSR2, &sa, NULL);
		block(SIGUSR1);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		if (write(p[1], "r", 1) != 1)
			_exit(30);
		r = sigwaitinfo(&set, &si);
		e = errno;
		_exit(r == -1 && e == EINTR && handled == SIGUSR2 ? 0 : 31);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 1);
	close(p[0]);
	nap();
	CHECK(kill(pid, SIGUSR2));
	EXPECT_EXITED(wait_status(pid), 0);
}

/* rt_sigsuspend wakes for a process-directed signal sent from another process. */
TEST(sigwait_wake, sigsuspend_from_other_process)
{
	int p[2];
	char c;
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sig };
		sigset_t empty;

		close(p[0]);
		sigaction(SIGUSR1, &sa, NULL);
		block(SIGUSR1);
		sigemptyset(&empty);
		if (write(p[1], "r", 1) != 1)
			_exit(40);
		sigsuspend(&empty);
		_exit(handled == SIGUSR1 ? 0 : 41);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 1);
	close(p[0]);
	nap();
	CHECK(kill(pid, SIGUSR1));
	EXPECT_EXITED(wait_status(pid), 0);
}
