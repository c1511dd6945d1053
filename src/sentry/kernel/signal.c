// SPDX-License-Identifier: MIT
/*
 * Signal generation and default actions: terminate, ignore, stop and
 * continue. Pending sets are per thread (tkill) and per process (kill).
 * Running guest handlers (signal frames, rt_sigreturn) comes next.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "lib/log.h"
#include "sentry/kernel/coredump.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/strace/strace.h"

#define SIG_DFL_HANDLER 0
#define SIG_IGN_HANDLER 1

static const linux_sigset_t default_ignore =
	(1ULL << (SIGCHLD - 1)) | (1ULL << (SIGURG - 1)) | (1ULL << (SIGWINCH - 1)) | (1ULL << (SIGCONT - 1));
static const linux_sigset_t stop_set =
	(1ULL << (SIGSTOP - 1)) | (1ULL << (SIGTSTP - 1)) | (1ULL << (SIGTTIN - 1)) | (1ULL << (SIGTTOU - 1));
static const linux_sigset_t unblockable = (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));
/* default action "core": terminate, and dump core where RLIMIT_CORE allows */
static const linux_sigset_t core_set = (1ULL << (SIGQUIT - 1)) | (1ULL << (SIGILL - 1)) | (1ULL << (SIGTRAP - 1)) |
				       (1ULL << (SIGABRT - 1)) | (1ULL << (SIGBUS - 1)) | (1ULL << (SIGFPE - 1)) |
				       (1ULL << (SIGSEGV - 1)) | (1ULL << (SIGXCPU - 1)) | (1ULL << (SIGXFSZ - 1)) |
				       (1ULL << (SIGSYS - 1));

bool sig_default_ignored(int sig)
{
	return (default_ignore & sig_bit(sig)) != 0;
}

/*
 * Like Linux's SIGNAL_UNKILLABLE for a pid namespace's init: the sandbox's
 * init gets no signal it has no handler for from inside the sandbox, not even
 * SIGKILL or SIGSTOP. Only @force (a signal from outside the sandbox, or one
 * the kernel must deliver: a fault, the RLIMIT_CPU kill) gets through. Unlike
 * Linux, which lets only SIGKILL/SIGSTOP of a forced SIG_DFL signal through,
 * the outside's SIGTERM/SIGINT/SIGHUP act as on any process: `cvisor do`
 * forwards them and its grace period relies on that (docs/lifetime.md).
 */
static bool init_drops(struct thread_group *tg, int sig, bool force)
{
	return tg == g_kernel.init_tg && !force && tg->actions[sig - 1].handler == SIG_DFL_HANDLER;
}

/*
 * Real-time signals queue every instance with its siginfo (Linux): the first
 * lies in pending_info[] like a standard signal's, later ones in a FIFO
 * (rt_queue) in the order sent. All instances count against the receiver's
 * RLIMIT_SIGPENDING, here sandbox-wide (Linux counts per user); beyond it a
 * sigqueue()-like send fails with EAGAIN and a kill() loses its info, as on
 * Linux. SIGQ_HARD_MAX bounds the Sentry's memory whatever the limit says.
 */
#define SIGRTMIN_ 32
#define SIGQ_HARD_MAX 131072

struct sigq {
	struct list_head node;
	int sig;
	struct linux_siginfo info;
};

static uint64_t g_sigq_count;	/* RT instances pending in the sandbox, first ones included */

static struct list_head *rtq(struct list_head *q)
{
	if (!q->next)
		list_init(q);
	return q;
}

static bool sigq_full(struct thread_group *tg)
{
	uint64_t lim = tg->rlimits[RLIMIT_SIGPENDING].rlim_cur;

	return g_sigq_count >= SIGQ_HARD_MAX || g_sigq_count >= lim;
}

/*
 * Queue @sig to a pending set (@set, @infos, @q). Returns -EAGAIN when a
 * real-time signal with its own siginfo cannot be queued, else 0.
 */
static int queue_signal(linux_sigset_t *set, struct linux_siginfo *infos, struct list_head *q,
			struct thread_group *tg, int sig, const struct linux_siginfo *info)
{
	bool rt = sig >= SIGRTMIN_, pending = *set & sig_bit(sig);
	struct sigq *e;

	/* Like Linux's legacy_queue(): a second standard signal while one is pending adds nothing. */
	if (pending && (!rt || (info && info->si_code == SI_TIMER)))
		return 0;	/* a timer has one instance in flight (posix_timer_fire re-arms) */
	if (rt && sigq_full(tg)) {
		if (info && info->si_code != SI_USER && info->si_code != SI_KERNEL)
			return -EAGAIN;
		if (pending)
			return 0;	/* Linux: still pending once, the info is lost */
	}
	if (rt)
		g_sigq_count++;
	if (!pending) {
		*set |= sig_bit(sig);
		if (info)
			infos[sig - 1] = *info;
		else
			memset(&infos[sig - 1], 0, sizeof(*info));
		return 0;
	}
	e = xzalloc(sizeof(*e));
	e->sig = sig;
	if (info)
		e->info = *info;
	list_add_tail(&e->node, rtq(q));
	return 0;
}

