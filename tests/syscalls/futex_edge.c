// SPDX-License-Identifier: MIT
/*
 * futex(2) edge cases as Linux has them: FUTEX_WAKE and WAKE_OP wake one
 * waiter even for a count of 0 or less; REQUEUE/CMP_REQUEUE counts and
 * errors (negative counts, INT_MAX both); WAKE_OP's 12-bit signed oparg and
 * cmparg, its keys checked before the operation (EINVAL for a misaligned
 * word, the op not applied), ENOSYS for a bad op or comparison; private
 * futexes keyed without a mapping (WAKE on unmapped memory is 0, a shared
 * one EFAULT); and WAKE_OP's atomic update while another thread hammers the
 * same word.
 */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include "harness.h"

static long futex(uint32_t *uaddr, int op, long val, long val2, uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static uint32_t w1, w2;

static void *wait_w1(void *arg)
{
	return (void *)futex(&w1, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
}

static void *wait_w2(void *arg)
{
	return (void *)futex(&w2, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
}

/*
 * Wait until @n threads sleep on @w: a requeue of @w onto itself, waking
 * none, counts them without waking any. Gives up after 20 s.
 */
static long sleepers(uint32_t *w, long n)
{
	struct timespec start, now;
	long got = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		got = futex(w, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, w, 0);
		if (got >= n)
			return got;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 20)
			return got;
		sched_yield();
		usleep(1000);
	}
}

static void start(pthread_t *th, int n, void *(*fn)(void *))
{
	for (int i = 0; i < n; i++)
		CHECK(pthread_create(&th[i], NULL, fn, NULL) ? -1 : 0);
}

static void join(pthread_t *th, int n)
{
	for (int i = 0; i < n; i++) {
		void *ret;

		EXPECT_RET(pthread_join(th[i], &ret), 0);
		EXPECT_EQ((long)ret, 0);
	}
}

TEST(futex_edge, wake_count_zero_or_negative_wakes_one)
{
	pthread_t th[3];

	w1 = 0;
	start(th, 3, wait_w1);
	EXPECT_EQ(sleepers(&w1, 3), 3);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_PRIVATE, 0, 0, NULL, 0), 1);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_PRIVATE, -1, 0, NULL, 0), 1);
	EXPECT_EQ(sleepers(&w1, 1), 1);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 1);
	join(th, 3);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_PRIVATE, 0, 0, NULL, 0), 0);
}

TEST(futex_edge, requeue_counts_and_errors)
{
	pthread_t th[4];

	w1 = w2 = 0;
	EXPECT_ERRNO(futex(&w1, FUTEX_REQUEUE_PRIVATE, -1, 1, &w2, 0), EINVAL);
	EXPECT_ERRNO(futex(&w1, FUTEX_REQUEUE_PRIVATE, 1, -1, &w2, 0), EINVAL);
	EXPECT_ERRNO(futex(&w1, FUTEX_CMP_REQUEUE_PRIVATE, 1, 0xffffffffL, &w2, 0), EINVAL);
	EXPECT_ERRNO(futex(&w1, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &w2, 1), EAGAIN);
	EXPECT_ERRNO(futex((uint32_t *)((char *)&w1 + 1), FUTEX_REQUEUE_PRIVATE, 1, 1, &w2, 0), EINVAL);
	EXPECT_ERRNO(futex(&w1, FUTEX_REQUEUE_PRIVATE, 1, 1, (uint32_t *)((char *)&w2 + 2), 0), EINVAL);
	start(th, 4, wait_w1);
	EXPECT_EQ(sleepers(&w1, 4), 4);
	/* nothing woken or moved: 0 */
	EXPECT_RET(futex(&w1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 0, &w2, 0), 0);
	/* wake 1, move 2: 3; one stays on w1 */
	EXPECT_RET(futex(&w1, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &w2, 0), 3);
	EXPECT_RET(futex(&w2, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, &w2, 0), 2);
	EXPECT_RET(futex(&w1, FUTEX_REQUEUE_PRIVATE, 0, INT_MAX, &w1, 0), 1);
	/* INT_MAX of both: every waiter of w2 woken, the count does not overflow */
	EXPECT_RET(futex(&w2, FUTEX_REQUEUE_PRIVATE, INT_MAX, INT_MAX, &w1, 0), 2);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0), 1);
	join(th, 4);
}

#define OP(op, oparg, cmp, cmparg) FUTEX_OP(op, oparg, cmp, cmparg)

