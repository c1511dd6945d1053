// SPDX-License-Identifier: MIT
/* copy_in/copy_out/copy_string_in and the iovec iterator, over mm_translate(). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

/* Returns bytes done before a fault (== size when all went well). */
static size_t mm_copy_partial(struct mm *mm, uint64_t addr, void *kbuf, size_t size, bool write, bool force)
{
	size_t done = 0;

	if (addr + size < addr || addr + size > GUEST_TASK_SIZE)
		size = addr >= GUEST_TASK_SIZE ? 0 : GUEST_TASK_SIZE - addr;
	while (done < size) {
		size_t chunk = MIN(size - done, PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1)));
		uint8_t *p;

		if (mm_translate(mm, addr + done, write, force, &p))
			break;
		if (write)
			memcpy(p, (uint8_t *)kbuf + done, chunk);
		else
			memcpy((uint8_t *)kbuf + done, p, chunk);
		done += chunk;
	}
	return done;
}

int mm_copy_in(struct mm *mm, void *dst, uint64_t src, size_t size)
{
	return mm_copy_partial(mm, src, dst, size, false, false) == size ? 0 : -EFAULT;
}

int mm_copy_out(struct mm *mm, uint64_t dst, const void *src, size_t size, bool force)
{
	return mm_copy_partial(mm, dst, (void *)src, size, true, force) == size ? 0 : -EFAULT;
}

int copy_in(struct task *t, void *dst, uptr_t src, size_t size)
{
	return mm_copy_in(t->mm, dst, src.a, size);
}

int copy_out(struct task *t, uptr_t dst, const void *src, size_t size)
{
	return mm_copy_out(t->mm, dst.a, src, size, false);
}

int clear_user(struct task *t, uptr_t dst, size_t size)
{
	static const uint8_t zeros[PAGE_SIZE];

	while (size) {
		size_t chunk = MIN(size, sizeof(zeros));

		if (copy_out(t, dst, zeros, chunk))
			return -EFAULT;
		dst = uptr_add(dst, chunk);
		size -= chunk;
	}
	return 0;
}

long copy_string_in(struct task *t, char *buf, uptr_t src, size_t max)
{
	uint64_t addr = src.a;
	size_t done = 0;

	while (done < max) {
		size_t chunk = MIN(max - done, PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1)));
		uint8_t *p, *nul;

		if (addr + done >= GUEST_TASK_SIZE || mm_translate(t->mm, addr + done, false, false, &p))
			return -EFAULT;
		nul = memchr(p, 0, chunk);
		if (nul) {
			memcpy(buf + done, p, nul - p + 1);
			return (long)(done + (nul - p));
		}
		memcpy(buf + done, p, chunk);
		done += chunk;
	}
	return -ENAMETOOLONG;
}

void iov_iter_user(struct iov_iter *it, struct task *t, uptr_t buf, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->t = t;
	it->one.base = buf.a;
	it->one.len = MIN(len, MAX_RW_COUNT);
	it->iov = &it->one;
	it->nr = 1;
	it->count = it->one.len;
}

void iov_iter_kernel(struct iov_iter *it, void *buf, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->kbuf = buf;
	it->count = len;
}

int iov_iter_import(struct iov_iter *it, struct task *t, uptr_t uiov, long iovcnt)
{
	size_t total = 0;

	memset(it, 0, sizeof(*it));
	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return -EINVAL;
	it->t = t;
	it->nr = iovcnt;
	it->iov = iovcnt ? malloc(iovcnt * sizeof(struct linux_iovec)) : &it->one;
	if (!it->iov)
		return -ENOMEM;
	if (iovcnt && copy_in(t, it->iov, uiov, iovcnt * sizeof(struct linux_iovec))) {
		iov_iter_release(it);
		return -EFAULT;
	}
	for (long i = 0; i < iovcnt; i++) {
		if ((int64_t)it->iov[i].len < 0) {
			iov_iter_release(it);
			return -EINVAL;
		}
		/* Linux truncates the total to MAX_RW_COUNT rather than failing. */
		if (total + it->iov[i].len > MAX_RW_COUNT)
			it->iov[i].len = MAX_RW_COUNT - total;
		total += it->iov[i].len;
	}
	it->count = total;
	return 0;
}

void iov_iter_release(struct iov_iter *it)
{
	if (it->iov && it->iov != &it->one)
		free(it->iov);
	it->iov = NULL;
}

static ssize_t iov_iter_copy(struct iov_iter *it, void *kbuf, size_t n, bool to_guest)
{
	size_t done = 0;

	n = MIN(n, it->count);
	if (!it->t) {
		if (to_guest)
			memcpy(it->kbuf + it->off, kbuf, n);
		else
			memcpy(kbuf, it->kbuf + it->off, n);
		it->off += n;
		it->count -= n;
		return n;
	}
	while (done < n && it->idx < it->nr) {
		struct linux_iovec *v = &it->iov[it->idx];
		size_t chunk = MIN(n - done, v->len - it->off), got;

		if (!chunk) {
			it->idx++;
			it->off = 0;
			continue;
		}
		got = mm_copy_partial(it->t->mm, v->base + it->off, (uint8_t *)kbuf + done, chunk, to_guest, false);
		done += got;
		it->off += got;
		it->count -= got;
		if (got < chunk)
			return done ? (ssize_t)done : -EFAULT;
	}
	return done;
}

ssize_t iov_iter_copy_to(struct iov_iter *it, const void *src, size_t n)
{
	return iov_iter_copy(it, (void *)src, n, true);
}

ssize_t iov_iter_copy_from(struct iov_iter *it, void *dst, size_t n)
{
	return iov_iter_copy(it, dst, n, false);
}