/* @sig was taken from (@set, @infos): the next queued instance, if any, becomes the pending one. */
static void unqueue_signal(linux_sigset_t *set, struct linux_siginfo *infos, struct list_head *q, int sig)
{
	struct sigq *e;

	if (sig < SIGRTMIN_)
		return;
	if (g_sigq_count)
		g_sigq_count--;
	list_for_each_entry(e, rtq(q), node)
		if (e->sig == sig) {
			*set |= sig_bit(sig);
			infos[sig - 1] = e->info;
			list_del(&e->node);
			free(e);
			return;
		}
}

/* Drop every queued instance of @sig (all of them if @sig is 0) from @q, pending bit already cleared. */
static void flush_queue(linux_sigset_t was, struct list_head *q, int sig)
{
	struct sigq *e, *n;

	if ((sig == 0 || sig >= SIGRTMIN_) && g_sigq_count) {
		for (int k = SIGRTMIN_; k <= LINUX_NSIG; k++)
			if ((was & sig_bit(k)) && (sig == 0 || k == sig) && g_sigq_count)
				g_sigq_count--;
	}
	list_for_each_entry_safe(e, n, rtq(q), node)
		if (sig == 0 || e->sig == sig) {
			list_del(&e->node);
			free(e);
			if (g_sigq_count)
				g_sigq_count--;
		}
}

void task_flush_sigqueue(struct task *t)
{
	flush_queue(t->pending, &t->rt_queue, 0);
	t->pending = 0;
}

void tg_flush_sigqueue(struct thread_group *tg)
{
	flush_queue(tg->pending, &tg->rt_queue, 0);
	tg->pending = 0;
}

/* Blocked (or awaited in rt_sigtimedwait) by @t: the handler may change before it is taken. */
static bool sig_held(struct task *t, int sig)
{
	return ((t->sigmask | t->sigwaiting) & sig_bit(sig)) != 0;
}

/*
 * Like Linux's sig_ignored(): a blocked signal is never ignored at generation,
 * since sigwait() may take it or the action may change before it is unblocked.
 * For a process-directed signal (@t NULL) any thread holding it counts.
 * Not blocked, a signal to the sandbox's init may be dropped (init_drops()).
 */
static bool sig_ignored(struct thread_group *tg, struct task *t, int sig, bool force)
{
	uint64_t h = tg->actions[sig - 1].handler;
	struct task *o;

	if (t && sig_held(t, sig))
		return false;
	if (!t)
		list_for_each_entry(o, &tg->tasks, tg_node)
			if (!o->exiting && sig_held(o, sig))
				return false;
	if (init_drops(tg, sig, force))
		return true;
	if (h == SIG_IGN_HANDLER)
		return true;
	return h == SIG_DFL_HANDLER && sig_default_ignored(sig);
}

static linux_sigset_t blocked(struct task *t)
{
	return t->sigmask & ~unblockable;
}

/* Something must interrupt @t's sleep: a deliverable signal, or its thread or process ending. */
bool task_signal_pending(struct task *t)
{
	return ((t->pending | t->tg->pending) & ~blocked(t)) != 0 || t->tg->exiting || t->exiting;
}

static void wake_one(struct thread_group *tg, int sig)
{
	struct task *t;

	list_for_each_entry(t, &tg->tasks, tg_node)
		if (!(blocked(t) & sig_bit(sig)) && !t->exiting) {
			task_interrupt(t);
			return;
		}
}

/* Tell the parent that @tg stopped or continued (SIGCHLD unless SA_NOCLDSTOP, and wake wait()). */
static void notify_parent_stop(struct thread_group *tg, int code, int status)
{
	struct thread_group *parent = tg->parent;
	struct linux_siginfo info = { .si_signo = SIGCHLD, .si_code = code };

	if (!parent)
		return;
	info.kill.pid = tg->tgid;
	info.kill.status = status;
	if (!(parent->actions[SIGCHLD - 1].flags & SA_NOCLDSTOP))
		send_signal_tg(parent, SIGCHLD, &info);
	waitq_wake_all(&parent->child_exit);
}

static void continue_group(struct thread_group *tg)
{
	struct task *t;

	tg->pending &= ~stop_set;
	if (!tg->stopped)
		return;
	tg->stopped = false;
	tg->stop_report = false;
	tg->continue_report = true;
	notify_parent_stop(tg, CLD_CONTINUED, SIGCONT);
	list_for_each_entry(t, &tg->tasks, tg_node)
		task_interrupt(t);
}

