// SPDX-License-Identifier: MIT
/* kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, rt_sigpending, rt_sigsuspend, pause,
 * sigaltstack, rt_sigreturn. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include "sentry/kernel/kernel.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

#define UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))
#define MINSIGSTKSZ_ 2048
#define SS_AUTODISARM (1U << 31)

static bool valid_signal(int sig)
{
	return sig >= 0 && sig <= LINUX_NSIG;
}

/* The sender may signal @target: root, or matching real/effective uid against real/saved uid. */
static bool may_signal(struct task *t, struct task *target, int sig)
{
	const struct cred *s = &t->cred, *r = &target->cred;

	if (s->euid == 0)
		return true;
	if (sig == SIGCONT && target->tg->sid == t->tg->sid)
		return true;
	return s->euid == r->uid || s->euid == r->suid || s->uid == r->uid || s->uid == r->suid;
}

static void user_info(struct task *t, int sig, int code, struct linux_siginfo *info)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->kill.pid = t->tg->tgid;
	info->kill.uid = t->cred.uid;
}

static int kill_tg(struct task *t, struct thread_group *tg, int sig)
{
	struct linux_siginfo info;
	struct task *leader = list_first_entry(&tg->tasks, struct task, tg_node);

	if (!may_signal(t, leader, sig))
		return -EPERM;
	user_info(t, sig, SI_USER, &info);
	return send_signal_tg(tg, sig, &info);
}

