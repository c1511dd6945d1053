// SPDX-License-Identifier: MIT
/*
 * Interval and POSIX timers: setitimer, getitimer, alarm (ITIMER_REAL fires
 * SIGALRM at a wall-clock deadline; ITIMER_VIRTUAL and ITIMER_PROF fire
 * SIGVTALRM and SIGPROF at a process CPU time, checked every 10 ms while
 * armed), timer_create, timer_settime, timer_gettime, timer_getoverrun,
 * timer_delete.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

struct linux_itimerval {
	struct linux_timeval interval, value;
};

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

struct linux_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	uint8_t pad[44];
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "sigevent");

struct posix_timer {
	struct ktimer kt;
	struct thread_group *tg;
	int id;
	int signo, notify;
	pid_t tid;
	uint64_t value;
	clockid_t clock;
	uint32_t seq;			/* bumped by timer_settime: a stale signal does not re-arm */
	int32_t overrun_last;		/* si_overrun of the last signal taken (timer_getoverrun) */
};

/* Linux's siginfo layout for SI_TIMER: _tid, _overrun, _sigval, _sys_private. */
#define TIMER_INFO_TID 0
#define TIMER_INFO_OVERRUN 4
#define TIMER_INFO_VALUE 8
#define TIMER_INFO_SEQ 16

static int32_t clamp_overrun(uint64_t n)
{
	return (int32_t)MIN(n, (uint64_t)INT32_MAX);	/* DELAYTIMER_MAX */
}

/* The signal we just sent is the one pending (not ignored, not folded into another). */
static bool timer_signal_queued(struct posix_timer *pt, linux_sigset_t pending,
				const struct linux_siginfo *queued)
{
	uint32_t seq;
	int id;

	if (!(pending & sig_bit(pt->signo)) || queued->si_code != SI_TIMER)
		return false;
	memcpy(&id, queued->raw + TIMER_INFO_TID, 4);
	memcpy(&seq, queued->raw + TIMER_INFO_SEQ, 4);
	return id == pt->id && seq == pt->seq;
}

static uint64_t tv_ns(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000;
}

static struct linux_timeval ns_tv(uint64_t ns)
{
	return (struct linux_timeval){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL / 1000) };
}

static uint64_t ts_ns(const struct linux_timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ULL + (uint64_t)ts->tv_nsec;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	return (struct linux_timespec){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL) };
}

/* ITIMER_REAL expired: SIGALRM to the process. */
void itimer_real_fire(struct ktimer *kt)
{
	struct thread_group *tg = container_of(kt, struct thread_group, itimer_real);
	struct linux_siginfo info = { .si_signo = SIGALRM, .si_code = SI_KERNEL };

	send_signal_tg(tg, SIGALRM, &info);
}

#define CPU_POLL_NS 10000000ULL

/* CPU time of the whole process: user only (VIRTUAL, k 0) or user + system (PROF, k 1). */
static uint64_t process_cpu_ns(struct thread_group *tg, int k)
{
	uint64_t user, sys;

	tg_cpu_times(tg, &user, &sys);
	return user + (k ? sys : 0);
}

/*
 * RLIMIT_CPU, on user + system time like Linux's check_process_timers():
 * SIGKILL at the hard limit; SIGXCPU at the soft limit, which then moves
 * on by a second so that it comes again every second of CPU.
 */
static void check_rlimit_cpu(struct thread_group *tg)
{
	struct linux_rlimit *rl = &tg->rlimits[RLIMIT_CPU];
	struct linux_siginfo info = { .si_code = SI_KERNEL };
	uint64_t secs;

	if (rl->rlim_cur == RLIM_INFINITY)
		return;
	secs = process_cpu_ns(tg, 1) / 1000000000ULL;
	if (rl->rlim_max != RLIM_INFINITY && secs >= rl->rlim_max) {
		info.si_signo = SIGKILL;
		send_signal_tg_forced(tg, SIGKILL, &info);	/* Linux: SEND_SIG_PRIV */
		return;
	}
	if (secs >= rl->rlim_cur) {
		info.si_signo = SIGXCPU;
		send_signal_tg(tg, SIGXCPU, &info);
		rl->rlim_cur++;
	}
}

static bool rlimit_cpu_set(struct thread_group *tg)
{
	return tg->rlimits[RLIMIT_CPU].rlim_cur != RLIM_INFINITY;
}

