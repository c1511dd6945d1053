/* SPDX-License-Identifier: MIT */
#pragma once
#include <stdbool.h>

struct task;

/* Write ./core for @t dying of @sig if RLIMIT_CORE allows; true when a core was written. */
bool do_coredump(struct task *t, int sig);
