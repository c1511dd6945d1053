// SPDX-License-Identifier: MIT
/*
 * Periodic timers with deadlines in the past and tiny intervals: a POSIX
 * timer armed at an absolute time already gone fires at once and counts
 * the missed periods as overruns (up to the moment its signal is taken);
 * 1 ns intervals on POSIX timers, setitimer and timerfd never stop the
 * program from making progress.
 */
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include "harness.h"

static volatile long sink;

/* Some guest work between signals; it must finish while a timer runs. */
static void work(void)
{
	for (long i = 0; i < 200000; i++)
		sink += i;
}

static sigset_t block_one(int sig, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, old);
	return set;
}

static timer_t make_timer(clockid_t clock, int sig)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = sig };
	timer_t id;

	ev.sigev_value.sival_int = 77;
	CHECK(timer_create(clock, &ev, &id));
	return id;
}

static void disarm(timer_t id)
{
	struct itimerspec zero = { 0 };

	timer_settime(id, 0, &zero, NULL);
}

static void past_abstime(clockid_t clock)
{
	struct itimerspec its = { .it_value = { 1, 0 }, .it_interval = { 0, 1 } };
	struct timespec wait = { 5, 0 };
	sigset_t old, set = block_one(SIGRTMIN, &old);
	timer_t id = make_timer(clock, SIGRTMIN);
	siginfo_t si;

	CHECK(timer_settime(id, TIMER_ABSTIME, &its, NULL));
	work();
	EXPECT_RET(sigtimedwait(&set, &si, &wait), SIGRTMIN);
	EXPECT_EQ(si.si_code, SI_TIMER);
	EXPECT_EQ(si.si_value.sival_int, 77);
	EXPECT_TRUE(si.si_overrun > 0);
	EXPECT_EQ(timer_getoverrun(id), si.si_overrun);
	/* it keeps firing, one signal at a time, and the program keeps running */
	for (int k = 0; k < 4; k++) {
		work();
		EXPECT_RET(sigtimedwait(&set, &si, &wait), SIGRTMIN);
		EXPECT_TRUE(si.si_overrun >= 0);
		EXPECT_EQ(timer_getoverrun(id), si.si_overrun);
	}
	CHECK(timer_gettime(id, &its));
	EXPECT_EQ(its.it_interval.tv_sec, 0);
	EXPECT_EQ(its.it_interval.tv_nsec, 1);
	CHECK(timer_delete(id));
	sigtimedwait(&set, &si, &(struct timespec){ 0, 0 });
	sigprocmask(SIG_SETMASK, &old, NULL);
}

TEST(timer_periodic, past_absolute_monotonic_fires_and_overruns)
{
	past_abstime(CLOCK_MONOTONIC);
}

TEST(timer_periodic, past_absolute_realtime_fires_and_overruns)
{
	past_abstime(CLOCK_REALTIME);
}

/* CLOCK_REALTIME at 1 s after the epoch is decades gone: the overrun saturates at DELAYTIMER_MAX. */
TEST(timer_periodic, overrun_saturates)
{
	struct itimerspec its = { .it_value = { 1, 0 }, .it_interval = { 0, 1 } };
	struct timespec wait = { 5, 0 };
	sigset_t old, set = block_one(SIGRTMIN, &old);
	timer_t id = make_timer(CLOCK_REALTIME, SIGRTMIN);
	siginfo_t si;

	CHECK(timer_settime(id, TIMER_ABSTIME, &its, NULL));
	EXPECT_RET(sigtimedwait(&set, &si, &wait), SIGRTMIN);
	EXPECT_EQ(si.si_overrun, INT_MAX);
	EXPECT_EQ(timer_getoverrun(id), INT_MAX);
	CHECK(timer_delete(id));
	sigtimedwait(&set, &si, &(struct timespec){ 0, 0 });
	sigprocmask(SIG_SETMASK, &old, NULL);
}

