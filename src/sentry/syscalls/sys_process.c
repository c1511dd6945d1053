// SPDX-License-Identifier: MIT
/*
 * Process lifecycle: fork, vfork, clone, execve(at), exit(_group), wait4,
 * waitid, pid/pgid/sid queries, arch_prctl, set_tid_address, prctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "abi/linux/misc.h"
#include "lib/log.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/clone.h"
#include "sentry/kernel/exec.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/wait.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/unsupported.h"

/* fork(2) */
long sys_fork(struct task *t, const struct syscall_args *a)
{
	struct clone_args_k ca = { .exit_signal = SIGCHLD };

	(void)a;
	return do_clone(t, &ca);
}

/* vfork(2) */
long sys_vfork(struct task *t, const struct syscall_args *a)
{
	struct clone_args_k ca = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };

	(void)a;
	return do_clone(t, &ca);
}

/* clone(2): x86-64 argument order is flags, stack, parent_tid, child_tid, tls. */
long sys_clone(struct task *t, const struct syscall_args *a)
{
	struct clone_args_k ca = {
		.flags = arg_u64(a, 0) & ~0xffULL,
		.exit_signal = arg_u64(a, 0) & 0xff,
		.stack = arg_u64(a, 1),
		.parent_tid = arg_u64(a, 2),
		.child_tid = arg_u64(a, 3),
		.tls = arg_u64(a, 4),
	};

	return do_clone(t, &ca);
}

/* clone3(2): struct clone_args, version 0 (64 bytes) or later with zeroed extensions. */
long sys_clone3(struct task *t, const struct syscall_args *a)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
		uint64_t set_tid, set_tid_size, cgroup;
	} ua = { 0 };
	uint64_t size = arg_u64(a, 1);
	struct clone_args_k ca;

	if (size < 64 || size > 4096)
		return -EINVAL;
	if (copy_in(t, &ua, arg_uptr(a, 0), MIN(size, sizeof(ua))))
		return -EFAULT;
	/* unknown trailing fields must be zero */
	for (uint64_t off = sizeof(ua); off < size; off++) {
		uint8_t b;

		if (copy_in(t, &b, uptr_add(arg_uptr(a, 0), off), 1))
			return -EFAULT;
		if (b)
			return -E2BIG;
	}
	if ((ua.flags & 0xff) || ua.exit_signal > LINUX_NSIG || (ua.stack && !ua.stack_size) ||
	    (!ua.stack && ua.stack_size))
		return -EINVAL;
	if (ua.set_tid_size || (ua.flags & (CLONE_PIDFD | CLONE_INTO_CGROUP)))
		return -EINVAL;	/* pidfds, chosen tids and cgroups are not served yet */
	ca = (struct clone_args_k){
		.flags = ua.flags,
		.exit_signal = ua.exit_signal,
		.stack = ua.stack ? ua.stack + ua.stack_size : 0,
		.parent_tid = ua.parent_tid,
		.child_tid = ua.child_tid,
		.tls = ua.tls,
	};
	return do_clone(t, &ca);
}

/* execve(2) */
long sys_execve(struct task *t, const struct syscall_args *a)
{
	return do_execve(t, AT_FDCWD, arg_uptr(a, 0), arg_uptr(a, 1), arg_uptr(a, 2), 0);
}

/* execveat(2) */
long sys_execveat(struct task *t, const struct syscall_args *a)
{
	return do_execve(t, arg_int(a, 0), arg_uptr(a, 1), arg_uptr(a, 2), arg_uptr(a, 3), arg_int(a, 4));
}

/* exit(2): this thread only; the process ends with its last thread, with that thread's status. */
long sys_exit(struct task *t, const struct syscall_args *a)
{
	t->exit_code = (arg_int(a, 0) & 0xff) << 8;
	t->exiting = true;
	return 0;
}

/* exit_group(2) */
long sys_exit_group(struct task *t, const struct syscall_args *a)
{
	tg_exit(t->tg, (arg_int(a, 0) & 0xff) << 8);
	return 0;
}

static void fill_rusage(struct task *t, struct linux_rusage *ru)
{
	(void)t;
	memset(ru, 0, sizeof(*ru));
}

/* wait4(2) */
long sys_wait4(struct task *t, const struct syscall_args *a)
{
	pid_t pid = arg_int(a, 0);
	uptr_t ustatus = arg_uptr(a, 1), urusage = arg_uptr(a, 3);
	int options = arg_int(a, 2);
	struct wait_result res = { 0 };
	int err;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	err = do_wait(t, pid, (options & (WNOHANG | __WALL | __WCLONE | WCONTINUED)) | WEXITED |
				      ((options & WUNTRACED) ? WSTOPPED : 0),
		      &res);
	if (err)
		return err;
	if (res.pid && ustatus.a && copy_out_obj(t, ustatus, &res.status))
		return -EFAULT;
	if (urusage.a) {
		struct linux_rusage ru;

		fill_rusage(t, &ru);
		if (copy_out_obj(t, urusage, &ru))
			return -EFAULT;
	}
	return res.pid;
}