TEST(futex_edge, wake_op_signed_args_and_errors)
{
	pthread_t th[2];

	w1 = 0;
	w2 = 5;
	/* oparg 0xfff is -1: 5 + -1 */
	EXPECT_RET(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_EQ, 0)), 0);
	EXPECT_EQ(w2, 4u);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(FUTEX_OP_SET, 0x800, FUTEX_OP_CMP_EQ, 0)), 0);
	EXPECT_EQ(w2, 0xfffff800u);
	/* oparg with FUTEX_OP_OPARG_SHIFT: 1 << 3 */
	EXPECT_RET(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
			 OP((FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT), 3, FUTEX_OP_CMP_EQ, 0)), 0);
	EXPECT_EQ(w2, 8u);
	/* misaligned words: EINVAL, and the operation is not done */
	EXPECT_ERRNO(futex((uint32_t *)((char *)&w1 + 1), FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
			   OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0)), EINVAL);
	EXPECT_EQ(w2, 8u);
	EXPECT_ERRNO(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, (uint32_t *)((char *)&w2 + 1),
			   OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0)), EINVAL);
	EXPECT_EQ(w2, 8u);
	/* a bad op: ENOSYS, nothing done; a bad comparison: ENOSYS after the op */
	EXPECT_ERRNO(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, (5u << 28) | (7u << 12)), ENOSYS);
	EXPECT_EQ(w2, 8u);
	EXPECT_ERRNO(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(FUTEX_OP_SET, 7, 6, 0)), ENOSYS);
	EXPECT_EQ(w2, 7u);

	/* cmparg 0xfff is -1: the old value -1 compares equal, so w2's waiter is woken */
	w2 = 0;
	start(th, 1, wait_w2);
	EXPECT_EQ(sleepers(&w2, 1), 1);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(FUTEX_OP_SET, 0xfff, FUTEX_OP_CMP_EQ, 0x7ff)), 0);
	EXPECT_EQ(w2, 0xffffffffu);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0xfff)), 1);
	join(th, 1);

	/* counts of 0 wake one on each word */
	w1 = w2 = 0;
	start(th, 1, wait_w1);
	start(th + 1, 1, wait_w2);
	EXPECT_EQ(sleepers(&w1, 1), 1);
	EXPECT_EQ(sleepers(&w2, 1), 1);
	EXPECT_RET(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 0, 0, &w2, OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)), 2);
	join(th, 2);
}

TEST(futex_edge, private_keys_need_no_mapping)
{
	uint32_t *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p == MAP_FAILED ? -1 : 0);
	CHECK(munmap(p, 4096));
	EXPECT_RET(futex(p, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 0);
	EXPECT_ERRNO(futex(p, FUTEX_WAKE, 1, 0, NULL, 0), EFAULT);
	EXPECT_ERRNO(futex(p, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0), EFAULT);
	EXPECT_RET(futex(p, FUTEX_REQUEUE_PRIVATE, 1, 1, p + 1, 0), 0);
	EXPECT_ERRNO(futex(p, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, p + 1, 0), EFAULT);
	EXPECT_ERRNO(futex((uint32_t *)0x7ffffffff004UL, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), EFAULT);
	EXPECT_ERRNO(futex((uint32_t *)0xffff800000000000UL, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), EFAULT);
	/* WAKE_OP writes the second word: unmapped is EFAULT */
	EXPECT_ERRNO(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, p, OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)), EFAULT);
}

#define HAMMER_ADDS 200000
#define WAKE_OPS 2000

static void *hammer(void *arg)
{
	for (int i = 0; i < HAMMER_ADDS; i++)
		__atomic_fetch_add(&w2, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *flipper(void *arg)
{
	volatile int *stop = arg;

	while (!*stop)
		__atomic_fetch_xor(&w1, 0x40000000, __ATOMIC_SEQ_CST);
	return NULL;
}

TEST(futex_edge, wake_op_atomic_against_a_hammering_thread)
{
	pthread_t th, fl;
	volatile int stop = 0;
	long woken = 0;

	w1 = 0;
	w2 = 0;
	CHECK(pthread_create(&th, NULL, hammer, NULL) ? -1 : 0);
	CHECK(pthread_create(&fl, NULL, flipper, (void *)&stop) ? -1 : 0);
	for (int i = 0; i < WAKE_OPS; i++) {
		long r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GE, 0));

		if (r < 0)
			break;
		woken += r;
	}
	EXPECT_RET(pthread_join(th, NULL), 0);
	stop = 1;
	EXPECT_RET(pthread_join(fl, NULL), 0);
	EXPECT_EQ(woken, 0);
	EXPECT_EQ(w2, (uint32_t)(HAMMER_ADDS + WAKE_OPS));
	/* the CMP_REQUEUE value check against a word that keeps changing still returns */
	EXPECT_RET(futex(&w2, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &w1, HAMMER_ADDS + WAKE_OPS), 0);
}
