// SPDX-License-Identifier: MIT
/* Clocks and sleeping: clock_gettime/getres, gettimeofday, time, nanosleep, clock_nanosleep, times, getrusage. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "abi/linux/misc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/loader/vdso.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

static bool clock_valid(int id)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
	case CLOCK_TAI:
		return true;
	default:
		return false;
	}
}

/* clock_gettime(2) */
long sys_clock_gettime(struct task *t, const struct syscall_args *a)
{
	struct linux_timespec lts;
	struct timespec ts;
	int id = arg_int(a, 0);

	if (!clock_valid(id))
		return -EINVAL;
	if (id == CLOCK_REALTIME || id == CLOCK_MONOTONIC || id == CLOCK_BOOTTIME || id == CLOCK_REALTIME_COARSE ||
	    id == CLOCK_MONOTONIC_COARSE || id == CLOCK_MONOTONIC_RAW) {
		/* the same clock the vDSO reads, so the two paths always agree */
		int base = id == CLOCK_REALTIME_COARSE ? CLOCK_REALTIME : id == CLOCK_BOOTTIME ? CLOCK_BOOTTIME
				   : id == CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC;
		uint64_t ns = guest_clock_ns(base);

		lts.tv_sec = (int64_t)(ns / 1000000000ULL);
		lts.tv_nsec = (int64_t)(ns % 1000000000ULL);
		return copy_out_obj(t, arg_uptr(a, 1), &lts) ? -EFAULT : 0;
	}
	if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID)
		id = CLOCK_THREAD_CPUTIME_ID;	/* approximated by the task thread's own CPU time */
	if (clock_gettime(id, &ts))
		return -EINVAL;
	lts.tv_sec = ts.tv_sec;
	lts.tv_nsec = ts.tv_nsec;
	return copy_out_obj(t, arg_uptr(a, 1), &lts) ? -EFAULT : 0;
}

/* clock_getres(2) */
long sys_clock_getres(struct task *t, const struct syscall_args *a)
{
	struct linux_timespec res = { 0, 1 };
	int id = arg_int(a, 0);

	if (!clock_valid(id))
		return -EINVAL;
	if (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE)
		res.tv_nsec = 4000000;
	if (arg_u64(a, 1) && copy_out_obj(t, arg_uptr(a, 1), &res))
		return -EFAULT;
	return 0;
}

/* gettimeofday(2) */
long sys_gettimeofday(struct task *t, const struct syscall_args *a)
{
	uint64_t ns = guest_clock_ns(CLOCK_REALTIME);
	struct linux_timeval tv = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000) };
	uint64_t tz[1] = { 0 };

	if (arg_u64(a, 0) && copy_out_obj(t, arg_uptr(a, 0), &tv))
		return -EFAULT;
	if (arg_u64(a, 1) && copy_out(t, arg_uptr(a, 1), tz, 8))
		return -EFAULT;
	return 0;
}

/* time(2) */
long sys_time(struct task *t, const struct syscall_args *a)
{
	int64_t now = (int64_t)(guest_clock_ns(CLOCK_REALTIME) / 1000000000);

	if (arg_u64(a, 0) && copy_out_obj(t, arg_uptr(a, 0), &now))
		return -EFAULT;
	return now;
}

