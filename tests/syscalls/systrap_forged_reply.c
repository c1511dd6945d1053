// SPDX-License-Identifier: MIT
/*
 * munmap and mprotect are done when they return, even while another thread
 * scribbles over the systrap platform's shared reply page.
 *
 * Under systrap the Sentry asks the stub's syscall thread to unmap or
 * protect the host pages behind a guest mapping and waits for its answer in
 * memory shared with the stub. Guest code can write most of that memory
 * (docs/platforms.md): if it could write the answer "done" ahead of the
 * syscall thread, munmap would return while the page was still mapped, and
 * the Sentry could hand the page's memory to another process while this one
 * still reached it. Here a thread keeps copying the request counter (the
 * ring page's first word, readable) into the reply page's first word, where
 * the answer used to be, and clears the word that tells the Sentry to wake
 * the syscall thread (so a forged answer would not be overtaken by the
 * real one), while the main thread checks that every unmapped page faults
 * at once and every page made read-only refuses a store at once.
 *
 * Natively, and on platforms without those pages, nothing is mapped there
 * (a probe load faults): the same checks run without the scribbler.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include "harness.h"

#define STUB_SLOTS	0x7ffff0100000UL
#define RING_PAGE	STUB_SLOTS		/* read-only in the stub */
#define REPLY_PAGE	(STUB_SLOTS + 0x1000)	/* writable in the stub */
#define ROUNDS		300

static sigjmp_buf probe_env;
static volatile bool stop_scribbling;

static void on_fault(int sig)
{
	siglongjmp(probe_env, sig);
}

/* Does a load (or a store) of *@p work? Faults are caught, not fatal. */
static bool access_works(volatile uint32_t *p, bool store)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;
	bool worked = false;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(probe_env, 1) == 0) {
		if (store)
			*p = *p;
		else
			(void)*p;
		worked = true;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return worked;
}

static void *scribble(void *arg)
{
	volatile uint32_t *ring = (volatile uint32_t *)RING_PAGE;
	volatile uint32_t *reply = (volatile uint32_t *)REPLY_PAGE;

	(void)arg;
	while (!__atomic_load_n(&stop_scribbling, __ATOMIC_RELAXED)) {
		for (int i = 0; i < 1000; i++) {
			reply[0] = ring[0];	/* "done" up to the last request */
			reply[2] = 0;		/* "the syscall thread is awake" */
		}
		sched_yield();
	}
	return NULL;
}

/* Start the scribbler where the reply page is there to scribble on. */
static bool start_scribbler(pthread_t *t)
{
	if (!access_works((volatile uint32_t *)RING_PAGE, false) ||
	    !access_works((volatile uint32_t *)REPLY_PAGE, true))
		return false;
	stop_scribbling = false;
	CHECK(pthread_create(t, NULL, scribble, NULL) == 0 ? 0 : -1);
	return true;
}

static void stop_scribbler(bool started, pthread_t t)
{
	if (!started)
		return;
	__atomic_store_n(&stop_scribbling, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
}

static volatile uint32_t *fresh_page(uint32_t value)
{
	volatile uint32_t *p = CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));

	*p = value;
	return p;
}

TEST(systrap_forged_reply, munmap_is_done_on_return)
{
	pthread_t t;
	bool started = start_scribbler(&t);
	int still_mapped = 0, failed = 0;

	for (uint32_t i = 0; i < ROUNDS; i++) {
		volatile uint32_t *p = fresh_page(i);

		if (munmap((void *)p, 4096))
			failed++;
		else if (access_works(p, false))
			still_mapped++;
	}
	stop_scribbler(started, t);
	EXPECT_EQ(failed, 0);
	EXPECT_EQ(still_mapped, 0);
}

TEST(systrap_forged_reply, mprotect_is_done_on_return)
{
	pthread_t t;
	bool started = start_scribbler(&t);
	int still_writable = 0, failed = 0, lost = 0;

	for (uint32_t i = 0; i < ROUNDS; i++) {
		volatile uint32_t *p = fresh_page(i);

		if (mprotect((void *)p, 4096, PROT_READ))
			failed++;
		else if (access_works(p, true))
			still_writable++;
		else if (*p != i)
			lost++;
		munmap((void *)p, 4096);
	}
	stop_scribbler(started, t);
	EXPECT_EQ(failed, 0);
	EXPECT_EQ(still_writable, 0);
	EXPECT_EQ(lost, 0);
}

/* After all that scribbling, the process's memory calls still answer right. */
TEST(systrap_forged_reply, errors_still_errors)
{
	pthread_t t;
	bool started = start_scribbler(&t);
	volatile uint32_t *p = fresh_page(7);

	EXPECT_ERRNO(mprotect((void *)((uintptr_t)p + 1), 4096, PROT_READ), EINVAL);
	EXPECT_ERRNO(mmap((void *)0x10000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 1),
		     EINVAL);
	EXPECT_RET(munmap((void *)p, 4096), 0);
	EXPECT_TRUE(!access_works(p, false));
	stop_scribbler(started, t);
}
