// SPDX-License-Identifier: MIT
/*
 * execve: copy the arguments in, load the new image, then (past the point of
 * no return) swap the mm, keeping the platform address space, close
 * O_CLOEXEC descriptors and reset caught signals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

#define MAX_ARG_STRLEN (32 * PAGE_SIZE)
#define MAX_ARG_STRINGS 0x7fffffff
#define ARG_MAX_TOTAL (2ULL << 20)

/* Copy a NULL-terminated guest vector of strings. */
static int copy_strings(struct task *t, uptr_t uvec, char ***out, size_t *count, size_t *total)
{
	size_t n = 0, cap = 16;
	char **vec = xmalloc(cap * sizeof(char *));
	int err = 0;

	if (!uvec.a)
		goto done;
	for (;;) {
		uint64_t p;
		long len;
		char *s;

		if (copy_in(t, &p, uptr_add(uvec, n * 8), 8)) {
			err = -EFAULT;
			break;
		}
		if (!p)
			break;
		if (n + 1 >= cap) {
			cap *= 2;
			vec = xrealloc(vec, cap * sizeof(char *));
		}
		s = xmalloc(MAX_ARG_STRLEN);
		len = copy_string_in(t, s, uptr(p), MAX_ARG_STRLEN);
		if (len < 0) {
			free(s);
			err = len == -ENAMETOOLONG ? -E2BIG : (int)len;
			break;
		}
		*total += len + 1 + 8;
		vec[n++] = xrealloc(s, len + 1);
		if (*total > ARG_MAX_TOTAL || n >= MAX_ARG_STRINGS) {
			err = -E2BIG;
			break;
		}
	}
done:
	vec[n] = NULL;
	*out = vec;
	*count = n;
	return err;
}

static void reset_signals(struct task *t)
{
	for (int k = 0; k < LINUX_NSIG; k++) {
		struct linux_sigaction *a = &t->tg->actions[k];

		if (a->handler > 1) {
			memset(a, 0, sizeof(*a));
		}
	}
	memset(&t->altstack, 0, sizeof(t->altstack));
}

/*
 * execve() in a threaded process: every other thread exits, and the caller
 * takes over the process id (the old leader's task entry goes away).
 * Returns -EINTR if the whole process is being killed meanwhile.
 */
static int kill_other_threads(struct task *t)
{
	struct thread_group *tg = t->tg;
	struct task *o, *leader;

	list_for_each_entry(o, &tg->tasks, tg_node) {
		if (o != t && !o->exiting && o->pctx) {
			o->exiting = true;
			task_interrupt(o);
		}
	}
	tg->exec_waiter = t;
	while (tg->nr_live > 1 && !tg->exiting && !t->exiting)
		task_sleep_killable(t, DEADLINE_NONE);
	tg->exec_waiter = NULL;
	if (tg->exiting || t->exiting)
		return -EINTR;
	leader = list_first_entry(&tg->tasks, struct task, tg_node);
	if (leader != t) {
		g_kernel.tasks_by_tid[t->tid] = NULL;
		list_del(&leader->tg_node);
		task_free(leader);
		t->tid = tg->tgid;
		g_kernel.tasks_by_tid[t->tid] = t;
		list_del(&t->tg_node);
		list_add(&t->tg_node, &tg->tasks);
	}
	return 0;
}

long do_execve(struct task *t, int dirfd, uptr_t upath, uptr_t uargv, uptr_t uenvp, int flags)
{
	struct exec_args args = { 0 };
	struct arch_regs regs;
	struct mm *mm, *old;
	size_t total = 0;
	char *path = xmalloc(PATH_MAX_LEN), *slash;
	long len = copy_string_in(t, path, upath, PATH_MAX_LEN);
	int err;

	(void)flags;
	if (len < 0) {
		free(path);
		return len;
	}
	err = copy_strings(t, uargv, &args.argv, &args.argc, &total);
	if (!err)
		err = copy_strings(t, uenvp, &args.envp, &args.envc, &total);
	if (err)
		goto out;
	if (!*path) {
		err = -ENOENT;
		goto out;
	}
	args.filename = xstrdup(path);
	err = loader_exec(t, dirfd, path, &args, &mm, &regs);
	if (err)
		goto out;

	/* Point of no return. */
	if (t->tg->nr_live > 1 && kill_other_threads(t)) {
		mm_put(mm);
		err = -EINTR;
		goto out;
	}
	old = t->mm;
	if (old->refs == 1) {
		/* Reuse our stub: empty it for the new image. */
		mm->as = old->as;
		old->as = NULL;
		if (mm->as)
			g_platform->ops->unmap(mm->as, 0, GUEST_TASK_SIZE);
	} else {
		/* vfork child: the parent keeps the address space; we leave it. */
		g_platform->ops->detach_context(t->pctx);
	}
	mm_put(old);
	t->mm = mm;
	if (!mm->as) {
		err = mm_activate(mm);
		if (err) {
			log_error("execve: cannot create an address space: %d", err);
			tg_exit(t->tg, SIGKILL);
			goto out;
		}
	}
	regs.cs = t->regs.cs;
	regs.ss = t->regs.ss;
	regs.ds = t->regs.ds;
	regs.es = t->regs.es;
	regs.eflags = 0x202;
	t->regs = regs;
	fd_close_on_exec(t);
	reset_signals(t);
	slash = strrchr(path, '/');
	strncpy(t->comm, slash ? slash + 1 : path, sizeof(t->comm) - 1);
	t->comm[sizeof(t->comm) - 1] = '\0';
	if (t->vfork_parent) {
		t->vfork_parent->vfork_done = true;
		task_interrupt(t->vfork_parent);
		t->vfork_parent = NULL;
	}
	if (mm->as) {
		struct arch_fpregs fp = { 0 };

		/* fcw = 0x37f, mxcsr = 0x1f80: the FP state a fresh process starts with */
		fp.bytes[0] = 0x7f;
		fp.bytes[1] = 0x03;
		fp.bytes[24] = 0x80;
		fp.bytes[25] = 0x1f;
		fp.bytes[28] = 0xff;
		fp.bytes[29] = 0xff;
		g_platform->ops->set_fpregs(mm->as, &fp);
	}
out:
	exec_args_free(&args);
	free(path);
	return err;
}
