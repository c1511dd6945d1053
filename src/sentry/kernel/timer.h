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
	uint64_t skipped;		/* expirations passed over by the rate floor, added at the next firing */
	bool manual_rearm;		/* periodic, but fire() or a later event re-arms it (POSIX timer signals) */
	ktimer_fn fire;			/* called with the kernel lock held */
};

/*
 * A periodic timer is not re-armed sooner than this after a firing; the
 * expirations in between are counted as overruns. Keeps a 1 ns interval from
 * spinning the timer thread with the kernel lock held.
 */
#define KTIMER_MIN_REARM_NS 1000000ULL

int timer_subsystem_start(void);
/* Re-arm periodic @kt at its first expiry after @now, at least KTIMER_MIN_REARM_NS away. */
void ktimer_forward(struct ktimer *kt, uint64_t now);
/* A periodic @kt expired: count the expirations missed by @now as overruns and re-arm it. */
void ktimer_expire_periodic(struct ktimer *kt, uint64_t now);
/* Arm @kt (disarming it first). @deadline 0 disarms. Kernel lock held. */
void ktimer_arm(struct ktimer *kt, uint64_t deadline, uint64_t interval);
void ktimer_disarm(struct ktimer *kt);
/* Time left until the next expiry (0 when disarmed). */
uint64_t ktimer_remaining(const struct ktimer *kt);
