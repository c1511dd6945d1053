/* SPDX-License-Identifier: MIT */
/*
 * Files backed by a host descriptor the Sentry was given at start: the
 * sandbox's stdin, stdout and stderr (and /dev/tty when stdin is a
 * terminal). Blocking host calls drop the kernel lock and can be
 * interrupted by task_interrupt().
 */
#pragma once
#include "sentry/fs/vfs.h"

/* A new file for host fd @fd (dup'ed); @flags are the guest open flags. */
struct file *hostfd_file_new(int fd, unsigned flags);
/* Make @f (being opened as /dev/tty) the host terminal, or -ENXIO. */
int hostfd_bind_tty(struct file *f);
/* Wait for @events on host @fd without the kernel lock; -EINTR when interrupted. */
int host_wait_fd(struct task *t, int fd, short events);