static void arm_cpu_poll(struct thread_group *tg)
{
	/* A zombie's timers were released; arming one now would outlive its memory. */
	if (tg->zombie)
		return;
	if (!tg->itimer_cpu_poll.armed)
		ktimer_arm(&tg->itimer_cpu_poll, monotonic_ns() + CPU_POLL_NS, CPU_POLL_NS);
}

void rlimit_cpu_changed(struct thread_group *tg)
{
	if (rlimit_cpu_set(tg))
		arm_cpu_poll(tg);
}

void itimer_cpu_poll(struct ktimer *kt)
{
	struct thread_group *tg = container_of(kt, struct thread_group, itimer_cpu_poll);
	static const int sigs[2] = { SIGVTALRM, SIGPROF };
	bool armed = false;

	if (tg->zombie || tg->exiting) {
		ktimer_disarm(kt);
		return;
	}
	for (int k = 0; k < 2; k++) {
		uint64_t now;

		if (!tg->itimer_cpu_expiry[k])
			continue;
		now = process_cpu_ns(tg, k);
		if (now >= tg->itimer_cpu_expiry[k]) {
			struct linux_siginfo info = { .si_signo = sigs[k], .si_code = SI_KERNEL };

			send_signal_tg(tg, sigs[k], &info);
			tg->itimer_cpu_expiry[k] = tg->itimer_cpu_interval[k] ? now + tg->itimer_cpu_interval[k] : 0;
		}
		armed |= tg->itimer_cpu_expiry[k] != 0;
	}
	check_rlimit_cpu(tg);
	if (!armed && !rlimit_cpu_set(tg))
		ktimer_disarm(kt);
}

static void get_itimer(struct task *t, int which, struct linux_itimerval *out)
{
	struct thread_group *tg = t->tg;

	if (which == ITIMER_REAL) {
		out->value = ns_tv(ktimer_remaining(&tg->itimer_real));
		out->interval = ns_tv(tg->itimer_real.interval);
	} else {
		int k = which - 1;
		uint64_t now = process_cpu_ns(tg, k), due = tg->itimer_cpu_expiry[k];

		out->value = ns_tv(due ? (due > now ? due - now : 1000) : 0);
		out->interval = ns_tv(tg->itimer_cpu_interval[k]);
	}
}

static long do_setitimer(struct task *t, int which, const struct linux_itimerval *nv, struct linux_itimerval *old)
{
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	if (nv && (nv->value.tv_usec < 0 || nv->value.tv_usec >= 1000000 || nv->interval.tv_usec < 0 ||
		   nv->interval.tv_usec >= 1000000 || nv->value.tv_sec < 0 || nv->interval.tv_sec < 0))
		return -EINVAL;
	if (old)
		get_itimer(t, which, old);
	if (!nv)
		return 0;
	if (which == ITIMER_REAL) {
		uint64_t v = tv_ns(&nv->value);

		t->tg->itimer_real.skipped = 0;
		ktimer_arm(&t->tg->itimer_real, v ? monotonic_ns() + v : 0, v ? tv_ns(&nv->interval) : 0);
	} else {
		struct thread_group *tg = t->tg;
		int k = which - 1;
		uint64_t v = tv_ns(&nv->value);

		tg->itimer_cpu_expiry[k] = v ? process_cpu_ns(tg, k) + v : 0;
		tg->itimer_cpu_interval[k] = v ? tv_ns(&nv->interval) : 0;
		if (v)
			arm_cpu_poll(tg);
	}
	return 0;
}

/* setitimer(2) */
long sys_setitimer(struct task *t, const struct syscall_args *a)
{
	struct linux_itimerval nv, old;
	long err;

	if (arg_u64(a, 1) && copy_in_obj(t, &nv, arg_uptr(a, 1)))
		return -EFAULT;
	err = do_setitimer(t, arg_int(a, 0), arg_u64(a, 1) ? &nv : NULL, &old);
	if (!err && arg_u64(a, 2) && copy_out_obj(t, arg_uptr(a, 2), &old))
		return -EFAULT;
	return err;
}

/* getitimer(2) */
long sys_getitimer(struct task *t, const struct syscall_args *a)
{
	struct linux_itimerval cur;
	int which = arg_int(a, 0);

	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	get_itimer(t, which, &cur);
	return copy_out_obj(t, arg_uptr(a, 1), &cur) ? -EFAULT : 0;
}

