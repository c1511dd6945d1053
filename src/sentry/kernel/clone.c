// SPDX-License-Identifier: MIT
/*
 * Process creation: fork, vfork and clone without CLONE_THREAD. The child
 * shares the parent's private pages copy-on-write. vfork (CLONE_VM |
 * CLONE_VFORK) is served as a copy-on-write fork whose parent waits until
 * the child execs or exits. Threads (CLONE_THREAD) come with the next issue.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/log.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/clone.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

struct task *task_alloc(pid_t tid)
{
	struct task *t = xzalloc(sizeof(*t));

	t->tid = tid;
	pthread_condattr_t attr;

	/* Deadlines are CLOCK_MONOTONIC: a wall-clock jump must not wake or stall a sleeper. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->wake_cond, &attr);
	pthread_condattr_destroy(&attr);
	list_init(&t->tg_node);
	t->start_ns = monotonic_ns();
	return t;
}

struct thread_group *tg_alloc(pid_t tgid)
{
	struct thread_group *tg = xzalloc(sizeof(*tg));

	tg->refs = 1;
	tg->tgid = tgid;
	list_init(&tg->children);
	list_init(&tg->sibling);
	list_init(&tg->tasks);
	waitq_init(&tg->child_exit);
	tg->itimer_real.fire = itimer_real_fire;
	tg->itimer_cpu_poll.fire = itimer_cpu_poll;
	tg->start_ns = monotonic_ns();
	return tg;
}

void task_attach(struct task *t, struct thread_group *tg)
{
	t->tg = tg;
	list_add_tail(&t->tg_node, &tg->tasks);
	tg->nr_live++;
	g_kernel.tasks_by_tid[t->tid] = t;
	g_kernel.nr_tasks++;
}

static void cred_copy(struct cred *dst, const struct cred *src)
{
	*dst = *src;
	if (src->ngroups) {
		dst->groups = xmalloc(src->ngroups * sizeof(uint32_t));
		memcpy(dst->groups, src->groups, src->ngroups * sizeof(uint32_t));
	}
}

/* Undo task_attach() (and the new thread group, @own_tg) of a child that never ran. */
static void task_abandon(struct task *child, bool own_tg)
{
	struct thread_group *tg = child->tg;

	list_del(&child->tg_node);
	tg->nr_live--;
	g_kernel.tasks_by_tid[child->tid] = NULL;
	g_kernel.nr_tasks--;
	g_platform->ops->release_context(child->pctx);
	pthread_cond_destroy(&child->wake_cond);
	free(child);
	if (own_tg) {
		list_del(&tg->sibling);
		free(tg);
	}
}

long do_clone(struct task *t, const struct clone_args_k *args)
{
	uint64_t flags = args->flags;
	struct thread_group *tg;
	struct task *child;
	pid_t tid;
	int err;

	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && t->tg->exiting)
		return -EAGAIN;
	if (args->exit_signal > LINUX_NSIG)
		return -EINVAL;
	tid = kernel_alloc_pid();
	if (!tid)
		return -EAGAIN;
	child = task_alloc(tid);
	if (flags & CLONE_THREAD) {
		/* A thread: same process, same signal handlers, its own tid. */
		tg = t->tg;
	} else {
		struct thread_group *parent = (flags & CLONE_PARENT) && t->tg->parent ? t->tg->parent : t->tg;

		tg = tg_alloc(tid);
		tg->pgid = t->tg->pgid;
		tg->sid = t->tg->sid;
		tg->parent = parent;
		tg->exit_signal = (int)args->exit_signal;
		memcpy(tg->actions, t->tg->actions, sizeof(tg->actions));
		memcpy(tg->rlimits, t->tg->rlimits, sizeof(tg->rlimits));
		list_add_tail(&tg->sibling, &parent->children);
	}
	task_attach(child, tg);

	g_platform->ops->new_context(g_platform, &child->pctx);
	if (flags & CLONE_VM) {
		/* The child runs in our address space: a stub thread of its own, made by us. */
		err = g_platform->ops->clone_context(t->pctx, t->mm->as, child->pctx);
		if (err) {
			log_warn("clone(CLONE_VM): no stub thread for the child: %d", err);
			task_abandon(child, !(flags & CLONE_THREAD));
			return err;
		}
		child->mm = t->mm;
		mm_get(t->mm);
	} else {
		child->mm = mm_fork(t->mm);
	}
	if (flags & CLONE_FILES) {
		child->fds = t->fds;
		t->fds->refs++;
	} else {
		child->fds = fdtable_dup(t->fds);
	}
	if (flags & CLONE_FS) {
		child->fs = t->fs;
		t->fs->refs++;
	} else {
		child->fs = fs_context_dup(t->fs);
	}
	cred_copy(&child->cred, &t->cred);
	child->regs = t->regs;
	child->regs.rax = 0;
	if (args->stack)
		child->regs.rsp = args->stack;
	if (flags & CLONE_SETTLS)
		child->regs.fs_base = args->tls;
	child->sigmask = t->sigmask;
	child->no_new_privs = t->no_new_privs;
	seccomp_inherit(child, t);
	memcpy(child->comm, t->comm, sizeof(child->comm));
	/* The child's stub starts with a fresh FP state: carry ours over (AVX included). */
	child->initial_fp_size = 16384;
	child->initial_fp = xmalloc(child->initial_fp_size);
	if (g_platform->ops->get_xstate(t->mm->as, child->initial_fp, &child->initial_fp_size)) {
		free(child->initial_fp);
		child->initial_fp = NULL;
	}
	if (flags & CLONE_PARENT_SETTID)
		copy_out(t, uptr(args->parent_tid), &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		mm_copy_out(child->mm, args->child_tid, &tid, sizeof(tid), false);
	if (flags & CLONE_CHILD_CLEARTID)
		child->clear_child_tid = args->child_tid;
	if (flags & CLONE_THREAD)
		child->altstack.ss_flags = SS_DISABLE;
	if (flags & CLONE_VFORK) {
		child->vfork_parent = t;
		t->vfork_done = false;
	}
	err = task_start(child);
	if (err) {
		log_error("cannot start a host thread for task %d", tid);
		return err;
	}
	if (!(flags & CLONE_THREAD))
		rlimit_cpu_changed(child->tg);	/* an inherited RLIMIT_CPU counts the child's own time */
	if (flags & CLONE_VFORK) {
		while (!t->vfork_done && !t->exiting)
			task_sleep_killable(t, DEADLINE_NONE);
	}
	return tid;
}