static uint64_t ts_ns(const struct linux_timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

/* Sleep until @deadline on @clock's timeline; remaining time into @urem on interruption. */
static long sleep_until(struct task *t, int clock, uint64_t deadline_clock, uptr_t urem, bool relative)
{
	uint64_t now_clock = clock == CLOCK_REALTIME ? realtime_ns() : monotonic_ns();
	uint64_t mono_deadline;
	int err;

	if (deadline_clock <= now_clock)
		return 0;
	mono_deadline = monotonic_ns() + (deadline_clock - now_clock);
	for (;;) {
		err = task_sleep(t, mono_deadline);
		if (err == -ETIMEDOUT || monotonic_ns() >= mono_deadline)
			return 0;
		if (err == -EINTR)
			break;
	}
	if (relative && urem.a) {
		uint64_t left = mono_deadline - monotonic_ns();
		struct linux_timespec rem = { (int64_t)(left / 1000000000), (int64_t)(left % 1000000000) };

		if (copy_out_obj(t, urem, &rem))
			return -EFAULT;
	}
	return -EINTR;
}

static long do_nanosleep(struct task *t, int clock, int flags, uptr_t ureq, uptr_t urem)
{
	struct linux_timespec req;
	uint64_t now;

	if (copy_in_obj(t, &req, ureq))
		return -EFAULT;
	if (req.tv_sec < 0 || req.tv_nsec < 0 || req.tv_nsec >= 1000000000)
		return -EINVAL;
	now = clock == CLOCK_REALTIME ? realtime_ns() : monotonic_ns();
	if (flags & TIMER_ABSTIME)
		return sleep_until(t, clock, ts_ns(&req), urem, false);
	return sleep_until(t, clock, now + ts_ns(&req), urem, true);
}

/* nanosleep(2) */
long sys_nanosleep(struct task *t, const struct syscall_args *a)
{
	return do_nanosleep(t, CLOCK_MONOTONIC, 0, arg_uptr(a, 0), arg_uptr(a, 1));
}

/* clock_nanosleep(2): returns the error number itself, not -1/errno. */
long sys_clock_nanosleep(struct task *t, const struct syscall_args *a)
{
	int clock = arg_int(a, 0);

	if (!clock_valid(clock))
		return -EINVAL;
	/* Sleeping on a CPU-time clock is not supported (Linux: EOPNOTSUPP for the thread clock). */
	if (clock == CLOCK_THREAD_CPUTIME_ID || clock == CLOCK_PROCESS_CPUTIME_ID)
		return -EOPNOTSUPP;
	if (clock != CLOCK_REALTIME)
		clock = CLOCK_MONOTONIC;
	return do_nanosleep(t, clock, arg_int(a, 1), arg_uptr(a, 2), arg_uptr(a, 3));
}

static int64_t ticks(uint64_t ns)
{
	return (int64_t)(ns / 10000000ULL);
}

static struct linux_timeval ns_to_tv(uint64_t ns)
{
	return (struct linux_timeval){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL / 1000) };
}

/* times(2): clock ticks (100 Hz); returns ticks since an arbitrary point. */
long sys_times(struct task *t, const struct syscall_args *a)
{
	struct linux_tms tms;
	uint64_t user, sys;

	tg_cpu_times(t->tg, &user, &sys);
	tms.tms_utime = ticks(user);
	tms.tms_stime = ticks(sys);
	tms.tms_cutime = ticks(t->tg->cutime_ns);
	tms.tms_cstime = ticks(t->tg->cstime_ns);
	if (arg_u64(a, 0) && copy_out_obj(t, arg_uptr(a, 0), &tms))
		return -EFAULT;
	return ticks(monotonic_ns() - g_kernel.boot_ns) + 1000;
}

/* getrusage(2): times and peak memory; the other counters stay zero. */
long sys_getrusage(struct task *t, const struct syscall_args *a)
{
	struct linux_rusage ru;
	int who = arg_int(a, 0);
	uint64_t user, sys;

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	if (who == RUSAGE_CHILDREN) {
		ru.ru_utime = ns_to_tv(t->tg->cutime_ns);
		ru.ru_stime = ns_to_tv(t->tg->cstime_ns);
		ru.fields[0] = (int64_t)t->tg->cmaxrss_kb;
	} else {
		if (who == RUSAGE_THREAD)
			task_cpu_times(t, &user, &sys);
		else
			tg_cpu_times(t->tg, &user, &sys);
		ru.ru_utime = ns_to_tv(user);
		ru.ru_stime = ns_to_tv(sys);
		ru.fields[0] = (int64_t)MAX(t->tg->maxrss_kb, mm_rss_pages(t->mm) * (PAGE_SIZE / 1024));
	}
	return copy_out_obj(t, arg_uptr(a, 1), &ru) ? -EFAULT : 0;
}
