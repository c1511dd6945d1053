/* SPDX-License-Identifier: MIT */
/*
 * What the guest asked for and did not get: unsupported system calls and
 * unsupported flags of supported ones. Each is logged once with its
 * arguments; `cvisor do --report-unsupported` prints a summary at exit.
 */
#pragma once
#include <stdbool.h>

struct task;
struct syscall_args;

extern bool g_report_unsupported;

/* An unsupported syscall @nr was called. */
void unsupported_syscall(struct task *t, long nr, const struct syscall_args *a);
/* A supported syscall was called with something it does not serve, e.g. ("clone", "CLONE_THREAD"). */
void unsupported_feature(struct task *t, const char *syscall, const char *what);
/* A command number a syscall does not serve (ioctl, fcntl, prctl). */
void unsupported_cmd(struct task *t, const char *syscall, unsigned long cmd);
/* Print the summary to @fd (nothing when nothing was missing). */
void unsupported_report(int fd);
