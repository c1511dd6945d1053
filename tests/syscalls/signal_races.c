// SPDX-License-Identifier: MIT
/*
 * Signals meeting blocking calls, and processes meeting threads: a handler
 * without SA_RESTART makes a blocking pipe read fail with EINTR, one with
 * SA_RESTART lets it finish; fork from a process whose other threads keep
 * allocating gives a child that can still allocate and make threads; PR_SET_PDEATHSIG delivers its signal when the parent dies.
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include "harness.h"

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* A child that signals the parent until told to stop (by @ack becoming readable). */
static pid_t pester(int ack)
{
	pid_t parent = getpid(), pid = CHECK(fork());

	if (pid == 0) {
		struct pollfd p = { ack, POLLIN, 0 };

		for (int i = 0; i < 2000 && poll(&p, 1, 5) == 0; i++)
			kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

TEST(signal_races, read_interrupted_without_sa_restart)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int data[2], ack[2];
	char c;
	pid_t pid;

	CHECK(pipe(data));
	CHECK(pipe(ack));
	CHECK(sigaction(SIGUSR1, &sa, NULL));
	handled = 0;
	pid = pester(ack[0]);
	EXPECT_ERRNO(read(data[0], &c, 1), EINTR);
	EXPECT_TRUE(handled >= 1);
	CHECK(write(ack[1], "x", 1));
	EXPECT_EXITED(wait_status(pid), 0);
	signal(SIGUSR1, SIG_DFL);
	close(data[0]);
	close(data[1]);
	close(ack[0]);
	close(ack[1]);
}

TEST(signal_races, read_restarted_with_sa_restart)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	int data[2];
	pid_t parent = getpid(), pid;
	char c = 0;

	CHECK(pipe(data));
	CHECK(sigaction(SIGUSR1, &sa, NULL));
	handled = 0;
	pid = CHECK(fork());
	if (pid == 0) {
		for (int i = 0; i < 5; i++) {
			kill(parent, SIGUSR1);
			usleep(5000);
		}
		write(data[1], "y", 1);
		_exit(0);
	}
	EXPECT_RET(read(data[0], &c, 1), 1);
	EXPECT_EQ(c, 'y');
	EXPECT_TRUE(handled >= 1);
	EXPECT_EXITED(wait_status(pid), 0);
	signal(SIGUSR1, SIG_DFL);
	close(data[0]);
	close(data[1]);
}

static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop_busy;

static void *busy(void *arg)
{
	while (!stop_busy) {
		pthread_mutex_lock(&busy_lock);
		free(malloc(64));
		pthread_mutex_unlock(&busy_lock);
	}
	return arg;
}

static void *nothing(void *arg)
{
	return arg;
}

TEST(signal_races, fork_in_threaded_process)
{
	pthread_t th[4];

	stop_busy = 0;
	for (int i = 0; i < 4; i++)
		EXPECT_RET(pthread_create(&th[i], NULL, busy, NULL), 0);
	for (int round = 0; round < 10; round++) {
		pid_t pid = CHECK(fork());

		if (pid == 0) {
			pthread_t t;
			void *p;

			/* busy_lock may have been held by a thread that does not exist
			 * here; malloc is fork-safe in glibc, and so is a new thread */
			p = malloc(1000);
			if (!p || pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL))
				_exit(1);
			_exit(0);
		}
		EXPECT_EXITED(wait_status(pid), 0);
	}
	stop_busy = 1;
	for (int i = 0; i < 4; i++)
		EXPECT_RET(pthread_join(th[i], NULL), 0);
}

TEST(prctl, pdeathsig_fires_when_parent_dies)
{
	int report[2];
	char c = 0;
	pid_t middle;
	struct pollfd p;

	CHECK(pipe(report));
	middle = CHECK(fork());
	if (middle == 0) {
		int ready[2];

		if (pipe(ready) || fork() == 0) {
			/* the grandchild: wait for SIGUSR2 from the death of its parent */
			sigset_t set;
			int sig = 0;

			sigemptyset(&set);
			sigaddset(&set, SIGUSR2);
			sigprocmask(SIG_BLOCK, &set, NULL);
			prctl(PR_SET_PDEATHSIG, SIGUSR2);
			write(ready[1], "r", 1);
			sigwait(&set, &sig);
			write(report[1], sig == SIGUSR2 ? "d" : "?", 1);
			_exit(0);
		}
		read(ready[0], &c, 1);	/* the grandchild has armed its death signal */
		_exit(0);
	}
	EXPECT_EXITED(wait_status(middle), 0);
	p = (struct pollfd){ report[0], POLLIN, 0 };
	EXPECT_RET(poll(&p, 1, 10000), 1);
	EXPECT_RET(read(report[0], &c, 1), 1);
	EXPECT_EQ(c, 'd');
	close(report[0]);
	close(report[1]);
}
