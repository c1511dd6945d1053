// SPDX-License-Identifier: MIT
/*
 * Threads (clone with CLONE_THREAD through pthreads): shared memory and pid,
 * own tids, join via CLONE_CHILD_CLEARTID, 64 threads on one futex-based
 * mutex, exit() of one thread vs exit_group from any thread, the process
 * status when the leader leaves first (the last thread's exit code), tgkill to one thread, and execve
 * from a threaded process, and /proc/self/task listing the threads.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include "harness.h"

int harness_child_main(int argc, char **argv)
{
	return argc == 3 ? atoi(argv[2]) : 100;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static volatile pid_t seen_pid, seen_tid;

static void *count(void *arg)
{
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

static void *who(void *arg)
{
	seen_pid = getpid();
	seen_tid = (pid_t)syscall(SYS_gettid);
	return (void *)(long)42;
}

TEST(clone_thread, ids_and_join_value)
{
	pthread_t th;
	void *ret = NULL;

	EXPECT_RET(pthread_create(&th, NULL, who, NULL), 0);
	EXPECT_RET(pthread_join(th, &ret), 0);
	EXPECT_EQ((long)ret, 42);
	EXPECT_EQ(seen_pid, getpid());
	EXPECT_TRUE(seen_tid != getpid() && seen_tid > 0);
}

TEST(clone_thread, sixty_four_threads_one_mutex)
{
	pthread_t th[64];

	counter = 0;
	for (int i = 0; i < 64; i++)
		EXPECT_RET(pthread_create(&th[i], NULL, count, NULL), 0);
	for (int i = 0; i < 64; i++)
		EXPECT_RET(pthread_join(th[i], NULL), 0);
	EXPECT_EQ(counter, 64 * 1000);
}

static void *exit_group_soon(void *arg)
{
	usleep(20000);
	exit(5);	/* exit_group: the whole process goes */
	return arg;
}

static void *exit_thread_later(void *arg)
{
	usleep(20000);
	syscall(SYS_exit, 9);	/* this thread only */
	return arg;
}

TEST(clone_thread, exit_group_from_a_thread)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, exit_group_soon, NULL);
		for (;;)
			pause();
	}
	EXPECT_EXITED(wait_status(pid), 5);
}

TEST(clone_thread, leader_leaves_first)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, exit_thread_later, NULL);
		syscall(SYS_exit, 3);	/* the leader goes first; the last thread's status wins */
	}
	EXPECT_EXITED(wait_status(pid), 9);
}

static volatile pid_t handled_on;

static void on_usr1(int sig)
{
	(void)sig;
	handled_on = (pid_t)syscall(SYS_gettid);
}

static volatile pid_t sleeper_tid;

static void *sleeper(void *arg)
{
	sleeper_tid = (pid_t)syscall(SYS_gettid);
	while (!handled_on)
		usleep(1000);
	return arg;
}

TEST(clone_thread, tgkill_reaches_that_thread)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	pthread_t th;

	handled_on = 0;
	sleeper_tid = 0;
	CHECK(sigaction(SIGUSR1, &sa, NULL));
	EXPECT_RET(pthread_create(&th, NULL, sleeper, NULL), 0);
	while (!sleeper_tid)
		usleep(1000);
	EXPECT_RET(syscall(SYS_tgkill, getpid(), sleeper_tid, SIGUSR1), 0);
	EXPECT_RET(pthread_join(th, NULL), 0);
	EXPECT_EQ(handled_on, sleeper_tid);
	signal(SIGUSR1, SIG_DFL);
}

static void *sleep_forever(void *arg)
{
	for (;;)
		pause();
	return arg;
}

TEST(clone_thread, execve_ends_other_threads)
{
	char **argv = child_argv("7", NULL);
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		pthread_t th;

		pthread_create(&th, NULL, sleep_forever, NULL);
		usleep(10000);
		execv(argv[0], argv);
		_exit(99);
	}
	EXPECT_EXITED(wait_status(pid), 7);
}

static volatile int release_threads;

static void *park(void *arg)
{
	while (!release_threads)
		usleep(1000);
	return arg;
}

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

TEST(clone_thread, proc_self_task_lists_threads)
{
	pthread_t th[3];
	char path[64];
	struct stat st;

	release_threads = 0;
	for (int i = 0; i < 3; i++)
		EXPECT_RET(pthread_create(&th[i], NULL, park, NULL), 0);
	EXPECT_EQ(count_tasks(), 4);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", getpid());
	EXPECT_RET(stat(path, &st), 0);
	release_threads = 1;
	for (int i = 0; i < 3; i++)
		EXPECT_RET(pthread_join(th[i], NULL), 0);
	EXPECT_EQ(count_tasks(), 1);
}
