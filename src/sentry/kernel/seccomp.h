/* SPDX-License-Identifier: MIT */
/*
 * seccomp for the guest (Linux's kernel/seccomp.c, as the application sees
 * it): strict mode, and stacks of classic-BPF filters run on every system
 * call of the task, inherited by children and kept across execve. The OCI
 * profile of config.json arrives the same way: libseccomp compiles it in
 * the runtime, and init starts with it installed.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct syscall_args;

/* One installed filter; shared (refs) by the tasks that inherited it. */
struct seccomp_filter {
	int refs;
	struct seccomp_filter *prev;	/* installed before this one; NULL: the first */
	bool log;			/* SECCOMP_FILTER_FLAG_LOG */
	uint32_t len;
	struct seccomp_insn {
		uint16_t code;
		uint8_t jt, jf;
		uint32_t k;
	} insns[];
};

#define SECCOMP_MODE_NONE 0
#define SECCOMP_MODE_STRICT_ 1
#define SECCOMP_MODE_FILTER_ 2

/*
 * Before system call @nr of @t runs: 0 to run it, or 1 when seccomp
 * decided instead (t->regs.rax holds the result, or a signal is queued).
 * Only called when t->seccomp_mode is not NONE.
 */
int seccomp_check(struct task *t, uint64_t nr, const struct syscall_args *a);

/* A checked filter from @n instructions (Linux's seccomp_check_filter); -EINVAL if it is not one. */
int seccomp_filter_new(const struct seccomp_insn *insns, size_t n, struct seccomp_filter **out);
/* Stack @f on @t (and, with @tsync, on every thread of its process); takes the reference. */
int seccomp_install(struct task *t, struct seccomp_filter *f, bool tsync);
void seccomp_filter_put(struct seccomp_filter *f);
/* A child or new thread of @parent starts with its mode and filters. */
void seccomp_inherit(struct task *child, const struct task *parent);

long seccomp_prctl_set(struct task *t, unsigned long mode, uint64_t prog);
