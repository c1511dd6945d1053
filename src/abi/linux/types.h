/* SPDX-License-Identifier: MIT */
/*
 * Basic x86-64 guest ABI types. Guest addresses are a one-field struct so
 * they can never be dereferenced by accident (STYLE 9). Constants (errno
 * values, O_* and similar flags) are taken from the host's headers: the
 * Sentry only runs on x86-64 Linux, where they are the guest's ABI too.
 */
#pragma once
#include <stdint.h>

typedef struct {
	uint64_t a;
} uptr_t;

static inline uptr_t uptr(uint64_t a)
{
	return (uptr_t){ a };
}

static inline uptr_t uptr_add(uptr_t p, uint64_t off)
{
	return (uptr_t){ p.a + off };
}

static inline int uptr_is_null(uptr_t p)
{
	return p.a == 0;
}

struct linux_iovec {
	uint64_t base;
	uint64_t len;
};
_Static_assert(sizeof(struct linux_iovec) == 16, "iovec");

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};
_Static_assert(sizeof(struct linux_timespec) == 16, "timespec");

struct linux_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};
_Static_assert(sizeof(struct linux_timeval) == 16, "timeval");

/*
 * Guest user address space: everything below the top 256 MiB of the host's
 * user range, which is reserved for the platform's stub code, context pages
 * and signal stacks.
 */
#define GUEST_TASK_SIZE 0x7ffff0000000ULL
