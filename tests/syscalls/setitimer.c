// SPDX-License-Identifier: MIT
/*
 * Interval and POSIX timers: ITIMER_REAL fires SIGALRM, getitimer shows the
 * time left, ITIMER_VIRTUAL and ITIMER_PROF fire on CPU time spent, alarm() returns the previous remainder, setitimer rejects bad
 * values; timer_create/settime/gettime/delete with SIGEV_SIGNAL and
 * SIGEV_NONE and SIGEV_THREAD_ID (the signal reaches that thread); EINVAL for
 * a bad clock or timer id.
 */
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <pthread.h>
#include "harness.h"

static volatile sig_atomic_t alarms, timer_sigs;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == SI_TIMER && si->si_value.sival_int == 77)
		timer_sigs++;
}

static void wait_for(volatile sig_atomic_t *flag, int want)
{
	for (int i = 0; i < 5000 && *flag < want; i++)
		usleep(1000);
}

TEST(setitimer, real_fires_sigalrm)
{
	struct itimerval it = { .it_value = { 0, 20000 } }, cur;
	struct sigaction sa = { .sa_handler = on_alarm };

	alarms = 0;
	CHECK(sigaction(SIGALRM, &sa, NULL));
	EXPECT_RET(setitimer(ITIMER_REAL, &it, NULL), 0);
	EXPECT_RET(getitimer(ITIMER_REAL, &cur), 0);
	EXPECT_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 20000);
	wait_for(&alarms, 1);
	EXPECT_EQ(alarms, 1);
	EXPECT_RET(getitimer(ITIMER_REAL, &cur), 0);
	EXPECT_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	signal(SIGALRM, SIG_DFL);
}

TEST(setitimer, interval_repeats_and_disarms)
{
	struct itimerval it = { .it_value = { 0, 5000 }, .it_interval = { 0, 5000 } }, off = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };

	alarms = 0;
	CHECK(sigaction(SIGALRM, &sa, NULL));
	EXPECT_RET(setitimer(ITIMER_REAL, &it, NULL), 0);
	wait_for(&alarms, 3);
	EXPECT_RET(setitimer(ITIMER_REAL, &off, NULL), 0);
	EXPECT_TRUE(alarms >= 3);
	signal(SIGALRM, SIG_DFL);
}

TEST(alarm, returns_previous_remainder)
{
	EXPECT_RET(alarm(100), 0);
	EXPECT_RET(alarm(0), 100);
	EXPECT_RET(alarm(0), 0);
}

TEST(setitimer, errors)
{
	struct itimerval bad = { .it_value = { 0, 1000000 } };

	EXPECT_ERRNO(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_setitimer, 99, NULL, NULL), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getitimer, 99, &bad), EINVAL);
}

TEST(timer_create, signal_with_value)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 1 };
	struct itimerspec its = { .it_value = { 0, 10000000 } }, cur;
	struct sigaction sa = { .sa_sigaction = on_rt, .sa_flags = SA_SIGINFO };
	timer_t id;

	timer_sigs = 0;
	ev.sigev_value.sival_int = 77;
	CHECK(sigaction(SIGRTMIN + 1, &sa, NULL));
	EXPECT_RET(timer_create(CLOCK_MONOTONIC, &ev, &id), 0);
	EXPECT_RET(timer_settime(id, 0, &its, NULL), 0);
	wait_for(&timer_sigs, 1);
	EXPECT_EQ(timer_sigs, 1);
	EXPECT_RET(timer_gettime(id, &cur), 0);
	EXPECT_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	EXPECT_RET(timer_delete(id), 0);
	EXPECT_ERRNO(timer_delete(id), EINVAL);
	signal(SIGRTMIN + 1, SIG_DFL);
}

TEST(timer_create, sigev_none_counts_down)
{
	struct sigevent ev = { .sigev_notify = SIGEV_NONE };
	struct itimerspec its = { .it_value = { 100, 0 } }, cur;
	timer_t id;

	EXPECT_RET(timer_create(CLOCK_REALTIME, &ev, &id), 0);
	EXPECT_RET(timer_settime(id, 0, &its, NULL), 0);
	EXPECT_RET(timer_gettime(id, &cur), 0);
	EXPECT_TRUE(cur.it_value.tv_sec >= 98 && cur.it_value.tv_sec <= 100);
	EXPECT_RET(timer_delete(id), 0);
	EXPECT_ERRNO(timer_create(12345, &ev, &id), EINVAL);
}

static volatile sig_atomic_t cpu_sigs;

static void on_cpu_timer(int sig)
{
	(void)sig;
	cpu_sigs++;
}

/* Burn CPU until the signal arrives (or 10 s of wall time, a failure). */
static int burn_until_signal(void)
{
	time_t end = time(NULL) + 10;
	volatile unsigned long x = 0;

	while (!cpu_sigs && time(NULL) < end)
		for (int i = 0; i < 100000; i++)
			x += i;
	return cpu_sigs;
}

TEST(setitimer, cpu_time_timers_fire)
{
	struct itimerval it = { .it_value = { 0, 30000 } }, cur;
	static const int which[2] = { ITIMER_VIRTUAL, ITIMER_PROF };
	static const int sigs[2] = { SIGVTALRM, SIGPROF };

	for (int k = 0; k < 2; k++) {
		struct sigaction sa = { .sa_handler = on_cpu_timer };

		CHECK(sigaction(sigs[k], &sa, NULL));
		cpu_sigs = 0;
		EXPECT_RET(setitimer(which[k], &it, NULL), 0);
		EXPECT_RET(getitimer(which[k], &cur), 0);
		/* Linux rounds the value up to its tick, so allow 30 ms plus one 10 ms tick */
		EXPECT_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 40000);
		EXPECT_TRUE(burn_until_signal() >= 1);
		EXPECT_RET(getitimer(which[k], &cur), 0);
		EXPECT_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
		signal(sigs[k], SIG_DFL);
	}
}

static volatile pid_t timer_hit_tid, worker_tid;
static volatile int worker_stop;

static void on_thread_timer(int sig)
{
	(void)sig;
	timer_hit_tid = (pid_t)syscall(SYS_gettid);
}

static void *timer_worker(void *arg)
{
	worker_tid = (pid_t)syscall(SYS_gettid);
	while (!worker_stop)
		usleep(1000);
	return arg;
}

TEST(timer_create, sigev_thread_id_targets_thread)
{
	struct sigaction sa = { .sa_handler = on_thread_timer };
	struct itimerspec its = { .it_value = { 0, 10000000 } };
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR2 };
	pthread_t th;
	timer_t id;

	timer_hit_tid = worker_tid = 0;
	worker_stop = 0;
	CHECK(sigaction(SIGUSR2, &sa, NULL));
	EXPECT_RET(pthread_create(&th, NULL, timer_worker, NULL), 0);
	while (!worker_tid)
		usleep(1000);
	ev._sigev_un._tid = worker_tid;	/* sigev_notify_thread_id */
	EXPECT_RET(timer_create(CLOCK_MONOTONIC, &ev, &id), 0);
	EXPECT_RET(timer_settime(id, 0, &its, NULL), 0);
	for (int i = 0; i < 5000 && !timer_hit_tid; i++)
		usleep(1000);
	EXPECT_EQ(timer_hit_tid, worker_tid);
	worker_stop = 1;
	EXPECT_RET(pthread_join(th, NULL), 0);
	EXPECT_RET(timer_delete(id), 0);
	signal(SIGUSR2, SIG_DFL);
}
