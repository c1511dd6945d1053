// SPDX-License-Identifier: MIT
/*
 * Exit and wait: tasks leave, processes become zombies, parents reap them.
 * Orphans go to pid 1; when pid 1 exits every other process is killed, as
 * in a pid namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/wait.h"
#include "sentry/mm/mm.h"
#include "sentry/strace/strace.h"

void tg_exit(struct thread_group *tg, int status)
{
	struct task *t;

	if (tg->exiting)
		return;
	tg->exiting = true;
	tg->exit_status = status;
	tg->stopped = false;
	list_for_each_entry(t, &tg->tasks, tg_node) {
		t->exiting = true;
		task_interrupt(t);
	}
}

void task_free(struct task *t)
{
	if (g_kernel.tasks_by_tid[t->tid] == t)
		g_kernel.tasks_by_tid[t->tid] = NULL;
	task_flush_sigqueue(t);
	seccomp_filter_put(t->seccomp);
	free(t->cred.groups);
	strace_free(t);
	pthread_cond_destroy(&t->wake_cond);
	free(t);
}

static void tg_free(struct thread_group *tg)
{
	struct task *t, *n;

	timers_release(tg);	/* again: nothing armed may point into freed memory */
	list_for_each_entry_safe(t, n, &tg->tasks, tg_node) {
		list_del(&t->tg_node);
		task_free(t);
	}
	tg_flush_sigqueue(tg);
	free(tg);
}

void tg_reap(struct thread_group *tg)
{
	struct thread_group *parent = tg->parent;

	if (parent) {
		list_del(&tg->sibling);
		parent->cutime_ns += tg->utime_ns + tg->cutime_ns;
		parent->cstime_ns += tg->stime_ns + tg->cstime_ns;
		parent->cmaxrss_kb = MAX(parent->cmaxrss_kb, MAX(tg->maxrss_kb, tg->cmaxrss_kb));
	}
	tg_free(tg);
}

static void reparent_children(struct thread_group *tg)
{
	struct thread_group *init = g_kernel.init_tg, *c, *n;
	bool zombies = false;

	list_for_each_entry_safe(c, n, &tg->children, sibling) {
		struct task *ct;

		/* PR_SET_PDEATHSIG: the parent is going away */
		list_for_each_entry(ct, &c->tasks, tg_node)
			if (ct->pdeath_signal && !ct->exiting)
				send_signal_task(ct, ct->pdeath_signal, NULL);
		list_del(&c->sibling);
		if (!init || init == tg || init->zombie) {
			c->parent = NULL;
			list_init(&c->sibling);
			if (c->zombie)
				tg_free(c);
			continue;
		}
		c->parent = init;
		c->exit_signal = SIGCHLD;	/* as Linux: a random exit signal must not reach init */
		list_add_tail(&c->sibling, &init->children);
		zombies |= c->zombie;
	}
	if (zombies)
		waitq_wake_all(&init->child_exit);
}

static bool parent_autoreaps(struct thread_group *parent)
{
	struct linux_sigaction *a = &parent->actions[SIGCHLD - 1];

	return a->handler == 1 /* SIG_IGN */ || (a->flags & SA_NOCLDWAIT);
}

static void kill_all_but(struct thread_group *keep)
{
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct task *t = g_kernel.tasks_by_tid[pid];

		if (t && t->tg != keep && !t->tg->zombie)
			tg_exit(t->tg, SIGKILL);
	}
}

/* The last thread of @tg is gone: make it a zombie and tell the parent. */
static void tg_become_zombie(struct thread_group *tg)
{
	struct thread_group *parent = tg->parent;
	struct linux_siginfo info = { .si_signo = tg->exit_signal };

	tg->zombie = true;
	timers_release(tg);
	if (unlikely(g_strace_enabled))
		strace_process_exit(list_first_entry(&tg->tasks, struct task, tg_node), tg->exit_status);
	if (tg == g_kernel.init_tg) {
		g_kernel.init_exit_status = tg->exit_status;
		g_kernel.init_exited = true;
		kill_all_but(tg);
	}
	reparent_children(tg);
	if (!parent) {
		if (tg->exit_watch) {
			uint64_t one = 1;

			tg->exit_watch->status = tg->exit_status;
			tg->exit_watch->done = true;
			/* an eventfd add: never blocks (EFD_NONBLOCK), the waiter reads it */
			if (write(tg->exit_watch->efd, &one, sizeof(one)) != sizeof(one))
				log_warn("exit watch of %d: %s", tg->tgid, strerror(errno));
			tg->exit_watch = NULL;
		}
		if (tg != g_kernel.init_tg)
			tg_free(tg);
		return;
	}
	if (parent_autoreaps(parent)) {
		tg_reap(tg);
		waitq_wake_all(&parent->child_exit);
		return;
	}
	info.si_code = (tg->exit_status & 0x80) ? CLD_DUMPED : (tg->exit_status & 0x7f) ? CLD_KILLED : CLD_EXITED;
	info.kill.pid = tg->tgid;
	info.kill.status = (tg->exit_status & 0x7f) ? (tg->exit_status & 0x7f) : ((tg->exit_status >> 8) & 0xff);
	if (tg->exit_signal)
		send_signal_tg(parent, tg->exit_signal, &info);
	waitq_wake_all(&parent->child_exit);
}

