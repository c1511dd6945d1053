/* SPDX-License-Identifier: MIT */
/*
 * The user-copy API: the only door to guest memory. Every access resolves
 * through the mm's VMAs onto the Sentry's mapping of the memory file; an
 * unmapped or protected address gives -EFAULT, never a crash.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "abi/linux/types.h"

struct task;
struct mm;

int copy_in(struct task *t, void *dst, uptr_t src, size_t size);	/* 0 or -EFAULT */
int copy_out(struct task *t, uptr_t dst, const void *src, size_t size);	/* 0 or -EFAULT */
/* Copy a NUL-terminated string of at most @max bytes (NUL included). Returns its length,
 * -EFAULT or -ENAMETOOLONG. */
long copy_string_in(struct task *t, char *buf, uptr_t src, size_t max);
int clear_user(struct task *t, uptr_t dst, size_t size);

int mm_copy_in(struct mm *mm, void *dst, uint64_t src, size_t size);
int mm_copy_out(struct mm *mm, uint64_t dst, const void *src, size_t size, bool force);

#define copy_in_obj(t, p, ua) copy_in((t), (p), (ua), sizeof(*(p)))
#define copy_out_obj(t, ua, p) copy_out((t), (ua), (p), sizeof(*(p)))

#define MAX_RW_COUNT 0x7ffff000UL
#define UIO_MAXIOV 1024

/* A cursor over a guest iovec array (or one kernel buffer) for read/write paths. */
struct iov_iter {
	struct task *t;		/* NULL: kernel buffer in @kbuf */
	uint8_t *kbuf;
	struct linux_iovec *iov;
	unsigned nr, idx;
	uint64_t off;		/* offset inside iov[idx] */
	size_t count;		/* bytes left */
	struct linux_iovec one;
};

void iov_iter_user(struct iov_iter *it, struct task *t, uptr_t buf, size_t len);
void iov_iter_kernel(struct iov_iter *it, void *buf, size_t len);
/* readv/writev: copies the iovec array in; -EINVAL or -EFAULT. Release with iov_iter_release(). */
int iov_iter_import(struct iov_iter *it, struct task *t, uptr_t uiov, long iovcnt);
void iov_iter_release(struct iov_iter *it);
/* Copy into the guest buffers (a read). Returns bytes copied, or -EFAULT if none could be. */
ssize_t iov_iter_copy_to(struct iov_iter *it, const void *src, size_t n);
/* Copy out of the guest buffers (a write). Same return convention. */
ssize_t iov_iter_copy_from(struct iov_iter *it, void *dst, size_t n);
