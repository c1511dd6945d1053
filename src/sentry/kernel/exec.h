/* SPDX-License-Identifier: MIT */
#pragma once
#include "abi/linux/types.h"

struct task;

/* execve/execveat core: 0 on success (registers replaced), -errno otherwise. */
long do_execve(struct task *t, int dirfd, uptr_t upath, uptr_t uargv, uptr_t uenvp, int flags);
