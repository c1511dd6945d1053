// SPDX-License-Identifier: MIT
/* The timer thread: sleeps until the earliest armed deadline and fires what is due. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include "lib/log.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/timer.h"

static struct list_head g_armed = LIST_HEAD_INIT(g_armed);	/* sorted by deadline */
static pthread_cond_t g_timer_cond;

static void *timer_thread(void *arg)
{
	(void)arg;
	kernel_lock();
	for (;;) {
		struct ktimer *kt;
		uint64_t now = monotonic_ns();

		if (list_empty(&g_armed)) {
			pthread_cond_wait(&g_timer_cond, &g_kernel.lock);
			continue;
		}
		kt = list_first_entry(&g_armed, struct ktimer, node);
		if (kt->deadline > now) {
			struct timespec ts = { (time_t)(kt->deadline / 1000000000ULL),
					       (long)(kt->deadline % 1000000000ULL) };

			pthread_cond_timedwait(&g_timer_cond, &g_kernel.lock, &ts);
			continue;
		}
		list_del(&kt->node);
		kt->armed = false;
		if (kt->interval && !kt->manual_rearm)
			ktimer_expire_periodic(kt, now);
		kt->fire(kt);
	}
	return NULL;
}

int timer_subsystem_start(void)
{
	pthread_condattr_t attr;
	pthread_t th;
	int err;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g_timer_cond, &attr);
	pthread_condattr_destroy(&attr);
	err = pthread_create(&th, NULL, timer_thread, NULL);
	if (!err)
		pthread_detach(th);
	return -err;
}

void ktimer_disarm(struct ktimer *kt)
{
	if (kt->armed) {
		list_del(&kt->node);
		kt->armed = false;
	}
}

void ktimer_arm(struct ktimer *kt, uint64_t deadline, uint64_t interval)
{
	struct ktimer *pos;

	ktimer_disarm(kt);
	kt->interval = interval;
	if (!deadline)
		return;
	kt->deadline = deadline;
	kt->armed = true;
	list_for_each_entry(pos, &g_armed, node)
		if (pos->deadline > deadline)
			break;
	list_add_tail(&kt->node, &pos->node);	/* before @pos, or at the end */
	pthread_cond_signal(&g_timer_cond);
}

void ktimer_forward(struct ktimer *kt, uint64_t now)
{
	uint64_t next, floor = now + KTIMER_MIN_REARM_NS;

	next = kt->deadline + ((now - MIN(now, kt->deadline)) / kt->interval + 1) * kt->interval;
	if (next < floor) {
		uint64_t k = (floor - next + kt->interval - 1) / kt->interval;

		kt->skipped += k;
		next += k * kt->interval;
	}
	ktimer_arm(kt, next, kt->interval);
}

void ktimer_expire_periodic(struct ktimer *kt, uint64_t now)
{
	kt->overrun = (now - MIN(now, kt->deadline)) / kt->interval + kt->skipped;
	kt->skipped = 0;
	ktimer_forward(kt, now);
}

uint64_t ktimer_remaining(const struct ktimer *kt)
{
	uint64_t now = monotonic_ns();

	if (!kt->armed)
		return 0;
	return kt->deadline > now ? kt->deadline - now : 1;
}
