/* SPDX-License-Identifier: MIT */
/* wait4/waitid core. */
#pragma once
#include <sys/types.h>
#include <sys/wait.h>
#include "sentry/kernel/errno_ext.h"

struct task;
struct thread_group;

struct wait_result {
	pid_t pid;
	int status;	/* wait(2) status word */
	uint32_t uid;
	int code;	/* CLD_EXITED, CLD_KILLED, CLD_STOPPED, CLD_CONTINUED */
};

/* @options: WNOHANG | WEXITED | WNOWAIT ... Returns 0 (res->pid 0 for WNOHANG with none ready) or -errno. */
int do_wait(struct task *t, pid_t pid, int options, struct wait_result *res);
void tg_reap(struct thread_group *tg);
