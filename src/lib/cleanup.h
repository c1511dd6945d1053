/* SPDX-License-Identifier: MIT */
/*
 * Scope-bound resources (crun style): the cleanup runs on every return;
 * take_fd()/take_ptr() hand ownership on and reset the local.
 */
#pragma once
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_free_fn(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_close_fn(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_free_ __attribute__((cleanup(cleanup_free_fn)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_close_fn)))

static inline int take_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

#define take_ptr(pp)                          \
	({                                    \
		__typeof__(*(pp)) __p = *(pp); \
		*(pp) = NULL;                 \
		__p;                          \
	})
