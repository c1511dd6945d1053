/* SPDX-License-Identifier: MIT */
/*
 * Futexes, served entirely in the Sentry. A futex is keyed by (mm, address)
 * in private memory and by (memory-file frame, offset) in shared memory, so
 * processes sharing a page share its futexes while copy-on-write siblings
 * do not. Waiters sleep on their task's own wake-up; all under the kernel lock.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct task;

#define FUTEX_BITSET_ANY 0xffffffffu

/* Sleep while *@addr == @val, until woken with a matching bitset or @deadline. 0, -EAGAIN,
 * -ETIMEDOUT, -EINTR or -EFAULT. */
int futex_wait(struct task *t, uint64_t addr, uint32_t val, uint32_t bitset, uint64_t deadline, bool shared);
/* Wake up to @n waiters on @addr whose bitset matches; returns how many. */
int futex_wake(struct task *t, uint64_t addr, int n, uint32_t bitset, bool shared);
/* Wake @n on @addr, move up to @n2 more to @addr2; @cmp: check *@addr == @val first. */
int futex_requeue(struct task *t, uint64_t addr, uint64_t addr2, int n, int n2, bool cmp, uint32_t val,
		  bool shared);
/* PI futexes: take (or try to take) the lock word at @addr for @t; hand it on at unlock. */
int futex_lock_pi(struct task *t, uint64_t addr, uint64_t deadline, bool try);
int futex_unlock_pi(struct task *t, uint64_t addr);
/* Thread exit: release robust futexes it still holds, clear and wake its CLONE_CHILD_CLEARTID word. */
void futex_exit_thread(struct task *t);
int futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, int n, int n2, uint32_t op, bool shared);
