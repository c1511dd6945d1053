/* SPDX-License-Identifier: MIT */
/*
 * Anonymous-inode files (Linux's anon_inode): eventfd, timerfd, epoll. They
 * have no path; /proc/pid/fd shows them as "anon_inode:[name]".
 */
#pragma once
#include "sentry/fs/vfs.h"

struct file *anon_file_new(const char *name, const struct file_ops *fops, void *priv, unsigned flags);

int do_eventfd2(struct task *t, unsigned initval, int flags);
int do_timerfd_create(struct task *t, int clockid, int flags);
long do_timerfd_settime(struct task *t, int fd, int flags, uptr_t unew, uptr_t uold);
long do_timerfd_gettime(struct task *t, int fd, uptr_t ucur);

/* epoll: an interest list entry goes away when the watched file is closed for good. */
void epoll_file_closing(struct file *f);
int do_epoll_create(struct task *t, int flags);
long do_epoll_ctl(struct task *t, int epfd, int op, int fd, uptr_t uevent);
long do_epoll_wait(struct task *t, int epfd, uptr_t uevents, int maxevents, uint64_t deadline);
