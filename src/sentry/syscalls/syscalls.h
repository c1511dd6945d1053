/* SPDX-License-Identifier: MIT */
/*
 * System call entry: argument accessors, the handler signature and the
 * generated table (syscall_64.tbl -> syscall_table.c).
 */
#pragma once
#include <stdint.h>
#include "abi/linux/types.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/task.h"

struct syscall_args {
	uint64_t a[6];
};

enum syscall_support { SUPPORT_FULL, SUPPORT_PARTIAL, SUPPORT_ENOSYS, SUPPORT_EPERM };

typedef long (*syscall_fn)(struct task *t, const struct syscall_args *a);

struct syscall_desc {
	const char *name;
	syscall_fn fn;		/* NULL: not implemented */
	enum syscall_support support;
	const char *args;	/* argument types for --strace; NULL when unknown */
};

#define SYSCALL_TABLE_SIZE 462
extern const struct syscall_desc syscall_table[SYSCALL_TABLE_SIZE];

static inline int arg_int(const struct syscall_args *a, int i)
{
	return (int)a->a[i];
}

static inline unsigned arg_uint(const struct syscall_args *a, int i)
{
	return (unsigned)a->a[i];
}

static inline long arg_long(const struct syscall_args *a, int i)
{
	return (long)a->a[i];
}

static inline uint64_t arg_u64(const struct syscall_args *a, int i)
{
	return a->a[i];
}

static inline uptr_t arg_uptr(const struct syscall_args *a, int i)
{
	return uptr(a->a[i]);
}

static inline uint32_t arg_mode(const struct syscall_args *a, int i)
{
	return (uint32_t)a->a[i];
}

void syscall_dispatch(struct task *t);
/* ppoll, pselect6, epoll_pwait: block @umask's set, if given, until the next signal delivery (sys_signal.c). */
int install_temp_sigmask(struct task *t, uptr_t umask, uint64_t size);

#include "syscall_decls.h"