static int send_signal_tg_as(struct thread_group *tg, int sig, const struct linux_siginfo *info, bool force)
{
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (sig == 0 || tg->zombie || tg->exiting)
		return 0;
	/* SIGKILL and SIGSTOP cannot be blocked: for them this is the only check */
	if ((sig == SIGKILL || sig == SIGSTOP) && init_drops(tg, sig, force))
		return 0;
	if (sig == SIGKILL) {
		tg_exit(tg, SIGKILL);
		return 0;
	}
	if (sig == SIGCONT)
		continue_group(tg);
	if (stop_set & sig_bit(sig))
		tg->pending &= ~sig_bit(SIGCONT);
	if (sig_ignored(tg, NULL, sig, force))
		return 0;
	if (queue_signal(&tg->pending, tg->pending_info, &tg->rt_queue, tg, sig, info))
		return -EAGAIN;
	if (force)
		tg->pending_forced |= sig_bit(sig);
	wake_one(tg, sig);
	return 0;
}

int send_signal_tg(struct thread_group *tg, int sig, const struct linux_siginfo *info)
{
	return send_signal_tg_as(tg, sig, info, false);
}

int send_signal_tg_forced(struct thread_group *tg, int sig, const struct linux_siginfo *info)
{
	return send_signal_tg_as(tg, sig, info, true);
}

int send_signal_task(struct task *t, int sig, const struct linux_siginfo *info)
{
	if (sig < 0 || sig > LINUX_NSIG)
		return -EINVAL;
	if (sig == 0 || t->exiting)
		return 0;
	if (sig == SIGKILL || sig == SIGCONT || (stop_set & sig_bit(sig)))
		return send_signal_tg(t->tg, sig, info);
	if (sig_ignored(t->tg, t, sig, false))
		return 0;
	if (queue_signal(&t->pending, t->pending_info, &t->rt_queue, t->tg, sig, info))
		return -EAGAIN;
	task_interrupt(t);
	return 0;
}

/* A synchronous signal (fault) cannot be blocked or ignored: unblock and fall back to default. */
void task_force_signal(struct task *t, int sig, int code, uint64_t addr)
{
	struct linux_siginfo info = { .si_signo = sig, .si_code = code };
	struct linux_sigaction *act = &t->tg->actions[sig - 1];

	info.fault.addr = addr;
	if ((t->sigmask & sig_bit(sig)) || act->handler == SIG_IGN_HANDLER) {
		t->sigmask &= ~sig_bit(sig);
		act->handler = SIG_DFL_HANDLER;
	}
	t->pending |= sig_bit(sig);
	t->pending_forced |= sig_bit(sig);
	t->pending_info[sig - 1] = info;
}

static int next_signal(linux_sigset_t set)
{
	return __builtin_ctzll(set) + 1;
}

static void group_stop(struct task *t, int sig)
{
	struct task *o;

	t->tg->stopped = true;
	list_for_each_entry(o, &t->tg->tasks, tg_node)
		if (o != t)
			task_interrupt(o);
	t->tg->stop_signal = sig;
	t->tg->stop_report = true;
	t->tg->continue_report = false;
	notify_parent_stop(t->tg, CLD_STOPPED, sig);
	while (t->tg->stopped && !t->exiting)
		task_sleep_killable(t, DEADLINE_NONE);
}

/*
 * Remove pending @sig (thread-directed first) into @info; a timer's signal
 * re-arms its timer. Returns whether it was forced (see init_drops()).
 */
static bool take_signal(struct task *t, int sig, struct linux_siginfo *info)
{
	bool forced;

	if (t->pending & sig_bit(sig)) {
		t->pending &= ~sig_bit(sig);
		forced = t->pending_forced & sig_bit(sig);
		t->pending_forced &= ~sig_bit(sig);
		*info = t->pending_info[sig - 1];
		unqueue_signal(&t->pending, t->pending_info, &t->rt_queue, sig);
	} else {
		t->tg->pending &= ~sig_bit(sig);
		forced = t->tg->pending_forced & sig_bit(sig);
		t->tg->pending_forced &= ~sig_bit(sig);
		*info = t->tg->pending_info[sig - 1];
		unqueue_signal(&t->tg->pending, t->tg->pending_info, &t->tg->rt_queue, sig);
	}
	if (info->si_code == SI_TIMER)
		posix_timer_dequeued(t, info);
	return forced;
}

