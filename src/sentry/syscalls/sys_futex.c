// SPDX-License-Identifier: MIT
/* futex(2), set_robust_list(2), get_robust_list(2). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif
#include <time.h>
#include "sentry/kernel/futex.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/waitq.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

/* The timeout: relative for FUTEX_WAIT, absolute (realtime or monotonic) for WAIT_BITSET. */
static int futex_deadline(struct task *t, uptr_t uts, bool absolute, bool realtime, uint64_t *deadline)
{
	struct linux_timespec ts;
	uint64_t ns;

	*deadline = DEADLINE_NONE;
	if (!uts.a)
		return 0;
	if (copy_in_obj(t, &ts, uts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (!absolute)
		*deadline = monotonic_ns() + ns;
	else if (realtime)
		*deadline = ns > realtime_ns() ? monotonic_ns() + (ns - realtime_ns()) : 0;
	else
		*deadline = ns;
	return 0;
}

/* futex(2) */
long sys_futex(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = arg_u64(a, 0), deadline;
	int op = arg_int(a, 1), cmd = op & FUTEX_CMD_MASK;
	uint32_t val = arg_uint(a, 2), val3 = arg_uint(a, 5);
	bool shared = !(op & FUTEX_PRIVATE_FLAG), realtime = op & FUTEX_CLOCK_REALTIME;
	int err;

	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		err = futex_deadline(t, arg_uptr(a, 3), cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
		if (err)
			return err;
		err = futex_wait(t, addr, val, cmd == FUTEX_WAIT ? FUTEX_BITSET_ANY : val3, deadline, shared);
		if (err == -EINTR)
			return deadline == DEADLINE_NONE ? -ERESTARTSYS : -EINTR;
		return err;
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(t, addr, (int)val, cmd == FUTEX_WAKE ? FUTEX_BITSET_ANY : val3, shared);
	case FUTEX_REQUEUE:
		return futex_requeue(t, addr, arg_u64(a, 4), (int)val, (int)arg_u64(a, 3), false, 0, shared);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, addr, arg_u64(a, 4), (int)val, (int)arg_u64(a, 3), true, val3, shared);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, addr, arg_u64(a, 4), (int)val, (int)arg_u64(a, 3), val3, shared);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		/* LOCK_PI's timeout is absolute CLOCK_REALTIME; LOCK_PI2's follows FUTEX_CLOCK_REALTIME */
		err = futex_deadline(t, arg_uptr(a, 3), true, cmd == FUTEX_LOCK_PI || realtime, &deadline);
		if (err)
			return err;
		err = futex_lock_pi(t, addr, deadline, false);
		return err == -EINTR ? -ERESTARTNOINTR : err;
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(t, addr, DEADLINE_NONE, true);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, addr);
	default:
		return -ENOSYS;
	}
}

/* set_robust_list(2): recorded; the list is walked when the thread exits. */
long sys_set_robust_list(struct task *t, const struct syscall_args *a)
{
	if (arg_u64(a, 1) != 24)	/* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = arg_u64(a, 0);
	return 0;
}

/* get_robust_list(2) */
long sys_get_robust_list(struct task *t, const struct syscall_args *a)
{
	struct task *target = arg_int(a, 0) ? task_lookup(arg_int(a, 0)) : t;
	uint64_t len = 24;

	if (!target || target->exiting)
		return -ESRCH;
	if (copy_out(t, arg_uptr(a, 1), &target->robust_list, 8) || copy_out(t, arg_uptr(a, 2), &len, 8))
		return -EFAULT;
	return 0;
}
