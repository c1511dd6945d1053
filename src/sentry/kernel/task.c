// SPDX-License-Identifier: MIT
/* Task creation, the per-task host thread and its run loop, interrupts. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lib/log.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/syscall_patch.h"
#include "sentry/syscalls/syscalls.h"

__thread struct task *current;

struct task *task_lookup(pid_t tid)
{
	if (tid <= 0 || tid >= PID_MAX)
		return NULL;
	return g_kernel.tasks_by_tid[tid];
}

struct thread_group *tg_lookup(pid_t tgid)
{
	struct task *t = task_lookup(tgid);

	return t && t->tg->tgid == tgid ? t->tg : NULL;
}

static void handle_fault(struct task *t, const struct exit_info *info)
{
	if (info->signo == SIGSEGV || info->signo == SIGBUS) {
		int err = mm_fault(t->mm, info->fault_addr, info->si_code == SEGV_MAPERR);

		if (err == -EAGAIN) {
			if (t->last_fault_addr != info->fault_addr) {
				t->last_fault_addr = info->fault_addr;
				return;	/* spurious: someone else upgraded the page; retry once */
			}
			err = -EFAULT;
		}
		t->last_fault_addr = 0;
		if (!err)
			return;
		if (err == -EIO)
			task_force_signal(t, SIGBUS, 2 /* BUS_ADRERR */, info->fault_addr);
		else
			task_force_signal(t, SIGSEGV, info->si_code, info->fault_addr);
		return;
	}
	task_force_signal(t, info->signo, info->si_code, info->fault_addr);
}

static void task_run(struct task *t)
{
	const struct platform_ops *ops = g_platform->ops;
	struct exit_info info;

	for (;;) {
		task_deliver_signals(t);
		if (t->exiting)
			task_exit_now(t);
		mm_settle_stale(t->mm);
		t->state = TASK_IN_GUEST;
		kernel_unlock();
		ops->switch_to(t->pctx, t->mm->as, &t->regs, &info);
		kernel_lock();
		t->state = TASK_IN_SENTRY;
		if (info.kind != EXIT_FAULT)
			t->last_fault_addr = 0;
		switch (info.kind) {
		case EXIT_SYSCALL:
			if (info.patchable)
				syscall_patch_site(t->mm, &t->regs);
			syscall_dispatch(t);
			break;
		case EXIT_FAULT:
			switch (info.signo == SIGILL ? syscall_patch_sigill(t->mm, &t->regs) : PATCH_SIGILL_NOT_OURS) {
			case PATCH_SIGILL_SYSCALL:
				syscall_dispatch(t);
				break;
			case PATCH_SIGILL_RETRY:
				break;
			case PATCH_SIGILL_NOT_OURS:
				handle_fault(t, &info);
				break;
			}
			break;
		case EXIT_INTERRUPT:
			break;
		case EXIT_DIED:
			log_warn("task %d: stub process died", t->tid);
			tg_exit(t->tg, SIGKILL);
			break;
		}
	}
}

static void *task_thread_main(void *arg)
{
	struct task *t = arg;
	struct address_space *as = NULL;
	sigset_t set;
	int err;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	current = t;
	t->host_tid = gettid();
	kernel_lock();
	if (g_platform->ops->attach_context(t->pctx)) {
		tg_exit(t->tg, SIGKILL);
		task_exit_now(t);
	}
	if (!t->mm->as) {
		kernel_unlock();
		err = g_platform->ops->new_address_space(g_platform, &as);
		kernel_lock();
		if (err) {
			log_error("task %d: cannot create address space: %s", t->tid, strerror(-err));
			tg_exit(t->tg, SIGKILL);
			task_exit_now(t);
		}
		t->mm->as = as;
	}
	if (t->initial_fp) {
		g_platform->ops->set_xstate(t->mm->as, t->initial_fp, t->initial_fp_size);
		free(t->initial_fp);
		t->initial_fp = NULL;
	}
	task_run(t);
	return NULL;
}

int task_start(struct task *t)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	err = pthread_create(&t->thread, &attr, task_thread_main, t);
	pthread_attr_destroy(&attr);
	return -err;
}

/* CPU time of @t's Sentry thread: system time spent on its behalf. */
static uint64_t task_sys_ns(struct task *t)
{
	struct timespec ts;
	clockid_t cid;

	if (t->host_tid && t->mm && pthread_getcpuclockid(t->thread, &cid) == 0 && clock_gettime(cid, &ts) == 0)
		return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	return 0;
}

/* Guest CPU time of the address space @t runs in (the platform cannot split it per thread). */
static uint64_t task_user_ns(struct task *t)
{
	return t->mm && t->mm->as ? g_platform->ops->cpu_time_ns(t->mm->as) : 0;
}

void task_cpu_times(struct task *t, uint64_t *user_ns, uint64_t *sys_ns)
{
	*user_ns = task_user_ns(t);
	*sys_ns = task_sys_ns(t);
}

void tg_cpu_times(struct thread_group *tg, uint64_t *user_ns, uint64_t *sys_ns)
{
	struct task *t;
	bool user_counted = false;

	*user_ns = tg->utime_ns;
	*sys_ns = tg->stime_ns;
	list_for_each_entry(t, &tg->tasks, tg_node) {
		if (!t->mm)
			continue;	/* exited: already in utime_ns/stime_ns */
		if (!user_counted) {
			*user_ns += task_user_ns(t);
			user_counted = true;
		}
		*sys_ns += task_sys_ns(t);
	}
}

void task_kick_mm(struct mm *mm)
{
	/* Bounded by PID_MAX; only for a truncate or hole punch under another process's mapping. */
	for (int tid = 1; tid < PID_MAX; tid++) {
		struct task *t = g_kernel.tasks_by_tid[tid];

		if (t && t->mm == mm && t->state == TASK_IN_GUEST)
			task_interrupt(t);
	}
}

void task_interrupt(struct task *t)
{
	switch (t->state) {
	case TASK_SLEEPING:
		t->woken = true;
		pthread_cond_signal(&t->wake_cond);
		break;
	case TASK_IN_GUEST:
		if (t->mm && t->mm->as)
			g_platform->ops->interrupt(t->pctx, t->mm->as);
		break;
	case TASK_HOST_BLOCKED:
		syscall(SYS_tgkill, getpid(), t->host_tid, SIGUSR1);
		break;
	case TASK_IN_SENTRY:
		break;
	}
}