/* alarm(2): seconds left on the previous alarm, rounded to the nearest (at least 1). */
long sys_alarm(struct task *t, const struct syscall_args *a)
{
	struct linux_itimerval nv = { .value = { arg_uint(a, 0), 0 } }, old;
	long secs;

	do_setitimer(t, ITIMER_REAL, &nv, &old);
	secs = old.value.tv_sec + (old.value.tv_usec >= 500000);
	if (!secs && old.value.tv_usec)
		secs = 1;
	return secs;
}

/*
 * A POSIX timer expired. Like Linux, a periodic timer whose signal is queued
 * is re-armed only when that signal is taken (posix_timer_dequeued), so at
 * most one signal is in flight and the overrun counts up to that moment.
 */
static void posix_timer_fire(struct ktimer *kt)
{
	struct posix_timer *pt = container_of(kt, struct posix_timer, kt);
	struct linux_siginfo info = { .si_signo = pt->signo, .si_code = SI_TIMER };
	bool queued = false;

	if ((pt->notify & ~SIGEV_THREAD_ID) == SIGEV_NONE)
		return;
	memcpy(info.raw + TIMER_INFO_TID, &pt->id, 4);
	memcpy(info.raw + TIMER_INFO_VALUE, &pt->value, 8);
	memcpy(info.raw + TIMER_INFO_SEQ, &pt->seq, 4);
	if (pt->notify & SIGEV_THREAD_ID) {
		struct task *target = task_lookup(pt->tid);

		if (target && target->tg == pt->tg && !target->exiting) {
			send_signal_task(target, pt->signo, &info);
			queued = timer_signal_queued(pt, target->pending, &target->pending_info[pt->signo - 1]);
		}
	} else {
		send_signal_tg(pt->tg, pt->signo, &info);
		queued = timer_signal_queued(pt, pt->tg->pending, &pt->tg->pending_info[pt->signo - 1]);
	}
	/* ignored, or another instance pending: nobody will take it, so keep the period going */
	if (!queued && kt->interval)
		ktimer_forward(kt, monotonic_ns());
}

void posix_timer_dequeued(struct task *t, struct linux_siginfo *info)
{
	struct posix_timer *pt;
	int32_t overrun = 0;
	uint32_t seq;
	int id;

	memcpy(&id, info->raw + TIMER_INFO_TID, 4);
	memcpy(&seq, info->raw + TIMER_INFO_SEQ, 4);
	memset(info->raw + TIMER_INFO_SEQ, 0, 4);	/* kernel-private, like Linux's si_sys_private */
	if (id < 0 || id >= MAX_POSIX_TIMERS || !(pt = t->tg->posix_timers[id]) || pt->seq != seq)
		return;
	if (pt->kt.interval && !pt->kt.armed) {
		ktimer_expire_periodic(&pt->kt, monotonic_ns());
		overrun = clamp_overrun(pt->kt.overrun);
	}
	pt->overrun_last = overrun;
	memcpy(info->raw + TIMER_INFO_OVERRUN, &overrun, 4);
}

static struct posix_timer *find_timer(struct task *t, int id)
{
	if (id < 0 || id >= MAX_POSIX_TIMERS)
		return NULL;
	return t->tg->posix_timers[id];
}

static bool timer_clock_ok(clockid_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME || c == CLOCK_REALTIME_ALARM ||
	       c == CLOCK_BOOTTIME_ALARM;
}

/* timer_create(2) */
long sys_timer_create(struct task *t, const struct syscall_args *a)
{
	clockid_t clock = arg_int(a, 0);
	struct linux_sigevent ev = { .signo = SIGALRM, .notify = SIGEV_SIGNAL };
	struct posix_timer *pt;
	int id;

	if (!timer_clock_ok(clock))
		return -EINVAL;
	if (arg_u64(a, 1) && copy_in_obj(t, &ev, arg_uptr(a, 1)))
		return -EFAULT;
	if (ev.notify != SIGEV_NONE && ev.notify != SIGEV_SIGNAL && ev.notify != (SIGEV_SIGNAL | SIGEV_THREAD_ID))
		return -EINVAL;
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > LINUX_NSIG))
		return -EINVAL;
	if ((ev.notify & SIGEV_THREAD_ID) && (!task_lookup(ev.tid) || task_lookup(ev.tid)->tg != t->tg))
		return -EINVAL;
	for (id = 0; id < MAX_POSIX_TIMERS && t->tg->posix_timers[id]; id++)
		;
	if (id == MAX_POSIX_TIMERS)
		return -EAGAIN;
	pt = xzalloc(sizeof(*pt));
	pt->tg = t->tg;
	pt->id = id;
	pt->signo = ev.signo;
	pt->notify = ev.notify;
	pt->tid = ev.tid;
	pt->value = arg_u64(a, 1) ? ev.value : (uint64_t)id;
	pt->clock = clock;
	pt->kt.fire = posix_timer_fire;
	pt->kt.manual_rearm = ev.notify != SIGEV_NONE;
	if (copy_out_obj(t, arg_uptr(a, 2), &id)) {
		free(pt);
		return -EFAULT;
	}
	t->tg->posix_timers[id] = pt;
	return 0;
}

