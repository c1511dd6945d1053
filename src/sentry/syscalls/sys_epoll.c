// SPDX-License-Identifier: MIT
/* epoll_create(1), epoll_ctl, epoll_wait, epoll_pwait(2), eventfd(2), timerfd_create/settime/gettime. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include "sentry/fs/anon/anon.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/waitq.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

/* epoll_create(2): the size only has to be positive. */
long sys_epoll_create(struct task *t, const struct syscall_args *a)
{
	return arg_int(a, 0) <= 0 ? -EINVAL : do_epoll_create(t, 0);
}

/* epoll_create1(2) */
long sys_epoll_create1(struct task *t, const struct syscall_args *a)
{
	return do_epoll_create(t, arg_int(a, 0));
}

/* epoll_ctl(2) */
long sys_epoll_ctl(struct task *t, const struct syscall_args *a)
{
	return do_epoll_ctl(t, arg_int(a, 0), arg_int(a, 1), arg_int(a, 2), arg_uptr(a, 3));
}

static uint64_t ms_deadline(int ms)
{
	if (ms < 0)
		return DEADLINE_NONE;
	return ms ? monotonic_ns() + (uint64_t)ms * 1000000ULL : 0;
}

static long finish_wait(long ret)
{
	/* epoll_wait is never restarted after a handler (EINTR), as on Linux */
	return ret == -EINTR ? -ERESTARTNOHAND : ret;
}

/* epoll_wait(2) */
long sys_epoll_wait(struct task *t, const struct syscall_args *a)
{
	return finish_wait(do_epoll_wait(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), ms_deadline(arg_int(a, 3))));
}

/* epoll_pwait(2) */
long sys_epoll_pwait(struct task *t, const struct syscall_args *a)
{
	int err = install_temp_sigmask(t, arg_uptr(a, 4), arg_u64(a, 5));

	if (err)
		return err;
	return finish_wait(do_epoll_wait(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), ms_deadline(arg_int(a, 3))));
}

/* epoll_pwait2(2): the timeout is a timespec. */
long sys_epoll_pwait2(struct task *t, const struct syscall_args *a)
{
	struct linux_timespec ts;
	uint64_t deadline = DEADLINE_NONE;
	int err;

	if (arg_u64(a, 3)) {
		if (copy_in_obj(t, &ts, arg_uptr(a, 3)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = (ts.tv_sec || ts.tv_nsec)
				   ? monotonic_ns() + (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec
				   : 0;
	}
	err = install_temp_sigmask(t, arg_uptr(a, 4), arg_u64(a, 5));
	if (err)
		return err;
	return finish_wait(do_epoll_wait(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), deadline));
}

/* eventfd(2) */
long sys_eventfd(struct task *t, const struct syscall_args *a)
{
	return do_eventfd2(t, arg_uint(a, 0), 0);
}

/* eventfd2(2) */
long sys_eventfd2(struct task *t, const struct syscall_args *a)
{
	return do_eventfd2(t, arg_uint(a, 0), arg_int(a, 1));
}

/* timerfd_create(2) */
long sys_timerfd_create(struct task *t, const struct syscall_args *a)
{
	return do_timerfd_create(t, arg_int(a, 0), arg_int(a, 1));
}

/* timerfd_settime(2) */
long sys_timerfd_settime(struct task *t, const struct syscall_args *a)
{
	return do_timerfd_settime(t, arg_int(a, 0), arg_int(a, 1), arg_uptr(a, 2), arg_uptr(a, 3));
}

/* timerfd_gettime(2) */
long sys_timerfd_gettime(struct task *t, const struct syscall_args *a)
{
	return do_timerfd_gettime(t, arg_int(a, 0), arg_uptr(a, 1));
}
