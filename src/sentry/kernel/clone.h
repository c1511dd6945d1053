/* SPDX-License-Identifier: MIT */
/* clone()/fork()/vfork() core and task construction helpers. */
#pragma once
#include <stdint.h>
#include <sys/types.h>

struct task;
struct thread_group;

/* clone3-style arguments, decoded from either clone() or clone3(). */
struct clone_args_k {
	uint64_t flags;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t parent_tid;
	uint64_t child_tid;
	uint64_t tls;
};

long do_clone(struct task *t, const struct clone_args_k *args);
struct task *task_alloc(pid_t tid);
struct thread_group *tg_alloc(pid_t tgid);
void task_attach(struct task *t, struct thread_group *tg);