static void get_timer(struct posix_timer *pt, struct linux_itimerspec *out)
{
	out->value = ns_ts(ktimer_remaining(&pt->kt));
	out->interval = ns_ts(pt->kt.interval);
}

/*
 * The CLOCK_MONOTONIC deadline of CLOCK_REALTIME time @v. A time further in
 * the past than monotonic zero becomes 1, and the periods of @interval in
 * between are counted into @skipped, so the overrun still covers them.
 */
static uint64_t realtime_deadline(uint64_t v, uint64_t interval, uint64_t *skipped)
{
	uint64_t rt = realtime_ns(), mono = monotonic_ns();

	if (v >= rt)
		return mono + (v - rt);
	if (rt - v < mono)
		return mono - (rt - v);
	if (interval)
		*skipped = (rt - v - mono + 1) / interval;
	return 1;
}

/* timer_settime(2) */
long sys_timer_settime(struct task *t, const struct syscall_args *a)
{
	struct posix_timer *pt = find_timer(t, arg_int(a, 0));
	struct linux_itimerspec nv, old;
	uint64_t v, deadline = 0, skipped = 0;

	if (!pt)
		return -EINVAL;
	if (copy_in_obj(t, &nv, arg_uptr(a, 2)))
		return -EFAULT;
	if (nv.value.tv_nsec < 0 || nv.value.tv_nsec >= 1000000000 || nv.interval.tv_nsec < 0 ||
	    nv.interval.tv_nsec >= 1000000000 || nv.value.tv_sec < 0 || nv.interval.tv_sec < 0)
		return -EINVAL;
	get_timer(pt, &old);
	v = ts_ns(&nv.value);
	if (v) {
		if (!(arg_int(a, 1) & TIMER_ABSTIME))
			deadline = monotonic_ns() + v;
		else if (pt->clock == CLOCK_REALTIME || pt->clock == CLOCK_REALTIME_ALARM)
			deadline = realtime_deadline(v, ts_ns(&nv.interval), &skipped);
		else
			deadline = MAX(v, (uint64_t)1);
	}
	pt->kt.overrun = 0;
	pt->kt.skipped = skipped;
	pt->overrun_last = 0;
	pt->seq++;
	ktimer_arm(&pt->kt, deadline, v ? ts_ns(&nv.interval) : 0);
	if (arg_u64(a, 3) && copy_out_obj(t, arg_uptr(a, 3), &old))
		return -EFAULT;
	return 0;
}

/* timer_gettime(2) */
long sys_timer_gettime(struct task *t, const struct syscall_args *a)
{
	struct posix_timer *pt = find_timer(t, arg_int(a, 0));
	struct linux_itimerspec cur;

	if (!pt)
		return -EINVAL;
	get_timer(pt, &cur);
	return copy_out_obj(t, arg_uptr(a, 1), &cur) ? -EFAULT : 0;
}

/* timer_getoverrun(2) */
long sys_timer_getoverrun(struct task *t, const struct syscall_args *a)
{
	struct posix_timer *pt = find_timer(t, arg_int(a, 0));

	if (!pt)
		return -EINVAL;
	return pt->kt.manual_rearm ? pt->overrun_last : clamp_overrun(pt->kt.overrun);
}

/* timer_delete(2) */
long sys_timer_delete(struct task *t, const struct syscall_args *a)
{
	struct posix_timer *pt = find_timer(t, arg_int(a, 0));

	if (!pt)
		return -EINVAL;
	ktimer_disarm(&pt->kt);
	t->tg->posix_timers[pt->id] = NULL;
	free(pt);
	return 0;
}

void timers_release(struct thread_group *tg)
{
	ktimer_disarm(&tg->itimer_real);
	ktimer_disarm(&tg->itimer_cpu_poll);
	for (int id = 0; id < MAX_POSIX_TIMERS; id++) {
		if (tg->posix_timers[id]) {
			ktimer_disarm(&tg->posix_timers[id]->kt);
			free(tg->posix_timers[id]);
			tg->posix_timers[id] = NULL;
		}
	}
}