int dequeue_signal_in(struct task *t, linux_sigset_t set, struct linux_siginfo *info)
{
	linux_sigset_t ready = (t->pending | t->tg->pending) & set;
	int sig;

	if (!ready)
		return 0;
	sig = next_signal(ready);
	take_signal(t, sig, info);
	if (!info->si_signo)
		info->si_signo = sig;
	return sig;
}

void tg_flush_signal(struct thread_group *tg, int sig)
{
	struct task *t;

	flush_queue(tg->pending & sig_bit(sig), &tg->rt_queue, sig);
	tg->pending &= ~sig_bit(sig);
	tg->pending_forced &= ~sig_bit(sig);
	list_for_each_entry(t, &tg->tasks, tg_node) {
		flush_queue(t->pending & sig_bit(sig), &t->rt_queue, sig);
		t->pending &= ~sig_bit(sig);
		t->pending_forced &= ~sig_bit(sig);
	}
}

/* Turn a pending -ERESTART* result into a restart or EINTR, now that we know whether a handler runs. */
static void resolve_restart(struct task *t, const struct linux_sigaction *act)
{
	long ret = t->restart_ret;
	bool restart;

	if (!ret)
		return;
	t->restart_ret = 0;
	if (!act)
		restart = ret != -ERESTART_RESTARTBLOCK;
	else if (ret == -ERESTARTNOINTR)
		restart = true;
	else if (ret == -ERESTARTSYS)
		restart = act->flags & SA_RESTART;
	else
		restart = false;
	if (restart) {
		t->regs.rip -= 2;	/* back onto the syscall instruction */
		t->regs.rax = t->regs.orig_rax;
	} else {
		t->regs.rax = (uint64_t)-EINTR;
	}
}

static linux_sigset_t mask_before_handler(struct task *t)
{
	if (t->has_saved_sigmask) {
		t->has_saved_sigmask = false;
		return t->saved_sigmask;
	}
	return t->sigmask;
}

/* Returns whether a handler frame was set up; if not, SIGSEGV was forced instead. */
static bool run_handler(struct task *t, int sig, struct linux_siginfo *info)
{
	struct linux_sigaction *act = &t->tg->actions[sig - 1];
	struct linux_sigaction copy = *act;
	linux_sigset_t old_mask;

	resolve_restart(t, &copy);
	old_mask = mask_before_handler(t);
	if (!info->si_signo)
		info->si_signo = sig;
	if (setup_signal_frame(t, sig, &copy, info, old_mask)) {
		/*
		 * No room for the frame: Linux's force_sigsegv(). A SIGSEGV
		 * handler may still run (on its own stack choice) unless the
		 * failed frame was SIGSEGV's own, which is then fatal.
		 */
		t->sigmask = old_mask;
		if (sig == SIGSEGV)
			tg_exit(t->tg, SIGSEGV);
		else
			task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
		return false;
	}
	t->sigmask = old_mask | copy.mask;
	if (!(copy.flags & SA_NODEFER))
		t->sigmask |= sig_bit(sig);
	t->sigmask &= ~unblockable;
	if (copy.flags & SA_RESETHAND)
		memset(act, 0, sizeof(*act));
	return true;
}

void task_deliver_signals(struct task *t)
{
	struct thread_group *tg = t->tg;
	linux_sigset_t set;

	while (!t->exiting && (set = (t->pending | tg->pending) & ~blocked(t))) {
		int sig = next_signal(set);
		uint64_t handler = tg->actions[sig - 1].handler;
		struct linux_siginfo info;
		bool forced = take_signal(t, sig, &info);

		if (handler == SIG_IGN_HANDLER)
			continue;
		/* queued to init while blocked, from inside: Linux drops it now */
		if (init_drops(tg, sig, forced))
			continue;
		if (unlikely(g_strace_enabled) && (handler != SIG_DFL_HANDLER || !sig_default_ignored(sig)))
			strace_signal(t, sig, &info);
		if (handler != SIG_DFL_HANDLER) {
			if (!run_handler(t, sig, &info))
				continue;	/* SIGSEGV forced, or exiting */
			return;	/* one frame at a time; the rest after it is set up */
		}
		if (sig_default_ignored(sig))
			continue;
		if (stop_set & sig_bit(sig)) {
			group_stop(t, sig);
			continue;
		}
		if ((core_set & sig_bit(sig)) && !tg->exiting && do_coredump(t, sig))
			tg_exit(tg, sig | 0x80);	/* WCOREDUMP */
		else
			tg_exit(tg, sig);
	}
	/* another thread of ours took a stop signal */
	while (tg->stopped && !t->exiting)
		task_sleep_killable(t, DEADLINE_NONE);
	resolve_restart(t, NULL);
	if (t->has_saved_sigmask) {
		t->has_saved_sigmask = false;
		t->sigmask = t->saved_sigmask;
	}
}
