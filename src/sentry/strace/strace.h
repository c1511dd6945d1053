/* SPDX-License-Identifier: MIT */
/*
 * --strace: every guest syscall logged by the Sentry the way strace(1)
 * prints it, decoded from the argument types in syscall_64.tbl. A call that
 * blocks prints "<unfinished ...>" and later "<... name resumed>". When off,
 * it costs one predictable branch per syscall.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct task;
struct syscall_args;

extern bool g_strace_enabled;

/* @filter: comma-separated syscall names, or NULL for all. @fd: where lines go. */
int strace_configure(const char *filter, int fd);
bool strace_wants(long nr);
void strace_enter(struct task *t, long nr, const struct syscall_args *a);
void strace_exit(struct task *t, long nr, const struct syscall_args *a, long ret);
/* The traced call of @t is about to sleep: print its "<unfinished ...>" line now. */
void strace_block(struct task *t);
/* A process is gone: "+++ exited with N +++" or "+++ killed by SIG +++". */
void strace_process_exit(struct task *t, int status);
void strace_free(struct task *t);
/* "--- SIGxxx {si_signo=..., si_code=...} ---" when a signal is acted on. */
struct linux_siginfo;
void strace_signal(struct task *t, int sig, const struct linux_siginfo *info);

/* Formatting helpers shared with format.c */
struct strace_buf {
	char *data;
	size_t len, cap;
};
void sb_printf(struct strace_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append the arguments of @spec from index @from up to (not including) the
 * first output argument (@exit false) or to the end (@exit true). Returns the
 * index where it stopped. */
int strace_format_args(struct strace_buf *b, struct task *t, const char *spec, const struct syscall_args *a,
		       long ret, int from, bool exit);
void strace_format_ret(struct strace_buf *b, const char *name, long ret);
