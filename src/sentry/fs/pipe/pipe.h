/* SPDX-License-Identifier: MIT */
/* Pipes and FIFOs: a ring buffer in Sentry memory with one wait queue. */
#pragma once
#include "sentry/fs/vfs.h"

/* pipe2(): two new files (read end, write end) with @flags (O_NONBLOCK, O_DIRECT ignored). */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);
