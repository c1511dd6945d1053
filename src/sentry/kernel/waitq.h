/* SPDX-License-Identifier: MIT */
/*
 * Wait queues: a task sleeps until a condition it rechecks becomes true.
 * All under the kernel lock, so a wake-up between the check and the sleep
 * cannot be lost.
 */
#pragma once
#include <stdint.h>
#include "lib/list.h"

struct task;

struct waitq {
	struct list_head waiters;
};

struct waiter {
	struct list_head node;
	struct task *t;			/* woken, unless @func is set */
	void (*func)(struct waiter *w);	/* called instead (epoll watches files this way) */
};

static inline void waitq_init(struct waitq *wq)
{
	list_init(&wq->waiters);
}

void waitq_add(struct waitq *wq, struct waiter *w, struct task *t);
/* A waiter that runs @func (kernel lock held) on every wake-up of @wq. */
void waitq_add_callback(struct waitq *wq, struct waiter *w, void (*func)(struct waiter *w));
void waitq_del(struct waiter *w);
void waitq_wake_all(struct waitq *wq);

#define DEADLINE_NONE UINT64_MAX

/*
 * Sleep until woken, @deadline (CLOCK_MONOTONIC ns) passes, or a signal is
 * pending. Returns 0, -ETIMEDOUT or -EINTR. Kernel lock held; dropped while asleep.
 */
int task_sleep(struct task *t, uint64_t deadline);

/* As task_sleep(), but only the task's death (not an ordinary signal) cuts it short. */
int task_sleep_killable(struct task *t, uint64_t deadline);

/* Block until @cond holds; evaluates to 0, -ETIMEDOUT or -EINTR. */
#define wait_event(t, wq, cond, deadline)                         \
	({                                                        \
		int __r = 0;                                      \
		struct waiter __w;                                \
		while (!(cond)) {                                 \
			waitq_add((wq), &__w, (t));               \
			__r = task_sleep((t), (deadline));        \
			waitq_del(&__w);                          \
			if (__r && !(cond))                       \
				break;                            \
			__r = 0;                                  \
		}                                                 \
		__r;                                              \
	})
