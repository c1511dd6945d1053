/* SPDX-License-Identifier: MIT */
/* Pipes and FIFOs: a ring buffer in Sentry memory with one wait queue. */
#pragma once
#include "sentry/fs/vfs.h"

/* pipe2(): two new files (read end, write end) with @flags (O_NONBLOCK, O_DIRECT ignored). */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);

/* splice(2) and tee(2): the pipe behind an open file, without going through user memory. */
bool file_is_pipe(const struct file *f);
bool pipe_same(const struct file *a, const struct file *b);
ssize_t pipe_splice_wait(struct file *f, bool for_write, bool nonblock);
/* Move up to @n bytes out of / into the pipe; never blocks. */
ssize_t pipe_splice_read(struct file *f, void *buf, size_t n);
ssize_t pipe_splice_write(struct file *f, const void *buf, size_t n);
/* Copy up to @n buffered bytes without consuming them (tee). */
size_t pipe_peek(struct file *f, void *buf, size_t n);
