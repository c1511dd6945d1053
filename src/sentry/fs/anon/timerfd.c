// SPDX-License-Identifier: MIT
/* timerfd: a timer whose expirations are read as a 64-bit count. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include "sentry/fs/anon/anon.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "sentry/mm/usercopy.h"

struct timerfd {
	struct ktimer kt;
	uint64_t ticks;
	int clock;
	struct waitq wq;
};

struct linux_itimerspec {
	struct linux_timespec interval, value;
};

static const struct file_ops timerfd_fops;

static void timerfd_fire(struct ktimer *kt)
{
	struct timerfd *tf = container_of(kt, struct timerfd, kt);

	tf->ticks += 1 + kt->overrun;
	kt->overrun = 0;
	waitq_wake_all(&tf->wq);
}

static ssize_t timerfd_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct timerfd *tf = f->priv;
	ssize_t n;

	(void)pos;
	if (it->count < 8)
		return -EINVAL;
	if (!tf->ticks) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event(current, &tf->wq, tf->ticks, DEADLINE_NONE))
			return -ERESTARTSYS;
	}
	n = iov_iter_copy_to(it, &tf->ticks, 8);
	if (n != 8)
		return n < 0 ? n : -EFAULT;
	tf->ticks = 0;
	return 8;
}

static unsigned timerfd_poll(struct file *f, struct waitq **wq)
{
	struct timerfd *tf = f->priv;

	*wq = &tf->wq;
	return tf->ticks ? POLLIN | POLLRDNORM : 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tf = f->priv;

	ktimer_disarm(&tf->kt);
	free(tf);
}

static const struct file_ops timerfd_fops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

int do_timerfd_create(struct task *t, int clockid, int flags)
{
	struct timerfd *tf;

	if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC && clockid != CLOCK_BOOTTIME &&
	    clockid != CLOCK_REALTIME_ALARM && clockid != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	tf = xzalloc(sizeof(*tf));
	tf->clock = clockid;
	tf->kt.fire = timerfd_fire;
	waitq_init(&tf->wq);
	return fd_install(t, anon_file_new("[timerfd]", &timerfd_fops, tf, O_RDWR | (flags & O_NONBLOCK)), 0,
			  flags & TFD_CLOEXEC);
}

/* The timerfd behind @fd, with a reference in *@out. */
static int timerfd_get(struct task *t, int fd, struct file **out)
{
	struct file *f = fdget(t, fd);

	if (!f)
		return -EBADF;
	if (f->ops != &timerfd_fops) {
		file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
	return (struct linux_timespec){ (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL) };
}

static void current_setting(struct timerfd *tf, struct linux_itimerspec *cur)
{
	cur->value = ns_ts(ktimer_remaining(&tf->kt));
	cur->interval = ns_ts(tf->kt.interval);
}

long do_timerfd_settime(struct task *t, int fd, int flags, uptr_t unew, uptr_t uold)
{
	struct linux_itimerspec nv, old;
	struct timerfd *tf;
	struct file *f;
	uint64_t v, deadline = 0;
	int err;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (copy_in_obj(t, &nv, unew))
		return -EFAULT;
	if (nv.value.tv_nsec < 0 || nv.value.tv_nsec >= 1000000000 || nv.interval.tv_nsec < 0 ||
	    nv.interval.tv_nsec >= 1000000000 || nv.value.tv_sec < 0 || nv.interval.tv_sec < 0)
		return -EINVAL;
	err = timerfd_get(t, fd, &f);
	if (err)
		return err;
	tf = f->priv;
	current_setting(tf, &old);
	v = (uint64_t)nv.value.tv_sec * 1000000000ULL + (uint64_t)nv.value.tv_nsec;
	if (v) {
		bool realtime = tf->clock == CLOCK_REALTIME || tf->clock == CLOCK_REALTIME_ALARM;

		if (!(flags & TFD_TIMER_ABSTIME))
			deadline = monotonic_ns() + v;
		else if (realtime)
			deadline = monotonic_ns() + (v > realtime_ns() ? v - realtime_ns() : 1);
		else
			deadline = MAX(v, (uint64_t)1);
	}
	tf->ticks = 0;
	tf->kt.overrun = 0;
	tf->kt.skipped = 0;
	ktimer_arm(&tf->kt, deadline,
		   v ? (uint64_t)nv.interval.tv_sec * 1000000000ULL + (uint64_t)nv.interval.tv_nsec : 0);
	file_put(f);
	if (uold.a && copy_out_obj(t, uold, &old))
		return -EFAULT;
	return 0;
}

long do_timerfd_gettime(struct task *t, int fd, uptr_t ucur)
{
	struct linux_itimerspec cur;
	struct file *f;
	int err = timerfd_get(t, fd, &f);

	if (err)
		return err;
	current_setting(f->priv, &cur);
	file_put(f);
	return copy_out_obj(t, ucur, &cur) ? -EFAULT : 0;
}