TEST(timer_periodic, past_one_shot_fires_once)
{
	struct itimerspec its = { .it_value = { 1, 0 } };
	struct timespec wait = { 5, 0 }, zero = { 0, 0 };
	sigset_t old, set = block_one(SIGRTMIN, &old);
	timer_t id = make_timer(CLOCK_MONOTONIC, SIGRTMIN);
	siginfo_t si;

	CHECK(timer_settime(id, TIMER_ABSTIME, &its, NULL));
	EXPECT_RET(sigtimedwait(&set, &si, &wait), SIGRTMIN);
	EXPECT_EQ(si.si_overrun, 0);
	EXPECT_EQ(timer_getoverrun(id), 0);
	work();
	EXPECT_ERRNO(sigtimedwait(&set, &si, &zero), EAGAIN);
	CHECK(timer_gettime(id, &its));
	EXPECT_EQ(its.it_value.tv_sec, 0);
	EXPECT_EQ(its.it_value.tv_nsec, 0);
	CHECK(timer_delete(id));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static timer_t handler_timer;
static volatile int handler_runs;
static volatile int handler_overrun;

/* Counts five signals, then stops the timer (a 1 ns period would otherwise keep us in handlers). */
static void on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handler_overrun = si->si_overrun;
	if (++handler_runs == 5)
		disarm(handler_timer);
}

TEST(timer_periodic, handler_runs_with_1ns_period)
{
	struct sigaction sa = { .sa_sigaction = on_timer, .sa_flags = SA_SIGINFO | SA_RESTART }, old;
	struct itimerspec its = { .it_value = { 0, 1 }, .it_interval = { 0, 1 } };

	CHECK(sigaction(SIGRTMIN + 2, &sa, &old));
	handler_runs = 0;
	handler_timer = make_timer(CLOCK_MONOTONIC, SIGRTMIN + 2);
	CHECK(timer_settime(handler_timer, 0, &its, NULL));
	while (handler_runs < 5)
		work();
	work();
	EXPECT_EQ(handler_runs, 5);
	EXPECT_TRUE(handler_overrun >= 0);
	CHECK(timer_delete(handler_timer));
	sigaction(SIGRTMIN + 2, &old, NULL);
}

TEST(timer_periodic, setitimer_1us_period)
{
	struct itimerval iv = { { 0, 1 }, { 0, 1 } }, zero = { 0 }, cur;
	struct timespec wait = { 5, 0 };
	sigset_t old, set = block_one(SIGALRM, &old);
	siginfo_t si;

	CHECK(setitimer(ITIMER_REAL, &iv, NULL));
	for (int k = 0; k < 4; k++) {
		work();
		EXPECT_RET(sigtimedwait(&set, &si, &wait), SIGALRM);
		EXPECT_EQ(si.si_code, SI_KERNEL);
	}
	CHECK(getitimer(ITIMER_REAL, &cur));
	EXPECT_EQ(cur.it_interval.tv_usec, 1);
	CHECK(setitimer(ITIMER_REAL, &zero, NULL));
	sigtimedwait(&set, &si, &(struct timespec){ 0, 0 });
	sigprocmask(SIG_SETMASK, &old, NULL);
}

TEST(timer_periodic, timerfd_1ns_period)
{
	struct itimerspec its = { .it_value = { 0, 1 }, .it_interval = { 0, 1 } };
	int fd = CHECK(timerfd_create(CLOCK_MONOTONIC, 0));
	uint64_t n, total = 0;

	CHECK(timerfd_settime(fd, 0, &its, NULL));
	for (int k = 0; k < 3; k++) {
		work();
		EXPECT_RET(read(fd, &n, sizeof(n)), sizeof(n));
		EXPECT_TRUE(n >= 1);
		total += n;
	}
	EXPECT_TRUE(total >= 3);
	close(fd);
}

/* A timerfd armed in the past counts every missed period at once. */
TEST(timer_periodic, timerfd_past_absolute)
{
	struct itimerspec its = { .it_value = { 1, 0 }, .it_interval = { 0, 1000000 } };
	struct timespec now;
	int fd = CHECK(timerfd_create(CLOCK_MONOTONIC, 0));
	uint64_t n;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &now));
	CHECK(timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
	EXPECT_RET(read(fd, &n, sizeof(n)), sizeof(n));
	/* one per ms since monotonic time 1 s, give or take the clock's advance */
	EXPECT_TRUE(n + 1 >= (uint64_t)(now.tv_sec - 1) * 1000);
	close(fd);
}
