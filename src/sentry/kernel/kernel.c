// SPDX-License-Identifier: MIT
/* The kernel lock, pid allocation, clocks and wait queues. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/strace/strace.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"

struct kernel g_kernel = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.all_exited = PTHREAD_COND_INITIALIZER,
};
struct platform *g_platform;

void kernel_lock(void)
{
	pthread_mutex_lock(&g_kernel.lock);
}

void kernel_unlock(void)
{
	pthread_mutex_unlock(&g_kernel.lock);
}

pid_t kernel_alloc_pid(void)
{
	for (int n = 0; n < PID_MAX; n++) {
		pid_t pid = g_kernel.last_pid + 1;

		if (pid >= PID_MAX)
			pid = 1;
		g_kernel.last_pid = pid;
		if (!g_kernel.tasks_by_tid[pid] && !tg_lookup(pid))
			return pid;
	}
	return 0;
}

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void waitq_add(struct waitq *wq, struct waiter *w, struct task *t)
{
	w->t = t;
	w->func = NULL;
	list_add_tail(&w->node, &wq->waiters);
}

void waitq_add_callback(struct waitq *wq, struct waiter *w, void (*func)(struct waiter *w))
{
	w->t = NULL;
	w->func = func;
	list_add_tail(&w->node, &wq->waiters);
}

void waitq_del(struct waiter *w)
{
	list_del(&w->node);
}

void waitq_wake_all(struct waitq *wq)
{
	struct waiter *w, *n;

	/* _safe: a callback may take its own waiter off this queue */
	list_for_each_entry_safe(w, n, &wq->waiters, node) {
		if (w->func) {
			w->func(w);
			continue;
		}
		w->t->woken = true;
		pthread_cond_signal(&w->t->wake_cond);
	}
}

static int sleep_common(struct task *t, uint64_t deadline, bool killable_only)
{
	int ret = 0;

	if ((!killable_only && task_signal_pending(t)) || t->exiting)
		return -EINTR;
	if (unlikely(t->strace_active))
		strace_block(t);
	t->woken = false;
	t->state = TASK_SLEEPING;
	if (g_platform->ops->will_block)
		g_platform->ops->will_block();
	while (!t->woken) {
		if (deadline == DEADLINE_NONE) {
			pthread_cond_wait(&t->wake_cond, &g_kernel.lock);
		} else {
			struct timespec ts = { (time_t)(deadline / 1000000000ULL), (long)(deadline % 1000000000ULL) };

			if (pthread_cond_timedwait(&t->wake_cond, &g_kernel.lock, &ts) == ETIMEDOUT) {
				ret = -ETIMEDOUT;
				break;
			}
		}
	}
	t->state = TASK_IN_SENTRY;
	if ((!killable_only && task_signal_pending(t)) || t->exiting)
		return -EINTR;
	return ret;
}

int task_sleep(struct task *t, uint64_t deadline)
{
	return sleep_common(t, deadline, false);
}

int task_sleep_killable(struct task *t, uint64_t deadline)
{
	return sleep_common(t, deadline, true);
}
