// SPDX-License-Identifier: MIT
/*
 * futex(2): WAIT on a changed value (EAGAIN), relative and absolute timeouts
 * (ETIMEDOUT), WAKE counts, bitsets, CMP_REQUEUE's value check, WAKE_OP's
 * atomic update, bad addresses, a shared futex between two processes, and
 * PI futexes: a PTHREAD_PRIO_INHERIT mutex under contention, trylock, and
 * LOCK_PI/UNLOCK_PI's ownership checks.
 */
#include <linux/futex.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include "harness.h"

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts, uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static uint32_t word, word2;

TEST(futex, wait_value_mismatch_and_timeout)
{
	struct timespec ts = { 0, 20000000 }, abs_ts;

	word = 1;
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0), EAGAIN);
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &abs_ts);
	abs_ts.tv_nsec += 20000000;
	if (abs_ts.tv_nsec >= 1000000000) {
		abs_ts.tv_sec++;
		abs_ts.tv_nsec -= 1000000000;
	}
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, &abs_ts, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
	EXPECT_RET(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
}

static volatile int waiting;

static void *waiter(void *arg)
{
	waiting = 1;
	return (void *)futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

TEST(futex, wake_releases_a_waiter)
{
	pthread_t th;
	void *ret;
	int woken = 0;

	word = 0;
	waiting = 0;
	EXPECT_RET(pthread_create(&th, NULL, waiter, NULL), 0);
	while (!waiting)
		usleep(1000);
	/* retry: the thread may not be asleep in the kernel yet */
	for (int i = 0; i < 2000 && !woken; i++) {
		woken = (int)futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		if (!woken)
			usleep(1000);
	}
	EXPECT_EQ(woken, 1);
	EXPECT_RET(pthread_join(th, &ret), 0);
	EXPECT_EQ((long)ret, 0);
}

TEST(futex, bitset_and_requeue_checks)
{
	word = 5;
	EXPECT_RET(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x1), 0);
	EXPECT_ERRNO(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, NULL, NULL, 0), EINVAL);
	EXPECT_ERRNO(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &word2, 6), EAGAIN);
	EXPECT_RET(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &word2, 5), 0);
}

TEST(futex, wake_op_updates_atomically)
{
	word = 0;
	word2 = 10;
	/* *word2 += 3, then wake on word2 if the old value was > 5 */
	EXPECT_RET(futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &word2,
			 FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 5)), 0);
	EXPECT_EQ(word2, 13);
}

TEST(futex, bad_addresses)
{
	EXPECT_ERRNO(futex((uint32_t *)((char *)&word + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
	EXPECT_ERRNO(futex((uint32_t *)8, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
}

TEST(futex, shared_between_processes)
{
	uint32_t *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	EXPECT_TRUE(shared != MAP_FAILED);
	*shared = 0;
	pid = CHECK(fork());
	if (pid == 0) {
		struct timespec ts = { 10, 0 };

		/* wait until the parent flips the word and wakes us */
		while (__atomic_load_n(shared, __ATOMIC_SEQ_CST) == 0)
			if (futex(shared, FUTEX_WAIT, 0, &ts, NULL, 0) < 0 && errno == ETIMEDOUT)
				_exit(2);
		_exit(*shared == 1 ? 0 : 1);
	}
	usleep(20000);
	__atomic_store_n(shared, 1, __ATOMIC_SEQ_CST);
	futex(shared, FUTEX_WAKE, 1, NULL, NULL, 0);
	EXPECT_EXITED(wait_status(pid), 0);
	munmap(shared, 4096);
}

static pthread_mutex_t pi_lock;
static long pi_counter;

static void *pi_worker(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&pi_lock);
		pi_counter++;
		pthread_mutex_unlock(&pi_lock);
	}
	return arg;
}

static void *try_from_other_thread(void *arg)
{
	return (void *)(long)pthread_mutex_trylock(&pi_lock);
}

TEST(futex, priority_inheritance_mutex)
{
	pthread_mutexattr_t attr;
	pthread_t th[8];
	void *ret;

	CHECK(pthread_mutexattr_init(&attr));
	EXPECT_RET(pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT), 0);
	EXPECT_RET(pthread_mutex_init(&pi_lock, &attr), 0);
	pi_counter = 0;
	for (int i = 0; i < 8; i++)
		EXPECT_RET(pthread_create(&th[i], NULL, pi_worker, NULL), 0);
	for (int i = 0; i < 8; i++)
		EXPECT_RET(pthread_join(th[i], NULL), 0);
	EXPECT_EQ(pi_counter, 8 * 2000);
	EXPECT_RET(pthread_mutex_lock(&pi_lock), 0);
	EXPECT_RET(pthread_create(&th[0], NULL, try_from_other_thread, NULL), 0);
	EXPECT_RET(pthread_join(th[0], &ret), 0);
	EXPECT_EQ((long)ret, EBUSY);
	EXPECT_RET(pthread_mutex_unlock(&pi_lock), 0);
	pthread_mutex_destroy(&pi_lock);
}

TEST(futex, lock_pi_ownership_checks)
{
	uint32_t lock = 0;

	EXPECT_RET(futex(&lock, FUTEX_TRYLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	EXPECT_EQ(lock & FUTEX_TID_MASK, (uint32_t)syscall(SYS_gettid));
	EXPECT_ERRNO(futex(&lock, FUTEX_LOCK_PI_PRIVATE, 0, NULL, NULL, 0), EDEADLK);
	EXPECT_RET(futex(&lock, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), 0);
	EXPECT_EQ(lock, 0);
	lock = 0x3ffffff0;	/* some other tid: never ours */
	EXPECT_ERRNO(futex(&lock, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0), EPERM);
}
