/* SPDX-License-Identifier: MIT */
/*
 * Timers: one Sentry thread fires armed timers at their CLOCK_MONOTONIC
 * deadlines, under the kernel lock. Used by ITIMER_REAL/alarm() and POSIX
 * timers (timer_create with SIGEV_SIGNAL, SIGEV_THREAD_ID or SIGEV_NONE).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "lib/list.h"

struct ktimer;
typedef void (*ktimer_fn)(struct ktimer *kt);

struct ktimer {
	struct list_head node;		/* in the armed list while armed */
	bool armed;
	uint64_t deadline;		/* CLOCK_MONOTONIC ns */
	uint64_t interval;		/* ns; 0 = one-shot */
	uint64_t overrun;		/* expirations folded into the last firing */
	ktimer_fn fire;			/* called with the kernel lock held */
};

int timer_subsystem_start(void);
/* Arm @kt (disarming it first). @deadline 0 disarms. Kernel lock held. */
void ktimer_arm(struct ktimer *kt, uint64_t deadline, uint64_t interval);
void ktimer_disarm(struct ktimer *kt);
/* Time left until the next expiry (0 when disarmed). */
uint64_t ktimer_remaining(const struct ktimer *kt);