/* waitid(2) */
long sys_waitid(struct task *t, const struct syscall_args *a)
{
	int which = arg_int(a, 0), options = arg_int(a, 3);
	pid_t id = arg_int(a, 1), pid;
	uptr_t uinfo = arg_uptr(a, 2);
	struct wait_result res = { 0 };
	struct linux_siginfo info = { 0 };
	int err;

	if (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (which) {
	case P_ALL:
		pid = -1;
		break;
	case P_PID:
		if (id <= 0)
			return -EINVAL;
		pid = id;
		break;
	case P_PGID:
		if (id < 0)
			return -EINVAL;
		pid = id ? -id : 0;
		break;
	default:
		return -EINVAL;
	}
	err = do_wait(t, pid, options, &res);
	if (err)
		return err;
	if (res.pid) {
		info.si_signo = SIGCHLD;
		info.kill.pid = res.pid;
		info.kill.uid = res.uid;
		info.si_code = res.code;
		if (res.code == CLD_STOPPED)
			info.kill.status = (res.status >> 8) & 0xff;
		else if (res.code == CLD_CONTINUED)
			info.kill.status = SIGCONT;
		else if (res.status & 0x7f)
			info.kill.status = res.status & 0x7f;
		else
			info.kill.status = (res.status >> 8) & 0xff;
	}
	if (uinfo.a && copy_out_obj(t, uinfo, &info))
		return -EFAULT;
	return 0;
}

/* getpid(2) */
long sys_getpid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->tg->tgid;
}

/* gettid(2) */
long sys_gettid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->tid;
}

/* getppid(2): 0 for pid 1, whose parent is outside the sandbox. */
long sys_getppid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->tg->parent ? t->tg->parent->tgid : 0;
}

/* getpgid(2) */
long sys_getpgid(struct task *t, const struct syscall_args *a)
{
	pid_t pid = arg_int(a, 0);
	struct thread_group *tg = pid ? tg_lookup(pid) : t->tg;

	return tg ? tg->pgid : -ESRCH;
}

/* getpgrp(2) */
long sys_getpgrp(struct task *t, const struct syscall_args *a)
{
	(void)a;
	return t->tg->pgid;
}

/* getsid(2) */
long sys_getsid(struct task *t, const struct syscall_args *a)
{
	pid_t pid = arg_int(a, 0);
	struct thread_group *tg = pid ? tg_lookup(pid) : t->tg;

	return tg ? tg->sid : -ESRCH;
}

/* setpgid(2) */
long sys_setpgid(struct task *t, const struct syscall_args *a)
{
	pid_t pid = arg_int(a, 0), pgid = arg_int(a, 1);
	struct thread_group *tg;

	if (pgid < 0)
		return -EINVAL;
	tg = pid ? tg_lookup(pid) : t->tg;
	if (!tg || (tg != t->tg && tg->parent != t->tg))
		return -ESRCH;
	if (tg->sid == tg->tgid)
		return -EPERM;
	if (tg->sid != t->tg->sid)
		return -EPERM;
	tg->pgid = pgid ? pgid : tg->tgid;
	return 0;
}

/* setsid(2) */
long sys_setsid(struct task *t, const struct syscall_args *a)
{
	(void)a;
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct task *o = g_kernel.tasks_by_tid[pid];

		if (o && o->tg->pgid == t->tg->tgid)
			return -EPERM;
	}
	t->tg->sid = t->tg->tgid;
	t->tg->pgid = t->tg->tgid;
	return t->tg->sid;
}

/* set_tid_address(2) */
long sys_set_tid_address(struct task *t, const struct syscall_args *a)
{
	t->clear_child_tid = arg_u64(a, 0);
	return t->tid;
}

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* arch_prctl(2) */
long sys_arch_prctl(struct task *t, const struct syscall_args *a)
{
	uint64_t addr = arg_u64(a, 1);

	switch (arg_int(a, 0)) {
	case ARCH_SET_FS:
		if (addr >= GUEST_TASK_SIZE)
			return -EPERM;
		t->regs.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= GUEST_TASK_SIZE)
			return -EPERM;
		t->regs.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return copy_out(t, uptr(addr), &t->regs.fs_base, 8) ? -EFAULT : 0;
	case ARCH_GET_GS:
		return copy_out(t, uptr(addr), &t->regs.gs_base, 8) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}

/* prctl(2): the common process attributes. */
long sys_prctl(struct task *t, const struct syscall_args *a)
{
	char name[16];
	int v;

	switch (arg_int(a, 0)) {
	case PR_SET_NAME:
		if (copy_string_in(t, name, arg_uptr(a, 1), sizeof(name)) == -EFAULT)
			return -EFAULT;
		name[15] = '\0';
		memcpy(t->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_out(t, arg_uptr(a, 1), t->comm, sizeof(t->comm)) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		if (arg_long(a, 1) < 0 || arg_long(a, 1) > LINUX_NSIG)
			return -EINVAL;
		t->pdeath_signal = (int)arg_long(a, 1);
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (arg_u64(a, 1) != 1 || arg_u64(a, 2) || arg_u64(a, 3) || arg_u64(a, 4))
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_SET_DUMPABLE:
	case PR_SET_KEEPCAPS:
		return 0;
	case PR_GET_DUMPABLE:
		return 1;
	case PR_GET_NO_NEW_PRIVS:
		return t->no_new_privs;
	case 22:	/* PR_SET_SECCOMP */
		return seccomp_prctl_set(t, arg_u64(a, 1), arg_u64(a, 2));
	case 21:	/* PR_GET_SECCOMP: strict mode never gets here (prctl kills it) */
		return t->seccomp_mode;
	case PR_GET_KEEPCAPS:
		return 0;
	case PR_GET_PDEATHSIG:
		v = t->pdeath_signal;
		return copy_out_obj(t, arg_uptr(a, 1), &v) ? -EFAULT : 0;
	default:
		unsupported_cmd(t, "prctl", arg_int(a, 0));
		return -EINVAL;
	}
}