void task_exit_now(struct task *t)
{
	struct thread_group *tg = t->tg;
	t->exiting = true;
	if (t->vfork_parent) {
		t->vfork_parent->vfork_done = true;
		task_interrupt(t->vfork_parent);
		t->vfork_parent = NULL;
	}
	futex_exit_thread(t);
	if (t->mm) {
		uint64_t user, sys;

		task_cpu_times(t, &user, &sys);
		tg->stime_ns += sys;
		/* guest time is per address space: the process's last thread takes it along */
		if (tg->nr_live == 1)
			tg->utime_ns += user;
		tg->maxrss_kb = MAX(tg->maxrss_kb, mm_rss_pages(t->mm) * (PAGE_SIZE / 1024));
		if (t->pctx)
			g_platform->ops->detach_context(t->pctx);
		mm_put(t->mm);
		t->mm = NULL;
	}
	if (t->fds) {
		fdtable_put(t->fds);
		t->fds = NULL;
	}
	if (t->fs) {
		fs_context_put(t->fs);
		t->fs = NULL;
	}
	if (t->pctx)
		g_platform->ops->release_context(t->pctx);
	t->pctx = NULL;
	/* A thread that is not the leader leaves the tid table now; the leader's
	 * entry stays until the process is reaped (it names the process). */
	if (t->tid != tg->tgid && g_kernel.tasks_by_tid[t->tid] == t)
		g_kernel.tasks_by_tid[t->tid] = NULL;
	if (--tg->nr_live == 0) {
		/* Without exit_group the last thread's exit() decides (measured on Linux). */
		if (!tg->exiting)
			tg->exit_status = t->exit_code;
		tg_become_zombie(tg);
	} else if (tg->exec_waiter) {
		task_interrupt(tg->exec_waiter);
	}
	if (--g_kernel.nr_tasks == 0)
		pthread_cond_broadcast(&g_kernel.all_exited);
	current = NULL;
	kernel_unlock();
	pthread_exit(NULL);
}

static bool wait_matches(struct thread_group *self, struct thread_group *c, pid_t pid)
{
	if (pid > 0)
		return c->tgid == pid;
	if (pid == 0)
		return c->pgid == self->pgid;
	if (pid == -1)
		return true;
	return c->pgid == -pid;
}

int do_wait(struct task *t, pid_t pid, int options, struct wait_result *res)
{
	struct thread_group *self = t->tg;

	for (;;) {
		struct thread_group *c;
		bool any = false;
		int err;

		list_for_each_entry(c, &self->children, sibling) {
			bool clone_child = c->exit_signal != SIGCHLD;

			if (!wait_matches(self, c, pid))
				continue;
			/* __WCLONE selects children that do not signal SIGCHLD; __WALL takes both */
			if (!(options & __WALL) && clone_child != !!(options & __WCLONE))
				continue;
			any = true;
			if (!c->zombie && (options & WSTOPPED) && c->stopped && c->stop_report) {
				res->pid = c->tgid;
				res->status = (c->stop_signal << 8) | 0x7f;
				res->code = CLD_STOPPED;
				if (!(options & WNOWAIT))
					c->stop_report = false;
				return 0;
			}
			if (!c->zombie && (options & WCONTINUED) && c->continue_report) {
				res->pid = c->tgid;
				res->status = 0xffff;
				res->code = CLD_CONTINUED;
				if (!(options & WNOWAIT))
					c->continue_report = false;
				return 0;
			}
			if (c->zombie && (options & WEXITED)) {
				res->pid = c->tgid;
				res->status = c->exit_status;
				res->code = (c->exit_status & 0x80)   ? CLD_DUMPED
					    : (c->exit_status & 0x7f) ? CLD_KILLED
								      : CLD_EXITED;
				res->uid = 0;
				if (!(options & WNOWAIT))
					tg_reap(c);
				return 0;
			}
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG) {
			res->pid = 0;
			return 0;
		}
		struct waiter w;

		waitq_add(&self->child_exit, &w, t);
		err = task_sleep(t, DEADLINE_NONE);
		waitq_del(&w);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
}
