/* SPDX-License-Identifier: MIT */
/*
 * A new process from outside the sandbox: pid 1 at boot, and each process
 * `cvisor exec` starts later (control.c). Such a process has no parent in
 * the sandbox (Linux's runc exec'd process has its parent outside the
 * container); it leads a new session and process group.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sentry/sentry.h"

struct task;
struct thread_group;

struct spawn_spec {
	char **argv;			/* argv[0] without '/' is searched in the sandbox's PATH */
	char **envp;
	const char *cwd;		/* NULL: / */
	uint32_t uid, gid;
	const uint32_t *groups;
	size_t ngroups;
	bool set_umask;
	uint32_t umask;
	bool no_new_privs;
	const struct sentry_rlimit *rlimits;	/* over the defaults (init) or init's (others) */
	size_t nrlimits;
	int stdio[3];			/* host fds for 0, 1, 2 (duplicated); -1: none */
	bool init;			/* pid 1: the sandbox ends when it does */
};

/* The filter every spawned process starts with (the container's seccomp profile); -EINVAL if it is not valid. */
int spawn_set_seccomp(const void *prog, size_t len);

/*
 * The process, loaded and ready for task_start(), or an err_ptr. Kernel
 * lock held; the caller starts it.
 */
struct task *spawn_process(const struct spawn_spec *sp);