/* kill(2) */
long sys_kill(struct task *t, const struct syscall_args *a)
{
	pid_t pid = arg_int(a, 0);
	int sig = arg_int(a, 1), err = -ESRCH, r;
	bool found = false;

	if (!valid_signal(sig))
		return -EINVAL;
	if (pid > 0) {
		struct thread_group *tg = tg_lookup(pid);

		return tg ? kill_tg(t, tg, sig) : -ESRCH;
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	for (int k = 1; k < PID_MAX; k++) {
		struct thread_group *tg = tg_lookup(k);

		if (!tg)
			continue;
		if (pid == 0 && tg->pgid != t->tg->pgid)
			continue;
		if (pid < -1 && tg->pgid != -pid)
			continue;
		if (pid == -1 && (tg->tgid == 1 || tg == t->tg))
			continue;
		r = kill_tg(t, tg, sig);
		if (!found || !r)
			err = r;
		found = true;
	}
	return found ? (err == -EPERM && pid == -1 ? 0 : err) : -ESRCH;
}

static long do_tkill(struct task *t, pid_t tgid, pid_t tid, int sig)
{
	struct linux_siginfo info;
	struct task *target;

	if (tid <= 0 || !valid_signal(sig))
		return -EINVAL;
	target = task_lookup(tid);
	if (!target || target->exiting || (tgid > 0 && target->tg->tgid != tgid) || target->tg->zombie)
		return -ESRCH;
	if (!may_signal(t, target, sig))
		return -EPERM;
	user_info(t, sig, SI_TKILL, &info);
	return send_signal_task(target, sig, &info);
}

/* tkill(2) */
long sys_tkill(struct task *t, const struct syscall_args *a)
{
	return do_tkill(t, -1, arg_int(a, 0), arg_int(a, 1));
}

/* tgkill(2) */
long sys_tgkill(struct task *t, const struct syscall_args *a)
{
	if (arg_int(a, 0) <= 0)
		return -EINVAL;
	return do_tkill(t, arg_int(a, 0), arg_int(a, 1), arg_int(a, 2));
}

/* rt_sigaction(2) */
long sys_rt_sigaction(struct task *t, const struct syscall_args *a)
{
	int sig = arg_int(a, 0);
	uptr_t uact = arg_uptr(a, 1), uold = arg_uptr(a, 2);
	struct linux_sigaction act, *cur;

	if (arg_u64(a, 3) != sizeof(linux_sigset_t) || sig < 1 || sig > LINUX_NSIG)
		return -EINVAL;
	if (uact.a && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (uact.a && copy_in_obj(t, &act, uact))
		return -EFAULT;
	cur = &t->tg->actions[sig - 1];
	if (uold.a && copy_out_obj(t, uold, cur))
		return -EFAULT;
	if (uact.a) {
		act.mask &= ~UNBLOCKABLE;
		*cur = act;
		/* POSIX: setting "ignore" discards what is pending */
		if (act.handler == 1 || (act.handler == 0 && sig_default_ignored(sig)))
			tg_flush_signal(t->tg, sig);
	}
	return 0;
}

/* rt_sigprocmask(2) */
long sys_rt_sigprocmask(struct task *t, const struct syscall_args *a)
{
	uptr_t uset = arg_uptr(a, 1), uold = arg_uptr(a, 2);
	linux_sigset_t set, old = t->sigmask;

	if (arg_u64(a, 3) != sizeof(linux_sigset_t))
		return -EINVAL;
	if (uset.a) {
		if (copy_in_obj(t, &set, uset))
			return -EFAULT;
		set &= ~UNBLOCKABLE;
		switch (arg_int(a, 0)) {
		case SIG_BLOCK:
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (uold.a && copy_out_obj(t, uold, &old))
		return -EFAULT;
	return 0;
}

/* rt_sigpending(2) */
long sys_rt_sigpending(struct task *t, const struct syscall_args *a)
{
	linux_sigset_t set = (t->pending | t->tg->pending) & t->sigmask;
	uint64_t size = arg_u64(a, 1);

	if (size > sizeof(set))
		return -EINVAL;
	return copy_out(t, arg_uptr(a, 0), &set, size) ? -EFAULT : 0;
}

/* Sleep until a signal arrives; the result is resolved at delivery. */
static long wait_for_signal(struct task *t)
{
	while (!task_signal_pending(t))
		task_sleep(t, DEADLINE_NONE);
	return -ERESTARTNOHAND;
}

/* Block @umask's set (SIGKILL and SIGSTOP never) until the next signal delivery restores the mask. */
static int set_temp_sigmask(struct task *t, uptr_t umask, uint64_t size)
{
	linux_sigset_t set;

	if (size != sizeof(set))
		return -EINVAL;
	if (copy_in_obj(t, &set, umask))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->has_saved_sigmask = true;
	t->sigmask = set & ~UNBLOCKABLE;
	return 0;
}

int install_temp_sigmask(struct task *t, uptr_t umask, uint64_t size)
{
	return umask.a ? set_temp_sigmask(t, umask, size) : 0;
}

/* rt_sigsuspend(2) */
long sys_rt_sigsuspend(struct task *t, const struct syscall_args *a)
{
	int err = set_temp_sigmask(t, arg_uptr(a, 0), arg_u64(a, 1));

	return err ? err : wait_for_signal(t);
}

/* pause(2) */
long sys_pause(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return wait_for_signal(t);
}

/* sigaltstack(2) */
long sys_sigaltstack(struct task *t, const struct syscall_args *a)
{
	uptr_t uss = arg_uptr(a, 0), uold = arg_uptr(a, 1);
	struct linux_stack old = t->altstack, ss;
	bool on = old.ss_size && t->regs.rsp > old.ss_sp && t->regs.rsp - old.ss_sp <= old.ss_size;

	old.ss_flags = on ? SS_ONSTACK : old.ss_size ? 0 : SS_DISABLE;
	if (uss.a) {
		if (copy_in_obj(t, &ss, uss))
			return -EFAULT;
		if (on)
			return -EPERM;
		if (ss.ss_flags & ~(SS_DISABLE | SS_ONSTACK | SS_AUTODISARM))
			return -EINVAL;
		if (ss.ss_flags & SS_DISABLE) {
			memset(&t->altstack, 0, sizeof(t->altstack));
			t->altstack.ss_flags = SS_DISABLE;
		} else {
			if (ss.ss_size < MINSIGSTKSZ_)
				return -ENOMEM;
			t->altstack = ss;
			t->altstack.ss_flags = 0;
		}
	}
	if (uold.a && copy_out_obj(t, uold, &old))
		return -EFAULT;
	return 0;
}

/* rt_sigtimedwait(2): wait for a signal of @set (normally blocked) and take it, no handler run. */
long sys_rt_sigtimedwait(struct task *t, const struct syscall_args *a)
{
	linux_sigset_t set, saved = t->sigmask;
	struct linux_siginfo info;
	struct linux_timespec ts;
	uint64_t deadline = DEADLINE_NONE;
	int sig;

	if (arg_u64(a, 3) != sizeof(set))
		return -EINVAL;
	if (copy_in_obj(t, &set, arg_uptr(a, 0)))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	if (arg_u64(a, 2)) {
		if (copy_in_obj(t, &ts, arg_uptr(a, 2)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = monotonic_ns() + (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	}
	/* While waiting, the set counts as unblocked so that its signals wake us. */
	t->sigmask &= ~set;
	t->sigwaiting = set;
	while (!(sig = dequeue_signal_in(t, set, &info))) {
		int err = task_sleep(t, deadline);

		if (err == -ETIMEDOUT) {
			sig = -EAGAIN;
			break;
		}
		if (err == -EINTR && !((t->pending | t->tg->pending) & set)) {
			sig = -EINTR;
			break;
		}
	}
	t->sigmask = saved;
	t->sigwaiting = 0;
	if (sig < 0)
		return sig;
	if (arg_u64(a, 1) && copy_out_obj(t, arg_uptr(a, 1), &info))
		return -EFAULT;
	return sig;
}

/* Queue a caller-made siginfo; only SI_QUEUE-like (negative) codes, unless to ourselves. */
static long queue_info(struct task *t, struct thread_group *tg, struct task *target, int sig, uptr_t uinfo)
{
	struct linux_siginfo info;

	if (!valid_signal(sig))
		return -EINVAL;
	if (copy_in_obj(t, &info, uinfo))
		return -EFAULT;
	if ((info.si_code >= 0 || info.si_code == SI_TKILL) && tg != t->tg)
		return -EPERM;
	info.si_signo = sig;
	if (target)
		return send_signal_task(target, sig, &info);
	return send_signal_tg(tg, sig, &info);
}

/* rt_sigqueueinfo(2) */
long sys_rt_sigqueueinfo(struct task *t, const struct syscall_args *a)
{
	struct thread_group *tg = tg_lookup(arg_int(a, 0));

	if (!tg)
		return -ESRCH;
	return queue_info(t, tg, NULL, arg_int(a, 1), arg_uptr(a, 2));
}

/* rt_tgsigqueueinfo(2) */
long sys_rt_tgsigqueueinfo(struct task *t, const struct syscall_args *a)
{
	struct task *target = task_lookup(arg_int(a, 1));

	if (!target || target->exiting || target->tg->tgid != arg_int(a, 0))
		return -ESRCH;
	return queue_info(t, target->tg, target, arg_int(a, 2), arg_uptr(a, 3));
}

/* rt_sigreturn(2) */
long sys_rt_sigreturn(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return restore_signal_frame(t);
}
