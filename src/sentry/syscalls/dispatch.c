// SPDX-License-Identifier: MIT
/* The syscall dispatcher: table lookup, unimplemented reporting, restarts. */
#define _GNU_SOURCE
#include <errno.h>
#include "lib/log.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/unsupported.h"

#define SYS_NR_RT_SIGRETURN 15
#include "sentry/syscalls/syscalls.h"

static long syscall_unimplemented(struct task *t, uint64_t nr, const struct syscall_desc *d,
				  const struct syscall_args *a)
{
	unsupported_syscall(t, (long)nr, a);
	if (d && d->support == SUPPORT_EPERM)
		return -EPERM;
	return -ENOSYS;
}

void syscall_dispatch(struct task *t)
{
	uint64_t nr = t->regs.orig_rax;
	const struct syscall_desc *d = nr < SYSCALL_TABLE_SIZE ? &syscall_table[nr] : NULL;
	struct syscall_args args = { { t->regs.rdi, t->regs.rsi, t->regs.rdx, t->regs.r10, t->regs.r8,
				       t->regs.r9 } };
	long ret;

	bool traced = unlikely(g_strace_enabled) && strace_wants((long)nr);

	/* seccomp decides before anything runs, as Linux's syscall entry does */
	if (unlikely(t->seccomp_mode) && seccomp_check(t, nr, &args))
		return;
	if (traced)
		strace_enter(t, (long)nr, &args);
	ret = d && d->fn ? d->fn(t, &args) : syscall_unimplemented(t, nr, d, &args);
	if (traced)
		strace_exit(t, (long)nr, &args, ret);
	/* rt_sigreturn returns the restored rax, which may look like anything. */
	if (errno_is_restart(ret) && nr != SYS_NR_RT_SIGRETURN) {
		/* Restart or EINTR is decided at signal delivery (SA_RESTART). */
		t->restart_ret = ret;
		ret = -EINTR;
	}
	t->regs.rax = (uint64_t)ret;
}
