// SPDX-License-Identifier: MIT
/* seccomp(2) and prctl's PR_SET_SECCOMP (the machinery: kernel/seccomp.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include "lib/util.h"
#include "sentry/kernel/seccomp.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

#define SET_MODE_STRICT 0
#define SET_MODE_FILTER 1
#define GET_ACTION_AVAIL 2
#define GET_NOTIF_SIZES 3
#define FLAG_TSYNC 1
#define FLAG_LOG 2
#define FLAG_SPEC_ALLOW 4
#define FLAG_NEW_LISTENER 8
#define FLAG_TSYNC_ESRCH 16
#define FLAG_WAIT_KILLABLE_RECV 32

/* struct sock_fprog as the guest lays it out */
struct guest_fprog {
	uint16_t len;
	uint16_t pad[3];
	uint64_t filter;
};

static long set_strict(struct task *t)
{
	if (t->seccomp_mode == SECCOMP_MODE_FILTER_)
		return -EINVAL;
	t->seccomp_mode = SECCOMP_MODE_STRICT_;
	return 0;
}

static long set_filter(struct task *t, unsigned flags, uint64_t uprog)
{
	struct guest_fprog prog;
	struct seccomp_insn *insns;
	struct seccomp_filter *f;
	long err;

	if (flags & ~(FLAG_TSYNC | FLAG_LOG | FLAG_SPEC_ALLOW | FLAG_NEW_LISTENER | FLAG_TSYNC_ESRCH |
		      FLAG_WAIT_KILLABLE_RECV))
		return -EINVAL;
	if (flags & (FLAG_NEW_LISTENER | FLAG_WAIT_KILLABLE_RECV))
		return -EINVAL;	/* no user-space notification (documented) */
	if (copy_in(t, &prog, uptr(uprog), sizeof(prog)))
		return -EFAULT;
	/* Linux: without no_new_privs the caller needs CAP_SYS_ADMIN (here: euid 0) */
	if (!t->no_new_privs && t->cred.euid != 0)
		return -EACCES;
	if (prog.len == 0 || prog.len > 4096)
		return -EINVAL;
	insns = xmalloc(prog.len * sizeof(*insns));
	if (copy_in(t, insns, uptr(prog.filter), prog.len * sizeof(*insns))) {
		free(insns);
		return -EFAULT;
	}
	err = seccomp_filter_new(insns, prog.len, &f);
	free(insns);
	if (err)
		return err;
	f->log = flags & FLAG_LOG;
	return seccomp_install(t, f, flags & (FLAG_TSYNC | FLAG_TSYNC_ESRCH));
}

static long action_avail(struct task *t, uint64_t uaction)
{
	uint32_t action;

	if (copy_in(t, &action, uptr(uaction), sizeof(action)))
		return -EFAULT;
	switch (action) {
	case 0x80000000u:	/* KILL_PROCESS */
	case 0x00000000u:	/* KILL_THREAD */
	case 0x00030000u:	/* TRAP */
	case 0x00050000u:	/* ERRNO */
	case 0x7ff00000u:	/* TRACE */
	case 0x7ffc0000u:	/* LOG */
	case 0x7fff0000u:	/* ALLOW */
		return 0;
	}
	return -EOPNOTSUPP;
}

/* seccomp(2) */
long sys_seccomp(struct task *t, const struct syscall_args *a)
{
	unsigned op = (unsigned)arg_u64(a, 0), flags = (unsigned)arg_u64(a, 1);

	switch (op) {
	case SET_MODE_STRICT:
		return flags || arg_u64(a, 2) ? -EINVAL : set_strict(t);
	case SET_MODE_FILTER:
		return set_filter(t, flags, arg_u64(a, 2));
	case GET_ACTION_AVAIL:
		return flags ? -EINVAL : action_avail(t, arg_u64(a, 2));
	default:
		return -EINVAL;
	}
}

long seccomp_prctl_set(struct task *t, unsigned long mode, uint64_t prog)
{
	if (mode == SECCOMP_MODE_STRICT_)
		return set_strict(t);
	if (mode == SECCOMP_MODE_FILTER_)
		return set_filter(t, 0, prog);
	return -EINVAL;
}
